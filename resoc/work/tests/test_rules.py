import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from resoc.audit.models import AuditEntry
from resoc.people.tests.factories import CustodyFactory
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.services import (
    MonthEntry,
    assignment_end,
    assignment_save,
    production_save,
    work_month_save,
    work_months_save,
)
from resoc.work.tests.conftest import in_custody
from resoc.work.tests.factories import AssignmentFactory, WorkMonthFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def new_assignment(person, workshop, start, end=None, **extra):
    return WorkAssignment(person=person, workshop=workshop, start=start, end=end, **extra)


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


# Custody at the workshop's institution


def test_assignment_of_a_person_in_custody_at_the_institution_is_saved_and_audited(
    manager, worker_a, workshop_a
):
    saved = assignment_save(
        actor=manager,
        assignment=new_assignment(worker_a, workshop_a, D(2024, 2, 1), role="cutter"),
    )

    assert saved.pk and saved.ended_reason == ""
    entry = AuditEntry.objects.get(action="work.workassignment.created")
    assert entry.person_ref == "A-1"
    assert entry.actor_name == "manager"


def test_assignment_in_a_workshop_of_another_institution_is_refused(manager, worker_a, workshop_b):
    with pytest.raises(ValidationError) as exc:
        assignment_save(
            actor=manager, assignment=new_assignment(worker_a, workshop_b, D(2024, 2, 1))
        )
    assert "not in custody at the workshop's institution" in messages_of(exc)
    assert not WorkAssignment.objects.exists()


def test_assignment_starting_before_admission_is_refused(manager, worker_a, workshop_a):
    with pytest.raises(ValidationError) as exc:
        assignment_save(
            actor=manager, assignment=new_assignment(worker_a, workshop_a, D(2022, 2, 1))
        )
    assert "not in custody" in messages_of(exc)


def test_assignment_ending_after_release_is_refused(manager, prison_a, workshop_a):
    person = in_custody(prison_a, "R-1", released_on=D(2023, 6, 30))

    with pytest.raises(ValidationError) as exc:
        assignment_save(
            actor=manager,
            assignment=new_assignment(person, workshop_a, D(2023, 1, 1), D(2023, 7, 15)),
        )
    assert "for the whole period 2023-01-01 to 2023-07-15" in messages_of(exc)


def test_open_assignment_needs_custody_that_has_not_ended(manager, prison_a, workshop_a):
    person = in_custody(prison_a, "R-1", released_on=D(2023, 6, 30))

    with pytest.raises(ValidationError):
        assignment_save(actor=manager, assignment=new_assignment(person, workshop_a, D(2023, 1, 1)))
    saved = assignment_save(
        actor=manager, assignment=new_assignment(person, workshop_a, D(2023, 1, 1), D(2023, 6, 30))
    )
    assert saved.ended_reason == WorkAssignment.EndReason.COMPLETED


def test_assignment_must_lie_within_one_episode_not_across_a_transfer(
    manager, prison_a, prison_b, workshop_a
):
    person = in_custody(prison_a, "T-1", transferred_out_on=D(2023, 1, 1), transferred_to=prison_b)
    CustodyFactory(person=person, institution=prison_b, admitted_on=D(2023, 1, 1))

    with pytest.raises(ValidationError):
        assignment_save(
            actor=manager,
            assignment=new_assignment(person, workshop_a, D(2022, 6, 1), D(2023, 3, 1)),
        )
    assert assignment_save(
        actor=manager,
        assignment=new_assignment(person, workshop_a, D(2022, 6, 1), D(2023, 1, 1)),
    ).pk


def test_end_before_start_is_refused(manager, worker_a, workshop_a):
    with pytest.raises(ValidationError) as exc:
        assignment_save(
            actor=manager,
            assignment=new_assignment(worker_a, workshop_a, D(2024, 2, 1), D(2024, 1, 1)),
        )
    assert "The end cannot precede the start" in messages_of(exc)


def test_hours_per_week_out_of_bounds_are_refused(manager, worker_a, workshop_a):
    with pytest.raises(ValidationError) as exc:
        assignment_save(
            actor=manager,
            assignment=new_assignment(
                worker_a, workshop_a, D(2024, 2, 1), hours_per_week=Decimal("61")
            ),
        )
    assert "hours_per_week" in exc.value.message_dict


# Overlap in the same workshop


def test_overlapping_assignment_in_the_same_workshop_is_refused(
    manager, worker_a, workshop_a, assignment_a
):
    with pytest.raises(ValidationError) as exc:
        assignment_save(
            actor=manager, assignment=new_assignment(worker_a, workshop_a, D(2024, 6, 1))
        )
    assert "already works in this workshop from 2024-01-01" in messages_of(exc)


