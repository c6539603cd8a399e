from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped

currency_code = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. RSD."))
code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", _("Use letters, digits, '-', '_' and '.' only.")
)


class Country(models.Model):
    code = models.CharField(_("ISO code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name


class PrisonAdministration(TimeStamped):
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="administrations", verbose_name=_("country")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("prison administration")
        verbose_name_plural = _("prison administrations")

    def __str__(self) -> str:
        return self.name


class Institution(TimeStamped):
    class Kind(models.TextChoices):
        PRISON = "prison", _("Prison")
        DISTRICT_PRISON = "district_prison", _("District prison")
        JUVENILE = "juvenile", _("Juvenile institution")
        WOMEN = "women", _("Women's prison")
        HOSPITAL = "hospital", _("Special hospital")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("country")
    )
    administration = models.ForeignKey(
        PrisonAdministration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("prison administration"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name


class Workshop(TimeStamped):
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="workshops",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("name"), max_length=200)
    trade = models.CharField(_("trade"), max_length=100)

    class Meta:
        ordering = ["institution__name", "name"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.name


class Organisation(TimeStamped):
    class Kind(models.TextChoices):
        DONOR = "donor", _("Donor")
        GOVERNMENT = "government", _("Government")
        PARTNER = "partner", _("Partner")
        SUPPLIER = "supplier", _("Supplier")
        AGENCY = "agency", _("Public agency")
        TRAINING_PROVIDER = "training_provider", _("Training provider")
        BUYER = "buyer", _("Buyer")
        MEDIA = "media", _("Media")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("country"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class ProjectCycle(TimeStamped):
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    budget_eur = models.DecimalField(
        _("budget (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="cycles", verbose_name=_("countries")
    )

    class Meta:
        ordering = ["-start", "code"]
        verbose_name = _("project cycle")
        verbose_name_plural = _("project cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="cycle_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CycleFunder(models.Model):
    cycle = models.ForeignKey(
        ProjectCycle, on_delete=models.CASCADE, related_name="funders", verbose_name=_("cycle")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="fundings", verbose_name=_("funder")
    )
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["-share_percent", "organisation__code"]
        verbose_name = _("cycle funder")
        verbose_name_plural = _("cycle funders")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organisation"], name="one_share_per_funder"),
            models.CheckConstraint(
                condition=Q(share_percent__gt=0, share_percent__lte=100), name="share_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code} {self.share_percent}%"


class ExchangeRate(TimeStamped):
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    valid_from = models.DateField(_("valid from"))
    units_per_eur = models.DecimalField(
        _("units per EUR"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="one_rate_per_day"),
            models.CheckConstraint(condition=Q(units_per_eur__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.units_per_eur} / EUR ({self.valid_from})"
