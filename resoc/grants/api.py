"""The grants endpoints: calls, applications (with evaluation and decision), grants (items,
delivery, closing) and monitoring visits.

Reads go through the scoped selectors: a record outside the caller's scope answers 404, a role
without the action 403. Reads of applications, grants and visits are audited. The rules are the
services', as on the pages.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from resoc.accounts.models import User
from resoc.audit.services import audit_record
from resoc.core.api import ScopedSlugField, UpperCaseCharField, validation_errors_as_400
from resoc.grants import roles, services
from resoc.grants.models import (
    SCORE_MAX,
    Application,
    ApplicationItem,
    Call,
    Criterion,
    Evaluation,
    Grant,
    GrantItem,
    Visit,
)
from resoc.grants.selectors import (
    application_list_for_user,
    call_approved_total,
    call_list_for_user,
    calls_writable_by,
    grant_list_for_user,
    visit_list_for_user,
    with_scores,
)
from resoc.people.api import ScopedPersonField
from resoc.procurement.models import PurchaseOrder
from resoc.registry.api import CountryCodeField
from resoc.registry.models import Organisation, ProjectCycle, currency_code


class WritableCallField(ScopedSlugField):
    """A call by code, among those the caller may add applications to."""

    scope = staticmethod(calls_writable_by)


class ScopedGrantField(ScopedSlugField):
    scope = staticmethod(grant_list_for_user)


# Calls


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["number", "name", "weight"]
        read_only_fields = ["number"]


class CallSerializer(serializers.ModelSerializer):
    cycle = serializers.SlugRelatedField(slug_field="code", queryset=ProjectCycle.objects.all())
    country = CountryCodeField()
    committee = serializers.SlugRelatedField(
        slug_field="username",
        many=True,
        required=False,
        queryset=User.objects.filter(role__in=roles.EVALUATOR_ROLES),
        help_text=gettext_lazy("Usernames of the evaluation committee; replaces it."),
    )
    criteria = CriterionSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("Replaces the call's criteria; the weights must total 100."),
    )
    approved_eur = serializers.SerializerMethodField()
    remaining_eur = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "code",
            "cycle",
            "country",
            "title",
            "budget_eur",
            "opens_on",
            "closes_on",
            "released_within_months",
            "release_within_days",
            "requires_training",
            "requires_no_reoffending",
            "committee",
            "criteria",
            "approved_eur",
            "remaining_eur",
            "notes",
        ]
        validators = []

    def _approved(self, call):
        total = getattr(call, "approved_total", None)
        return call_approved_total(call) if total is None else total

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_approved_eur(self, call):
        return str(self._approved(call))

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_remaining_eur(self, call):
        return str(call.budget_eur - self._approved(call))


# Applications


class ApplicationItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationItem
        fields = ["description", "quantity", "unit_cost", "cost_eur"]
        read_only_fields = ["cost_eur"]


class EligibilitySerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.ChoiceField(choices=["met", "not_met", "unknown"])
    reason = serializers.CharField()


class ApplicationSerializer(serializers.ModelSerializer):
    call = WritableCallField()
    person = ScopedPersonField()
    cycle = serializers.SlugRelatedField(slug_field="code", read_only=True)
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)
    currency = UpperCaseCharField(max_length=3, validators=[currency_code], required=False)
    items = ApplicationItemSerializer(many=True)
    eligibility = EligibilitySerializer(many=True, read_only=True)
    has_business_plan = serializers.SerializerMethodField()
    average_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True, default=None
    )
    evaluation_count = serializers.IntegerField(read_only=True, default=0)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Application
        fields = [
            "code",
            "call",
            "person",
            "cycle",
            "country",
            "applied_on",
            "business_idea",
            "sector",
            "currency",
            "own_contribution",
            "own_contribution_eur",
            "requested_eur",
            "items",
            "has_business_plan",
            "eligibility",
            "eligibility_checked_on",
            "decision",
            "decision_reason",
            "decided_on",
            "decided_by",
            "approved_eur",
            "average_score",
            "evaluation_count",
        ]
        read_only_fields = [
            "code",
            "own_contribution_eur",
            "requested_eur",
            "eligibility_checked_on",
            "decision",
            "decision_reason",
            "decided_on",
            "approved_eur",
        ]
        validators = []

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_business_plan(self, application) -> bool:
        return bool(application.business_plan)


class ApplicationUpdateSerializer(ApplicationSerializer):
    """The call and the applicant are fixed once the application is recorded."""

    call = serializers.SlugRelatedField(slug_field="code", read_only=True)
    person = serializers.SlugRelatedField(slug_field="ref", read_only=True)
    items = ApplicationItemSerializer(many=True, required=False)


class EvaluationSerializer(serializers.Serializer):
    no_conflict = serializers.BooleanField(
        help_text=gettext_lazy("Your declaration: true when nothing ties you to the applicant.")
    )
    declaration_notes = serializers.CharField(required=False, allow_blank=True, default="")
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=SCORE_MAX),
        required=False,
        help_text=gettext_lazy("{criterion number: score 0–10} for every criterion of the call."),
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationResultSerializer(serializers.ModelSerializer):
    evaluator = serializers.SlugRelatedField(slug_field="username", read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "evaluator",
            "declared_no_conflict",
            "declared_at",
            "declaration_notes",
            "scores",
            "weighted_score",
            "notes",
        ]

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_scores(self, evaluation):
        return {str(s.criterion.number): s.score for s in evaluation.scores.all()}


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[
            Application.Decision.APPROVED,
            Application.Decision.REJECTED,
            Application.Decision.WAITLISTED,
        ]
    )
    reason = serializers.CharField()
    approved_eur = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    decided_on = serializers.DateField(required=False, allow_null=True)


class BusinessPlanSerializer(serializers.Serializer):
    business_plan = serializers.FileField()


# Grants and visits


class GrantItemSerializer(serializers.ModelSerializer):
    currency = UpperCaseCharField(max_length=3, validators=[currency_code])
    supplier = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER),
        required=False,
        allow_null=True,
    )
    purchase_order = serializers.SlugRelatedField(
        slug_field="number",
        queryset=PurchaseOrder.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = GrantItem
        fields = [
            "id",
            "description",
            "quantity",
            "unit_price",
            "currency",
            "purchased_on",
            "supplier",
            "purchase_order",
            "value_eur",
            "rate_units_per_eur",
        ]
        read_only_fields = ["value_eur", "rate_units_per_eur"]


class GrantSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="application.person.ref", read_only=True)
    call = serializers.CharField(source="application.call.code", read_only=True, allow_null=True)
    cycle = serializers.CharField(source="application.cycle.code", read_only=True)
    country = serializers.CharField(source="application.country.code", read_only=True)
    sector = serializers.CharField(source="application.sector", read_only=True)
    approved_eur = serializers.DecimalField(
        source="application.approved_eur", max_digits=14, decimal_places=2, read_only=True
    )
    items = GrantItemSerializer(many=True, read_only=True)
    has_handover = serializers.SerializerMethodField()

    class Meta:
        model = Grant
        fields = [
            "code",
            "person",
            "call",
            "cycle",
            "country",
            "sector",
            "status",
            "approved_eur",
            "value",
            "currency",
            "value_eur",
            "delivered_on",
            "has_handover",
            "ownership_on",
            "closed_on",
            "notes",
            "items",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_handover(self, grant) -> bool:
        return bool(grant.handover)


class DeliverySerializer(serializers.Serializer):
    delivered_on = serializers.DateField()
    ownership_on = serializers.DateField(required=False, allow_null=True)
    handover = serializers.FileField(help_text=gettext_lazy("The signed handover document."))


class OwnershipSerializer(serializers.Serializer):
    ownership_on = serializers.DateField()


class CloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField()
    reason = serializers.CharField()


class VisitSerializer(serializers.ModelSerializer):
    grant = ScopedGrantField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "grant",
            "visited_on",
            "business_active",
            "revenue_band",
            "jobs_created",
            "notes",
        ]
        validators = []


class VisitUpdateSerializer(VisitSerializer):
    grant = serializers.SlugRelatedField(slug_field="code", read_only=True)


# Views


class GrantsPermission(permissions.BasePermission):
    """Reading for the grant readers; writing for the grant writers, checked on the record with
    `grants.change_grants` (committee members post their evaluation)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or view.action == "evaluation":
            return request.user.has_perm("grants.view_grants")
        return request.user.has_perm("grants.view_grants") and request.user.has_perm(
            "grants.write_grants"
        )

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        perm = view.object_permissions.get(view.action, "grants.change_grants")
        return request.user.has_perm(perm, obj)


