"""Grant pages: calls with their ranked applications, applications and their evaluation, grants
with items, delivery and visits, the visits worklist and business survival."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resoc.audit.services import audit_record
from resoc.grants import eligibility, forms, roles, services
from resoc.grants.dates import MARKS, mark_date
from resoc.grants.models import Application, ApplicationItem, Grant, Sector, Visit
from resoc.grants.selectors import (
    SURVIVAL_GROUPS,
    application_get_for_user,
    awaiting_my_evaluation,
    call_get_for_user,
    call_list_for_user,
    call_ranking,
    evaluations_of,
    grant_get_for_user,
    grant_list_for_user,
    grant_survival,
    grant_survival_by,
    visit_get_for_user,
    visits_due,
    with_last_visit,
)
from resoc.registry.models import Country, ProjectCycle

PAGE_SIZE = 50


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _url(name, *args) -> str:
    return reverse(name, args=args)


def _reader(request):
    _require(request.user, "grants.view_grants")


def add_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: on the field it names if the form has it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = name if name in form.fields else None
        if name not in (NON_FIELD_ERRORS, None) and target is None:
            errors = [ValidationError(m) for e in errors for m in e.messages]
        form.add_error(target, errors)


def _form_page(request, form, title, apply, done, *, template="grants/form.html", **ctx):
    """Run `apply(form)` on a valid POST and go to `done()`; otherwise show the form."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                apply(form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(done())
    return render(request, template, {"form": form, "title": title, **ctx})


# Index and calls


@login_required
def index(request):
    _reader(request)
    calls = list(call_list_for_user(user=request.user).order_by("-opens_on", "code"))
    waiting = awaiting_my_evaluation(user=request.user)
    if waiting:
        audit_record(
            "grants.application.listed",
            actor=request.user,
            detail={"list": "awaiting evaluation", "refs": [a.person.ref for a in waiting]},
        )
    return render(
        request,
        "grants/index.html",
        {
            "calls": calls,
            "waiting": waiting,
            "today": timezone.localdate(),
            "can_create": request.user.has_perm("grants.add_call"),
        },
    )


@login_required
def call_create(request):
    _reader(request)
    _require(request.user, "grants.add_call")
    form = forms.CallForm(request.POST or None, user=request.user)
    saved = {}

    def apply(form):
        call = form.save(commit=False)
        _require(request.user, "grants.change_grants", call)
        saved["call"] = services.call_save(
            actor=request.user, call=call, committee=form.cleaned_data["committee"]
        )

    return _form_page(
        request,
        form,
        _("New call for grant applications"),
        apply,
        lambda: _url("grants:call_criteria", saved["call"].code),
    )


@login_required
def call_detail(request, code):
    _reader(request)
    call = call_get_for_user(user=request.user, code=code)
    ranking = call_ranking(user=request.user, call=call)
    audit_record(
        "grants.application.listed",
        actor=request.user,
        obj=call,
        detail={"refs": [a.person.ref for a in ranking]},
    )
    today = timezone.localdate()
    return render(
        request,
        "grants/call_detail.html",
        {
            "call": call,
            "criteria": list(call.criteria.order_by("number")),
            "committee": list(call.committee.order_by("username")),
            "ranking": ranking,
            "remaining": call.budget_eur - call.approved_total,
            "is_open": call.opens_on <= today <= call.closes_on,
            "can_change": request.user.has_perm("grants.change_grants", call),
            "on_committee": call.committee.filter(pk=request.user.pk).exists(),
        },
    )


@login_required
def call_edit(request, code):
    _reader(request)
    call = call_get_for_user(user=request.user, code=code)
    _require(request.user, "grants.change_grants", call)
    form = forms.CallForm(request.POST or None, instance=call, user=request.user)

    def apply(form):
        changed = form.save(commit=False)
        _require(request.user, "grants.change_grants", changed)
        services.call_save(
            actor=request.user, call=changed, committee=form.cleaned_data["committee"]
        )

    return _form_page(
        request,
        form,
        _("Edit call %(code)s") % {"code": call.code},
        apply,
        lambda: _url("grants:call_detail", call.code),
        call=call,
    )


