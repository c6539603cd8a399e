from collections import defaultdict

import pytest
from django.conf import settings
from django.db.models import Sum

from resoc.core.seeding import seed_run
from resoc.people.models import CustodyEpisode, Person
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.services import check_custody, check_month_covered

pytestmark = pytest.mark.django_db


def test_seed_builds_work_that_keeps_the_rules():
    counts = seed_run(persons=400, seed=5)

    assignments = list(WorkAssignment.objects.select_related("workshop"))
    assert len(assignments) == counts["workassignment"] > 40
    episodes = defaultdict(list)
    for episode in CustodyEpisode.objects.all():
        episodes[episode.person_id].append(episode)
    for a in assignments:
        message = check_custody(
            episodes[a.person_id],
            institution_id=a.workshop.institution_id,
            start=a.start,
            end=a.end,
        )
        assert message is None, (a.person_id, a.start, a.end)
        assert bool(a.end) == bool(a.ended_reason)
    reasons = {a.ended_reason for a in assignments}
    assert {"", "completed", "released"} <= reasons
    assert WorkMonth.objects.count() == counts["workmonth"] > 100
    by_pair = defaultdict(list)
    for a in assignments:
        by_pair[(a.person_id, a.workshop_id)].append(a)
    for record in WorkMonth.objects.all():
        assert (
            check_month_covered(by_pair[(record.person_id, record.workshop_id)], month=record.month)
            is None
        )
        assert record.pay_eur is not None
    most = WorkMonth.objects.values("person", "month").annotate(h=Sum("hours")).order_by("-h")[0]
    assert most["h"] <= settings.RESOC_WORK_MAX_HOURS_PER_MONTH
    assert ProductionRecord.objects.count() == counts["productionrecord"] > 500
    assert ProductionRecord.objects.filter(buyer__kind="buyer").exists()
    assert not ProductionRecord.objects.filter(value_eur__isnull=True).exists()


def test_seeding_work_is_deterministic_and_can_run_again():
    def snapshot():
        return list(
            WorkAssignment.objects.order_by("person__ref", "start").values_list(
                "person__ref", "workshop__code", "start", "end", "ended_reason"
            )
        )

    seed_run(persons=120, seed=7)
    first, production = snapshot(), ProductionRecord.objects.count()
    Person.objects.all().delete()
    seed_run(persons=120, seed=7)
    assert snapshot() == first
    assert ProductionRecord.objects.count() == production
