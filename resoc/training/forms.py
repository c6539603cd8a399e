from django import forms
from django.utils.translation import gettext_lazy as _

from resoc.accounts.models import Role, User
from resoc.core.forms import DateInput, UserModelForm
from resoc.people.selectors import person_list_for_user
from resoc.registry.models import currency_code
from resoc.registry.selectors import institution_list_for_user
from resoc.training.models import DECISIONS, Cohort, Course, Enrollment, Module, Session

S = Enrollment.Status


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class CourseForm(UserModelForm):
    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "category",
            "description",
            "hours",
            "certifying_organisation",
            "certified",
            "has_assessment",
            "target_group",
        ]


ModuleFormSet = forms.inlineformset_factory(
    Course, Module, fields=["number", "title", "hours"], extra=3, can_delete=True
)


def _refs(text: str) -> list[str]:
    parts = text.replace(";", ",").replace("\n", ",").split(",")
    return [r.strip().upper() for r in parts if r.strip()]


class CohortForm(UserModelForm):
    peer_trainer_refs = forms.CharField(
        label=_("Peer trainers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Programme references of the persons who train their peers, comma-separated."),
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, initial="EUR", validators=[currency_code]
    )
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")

    class Meta:
        model = Cohort
        fields = [
            "code",
            "course",
            "institution",
            "cycle",
            "provider",
            "trainers",
            "start",
            "end",
            "mode",
            "platform",
            "link",
            "capacity",
            "cost",
            "currency",
        ]
        widgets = {"trainers": forms.CheckboxSelectMultiple}
        help_texts = {
            "institution": _("Empty for an online cohort open to people of several institutions."),
            "cost": _("Converted to EUR at the rate of the cohort's start."),
        }

    field_order = [*Meta.fields[:6], "peer_trainer_refs", *Meta.fields[6:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institution_list_for_user(user=self.user)
        if self.user.role not in (Role.ADMIN, Role.MANAGER):
            # Only the programme's managers run online cohorts across countries.
            self.fields["institution"].required = True
        self.fields["trainers"].queryset = User.objects.filter(
            role=Role.TRAINER, is_active=True
        ).order_by("username")
        self.fields["trainers"].label_from_instance = lambda u: u.get_full_name() or u.username
        if self.instance.pk:
            self.fields["peer_trainer_refs"].initial = ", ".join(
                p.ref for p in self.instance.peer_trainers.all()
            )

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean_peer_trainer_refs(self):
        refs = _refs(self.cleaned_data["peer_trainer_refs"])
        found = {p.ref: p for p in person_list_for_user(user=self.user).filter(ref__in=refs)}
        missing = [r for r in refs if r not in found]
        if missing:
            raise forms.ValidationError(
                _("Nobody with these references in your scope: %(refs)s.")
                % {"refs": ", ".join(missing)}
            )
        self.peer_trainers = list(found.values())
        return refs


class SessionForm(UserModelForm):
    class Meta:
        model = Session
        fields = ["date", "starts_at", "ends_at", "module", "mode", "trainer_locations"]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}
        help_texts = {
            "trainer_locations": _("Where the trainers are, for online and hybrid sessions.")
        }

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(course_id=cohort.course_id)
        if not self.instance.pk:
            self.initial["mode"] = cohort.mode


class ApplicationForm(UserModelForm):
    person_ref = forms.CharField(
        label=_("Person"),
        max_length=40,
        help_text=_("Programme reference of a person in your scope."),
    )

    class Meta:
        model = Enrollment
        fields = ["applied_on", "motivation", "officer_assessment", "education", "security"]
        help_texts = {
            "officer_assessment": _(
                "The treatment officer's view: time left to serve against the course's length, "
                "education, security."
            )
        }

    field_order = ["person_ref", *Meta.fields]

    def clean_person_ref(self):
        ref = self.cleaned_data["person_ref"].strip().upper()
        person = person_list_for_user(user=self.user).filter(ref=ref).first()
        if person is None:
            raise forms.ValidationError(_("There is nobody with this reference in your scope."))
        self.person = person
        return ref


class AssessmentForm(UserModelForm):
    class Meta:
        model = Enrollment
        fields = ["applied_on", "motivation", "officer_assessment", "education", "security"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[(s, S(s).label) for s in DECISIONS])
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting or waitlisting."),
    )


OUTCOMES = (S.ENROLLED, S.COMPLETED, S.DROPPED_OUT, S.TRANSFERRED, S.RELEASED)


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[(s, S(s).label) for s in OUTCOMES])
    on = forms.DateField(
        label=_("On"),
        required=False,
        widget=DateInput(),
        help_text=_("Day of completion or of leaving; today when empty."),
    )
    passed = forms.NullBooleanField(
        label=_("Assessment passed"), required=False, widget=forms.NullBooleanSelect()
    )
    score = forms.DecimalField(
        label=_("Assessment score"), required=False, min_value=0, max_value=100, decimal_places=2
    )


class CohortFilterForm(forms.Form):
    WHEN = [
        ("", _("Any time")),
        ("current", _("Running now")),
        ("upcoming", _("Upcoming")),
        ("past", _("Ended")),
    ]
    q = forms.CharField(required=False, label=_("Search"))
    course = forms.ModelChoiceField(
        queryset=Course.objects.all(), required=False, to_field_name="code", label=_("Course")
    )
    institution = forms.CharField(required=False, label=_("Institution"))
    mode = forms.ChoiceField(
        choices=[("", _("Any mode")), *Cohort.Mode.choices], required=False, label=_("Mode")
    )
    when = forms.ChoiceField(choices=WHEN, required=False, label=_("When"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].empty_label = _("Any course")
        choices = [("", _("Any institution")), ("online", _("Online (no institution)"))]
        choices += [(i.code, i.name) for i in institution_list_for_user(user=user)]
        self.fields["institution"].widget = forms.Select(choices=choices)
