from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from resoc.accounts.services import user_token_create
from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.procurement.models import Bid, Tender
from resoc.procurement.tests.factories import BidFactory, LotFactory, TenderFactory

pytestmark = pytest.mark.django_db

TENDERS = "/api/v1/tenders/"
BIDS = "/api/v1/bids/"


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make


def new_tender_data(cycle, **extra):
    return {
        "code": "T-API",
        "cycle": cycle.code,
        "title": "Bakery line",
        "method": "three_quotations",
        "published_on": "2024-03-01",
        "deadline_on": "2024-03-31",
        **extra,
    }


def test_tenders_need_credentials():
    assert APIClient().get(TENDERS).status_code == 401


@pytest.mark.parametrize("persona", ["donor", "procurement", "auditor"])
def test_readers_get_tenders_with_lots_and_bids(request, api_for, persona, with_bids):
    tender, _lot, _bids = with_bids
    response = api_for(request.getfixturevalue(persona)).get(f"{TENDERS}{tender.code}/")
    assert response.status_code == 200
    lot = response.json()["lots"][0]
    assert sorted(lot["items"]) == ["EQ-EMB", "EQ-SEW"]
    assert [b["supplier"] for b in lot["bids"]] == ["SUP-B", "SUP-A", "SUP-C"]
    assert lot["award"] is None
    assert response.json()["evaluators"][0]["declared_no_conflict"] is True


def test_officer_gets_403_for_tenders_and_bids(api_for, officer_a, with_bids):
    client = api_for(officer_a)
    assert client.get(TENDERS).status_code == 403
    assert client.get(f"{TENDERS}T-1/").status_code == 403
    assert client.get(BIDS).status_code == 403


def test_unknown_tender_answers_404(api_for, donor):
    assert api_for(donor).get(f"{TENDERS}NOPE/").status_code == 404


def test_tender_list_filters(api_for, donor, cycle, other_cycle):
    TenderFactory(code="T-A", cycle=cycle, status="draft")
    TenderFactory(code="T-B", cycle=other_cycle, status="published")
    client = api_for(donor)

    def codes(**params):
        return sorted(t["code"] for t in client.get(TENDERS, params).json()["results"])

    assert codes() == ["T-A", "T-B"]
    assert codes(cycle="RESOC-6") == ["T-B"]
    assert codes(status="draft") == ["T-A"]


def test_tender_list_runs_a_constant_number_of_queries(api_for, donor, cycle):
    client = api_for(donor)

    def add(n):
        for _ in range(n):
            lot = LotFactory(tender=TenderFactory(cycle=cycle))
            BidFactory.create_batch(2, lot=lot)

    add(1)
    client.get(TENDERS)  # the token's first use is recorded once
    few = queries_of(lambda: client.get(TENDERS))
    add(6)
    assert queries_of(lambda: client.get(TENDERS)) == few


def test_procurement_officer_creates_and_updates_a_tender(api_for, procurement, cycle):
    client = api_for(procurement)
    response = client.post(TENDERS, new_tender_data(cycle, status="awarded"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"  # read-only
    assert AuditEntry.objects.filter(action="procurement.tender.created").exists()
    response = client.patch(f"{TENDERS}T-API/", {"title": "Bakery line II"}, format="json")
    assert response.status_code == 200
    assert Tender.objects.get().title == "Bakery line II"


def test_tender_rules_answer_400(api_for, procurement, cycle):
    response = api_for(procurement).post(
        TENDERS, new_tender_data(cycle, deadline_on="2024-01-01"), format="json"
    )
    assert response.status_code == 400
    assert "deadline cannot precede" in str(response.json())


@pytest.mark.parametrize("persona", ["donor", "officer_a", "coordinator_rs"])
def test_others_cannot_write_tenders(request, api_for, persona, cycle, published):
    client = api_for(request.getfixturevalue(persona))
    assert client.post(TENDERS, new_tender_data(cycle), format="json").status_code == 403
    response = client.patch(f"{TENDERS}T-1/", {"title": "x"}, format="json")
    assert response.status_code == 403
    assert Tender.objects.get().title != "x"


def test_procurement_officer_records_a_bid(api_for, procurement, published, suppliers, rsd_rate):
    response = api_for(procurement).post(
        BIDS,
        {"tender": "T-1", "lot": 1, "supplier": "SUP-A", "amount": "585000.00",
         "currency": "rsd", "compliant": True, "received_on": "2024-03-15"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount_eur"] == "5000.00" and body["currency"] == "RSD" and body["lot"] == 1


def test_bid_rules_answer_400_with_the_field(api_for, procurement, published, suppliers):
    client = api_for(procurement)
    data = {"tender": "T-1", "lot": 1, "supplier": "SUP-A", "amount": "100", "currency": "ALL",
            "compliant": True, "received_on": "2024-03-15"}  # fmt: skip
    response = client.post(BIDS, data, format="json")
    assert response.status_code == 400
    assert "No exchange rate for ALL" in response.json()["currency"][0]
    response = client.post(BIDS, {**data, "lot": 7}, format="json")
    assert response.status_code == 400 and "has no lot 7" in str(response.json())


def test_bid_is_corrected_and_compliance_set(api_for, procurement, with_bids):
    bid = with_bids[2][1]
    response = api_for(procurement).patch(f"{BIDS}{bid.pk}/", {"compliant": True}, format="json")
    assert response.status_code == 200
    assert Bid.objects.get(pk=bid.pk).compliant is True


def test_donor_reads_bids_but_cannot_write_them(api_for, donor, with_bids):
    client = api_for(donor)
    response = client.get(BIDS, {"tender": "T-1", "lot": 1})
    assert response.status_code == 200
    assert [b["amount_eur"] for b in response.json()["results"]] == [
        "4500.00",
        "5000.00",
        "6000.00",
    ]
    bid = with_bids[2][0]
    assert client.patch(f"{BIDS}{bid.pk}/", {"amount": "1"}, format="json").status_code == 403
    assert client.post(BIDS, {}, format="json").status_code == 403
    assert Bid.objects.get(pk=bid.pk).amount == Decimal("5000.00")
