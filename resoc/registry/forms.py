from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from resoc.accounts import roles
from resoc.core.forms import UserModelForm
from resoc.registry.models import (
    Country,
    ExchangeRate,
    Institution,
    Organisation,
    PrisonAdministration,
    ProjectCycle,
    Workshop,
)
from resoc.registry.selectors import institution_list_for_user


class AdministrationForm(UserModelForm):
    class Meta:
        model = PrisonAdministration
        fields = ["code", "name", "country"]


class InstitutionForm(UserModelForm):
    class Meta:
        model = Institution
        fields = [
            "code",
            "name",
            "country",
            "administration",
            "kind",
            "municipality",
            "capacity",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not roles.has_role(self.user, roles.REGISTRY_WRITERS):
            # A coordinator keeps the institutions of their own countries only.
            self.fields["country"].queryset = self.user.countries.all()
        self.fields["administration"].queryset = PrisonAdministration.objects.select_related(
            "country"
        )


class WorkshopForm(UserModelForm):
    class Meta:
        model = Workshop
        fields = ["code", "institution", "name", "trade"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institution_list_for_user(user=self.user)


class OrganisationForm(UserModelForm):
    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "country"]


class CycleForm(UserModelForm):
    class Meta:
        model = ProjectCycle
        fields = ["code", "name", "start", "end", "budget_eur", "countries"]
        widgets = {"countries": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].queryset = Country.objects.all()


class ExchangeRateForm(UserModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "valid_from", "units_per_eur"]
        help_texts = {"units_per_eur": _("How many units of the currency buy one euro.")}


class FunderShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Funder"),
        queryset=Organisation.objects.all(),
        to_field_name="code",
    )
    share_percent = forms.DecimalField(
        label=_("Share (%)"), min_value=Decimal("0.01"), max_value=Decimal("100"), decimal_places=2
    )


FunderFormSet = forms.formset_factory(FunderShareForm, extra=3, can_delete=True)
