"""The programme's registry as it looks in real life: countries, prisons, workshops, partners,
cycles and exchange rates. Creates what is missing (by code), so it can run on any database."""

import datetime
from decimal import Decimal

from resoc.registry.models import (
    Country,
    CycleFunder,
    ExchangeRate,
    Institution,
    Organisation,
    PrisonAdministration,
    ProjectCycle,
    Workshop,
)

D = datetime.date
K = Institution.Kind
OK = Organisation.Kind

COUNTRIES = {
    "RS": "Serbia",
    "BA": "Bosnia and Herzegovina",
    "XK": "Kosovo",
    "ME": "Montenegro",
    "AL": "Albania",
}

# (code, country, name)
ADMINISTRATIONS = [
    ("RS-UIKS", "RS", "Uprava za izvršenje krivičnih sankcija"),
    ("BA-FMP", "BA", "Federalno ministarstvo pravde, Sektor za izvršenje krivičnih sankcija"),
    ("BA-RS-MP", "BA", "Ministarstvo pravde Republike Srpske, Uprava za izvršenje sankcija"),
    ("XK-SHKK", "XK", "Shërbimi Korrektues i Kosovës"),
    ("ME-UIKS", "ME", "Uprava za izvršenje krivičnih sankcija Crne Gore"),
    ("AL-DPB", "AL", "Drejtoria e Përgjithshme e Burgjeve"),
]

# (code, name, administration, kind, municipality, capacity)
INSTITUTIONS = [
    ("RS-NIS", "CI Niš", "RS-UIKS", K.PRISON, "Niš", 1200),
    ("RS-SM", "CI Sremska Mitrovica", "RS-UIKS", K.PRISON, "Sremska Mitrovica", 1600),
    ("RS-PA", "CI Pančevo", "RS-UIKS", K.PRISON, "Pančevo", 700),
    ("RS-VA", "CI for juveniles Valjevo", "RS-UIKS", K.JUVENILE, "Valjevo", 250),
    ("RS-PS", "CI Padinska Skela", "RS-UIKS", K.PRISON, "Beograd", 900),
    ("RS-PZW", "CI for women Požarevac", "RS-UIKS", K.WOMEN, "Požarevac", 400),
    ("RS-SO", "CI Sombor", "RS-UIKS", K.PRISON, "Sombor", 300),
    ("RS-SU", "CI Subotica", "RS-UIKS", K.PRISON, "Subotica", 250),
    ("RS-KR", "CH Kruševac", "RS-UIKS", K.JUVENILE, "Kruševac", 250),
    ("RS-VR", "DP Vranje", "RS-UIKS", K.DISTRICT_PRISON, "Vranje", 200),
    ("RS-ZR", "DP Zrenjanin", "RS-UIKS", K.DISTRICT_PRISON, "Zrenjanin", 250),
    ("RS-BG", "DP Beograd", "RS-UIKS", K.DISTRICT_PRISON, "Beograd", 1500),
    ("RS-NS", "DP Novi Sad", "RS-UIKS", K.DISTRICT_PRISON, "Novi Sad", 350),
    ("RS-ZA", "DP Zaječar", "RS-UIKS", K.DISTRICT_PRISON, "Zaječar", 150),
    ("RS-LE", "DP Leskovac", "RS-UIKS", K.DISTRICT_PRISON, "Leskovac", 250),
    ("RS-ZAB", "CI Požarevac Zabela", "RS-UIKS", K.PRISON, "Požarevac", 1500),
    ("RS-SPH", "Special Prison Hospital Beograd", "RS-UIKS", K.HOSPITAL, "Beograd", 500),
    ("BA-ZE", "KPZ Zenica", "BA-FMP", K.PRISON, "Zenica", 800),
    ("BA-TZ", "KPZ Tuzla", "BA-FMP", K.PRISON, "Tuzla", 300),
    ("BA-FO", "KPZ Foča", "BA-RS-MP", K.PRISON, "Foča", 400),
    ("XK-DUB", "Dubrava Correctional Centre", "XK-SHKK", K.PRISON, "Istog", 1100),
    ("XK-LIP", "Lipjan Correctional Centre for women", "XK-SHKK", K.WOMEN, "Lipjan", 120),
    ("ME-SPU", "ZIKS Spuž", "ME-UIKS", K.PRISON, "Danilovgrad", 1200),
    ("AL-FK", "Fushë-Krujë prison", "AL-DPB", K.PRISON, "Krujë", 700),
    ("AL-AD", "Ali Demi women's prison", "AL-DPB", K.WOMEN, "Tiranë", 150),
]

