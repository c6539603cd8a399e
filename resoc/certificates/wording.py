"""Words that tell a reader a course was held in custody, which a certificate must never say."""

import re
import unicodedata

# Regular expressions over folded text (lower case, Latin, no diacritics: see `fold`), each
# matched at the start of a word, so that "zatvor" finds "zatvorenik" and "zatvorski" too.
CUSTODY_PATTERNS = (
    # English
    r"prison",
    r"inmate",
    r"convict",
    r"custod",
    r"correctional",
    r"detention",
    r"detainee",
    r"penitentiar",
    r"penal\b",
    r"jail",
    r"gaol",
    r"incarcerat",
    r"sentence",
    r"parole",
    # Serbian and Bosnian
    r"zatvor",
    r"osu(dj|d)en",
    r"kazneno[- ]?popravn",
    r"kp[zdu]\b",
    r"zavod",
    r"pritvor",
    r"kazn",
    r"robij",
    r"krivicn",
    # Albanian
    r"burg(?!er)",
    r"(i|e|te) burgosur",
    r"(i|e|te) denuar",
    r"paraburgim",
    r"institucion(i)? korrektues",
    r"korrektues",
)

_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "z",
        "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
        "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c", "у": "u",
        "ф": "f", "х": "h", "ц": "c", "ч": "c", "џ": "dz", "ш": "s", "đ": "dj",
    }
)  # fmt: skip
_PATTERNS = [re.compile(r"\b" + pattern) for pattern in CUSTODY_PATTERNS]


def fold(text: str) -> str:
    """Lower case, Latin, without diacritics: 'Osuđenik' and 'ОСУЂЕНИК' both give 'osudjenik'."""
    text = (text or "").lower().translate(_CYRILLIC)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def custody_mentions(text: str, *, also=()) -> list[str]:
    """What in the text points to custody: custody words, and any of `also` (e.g. the names of
    the institution and its town)."""
    folded = fold(text)
    found = [m.group(0) for pattern in _PATTERNS if (m := pattern.search(folded))]
    for name in also:
        name = fold(name).strip()
        if name and re.search(r"\b" + re.escape(name) + r"\b", folded):
            found.append(name)
    return found
