"""The procurement endpoints: tenders (lots, bids, awards nested, read-only) and bids."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from resoc.core.api import UpperCaseCharField, validation_errors_as_400
from resoc.procurement.models import Award, Bid, Evaluator, Lot, LotItem, PurchaseOrder, Tender
from resoc.procurement.selectors import tender_list_for_user
from resoc.procurement.services import bid_save, tender_save
from resoc.registry.models import Organisation, ProjectCycle, currency_code


class BidSerializer(serializers.ModelSerializer):
    tender = serializers.CharField(source="lot.tender.code", read_only=True)
    lot = serializers.IntegerField(source="lot.number", read_only=True)
    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "lot",
            "supplier",
            "amount",
            "currency",
            "amount_eur",
            "rate_units_per_eur",
            "compliant",
            "received_on",
            "notes",
        ]


class BidUpdateSerializer(serializers.ModelSerializer):
    currency = UpperCaseCharField(max_length=3, validators=[currency_code])

    class Meta:
        model = Bid
        fields = ["amount", "currency", "compliant", "received_on", "notes"]


class BidCreateSerializer(BidUpdateSerializer):
    tender = serializers.SlugRelatedField(slug_field="code", queryset=Tender.objects.all())
    lot = serializers.IntegerField(min_value=1, help_text=gettext_lazy("The lot's number."))
    supplier = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER)
    )

    class Meta(BidUpdateSerializer.Meta):
        fields = ["tender", "lot", "supplier", *BidUpdateSerializer.Meta.fields]

    def validate(self, attrs):
        lot = Lot.objects.filter(tender=attrs["tender"], number=attrs["lot"]).first()
        if lot is None:
            raise serializers.ValidationError(
                {
                    "lot": _("Tender %(code)s has no lot %(n)s.")
                    % {"code": attrs["tender"].code, "n": attrs["lot"]}
                }
            )
        attrs["lot"] = lot
        attrs.pop("tender")
        return attrs


class AwardSerializer(serializers.ModelSerializer):
    supplier = serializers.CharField(source="bid.supplier.code", read_only=True)
    by = serializers.CharField(source="by.username", read_only=True, allow_null=True)

    class Meta:
        model = Award
        fields = ["bid", "supplier", "awarded_on", "reason", "by"]


class PurchaseOrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = PurchaseOrder
        fields = ["number", "issued_on", "amount", "currency"]


class LotSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    bids = BidSerializer(many=True, read_only=True)
    award = serializers.SerializerMethodField()
    purchase_order = serializers.SerializerMethodField()

    class Meta:
        model = Lot
        fields = ["number", "title", "items", "bids", "award", "purchase_order"]

    def get_items(self, lot) -> list[str]:
        return [li.item.code for li in lot.lot_items.all()]

    def _award(self, lot):
        try:
            return lot.award
        except Award.DoesNotExist:
            return None

    def get_award(self, lot) -> AwardSerializer(allow_null=True):
        award = self._award(lot)
        return AwardSerializer(award).data if award else None

    def get_purchase_order(self, lot) -> PurchaseOrderSerializer(allow_null=True):
        award = self._award(lot)
        order = getattr(award, "purchase_order", None) if award else None
        return PurchaseOrderSerializer(order).data if order else None


class EvaluatorSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    declared = serializers.BooleanField(read_only=True)

    class Meta:
        model = Evaluator
        fields = ["user", "declared", "declared_no_conflict", "declared_at"]


class TenderSerializer(serializers.ModelSerializer):
    cycle = serializers.SlugRelatedField(slug_field="code", queryset=ProjectCycle.objects.all())
    lots = LotSerializer(many=True, read_only=True)
    evaluators = EvaluatorSerializer(many=True, read_only=True)

    class Meta:
        model = Tender
        fields = [
            "code",
            "cycle",
            "title",
            "method",
            "published_on",
            "deadline_on",
            "status",
            "notes",
            "lots",
            "evaluators",
        ]
        read_only_fields = ["status"]


class TenderPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.has_perm("procurement.view_tender")
        return request.user.has_perm("procurement.change_tender")


def _tenders(user):
    return tender_list_for_user(user=user).prefetch_related(
        Prefetch(
            "lots",
            queryset=Lot.objects.select_related(
                "award__bid__supplier", "award__by", "award__purchase_order"
            ).prefetch_related(
                Prefetch(
                    "lot_items",
                    queryset=LotItem.objects.filter(active=True).select_related("item"),
                ),
                Prefetch("bids", queryset=Bid.objects.select_related("supplier", "lot__tender")),
            ),
        ),
        Prefetch("evaluators", queryset=Evaluator.objects.select_related("user")),
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("cycle", OpenApiTypes.STR, description=gettext_lazy("Cycle code.")),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Tender.Status.values),
            OpenApiParameter("method", OpenApiTypes.STR, enum=Tender.Method.values),
        ]
    )
)
class TenderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Tenders with their lots, bids, awards and orders; status changes are made on the pages."""

    serializer_class = TenderSerializer
    permission_classes = [permissions.IsAuthenticated, TenderPermission]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Tender.objects.none()
        qs = _tenders(self.request.user)
        if self.action == "list":
            params = self.request.query_params
            for param, lookup in (
                ("cycle", "cycle__code"),
                ("status", "status"),
                ("method", "method"),
            ):
                if params.get(param):
                    qs = qs.filter(**{lookup: params[param]})
        return qs

    def perform_create(self, serializer):
        self._save(serializer, Tender())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, tender):
        for name, value in serializer.validated_data.items():
            setattr(tender, name, value)
        with validation_errors_as_400():
            tender_save(actor=self.request.user, tender=tender)
        serializer.instance = _tenders(self.request.user).get(pk=tender.pk)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("tender", OpenApiTypes.STR, description=gettext_lazy("Tender code.")),
            OpenApiParameter("lot", OpenApiTypes.INT, description=gettext_lazy("Lot number.")),
        ]
    ),
    create=extend_schema(request=BidCreateSerializer, responses={201: BidSerializer}),
    update=extend_schema(request=BidUpdateSerializer, responses=BidSerializer),
    partial_update=extend_schema(request=BidUpdateSerializer, responses=BidSerializer),
)
class BidViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Bids for the lots of tenders, with their amount in EUR at the deadline's rate."""

    serializer_class = BidSerializer
    permission_classes = [permissions.IsAuthenticated, TenderPermission]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Bid.objects.none()
        qs = Bid.objects.filter(
            lot__tender__in=tender_list_for_user(user=self.request.user).values("pk")
        ).select_related("lot__tender", "supplier")
        if self.action == "list":
            params = self.request.query_params
            if params.get("tender"):
                qs = qs.filter(lot__tender__code=params["tender"])
            if params.get("lot", "").isdigit():
                qs = qs.filter(lot__number=int(params["lot"]))
        return qs.order_by("lot__tender__code", "lot__number", "amount_eur", "pk")

    def create(self, request, *args, **kwargs):
        serializer = BidCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        bid = self._save(Bid(), serializer.validated_data)
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        bid = self.get_object()
        serializer = BidUpdateSerializer(
            bid, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return Response(BidSerializer(self._save(bid, serializer.validated_data)).data)

    def _save(self, bid: Bid, data: dict) -> Bid:
        for name, value in data.items():
            setattr(bid, name, value)
        with validation_errors_as_400():
            bid_save(actor=self.request.user, bid=bid)
        return self.get_queryset().get(pk=bid.pk)