# suffix -> (name, trade); the equipment Help delivered and the trainings it ran.
TRADES = {
    "TAI": ("Tailoring workshop", "tailoring"),
    "EMB": ("Embroidery workshop", "embroidery"),
    "BAK": ("Bakery", "bakery"),
    "CON": ("Concrete block plant", "concrete blocks"),
    "MET": ("CNC metal workshop", "metalwork (CNC plasma cutting)"),
    "WEL": ("Welding workshop", "welding"),
    "CAR": ("Carpentry workshop", "carpentry"),
    "GRE": ("Greenhouse", "greenhouse vegetables"),
    "AGR": ("Farm", "agriculture"),
    "PVC": ("PVC and aluminium joinery", "PVC and aluminium joinery"),
    "PRN": ("Print shop", "printing"),
    "HAI": ("Hairdressing salon", "hairdressing"),
    "HRB": ("Medicinal herbs drying room", "medicinal herbs"),
    "PKG": ("Packaging unit", "packaging"),
}

WORKSHOPS = {
    "RS-NIS": ("TAI", "MET", "BAK"),
    "RS-SM": ("CON", "CAR", "PRN"),
    "RS-PA": ("GRE", "PVC"),
    "RS-VA": ("CAR", "HAI"),
    "RS-PS": ("AGR", "GRE"),
    "RS-PZW": ("TAI", "EMB"),
    "RS-SO": ("BAK", "AGR"),
    "RS-SU": ("WEL",),
    "RS-KR": ("CAR", "PRN"),
    "RS-VR": ("CON",),
    "RS-ZR": ("TAI",),
    "RS-BG": ("BAK", "PKG"),
    "RS-NS": ("PVC",),
    "RS-ZA": ("HRB",),
    "RS-LE": ("GRE",),
    "RS-ZAB": ("MET", "CAR", "AGR", "CON"),
    "RS-SPH": ("TAI",),
    "BA-ZE": ("MET", "CAR"),
    "BA-TZ": ("TAI",),
    "BA-FO": ("AGR", "CAR"),
    "XK-DUB": ("CAR", "WEL"),
    "XK-LIP": ("TAI", "HAI"),
    "ME-SPU": ("BAK", "GRE", "CAR"),
    "AL-FK": ("CAR", "MET"),
    "AL-AD": ("TAI", "HAI"),
}

# (code, name, kind, country)
ORGANISATIONS = [
    ("DE-AA", "German Federal Foreign Office", OK.DONOR, None),
    ("EU", "European Union", OK.DONOR, None),
    ("RS-MOJ", "Ministry of Justice of the Republic of Serbia", OK.GOVERNMENT, "RS"),
    ("RS-DECS", "Directorate for Execution of Criminal Sanctions", OK.GOVERNMENT, "RS"),
    ("BA-MOJ", "Federal Ministry of Justice of Bosnia and Herzegovina", OK.GOVERNMENT, "BA"),
    ("XK-MOJ", "Ministry of Justice of Kosovo", OK.GOVERNMENT, "XK"),
    ("ME-MOJ", "Ministry of Justice of Montenegro", OK.GOVERNMENT, "ME"),
    ("AL-MOJ", "Ministry of Justice of Albania", OK.GOVERNMENT, "AL"),
    ("HELP", "Help - Hilfe zur Selbsthilfe e.V.", OK.PARTNER, None),
    ("CHR-NIS", "Centre for Human Rights Niš", OK.PARTNER, "RS"),
    ("CRI", "Centre for Rehabilitation through Imagination", OK.PARTNER, "RS"),
    ("OSCE-RS", "OSCE Mission to Serbia", OK.PARTNER, "RS"),
    ("COE", "Council of Europe", OK.PARTNER, None),
    ("RS-NSZ", "National Employment Service", OK.AGENCY, "RS"),
    ("RS-CSR-NIS", "Centre for Social Work Niš", OK.AGENCY, "RS"),
    ("SUP-MASINOPROM", "Mašinoprom d.o.o. Novi Sad", OK.SUPPLIER, "RS"),
    ("SUP-AGROTEHNIKA", "Agrotehnika d.o.o. Niš", OK.SUPPLIER, "RS"),
    ("SUP-TEKSTILOPREMA", "Tekstil Oprema d.o.o. Beograd", OK.SUPPLIER, "RS"),
    ("SUP-ALATI-SA", "Alati Sarajevo d.o.o.", OK.SUPPLIER, "BA"),
    ("TP-RPK-NIS", "Regional Chamber of Commerce Niš", OK.TRAINING_PROVIDER, "RS"),
    ("TP-COE-ZE", "Adult Education Centre Zenica", OK.TRAINING_PROVIDER, "BA"),
    ("TP-QFP-TR", "Qendra e Formimit Profesional Tiranë", OK.TRAINING_PROVIDER, "AL"),
    ("BUY-DRVOART", "Drvo-Art d.o.o. Kraljevo", OK.BUYER, "RS"),
    ("BUY-MEDIANA", "JKP Mediana Niš", OK.BUYER, "RS"),
    ("BUY-ZELENILO-PG", "Zelenilo d.o.o. Podgorica", OK.BUYER, "ME"),
    ("MEDIA-RTS", "Radio Television of Serbia", OK.MEDIA, "RS"),
    ("MEDIA-JV", "Južne vesti", OK.MEDIA, "RS"),
    ("MEDIA-RTK", "Radio Television of Kosovo", OK.MEDIA, "XK"),
]

