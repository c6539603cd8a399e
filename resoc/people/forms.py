from django import forms
from django.utils.translation import gettext_lazy as _

from resoc.accounts import roles
from resoc.core.forms import DateInput, UserModelForm
from resoc.people.models import Consent, Person, StaffPosition
from resoc.registry.models import Institution
from resoc.registry.selectors import institution_list_for_user


class PersonForm(UserModelForm):
    class Meta:
        model = Person
        fields = [
            "ref",
            "given_name",
            "family_name",
            "sex",
            "birth_year",
            "kind",
            "home_municipality",
            "phone",
            "email",
            "address",
        ]


class NewPersonForm(PersonForm):
    """A new person; prisoners are admitted to an institution in the user's scope at once."""

    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none(), required=False
    )
    admitted_on = forms.DateField(label=_("Admitted on"), required=False, widget=DateInput())
    expected_release_on = forms.DateField(
        label=_("Expected release"), required=False, widget=DateInput()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institution_list_for_user(user=self.user)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        scoped = not roles.has_role(self.user, roles.GLOBAL_READERS)
        if scoped and kind not in (Person.Kind.PRISONER, Person.Kind.STAFF):
            # Anyone else would fall outside the scope of the user who records them.
            self.add_error("kind", _("You can record prisoners and staff of your institutions."))
        if kind in (Person.Kind.PRISONER, Person.Kind.STAFF) and not data.get("institution"):
            self.add_error("institution", _("Required for prisoners and staff."))
        if kind == Person.Kind.PRISONER and not data.get("admitted_on"):
            self.add_error("admitted_on", _("Required for prisoners."))
        admitted, expected = data.get("admitted_on"), data.get("expected_release_on")
        if admitted and expected and expected < admitted:
            self.add_error("expected_release_on", _("Cannot precede the admission."))
        return data


class AdmitForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    admitted_on = forms.DateField(label=_("Admitted on"), widget=DateInput())
    expected_release_on = forms.DateField(
        label=_("Expected release"), required=False, widget=DateInput()
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institution_list_for_user(user=user)


class TransferForm(forms.Form):
    # A transfer may go to any active institution: the receiving prison need not be in scope.
    to_institution = forms.ModelChoiceField(
        label=_("To institution"), queryset=Institution.objects.filter(active=True)
    )
    on = forms.DateField(label=_("Transferred on"), widget=DateInput())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class ReleaseForm(forms.Form):
    on = forms.DateField(label=_("Released on"), widget=DateInput())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class StaffPositionForm(UserModelForm):
    class Meta:
        model = StaffPosition
        fields = ["institution", "role", "started_on", "ended_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institution_list_for_user(user=self.user)


class ConsentForm(UserModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "given_on", "withdrawn_on", "evidence"]

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence and hasattr(evidence, "content_type"):
            allowed = {"application/pdf", "image/jpeg", "image/png"}
            if evidence.content_type not in allowed:
                raise forms.ValidationError(_("Upload a PDF, JPEG or PNG file."))
            if evidence.size > 10 * 1024 * 1024:
                raise forms.ValidationError(_("The file is larger than 10 MB."))
        return evidence
