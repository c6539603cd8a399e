"""The results framework (indicators of a cycle with baseline and targets per period), and the
stories and media coverage the programme publishes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.people.models import Person
from resoc.registry.models import Country, Organisation, ProjectCycle, code_validator

DECIMAL = {"max_digits": 16, "decimal_places": 4}
# SDG targets as the UN numbers them: 4.4, 8.3, 16.3, 16.a ...
sdg_targets_validator = RegexValidator(
    r"^\s*(\d{1,2}\.[0-9a-z]{1,2})(\s*,\s*\d{1,2}\.[0-9a-z]{1,2})*\s*$",
    _("List SDG targets separated by commas, e.g. 4.4, 8.5, 16.3."),
)


class Indicator(TimeStamped):
    class Level(models.TextChoices):
        OUTPUT = "output", _("Output")
        OUTCOME = "outcome", _("Outcome")
        IMPACT = "impact", _("Impact")

    class Unit(models.TextChoices):
        PERSONS = "persons", _("persons")
        NUMBER = "number", _("number")
        PERCENT = "percent", _("per cent")
        EUR = "eur", _("EUR")

    cycle = models.ForeignKey(
        ProjectCycle, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("cycle")
    )
    code = models.CharField(_("code"), max_length=30, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    level = models.CharField(_("result level"), max_length=10, choices=Level.choices)
    # A named formula over the records (see resoc/reporting/formulas.py); empty: entered by hand.
    formula = models.CharField(_("formula"), max_length=40, blank=True)
    baseline_value = models.DecimalField(_("baseline"), **DECIMAL, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    ascending = models.BooleanField(_("higher is better"), default=True)
    sdg_targets = models.CharField(
        _("SDG targets"), max_length=100, blank=True, validators=[sdg_targets_validator]
    )

    class Meta:
        ordering = ["cycle", "level", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="one_indicator_code_per_cycle"),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_year__isnull=False),
                name="baseline_has_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        super().clean()
        from resoc.reporting.formulas import FORMULAS

        if self.formula and self.formula not in FORMULAS:
            raise ValidationError({"formula": _("No formula of this name.")})
        if self.baseline_value is not None and not self.baseline_year:
            raise ValidationError({"baseline_year": _("A baseline needs its year.")})

    @property
    def sdg_list(self) -> list[str]:
        return [t.strip() for t in self.sdg_targets.split(",") if t.strip()]

    @property
    def computed(self) -> bool:
        return bool(self.formula)


class IndicatorPeriod(models.Model):
    """A reporting period of an indicator: its target, and for an indicator entered by hand its
    actual value."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="periods", verbose_name=_("indicator")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    target = models.DecimalField(_("target"), **DECIMAL, null=True, blank=True)
    actual = models.DecimalField(_("actual (entered by hand)"), **DECIMAL, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["indicator", "start"]
        verbose_name = _("indicator period")
        verbose_name_plural = _("indicator periods")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "start"], name="one_period_per_start"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.start}–{self.end}"


class Story(TimeStamped):
    """A success story. One about a person may be published only while the person's consent to
    stories holds; withdrawing it takes the story down everywhere at once."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("story"))
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("person"),
    )
    cycle = models.ForeignKey(
        ProjectCycle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("cycle"),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("country"),
    )
    published = models.BooleanField(_("published"), default=False)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-published_on", "-created_at"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self) -> str:
        return self.title


class MediaCoverage(TimeStamped):
    """An article or broadcast about the programme, by a media organisation."""

    title = models.CharField(_("title"), max_length=300)
    outlet = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="coverage",
        limit_choices_to={"kind": Organisation.Kind.MEDIA},
        verbose_name=_("media outlet"),
    )
    url = models.URLField(_("address"), blank=True)
    published_on = models.DateField(_("published on"))
    summary = models.TextField(_("summary"), blank=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="media_coverage",
        verbose_name=_("person featured"),
    )
    cycle = models.ForeignKey(
        ProjectCycle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="media_coverage",
        verbose_name=_("cycle"),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="media_coverage",
        verbose_name=_("country"),
    )

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("media coverage")
        verbose_name_plural = _("media coverage")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.outlet_id and self.outlet.kind != Organisation.Kind.MEDIA:
            raise ValidationError({"outlet": _("Choose an organisation of kind media.")})


# Read-only views of the re-entry area's records, joined to custody episodes on their person


class _SamePerson(models.ForeignObject):
    """A join of two records on their person, used by the reports only: not a foreign key (a
    person has many custody episodes), so its target need not be unique."""

    requires_unique_target = False


class ReleaseFollowUp(models.Model):
    """`reentry.FollowUp` as the outcome figures read it: reached from each custody episode of
    the same person (`CustodyEpisode.release_follow_ups`), with no join through the person."""

    person_id = models.BigIntegerField()
    date = models.DateField()
    employment = models.CharField(max_length=20)
    episodes = _SamePerson(
        "people.CustodyEpisode",
        on_delete=models.DO_NOTHING,
        from_fields=["person_id"],
        to_fields=["person"],
        related_name="release_follow_ups",
        null=True,
    )

    class Meta:
        managed = False
        db_table = "reentry_followup"

    def __str__(self) -> str:
        return f"{self.person_id} {self.date}"


class ReleaseEvent(models.Model):
    """`reentry.OutcomeEvent` (reoffending) as the outcome figures read it: reached from each
    custody episode of the same person (`CustodyEpisode.release_events`)."""

    person_id = models.BigIntegerField()
    date = models.DateField()
    episodes = _SamePerson(
        "people.CustodyEpisode",
        on_delete=models.DO_NOTHING,
        from_fields=["person_id"],
        to_fields=["person"],
        related_name="release_events",
        null=True,
    )

    class Meta:
        managed = False
        db_table = "reentry_outcomeevent"

    def __str__(self) -> str:
        return f"{self.person_id} {self.date}"