ALL_COUNTRIES = ("RS", "BA", "XK", "ME", "AL")

# (code, name, start, end, budget EUR, countries, {funder: share %}); seven cycles, EUR 3.2m.
CYCLES = [
    ("RESOC-1", "Equipping prison workshops in Serbia", D(2014, 3, 1), D(2015, 12, 31),
     "350000", ("RS",), {"DE-AA": "70", "RS-DECS": "30"}),
    ("RESOC-2", "Vocational training and work engagement of convicts", D(2016, 1, 1),
     D(2017, 6, 30), "400000", ("RS",), {"DE-AA": "70", "RS-DECS": "30"}),
    ("RESOC-3", "Resocialisation in Serbia and Bosnia and Herzegovina", D(2017, 7, 1),
     D(2018, 12, 31), "420000", ("RS", "BA"), {"DE-AA": "75", "RS-DECS": "25"}),
    ("RESOC-4", "Regional resocialisation programme", D(2019, 1, 1), D(2020, 6, 30),
     "450000", ("RS", "BA", "ME"), {"DE-AA": "80", "RS-DECS": "20"}),
    ("RESOC-5", "Regional resocialisation and COVID-19 response", D(2020, 7, 1),
     D(2021, 12, 31), "480000", ("RS", "BA", "ME", "XK"),
     {"DE-AA": "65", "EU": "20", "RS-DECS": "15"}),
    ("RESOC-6", "Resocialisation in the Western Balkans", D(2022, 1, 1), D(2023, 12, 31),
     "550000", ALL_COUNTRIES, {"DE-AA": "85", "RS-DECS": "15"}),
    ("RESOC-7", "Resocialisation in the Western Balkans II", D(2024, 1, 1), D(2025, 12, 31),
     "550000", ALL_COUNTRIES, {"DE-AA": "90", "RS-DECS": "10"}),
]  # fmt: skip

# Units per EUR from 1 January of each year (the EUR is used in Kosovo and Montenegro).
RATES = {
    "RSD": ("116.64 120.96 121.63 123.47 118.47 118.19 117.59 117.58 117.58 117.32 117.17 "
            "116.99"),
    "ALL": ("140.20 140.14 137.28 135.23 132.95 127.52 121.77 123.70 122.35 114.23 103.88 "
            "98.45"),
}  # fmt: skip
BAM_PER_EUR = Decimal("1.95583")  # the convertible mark is pegged to the euro


def _ensure(model, objs: list, counts, key=lambda o: o.code, stored=None) -> None:
    """Insert the objects whose key is not stored yet (by code unless told otherwise)."""
    if stored is None:
        codes = [o.code for o in objs]
        stored = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
    new = [o for o in objs if key(o) not in stored]
    model.objects.bulk_create(new, batch_size=500)
    counts[model._meta.model_name] += len(new)