def test_consecutive_assignments_and_other_workshops_are_allowed(
    manager, worker_a, workshop_a, workshop_a2
):
    first = AssignmentFactory(
        person=worker_a,
        workshop=workshop_a,
        start=D(2024, 1, 1),
        end=D(2024, 3, 31),
        ended_reason="completed",
    )
    assert assignment_save(
        actor=manager, assignment=new_assignment(worker_a, workshop_a, D(2024, 4, 1))
    ).pk
    assert assignment_save(
        actor=manager, assignment=new_assignment(worker_a, workshop_a2, D(2024, 2, 1))
    ).pk
    assert first.pk


# Ending an assignment


def test_ending_an_assignment_records_the_date_and_reason(manager, assignment_a):
    assignment_end(actor=manager, assignment=assignment_a, on=D(2024, 5, 31), reason="other")

    assignment_a.refresh_from_db()
    assert (assignment_a.end, assignment_a.ended_reason) == (D(2024, 5, 31), "other")
    entry = AuditEntry.objects.get(action="work.workassignment.updated")
    assert entry.detail["changes"]["end"] == [None, "2024-05-31"]


def test_ending_before_the_start_or_twice_is_refused(manager, assignment_a):
    with pytest.raises(ValidationError):
        assignment_end(actor=manager, assignment=assignment_a, on=D(2023, 12, 31))
    assignment_end(actor=manager, assignment=assignment_a, on=D(2024, 5, 31))
    with pytest.raises(ValidationError):
        assignment_end(actor=manager, assignment=assignment_a, on=D(2024, 6, 30))


def test_ending_before_recorded_months_is_refused(manager, worker_a, workshop_a, assignment_a):
    WorkMonthFactory(person=worker_a, workshop=workshop_a, month=D(2024, 6, 1))

    with pytest.raises(ValidationError) as exc:
        assignment_end(actor=manager, assignment=assignment_a, on=D(2024, 5, 31))
    assert "Work is recorded for 2024-06" in messages_of(exc)


# Work months


def month_record(person, workshop, month, hours="100", pay="11750", currency="RSD"):
    return WorkMonth(
        person=person,
        workshop=workshop,
        month=month,
        hours=Decimal(hours),
        pay=Decimal(pay),
        currency=currency,
    )


def test_work_month_converts_pay_at_the_rate_of_the_months_last_day(
    manager, worker_a, workshop_a, assignment_a, rsd_rate
):
    from resoc.registry.tests.factories import ExchangeRateFactory

    ExchangeRateFactory(currency="RSD", valid_from=D(2024, 3, 31), units_per_eur=Decimal("100"))
    saved = work_month_save(
        actor=manager, record=month_record(worker_a, workshop_a, D(2024, 3, 15), pay="5000")
    )

    assert saved.month == D(2024, 3, 1)
    assert saved.pay_eur == Decimal("50.00")
    assert AuditEntry.objects.get(action="work.workmonth.created").person_ref == "A-1"


def test_work_month_without_a_rate_is_refused_naming_the_currency(
    manager, worker_a, workshop_a, assignment_a
):
    with pytest.raises(ValidationError) as exc:
        work_month_save(actor=manager, record=month_record(worker_a, workshop_a, D(2024, 3, 1)))
    assert "No exchange rate for RSD" in " ".join(exc.value.message_dict["currency"])


def test_work_month_outside_any_assignment_is_refused(
    manager, worker_a, workshop_a, assignment_a, rsd_rate
):
    with pytest.raises(ValidationError) as exc:
        work_month_save(actor=manager, record=month_record(worker_a, workshop_a, D(2023, 12, 1)))
    assert "no work assignment in this workshop in 2023-12" in messages_of(exc)


def test_negative_hours_or_pay_are_refused(manager, worker_a, workshop_a, assignment_a, rsd_rate):
    with pytest.raises(ValidationError) as exc:
        work_month_save(
            actor=manager,
            record=month_record(worker_a, workshop_a, D(2024, 3, 1), hours="-1", pay="-5"),
        )
    assert {"hours", "pay"} <= set(exc.value.message_dict)


