"""Work in prison workshops: who works where, their monthly hours and pay, and what was produced.

Months are stored as a DateField holding the first day of the month.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.people.models import Person
from resoc.registry.models import Organisation, Workshop, currency_code

ZERO = Decimal("0")


def first_of_month(value) -> None:
    if value is not None and value.day != 1:
        raise ValidationError(_("A month is stored as its first day."))


class WorkAssignment(TimeStamped):
    class EndReason(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        RELEASED = "released", _("Released from custody")
        TRANSFERRED = "transferred", _("Transferred to another institution")
        OTHER = "other", _("Other")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="work_assignments", verbose_name=_("person")
    )
    workshop = models.ForeignKey(
        Workshop,
        on_delete=models.PROTECT,
        related_name="work_assignments",
        verbose_name=_("workshop"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("60"))],
    )
    ended_reason = models.CharField(
        _("reason for the end"), max_length=20, choices=EndReason.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name = _("work assignment")
        verbose_name_plural = _("work assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "workshop", "start"], name="one_assignment_per_start"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="assignment_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True)
                | Q(hours_per_week__gte=Decimal("0.5"), hours_per_week__lte=Decimal("60")),
                name="assignment_hours_in_range",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=False) | Q(ended_reason=""),
                name="assignment_reason_needs_end",
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "start"], name="assignment_workshop_start"),
            models.Index(fields=["person", "start"], name="assignment_person_start"),
            models.Index(
                fields=["person"], condition=Q(end__isnull=True), name="assignment_open_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} {self.start}"

    def clean(self):
        super().clean()
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("The end cannot precede the start.")})
        if self.ended_reason and not self.end:
            raise ValidationError({"ended_reason": _("Only an ended assignment has a reason.")})

    def is_active_in(self, first, last) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


class WorkMonth(TimeStamped):
    """One person's hours and pay in one workshop for one month."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="work_months", verbose_name=_("person")
    )
    workshop = models.ForeignKey(
        Workshop, on_delete=models.PROTECT, related_name="work_months", verbose_name=_("workshop")
    )
    month = models.DateField(_("month"), validators=[first_of_month])
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    pay = models.DecimalField(
        _("pay"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    # Converted at the rate valid on the month's last day (the day the pay is due).
    pay_eur = models.DecimalField(
        _("pay (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-month", "workshop__code"]
        verbose_name = _("work month")
        verbose_name_plural = _("work months")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "workshop", "month"], name="one_work_month_per_place"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="work_hours_not_negative"),
            models.CheckConstraint(condition=Q(pay__gte=0), name="work_pay_not_negative"),
        ]
        indexes = [
            models.Index(fields=["workshop", "month"], name="work_month_workshop"),
            models.Index(fields=["person", "month"], name="work_month_person"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} {self.month:%Y-%m}"


class ProductionRecord(TimeStamped):
    """What a workshop produced in a month; with a buyer, what that buyer bought."""

    class Unit(models.TextChoices):
        PIECES = "pieces", _("pieces")
        KG = "kg", _("kg")
        M = "m", _("m")
        M2 = "m2", _("m²")
        M3 = "m3", _("m³")
        L = "l", _("litres")
        SET = "set", _("sets")
        OTHER = "other", _("other")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.PROTECT, related_name="production", verbose_name=_("workshop")
    )
    month = models.DateField(_("month"), validators=[first_of_month])
    product = models.CharField(_("product"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(ZERO)]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[currency_code])
    # Converted at the rate valid on the month's last day.
    value_eur = models.DecimalField(
        _("value (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    buyer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchases",
        limit_choices_to={"kind": Organisation.Kind.BUYER},
        verbose_name=_("buyer"),
    )

    class Meta:
        ordering = ["-month", "product", "pk"]
        verbose_name = _("production record")
        verbose_name_plural = _("production records")
        constraints = [
            # NULLs are distinct in a unique index, so a record without a buyer needs its own.
            models.UniqueConstraint(
                fields=["workshop", "month", "product", "buyer"],
                condition=Q(buyer__isnull=False),
                name="one_sale_per_buyer",
                violation_error_message=_("This product is recorded for this buyer and month."),
            ),
            models.UniqueConstraint(
                fields=["workshop", "month", "product"],
                condition=Q(buyer__isnull=True),
                name="one_production_without_buyer",
                violation_error_message=_(
                    "This product is recorded without a buyer for this month."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="production_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="production_value_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "month"], name="production_workshop_month"),
            models.Index(fields=["month"], name="production_month"),
            models.Index(fields=["buyer", "month"], name="production_buyer_month"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.month:%Y-%m}"

    def clean(self):
        super().clean()
        if self.value is not None and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the value.")})
        if self.buyer_id and self.buyer.kind != Organisation.Kind.BUYER:
            raise ValidationError({"buyer": _("The organisation is not a buyer.")})
