"""Import kinds of grants: `grants` and `grant-visits`.

A `grants` row is an application (by its code) and, from `approved` on, its grant:
- applied → a pending application; rejected → a rejected one; approved → an approved application
  with a grant (status approved); delivered / closed → that grant delivered on `delivered_on`
  (closed: monitoring over);
- `value` in `currency` is the amount asked for and, from `approved` on, the amount approved and
  the grant's value, converted to EUR at the rate of the delivery date (before delivery: of the
  cycle's end, or today if earlier); an application made on a call keeps the amount it asked
  for, its items and their currency;
- the country is the one of the person's latest custody; the row joins the call of its cycle and
  country when there is one, and is a historical application without a call otherwise;
- where a call exists, its rules hold as on the pages: a decision needs two complete evaluations
  (a rejection of an ineligible applicant excepted), an approval needs an eligible applicant, and
  the EUR approved stay within the call's budget.

The rules are the services' (resoc.grants.services); records are read in chunks, so a file costs
a constant number of queries whatever its length (the eligibility of rows joining a call asks the
re-entry app about each applicant when that app answers one person at a time).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resoc.core.money import MissingExchangeRate, Rates
from resoc.grants import eligibility
from resoc.grants.models import Application, Call, Grant, Visit
from resoc.grants.services import (
    APPLICANT_KINDS,
    check_budget,
    check_eligible,
    check_evaluations,
)
from resoc.imports.kinds import Column, Kind, field_column, register
from resoc.imports.parsers import Choice, Date, Integer, Number, Ref, Text
from resoc.imports.plan import CHUNK, upsert
from resoc.people.models import CustodyEpisode, Person
from resoc.registry.models import Country, ProjectCycle

D = Application.Decision
S = Grant.Status
STATUSES = [
    ("applied", gettext_lazy("Applied")),
    ("approved", gettext_lazy("Approved")),
    ("rejected", gettext_lazy("Rejected")),
    ("delivered", gettext_lazy("Delivered")),
    ("closed", gettext_lazy("Closed")),
]
DECISION_OF = {
    "applied": D.PENDING,
    "rejected": D.REJECTED,
    "approved": D.APPROVED,
    "delivered": D.APPROVED,
    "closed": D.APPROVED,
}
GRANT_STATUS_OF = {"approved": S.APPROVED, "delivered": S.DELIVERED, "closed": S.CLOSED}
GRANT_ORDER = [S.APPROVED, S.DELIVERED, S.CLOSED]
WITH_DELIVERY = ("delivered", "closed")


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _countries(person_ids) -> dict[int, int]:
    """{person id: country id of their latest custody}, one query per CHUNK people."""
    latest = {}
    for chunk in _chunks(person_ids):
        rows = (
            CustodyEpisode.objects.filter(person_id__in=chunk)
            .order_by("person_id", "admitted_on", "pk")
            .values_list("person_id", "institution__country_id")
        )
        for person_id, country_id in rows:
            latest[person_id] = country_id
    return latest


def _stored_applications(codes) -> dict[str, Application]:
    found = {}
    for chunk in _chunks(codes):
        qs = (
            Application.objects.filter(code__in=chunk)
            .select_related("grant")
            .annotate(
                complete=Count(
                    "evaluations",
                    filter=Q(
                        evaluations__declared_no_conflict=True,
                        evaluations__weighted_score__isnull=False,
                    ),
                ),
                grant_items=Count("grant__items"),
            )
        )
        found.update({a.code: a for a in qs.order_by()})
    return found


def _first_visits(grant_ids) -> dict[int, datetime.date]:
    first = {}
    for chunk in _chunks(grant_ids):
        rows = (
            Visit.objects.filter(grant_id__in=chunk)
            .values("grant_id")
            .annotate(first=Min("visited_on"))
            .values_list("grant_id", "first")
            .order_by()
        )
        first.update(rows)
    return first


def _check_grant_row(row) -> list:
    errors = []
    status, delivered_on = row["status"], row.get("delivered_on")
    if row["value"] < 0:
        errors.append(("value", _("The value cannot be negative.")))
    if status in WITH_DELIVERY and not delivered_on:
        errors.append(
            ("delivered_on", _("A %(status)s grant needs its delivery date.") % {"status": status})
        )
    if delivered_on and status not in WITH_DELIVERY:
        errors.append(
            (
                "delivered_on",
                _("Only a delivered or closed grant has a delivery date; the status is %(s)s.")
                % {"s": status},
            )
        )
    if delivered_on and delivered_on > timezone.localdate():
        errors.append(("delivered_on", _("The date cannot be in the future.")))
    return errors


def _rate_day(row, today) -> datetime.date:
    if row.get("delivered_on"):
        return row["delivered_on"]
    return min(today, row["cycle"].end)


def _apply_grants(plan, rows) -> None:
    today = timezone.localdate()
    people = {row["person"].pk for row in rows}
    countries = _countries(people)
    cycles = {row["cycle"].pk for row in rows}
    calls = {(c.cycle_id, c.country_id): c for c in Call.objects.filter(cycle_id__in=cycles)}
    stored = _stored_applications({row["code"] for row in rows})
    first_visits = _first_visits(
        [a.grant.pk for a in stored.values() if hasattr(a, "grant") and _has_grant(a)]
    )
    rates = Rates(row["currency"] for row in rows)
    plans = []
    for row in rows:
        person, cycle = row["person"], row["cycle"]
        existing = stored.get(row["code"])
        country_id = countries.get(person.pk)
        if person.kind not in APPLICANT_KINDS:
            plan.error(
                row,
                "person",
                _("%(ref)s is not a prisoner or former prisoner.") % {"ref": person.ref},
            )
        if country_id is None:
            plan.error(
                row,
                "person",
                _("No custody is recorded for %(ref)s, so the grant's country is unknown.")
                % {"ref": person.ref},
            )
            continue
        if existing is not None and existing.person_id != person.pk:
            plan.error(
                row,
                "person",
                _("The application %(code)s is of another person.") % {"code": existing.code},
            )
            continue
        call = calls.get((cycle.pk, country_id))
        if existing is not None and existing.call_id and existing.cycle_id != cycle.pk:
            plan.error(row, "cycle", _("The application answers a call; its cycle is fixed."))
            continue
        if existing is not None and existing.call_id:
            call = next((c for c in calls.values() if c.pk == existing.call_id), call)
        try:
            value_eur = rates.to_eur(row["value"], row["currency"], _rate_day(row, today))
        except MissingExchangeRate as exc:
            plan.error(row, "currency", str(exc))
            continue
        plans.append((row, existing, call, country_id, value_eur.amount_eur))
    checks = _eligibility(plans, today)
    _check_rules(plan, plans, checks, first_visits)
    _plan_records(plan, plans, checks, today)


def _has_grant(application) -> bool:
    try:
        return application.grant is not None
    except Grant.DoesNotExist:
        return False


def _eligibility(plans, today) -> dict[int, list]:
    """The checks of the rows that join a call (by row number), as of the application's date
    or, for a new one, the call's closing (today if earlier)."""
    with_call = [
        (row, call, getattr(existing, "applied_on", None) or min(today, call.closes_on))
        for row, existing, call, _c, _v in plans
        if call is not None
    ]
    results = eligibility.check_many(
        [(row["person"], call, on) for row, call, on in with_call], today=today
    )
    return {row.number: checks for (row, *_rest), checks in zip(with_call, results, strict=True)}


