from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from resoc.core.money import split_by_shares
from resoc.core.seeding import seed_run
from resoc.equipment.lifecycle import WAY_TO_USE, status_steps
from resoc.equipment.models import DELIVERED_OR_LATER, EquipmentItem, Status, StatusChange

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(
        EquipmentItem.objects.order_by("code").values_list(
            "code", "workshop__code", "cycle__code", "status", "unit_price", "currency", "value_eur"
        )
    )


def test_seeding_builds_equipment_in_proportion_to_the_persons():
    counts = seed_run(persons=400, seed=11)
    assert counts["equipmentitem"] == EquipmentItem.objects.count() == 120
    assert counts["statuschange"] == StatusChange.objects.count()
    statuses = dict(EquipmentItem.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses[Status.IN_USE] > len(EquipmentItem.objects.all()) / 3
    assert {"RSD", "EUR"} <= set(EquipmentItem.objects.values_list("currency", flat=True))
    total = EquipmentItem.objects.aggregate(total=Sum("value_eur"))["total"]
    assert Decimal("500000") < total < Decimal("5000000")


def test_seeded_items_keep_the_rules_of_their_life():
    seed_run(persons=300, seed=12)
    for item in EquipmentItem.objects.select_related("workshop__institution", "cycle"):
        changes = list(item.status_changes.order_by("on", "id"))
        if item.status == Status.SPECIFIED:
            assert not changes and item.status_on is None
            continue
        assert changes[-1].to_status == item.status and changes[-1].on == item.status_on
        assert [c.on for c in changes] == sorted(c.on for c in changes)
        for change in changes:
            expected = status_steps(change.from_status, change.to_status)
            assert len(expected) == 1, (item.code, change)
        assert item.cycle.countries.filter(pk=item.workshop.institution.country_id).exists()
        if item.status in DELIVERED_OR_LATER:
            assert item.delivered_on and item.value_eur is not None and item.supplier_id
        elif item.status in WAY_TO_USE[: WAY_TO_USE.index(Status.ORDERED)]:
            assert item.ordered_on is None


class _Undo(Exception):
    pass


def test_the_same_seed_gives_the_same_equipment_and_seeding_again_adds_more():
    with pytest.raises(_Undo), transaction.atomic():
        seed_run(persons=100, seed=13)
        first = _snapshot()
        raise _Undo
    assert not EquipmentItem.objects.exists()
    seed_run(persons=100, seed=13)
    assert _snapshot() == first
    seed_run(persons=100, seed=13)
    assert EquipmentItem.objects.count() == 60


def test_seeded_values_split_among_the_funders_without_losing_a_cent():
    seed_run(persons=200, seed=14)
    for item in EquipmentItem.objects.exclude(value_eur=None).prefetch_related("cycle__funders"):
        shares = [(f.organisation_id, f.share_percent) for f in item.cycle.funders.all()]
        assert sum(split_by_shares(item.value_eur, shares).values()) == item.value_eur