@login_required
def call_criteria(request, code):
    _reader(request)
    call = call_get_for_user(user=request.user, code=code)
    _require(request.user, "grants.change_grants", call)
    initial = [{"name": c.name, "weight": c.weight} for c in call.criteria.order_by("number")]
    formset = forms.CriteriaFormSet(request.POST or None, initial=initial, prefix="criteria")
    errors = []
    if request.method == "POST" and formset.is_valid():
        rows = [
            (f.cleaned_data["name"], f.cleaned_data["weight"])
            for f in formset.forms
            if f.cleaned_data.get("name")
        ]
        try:
            services.criteria_set(actor=request.user, call=call, criteria=rows)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Criteria saved."))
            return redirect("grants:call_detail", code=call.code)
    return render(
        request,
        "grants/criteria.html",
        {"call": call, "formset": formset, "errors": errors, "title": _("Criteria and weights")},
    )


# Applications


def _items_from(formset) -> list[ApplicationItem]:
    return [
        ApplicationItem(
            description=f.cleaned_data["description"],
            quantity=f.cleaned_data["quantity"],
            unit_cost=f.cleaned_data["unit_cost"],
        )
        for f in formset.forms
        if f.cleaned_data.get("description")
    ]


def _application_form(request, call, application):
    form = forms.ApplicationForm(
        request.POST or None, request.FILES or None, instance=application, user=request.user
    )
    initial = []
    if application.pk:
        initial = [
            {"description": i.description, "quantity": i.quantity, "unit_cost": i.unit_cost}
            for i in application.items.all()
        ]
    items = forms.ItemFormSet(request.POST or None, initial=initial, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        try:
            with transaction.atomic():
                saved = form.save(commit=False)
                saved.call, saved.person = call, form.person
                services.application_save(
                    actor=request.user, application=saved, items=_items_from(items)
                )
                if form.cleaned_data.get("business_plan"):
                    services.application_plan_upload(
                        actor=request.user,
                        application=saved,
                        upload=form.cleaned_data["business_plan"],
                    )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Application saved."))
            return redirect("grants:application_detail", code=saved.code)
    title = _("Edit application") if application.pk else _("New application")
    return render(
        request,
        "grants/application_form.html",
        {"form": form, "items": items, "call": call, "title": title, "application": application},
    )


@login_required
def application_create(request, code):
    _reader(request)
    call = call_get_for_user(user=request.user, code=code)
    _require(request.user, "grants.change_grants", call)
    currency = {"RS": "RSD", "BA": "BAM", "AL": "ALL"}.get(call.country.code, "EUR")
    return _application_form(request, call, Application(call=call, currency=currency))


def _application(request, code) -> Application:
    _reader(request)
    return application_get_for_user(user=request.user, code=code)


@login_required
def application_edit(request, code):
    application = _application(request, code)
    _require(request.user, "grants.change_grants", application)
    if application.call is None:
        raise Http404
    return _application_form(request, application.call, application)


def _checks_view(checks):
    names, states = eligibility.labels(), eligibility.status_labels()
    return [
        {**c, "label": names.get(c["key"], c["key"]), "status_label": states.get(c["status"])}
        for c in checks
    ]


@login_required
def application_detail(request, code):
    application = _application(request, code)
    checks = eligibility.check_many(
        [(application.person, application.call, application.applied_on)],
        today=timezone.localdate(),
    )[0]
    evaluations = evaluations_of(application)
    criteria = list(application.call.criteria.order_by("number")) if application.call else []
    mine = next((e for e in evaluations if e.evaluator_id == request.user.pk), None)
    complete = [e for e in evaluations if e.complete]
    average = sum(e.weighted_score for e in complete) / len(complete) if complete else None
    grant = Grant.objects.filter(application=application).first()
    audit_record(
        "grants.application.viewed",
        actor=request.user,
        obj=application,
        person_ref=application.person.ref,
    )
    can_change = request.user.has_perm("grants.change_grants", application)
    undecided = application.decision in (Application.Decision.PENDING, "waitlisted")
    return render(
        request,
        "grants/application_detail.html",
        {
            "application": application,
            "items": list(application.items.all()),
            "checks": _checks_view(checks),
            "overall": eligibility.overall(checks),
            "evaluations": evaluations,
            "score_rows": _score_rows(evaluations, criteria),
            "criteria": criteria,
            "mine": mine,
            "average": average,
            "complete_count": len(complete),
            "min_evaluations": services.MIN_EVALUATIONS,
            "grant": grant,
            "can_change": can_change,
            "can_evaluate": undecided and request.user.has_perm("grants.evaluate", application),
            "undecided": undecided,
        },
    )


def _score_rows(evaluations, criteria):
    """[(criterion, [score or None per evaluation])] for the table of scores."""
    by_evaluation = {e.pk: {s.criterion_id: s.score for s in e.scores.all()} for e in evaluations}
    return [(c, [by_evaluation[e.pk].get(c.pk) for e in evaluations]) for c in criteria]


@login_required
def application_plan(request, code):
    application = _application(request, code)
    if not application.business_plan:
        raise Http404
    audit_record(
        "grants.application.business_plan_downloaded",
        actor=request.user,
        obj=application,
        person_ref=application.person.ref,
    )
    return FileResponse(application.business_plan.open("rb"), as_attachment=True)


@login_required
@require_POST
def application_recheck(request, code):
    application = _application(request, code)
    _require(request.user, "grants.change_grants", application)
    services.application_check(actor=request.user, application=application)
    messages.success(request, _("Eligibility checked again."))
    return redirect("grants:application_detail", code=application.code)


def _evaluator_application(request, code) -> Application:
    application = _application(request, code)
    _require(request.user, "grants.evaluate", application)
    return application


@login_required
def declaration(request, code):
    application = _evaluator_application(request, code)
    form = forms.DeclarationForm(request.POST or None)

    def apply(form):
        services.evaluation_declare(
            actor=request.user,
            application=application,
            no_conflict=form.cleaned_data["declaration"] == form.NO_CONFLICT,
            notes=form.cleaned_data["notes"],
        )

    def done():
        return _url("grants:score", application.code)

    return _form_page(
        request,
        form,
        _("Conflict-of-interest declaration"),
        apply,
        done,
        template="grants/declaration.html",
        application=application,
    )


@login_required
def score(request, code):
    application = _evaluator_application(request, code)
    mine = application.evaluations.filter(evaluator=request.user).first()
    if mine is None:
        return redirect("grants:declaration", code=application.code)
    if not mine.declared_no_conflict:
        messages.error(request, _("You declared a conflict of interest; you do not score."))
        return redirect("grants:application_detail", code=application.code)
    criteria = list(application.call.criteria.order_by("number"))
    current = {s.criterion_id: s.score for s in mine.scores.all()}
    form = forms.ScoreForm(
        request.POST or None,
        criteria=criteria,
        initial_scores=current,
        initial={"notes": mine.notes},
    )

    def apply(form):
        services.evaluation_score(
            actor=request.user,
            application=application,
            scores=form.scores(),
            notes=form.cleaned_data["notes"],
        )

    return _form_page(
        request,
        form,
        _("Score application %(code)s") % {"code": application.code},
        apply,
        lambda: _url("grants:application_detail", application.code),
        application=application,
    )


@login_required
def decide(request, code):
    application = _application(request, code)
    _require(request.user, "grants.change_grants", application)
    form = forms.DecisionForm(
        request.POST or None, initial={"approved_eur": application.requested_eur}
    )

    def apply(form):
        data = form.cleaned_data
        services.application_decide(
            actor=request.user,
            application=application,
            decision=data["decision"],
            reason=data["reason"],
            approved_eur=data["approved_eur"],
            on=data["decided_on"],
        )

    def done():
        application.refresh_from_db()
        if application.decision == Application.Decision.APPROVED:
            return _url("grants:grant_detail", application.code)
        return _url("grants:application_detail", application.code)

    return _form_page(
        request,
        form,
        _("Decision on application %(code)s") % {"code": application.code},
        apply,
        done,
        application=application,
    )


# Grants


GRANT_FILTERS = ("status", "sector", "country", "cycle", "q")


@login_required
def grant_list(request):
    _reader(request)
    active = {k: request.GET.get(k, "").strip() for k in GRANT_FILTERS}
    qs = with_last_visit(grant_list_for_user(user=request.user))
    if active["status"]:
        qs = qs.filter(status=active["status"])
    if active["sector"]:
        qs = qs.filter(application__sector=active["sector"])
    if active["country"]:
        qs = qs.filter(application__country__code=active["country"])
    if active["cycle"]:
        qs = qs.filter(application__cycle__code=active["cycle"])
    if active["q"]:
        query = active["q"]
        qs = qs.filter(Q(code__icontains=query) | Q(application__person__ref__istartswith=query))
    qs = qs.order_by("-delivered_on", "code")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    grants = list(page.object_list)
    audit_record(
        "grants.grant.listed",
        actor=request.user,
        detail={
            "filters": {k: v for k, v in active.items() if v},
            "refs": [g.application.person.ref for g in grants],
        },
    )
    return render(
        request,
        "grants/grant_list.html",
        {
            "page": page,
            "grants": grants,
            "active": {k: v for k, v in active.items() if v},
            "current": active,
            "statuses": Grant.Status.choices,
            "sectors": Sector.choices,
            "countries": _countries_of(request.user),
            "cycles": ProjectCycle.objects.order_by("-start").values_list("code", flat=True),
        },
    )


def _countries_of(user):
    countries = Country.objects.filter(grant_applications__isnull=False).distinct()
    if user.role in roles.BY_COUNTRY:
        countries = countries.filter(pk__in=user.countries.values("pk"))
    return countries.order_by("name")


def _grant(request, code) -> Grant:
    _reader(request)
    return grant_get_for_user(user=request.user, code=code)


@login_required
def grant_detail(request, code):
    grant = _grant(request, code)
    application = grant.application
    items = list(grant.items.select_related("supplier", "purchase_order"))
    visits = list(grant.visits.select_related("visited_by").prefetch_related("photos"))
    today = timezone.localdate()
    marks = []
    if grant.delivered_on:
        for months in MARKS:
            on = mark_date(grant.delivered_on, months)
            done = next((v for v in reversed(visits) if v.visited_on >= on), None)
            marks.append({"months": months, "on": on, "visit": done, "past": on <= today})
    audit_record(
        "grants.grant.viewed", actor=request.user, obj=grant, person_ref=application.person.ref
    )
    return render(
        request,
        "grants/grant_detail.html",
        {
            "grant": grant,
            "application": application,
            "items": items,
            "spent": sum((i.value_eur for i in items), 0),
            "visits": visits,
            "marks": marks,
            "can_change": request.user.has_perm("grants.change_grants", grant),
        },
    )


def _grant_writer(request, code) -> Grant:
    grant = _grant(request, code)
    _require(request.user, "grants.change_grants", grant)
    return grant


@login_required
def grant_item_add(request, code):
    grant = _grant_writer(request, code)
    form = forms.GrantItemForm(request.POST or None, user=request.user)

    def apply(form):
        services.grant_item_add(actor=request.user, grant=grant, item=form.save(commit=False))

    return _form_page(
        request,
        form,
        _("Item bought for grant %(code)s") % {"code": grant.code},
        apply,
        lambda: _url("grants:grant_detail", grant.code),
        grant=grant,
    )


@login_required
def grant_deliver(request, code):
    grant = _grant_writer(request, code)
    form = forms.DeliveryForm(request.POST or None, request.FILES or None)

    def apply(form):
        services.grant_deliver(actor=request.user, grant=grant, **form.cleaned_data)

    return _form_page(
        request,
        form,
        _("Delivery of grant %(code)s") % {"code": grant.code},
        apply,
        lambda: _url("grants:grant_detail", grant.code),
        grant=grant,
    )


@login_required
def grant_ownership(request, code):
    grant = _grant_writer(request, code)
    form = forms.OwnershipForm(request.POST or None, initial={"ownership_on": grant.ownership_on})

    def apply(form):
        services.grant_ownership_set(
            actor=request.user, grant=grant, ownership_on=form.cleaned_data["ownership_on"]
        )

    return _form_page(
        request,
        form,
        _("Ownership of grant %(code)s") % {"code": grant.code},
        apply,
        lambda: _url("grants:grant_detail", grant.code),
        grant=grant,
    )


@login_required
def grant_close(request, code):
    grant = _grant_writer(request, code)
    form = forms.CloseForm(request.POST or None)

    def apply(form):
        services.grant_close(actor=request.user, grant=grant, **form.cleaned_data)

    return _form_page(
        request,
        form,
        _("Close grant %(code)s") % {"code": grant.code},
        apply,
        lambda: _url("grants:grant_detail", grant.code),
        grant=grant,
    )


@login_required
def handover(request, code):
    grant = _grant(request, code)
    if not grant.handover:
        raise Http404
    audit_record(
        "grants.grant.handover_downloaded",
        actor=request.user,
        obj=grant,
        person_ref=grant.application.person.ref,
    )
    return FileResponse(grant.handover.open("rb"), as_attachment=True)


# Visits


def _visit_form(request, grant, visit):
    form = forms.VisitForm(
        request.POST or None, request.FILES or None, instance=visit, user=request.user
    )

    def apply(form):
        saved = form.save(commit=False)
        saved.grant = grant
        services.visit_save(actor=request.user, visit=saved)
        if form.cleaned_data.get("photo"):
            services.visit_photo_add(
                actor=request.user, visit=saved, upload=form.cleaned_data["photo"]
            )

    title = _("Edit visit") if visit.pk else _("Monitoring visit")
    return _form_page(
        request,
        form,
        f"{title} · {grant.code}",
        apply,
        lambda: _url("grants:grant_detail", grant.code),
        grant=grant,
    )


@login_required
def visit_create(request, code):
    grant = _grant_writer(request, code)
    return _visit_form(request, grant, Visit(grant=grant))


def _visit_writer(request, pk) -> Visit:
    _reader(request)
    visit = visit_get_for_user(user=request.user, pk=pk)
    _require(request.user, "grants.change_grants", visit.grant.application)
    return visit


@login_required
def visit_edit(request, pk):
    visit = _visit_writer(request, pk)
    return _visit_form(request, visit.grant, visit)


@login_required
def photo_add(request, pk):
    visit = _visit_writer(request, pk)
    form = forms.PhotoForm(request.POST or None, request.FILES or None)

    def apply(form):
        services.visit_photo_add(actor=request.user, visit=visit, upload=form.cleaned_data["file"])

    return _form_page(
        request,
        form,
        _("Photo of the visit on %(date)s") % {"date": visit.visited_on.isoformat()},
        apply,
        lambda: _url("grants:grant_detail", visit.grant.code),
        grant=visit.grant,
    )


@login_required
def photo_download(request, pk, photo):
    _reader(request)
    visit = visit_get_for_user(user=request.user, pk=pk)
    record = visit.photos.filter(pk=photo).first()
    if record is None:
        raise Http404
    audit_record(
        "grants.visitphoto.downloaded",
        actor=request.user,
        obj=record,
        person_ref=visit.grant.application.person.ref,
    )
    return FileResponse(record.file.open("rb"), as_attachment=True)


@login_required
def worklist(request):
    _reader(request)
    today = timezone.localdate()
    due = visits_due(user=request.user, today=today)
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    audit_record(
        "grants.visit.worklist_listed",
        actor=request.user,
        detail={"refs": [d.grant.application.person.ref for d in rows]},
    )
    return render(
        request,
        "grants/worklist.html",
        {
            "page": page,
            "rows": [(d, d.overdue(today)) for d in rows],
            "total": len(due),
            "overdue": sum(1 for d in due if d.overdue(today)),
            "today": today,
            "active": {},
        },
    )


# Survival


@login_required
def survival(request):
    _reader(request)
    as_of = timezone.localdate()
    qs = grant_list_for_user(user=request.user)
    figures = []
    for months in (12, 24):
        figures.append(
            {
                "months": months,
                "overall": grant_survival(qs=qs, as_of=as_of, months=months),
                "groups": [
                    (group, grant_survival_by(qs=qs, as_of=as_of, months=months, group=group))
                    for group in SURVIVAL_GROUPS
                ],
            }
        )
    sector_names = dict(Sector.choices)
    for figure in figures:
        for group, rows in figure["groups"]:
            for row in rows:
                if group == "sector":
                    row["name"] = sector_names.get(row["key"], row["key"])
                elif group == "call" and row["key"] is None:
                    row["name"] = _("Without a call (historical)")
    return render(
        request,
        "grants/survival.html",
        {
            "figures": figures,
            "as_of": as_of,
            "group_titles": {
                "call": _("By call"),
                "sector": _("By sector"),
                "country": _("By country"),
            },
        },
    )