def _check_rules(plan, plans, checks, first_visits) -> None:
    approved_in_file = defaultdict(list)
    for row, existing, call, _country, value_eur in plans:
        decision, status = DECISION_OF[row["status"]], row["status"]
        grant = existing.grant if existing is not None and _has_grant(existing) else None
        if grant is not None:
            wanted = GRANT_STATUS_OF.get(status)
            if wanted is None:
                plan.error(
                    row,
                    "status",
                    _("%(code)s has a grant; undo the approval on its page, not by import.")
                    % {"code": existing.code},
                )
            elif GRANT_ORDER.index(wanted) < GRANT_ORDER.index(grant.status):
                plan.error(
                    row,
                    "status",
                    _("The grant is %(stored)s; it cannot go back to %(status)s.")
                    % {"stored": grant.get_status_display(), "status": status},
                )
            first = first_visits.get(grant.pk)
            if first and row.get("delivered_on") and row["delivered_on"] > first:
                plan.error(
                    row,
                    "delivered_on",
                    _("A visit on %(date)s would precede the delivery.") % {"date": first},
                )
        if call is None:
            continue
        changed = existing is None or existing.decision != decision
        row_checks = checks.get(row.number, [])
        if changed and decision != D.PENDING:
            complete = existing.complete if existing is not None else 0
            if message := check_evaluations(complete, decision=decision, checks=row_checks):
                plan.error(row, "status", message)
            if message := check_eligible(row_checks, decision=decision):
                plan.error(row, "status", message)
        if decision == D.APPROVED:
            approved_in_file[call.pk].append((row, existing, call, value_eur))
    _check_budgets(plan, approved_in_file)


