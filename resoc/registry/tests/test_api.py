from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from resoc.accounts.services import user_token_create
from resoc.audit.models import AuditEntry
from resoc.registry.models import Country, ExchangeRate, Institution, Organisation, Workshop
from resoc.registry.tests.factories import (
    CycleFactory,
    CycleFunderFactory,
    ExchangeRateFactory,
    InstitutionFactory,
    OrganisationFactory,
    WorkshopFactory,
    country,
)


@pytest.fixture
def api_for():
    """api_for(user): an API client sending the user's token, as scripts do."""

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make


def codes(response, key="code"):
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


@pytest.fixture
def workshop_a(prison_a):
    return WorkshopFactory(code="WS-A", institution=prison_a)


@pytest.fixture
def workshop_b(prison_b):
    return WorkshopFactory(code="WS-B", institution=prison_b)


@pytest.fixture
def donor_org(db):
    return OrganisationFactory(code="EU", kind=Organisation.Kind.DONOR, country=None)


@pytest.fixture
def cycle(donor_org):
    cycle = CycleFactory(code="C-2020")
    cycle.countries.set([country("RS")])
    CycleFunderFactory(cycle=cycle, organisation=donor_org, share_percent=Decimal("100"))
    return cycle


ENDPOINTS = [
    "/api/v1/countries/",
    "/api/v1/institutions/",
    "/api/v1/workshops/",
    "/api/v1/organisations/",
    "/api/v1/cycles/",
    "/api/v1/exchange-rates/",
]


# Authentication


@pytest.mark.django_db
@pytest.mark.parametrize("url", ENDPOINTS)
def test_registry_without_credentials_answers_401(url):
    assert APIClient().get(url).status_code == 401
    assert APIClient().post(url, {}, format="json").status_code == 401


@pytest.mark.django_db
def test_registry_with_a_wrong_token_answers_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/countries/").status_code == 401


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_authenticated_role_reads_the_registry(api_for, donor, url):
    assert api_for(donor).get(url).status_code == 200


# Countries


def test_countries_are_listed_and_found_by_code_in_any_case(api_for, donor):
    client = api_for(donor)
    assert "RS" in codes(client.get("/api/v1/countries/", {"page_size": 500}))
    assert client.get("/api/v1/countries/rs/").json()["code"] == "RS"


