"""The persons endpoints of the API. Every read goes through the scoped selectors and is audited."""

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.validators import UniqueValidator

from resoc.accounts import roles
from resoc.audit.services import audit_record
from resoc.core.api import ScopedSlugField, UpperCaseCharField, validation_errors_as_400
from resoc.people.models import Consent, CustodyEpisode, Person, StaffPosition
from resoc.people.selectors import (
    OPEN_CUSTODY,
    person_get_for_user,
    person_list_for_user,
    person_search,
)
from resoc.people.services import custody_admit, person_save
from resoc.registry.api import ScopedInstitutionField


class ScopedPersonField(ScopedSlugField):
    """A person by reference, among those the caller may see (others are 'unknown')."""

    scope = staticmethod(person_list_for_user)
    slug = "ref"
    upper = True


class CustodyEpisodeSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    transferred_to = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CustodyEpisode
        fields = [
            "institution",
            "admitted_on",
            "expected_release_on",
            "released_on",
            "transferred_out_on",
            "transferred_to",
            "is_open",
        ]


class StaffPositionSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = StaffPosition
        fields = ["institution", "role", "started_on", "ended_on"]


class ConsentSerializer(serializers.ModelSerializer):
    # The evidence file stays out of the API: it is a scan of a signed paper.
    class Meta:
        model = Consent
        fields = ["purpose", "given_on", "withdrawn_on"]


class PersonListSerializer(serializers.ModelSerializer):
    current_institution = serializers.CharField(
        source="current_institution_code", read_only=True, allow_null=True
    )
    current_institution_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "ref",
            "given_name",
            "family_name",
            "sex",
            "birth_year",
            "kind",
            "home_municipality",
            "current_institution",
            "current_institution_name",
        ]


class PersonDetailSerializer(serializers.ModelSerializer):
    current_institution = serializers.SerializerMethodField()
    custody_episodes = CustodyEpisodeSerializer(many=True, read_only=True)
    staff_positions = StaffPositionSerializer(many=True, read_only=True)
    consents = ConsentSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "ref",
            "given_name",
            "family_name",
            "sex",
            "birth_year",
            "kind",
            "home_municipality",
            "phone",
            "email",
            "address",
            "current_institution",
            "custody_episodes",
            "staff_positions",
            "consents",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_current_institution(self, person) -> str | None:
        # From the prefetched episodes, so the detail costs no extra query.
        for episode in person.custody_episodes.all():
            if episode.is_open:
                return episode.institution.code
        return None


class PersonUpdateSerializer(serializers.ModelSerializer):
    """The editable fields; the reference is fixed once the person exists."""

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "sex",
            "birth_year",
            "kind",
            "home_municipality",
            "phone",
            "email",
            "address",
        ]


class AdmissionSerializer(serializers.Serializer):
    institution = ScopedInstitutionField()
    admitted_on = serializers.DateField()
    expected_release_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        expected = attrs.get("expected_release_on")
        if expected and expected < attrs["admitted_on"]:
            raise serializers.ValidationError(
                {"expected_release_on": _("The expected release cannot precede the admission.")}
            )
        return attrs


class PersonCreateSerializer(PersonUpdateSerializer):
    ref = UpperCaseCharField(
        max_length=40,
        validators=[
            UniqueValidator(
                queryset=Person.objects.all(),
                message=gettext_lazy("A person with this reference exists already."),
            )
        ],
    )
    admission = AdmissionSerializer(
        required=False,
        help_text=gettext_lazy(
            "Admit the new person into custody. Required for roles that see only the people "
            "of their institutions or countries: they cannot create someone outside their scope."
        ),
    )

    class Meta(PersonUpdateSerializer.Meta):
        fields = ["ref", *PersonUpdateSerializer.Meta.fields, "admission"]

    def validate_ref(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("The reference cannot be blank."))
        return value

    def validate(self, attrs):
        user = self.context["request"].user
        admission = attrs.get("admission")
        if admission is None and user.role not in roles.GLOBAL_READERS:
            raise serializers.ValidationError(
                {"admission": _("Give the institution and date of admission of the new person.")}
            )
        if admission is not None and attrs["kind"] not in (
            Person.Kind.PRISONER,
            Person.Kind.FORMER_PRISONER,
        ):
            raise serializers.ValidationError(
                {"admission": _("Only a prisoner can be admitted into custody.")}
            )
        return attrs


