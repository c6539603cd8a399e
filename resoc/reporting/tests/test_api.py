"""GET /api/v1/reports/key-results, and a donor's token everywhere in the API."""

import pytest
from django.db import models
from rest_framework.test import APIClient

from resoc.accounts.models import Role
from resoc.accounts.services import user_token_create
from resoc.accounts.tests.factories import UserFactory
from resoc.people.models import Person
from resoc.registry.tests.factories import country
from resoc.reporting.disclosure import SECONDARY
from resoc.reporting.tests.conftest import AS_OF

URL = "/api/v1/reports/key-results"


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make


def test_manager_gets_the_full_figures(programme, manager, api_for):
    response = api_for(manager).get(URL, {"to": AS_OF.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert body["persons_trained"]["total"] == 6
    assert body["funding_by_source_eur"]["DON-A"] == "7000.00"
    assert "disclosure" not in body


def test_donor_token_gets_the_suppressed_figures(programme, donor, api_for):
    response = api_for(donor).get(URL, {"to": AS_OF.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert body["persons_trained"]["total"] == "<10"
    assert body["certificates_issued"] == "<10"
    assert body["recidivism_12m"] == {"eligible": "<10", "reoffended": "<10", "rate": "<10"}
    assert body["equipment_value_eur"] == "4000.00"  # money is not a count of people
    assert body["disclosure"]["threshold"] == 10


def test_manager_can_ask_for_the_donor_view(programme, manager, api_for):
    body = api_for(manager).get(URL, {"to": AS_OF.isoformat(), "as": "donor"}).json()
    assert body["persons_trained"]["total"] == "<10"


def test_filters_are_query_parameters(programme, manager, api_for):
    body = api_for(manager).get(URL, {"country": "BA", "cycle": "C2", "to": "2025-01-01"}).json()
    assert body["equipment_value_eur"] == "2000.00"
    assert body["filters"] == {"country": "BA", "cycle": "C2", "from": None, "to": "2025-01-01"}


@pytest.mark.parametrize(
    "params, field",
    [({"country": "ZZ"}, "country"), ({"from": "soon"}, "from"), ({"cycle": "X"}, "cycle")],
)
def test_bad_parameters_answer_400_naming_them(db, manager, api_for, params, field):
    response = api_for(manager).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_anonymous_caller_is_refused(db):
    assert APIClient().get(URL).status_code in (401, 403)


def test_coordinator_sees_own_country_in_full_and_others_suppressed(
    programme, coordinator_rs, api_for
):
    client = api_for(coordinator_rs)
    own = client.get(URL, {"country": "RS", "to": "2025-01-01"}).json()
    assert own["persons_trained"]["total"] == 6
    other = client.get(URL, {"country": "BA", "to": "2025-01-01"}).json()
    assert other["persons_trained"]["total"] == "<10"
    everywhere = client.get(URL, {"to": "2025-01-01"}).json()
    assert everywhere["persons_trained"]["total"] == "<10"


def test_suppression_markers_are_strings(programme, donor, api_for):
    body = api_for(donor).get(URL, {"to": AS_OF.isoformat()}).json()
    for value in body["persons_trained"].values():
        assert value in ("<10", SECONDARY) or isinstance(value, int)


# A donor's token on every endpoint of the router


def _model(viewset):
    queryset = getattr(viewset, "queryset", None)
    if queryset is not None:
        return queryset.model
    view = viewset()
    view.action, view.request, view.format_kwarg, view.kwargs = "list", None, None, {}
    return view.get_serializer_class().Meta.model


def _touches_people(model, depth: int = 3) -> bool:
    """A record of a person, or one that leads to a person in a few steps (e.g. a certificate)."""
    if model is Person:
        return True
    if depth == 0:
        return False
    relations = (models.ForeignKey, models.OneToOneField, models.ManyToManyField)
    return any(
        isinstance(field, relations)
        and (field.related_model is Person or _touches_people(field.related_model, depth - 1))
        for field in model._meta.get_fields()
    )


def _routes():
    from resoc.api_urls import router

    return [(prefix, viewset) for prefix, viewset, _basename in router.registry]


def test_every_endpoint_listing_people_refuses_a_donor(programme, donor, api_for):
    client = api_for(donor)
    people_routes = [p for p, viewset in _routes() if _touches_people(_model(viewset))]
    assert "persons" in people_routes and "work-assignments" in people_routes
    for prefix in people_routes:
        response = client.get(f"/api/v1/{prefix}/")
        assert response.status_code == 403, prefix
        detail = client.get(f"/api/v1/{prefix}/1/")
        assert detail.status_code in (403, 404), prefix


def test_no_endpoint_shows_a_donor_any_personal_data(programme, donor, api_for):
    client = api_for(donor)
    names = set()
    for person in Person.objects.all():
        names |= {person.ref, person.family_name}
    for prefix, _viewset in _routes():
        response = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
        if response.status_code != 200:
            continue
        text = response.content.decode()
        leaked = sorted(n for n in names if f'"{n}"' in text)
        assert not leaked, (prefix, leaked)
    body = client.get(URL).content.decode()
    assert not [n for n in names if f'"{n}"' in body]


def test_procurement_token_also_gets_suppressed_figures(programme, api_for):
    user = UserFactory(role=Role.PROCUREMENT, countries=[country("RS")])
    body = api_for(user).get(URL, {"to": "2025-01-01"}).json()
    assert body["persons_trained"]["total"] == "<10"


def test_a_donors_period_is_cut_to_whole_quarters(programme, donor, manager, api_for):
    """Moving the period by a day must not let a donor difference out one person."""
    asked = {"from": "2024-02-10", "to": "2025-08-20"}
    body = api_for(donor).get(URL, asked).json()
    assert body["filters"]["from"] == "2024-01-01"
    assert body["filters"]["to"] == "2025-06-30"
    a_day_later = api_for(donor).get(URL, {**asked, "to": "2025-08-21"}).json()
    assert a_day_later == body
    # Those who see the full figures get the period they asked for.
    full = api_for(manager).get(URL, asked).json()
    assert full["filters"]["from"] == "2024-02-10" and full["filters"]["to"] == "2025-08-20"


def test_a_quarters_last_day_stays_the_end_of_a_donors_period(programme, donor, api_for):
    body = api_for(donor).get(URL, {"to": "2025-03-31"}).json()
    assert body["filters"]["to"] == "2025-03-31"
