from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from resoc.audit.services import audit_record
from resoc.core.export import xlsx_response
from resoc.people import forms, services
from resoc.people.models import Consent, Person
from resoc.people.selectors import person_current_custody, person_get_for_user, person_search

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


@login_required
def person_list(request):
    _require(request.user, "people.view_person")
    query, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    qs = person_search(user=request.user, query=query, kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    people = list(page.object_list)
    audit_record(
        "person.listed",
        actor=request.user,
        detail={"query": query, "kind": kind, "refs": [p.ref for p in people]},
    )
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "people": people,
            "active": {"q": query, "kind": kind},
            "kinds": Person.Kind.choices,
            "can_add": request.user.has_perm("people.add_person"),
        },
    )


@login_required
def person_export(request):
    _require(request.user, "people.view_person")
    query, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    people = list(person_search(user=request.user, query=query, kind=kind)[:EXPORT_LIMIT])
    audit_record(
        "person.exported",
        actor=request.user,
        detail={
            "query": query,
            "kind": kind,
            "count": len(people),
            "refs": [p.ref for p in people],
        },
    )
    header = [
        _("Reference"),
        _("Given name"),
        _("Family name"),
        _("Sex"),
        _("Birth year"),
        _("Kind"),
        _("Home municipality"),
        _("Current institution"),
    ]
    rows = (
        [
            p.ref,
            p.given_name,
            p.family_name,
            p.sex,
            p.birth_year,
            p.kind,
            p.home_municipality,
            p.current_institution_name or "",
        ]
        for p in people
    )
    return xlsx_response("persons.xlsx", _("Persons"), header, rows)


@login_required
def person_detail(request, ref):
    _require(request.user, "people.view_person")
    person = person_get_for_user(user=request.user, ref=ref)
    audit_record("person.viewed", actor=request.user, obj=person, person_ref=person.ref)
    can_change = request.user.has_perm("people.change_person", person)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "current": person_current_custody(person=person),
            "episodes": person.custody_episodes.select_related("institution", "transferred_to"),
            "positions": person.staff_positions.select_related("institution"),
            "consents": person.consents.all(),
            "can_change": can_change,
        },
    )


@login_required
def person_create(request):
    _require(request.user, "people.add_person")
    form = forms.NewPersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = _create(request.user, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Person recorded."))
            return redirect("people:detail", ref=person.ref)
    return render(request, "people/form.html", {"form": form, "title": _("New person")})


@transaction.atomic
def _create(user, form) -> Person:
    person = services.person_save(actor=user, person=form.save(commit=False))
    institution, data = form.cleaned_data.get("institution"), form.cleaned_data
    if institution and person.kind == Person.Kind.PRISONER:
        services.custody_admit(
            actor=user,
            person=person,
            institution=institution,
            admitted_on=data["admitted_on"],
            expected_release_on=data.get("expected_release_on"),
        )
    elif institution and person.kind == Person.Kind.STAFF:
        services.staff_position_save(
            actor=user,
            position=person.staff_positions.model(person=person, institution=institution),
        )
    return person


@login_required
def person_edit(request, ref):
    person = person_get_for_user(user=request.user, ref=ref)
    _require(request.user, "people.change_person", person)
    form = forms.PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_save(actor=request.user, person=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", ref=person.ref)
    return render(
        request, "people/form.html", {"form": form, "person": person, "title": _("Edit person")}
    )


def _person_action(request, ref, form_class, title, apply):
    """A small form on one person's record, applied by a service; errors stay on the form."""
    person = person_get_for_user(user=request.user, ref=ref)
    _require(request.user, "people.change_person", person)
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            apply(person, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", ref=person.ref)
    return render(request, "people/form.html", {"form": form, "person": person, "title": title})


@login_required
def custody_admit(request, ref):
    def apply(person, form):
        services.custody_admit(actor=request.user, person=person, **form.cleaned_data)

    return _person_action(request, ref, forms.AdmitForm, _("Admit to custody"), apply)


@login_required
def custody_transfer(request, ref):
    def apply(person, form):
        services.custody_transfer(actor=request.user, person=person, **form.cleaned_data)

    return _person_action(request, ref, forms.TransferForm, _("Transfer"), apply)


@login_required
def custody_release(request, ref):
    def apply(person, form):
        services.custody_release(actor=request.user, person=person, **form.cleaned_data)

    return _person_action(request, ref, forms.ReleaseForm, _("Release"), apply)


@login_required
def staff_position_add(request, ref):
    def apply(person, form):
        position = form.save(commit=False)
        position.person = person
        services.staff_position_save(actor=request.user, position=position)

    return _person_action(request, ref, forms.StaffPositionForm, _("Add staff position"), apply)


@login_required
def consent_add(request, ref):
    def apply(person, form):
        consent = form.save(commit=False)
        consent.person = person
        services.consent_save(actor=request.user, consent=consent)

    return _person_action(request, ref, forms.ConsentForm, _("Record consent"), apply)


@login_required
def consent_edit(request, ref, pk):
    """Mostly to record a withdrawal: the date from which the consent no longer holds."""
    person = person_get_for_user(user=request.user, ref=ref)
    _require(request.user, "people.change_person", person)
    consent = get_object_or_404(Consent, person=person, pk=pk)
    form = forms.ConsentForm(
        request.POST or None, request.FILES or None, instance=consent, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_save(actor=request.user, consent=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", ref=person.ref)
    title = _("Edit consent")
    return render(request, "people/form.html", {"form": form, "person": person, "title": title})


@login_required
def consent_evidence(request, ref, pk):
    person = person_get_for_user(user=request.user, ref=ref)
    _require(request.user, "people.view_person", person)
    consent = Consent.objects.filter(person=person, pk=pk).exclude(evidence="").first()
    if consent is None:
        raise Http404
    audit_record(
        "person.consent_evidence_viewed", actor=request.user, obj=consent, person_ref=person.ref
    )
    return FileResponse(consent.evidence.open("rb"), as_attachment=True)
