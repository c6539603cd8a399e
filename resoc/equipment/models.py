from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.registry.models import (
    Organisation,
    ProjectCycle,
    Workshop,
    code_validator,
    currency_code,
)


class Status(models.TextChoices):
    SPECIFIED = "specified", _("Specified")
    TENDERED = "tendered", _("Tendered")
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    INSTALLED = "installed", _("Installed")
    IN_USE = "in_use", _("In use")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


# The life of an item, in order; out_of_service and decommissioned come after in_use.
STATUS_ORDER = [s.value for s in Status]
# From delivery on, an item counts as the programme's equipment (and needs delivered_on).
DELIVERED_OR_LATER = set(STATUS_ORDER[STATUS_ORDER.index(Status.DELIVERED) :])


class Category(models.TextChoices):
    SEWING = "sewing", _("Sewing and embroidery")
    BAKERY = "bakery", _("Bakery and food")
    METAL = "metal", _("Metal and welding")
    WOOD = "wood", _("Carpentry and wood")
    CONSTRUCTION = "construction", _("Construction materials")
    AGRICULTURE = "agriculture", _("Agriculture and greenhouses")
    VEHICLES = "vehicles", _("Vehicles and handling")
    IT = "it", _("IT and training equipment")
    PACKAGING = "packaging", _("Packaging")
    OTHER = "other", _("Other")


class EquipmentItem(TimeStamped):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    workshop = models.ForeignKey(
        Workshop, on_delete=models.PROTECT, related_name="equipment", verbose_name=_("workshop")
    )
    cycle = models.ForeignKey(
        ProjectCycle,
        on_delete=models.PROTECT,
        related_name="equipment",
        verbose_name=_("project cycle"),
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    specification = models.TextField(_("specification"), blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    # Converted at the recorded rate of the purchase (order) or delivery date.
    value_eur = models.DecimalField(
        _("value (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    rate_units_per_eur = models.DecimalField(
        _("rate (units per EUR)"),
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        editable=False,
    )
    rate_date = models.DateField(_("rate date"), null=True, blank=True, editable=False)
    supplier = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplied_equipment",
        verbose_name=_("supplier"),
    )
    serial_numbers = models.TextField(_("serial numbers"), blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SPECIFIED
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    ordered_on = models.DateField(_("ordered on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment items")
        indexes = [
            models.Index(fields=["status"], name="equipment_status"),
            models.Index(fields=["cycle", "status"], name="equipment_cycle_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=False) | ~Q(status__in=sorted(DELIVERED_OR_LATER)),
                name="delivered_items_have_a_date",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def total_price(self) -> Decimal:
        return self.unit_price * self.quantity


class StatusChange(models.Model):
    item = models.ForeignKey(
        EquipmentItem,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("item"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    on = models.DateField(_("on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    document = models.FileField(_("document"), upload_to="equipment/status/%Y/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.on})"


class EquipmentFile(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        HANDOVER = "handover", _("Handover protocol")
        INVOICE = "invoice", _("Invoice")
        OTHER = "other", _("Other document")

    item = models.ForeignKey(
        EquipmentItem, on_delete=models.CASCADE, related_name="files", verbose_name=_("item")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="equipment/files/%Y/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("equipment file")
        verbose_name_plural = _("equipment files")

    def __str__(self) -> str:
        return self.title or self.file.name
