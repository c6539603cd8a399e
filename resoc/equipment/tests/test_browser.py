import datetime
from pathlib import Path

import pytest

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import PASSWORD, UserFactory
from resoc.core.browser import page  # noqa: F401  (the fixture)
from resoc.equipment.models import Status, StatusChange
from resoc.equipment.services import equipment_status_change
from resoc.equipment.tests.conftest import PDF
from resoc.equipment.tests.factories import EquipmentItemFactory
from resoc.registry.tests.factories import WorkshopFactory

pytestmark = [
    pytest.mark.browser,
    # The data of the migrations (countries) is restored for each test: another transactional
    # test empties the database when it ends.
    pytest.mark.django_db(transaction=True),
]


def test_a_procurement_officer_takes_an_ordered_item_to_use_with_the_handover_document(
    page,  # noqa: F811
    prison_a,
    tmp_path,
):
    UserFactory(username="milica", role=Role.PROCUREMENT)
    item = EquipmentItemFactory(
        code="NIS-EMB-1",
        name="Multi-head embroidery machine",
        workshop=WorkshopFactory(code="RS-NIS-EMB", institution=prison_a),
    )
    ordered_on = datetime.date.today() - datetime.timedelta(days=20)
    equipment_status_change(actor=None, item=item, to_status=Status.ORDERED, on=ordered_on)
    handover = tmp_path / "handover-protocol.pdf"
    handover.write_bytes(PDF)
    delivered = datetime.date.today() - datetime.timedelta(days=3)

    page.goto("/equipment/")
    page.fill("input[name=login]", "milica")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/equipment/")
    page.click("a:has-text('NIS-EMB-1')")
    page.wait_for_url("**/equipment/NIS-EMB-1/")
    assert page.locator("#status").inner_text() == "Ordered"

    page.click("a:has-text('Change status')")
    page.select_option("select[name=to_status]", "delivered")
    page.fill("input[name=on]", delivered.isoformat())
    page.set_input_files("input[name=document]", str(handover))
    page.click("button[type=submit]")
    page.wait_for_url("**/equipment/NIS-EMB-1/")
    assert page.locator("#status").inner_text() == "Delivered"

    page.click("a:has-text('Change status')")
    page.select_option("select[name=to_status]", "in_use")  # installed on the way
    page.fill("input[name=on]", datetime.date.today().isoformat())
    page.click("button[type=submit]")
    page.wait_for_url("**/equipment/NIS-EMB-1/")
    assert page.locator("#status").inner_text() == "In use"
    history = page.locator("#history").inner_text()
    assert "Installed" in history and "Delivered" in history

    with page.expect_download() as download:
        page.click("#history a:has-text('Download')")
    assert Path(download.value.path()).read_bytes() == PDF
    change = StatusChange.objects.get(item=item, to_status=Status.DELIVERED)
    assert change.on == delivered and change.by.username == "milica"
    item.refresh_from_db()
    assert (item.status, item.delivered_on) == (Status.IN_USE, delivered)
