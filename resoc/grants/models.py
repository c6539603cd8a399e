"""Micro-grants: calls, applications and their evaluation, in-kind grants and monitoring visits.

An application may belong to a call; historical grants imported without one have none (their
cycle and country are kept on the application). A grant is the approved application's record of
what was bought, delivered and visited; it shares the application's code.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.people.models import Person
from resoc.registry.models import (
    Country,
    Organisation,
    ProjectCycle,
    code_validator,
    currency_code,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")
# A criterion is scored from 0 to SCORE_MAX; weights (summing to 100) make a 0–100 total.
SCORE_MAX = 10


def default_released_within_months() -> int:
    return int(getattr(settings, "RESOC_GRANTS_RELEASED_WITHIN_MONTHS", 24))


def default_release_within_days() -> int:
    return int(getattr(settings, "RESOC_GRANTS_RELEASE_WITHIN_DAYS", 90))


class Sector(models.TextChoices):
    CAR_WASH = "car_wash", _("Car wash and car maintenance")
    CARPENTRY = "carpentry", _("Carpentry and furniture")
    BAKERY = "bakery", _("Bakery")
    HAIRDRESSING = "hairdressing", _("Hairdressing and beauty")
    ELECTRICAL = "electrical", _("Electrical installation")
    SHOES_LEATHER = "shoes_leather", _("Shoes and leather")
    FRUIT_VEGETABLES = "fruit_vegetables", _("Fruit and vegetables")
    GRAIN_CROPS = "grain_crops", _("Grain and crops")
    OTHER = "other", _("Other")


class Call(TimeStamped):
    """A call for applications in one cycle and country, with its budget and rules."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    cycle = models.ForeignKey(
        ProjectCycle, on_delete=models.PROTECT, related_name="grant_calls", verbose_name=_("cycle")
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="grant_calls", verbose_name=_("country")
    )
    title = models.CharField(_("title"), max_length=200)
    budget_eur = models.DecimalField(
        _("budget (EUR)"), **MONEY, validators=[MinValueValidator(ZERO)]
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    released_within_months = models.PositiveSmallIntegerField(
        _("released within (months)"),
        default=default_released_within_months,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("An applicant must have been released at most this many months before."),
    )
    release_within_days = models.PositiveSmallIntegerField(
        _("prisoners released within (days)"),
        default=default_release_within_days,
        validators=[MaxValueValidator(3650)],
        help_text=_("A prisoner may apply when their expected release is this close."),
    )
    requires_training = models.BooleanField(_("requires a completed training"), default=True)
    requires_no_reoffending = models.BooleanField(
        _("requires no reoffending since release"), default=True
    )
    committee = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="grant_committees",
        verbose_name=_("evaluation committee"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-opens_on", "code"]
        verbose_name = _("grant call")
        verbose_name_plural = _("grant calls")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "country"],
                name="one_grant_call_per_cycle_and_country",
                violation_error_message=_("This cycle has a call in this country already."),
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="grant_call_closes_after_opening",
                violation_error_message=_("A call cannot close before it opens."),
            ),
            models.CheckConstraint(condition=Q(budget_eur__gte=0), name="grant_call_budget"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Criterion(models.Model):
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=200)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["call", "number"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="one_criterion_number"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name} ({self.weight}%)"


