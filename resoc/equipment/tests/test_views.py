import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.equipment.models import EquipmentItem, Status, StatusChange
from resoc.equipment.services import equipment_file_add, equipment_status_change
from resoc.equipment.tests.factories import EquipmentItemFactory, SupplierFactory
from resoc.people.tests.factories import prisoner_at
from resoc.registry.tests.factories import (
    CycleFactory,
    CycleFunderFactory,
    ExchangeRateFactory,
    OrganisationFactory,
    WorkshopFactory,
    country,
)

pytestmark = pytest.mark.django_db
D = Decimal
S = Status
DAY = datetime.date(2024, 3, 1)


def co_financed_cycle(code="RESOC-1", shares=(("DE-AA", "70"), ("RS-DECS", "30"))):
    cycle = CycleFactory(code=code)
    for org, share in shares:
        organisation = OrganisationFactory(code=org, name=f"Funder {org}")
        CycleFunderFactory(cycle=cycle, organisation=organisation, share_percent=D(share))
    return cycle


@pytest.fixture
def items(prison_a, prison_b, prison_ba):
    """One item in prison A (Niš), one in prison B, one in Bosnia."""
    cycle = co_financed_cycle()
    return {
        "a": EquipmentItemFactory(
            code="NIS-EMB-1",
            name="Embroidery machine",
            workshop=WorkshopFactory(code="RS-NIS-EMB", institution=prison_a),
            cycle=cycle,
            unit_price=D("80000"),
            value_eur=D("80000.00"),
        ),
        "b": EquipmentItemFactory(
            code="SM-CON-1",
            name="Concrete block press",
            workshop=WorkshopFactory(code="RS-SM-CON", institution=prison_b),
            cycle=cycle,
        ),
        "ba": EquipmentItemFactory(
            code="ZE-MET-1",
            name="CNC plasma cutter",
            workshop=WorkshopFactory(code="BA-ZE-MET", institution=prison_ba),
            cycle=cycle,
        ),
    }


def codes_in(text, items):
    return {key for key, item in items.items() if item.code in text}


# The register


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("manager", {"a", "b", "ba"}),
        ("donor", {"a", "b", "ba"}),
        ("procurement", {"a", "b", "ba"}),
        ("auditor", {"a", "b", "ba"}),
        ("officer_a", {"a"}),
        ("coordinator_ba", {"ba"}),
        ("coordinator_rs", {"a", "b"}),
    ],
)
def test_the_register_shows_the_equipment_of_the_users_sites(
    request, client_for, items, persona, expected
):
    response = client_for(request.getfixturevalue(persona)).get(reverse("equipment:list"))
    assert response.status_code == 200
    assert codes_in(response.text, items) == expected


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("equipment:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_register_shows_the_co_financing_split_to_the_cent(client_for, donor, prison_a):
    cycle = co_financed_cycle()
    EquipmentItemFactory(
        workshop=WorkshopFactory(institution=prison_a), cycle=cycle, value_eur=D("80000.00")
    )
    text = client_for(donor).get(reverse("equipment:list")).text
    assert "56,000.00" in text and "24,000.00" in text and "80,000.00" in text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "BA"}, {"ba"}),
        ({"institution": "RS-SM"}, {"b"}),
        ({"status": "in_use"}, {"a"}),
        ({"q": "plasma"}, {"ba"}),
        ({"q": "nis-emb"}, {"a"}),
        ({"cycle": "OTHER"}, {"b"}),
        ({"funder": "EU"}, {"b"}),
        ({"funder": "DE-AA"}, {"a", "ba"}),
    ],
)
def test_the_register_filters(client_for, manager, items, params, expected):
    other = co_financed_cycle("OTHER", shares=(("EU", "100"),))
    EquipmentItem.objects.filter(pk=items["b"].pk).update(cycle=other)
    equipment_status_change(actor=manager, item=items["a"], to_status=S.IN_USE, on=DAY)
    response = client_for(manager).get(reverse("equipment:list"), params)
    assert codes_in(response.text, items) == expected


