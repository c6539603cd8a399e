from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resoc.core.forms import DateInput, UserModelForm
from resoc.reentry.models import (
    Domain,
    FollowUp,
    Level,
    OutcomeEvent,
    PlanAction,
    Referral,
)
from resoc.reentry.selectors import commissioner_list, referral_agencies

NOTES = forms.Textarea(attrs={"rows": 2})


class AssessmentForm(forms.Form):
    """The date and, for every domain, the level of need and notes."""

    date = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, assessment=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if assessment is not None and assessment.pk:
            initial["date"] = assessment.date
            for item in assessment.items.all():
                initial[f"{item.domain}_level"] = item.level
                initial[f"{item.domain}_notes"] = item.notes
        else:
            initial.setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        for value, label in Domain.choices:
            self.fields[f"{value}_level"] = forms.ChoiceField(label=label, choices=Level.choices)
            self.fields[f"{value}_notes"] = forms.CharField(
                label=_("Notes: %(domain)s") % {"domain": label}, required=False, widget=NOTES
            )

    def levels(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {v: (data[f"{v}_level"], data[f"{v}_notes"]) for v in Domain.values}


class PlanForm(forms.Form):
    expected_release_on = forms.DateField(
        label=_("Expected release"), widget=DateInput(), required=False
    )
    destination = forms.CharField(
        label=_("Destination municipality"),
        max_length=100,
        help_text=_("Where the person will live; its commissioner takes the case."),
    )

    def __init__(self, *args, plan=None, episode=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if plan is not None:
            initial.update(
                expected_release_on=plan.episode.expected_release_on,
                destination=plan.destination,
                **{f"goal_{k}": v for k, v in plan.goals.items()},
            )
        elif episode is not None:
            initial.update(
                expected_release_on=episode.expected_release_on,
                destination=episode.person.home_municipality,
            )
        super().__init__(*args, **kwargs)
        for value, label in Domain.choices:
            self.fields[f"goal_{value}"] = forms.CharField(
                label=_("Goal: %(domain)s") % {"domain": label}, required=False, widget=NOTES
            )

    def goals(self) -> dict[str, str]:
        return {v: self.cleaned_data[f"goal_{v}"].strip() for v in Domain.values}


class AssignForm(forms.Form):
    commissioner = forms.ModelChoiceField(
        label=_("Commissioner"),
        queryset=commissioner_list(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commissioner"].queryset = commissioner_list()
        self.fields["commissioner"].label_from_instance = lambda u: (
            f"{u.username} ({', '.join(u.municipalities)})"
        )


class ActionForm(UserModelForm):
    class Meta:
        model = PlanAction
        fields = [
            "what",
            "domain",
            "responsibility",
            "agency",
            "responsible_person",
            "due_on",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = referral_agencies()


class ReferralForm(UserModelForm):
    shared = forms.MultipleChoiceField(
        label=_("Data shared"),
        choices=Referral.Data.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shared only while the person's consent to referrals holds."),
    )

    class Meta:
        model = Referral
        fields = ["agency", "domain", "reason", "shared"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = referral_agencies()


class SendForm(forms.Form):
    on = forms.DateField(label=_("Sent on"), widget=DateInput())


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (Referral.Status.ACCEPTED, Referral.Status.ACCEPTED.label),
            (Referral.Status.DECLINED, Referral.Status.DECLINED.label),
            (Referral.Status.COMPLETED, Referral.Status.COMPLETED.label),
        ],
    )
    on = forms.DateField(label=_("On"), widget=DateInput())
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=NOTES)


class FollowUpForm(UserModelForm):
    """A contact, and a reoffending event learnt at it if there was one."""

    event = forms.ChoiceField(
        label=_("Reoffending event"),
        choices=[("", _("(none)")), *OutcomeEvent.Kind.choices],
        required=False,
    )
    event_date = forms.DateField(label=_("Date of the event"), required=False, widget=DateInput())
    event_source = forms.ChoiceField(
        label=_("Source"),
        choices=OutcomeEvent.Source.choices,
        required=False,
        initial=OutcomeEvent.Source.SELF_REPORTED,
    )

    class Meta:
        model = FollowUp
        fields = ["date", "mode", "employment", "housing", "notes"]
        widgets = {"notes": NOTES}

    def clean(self):
        data = super().clean()
        if data.get("event"):
            if not data.get("event_date"):
                self.add_error("event_date", _("Give the date of the event."))
            if not data.get("event_source"):
                self.add_error("event_source", _("Give the source."))
        return data

    def outcome_event(self) -> OutcomeEvent | None:
        data = self.cleaned_data
        if not data.get("event"):
            return None
        return OutcomeEvent(
            kind=data["event"], date=data["event_date"], source=data["event_source"]
        )


class EventForm(UserModelForm):
    class Meta:
        model = OutcomeEvent
        fields = ["kind", "date", "source", "notes"]
        widgets = {"notes": NOTES}
