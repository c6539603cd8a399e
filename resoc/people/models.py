from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.core.text import search_key
from resoc.registry.models import Institution


class Person(TimeStamped):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Other / not stated")

    class Kind(models.TextChoices):
        PRISONER = "prisoner", _("Prisoner")
        FORMER_PRISONER = "former_prisoner", _("Former prisoner")
        STAFF = "staff", _("Prison staff")
        FAMILY_MEMBER = "family_member", _("Family member")

    ref = models.CharField(_("programme reference"), max_length=40, unique=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    home_municipality = models.CharField(
        _("home municipality"), max_length=100, blank=True, db_index=True
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # Folded copies of the names for indexed, accent-insensitive prefix search.
    given_key = models.CharField(max_length=100, editable=False, db_index=True)
    family_key = models.CharField(max_length=100, editable=False, db_index=True)

    class Meta:
        ordering = ["family_name", "given_name", "ref"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["family_name", "given_name", "ref"], name="person_order"),
            # A commissioner's released people returning home (resoc.people.selectors): the
            # case-insensitive match on the home municipality, by index.
            models.Index(Upper("home_municipality"), F("kind"), name="person_home_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.ref})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def refresh_search_keys(self) -> None:
        self.given_key = search_key(self.given_name)
        self.family_key = search_key(self.family_name)

    def save(self, *args, **kwargs):
        self.ref = self.ref.strip().upper()
        self.refresh_search_keys()
        super().save(*args, **kwargs)


class CustodyEpisode(TimeStamped):
    """A stay in one institution. A transfer closes one episode and opens the next."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="custody_episodes", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="custody_episodes",
        verbose_name=_("institution"),
    )
    admitted_on = models.DateField(_("admitted on"))
    expected_release_on = models.DateField(_("expected release"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    transferred_out_on = models.DateField(_("transferred out on"), null=True, blank=True)
    transferred_to = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred to"),
    )

    class Meta:
        ordering = ["-admitted_on"]
        verbose_name = _("custody episode")
        verbose_name_plural = _("custody episodes")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "institution", "admitted_on"], name="one_episode_per_admission"
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(released_on__gte=F("admitted_on")),
                name="release_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(expected_release_on__isnull=True)
                | Q(expected_release_on__gte=F("admitted_on")),
                name="expected_release_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(transferred_out_on__isnull=True)
                | Q(transferred_out_on__gte=F("admitted_on")),
                name="transfer_after_admission",
            ),
        ]
        indexes = [
            models.Index(
                fields=["institution", "person"],
                condition=Q(released_on__isnull=True, transferred_out_on__isnull=True),
                name="open_custody_by_institution",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.admitted_on}"

    @property
    def is_open(self) -> bool:
        return self.released_on is None and self.transferred_out_on is None

    @property
    def ended_on(self):
        return self.released_on or self.transferred_out_on


class StaffPosition(TimeStamped):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="staff_positions", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="staff_positions",
        verbose_name=_("institution"),
    )
    role = models.CharField(_("role"), max_length=100, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("staff position")
        verbose_name_plural = _("staff positions")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "institution"], name="one_position_per_place"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="position_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.institution}".strip()


class Consent(TimeStamped):
    class Purpose(models.TextChoices):
        DATA_PROCESSING = "data_processing", _("Data processing")
        FOLLOW_UP = "follow_up", _("Follow-up after release")
        REFERRAL = "referral", _("Referral to agencies")
        STORY = "story", _("Success story")
        PHOTO = "photo", _("Photographs")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("person")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="consents/%Y/", blank=True)

    class Meta:
        ordering = ["purpose", "-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="withdrawal_after_consent",
            )
        ]

    def __str__(self) -> str:
        return self.get_purpose_display()

    def is_active_on(self, day) -> bool:
        return self.given_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)
