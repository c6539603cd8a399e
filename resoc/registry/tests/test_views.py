from decimal import Decimal

import pytest
from django.urls import reverse

from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.registry.models import Institution, Organisation
from resoc.registry.tests.factories import (
    CycleFactory,
    ExchangeRateFactory,
    OrganisationFactory,
    WorkshopFactory,
    country,
)


def test_officer_sees_only_own_institution(client_for, officer_a, prison_a, prison_b):
    text = client_for(officer_a).get(reverse("registry:institution_list")).text
    assert prison_a.name in text and prison_b.name not in text


def test_officer_gets_404_for_another_institution(client_for, officer_a, prison_b):
    url = reverse("registry:institution_detail", args=[prison_b.code])
    assert client_for(officer_a).get(url).status_code == 404


def test_coordinator_sees_institutions_of_their_country(
    client_for, coordinator_ba, prison_a, prison_ba
):
    text = client_for(coordinator_ba).get(reverse("registry:institution_list")).text
    assert prison_ba.name in text and prison_a.name not in text


def test_workshops_follow_the_institution_scope(client_for, officer_a, prison_a, prison_b):
    own = WorkshopFactory(institution=prison_a, name="Bakery Niš")
    other = WorkshopFactory(institution=prison_b, name="Tailoring SM")
    client = client_for(officer_a)
    text = client.get(reverse("registry:workshop_list")).text
    assert own.name in text and other.name not in text
    assert client.get(reverse("registry:workshop_detail", args=[other.code])).status_code == 404


def test_manager_creates_institution_and_it_is_audited(client_for, manager):
    response = client_for(manager).post(
        reverse("registry:institution_create"),
        {"code": "ME-SPUZ", "name": "ZIKS Spuž", "country": country("ME").pk, "kind": "prison",
         "municipality": "Danilovgrad", "capacity": "1200", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    institution = Institution.objects.get(code="ME-SPUZ")
    entry = AuditEntry.objects.get(action="registry.institution.created")
    assert entry.object_id == str(institution.pk)


def test_coordinator_cannot_create_institution_in_another_country(client_for, coordinator_ba):
    response = client_for(coordinator_ba).post(
        reverse("registry:institution_create"),
        {"code": "RS-X", "name": "X", "country": country("RS").pk, "kind": "prison"},
    )
    assert response.status_code == 200  # the form refuses the country
    assert not Institution.objects.filter(code="RS-X").exists()


def test_coordinator_edits_institution_of_own_country_but_not_others(
    client_for, coordinator_rs, prison_a, prison_ba
):
    client = client_for(coordinator_rs)
    assert client.get(reverse("registry:institution_edit", args=[prison_a.code])).status_code == 200
    assert (
        client.get(reverse("registry:institution_edit", args=[prison_ba.code])).status_code == 404
    )


@pytest.mark.parametrize("persona", ["officer_a", "donor", "procurement", "auditor"])
def test_only_registry_writers_create_organisations(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(
        reverse("registry:organisation_create"), {"code": "X", "name": "X", "kind": "donor"}
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(code="X").exists()


def test_donor_reads_the_registry_lists(client_for, donor, prison_a):
    client = client_for(donor)
    for name in ["institution", "workshop", "organisation", "cycle", "exchangerate", "country"]:
        assert client.get(reverse(f"registry:{name}_list")).status_code == 200, name


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("registry:institution_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_cycle_funders_must_total_100(client_for, manager):
    cycle = CycleFactory(code="C2019")
    german, directorate = OrganisationFactory(code="DE-GOV"), OrganisationFactory(code="RS-DIR")
    url = reverse("registry:cycle_funders", args=[cycle.code])
    form = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-organisation": german.code,
        "form-0-share_percent": "70",
        "form-1-organisation": directorate.code,
        "form-1-share_percent": "20",
    }
    response = client_for(manager).post(url, form)
    assert response.status_code == 200
    assert "must total 100" in response.text
    assert not cycle.funders.exists()
    form["form-1-share_percent"] = "30"
    assert client_for(manager).post(url, form).status_code == 302
    shares = {f.organisation.code: f.share_percent for f in cycle.funders.all()}
    assert shares == {"DE-GOV": Decimal("70"), "RS-DIR": Decimal("30")}


def test_cycle_funders_page_is_forbidden_to_coordinators(client_for, coordinator_rs):
    cycle = CycleFactory()
    url = reverse("registry:cycle_funders", args=[cycle.code])
    assert client_for(coordinator_rs).get(url).status_code == 403


def test_exchange_rate_detail_and_edit(client_for, manager, officer_a):
    rate = ExchangeRateFactory()
    assert (
        client_for(manager).get(reverse("registry:exchangerate_edit", args=[rate.pk])).status_code
        == 200
    )
    assert (
        client_for(officer_a).get(reverse("registry:exchangerate_edit", args=[rate.pk])).status_code
        == 403
    )


@pytest.mark.parametrize("name", ["institution", "workshop", "cycle", "organisation"])
def test_lists_run_the_same_queries_for_2_or_22_rows(client_for, manager, name):
    def add(n):
        for _ in range(n):
            WorkshopFactory()
            OrganisationFactory(country=country("AL"))
            CycleFactory().countries.set([country("RS"), country("BA")])

    client = client_for(manager)
    url = reverse(f"registry:{name}_list")
    add(2)
    few = queries_of(lambda: client.get(url))
    add(20)
    assert queries_of(lambda: client.get(url)) == few