def test_the_register_offers_only_the_institutions_in_scope(client_for, officer_a, items):
    text = client_for(officer_a).get(reverse("equipment:list")).text
    assert 'value="RS-NIS"' in text and 'value="RS-SM"' not in text


def _many(n, institution, start=0):
    for i in range(start, start + n):
        cycle = co_financed_cycle(f"C-{institution.code}-{i}", shares=((f"F{i}A", "60"),))
        CycleFunderFactory(cycle=cycle, share_percent=D("40"))
        EquipmentItemFactory(
            workshop=WorkshopFactory(institution=institution),
            cycle=cycle,
            supplier=SupplierFactory(),
        )


def test_the_register_runs_the_same_queries_for_2_or_20_items(client_for, manager, prison_a):
    client = client_for(manager)
    url = reverse("equipment:list")
    _many(2, prison_a)
    few = queries_of(lambda: client.get(url))
    _many(18, prison_a, start=2)
    assert queries_of(lambda: client.get(url)) == few


def test_the_export_lists_the_filtered_items_with_their_value_by_funder(
    client_for, officer_a, items
):
    response = client_for(officer_a).get(reverse("equipment:export"), {"q": "NIS"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    header = rows[0]
    assert "DE-AA (EUR)" in header and "RS-DECS (EUR)" in header
    assert [r[0] for r in rows[1:]] == ["NIS-EMB-1"]
    row = dict(zip(header, rows[1], strict=True))
    assert D(str(row["DE-AA (EUR)"])) == D("56000") and D(str(row["RS-DECS (EUR)"])) == D("24000")
    assert AuditEntry.objects.get(action="equipment.exported").detail["count"] == 1


def test_the_export_keeps_to_the_users_scope(client_for, coordinator_ba, items):
    response = client_for(coordinator_ba).get(reverse("equipment:export"))
    codes = [r[0] for r in list(load_workbook(io.BytesIO(response.content)).active.values)[1:]]
    assert codes == ["ZE-MET-1"]


# One item


def test_the_detail_shows_value_by_funder_and_status_history(client_for, officer_a, items, pdf):
    item = items["a"]
    equipment_status_change(actor=None, item=item, to_status=S.ORDERED, on=DAY)
    equipment_status_change(
        actor=None, item=item, to_status=S.DELIVERED, on=DAY, document=pdf("handover.pdf")
    )
    response = client_for(officer_a).get(reverse("equipment:detail", args=[item.code]))
    assert response.status_code == 200
    text = response.text
    assert "56,000.00" in text and "24,000.00" in text
    change = StatusChange.objects.get(to_status=S.DELIVERED)
    assert reverse("equipment:status_document", args=[item.code, change.pk]) in text
    assert reverse("equipment:edit", args=[item.code]) not in text  # officers do not change it


def test_an_item_of_another_institution_is_not_found(client_for, officer_a, items):
    url = reverse("equipment:detail", args=[items["b"].code])
    assert client_for(officer_a).get(url).status_code == 404


def test_an_unconverted_item_says_so(client_for, manager, prison_a):
    item = EquipmentItemFactory(currency="RSD", value_eur=None)
    text = client_for(manager).get(reverse("equipment:detail", args=[item.code])).text
    assert "not yet converted" in text


# Create and edit

FORM = {
    "code": "NIS-TAI-7",
    "name": "Industrial overlock",
    "category": "sewing",
    "quantity": "3",
    "unit_price": "1200.50",
    "currency": "eur",
}


@pytest.mark.parametrize("persona", ["manager", "procurement", "coordinator_rs", "admin_user"])
def test_writers_create_an_item(request, client_for, persona, prison_a):
    workshop = WorkshopFactory(institution=prison_a)
    cycle = CycleFactory()
    data = {**FORM, "workshop": workshop.pk, "cycle": cycle.pk}
    response = client_for(request.getfixturevalue(persona)).post(reverse("equipment:create"), data)
    assert response.status_code == 302, response.text
    item = EquipmentItem.objects.get(code="NIS-TAI-7")
    assert (item.currency, item.value_eur, item.status) == ("EUR", D("3601.50"), S.SPECIFIED)


@pytest.mark.parametrize("persona", ["officer_a", "donor", "auditor", "commissioner_nis"])
def test_other_roles_cannot_create_items(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("equipment:create"))
    assert response.status_code == 403


def test_a_coordinator_cannot_place_an_item_in_another_country(
    client_for, coordinator_ba, prison_a
):
    data = {
        **FORM,
        "workshop": WorkshopFactory(institution=prison_a).pk,
        "cycle": CycleFactory().pk,
    }
    response = client_for(coordinator_ba).post(reverse("equipment:create"), data)
    assert response.status_code == 200
    assert not EquipmentItem.objects.exists()


def test_a_supplier_that_is_no_supplier_is_not_offered(client_for, manager, prison_a):
    donor = OrganisationFactory(code="DONOR-X")
    data = {
        **FORM,
        "workshop": WorkshopFactory(institution=prison_a).pk,
        "cycle": CycleFactory().pk,
        "supplier": donor.pk,
    }
    response = client_for(manager).post(reverse("equipment:create"), data)
    assert response.status_code == 200 and not EquipmentItem.objects.exists()


def test_edit_is_for_writers_of_the_items_country(client_for, coordinator_rs, auditor, items):
    client = client_for(coordinator_rs)
    assert client.get(reverse("equipment:edit", args=[items["a"].code])).status_code == 200
    assert client.get(reverse("equipment:edit", args=[items["ba"].code])).status_code == 404
    auditor_client = client_for(auditor)
    assert auditor_client.get(reverse("equipment:edit", args=[items["a"].code])).status_code == 403


def test_editing_the_price_shows_a_missing_rate_in_the_page(client_for, manager, items):
    item = items["a"]
    equipment_status_change(actor=None, item=item, to_status=S.ORDERED, on=DAY)
    data = {
        **FORM,
        "code": item.code,
        "workshop": item.workshop.pk,
        "cycle": item.cycle.pk,
        "currency": "RSD",
    }
    response = client_for(manager).post(reverse("equipment:edit", args=[item.code]), data)
    assert response.status_code == 200
    assert "No exchange rate for RSD on or before 2024-03-01" in response.text
    item.refresh_from_db()
    assert item.currency == "EUR"


# Status changes


def test_the_status_form_offers_only_the_allowed_next_statuses(client_for, manager, items):
    text = client_for(manager).get(reverse("equipment:status", args=[items["a"].code])).text
    assert 'value="tendered"' in text and 'value="in_use"' in text
    assert 'value="out_of_service"' not in text and 'value="decommissioned"' not in text


def test_a_writer_moves_an_item_with_a_document(client_for, procurement, items, pdf):
    item = items["a"]
    response = client_for(procurement).post(
        reverse("equipment:status", args=[item.code]),
        {"to_status": "delivered", "on": "2024-03-01", "reason": "", "document": pdf()},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.delivered_on) == (S.DELIVERED, DAY)
    assert StatusChange.objects.get(to_status=S.DELIVERED).document


@pytest.mark.parametrize("persona", ["officer_a", "donor", "auditor"])
def test_readers_cannot_change_the_status(request, client_for, persona, items):
    url = reverse("equipment:status", args=[items["a"].code])
    client = client_for(request.getfixturevalue(persona))
    assert client.post(url, {"to_status": "tendered", "on": "2024-03-01"}).status_code == 403
    assert EquipmentItem.objects.get(pk=items["a"].pk).status == S.SPECIFIED


def test_a_coordinator_cannot_move_an_item_of_another_country(client_for, coordinator_rs, items):
    url = reverse("equipment:status", args=[items["ba"].code])
    response = client_for(coordinator_rs).post(url, {"to_status": "tendered", "on": "2024-03-01"})
    assert response.status_code == 404


def test_a_refused_move_is_explained_in_the_page(client_for, manager, items):
    item = items["a"]
    equipment_status_change(actor=None, item=item, to_status=S.DELIVERED, on=DAY)
    url = reverse("equipment:status", args=[item.code])
    client = client_for(manager)
    back = client.post(url, {"to_status": "ordered", "on": "2024-03-02"})
    assert back.status_code == 200 and "needs a reason" in back.text
    early = client.post(url, {"to_status": "installed", "on": "2024-02-01"})
    assert "cannot precede the previous change (2024-03-01)" in early.text
    skipped = client.post(url, {"to_status": "decommissioned", "on": "2024-03-02"})
    assert "Select a valid choice" in skipped.text
    item.refresh_from_db()
    assert item.status == S.DELIVERED


def test_a_missing_rate_is_explained_in_the_status_page(client_for, manager, items):
    item = items["a"]
    EquipmentItem.objects.filter(pk=item.pk).update(currency="ALL", value_eur=None)
    ExchangeRateFactory(currency="ALL", valid_from=datetime.date(2024, 6, 1))
    url = reverse("equipment:status", args=[item.code])
    response = client_for(manager).post(url, {"to_status": "ordered", "on": "2024-03-01"})
    assert response.status_code == 200
    assert "No exchange rate for ALL on or before 2024-03-01" in response.text


# Files


def test_a_writer_uploads_a_photo_and_a_reader_downloads_it(
    client_for, manager, officer_a, items, png
):
    item = items["a"]
    url = reverse("equipment:file_add", args=[item.code])
    response = client_for(manager).post(url, {"kind": "photo", "title": "Front", "file": png()})
    assert response.status_code == 302
    record = item.files.get()
    download = client_for(officer_a).get(
        reverse("equipment:file_download", args=[item.code, record.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_a_photo_must_be_an_image(client_for, manager, items, pdf):
    url = reverse("equipment:file_add", args=[items["a"].code])
    response = client_for(manager).post(url, {"kind": "photo", "file": pdf("photo.png")})
    assert response.status_code == 200 and "JPEG, PNG" in response.text
    assert not items["a"].files.exists()


def test_readers_cannot_upload(client_for, donor, items, pdf):
    url = reverse("equipment:file_add", args=[items["a"].code])
    assert client_for(donor).post(url, {"kind": "invoice", "file": pdf()}).status_code == 403


def test_files_of_another_institution_are_not_found(client_for, officer_a, items, pdf):
    item = items["b"]
    record = equipment_file_add(actor=None, item=item, kind="invoice", upload=pdf())
    [change] = equipment_status_change(
        actor=None, item=item, to_status=S.TENDERED, on=DAY, document=pdf()
    )
    client = client_for(officer_a)
    url = reverse("equipment:file_download", args=[item.code, record.pk])
    assert client.get(url).status_code == 404
    url = reverse("equipment:status_document", args=[item.code, change.pk])
    assert client.get(url).status_code == 404
    # nor through an item in scope
    url = reverse("equipment:file_download", args=[items["a"].code, record.pk])
    assert client.get(url).status_code == 404


def test_the_status_document_downloads_for_readers_in_scope(client_for, donor, items, pdf):
    [change] = equipment_status_change(
        actor=None, item=items["b"], to_status=S.TENDERED, on=DAY, document=pdf()
    )
    url = reverse("equipment:status_document", args=[items["b"].code, change.pk])
    response = client_for(donor).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# Navigation


def test_the_menu_and_the_registry_workshop_page_lead_to_the_equipment(client_for, donor, items):
    client = client_for(donor)
    text = client.get(reverse("registry:workshop_detail", args=["RS-NIS-EMB"])).text
    assert reverse("equipment:list") in text
    assert reverse("equipment:workshop", args=["RS-NIS-EMB"]) in text


def test_prisoner_fixture_is_in_custody(prison_a):
    assert prisoner_at(prison_a).custody_episodes.count() == 1


def test_every_persona_may_open_the_register(client_for, commissioner_nis, prison_a):
    assert client_for(commissioner_nis).get(reverse("equipment:list")).status_code == 200
    assert country("RS").code == "RS"
