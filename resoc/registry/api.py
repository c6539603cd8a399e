"""The registry endpoints of the API: everyone reads (sites within their scope), few write."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, viewsets

from resoc.audit.services import audit_record
from resoc.core.api import ScopedSlugField, UpperCaseCharField, validation_errors_as_400
from resoc.registry.models import (
    Country,
    CycleFunder,
    ExchangeRate,
    Institution,
    Organisation,
    PrisonAdministration,
    ProjectCycle,
    Workshop,
    currency_code,
)
from resoc.registry.selectors import institution_list_for_user, workshop_list_for_user
from resoc.registry.services import cycle_funders_set, funder_shares_check, registry_save


class CountryCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class ScopedInstitutionField(ScopedSlugField):
    """An institution by code, among those the caller may see (others are 'unknown')."""

    scope = staticmethod(institution_list_for_user)


class CountrySerializer(serializers.ModelSerializer):
    code = UpperCaseCharField(min_length=2, max_length=2)

    class Meta:
        model = Country
        fields = ["code", "name"]

    def validate_code(self, value):
        if not value.isascii() or not value.isalpha():
            raise serializers.ValidationError(_("Use a two-letter ISO 3166 code, e.g. RS."))
        clash = Country.objects.filter(code=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("A country with this code exists already."))
        return value


class InstitutionSerializer(serializers.ModelSerializer):
    country = CountryCodeField()
    administration = serializers.SlugRelatedField(
        slug_field="code",
        queryset=PrisonAdministration.objects.all(),
        allow_null=True,
        required=False,
    )

    class Meta:
        model = Institution
        fields = [
            "code",
            "name",
            "country",
            "administration",
            "kind",
            "municipality",
            "capacity",
            "active",
        ]


class WorkshopSerializer(serializers.ModelSerializer):
    institution = ScopedInstitutionField()

    class Meta:
        model = Workshop
        fields = ["code", "institution", "name", "trade"]


class OrganisationSerializer(serializers.ModelSerializer):
    country = CountryCodeField(allow_null=True, required=False)

    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "country"]


class CycleFunderSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all()
    )

    class Meta:
        model = CycleFunder
        fields = ["organisation", "share_percent"]


class CycleSerializer(serializers.ModelSerializer):
    countries = CountryCodeField(many=True, required=False)
    funders = CycleFunderSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("Replaces the cycle's funders; the shares must total 100."),
    )

    class Meta:
        model = ProjectCycle
        fields = ["code", "name", "start", "end", "budget_eur", "countries", "funders"]

    def validate_funders(self, funders):
        codes = [f["organisation"].code for f in funders]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise serializers.ValidationError(
                _("Each funder may appear once; repeated: %(codes)s.")
                % {"codes": ", ".join(repeated)}
            )
        try:
            funder_shares_check([f["share_percent"] for f in funders])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return funders

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end": _("The end cannot precede the start.")})
        return attrs

    def save_related(self, *, actor, instance: ProjectCycle, data: dict) -> None:
        if "countries" in data:
            before = sorted(instance.countries.values_list("code", flat=True))
            after = sorted(c.code for c in data["countries"])
            if before != after:
                instance.countries.set(data["countries"])
                audit_record(
                    "registry.projectcycle.countries_set",
                    actor=actor,
                    obj=instance,
                    detail={"before": before, "after": after},
                )
        if "funders" in data:
            shares = {f["organisation"]: f["share_percent"] for f in data["funders"]}
            cycle_funders_set(actor=actor, cycle=instance, shares=shares)


class ExchangeRateSerializer(serializers.ModelSerializer):
    currency = UpperCaseCharField(max_length=3, validators=[currency_code])

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "valid_from", "units_per_eur"]


class RegistryPermission(permissions.BasePermission):
    """Reading for every staff member; writing by the view's `write_permission`."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.has_perm("registry.view_registry")
        return request.user.has_perm(view.write_permission)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.has_perm(view.write_permission, obj)


class RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated, RegistryPermission]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    write_permission = "registry.change_registry"
    # Query parameter -> lookup, for the list; codes of countries and currencies are upper-case.
    list_filters: dict[str, str] = {}
    upper_case_filters = ("country", "currency")
    # Serializer fields saved after the record itself (many-to-many, nested).
    related_fields: tuple[str, ...] = ()

    def scoped_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        qs = self.scoped_queryset()
        if self.action == "list":
            for param, lookup in self.list_filters.items():
                value = self.request.query_params.get(param)
                if value:
                    if param in self.upper_case_filters:
                        value = value.upper()
                    qs = qs.filter(**{lookup: value})
        return qs

    def perform_create(self, serializer):
        self._save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, instance):
        data = serializer.validated_data
        for name, value in data.items():
            if name not in self.related_fields:
                setattr(instance, name, value)
        # Checked on the new state too: a coordinator cannot move a site out of their country.
        if not self.request.user.has_perm(self.write_permission, instance):
            raise exceptions.PermissionDenied(_("You cannot keep a record outside your countries."))
        with validation_errors_as_400(), transaction.atomic():
            registry_save(actor=self.request.user, instance=instance)
            if self.related_fields:
                serializer.save_related(actor=self.request.user, instance=instance, data=data)
        serializer.instance = instance


def _filter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=description)


class CountryViewSet(RegistryViewSet):
    serializer_class = CountrySerializer

    def scoped_queryset(self):
        return Country.objects.all()

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _filter("country", gettext_lazy("Country code, e.g. RS.")),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Institution.Kind.values),
        ]
    )
)
class InstitutionViewSet(RegistryViewSet):
    serializer_class = InstitutionSerializer
    write_permission = "registry.change_site"
    list_filters = {"country": "country__code", "kind": "kind"}

    def scoped_queryset(self):
        return institution_list_for_user(user=self.request.user)


@extend_schema_view(
    list=extend_schema(parameters=[_filter("institution", gettext_lazy("Institution code."))])
)
class WorkshopViewSet(RegistryViewSet):
    serializer_class = WorkshopSerializer
    write_permission = "registry.change_site"
    list_filters = {"institution": "institution__code"}

    def scoped_queryset(self):
        return workshop_list_for_user(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, enum=Organisation.Kind.values)]
    )
)
class OrganisationViewSet(RegistryViewSet):
    serializer_class = OrganisationSerializer
    list_filters = {"kind": "kind"}

    def scoped_queryset(self):
        return Organisation.objects.select_related("country")


class CycleViewSet(RegistryViewSet):
    serializer_class = CycleSerializer
    related_fields = ("countries", "funders")

    def scoped_queryset(self):
        return ProjectCycle.objects.prefetch_related("countries", "funders__organisation")


@extend_schema_view(
    list=extend_schema(parameters=[_filter("currency", gettext_lazy("ISO 4217 code, e.g. RSD."))])
)
class ExchangeRateViewSet(RegistryViewSet):
    serializer_class = ExchangeRateSerializer
    lookup_field = "pk"
    lookup_value_regex = "[0-9]+"
    list_filters = {"currency": "currency"}

    def scoped_queryset(self):
        return ExchangeRate.objects.all()
