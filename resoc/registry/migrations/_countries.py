"""The programme's countries, preloaded by migration 0002 (ISO 3166 codes; XK for Kosovo)."""

NAMES = {
    "RS": "Serbia",
    "BA": "Bosnia and Herzegovina",
    "XK": "Kosovo",
    "ME": "Montenegro",
    "AL": "Albania",
}
