from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resoc.core.crud import Related, Section
from resoc.registry import forms
from resoc.registry.models import (
    Country,
    CycleFunder,
    ExchangeRate,
    Institution,
    Organisation,
    PrisonAdministration,
    ProjectCycle,
    Workshop,
)
from resoc.registry.selectors import institution_list_for_user, workshop_list_for_user
from resoc.registry.services import cycle_funders_set


def _registry_writer(user, obj=None) -> bool:
    return user.has_perm("registry.change_registry")


def _site_writer(user, obj=None) -> bool:
    return user.has_perm("registry.change_site", obj)


def _nobody(user, obj=None) -> bool:
    return False


countries = Section(
    slug="country",
    path="countries",
    model=Country,
    title=gettext_lazy("Countries"),
    columns=["code", "name"],
    form_class=forms.OrganisationForm,
    queryset=lambda user: Country.objects.all(),
    can_edit=_nobody,
    related=[
        Related(
            gettext_lazy("Institutions"),
            lambda obj, user: institution_list_for_user(user=user).filter(country=obj),
            ["code", "name", "kind", "municipality"],
        )
    ],
)

administrations = Section(
    slug="administration",
    path="administrations",
    model=PrisonAdministration,
    title=gettext_lazy("Prison administrations"),
    columns=["code", "name", "country"],
    form_class=forms.AdministrationForm,
    queryset=lambda user: PrisonAdministration.objects.select_related("country"),
    can_edit=_registry_writer,
    filters=["country__code"],
)

institutions = Section(
    slug="institution",
    path="institutions",
    model=Institution,
    title=gettext_lazy("Institutions"),
    columns=["code", "name", "country", "kind", "municipality", "capacity", "active"],
    detail_fields=[
        "code",
        "name",
        "country",
        "administration",
        "kind",
        "municipality",
        "capacity",
        "active",
    ],
    form_class=forms.InstitutionForm,
    queryset=lambda user: institution_list_for_user(user=user),
    can_edit=_site_writer,
    search_fields=["code", "name", "municipality"],
    filters=["country__code", "kind"],
    related=[
        Related(
            gettext_lazy("Workshops"),
            lambda obj, user: obj.workshops.all(),
            ["code", "name", "trade"],
        )
    ],
)

workshops = Section(
    slug="workshop",
    path="workshops",
    model=Workshop,
    title=gettext_lazy("Workshops"),
    columns=["code", "name", "trade", "institution", "institution__country"],
    form_class=forms.WorkshopForm,
    queryset=lambda user: workshop_list_for_user(user=user),
    can_edit=_site_writer,
    search_fields=["code", "name", "trade", "institution__name"],
    filters=["institution__country__code"],
    links=[(gettext_lazy("Equipment and work"), "equipment:workshop")],
)

organisations = Section(
    slug="organisation",
    path="organisations",
    model=Organisation,
    title=gettext_lazy("Organisations"),
    columns=["code", "name", "kind", "country"],
    form_class=forms.OrganisationForm,
    queryset=lambda user: Organisation.objects.select_related("country"),
    can_edit=_registry_writer,
    filters=["kind", "country__code"],
    related=[
        Related(
            gettext_lazy("Funding shares"),
            lambda obj, user: obj.fundings.select_related("cycle"),
            ["cycle", "share_percent"],
        )
    ],
)

cycles = Section(
    slug="cycle",
    path="cycles",
    model=ProjectCycle,
    title=gettext_lazy("Project cycles"),
    columns=["code", "name", "start", "end", "budget_eur", "countries"],
    form_class=forms.CycleForm,
    queryset=lambda user: ProjectCycle.objects.prefetch_related("countries"),
    can_edit=_registry_writer,
    related=[
        Related(
            gettext_lazy("Funders"),
            lambda obj, user: obj.funders.select_related("organisation"),
            ["organisation", "share_percent"],
        )
    ],
    extra_actions=[(gettext_lazy("Edit funders"), "registry:cycle_funders")],
)

exchange_rates = Section(
    slug="exchangerate",
    path="exchange-rates",
    model=ExchangeRate,
    title=gettext_lazy("Exchange rates"),
    columns=["currency", "valid_from", "units_per_eur"],
    form_class=forms.ExchangeRateForm,
    queryset=lambda user: ExchangeRate.objects.all(),
    can_edit=_registry_writer,
    lookup="pk",
    search_fields=["currency"],
    filters=["currency"],
)

SECTIONS = [
    countries,
    administrations,
    institutions,
    workshops,
    organisations,
    cycles,
    exchange_rates,
]


@login_required
def cycle_funders(request, key):
    cycle = cycles.get(request.user, key)
    if not _registry_writer(request.user):
        raise PermissionDenied
    initial = [
        {"organisation": f.organisation.code, "share_percent": f.share_percent}
        for f in CycleFunder.objects.filter(cycle=cycle).select_related("organisation")
    ]
    formset = forms.FunderFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        shares = {}
        for form in formset:
            data = form.cleaned_data
            if data and not data.get("DELETE") and data.get("organisation"):
                shares[data["organisation"]] = data["share_percent"]
        try:
            cycle_funders_set(actor=request.user, cycle=cycle, shares=shares)
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, _("Funders saved."))
            return redirect(cycles.url("detail", cycle))
    return render(
        request,
        "registry/cycle_funders.html",
        {"cycle": cycle, "formset": formset},
    )