def _refs(rows) -> list[str]:
    return sorted({r for r in rows if r})


class GrantsViewSet(viewsets.GenericViewSet):
    """List and retrieve through the scoped selectors, audited; subclasses add the writes
    (their mixins come after this class, so these list and retrieve are the ones used)."""

    permission_classes = [permissions.IsAuthenticated, GrantsPermission]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    # Action -> permission checked on the record, when not grants.change_grants.
    object_permissions: dict[str, str] = {}
    update_serializer_class = None
    personal = True

    def scoped_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        qs = self.scoped_queryset()
        if self.action == "list":
            qs = self.filtered(qs, self.request.query_params)
        return qs

    def filtered(self, qs, params):
        return qs

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return self.serializer_class

    def person_ref(self, obj) -> str:
        return ""

    def _audit(self, *, rows=(), obj=None) -> None:
        if not self.personal:
            return
        label = self.serializer_class.Meta.model._meta.label_lower
        if obj is not None:
            audit_record(
                f"{label}.viewed", actor=self.request.user, obj=obj, person_ref=self.person_ref(obj)
            )
        else:
            refs = _refs(self.person_ref(r) for r in rows)
            audit_record(f"{label}.listed", actor=self.request.user, detail={"refs": refs})

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        self._audit(rows=page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self._audit(obj=obj)
        return Response(self.get_serializer(obj).data)

    def _require(self, perm, obj):
        if not self.request.user.has_perm(perm, obj):
            raise exceptions.PermissionDenied(
                _("You cannot change grant records outside your countries.")
            )

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _filter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=description)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _filter("cycle", gettext_lazy("Cycle code.")),
            _filter("country", gettext_lazy("Country code.")),
        ]
    )
)
class CallViewSet(GrantsViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Calls for grant applications per cycle and country, with budget, rules and criteria."""

    serializer_class = CallSerializer
    personal = False

    def scoped_queryset(self):
        return (
            call_list_for_user(user=self.request.user)
            .prefetch_related(
                Prefetch("committee", queryset=User.objects.order_by("username")), "criteria"
            )
            .order_by("-opens_on", "code")
        )

    def filtered(self, qs, params):
        if params.get("cycle"):
            qs = qs.filter(cycle__code=params["cycle"])
        if params.get("country"):
            qs = qs.filter(country__code=params["country"].upper())
        return qs

    def perform_create(self, serializer):
        if not self.request.user.has_perm("grants.add_call"):
            raise exceptions.PermissionDenied
        self._save(serializer, Call())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, call):
        data = dict(serializer.validated_data)
        committee = data.pop("committee", None)
        criteria = data.pop("criteria", None)
        for name, value in data.items():
            setattr(call, name, value)
        self._require("grants.change_grants", call)
        with validation_errors_as_400(), transaction.atomic():
            services.call_save(actor=self.request.user, call=call, committee=committee)
            if criteria is not None:
                services.criteria_set(
                    actor=self.request.user,
                    call=call,
                    criteria=[(c["name"], c["weight"]) for c in criteria],
                )
        serializer.instance = call_list_for_user(user=self.request.user).get(pk=call.pk)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _filter("call", gettext_lazy("Call code.")),
            _filter("person", gettext_lazy("Person reference.")),
            _filter("decision", gettext_lazy("pending, approved, rejected or waitlisted.")),
        ]
    ),
    update=extend_schema(request=ApplicationUpdateSerializer, responses=ApplicationSerializer),
    partial_update=extend_schema(
        request=ApplicationUpdateSerializer, responses=ApplicationSerializer
    ),
)
class ApplicationViewSet(GrantsViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Applications for grants: eligibility is checked automatically; committee members post
    their evaluation, grant officers the decision."""

    serializer_class = ApplicationSerializer
    update_serializer_class = ApplicationUpdateSerializer
    object_permissions = {"evaluation": "grants.evaluate"}

    def scoped_queryset(self):
        qs = application_list_for_user(user=self.request.user).select_related("decided_by")
        return with_scores(qs).prefetch_related("items").order_by("-applied_on", "code")

    def filtered(self, qs, params):
        if params.get("call"):
            qs = qs.filter(call__code=params["call"])
        if params.get("person"):
            qs = qs.filter(person__ref=params["person"].upper())
        if params.get("decision"):
            qs = qs.filter(decision=params["decision"])
        return qs

    def person_ref(self, obj) -> str:
        return obj.person.ref

    def _items(self, data):
        if "items" not in data:
            return None
        return [ApplicationItem(**item) for item in data.pop("items")]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        items = self._items(data)
        application = Application(**data)
        self._require("grants.change_grants", application.call)
        with validation_errors_as_400():
            services.application_save(actor=self.request.user, application=application, items=items)
        serializer.instance = self.scoped_queryset().get(pk=application.pk)

    def perform_update(self, serializer):
        application = serializer.instance
        data = dict(serializer.validated_data)
        items = self._items(data)
        for name, value in data.items():
            setattr(application, name, value)
        with validation_errors_as_400():
            services.application_save(actor=self.request.user, application=application, items=items)
        serializer.instance = self.scoped_queryset().get(pk=application.pk)

    def _answer(self, application, code=status.HTTP_200_OK):
        fresh = self.scoped_queryset().get(pk=application.pk)
        self._audit(obj=fresh)
        return Response(
            ApplicationSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=EvaluationSerializer, responses=EvaluationResultSerializer)
    @action(detail=True, methods=["post"])
    def evaluation(self, request, code=None):
        """Your own declaration of interest and, with no conflict, your scores."""
        application = self.get_object()
        data = self._input(EvaluationSerializer)
        with validation_errors_as_400(), transaction.atomic():
            evaluation = services.evaluation_declare(
                actor=request.user,
                application=application,
                no_conflict=data["no_conflict"],
                notes=data["declaration_notes"],
            )
            if data.get("scores") and data["no_conflict"]:
                criteria = {c.number: c.pk for c in application.call.criteria.all()}
                unknown = sorted(k for k in data["scores"] if _number(k) not in criteria)
                if unknown:
                    raise serializers.ValidationError(
                        {"scores": _("Unknown criteria: %(n)s.") % {"n": ", ".join(unknown)}}
                    )
                scores = {criteria[_number(k)]: v for k, v in data["scores"].items()}
                evaluation = services.evaluation_score(
                    actor=request.user,
                    application=application,
                    scores=scores,
                    notes=data["notes"],
                )
        evaluation = (
            Evaluation.objects.select_related("evaluator")
            .prefetch_related("scores__criterion")
            .get(pk=evaluation.pk)
        )
        return Response(EvaluationResultSerializer(evaluation).data)

    @extend_schema(request=DecisionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, code=None):
        """Approve, reject or waitlist with a reason (two evaluations, eligibility and budget
        hold as on the pages)."""
        application = self.get_object()
        data = self._input(DecisionSerializer)
        with validation_errors_as_400():
            services.application_decide(
                actor=request.user,
                application=application,
                decision=data["decision"],
                reason=data["reason"],
                approved_eur=data.get("approved_eur"),
                on=data.get("decided_on") or timezone.localdate(),
            )
        return self._answer(application)

    @extend_schema(
        request={"multipart/form-data": BusinessPlanSerializer}, responses=ApplicationSerializer
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="business-plan",
        parser_classes=[MultiPartParser, FormParser],
    )
    def business_plan(self, request, code=None):
        """Upload the business plan (PDF)."""
        application = self.get_object()
        data = self._input(BusinessPlanSerializer)
        with validation_errors_as_400():
            services.application_plan_upload(
                actor=request.user, application=application, upload=data["business_plan"]
            )
        return self._answer(application)


def _number(key) -> int | None:
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _filter("status", gettext_lazy("approved, delivered or closed.")),
            _filter("sector", gettext_lazy("Sector.")),
            _filter("cycle", gettext_lazy("Cycle code.")),
            _filter("country", gettext_lazy("Country code.")),
            _filter("person", gettext_lazy("Person reference.")),
        ]
    )
)
class GrantViewSet(GrantsViewSet):
    """In-kind grants (made by approving an application): items bought, delivery, closing."""

    serializer_class = GrantSerializer

    def scoped_queryset(self):
        items = GrantItem.objects.select_related("supplier", "purchase_order")
        return (
            grant_list_for_user(user=self.request.user)
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-delivered_on", "code")
        )

    def filtered(self, qs, params):
        for param, lookup in (
            ("status", "status"),
            ("sector", "application__sector"),
            ("cycle", "application__cycle__code"),
        ):
            if params.get(param):
                qs = qs.filter(**{lookup: params[param]})
        if params.get("country"):
            qs = qs.filter(application__country__code=params["country"].upper())
        if params.get("person"):
            qs = qs.filter(application__person__ref=params["person"].upper())
        return qs

    def person_ref(self, obj) -> str:
        return obj.application.person.ref

    def _answer(self, grant):
        fresh = self.scoped_queryset().get(pk=grant.pk)
        self._audit(obj=fresh)
        return Response(GrantSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=GrantItemSerializer, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def items(self, request, code=None):
        """Record an item bought for the grant (valued at the purchase date's rate)."""
        grant = self.get_object()
        data = self._input(GrantItemSerializer)
        with validation_errors_as_400():
            services.grant_item_add(actor=request.user, grant=grant, item=GrantItem(**data))
        return self._answer(grant)

    @extend_schema(request={"multipart/form-data": DeliverySerializer}, responses=GrantSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def delivery(self, request, code=None):
        """The delivery, with the signed handover document."""
        grant = self.get_object()
        data = self._input(DeliverySerializer)
        with validation_errors_as_400():
            services.grant_deliver(actor=request.user, grant=grant, **data)
        return self._answer(grant)

    @extend_schema(request=OwnershipSerializer, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def ownership(self, request, code=None):
        grant = self.get_object()
        data = self._input(OwnershipSerializer)
        with validation_errors_as_400():
            services.grant_ownership_set(actor=request.user, grant=grant, **data)
        return self._answer(grant)

    @extend_schema(request=CloseSerializer, responses=GrantSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def close(self, request, code=None):
        grant = self.get_object()
        data = self._input(CloseSerializer)
        with validation_errors_as_400():
            services.grant_close(actor=request.user, grant=grant, **data)
        return self._answer(grant)


@extend_schema_view(
    list=extend_schema(parameters=[_filter("grant", gettext_lazy("Grant code."))]),
    update=extend_schema(request=VisitUpdateSerializer, responses=VisitSerializer),
    partial_update=extend_schema(request=VisitUpdateSerializer, responses=VisitSerializer),
)
class VisitViewSet(GrantsViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Monitoring visits to the businesses after delivery (photos are added on the pages)."""

    serializer_class = VisitSerializer
    update_serializer_class = VisitUpdateSerializer
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"

    def scoped_queryset(self):
        return visit_list_for_user(user=self.request.user).order_by("-visited_on", "pk")

    def filtered(self, qs, params):
        if params.get("grant"):
            qs = qs.filter(grant__code=params["grant"])
        return qs

    def person_ref(self, obj) -> str:
        return obj.grant.application.person.ref

    def perform_create(self, serializer):
        visit = Visit(**serializer.validated_data)
        self._require("grants.change_grants", visit.grant)
        self._save(serializer, visit)

    def perform_update(self, serializer):
        visit = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(visit, name, value)
        self._save(serializer, visit)

    def _save(self, serializer, visit):
        with validation_errors_as_400():
            services.visit_save(actor=self.request.user, visit=visit)
        serializer.instance = visit