class Application(TimeStamped):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WAITLISTED = "waitlisted", _("Waitlisted")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    call = models.ForeignKey(
        Call,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("call"),
    )
    # The call's cycle and country; kept apart for historical grants imported without a call.
    cycle = models.ForeignKey(
        ProjectCycle,
        on_delete=models.PROTECT,
        related_name="grant_applications",
        verbose_name=_("cycle"),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="grant_applications",
        verbose_name=_("country"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="grant_applications",
        verbose_name=_("applicant"),
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    business_idea = models.TextField(_("business idea"), blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    # The currency of the items' estimated costs and of the own contribution.
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[currency_code]
    )
    own_contribution = models.DecimalField(
        _("own contribution"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    # Converted at the rate of the application's date.
    requested_eur = models.DecimalField(
        _("requested (EUR)"), **MONEY, null=True, blank=True, editable=False
    )
    own_contribution_eur = models.DecimalField(
        _("own contribution (EUR)"), **MONEY, null=True, blank=True, editable=False
    )
    business_plan = models.FileField(
        _("business plan"), upload_to="grants/plans/%Y/", blank=True, editable=False
    )
    # The last automatic check: [{"key", "status", "reason"}], and when it ran.
    eligibility = models.JSONField(_("eligibility"), default=list, blank=True, editable=False)
    eligibility_checked_on = models.DateField(null=True, blank=True, editable=False)
    decision = models.CharField(
        _("decision"),
        max_length=20,
        choices=Decision.choices,
        default=Decision.PENDING,
        editable=False,
        db_index=True,
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True, editable=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("decided by"),
    )
    approved_eur = models.DecimalField(
        _("approved (EUR)"), **MONEY, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-applied_on", "code"]
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "person"],
                condition=Q(call__isnull=False),
                name="one_application_per_call_and_person",
                violation_error_message=_("This person has applied to this call already."),
            ),
            models.CheckConstraint(
                condition=Q(decision="approved", approved_eur__isnull=False)
                | (~Q(decision="approved") & Q(approved_eur__isnull=True)),
                name="approved_applications_have_an_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["call", "decision"], name="application_call_decision"),
            models.Index(fields=["country", "cycle"], name="application_country_cycle"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def overall_eligibility(self) -> str:
        statuses = {c.get("status") for c in self.eligibility or []}
        if "not_met" in statuses:
            return "not_met"
        if "unknown" in statuses or not statuses:
            return "unknown"
        return "met"


class ApplicationItem(models.Model):
    """An item asked for, with its estimated cost in the application's currency."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="items", verbose_name=_("application")
    )
    description = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    unit_cost = models.DecimalField(
        _("estimated unit cost"), **MONEY, validators=[MinValueValidator(ZERO)]
    )
    cost_eur = models.DecimalField(_("cost (EUR)"), **MONEY, null=True, editable=False)

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("item asked for")
        verbose_name_plural = _("items asked for")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="application_item_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    @property
    def total(self) -> Decimal:
        return self.unit_cost * self.quantity


class Evaluation(TimeStamped):
    """One committee member's declaration of interest and scores for one application."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="evaluations",
        verbose_name=_("application"),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="grant_evaluations",
        verbose_name=_("evaluator"),
    )
    declared_no_conflict = models.BooleanField(_("declared no conflict of interest"))
    declared_at = models.DateTimeField(_("declared at"))
    declaration_notes = models.TextField(_("declaration notes"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # 0–100 from the weighted criteria; set once every criterion is scored.
    weighted_score = models.DecimalField(
        _("weighted score"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["application", "evaluator__username"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "evaluator"],
                name="one_evaluation_per_evaluator",
                violation_error_message=_("This evaluator has evaluated this application."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} / {self.evaluator}"

    @property
    def complete(self) -> bool:
        return self.declared_no_conflict and self.weighted_score is not None


class Score(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(SCORE_MAX)]
    )

    class Meta:
        ordering = ["evaluation", "criterion__number"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(condition=Q(score__lte=SCORE_MAX), name="score_in_range"),
        ]

    def __str__(self) -> str:
        return str(self.score)


class Grant(TimeStamped):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="grant", verbose_name=_("application")
    )
    # The application's code.
    code = models.CharField(_("code"), max_length=40, unique=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.APPROVED,
        editable=False,
        db_index=True,
    )
    # The value as recorded (an import); the items bought make up value_eur otherwise.
    value = models.DecimalField(_("value"), **MONEY, null=True, blank=True, editable=False)
    currency = models.CharField(_("currency"), max_length=3, blank=True, editable=False)
    value_eur = models.DecimalField(
        _("value (EUR)"), **MONEY, null=True, blank=True, editable=False
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True, editable=False)
    # The signed handover document; historical imports have none.
    handover = models.FileField(
        _("handover document"), upload_to="grants/handover/%Y/", blank=True, editable=False
    )
    ownership_on = models.DateField(
        _("ownership passes to the person on"), null=True, blank=True, editable=False
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-delivered_on", "code"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="approved") | Q(delivered_on__isnull=False),
                name="delivered_grants_have_a_date",
            ),
            models.CheckConstraint(
                condition=Q(ownership_on__isnull=True) | Q(ownership_on__gte=F("delivered_on")),
                name="ownership_after_delivery",
            ),
        ]
        indexes = [models.Index(fields=["status", "delivered_on"], name="grant_status_delivered")]

    def __str__(self) -> str:
        return self.code


class GrantItem(TimeStamped):
    """An item bought for the grant, valued in EUR at the rate of its purchase date."""

    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="items", verbose_name=_("grant")
    )
    description = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(ZERO)])
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    purchased_on = models.DateField(_("purchased on"))
    supplier = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grant_items",
        limit_choices_to={"kind": Organisation.Kind.SUPPLIER},
        verbose_name=_("supplier"),
    )
    # Bought through a tender of the procurement app, where it fits.
    purchase_order = models.ForeignKey(
        "procurement.PurchaseOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grant_items",
        verbose_name=_("purchase order"),
    )
    value_eur = models.DecimalField(_("value (EUR)"), **MONEY, editable=False)
    rate_units_per_eur = models.DecimalField(
        _("rate (units per EUR)"), max_digits=18, decimal_places=6, editable=False
    )

    class Meta:
        ordering = ["grant", "purchased_on", "pk"]
        verbose_name = _("grant item")
        verbose_name_plural = _("grant items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="grant_item_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class Visit(TimeStamped):
    """A monitoring visit to the business, usually 3, 6, 12 and 24 months after delivery."""

    class Revenue(models.TextChoices):
        NONE = "none", _("No revenue")
        UP_TO_250 = "lt250", _("Up to 250 EUR a month")
        UP_TO_500 = "250-500", _("250–500 EUR a month")
        UP_TO_1000 = "500-1000", _("500–1,000 EUR a month")
        UP_TO_2500 = "1000-2500", _("1,000–2,500 EUR a month")
        OVER_2500 = "gt2500", _("Over 2,500 EUR a month")

    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="visits", verbose_name=_("grant")
    )
    visited_on = models.DateField(_("visited on"))
    business_active = models.BooleanField(_("business active"))
    revenue_band = models.CharField(
        _("monthly revenue"), max_length=10, choices=Revenue.choices, blank=True
    )
    jobs_created = models.PositiveSmallIntegerField(_("jobs created"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["grant", "-visited_on"]
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "visited_on"],
                name="one_visit_per_grant_and_day",
                violation_error_message=_("This grant has a visit on this day already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.grant} {self.visited_on}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit")
    )
    file = models.FileField(_("photo"), upload_to="grants/photos/%Y/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit", "uploaded_at"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.file.name