def test_hours_over_the_monthly_maximum_summed_over_workshops_are_refused(
    manager, worker_a, workshop_a, workshop_a2, assignment_a, rsd_rate, settings
):
    settings.RESOC_WORK_MAX_HOURS_PER_MONTH = 160
    AssignmentFactory(person=worker_a, workshop=workshop_a2, start=D(2024, 1, 1))
    WorkMonthFactory(person=worker_a, workshop=workshop_a2, month=D(2024, 3, 1), hours=100)

    with pytest.raises(ValidationError) as exc:
        work_month_save(
            actor=manager, record=month_record(worker_a, workshop_a, D(2024, 3, 1), hours="61")
        )
    assert "161 hours in 2024-03 over all workshops; at most 160" in messages_of(exc)
    assert work_month_save(
        actor=manager, record=month_record(worker_a, workshop_a, D(2024, 3, 1), hours="60")
    ).pk


def test_monthly_maximum_defaults_to_180(settings):
    from resoc import settings as project_settings

    assert project_settings.RESOC_WORK_MAX_HOURS_PER_MONTH == 180


def test_one_record_per_person_workshop_and_month(
    manager, worker_a, workshop_a, assignment_a, rsd_rate
):
    work_month_save(actor=manager, record=month_record(worker_a, workshop_a, D(2024, 3, 1)))
    with pytest.raises(ValidationError):
        work_month_save(actor=manager, record=month_record(worker_a, workshop_a, D(2024, 3, 1)))


def test_months_form_saves_all_rows_or_none(
    manager, prison_a, workshop_a, worker_a, assignment_a, rsd_rate
):
    other = in_custody(prison_a, "A-2")
    AssignmentFactory(person=other, workshop=workshop_a, start=D(2024, 1, 1))
    stranger = in_custody(prison_a, "A-3")  # not assigned here
    entries = [
        MonthEntry(person=worker_a, hours=Decimal(100), pay=Decimal(1175), currency="rsd"),
        MonthEntry(person=stranger, hours=Decimal(10), pay=Decimal(10), currency="RSD"),
    ]

    with pytest.raises(ValidationError) as exc:
        work_months_save(actor=manager, workshop=workshop_a, month=D(2024, 3, 1), entries=entries)
    assert list(exc.value.error_dict) == ["A-3"]
    assert not WorkMonth.objects.exists()

    entries[1] = MonthEntry(person=other, hours=Decimal(90), pay=Decimal(2350), currency="RSD")
    work_months_save(actor=manager, workshop=workshop_a, month=D(2024, 3, 1), entries=entries)
    assert sorted(WorkMonth.objects.values_list("person__ref", "pay_eur")) == [
        ("A-1", Decimal("10.00")),
        ("A-2", Decimal("20.00")),
    ]
    assert AuditEntry.objects.filter(action="work.workmonth.created").count() == 2


# Production


def test_production_value_is_converted_and_buyers_must_be_buyers(
    manager, workshop_a, rsd_rate, buyer
):
    from resoc.registry.tests.factories import OrganisationFactory

    record = ProductionRecord(
        workshop=workshop_a,
        month=D(2024, 3, 1),
        product="Uniforms",
        quantity=Decimal(10),
        unit="pieces",
        value=Decimal("2350"),
        currency="rsd",
        buyer=buyer,
    )
    saved = production_save(actor=manager, record=record)
    assert (saved.currency, saved.value_eur) == ("RSD", Decimal("20.00"))
    assert AuditEntry.objects.filter(action="work.productionrecord.created").exists()

    record = ProductionRecord(
        workshop=workshop_a,
        month=D(2024, 3, 1),
        product="Uniforms",
        quantity=Decimal(10),
        unit="pieces",
        buyer=OrganisationFactory(kind="donor"),
    )
    with pytest.raises(ValidationError) as exc:
        production_save(actor=manager, record=record)
    assert "not a buyer" in " ".join(exc.value.message_dict["buyer"])


def test_production_value_needs_a_currency_and_products_are_unique_per_buyer(
    manager, workshop_a, rsd_rate
):
    def record(**extra):
        return ProductionRecord(
            workshop=workshop_a,
            month=D(2024, 3, 1),
            product="Bread",
            quantity=Decimal(10),
            unit="kg",
            **extra,
        )

    with pytest.raises(ValidationError) as exc:
        production_save(actor=manager, record=record(value=Decimal(10)))
    assert "currency" in exc.value.message_dict
    production_save(actor=manager, record=record())
    with pytest.raises(ValidationError) as exc:
        production_save(actor=manager, record=record())
    assert "recorded without a buyer" in messages_of(exc)


def test_hours_in_messages_are_written_plainly():
    from resoc.work.services import check_hours

    assert check_hours(Decimal("200.00"), month=D(2024, 3, 1)).startswith("200 hours in 2024-03")
    assert check_hours(Decimal("180.00"), month=D(2024, 3, 1)) is None