def _check_budgets(plan, approved_in_file) -> None:
    """What the file approves, row after row, on top of what stays approved in each call."""
    if not approved_in_file:
        return
    in_file = {row["code"] for rows in approved_in_file.values() for row, *_rest in rows}
    totals = defaultdict(Decimal)
    stored = Application.objects.filter(
        call_id__in=list(approved_in_file), decision=D.APPROVED
    ).values_list("call_id", "code", "approved_eur")
    for call_id, code, amount in stored:
        if code not in in_file:
            totals[call_id] += amount or Decimal("0")
    for call_id, rows in approved_in_file.items():
        total = totals[call_id]
        for row, _existing, call, amount in rows:
            if message := check_budget(call, approved_elsewhere=total, amount=amount):
                plan.error(row, "value", message)
            total += amount


def _plan_records(plan, plans, checks, today) -> None:
    countries = Country.objects.in_bulk({country_id for _r, _e, _c, country_id, _v in plans})
    refs = {row["code"]: row["person"].ref for row, *_rest in plans}
    items, grant_rows = [], []
    for row, existing, call, country_id, value_eur in plans:
        decision = DECISION_OF[row["status"]]
        values = {
            "code": row["code"],
            "person": row["person"],
            "cycle": row["cycle"],
            "country": countries[country_id],
            "call": call,
            "sector": row["sector"],
            "currency": row["currency"],
            "decision": decision,
            "approved_eur": value_eur if decision == D.APPROVED else None,
        }
        if existing is None or existing.call_id is None:
            values["requested_eur"] = value_eur
        else:
            # An application made on a call keeps its items, their currency and what it asked.
            del values["currency"]
        if existing is None or existing.decision != decision:
            values["decision_reason"] = _("Imported.") if decision != D.PENDING else ""
            values["decided_on"] = row.get("delivered_on") if decision != D.PENDING else None
            values["decided_by"] = None
        if row.number in checks:
            values["eligibility"] = checks[row.number]
            values["eligibility_checked_on"] = today
        items.append((row, values))
        if row["status"] in GRANT_STATUS_OF:
            grant_rows.append(row)
    applications = upsert(
        plan,
        model=Application,
        items=items,
        key=("code",),
        person_ref=lambda values: values["person"].ref,
    )
    by_code = {key[0]: record for key, record in applications.items()}
    values_of = {row["code"]: v for row, _e, _c, _n, v in plans}
    grant_items = []
    for row in grant_rows:
        status = GRANT_STATUS_OF[row["status"]]
        grant_items.append(
            (
                row,
                {
                    "application": by_code[row["code"]],
                    "code": row["code"],
                    "status": status,
                    "value": row["value"],
                    "currency": row["currency"],
                    "value_eur": values_of[row["code"]],
                    "delivered_on": row.get("delivered_on"),
                },
            )
        )
    upsert(
        plan,
        model=Grant,
        items=grant_items,
        key=("application",),
        person_ref=lambda values: refs[values["code"]],
        primary=False,
    )


def _money_column(name, help):
    return Column(name=name, parser=Number(), required=True, help=help, empty=None)