def _by_code(model, codes, *related):
    return {o.code: o for o in model.objects.filter(code__in=codes).select_related(*related)}


def seed_countries(ctx) -> dict:
    for code, name in COUNTRIES.items():
        Country.objects.get_or_create(code=code, defaults={"name": name})
    return {c.code: c for c in Country.objects.filter(code__in=COUNTRIES)}


def seed_sites(ctx, countries: dict) -> None:
    _ensure(
        PrisonAdministration,
        [
            PrisonAdministration(code=c, country=countries[cc], name=n)
            for c, cc, n in ADMINISTRATIONS
        ],
        ctx.counts,
    )
    admins = _by_code(PrisonAdministration, [a[0] for a in ADMINISTRATIONS])
    _ensure(
        Institution,
        [
            Institution(
                code=code,
                name=name,
                country_id=admins[admin].country_id,
                administration=admins[admin],
                kind=kind,
                municipality=municipality,
                capacity=capacity,
            )
            for code, name, admin, kind, municipality, capacity in INSTITUTIONS
        ],
        ctx.counts,
    )
    institutions = _by_code(Institution, [i[0] for i in INSTITUTIONS], "country")
    _ensure(
        Workshop,
        [
            Workshop(
                code=f"{code}-{suffix}",
                institution=institutions[code],
                name=TRADES[suffix][0],
                trade=TRADES[suffix][1],
            )
            for code, suffixes in WORKSHOPS.items()
            for suffix in suffixes
        ],
        ctx.counts,
    )
    ctx.institutions = [institutions[i[0]] for i in INSTITUTIONS]
    ctx.workshops = list(Workshop.objects.filter(institution__in=ctx.institutions).order_by("code"))


def seed_organisations(ctx, countries: dict) -> None:
    _ensure(
        Organisation,
        [
            Organisation(code=code, name=name, kind=kind, country=countries.get(cc))
            for code, name, kind, cc in ORGANISATIONS
        ],
        ctx.counts,
    )
    ctx.organisations = _by_code(Organisation, [o[0] for o in ORGANISATIONS])


def seed_cycles(ctx, countries: dict) -> None:
    existing = set(ProjectCycle.objects.values_list("code", flat=True))
    new = [c for c in CYCLES if c[0] not in existing]
    cycles = ProjectCycle.objects.bulk_create(
        [
            ProjectCycle(code=code, name=name, start=start, end=end, budget_eur=Decimal(budget))
            for code, name, start, end, budget, _, _ in new
        ]
    )
    links, funders = [], []
    for cycle, (*_, country_codes, shares) in zip(cycles, new, strict=True):
        links += [
            ProjectCycle.countries.through(projectcycle=cycle, country=countries[cc])
            for cc in country_codes
        ]
        funders += [
            CycleFunder(
                cycle=cycle, organisation=ctx.organisations[org], share_percent=Decimal(share)
            )
            for org, share in shares.items()
        ]
    ProjectCycle.countries.through.objects.bulk_create(links)
    CycleFunder.objects.bulk_create(funders)
    ctx.counts["projectcycle"] += len(cycles)
    ctx.counts["cyclefunder"] += len(funders)
    ctx.cycles = list(ProjectCycle.objects.filter(code__in=[c[0] for c in CYCLES]))


def seed_exchange_rates(ctx) -> None:
    rates = [ExchangeRate(currency="BAM", valid_from=D(2014, 1, 1), units_per_eur=BAM_PER_EUR)]
    for currency, values in RATES.items():
        rates += [
            ExchangeRate(currency=currency, valid_from=D(2014 + i, 1, 1), units_per_eur=Decimal(v))
            for i, v in enumerate(values.split())
        ]
    stored = set(ExchangeRate.objects.values_list("currency", "valid_from"))
    _ensure(
        ExchangeRate, rates, ctx.counts, key=lambda r: (r.currency, r.valid_from), stored=stored
    )


def seed_registry(ctx) -> None:
    countries = seed_countries(ctx)
    seed_sites(ctx, countries)
    seed_organisations(ctx, countries)
    seed_cycles(ctx, countries)
    seed_exchange_rates(ctx)
