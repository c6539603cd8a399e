from django import forms
from django.utils.translation import gettext_lazy as _

from resoc.core.forms import DateInput, UserModelForm
from resoc.people.selectors import person_list_for_user
from resoc.registry.models import currency_code
from resoc.work.models import ProductionRecord, WorkAssignment
from resoc.work.months import month_parse
from resoc.work.selectors import buyer_list

# The currency a workshop's pay and sales are usually in, by country.
CURRENCY_BY_COUNTRY = {"RS": "RSD", "BA": "BAM", "AL": "ALL"}


def default_currency(workshop) -> str:
    return CURRENCY_BY_COUNTRY.get(workshop.institution.country.code, "EUR")


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.Field):
    """A month typed as YYYY-MM, cleaned to its first day."""

    widget = MonthInput

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return month_parse(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        super().__init__(validators=[currency_code], **kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class AssignmentForm(UserModelForm):
    person_ref = forms.CharField(
        label=_("Person"),
        max_length=40,
        help_text=_("Programme reference of a person in custody at this institution."),
    )

    class Meta:
        model = WorkAssignment
        fields = ["start", "end", "role", "hours_per_week", "notes"]

    field_order = ["person_ref", "start", "end", "role", "hours_per_week", "notes"]

    def clean_person_ref(self):
        ref = self.cleaned_data["person_ref"].strip().upper()
        person = person_list_for_user(user=self.user).filter(ref=ref).first()
        if person is None:
            raise forms.ValidationError(_("There is nobody with this reference in your scope."))
        self.person = person
        return ref


class AssignmentEndForm(forms.Form):
    on = forms.DateField(label=_("Last day of work"), widget=DateInput())
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=WorkAssignment.EndReason.choices,
        initial=WorkAssignment.EndReason.COMPLETED,
    )


class MonthEntryForm(forms.Form):
    """One worker's row of the monthly records form; the person comes from the server."""

    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"aria-label": _("Hours")}),
    )
    pay = forms.DecimalField(
        label=_("Pay"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"aria-label": _("Pay")}),
    )
    currency = CurrencyField(
        label=_("Currency"),
        required=False,
        widget=forms.TextInput(attrs={"aria-label": _("Currency"), "size": 4}),
    )

    def clean(self):
        data = super().clean()
        hours, pay = data.get("hours"), data.get("pay")
        if (hours is None) != (pay is None):
            raise forms.ValidationError(_("Give both the hours and the pay, or neither."))
        if hours is not None and not data.get("currency"):
            self.add_error("currency", _("Give the currency of the pay."))
        return data


class ProductionForm(UserModelForm):
    month = MonthField(label=_("Month"))
    currency = CurrencyField(label=_("Currency"), required=False)

    class Meta:
        model = ProductionRecord
        fields = ["month", "product", "quantity", "unit", "value", "currency", "buyer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyer_list()


class PeriodForm(forms.Form):
    first = MonthField(
        label=_("From"), required=False, widget=MonthInput(attrs={"aria-label": _("From month")})
    )
    last = MonthField(
        label=_("To"), required=False, widget=MonthInput(attrs={"aria-label": _("To month")})
    )
