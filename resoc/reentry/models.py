"""Release and after: needs assessments, release plans with their actions, referrals to agencies,
follow-up contacts after release and the reoffending events learnt of."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.people.models import CustodyEpisode, Person
from resoc.registry.models import Organisation


class Domain(models.TextChoices):
    """The resettlement domains ("pathways") a needs assessment and a release plan cover."""

    ACCOMMODATION = "accommodation", _("Accommodation")
    EDUCATION_WORK = "education_work", _("Education, skills and work")
    FINANCE = "finance", _("Finance, benefits and debt")
    IDENTITY = "identity", _("Identity documents")
    HEALTH = "health", _("Health and mental health")
    DRUGS_ALCOHOL = "drugs_alcohol", _("Drugs and alcohol")
    FAMILY = "family", _("Family, children and community")
    ATTITUDES = "attitudes", _("Attitudes, thinking and behaviour")


class Level(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


LEVEL_ORDER = {level: n for n, level in enumerate(Level.values)}


class NeedsAssessment(TimeStamped):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="needs_assessments", verbose_name=_("person")
    )
    date = models.DateField(_("date"))
    # Empty for assessments brought in by an import.
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor"),
    )

    class Meta:
        ordering = ["person", "-date"]
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        constraints = [
            models.UniqueConstraint(fields=["person", "date"], name="one_assessment_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.person.ref} {self.date}"


class AssessmentItem(models.Model):
    """One domain of an assessment: the level of need and notes."""

    assessment = models.ForeignKey(
        NeedsAssessment,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("assessment"),
    )
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    level = models.CharField(_("need level"), max_length=10, choices=Level.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["assessment", "domain"]
        verbose_name = _("assessed domain")
        verbose_name_plural = _("assessed domains")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "domain"], name="one_level_per_domain_and_assessment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.get_level_display()}"


class ReleasePlan(TimeStamped):
    """The plan for one custody episode's release. Its expected release is the episode's."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED_BY_OFFICER = "signed_by_officer", _("Signed by the treatment officer")
        AGREED = "agreed", _("Agreed with the commissioner")

    episode = models.OneToOneField(
        CustodyEpisode,
        on_delete=models.CASCADE,
        related_name="release_plan",
        verbose_name=_("custody episode"),
    )
    # The episode's person, kept here so that scopes find plans by person with one index.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="release_plans", verbose_name=_("person")
    )
    destination = models.CharField(_("destination municipality"), max_length=100)
    commissioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commissioned_plans",
        limit_choices_to={"role": "commissioner"},
        verbose_name=_("commissioner"),
    )
    # {domain: goal}, for the domains the plan addresses.
    goals = models.JSONField(_("goals"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    officer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by the treatment officer"),
    )
    officer_signed_on = models.DateField(_("signed by the officer on"), null=True, blank=True)
    commissioner_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by the commissioner"),
    )
    commissioner_signed_on = models.DateField(
        _("signed by the commissioner on"), null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("release plan")
        verbose_name_plural = _("release plans")
        indexes = [models.Index(fields=["commissioner", "person"], name="plan_by_commissioner")]
        constraints = [
            models.CheckConstraint(
                condition=Q(commissioner_signed_on__isnull=True)
                | Q(officer_signed_on__isnull=False),
                name="plan_officer_signs_first",
            ),
        ]

    def __str__(self) -> str:
        return _("Release plan of %(ref)s") % {"ref": self.person.ref}

    @property
    def expected_release_on(self):
        return self.episode.expected_release_on

    def goal_rows(self) -> list[tuple[str, str]]:
        return [
            (label, self.goals[value]) for value, label in Domain.choices if self.goals.get(value)
        ]

    def clean(self):
        super().clean()
        if not isinstance(self.goals, dict):
            raise ValidationError({"goals": _("Give the goals as {domain: goal}.")})
        unknown = sorted(set(self.goals) - set(Domain.values))
        if unknown:
            raise ValidationError(
                {
                    "goals": _("Unknown domains: %(names)s; use: %(domains)s.")
                    % {"names": ", ".join(unknown), "domains": ", ".join(Domain.values)}
                }
            )
        if any(not isinstance(v, str) for v in self.goals.values()):
            raise ValidationError({"goals": _("Each goal is a text.")})
        if self.episode_id and self.person_id and self.episode.person_id != self.person_id:
            raise ValidationError(_("The custody episode is another person's."))


class PlanAction(TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Responsibility(models.TextChoices):
        PRISON = "prison", _("Prison")
        PROBATION = "probation", _("Probation")

    plan = models.ForeignKey(
        ReleasePlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan")
    )
    what = models.CharField(_("what"), max_length=255)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("responsible agency"),
    )
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    responsibility = models.CharField(
        _("responsibility"), max_length=10, choices=Responsibility.choices
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        indexes = [
            models.Index(fields=["due_on"], condition=Q(status="open"), name="open_action_due")
        ]

    def __str__(self) -> str:
        return self.what


class Referral(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")

    class Data(models.TextChoices):
        """What a referral may pass on to the agency about the person."""

        NAME = "name", _("Name")
        BIRTH_YEAR = "birth_year", _("Birth year")
        CONTACT = "contact", _("Phone, email and address")
        HOME = "home_municipality", _("Home municipality")
        RELEASE = "release", _("Release date")
        NEEDS = "needs", _("Latest needs assessment")
        GOALS = "goals", _("Release plan goals")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("person")
    )
    agency = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("agency")
    )
    plan = models.ForeignKey(
        ReleasePlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("release plan"),
    )
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    shared = models.JSONField(_("data shared"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_on__isnull=False),
                name="referral_sent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.ref} → {self.agency}"

    def shared_labels(self) -> list[str]:
        labels = dict(self.Data.choices)
        return [str(labels[v]) for v in self.shared if v in labels]

    def clean(self):
        super().clean()
        if not isinstance(self.shared, list) or any(v not in self.Data.values for v in self.shared):
            raise ValidationError(
                {
                    "shared": _("Choose the data shared among: %(names)s.")
                    % {"names": ", ".join(self.Data.values)}
                }
            )
        if self.plan_id and self.person_id and self.plan.person_id != self.person_id:
            raise ValidationError({"plan": _("The release plan is another person's.")})


class FollowUp(TimeStamped):
    """A contact with a released person: how they live now."""

    class Mode(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone")
        ONLINE = "online", _("Online")

    class Employment(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        SELF_EMPLOYED = "self_employed", _("Self-employed")
        UNEMPLOYED = "unemployed", _("Unemployed")
        IN_TRAINING = "in_training", _("In training")

    class Housing(models.TextChoices):
        STABLE = "stable", _("Stable")
        TEMPORARY = "temporary", _("Temporary")
        HOMELESS = "homeless", _("Homeless")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("person")
    )
    date = models.DateField(_("date"))
    # Empty when not recorded (e.g. imported contacts).
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    employment = models.CharField(
        _("employment"), max_length=20, choices=Employment.choices, blank=True
    )
    housing = models.CharField(_("housing"), max_length=10, choices=Housing.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["person", "-date"]
        verbose_name = _("follow-up contact")
        verbose_name_plural = _("follow-up contacts")
        constraints = [
            models.UniqueConstraint(fields=["person", "date"], name="one_follow_up_per_day")
        ]
        indexes = [
            # The outcome figures join each person's employed contacts to their release
            # (resoc.reporting.outcomes): read from this index alone, in person order.
            models.Index(
                fields=["person", "date"],
                condition=Q(employment__in=["employed", "self_employed"]),
                name="employed_follow_up_by_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.ref} {self.date}"


EMPLOYED = (FollowUp.Employment.EMPLOYED, FollowUp.Employment.SELF_EMPLOYED)


class OutcomeEvent(TimeStamped):
    """A reoffending event after release, dated when it happened."""

    class Kind(models.TextChoices):
        REOFFENDED = "reoffended", _("Reoffended")
        REIMPRISONED = "reimprisoned", _("Reimprisoned")

    class Source(models.TextChoices):
        SELF_REPORTED = "self_reported", _("Self-reported")
        OFFICIAL = "official", _("Official record")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="outcome_events", verbose_name=_("person")
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # The contact at which the event was learnt, if any.
    follow_up = models.ForeignKey(
        FollowUp,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("follow-up contact"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["person", "-date"]
        verbose_name = _("outcome event")
        verbose_name_plural = _("outcome events")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "date"], name="one_event_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.person.ref} {self.get_kind_display()} {self.date}"