def test_manager_creates_a_country(api_for, manager):
    response = api_for(manager).post(
        "/api/v1/countries/", {"code": "zz", "name": "Zedland"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Country.objects.filter(code="ZZ").exists()
    assert AuditEntry.objects.filter(action="registry.country.created").exists()


def test_duplicate_country_is_a_400(api_for, manager):
    response = api_for(manager).post(
        "/api/v1/countries/", {"code": "rs", "name": "Again"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_coordinator_cannot_write_countries(api_for, coordinator_rs):
    client = api_for(coordinator_rs)
    assert (
        client.post("/api/v1/countries/", {"code": "ZZ", "name": "Z"}, format="json").status_code
        == 403
    )
    assert client.patch("/api/v1/countries/RS/", {"name": "X"}, format="json").status_code == 403


# Institutions


def test_officer_sees_only_their_institution(api_for, officer_a, prison_a, prison_b):
    client = api_for(officer_a)
    assert codes(client.get("/api/v1/institutions/")) == ["RS-NIS"]
    assert client.get("/api/v1/institutions/RS-NIS/").status_code == 200
    assert client.get("/api/v1/institutions/RS-SM/").status_code == 404


def test_coordinator_sees_institutions_of_their_country(
    api_for, coordinator_ba, prison_a, prison_ba
):
    client = api_for(coordinator_ba)
    assert codes(client.get("/api/v1/institutions/")) == ["BA-ZE"]
    assert client.get("/api/v1/institutions/RS-NIS/").status_code == 404


def test_institutions_filter_by_country_and_kind(api_for, manager, prison_a, prison_ba):
    InstitutionFactory(code="RS-JUV", kind=Institution.Kind.JUVENILE, country=country("RS"))
    client = api_for(manager)
    assert set(codes(client.get("/api/v1/institutions/", {"country": "rs"}))) == {
        "RS-NIS",
        "RS-JUV",
    }
    assert codes(client.get("/api/v1/institutions/", {"kind": "juvenile"})) == ["RS-JUV"]


def institution_payload(**extra):
    return {"code": "RS-NEW", "name": "New prison", "country": "RS", "kind": "prison", **extra}


def test_manager_creates_an_institution(api_for, manager):
    response = api_for(manager).post("/api/v1/institutions/", institution_payload(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["country"] == "RS"
    assert AuditEntry.objects.filter(action="registry.institution.created").exists()


def test_coordinator_keeps_institutions_of_their_country_only(
    api_for, coordinator_rs, prison_a, prison_ba
):
    client = api_for(coordinator_rs)
    created = client.post("/api/v1/institutions/", institution_payload(), format="json")
    assert created.status_code == 201, created.json()
    abroad = client.post(
        "/api/v1/institutions/", institution_payload(code="BA-NEW", country="BA"), format="json"
    )
    assert abroad.status_code == 403
    assert (
        client.patch("/api/v1/institutions/RS-NIS/", {"capacity": 900}, format="json").status_code
        == 200
    )
    assert (
        client.patch("/api/v1/institutions/BA-ZE/", {"capacity": 1}, format="json").status_code
        == 404
    )
    moved = client.patch("/api/v1/institutions/RS-NIS/", {"country": "BA"}, format="json")
    assert moved.status_code == 403
    prison_a.refresh_from_db()
    assert prison_a.country.code == "RS"
    assert prison_a.capacity == 900
    assert not Institution.objects.filter(code="BA-NEW").exists()


def test_officer_cannot_write_institutions(api_for, officer_a, prison_a):
    client = api_for(officer_a)
    assert (
        client.post("/api/v1/institutions/", institution_payload(), format="json").status_code
        == 403
    )
    assert (
        client.patch("/api/v1/institutions/RS-NIS/", {"capacity": 1}, format="json").status_code
        == 403
    )


def test_invalid_institution_is_a_400_with_field_messages(api_for, manager, prison_a):
    response = api_for(manager).post(
        "/api/v1/institutions/",
        institution_payload(code="bad code!", country="XX", kind="castle", capacity=-1),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"code", "country", "kind", "capacity"}
    duplicate = api_for(manager).post(
        "/api/v1/institutions/", institution_payload(code="RS-NIS"), format="json"
    )
    assert duplicate.status_code == 400
    assert "code" in duplicate.json()


# Workshops


def test_officer_sees_only_workshops_of_their_institution(
    api_for, officer_a, workshop_a, workshop_b
):
    client = api_for(officer_a)
    assert codes(client.get("/api/v1/workshops/")) == ["WS-A"]
    assert client.get("/api/v1/workshops/WS-B/").status_code == 404


def test_workshops_filter_by_institution(api_for, manager, workshop_a, workshop_b):
    assert codes(api_for(manager).get("/api/v1/workshops/", {"institution": "RS-SM"})) == ["WS-B"]


def test_coordinator_creates_workshop_in_their_country_only(
    api_for, coordinator_ba, prison_a, prison_ba
):
    client = api_for(coordinator_ba)
    payload = {"code": "WS-ZE", "institution": "BA-ZE", "name": "Joinery", "trade": "joinery"}
    assert client.post("/api/v1/workshops/", payload, format="json").status_code == 201
    payload = {**payload, "code": "WS-NIS", "institution": "RS-NIS"}
    response = client.post("/api/v1/workshops/", payload, format="json")
    assert response.status_code == 400
    assert "institution" in response.json()
    assert not Workshop.objects.filter(code="WS-NIS").exists()


def test_officer_cannot_write_workshops(api_for, officer_a, workshop_a):
    client = api_for(officer_a)
    response = client.patch("/api/v1/workshops/WS-A/", {"name": "X"}, format="json")
    assert response.status_code == 403


# Organisations


def test_organisations_filter_by_kind(api_for, donor, donor_org):
    OrganisationFactory(code="BUY", kind=Organisation.Kind.BUYER)
    client = api_for(donor)
    assert codes(client.get("/api/v1/organisations/", {"kind": "buyer"})) == ["BUY"]
    assert client.get("/api/v1/organisations/EU/").json()["kind"] == "donor"


def test_manager_updates_an_organisation(api_for, manager, donor_org):
    response = api_for(manager).patch(
        "/api/v1/organisations/EU/", {"name": "European Union", "country": "rs"}, format="json"
    )
    assert response.status_code == 200, response.json()
    donor_org.refresh_from_db()
    assert donor_org.name == "European Union"
    assert donor_org.country.code == "RS"
    assert AuditEntry.objects.filter(action="registry.organisation.updated").exists()


def test_donor_cannot_write_organisations(api_for, donor, donor_org):
    client = api_for(donor)
    assert (
        client.patch("/api/v1/organisations/EU/", {"name": "X"}, format="json").status_code == 403
    )
    payload = {"code": "NEW", "name": "New", "kind": "donor"}
    assert client.post("/api/v1/organisations/", payload, format="json").status_code == 403


# Cycles


def test_cycle_shows_funders_and_countries(api_for, donor, cycle):
    body = api_for(donor).get("/api/v1/cycles/C-2020/").json()
    assert body["countries"] == ["RS"]
    assert body["funders"] == [{"organisation": "EU", "share_percent": "100.00"}]
    assert body["budget_eur"] == "100000.00"


def test_cycle_list_runs_a_constant_number_of_queries(api_for, donor, cycle, donor_org):
    client = api_for(donor)
    client.get("/api/v1/cycles/")  # warm-up: the token's first use
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/cycles/")
    for n in range(5):
        other = CycleFactory()
        other.countries.set([country("RS"), country("BA")])
        CycleFunderFactory(cycle=other, organisation=OrganisationFactory(), share_percent=50)
        CycleFunderFactory(cycle=other, organisation=donor_org, share_percent=50 + n * 0)
    with CaptureQueriesContext(connection) as six:
        assert len(client.get("/api/v1/cycles/").json()["results"]) == 6
    assert len(six) == len(one)


def test_manager_creates_a_cycle_with_funders(api_for, manager, donor_org):
    other = OrganisationFactory(code="GOV")
    payload = {
        "code": "C-2024",
        "name": "Cycle 2024",
        "start": "2024-01-01",
        "end": "2025-12-31",
        "budget_eur": "250000.00",
        "countries": ["rs", "BA"],
        "funders": [
            {"organisation": "EU", "share_percent": "60"},
            {"organisation": other.code, "share_percent": "40"},
        ],
    }
    response = api_for(manager).post("/api/v1/cycles/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert sorted(body["countries"]) == ["BA", "RS"]
    assert body["funders"] == [
        {"organisation": "EU", "share_percent": "60.00"},
        {"organisation": "GOV", "share_percent": "40.00"},
    ]
    assert AuditEntry.objects.filter(action="registry.cyclefunder.created").count() == 2


def test_cycle_funder_shares_must_total_100(api_for, manager, cycle):
    response = api_for(manager).patch(
        "/api/v1/cycles/C-2020/",
        {"funders": [{"organisation": "EU", "share_percent": "90"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "100" in str(response.json()["funders"])
    assert cycle.funders.get().share_percent == Decimal("100")


def test_cycle_funders_are_replaced(api_for, manager, cycle):
    gov = OrganisationFactory(code="GOV")
    response = api_for(manager).patch(
        "/api/v1/cycles/C-2020/",
        {"funders": [{"organisation": gov.code, "share_percent": "100"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["funders"] == [{"organisation": "GOV", "share_percent": "100.00"}]
    assert list(cycle.funders.values_list("organisation__code", flat=True)) == ["GOV"]


def test_cycle_end_before_start_is_a_400(api_for, manager, cycle):
    response = api_for(manager).patch(
        "/api/v1/cycles/C-2020/", {"end": "2019-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "end" in response.json()


def test_repeated_funder_is_a_400(api_for, manager, cycle):
    funders = [
        {"organisation": "EU", "share_percent": "50"},
        {"organisation": "EU", "share_percent": "50"},
    ]
    response = api_for(manager).patch("/api/v1/cycles/C-2020/", {"funders": funders}, format="json")
    assert response.status_code == 400
    assert "EU" in str(response.json()["funders"])


def test_coordinator_cannot_write_cycles(api_for, coordinator_rs, cycle):
    response = api_for(coordinator_rs).patch(
        "/api/v1/cycles/C-2020/", {"name": "Mine"}, format="json"
    )
    assert response.status_code == 403


# Exchange rates


def test_exchange_rates_filter_by_currency(api_for, donor):
    ExchangeRateFactory(currency="RSD")
    rate = ExchangeRateFactory(currency="BAM", units_per_eur=Decimal("1.955830"))
    client = api_for(donor)
    assert codes(client.get("/api/v1/exchange-rates/", {"currency": "bam"}), "id") == [rate.pk]
    assert client.get(f"/api/v1/exchange-rates/{rate.pk}/").json()["units_per_eur"] == "1.955830"


def test_manager_records_an_exchange_rate(api_for, manager):
    payload = {"currency": "eur", "valid_from": "2024-01-01", "units_per_eur": "1"}
    response = api_for(manager).post("/api/v1/exchange-rates/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert ExchangeRate.objects.get().currency == "EUR"


def test_invalid_exchange_rate_is_a_400(api_for, manager):
    ExchangeRateFactory(currency="RSD")
    client = api_for(manager)
    bad = {"currency": "R$D", "valid_from": "2024-01-01", "units_per_eur": "-1"}
    response = client.post("/api/v1/exchange-rates/", bad, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"currency", "units_per_eur"}
    same_day = {"currency": "RSD", "valid_from": "2020-01-01", "units_per_eur": "117"}
    assert client.post("/api/v1/exchange-rates/", same_day, format="json").status_code == 400


def test_officer_cannot_write_exchange_rates(api_for, officer_a):
    payload = {"currency": "RSD", "valid_from": "2024-01-01", "units_per_eur": "117"}
    response = api_for(officer_a).post("/api/v1/exchange-rates/", payload, format="json")
    assert response.status_code == 403
