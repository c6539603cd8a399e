from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.people.models import Person
from resoc.registry.models import (
    Institution,
    Organisation,
    ProjectCycle,
    code_validator,
    currency_code,
)


class Course(TimeStamped):
    class Category(models.TextChoices):
        VOCATIONAL = "vocational", _("Vocational")
        SPECIALISED = "specialised", _("Specialised")
        PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
        STAFF = "staff", _("Staff training")
        TRAINING_OF_TRAINERS = "training_of_trainers", _("Training of trainers")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    certifying_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certified_courses",
        verbose_name=_("certifying organisation"),
    )
    certified = models.BooleanField(_("certified"), default=False)
    has_assessment = models.BooleanField(_("has an assessment"), default=False)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)

    class Meta:
        ordering = ["course", "number"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="one_module_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Cohort(TimeStamped):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course")
    )
    # None for an online cohort open to participants of several institutions.
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("institution"),
    )
    cycle = models.ForeignKey(
        ProjectCycle, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("cycle")
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provided_cohorts",
        verbose_name=_("provider"),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cohorts", verbose_name=_("trainers")
    )
    peer_trainers = models.ManyToManyField(
        Person, blank=True, related_name="peer_trained_cohorts", verbose_name=_("peer trainers")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    platform = models.CharField(_("platform"), max_length=100, blank=True)
    link = models.URLField(_("link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    cost = models.DecimalField(
        _("cost"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[currency_code]
    )
    cost_eur = models.DecimalField(
        _("cost (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-start", "code"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="cohort_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.course}"


class Session(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    module = models.ForeignKey(
        Module,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module"),
    )
    mode = models.CharField(
        _("mode"), max_length=20, choices=Cohort.Mode.choices, default=Cohort.Mode.IN_PERSON
    )
    trainer_locations = models.CharField(_("trainer locations"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        # NULLs are distinct in a unique index (and SQLite has no NULLS NOT DISTINCT), so a
        # session without a start time has its own: one such session a day.
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "date", "starts_at"],
                condition=Q(starts_at__isnull=False),
                name="one_session_per_slot",
                violation_error_message=_("The cohort has a session at this time already."),
            ),
            models.UniqueConstraint(
                fields=["cohort", "date"],
                condition=Q(starts_at__isnull=True),
                name="one_untimed_session_per_day",
                violation_error_message=_("The cohort has a session without a time this day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort.code} {self.date}"


class Enrollment(TimeStamped):
    class Education(models.TextChoices):
        NONE = "none", _("No completed school")
        PRIMARY = "primary", _("Primary school")
        SECONDARY = "secondary", _("Secondary school")
        VOCATIONAL = "vocational", _("Vocational school")
        HIGHER = "higher", _("Higher education")

    class Security(models.TextChoices):
        LOW = "low", _("Low risk")
        MEDIUM = "medium", _("Medium risk")
        HIGH = "high", _("High risk")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SELECTED = "selected", _("Selected")
        WAITLISTED = "waitlisted", _("Waitlisted")
        REJECTED = "rejected", _("Rejected")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        TRANSFERRED = "transferred", _("Transferred")
        RELEASED = "released", _("Released")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("cohort")
    )
    # Like the person's other records, their training goes with them when a person is erased.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("person")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLIED
    )
    # The application (selection by call for interest).
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    officer_assessment = models.TextField(_("officer's assessment"), blank=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    security = models.CharField(
        _("security assessment"), max_length=10, choices=Security.choices, blank=True
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    # Outcome.
    assessment_passed = models.BooleanField(_("assessment passed"), null=True, blank=True)
    assessment_score = models.DecimalField(
        _("assessment score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["cohort", "person__family_name", "person__given_name"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="one_enrollment_per_cohort"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="completed_enrollments_have_a_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "cohort"], name="enrollment_status"),
            models.Index(fields=["person", "status"], name="enrollment_person_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person.ref} in {self.cohort.code}"


S = Enrollment.Status
# Who holds one of the cohort's places (counted against its capacity).
TAKING_A_PLACE = (S.SELECTED, S.ENROLLED, S.COMPLETED)
# Who is expected at the sessions now.
ACTIVE = (S.SELECTED, S.ENROLLED)
# Who took part (or is to take part): trainers see them; applicants they do not.
PARTICIPANTS = (S.SELECTED, S.ENROLLED, S.COMPLETED, S.DROPPED_OUT, S.TRANSFERRED, S.RELEASED)
DECISIONS = (S.SELECTED, S.WAITLISTED, S.REJECTED)
ENDINGS = (S.DROPPED_OUT, S.TRANSFERRED, S.RELEASED)


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("enrollment"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrollment"], name="one_attendance_per_session"
            )
        ]

    def __str__(self) -> str:
        return self.get_status_display()