register(
    Kind(
        name="grants",
        label=gettext_lazy("Grants"),
        columns=(
            field_column(
                Application,
                "code",
                help=gettext_lazy("Code of the application and its grant, e.g. G-2019-014."),
            ),
            Column(
                name="person",
                parser=Ref(Person, "ref", upper=True),
                required=True,
                help=gettext_lazy("Programme reference of the applicant."),
            ),
            Column(
                name="cycle",
                parser=Ref(ProjectCycle, "code"),
                required=True,
                help=gettext_lazy("Code of the project cycle."),
            ),
            field_column(Application, "sector", required=True),
            _money_column(
                "value",
                gettext_lazy("Amount asked for, and from approved on the grant's value."),
            ),
            field_column(
                Application,
                "currency",
                parser=Text(upper=True),
                required=True,
                help=gettext_lazy(
                    "ISO 4217 code, e.g. RSD; converted to EUR at the delivery date's rate."
                ),
            ),
            Column(
                name="status",
                parser=Choice(STATUSES),
                required=True,
                help=gettext_lazy("applied, approved, rejected, delivered or closed."),
            ),
            Column(
                name="delivered_on",
                parser=Date(),
                help=gettext_lazy("Day of the handover; required for delivered and closed."),
                empty=None,
            ),
        ),
        key=("code",),
        apply=_apply_grants,
        check_row=_check_grant_row,
        description=gettext_lazy(
            "Applications and in-kind grants, e.g. historical ones. A row joins the call of its "
            "cycle and the person's country if there is one, whose rules then hold: two "
            "evaluations before a decision, an eligible applicant for an approval, and the "
            "call's budget."
        ),
    )
)


# grant-visits


class YesNo:
    format = gettext_lazy("yes or no")

    def parse(self, value):
        text = str(value).strip().casefold()
        if text in ("yes", "y", "true", "1", "da", "po"):
            return True
        if text in ("no", "n", "false", "0", "ne", "jo"):
            return False
        raise ValueError(_("“%(value)s” is not allowed; use yes or no.") % {"value": value})


def _check_visit_row(row) -> list:
    errors = []
    if row["visited_on"] > timezone.localdate():
        errors.append(("visited_on", _("The date cannot be in the future.")))
    jobs = row.get("jobs")
    if jobs is not None and not 0 <= jobs <= 1000:
        errors.append(("jobs", _("Give the number of jobs created, from 0.")))
    return errors


def _apply_visits(plan, rows) -> None:
    grant_ids = {row["grant"].pk for row in rows}
    refs = {}
    for chunk in _chunks(grant_ids):
        refs.update(
            Grant.objects.filter(pk__in=chunk).values_list("pk", "application__person__ref")
        )
    items = []
    for row in rows:
        grant, visited_on = row["grant"], row["visited_on"]
        if grant.delivered_on is None:
            plan.error(
                row,
                "grant",
                _("The grant %(code)s is not delivered yet; visits come after delivery.")
                % {"code": grant.code},
            )
        elif visited_on < grant.delivered_on:
            plan.error(
                row,
                "visited_on",
                _("A visit cannot precede the delivery (%(date)s).")
                % {"date": grant.delivered_on.isoformat()},
            )
        values = {
            "grant": grant,
            "visited_on": visited_on,
            "business_active": row["business_active"],
        }
        if "jobs" in row:
            values["jobs_created"] = row["jobs"]
        if "notes" in row:
            values["notes"] = row["notes"]
        items.append((row, values))
    upsert(
        plan,
        model=Visit,
        items=items,
        key=("grant", "visited_on"),
        person_ref=lambda values: refs.get(values["grant"].pk, ""),
    )


register(
    Kind(
        name="grant-visits",
        label=gettext_lazy("Grant monitoring visits"),
        columns=(
            Column(
                name="grant",
                parser=Ref(Grant, "code"),
                required=True,
                help=gettext_lazy("Code of the grant."),
            ),
            Column(
                name="visited_on",
                parser=Date(),
                required=True,
                help=gettext_lazy("Day of the visit."),
                empty=None,
            ),
            Column(
                name="business_active",
                parser=YesNo(),
                required=True,
                help=gettext_lazy("Was the business running: yes or no."),
                empty=None,
            ),
            Column(
                name="jobs",
                parser=Integer(),
                help=gettext_lazy("Jobs the business created, besides the owner's."),
                empty=None,
            ),
            field_column(Visit, "notes"),
        ),
        key=("grant", "visited_on"),
        apply=_apply_visits,
        check_row=_check_visit_row,
        description=gettext_lazy(
            "Monitoring visits to the businesses, after delivery: one per grant and day."
        ),
    )
)
