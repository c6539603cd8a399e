"""Pages of work: assignments per workshop, monthly records, production and sales."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.audit.services import audit_record
from resoc.people.selectors import person_get_for_user
from resoc.registry.selectors import workshop_get_for_user, workshop_list_for_user
from resoc.reporting import disclosure
from resoc.work import forms, services
from resoc.work.models import ProductionRecord, WorkAssignment
from resoc.work.months import add_months, month_parse, month_start
from resoc.work.selectors import (
    active_in_month_q,
    assignment_get_for_user,
    assignment_list_for_user,
    production_get_for_user,
    production_list_for_user,
    sales_by_buyer,
    work_month_list_for_user,
)

PAGE_SIZE = 50


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _month_arg(text: str) -> datetime.date:
    try:
        return month_parse(text)
    except ValueError:
        return month_start(timezone.localdate())


@login_required
def index(request):
    """The workshops in the user's scope, with this month's workers (a count) and links."""
    _require(request.user, "work.view_production")
    month = month_start(timezone.localdate())
    active = active_in_month_q(month, prefix="work_assignments__")
    qs = workshop_list_for_user(user=request.user).annotate(
        workers=Count("work_assignments__person", filter=active, distinct=True)
    )
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(
            Q(code__icontains=query)
            | Q(name__icontains=query)
            | Q(institution__name__icontains=query)
        )
    qs = qs.order_by("institution__name", "name", "code")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_see_people = request.user.has_perm("work.view_work")
    for workshop in page.object_list:
        # Donors and procurement officers see counts of people as aggregates: small ones hidden.
        workshop.workers_shown = (
            workshop.workers if can_see_people else disclosure.small_count(workshop.workers)
        )
    return render(
        request,
        "work/index.html",
        {
            "page": page,
            "workshops": page.object_list,
            "month": month,
            "active": {"q": query},
            "can_see_people": can_see_people,
        },
    )


# Assignments


@login_required
def assignments(request, code):
    _require(request.user, "work.view_work")
    workshop = workshop_get_for_user(user=request.user, code=code)
    show_all = request.GET.get("show") == "all"
    qs = assignment_list_for_user(user=request.user).filter(workshop=workshop)
    if not show_all:
        qs = qs.filter(Q(end__isnull=True) | Q(end__gte=timezone.localdate()))
    qs = qs.order_by("person__family_name", "person__given_name", "person__ref", "-start")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    audit_record(
        "work.assignment.listed",
        actor=request.user,
        obj=workshop,
        detail={"all": show_all, "refs": [a.person.ref for a in rows]},
    )
    return render(
        request,
        "work/assignments.html",
        {
            "workshop": workshop,
            "page": page,
            "assignments": rows,
            "show_all": show_all,
            "active": {"show": "all"} if show_all else {},
            "can_change": request.user.has_perm("work.change_work", workshop),
        },
    )


@login_required
def assignment_create(request, code):
    workshop = workshop_get_for_user(user=request.user, code=code)
    _require(request.user, "work.change_work", workshop)
    form = forms.AssignmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        assignment = form.save(commit=False)
        assignment.person, assignment.workshop = form.person, workshop
        try:
            services.assignment_save(actor=request.user, assignment=assignment)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Assignment recorded."))
            return redirect("work:assignments", code=workshop.code)
    title = _("New work assignment")
    return render(request, "work/form.html", {"form": form, "workshop": workshop, "title": title})


@login_required
def assignment_end(request, pk):
    assignment = assignment_get_for_user(user=request.user, pk=pk)
    _require(request.user, "work.change_work", assignment.workshop)
    form = forms.AssignmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_end(
                actor=request.user,
                assignment=assignment,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Assignment ended."))
            return redirect("work:assignments", code=assignment.workshop.code)
    title = _("End the assignment of %(person)s") % {"person": assignment.person}
    return render(
        request,
        "work/form.html",
        {"form": form, "workshop": assignment.workshop, "title": title},
    )


@login_required
def person_work(request, ref):
    _require(request.user, "work.view_work")
    person = person_get_for_user(user=request.user, ref=ref)
    assignments_ = list(assignment_list_for_user(user=request.user).filter(person=person))
    months = list(work_month_list_for_user(user=request.user).filter(person=person)[:120])
    audit_record("work.person.viewed", actor=request.user, obj=person, person_ref=person.ref)
    return render(
        request,
        "work/person.html",
        {"person": person, "assignments": assignments_, "months": months},
    )


# Monthly records


@login_required
def months_current(request, code):
    month = _month_arg(request.GET.get("month", ""))
    return redirect("work:months", code=code, month=month.strftime("%Y-%m"))


def _workers(user, workshop, month) -> list[WorkAssignment]:
    """One assignment per person active in the month (the latest)."""
    qs = (
        assignment_list_for_user(user=user)
        .filter(active_in_month_q(month), workshop=workshop)
        .order_by("person__family_name", "person__given_name", "person__ref", "-start")
    )
    seen, workers = set(), []
    for assignment in qs:
        if assignment.person_id not in seen:
            seen.add(assignment.person_id)
            workers.append(assignment)
    return workers


def _save_months(user, workshop, month, rows) -> tuple[bool, list]:
    """Save the posted rows all or nothing; errors go on the rows, or are returned."""
    valid = [row["form"].is_valid() for row in rows]  # every row, so each shows its errors
    if not all(valid):
        return False, []
    entries = [
        services.MonthEntry(person=row["person"], **row["form"].cleaned_data) for row in rows
    ]
    try:
        services.work_months_save(actor=user, workshop=workshop, month=month, entries=entries)
    except ValidationError as exc:
        by_ref = getattr(exc, "error_dict", {})
        for row in rows:
            for error in by_ref.get(row["person"].ref, []):
                row["form"].add_error(None, error)
        return False, [] if by_ref else exc.messages
    return True, []


@login_required
def months(request, code, month):
    _require(request.user, "work.view_work")
    workshop = workshop_get_for_user(user=request.user, code=code)
    month = _month_arg(month)
    can_change = request.user.has_perm("work.change_work", workshop)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    workers = _workers(request.user, workshop, month)
    stored = {
        r.person_id: r
        for r in work_month_list_for_user(user=request.user).filter(workshop=workshop, month=month)
    }
    currency = forms.default_currency(workshop)
    rows = []
    for assignment in workers:
        record = stored.get(assignment.person_id)
        initial = (
            {"hours": record.hours, "pay": record.pay, "currency": record.currency}
            if record
            else {"currency": currency}
        )
        form = forms.MonthEntryForm(
            request.POST if request.method == "POST" else None,
            prefix=assignment.person.ref,
            initial=initial,
        )
        rows.append(
            {"assignment": assignment, "person": assignment.person, "form": form, "record": record}
        )
    errors = []
    if request.method == "POST":
        saved, errors = _save_months(request.user, workshop, month, rows)
        if saved:
            messages.success(request, _("Monthly records saved."))
            return redirect("work:months", code=workshop.code, month=month.strftime("%Y-%m"))
    audit_record(
        "work.workmonth.listed",
        actor=request.user,
        obj=workshop,
        detail={"month": month, "refs": [row["person"].ref for row in rows]},
    )
    totals = {
        "hours": sum((r["record"].hours for r in rows if r["record"]), 0),
        "pay_eur": sum((r["record"].pay_eur or 0 for r in rows if r["record"]), 0),
    }
    return render(
        request,
        "work/months.html",
        {
            "workshop": workshop,
            "month": month,
            "previous": add_months(month, -1),
            "next": add_months(month, 1),
            "rows": rows,
            "errors": errors,
            "totals": totals,
            "can_change": can_change,
            "max_hours": services.max_hours(),
        },
    )


# Production and sales


@login_required
def production(request, code):
    _require(request.user, "work.view_production")
    workshop = workshop_get_for_user(user=request.user, code=code)
    qs = production_list_for_user(user=request.user).filter(workshop=workshop)
    period = forms.PeriodForm(request.GET or None)
    first = last = None
    if period.is_valid():
        first, last = period.cleaned_data["first"], period.cleaned_data["last"]
        if first:
            qs = qs.filter(month__gte=first)
        if last:
            qs = qs.filter(month__lte=last)
    totals = qs.aggregate(value_eur=Sum("value_eur"), records=Count("pk"))
    page = Paginator(qs.order_by("-month", "product", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "work/production.html",
        {
            "workshop": workshop,
            "page": page,
            "records": page.object_list,
            "period": period,
            "totals": totals,
            "active": {k: v for k, v in request.GET.items() if k in ("first", "last") and v},
            "can_change": request.user.has_perm("work.change_production", workshop),
        },
    )


def _production_form(request, workshop, record):
    _require(request.user, "work.change_production", workshop)
    form = forms.ProductionForm(
        request.POST or None,
        instance=record,
        user=request.user,
        initial=None if record.pk else {"currency": forms.default_currency(workshop)},
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.workshop = workshop
        try:
            services.production_save(actor=request.user, record=saved)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Production recorded."))
            return redirect("work:production", code=workshop.code)
    title = _("Edit production record") if record.pk else _("New production record")
    return render(request, "work/form.html", {"form": form, "workshop": workshop, "title": title})


@login_required
def production_create(request, code):
    workshop = workshop_get_for_user(user=request.user, code=code)
    return _production_form(request, workshop, ProductionRecord(workshop=workshop))


@login_required
def production_edit(request, pk):
    record = production_get_for_user(user=request.user, pk=pk)
    return _production_form(request, record.workshop, record)


@login_required
def sales(request):
    """What each buyer bought from the user's workshops; one buyer's purchases when chosen."""
    _require(request.user, "work.view_production")
    period = forms.PeriodForm(request.GET or None)
    first = last = None
    if period.is_valid():
        first, last = period.cleaned_data["first"], period.cleaned_data["last"]
    summary = sales_by_buyer(user=request.user, first=first, last=last)
    buyer = request.GET.get("buyer", "").strip()
    purchases = None
    if buyer:
        qs = production_list_for_user(user=request.user).filter(buyer__code=buyer)
        if first:
            qs = qs.filter(month__gte=first)
        if last:
            qs = qs.filter(month__lte=last)
        purchases = Paginator(qs.order_by("-month", "workshop__code", "product"), PAGE_SIZE)
        purchases = purchases.get_page(request.GET.get("page"))
    return render(
        request,
        "work/sales.html",
        {
            "summary": summary,
            "period": period,
            "buyer": buyer,
            "purchases": purchases,
            "page": purchases,
            "active": {
                k: v for k, v in request.GET.items() if k in ("first", "last", "buyer") and v
            },
            "total": sum((row["value_eur"] for row in summary), 0),
        },
    )
