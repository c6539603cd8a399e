from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.equipment.models import EquipmentItem
from resoc.registry.models import Organisation, ProjectCycle, code_validator, currency_code

MONEY = {"max_digits": 14, "decimal_places": 2}


class Tender(TimeStamped):
    class Method(models.TextChoices):
        OPEN = "open", _("Open")
        RESTRICTED = "restricted", _("Restricted")
        THREE_QUOTATIONS = "three_quotations", _("Three quotations")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        EVALUATION = "evaluation", _("Evaluation")
        AWARDED = "awarded", _("Awarded")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    cycle = models.ForeignKey(
        ProjectCycle,
        on_delete=models.PROTECT,
        related_name="tenders",
        verbose_name=_("project cycle"),
    )
    title = models.CharField(_("title"), max_length=200)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    published_on = models.DateField(_("published on"))
    deadline_on = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-published_on", "code"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_on__gte=F("published_on")),
                name="tender_deadline_after_publication",
                violation_error_message=_("The deadline cannot precede the publication date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Lot(TimeStamped):
    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="lots", verbose_name=_("tender")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    items = models.ManyToManyField(
        EquipmentItem, through="LotItem", related_name="lots", verbose_name=_("items")
    )

    class Meta:
        ordering = ["tender", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "number"],
                name="one_lot_number_per_tender",
                violation_error_message=_("This tender has a lot with this number already."),
            )
        ]

    def __str__(self) -> str:
        return _("Lot %(number)s: %(title)s") % {"number": self.number, "title": self.title}


class LotItem(models.Model):
    """An item in a lot. Only one active lot per item; a cancelled tender releases its items."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="lot_items")
    item = models.ForeignKey(EquipmentItem, on_delete=models.PROTECT, related_name="lot_items")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("lot item")
        verbose_name_plural = _("lot items")
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(active=True), name="item_in_one_active_lot"
            ),
            models.UniqueConstraint(fields=["lot", "item"], name="item_once_per_lot"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}:{self.item_id}"


class Bid(TimeStamped):
    lot = models.ForeignKey(
        Lot, on_delete=models.CASCADE, related_name="bids", verbose_name=_("lot")
    )
    supplier = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="bids",
        limit_choices_to={"kind": Organisation.Kind.SUPPLIER},
        verbose_name=_("supplier"),
    )
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    # Bids are compared in EUR at the rate of the tender's deadline.
    amount_eur = models.DecimalField(_("amount (EUR)"), **MONEY, editable=False)
    rate_units_per_eur = models.DecimalField(
        _("rate (units per EUR)"), max_digits=18, decimal_places=6, editable=False
    )
    compliant = models.BooleanField(_("compliant"), default=False)
    received_on = models.DateField(_("received on"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["lot", "amount_eur", "pk"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "supplier"],
                name="one_bid_per_supplier_and_lot",
                violation_error_message=_("This supplier has a bid for this lot already."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bid_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.amount} {self.currency}"


class Evaluator(TimeStamped):
    """A named member of the evaluation committee and their conflict-of-interest declaration."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="evaluators", verbose_name=_("tender")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("user"),
    )
    # Undeclared until declared_at is set; declared_no_conflict=False then means a conflict.
    declared_no_conflict = models.BooleanField(_("declared no conflict of interest"), default=False)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True, editable=False)
    declaration_notes = models.TextField(_("declaration notes"), blank=True)

    class Meta:
        ordering = ["tender", "user__username"]
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "user"],
                name="one_evaluator_seat_per_user",
                violation_error_message=_("This user is an evaluator of this tender already."),
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def declared(self) -> bool:
        return self.declared_at is not None

    @property
    def may_evaluate(self) -> bool:
        return self.declared and self.declared_no_conflict


class BidScore(TimeStamped):
    evaluator = models.ForeignKey(
        Evaluator, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluator")
    )
    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="scores", verbose_name=_("bid")
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["bid", "evaluator"]
        verbose_name = _("bid score")
        verbose_name_plural = _("bid scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "bid"], name="one_score_per_evaluator")
        ]

    def __str__(self) -> str:
        return f"{self.score}"


class Award(TimeStamped):
    lot = models.OneToOneField(
        Lot, on_delete=models.CASCADE, related_name="award", verbose_name=_("lot")
    )
    bid = models.ForeignKey(
        Bid, on_delete=models.PROTECT, related_name="awards", verbose_name=_("bid")
    )
    # Required when the bid is not the lowest compliant one.
    reason = models.TextField(_("reason"), blank=True)
    awarded_on = models.DateField(_("awarded on"))
    # Empty for awards recorded by the system (synthetic data).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("awarded by"),
        editable=False,
    )

    class Meta:
        ordering = ["-awarded_on"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.lot} → {self.bid.supplier}"


class PurchaseOrder(TimeStamped):
    award = models.OneToOneField(
        Award, on_delete=models.PROTECT, related_name="purchase_order", verbose_name=_("award")
    )
    number = models.CharField(_("number"), max_length=40, unique=True, validators=[code_validator])
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive")
        ]

    def __str__(self) -> str:
        return self.number


class Delivery(TimeStamped):
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("purchase order"),
    )
    delivered_on = models.DateField(_("delivered on"))
    items = models.ManyToManyField(
        EquipmentItem, related_name="deliveries", verbose_name=_("items delivered")
    )
    # Required by the service; seeded (synthetic) deliveries have no scan.
    handover = models.FileField(
        _("handover document"), upload_to="procurement/handover/%Y/", blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.purchase_order} {self.delivered_on}"
