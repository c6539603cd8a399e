from django import forms
from django.utils.translation import gettext_lazy as _

from resoc.accounts.models import Role
from resoc.registry.models import Country, Institution


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        queryset=Country.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    institutions = forms.ModelMultipleChoiceField(
        label=_("Institutions"),
        queryset=Institution.objects.all(),
        to_field_name="code",
        required=False,
    )
    municipalities = forms.CharField(
        label=_("Municipalities"),
        required=False,
        help_text=_("Comma-separated, for probation commissioners."),
    )
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)

    def scope(self) -> dict:
        data = self.cleaned_data
        return {
            "countries": [c.code for c in data["countries"]],
            "institutions": [i.code for i in data["institutions"]],
            "municipalities": [m.strip() for m in data["municipalities"].split(",") if m.strip()],
        }
