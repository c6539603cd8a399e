from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    query = forms.CharField(label=_("Search"), required=False, max_length=100)
    action = forms.CharField(label=_("Action begins with"), required=False, max_length=60)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    person_ref = forms.CharField(label=_("Person reference"), required=False, max_length=40)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def filters(self) -> dict:
        """The valid, non-empty filters (an invalid one is shown as an error and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
