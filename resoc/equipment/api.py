"""The equipment endpoints: the register, one item with its value by funder and status history,
create and update, and status changes. Every role reads the items of its sites (404 outside);
writers are admin, manager, procurement and coordinators (their countries)."""

from django.db.models import Prefetch
from django.urls import reverse
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
from rest_framework.response import Response

from resoc.core.api import ScopedSlugField, UpperCaseCharField, validation_errors_as_400
from resoc.equipment import services
from resoc.equipment.models import EquipmentFile, EquipmentItem, Status, StatusChange
from resoc.equipment.selectors import (
    equipment_filter,
    equipment_list_for_user,
    item_value_by_funder,
)
from resoc.registry.models import Organisation, ProjectCycle, currency_code
from resoc.registry.selectors import workshop_list_for_user


class ScopedWorkshopField(ScopedSlugField):
    """A workshop by code, among those the caller may see (others are 'unknown')."""

    scope = staticmethod(workshop_list_for_user)


class EquipmentListSerializer(serializers.ModelSerializer):
    workshop = serializers.CharField(source="workshop.code", read_only=True)
    institution = serializers.CharField(source="workshop.institution.code", read_only=True)
    country = serializers.CharField(source="workshop.institution.country.code", read_only=True)
    cycle = serializers.CharField(source="cycle.code", read_only=True)
    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = EquipmentItem
        fields = [
            "code",
            "name",
            "category",
            "workshop",
            "institution",
            "country",
            "cycle",
            "status",
            "status_on",
            "quantity",
            "unit_price",
            "currency",
            "value_eur",
            "rate_units_per_eur",
            "rate_date",
            "ordered_on",
            "delivered_on",
            "supplier",
        ]


class FunderValueSerializer(serializers.Serializer):
    funder = serializers.CharField()
    name = serializers.CharField()
    value_eur = serializers.DecimalField(max_digits=14, decimal_places=2)


class StatusChangeSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    document = serializers.SerializerMethodField()

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "on", "by", "reason", "document"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_document(self, change) -> str | None:
        if not change.document:
            return None
        url = reverse("equipment:status_document", args=[change.item.code, change.pk])
        return self.context["request"].build_absolute_uri(url)


class EquipmentFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = EquipmentFile
        fields = ["kind", "title", "uploaded_at", "url"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, record) -> str:
        url = reverse("equipment:file_download", args=[record.item.code, record.pk])
        return self.context["request"].build_absolute_uri(url)


class EquipmentDetailSerializer(EquipmentListSerializer):
    value_by_funder = serializers.SerializerMethodField()
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    files = EquipmentFileSerializer(many=True, read_only=True)

    class Meta(EquipmentListSerializer.Meta):
        fields = [
            *EquipmentListSerializer.Meta.fields,
            "specification",
            "serial_numbers",
            "warranty_end",
            "value_by_funder",
            "status_history",
            "files",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(FunderValueSerializer(many=True))
    def get_value_by_funder(self, item) -> list:
        rows = [
            {"funder": o.code, "name": o.name, "value_eur": value}
            for o, value in item_value_by_funder(item)
        ]
        return FunderValueSerializer(rows, many=True).data


class EquipmentUpdateSerializer(serializers.ModelSerializer):
    workshop = ScopedWorkshopField()
    cycle = serializers.SlugRelatedField(slug_field="code", queryset=ProjectCycle.objects.all())
    currency = UpperCaseCharField(max_length=3, validators=[currency_code])
    supplier = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("Code of an organisation of kind supplier."),
    )

    class Meta:
        model = EquipmentItem
        fields = [
            "workshop",
            "cycle",
            "name",
            "category",
            "specification",
            "quantity",
            "unit_price",
            "currency",
            "supplier",
            "serial_numbers",
            "warranty_end",
        ]


class EquipmentCreateSerializer(EquipmentUpdateSerializer):
    class Meta(EquipmentUpdateSerializer.Meta):
        fields = ["code", *EquipmentUpdateSerializer.Meta.fields]


class StatusMoveSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Status.choices)
    on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    document = serializers.FileField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Optional (multipart): PDF, JPEG or PNG, up to 10 MB."),
    )


class EquipmentPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.has_perm("equipment.view_item")
        if view.action == "create":
            return request.user.has_perm("equipment.add_item")
        return True  # an item's changes are checked on the item

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.has_perm("equipment.change_item", obj)


def _param(name: str, description: str, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=description, **kwargs)


LIST_PARAMETERS = [
    _param("country", gettext_lazy("Country code, e.g. RS.")),
    _param("institution", gettext_lazy("Institution code.")),
    _param("workshop", gettext_lazy("Workshop code.")),
    _param("cycle", gettext_lazy("Project cycle code.")),
    _param("status", gettext_lazy("Status."), enum=Status.values),
    _param("funder", gettext_lazy("Organisation code: items of the cycles it co-finances.")),
    _param("search", gettext_lazy("Part of the code or name.")),
]


@extend_schema_view(
    list=extend_schema(parameters=LIST_PARAMETERS, responses=EquipmentListSerializer(many=True)),
    create=extend_schema(
        request=EquipmentCreateSerializer, responses={201: EquipmentDetailSerializer}
    ),
    update=extend_schema(request=EquipmentUpdateSerializer, responses=EquipmentDetailSerializer),
    partial_update=extend_schema(
        request=EquipmentUpdateSerializer, responses=EquipmentDetailSerializer
    ),
)
class EquipmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Equipment items in the caller's sites; anything else answers 404."""

    serializer_class = EquipmentDetailSerializer
    permission_classes = [permissions.IsAuthenticated, EquipmentPermission]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EquipmentItem.objects.none()
        qs = equipment_list_for_user(user=self.request.user).select_related("supplier")
        if self.action == "list":
            params = self.request.query_params
            wanted = params.get("status", "")
            if wanted and wanted not in Status.values:
                raise serializers.ValidationError(
                    {
                        "status": _("Unknown status %(status)s; use one of: %(values)s.")
                        % {"status": wanted, "values": ", ".join(Status.values)}
                    }
                )
            filters = ("country", "institution", "workshop", "cycle", "status", "funder")
            qs = equipment_filter(
                qs, query=params.get("search", ""), **{n: params.get(n, "") for n in filters}
            )
            return qs
        return qs.prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("by")),
            "files",
        )

    def get_serializer_class(self):
        if self.action == "list":
            return EquipmentListSerializer
        if self.action == "create":
            return EquipmentCreateSerializer
        if self.action in ("update", "partial_update"):
            return EquipmentUpdateSerializer
        if self.action == "status_change":
            return StatusMoveSerializer
        return EquipmentDetailSerializer

    def _detail(self, item, code=status.HTTP_200_OK) -> Response:
        item = self.get_queryset().get(pk=item.pk)
        serializer = EquipmentDetailSerializer(item, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def _save(self, item: EquipmentItem, data: dict) -> EquipmentItem:
        for name, value in data.items():
            setattr(item, name, value)
        # Checked on the new state: a coordinator cannot move an item out of their countries.
        if not self.request.user.has_perm("equipment.change_item", item):
            raise exceptions.PermissionDenied(_("You cannot keep an item outside your countries."))
        with validation_errors_as_400():
            return services.equipment_save(actor=self.request.user, item=item)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = self._save(EquipmentItem(), serializer.validated_data)
        return self._detail(item, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = self.get_serializer(
            item, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        return self._detail(self._save(item, serializer.validated_data))

    @extend_schema(request=StatusMoveSerializer, responses={201: EquipmentDetailSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def status_change(self, request, code=None):
        """Move the item to another status (forward, or back with a reason)."""
        item = self.get_object()
        serializer = StatusMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with validation_errors_as_400():
            services.equipment_status_change(
                actor=request.user, item=item, **serializer.validated_data
            )
        return self._detail(item, status.HTTP_201_CREATED)
