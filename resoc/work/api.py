"""The work endpoints: assignments and work months (personal data), production (not).

Reads go through the scoped selectors: a record outside the caller's scope answers 404, a role
without the action 403. Every read of assignments and work months is audited.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.response import Response

from resoc.audit.services import audit_record
from resoc.core.api import ScopedSlugField, UpperCaseCharField, validation_errors_as_400
from resoc.people.api import ScopedPersonField
from resoc.registry.models import currency_code
from resoc.registry.selectors import workshop_list_for_user
from resoc.work import services
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.months import month_parse
from resoc.work.selectors import (
    active_in_month_q,
    assignment_list_for_user,
    buyer_list,
    production_list_for_user,
    work_month_list_for_user,
)


class ScopedWorkshopField(ScopedSlugField):
    scope = staticmethod(workshop_list_for_user)


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):
    """A month as `YYYY-MM`."""

    default_error_messages = {"invalid": gettext_lazy("Use YYYY-MM, e.g. 2025-03.")}

    def to_representation(self, value):
        return value.strftime("%Y-%m")

    def to_internal_value(self, data):
        try:
            return month_parse(data)
        except ValueError:
            self.fail("invalid")


class AssignmentSerializer(serializers.ModelSerializer):
    person = ScopedPersonField()
    workshop = ScopedWorkshopField()

    class Meta:
        model = WorkAssignment
        fields = [
            "id",
            "person",
            "workshop",
            "start",
            "end",
            "role",
            "hours_per_week",
            "ended_reason",
            "notes",
        ]
        # The rules (custody, overlap) run in the service, which answers their messages.
        validators = []


class AssignmentUpdateSerializer(AssignmentSerializer):
    """Who and where are fixed once recorded; an assignment is changed or ended."""

    person = serializers.SlugRelatedField(slug_field="ref", read_only=True)
    workshop = serializers.SlugRelatedField(slug_field="code", read_only=True)


class WorkMonthSerializer(serializers.ModelSerializer):
    person = ScopedPersonField()
    workshop = ScopedWorkshopField()
    month = MonthField()
    currency = UpperCaseCharField(max_length=3, validators=[currency_code])

    class Meta:
        model = WorkMonth
        fields = ["id", "person", "workshop", "month", "hours", "pay", "currency", "pay_eur"]
        read_only_fields = ["pay_eur"]
        validators = []


class WorkMonthUpdateSerializer(WorkMonthSerializer):
    person = serializers.SlugRelatedField(slug_field="ref", read_only=True)
    workshop = serializers.SlugRelatedField(slug_field="code", read_only=True)
    month = MonthField(read_only=True)


class ProductionSerializer(serializers.ModelSerializer):
    workshop = ScopedWorkshopField()
    month = MonthField()
    buyer = serializers.SlugRelatedField(
        slug_field="code", queryset=buyer_list(), allow_null=True, required=False
    )
    currency = UpperCaseCharField(
        max_length=3, validators=[currency_code], allow_blank=True, required=False
    )

    class Meta:
        model = ProductionRecord
        fields = [
            "id",
            "workshop",
            "month",
            "product",
            "quantity",
            "unit",
            "value",
            "currency",
            "value_eur",
            "buyer",
        ]
        read_only_fields = ["value_eur"]
        validators = []


class WorkPermission(permissions.BasePermission):
    """Reading with the view's `read_permission`; writing with `write_permission` for the
    record's workshop."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.has_perm(view.read_permission)
        return request.user.has_perm(view.write_permission)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.has_perm(view.write_permission, obj.workshop)


def _filter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=description)


WORKSHOP_FILTER = _filter("workshop", gettext_lazy("Workshop code."))
PERSON_FILTER = _filter("person", gettext_lazy("Person reference."))
MONTH_FILTER = _filter("month", gettext_lazy("Month, YYYY-MM."))


class WorkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated, WorkPermission]
    read_permission = "work.view_work"
    write_permission = "work.change_work"
    update_serializer_class = None
    personal = True

    def scoped_queryset(self):
        raise NotImplementedError

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return self.serializer_class

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        qs = self.scoped_queryset()
        if self.action == "list":
            qs = self.filtered(qs, self.request.query_params)
        return qs

    def filtered(self, qs, params):
        if params.get("workshop"):
            qs = qs.filter(workshop__code=params["workshop"])
        if self.personal and params.get("person"):
            qs = qs.filter(person__ref=params["person"].upper())
        return qs

    def _month_param(self, params):
        try:
            return month_parse(params["month"])
        except ValueError:
            raise serializers.ValidationError({"month": _("Use YYYY-MM, e.g. 2025-03.")}) from None

    def _audit(self, *, rows=(), obj=None) -> None:
        if not self.personal:
            return
        label = self.serializer_class.Meta.model._meta.label_lower
        if obj is not None:
            person_ref = obj.person.ref
            audit_record(f"{label}.viewed", actor=self.request.user, obj=obj, person_ref=person_ref)
        else:
            refs = sorted({r.person.ref for r in rows})
            audit_record(f"{label}.listed", actor=self.request.user, detail={"refs": refs})

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        self._audit(rows=page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self._audit(obj=obj)
        return Response(self.get_serializer(obj).data)

    def perform_create(self, serializer):
        instance = serializer.Meta.model(**serializer.validated_data)
        self._save(serializer, instance)

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        self._save(serializer, instance)

    def _save(self, serializer, instance):
        # Checked on the record itself: the workshop must be one the caller may change.
        if not self.request.user.has_perm(self.write_permission, instance.workshop):
            raise exceptions.PermissionDenied(_("You cannot change work outside your sites."))
        with validation_errors_as_400():
            self.save(instance)
        serializer.instance = instance

    def save(self, instance):
        raise NotImplementedError


@extend_schema_view(
    list=extend_schema(
        parameters=[
            WORKSHOP_FILTER,
            PERSON_FILTER,
            _filter("month", gettext_lazy("Active in this month, YYYY-MM.")),
            OpenApiParameter(
                "open",
                OpenApiTypes.BOOL,
                description=gettext_lazy("Only assignments without an end."),
            ),
        ]
    ),
    update=extend_schema(request=AssignmentUpdateSerializer, responses=AssignmentSerializer),
    partial_update=extend_schema(
        request=AssignmentUpdateSerializer, responses=AssignmentSerializer
    ),
)
class WorkAssignmentViewSet(WorkViewSet):
    """Who works in which workshop. Ending an assignment: PATCH its `end` and `ended_reason`."""

    serializer_class = AssignmentSerializer
    update_serializer_class = AssignmentUpdateSerializer

    def scoped_queryset(self):
        return assignment_list_for_user(user=self.request.user).order_by("-start", "pk")

    def filtered(self, qs, params):
        qs = super().filtered(qs, params)
        if params.get("month"):
            qs = qs.filter(active_in_month_q(self._month_param(params)))
        if params.get("open") in ("1", "true", "True"):
            qs = qs.filter(end__isnull=True)
        return qs

    def save(self, instance):
        services.assignment_save(actor=self.request.user, assignment=instance)


@extend_schema_view(
    list=extend_schema(parameters=[WORKSHOP_FILTER, PERSON_FILTER, MONTH_FILTER]),
    update=extend_schema(request=WorkMonthUpdateSerializer, responses=WorkMonthSerializer),
    partial_update=extend_schema(request=WorkMonthUpdateSerializer, responses=WorkMonthSerializer),
)
class WorkMonthViewSet(WorkViewSet):
    """Hours and pay of one person in one workshop and month; pay in EUR is computed."""

    serializer_class = WorkMonthSerializer
    update_serializer_class = WorkMonthUpdateSerializer

    def scoped_queryset(self):
        return work_month_list_for_user(user=self.request.user).order_by(
            "-month", "workshop__code", "person__ref"
        )

    def filtered(self, qs, params):
        qs = super().filtered(qs, params)
        if params.get("month"):
            qs = qs.filter(month=self._month_param(params))
        return qs

    def save(self, instance):
        services.work_month_save(actor=self.request.user, record=instance)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            WORKSHOP_FILTER,
            MONTH_FILTER,
            _filter("buyer", gettext_lazy("Buyer organisation code.")),
        ]
    )
)
class ProductionViewSet(WorkViewSet):
    """What workshops produced and sold; readable by every role within its sites."""

    serializer_class = ProductionSerializer
    read_permission = "work.view_production"
    write_permission = "work.change_production"
    personal = False

    def scoped_queryset(self):
        return production_list_for_user(user=self.request.user).order_by(
            "-month", "workshop__code", "product", "pk"
        )

    def filtered(self, qs, params):
        qs = super().filtered(qs, params)
        if params.get("month"):
            qs = qs.filter(month=self._month_param(params))
        if params.get("buyer"):
            qs = qs.filter(Q(buyer__code=params["buyer"]))
        return qs

    def save(self, instance):
        services.production_save(actor=self.request.user, record=instance)
