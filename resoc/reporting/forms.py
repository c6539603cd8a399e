from django import forms
from django.utils.translation import gettext_lazy as _

from resoc.people.models import Person
from resoc.registry.models import Organisation
from resoc.reporting.formulas import formula_choices
from resoc.reporting.models import Indicator, IndicatorPeriod, MediaCoverage, Story

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IndicatorForm(forms.ModelForm):
    formula = forms.ChoiceField(label=_("Formula"), choices=formula_choices, required=False)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "unit",
            "level",
            "formula",
            "baseline_value",
            "baseline_year",
            "ascending",
            "sdg_targets",
        ]


class PeriodForm(forms.ModelForm):
    class Meta:
        model = IndicatorPeriod
        fields = ["start", "end", "target", "actual", "notes"]
        widgets = {"start": DATE, "end": DATE}


class PersonRefField(forms.CharField):
    """A person by programme reference (optional)."""

    def clean(self, value):
        value = super().clean(value).strip().upper()
        if not value:
            return None
        person = Person.objects.filter(ref=value).first()
        if person is None:
            raise forms.ValidationError(_("No person with the reference %(ref)s.") % {"ref": value})
        return person


class StoryForm(forms.ModelForm):
    person = PersonRefField(
        label=_("Person (programme reference)"),
        required=False,
        help_text=_("Only with the person's consent to success stories."),
    )

    class Meta:
        model = Story
        fields = ["title", "body", "person", "cycle", "country", "published", "published_on"]
        widgets = {"published_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.person_id:
            self.initial["person"] = self.instance.person.ref


class CoverageForm(forms.ModelForm):
    url = forms.URLField(label=_("address"), required=False, assume_scheme="https")
    person = PersonRefField(
        label=_("Person featured (programme reference)"),
        required=False,
        help_text=_("Only with the person's consent to success stories."),
    )

    class Meta:
        model = MediaCoverage
        fields = ["title", "outlet", "url", "published_on", "summary", "person", "cycle", "country"]
        widgets = {"published_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.MEDIA
        ).order_by("name")
        if self.instance.person_id:
            self.initial["person"] = self.instance.person.ref