class ReadsPersons(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("people.view_person")


def _detail_prefetched(person: Person) -> Person:
    prefetch_related_objects(
        [person],
        Prefetch(
            "custody_episodes",
            queryset=CustodyEpisode.objects.select_related("institution", "transferred_to"),
        ),
        Prefetch("staff_positions", queryset=StaffPosition.objects.select_related("institution")),
        "consents",
    )
    return person


_PERSON_LIST_PARAMETERS = [
    OpenApiParameter(
        "search",
        OpenApiTypes.STR,
        description=gettext_lazy("Words that begin the given or family name, or a reference."),
    ),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Person.Kind.values),
]


class PersonViewSet(viewsets.GenericViewSet):
    """The people in the caller's scope; anyone else's reference answers 404."""

    serializer_class = PersonDetailSerializer
    permission_classes = [permissions.IsAuthenticated, ReadsPersons]
    lookup_field = "ref"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        return person_list_for_user(user=self.request.user)

    def _get_person(self) -> Person:
        return person_get_for_user(user=self.request.user, ref=self.kwargs["ref"])

    def _viewed(self, person: Person) -> Response:
        _detail_prefetched(person)
        audit_record("person.viewed", actor=self.request.user, obj=person, person_ref=person.ref)
        return Response(PersonDetailSerializer(person, context=self.get_serializer_context()).data)

    @extend_schema(parameters=_PERSON_LIST_PARAMETERS, responses=PersonListSerializer(many=True))
    def list(self, request):
        query = request.query_params.get("search", "").strip()
        kind = request.query_params.get("kind", "")
        if kind and kind not in Person.Kind.values:
            raise serializers.ValidationError(
                {
                    "kind": _("Unknown kind %(kind)s; use one of: %(kinds)s.")
                    % {"kind": kind, "kinds": ", ".join(Person.Kind.values)}
                }
            )
        current = CustodyEpisode.objects.filter(OPEN_CUSTODY, person=OuterRef("pk")).order_by(
            "-admitted_on"
        )
        qs = person_search(user=request.user, query=query, kind=kind).annotate(
            current_institution_code=Subquery(current.values("institution__code")[:1])
        )
        page = self.paginate_queryset(qs)
        audit_record(
            "person.listed",
            actor=request.user,
            detail={"query": query, "refs": [p.ref for p in page]},
        )
        return self.get_paginated_response(PersonListSerializer(page, many=True).data)

    def retrieve(self, request, ref=None):
        return self._viewed(self._get_person())

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonDetailSerializer})
    def create(self, request):
        if not request.user.has_perm("people.add_person"):
            raise exceptions.PermissionDenied
        serializer = PersonCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        admission = data.pop("admission", None)
        with validation_errors_as_400(), transaction.atomic():
            person = person_save(actor=request.user, person=Person(**data))
            if admission is not None:
                custody_admit(actor=request.user, person=person, **admission)
            # The last guard: nobody creates a person they could not see afterwards.
            if not person_list_for_user(user=request.user).filter(pk=person.pk).exists():
                raise exceptions.PermissionDenied(
                    _("You cannot create a person outside your institutions or countries.")
                )
        response = self._viewed(person)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=PersonUpdateSerializer, responses=PersonDetailSerializer)
    def update(self, request, ref=None):
        return self._update(request, partial=False)

    @extend_schema(request=PersonUpdateSerializer, responses=PersonDetailSerializer)
    def partial_update(self, request, ref=None):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool) -> Response:
        person = self._get_person()
        if not request.user.has_perm("people.change_person", person):
            raise exceptions.PermissionDenied
        serializer = PersonUpdateSerializer(
            person, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(person, name, value)
        with validation_errors_as_400():
            person_save(actor=request.user, person=person)
        # The answer shows the whole record, so it is audited as a view as well.
        return self._viewed(person)
