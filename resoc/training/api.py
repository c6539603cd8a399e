"""The training endpoints: courses, cohorts, sessions (no personal data), enrollments and
attendance (personal data: every read is audited).

Reads go through the scoped selectors: a record outside the caller's scope answers 404, a role
without the action 403. Writes go through the services, whose rules answer 400.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from resoc.accounts.models import Role, User
from resoc.audit.services import audit_record
from resoc.core.api import (
    ScopedPrimaryKeyField,
    ScopedSlugField,
    UpperCaseCharField,
    validation_errors_as_400,
)
from resoc.people.api import ScopedPersonField
from resoc.registry.api import ScopedInstitutionField
from resoc.registry.models import Organisation, ProjectCycle, currency_code
from resoc.training import services
from resoc.training.models import (
    DECISIONS,
    Attendance,
    Cohort,
    Course,
    Enrollment,
    Module,
    Session,
)
from resoc.training.selectors import (
    attendance_list_for_user,
    cohort_list_for_user,
    course_list_for_user,
    enrollment_list_for_user,
    session_list_for_user,
)

S = Enrollment.Status


class ScopedCohortField(ScopedSlugField):
    scope = staticmethod(cohort_list_for_user)


class ScopedSessionField(ScopedPrimaryKeyField):
    scope = staticmethod(session_list_for_user)


class ModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["number", "title", "hours"]


class CourseSerializer(serializers.ModelSerializer):
    certifying_organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "category",
            "description",
            "hours",
            "certifying_organisation",
            "certified",
            "has_assessment",
            "target_group",
            "modules",
        ]


class CohortSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="code", queryset=Course.objects.all())
    institution = ScopedInstitutionField(allow_null=True, required=False)
    cycle = serializers.SlugRelatedField(slug_field="code", queryset=ProjectCycle.objects.all())
    provider = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    trainers = serializers.SlugRelatedField(
        slug_field="username",
        many=True,
        required=False,
        queryset=User.objects.filter(role=Role.TRAINER),
    )
    currency = UpperCaseCharField(max_length=3, validators=[currency_code], required=False)

    class Meta:
        model = Cohort
        fields = [
            "code",
            "course",
            "institution",
            "cycle",
            "provider",
            "trainers",
            "start",
            "end",
            "mode",
            "platform",
            "link",
            "capacity",
            "cost",
            "currency",
            "cost_eur",
        ]
        read_only_fields = ["cost_eur"]
        validators = []


class SessionSerializer(serializers.ModelSerializer):
    cohort = ScopedCohortField()
    module = serializers.PrimaryKeyRelatedField(
        queryset=Module.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "cohort",
            "date",
            "starts_at",
            "ends_at",
            "module",
            "mode",
            "trainer_locations",
        ]
        validators = []


class EnrollmentSerializer(serializers.ModelSerializer):
    cohort = ScopedCohortField()
    person = ScopedPersonField()

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "cohort",
            "person",
            "status",
            "applied_on",
            "motivation",
            "officer_assessment",
            "education",
            "security",
            "decision_reason",
            "decided_on",
            "waitlist_position",
            "assessment_passed",
            "assessment_score",
            "completed_on",
            "ended_on",
        ]
        read_only_fields = [
            "status",
            "decision_reason",
            "decided_on",
            "waitlist_position",
            "assessment_passed",
            "assessment_score",
            "completed_on",
            "ended_on",
        ]
        validators = []


class EnrollmentUpdateSerializer(serializers.ModelSerializer):
    """The application's details, or a change of status with what it needs: a reason for a
    rejection or a waitlisting, the day (`on`) of a completion or an end, the assessment."""

    status = serializers.ChoiceField(choices=S.choices, required=False)
    on = serializers.DateField(required=False, write_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "applied_on",
            "motivation",
            "officer_assessment",
            "education",
            "security",
            "status",
            "decision_reason",
            "on",
            "assessment_passed",
            "assessment_score",
        ]


class AttendanceSerializer(serializers.ModelSerializer):
    session = ScopedSessionField()
    person = ScopedPersonField(source="enrollment.person")
    cohort = serializers.SlugRelatedField(
        slug_field="code", source="enrollment.cohort", read_only=True
    )
    date = serializers.DateField(source="session.date", read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "session", "cohort", "date", "person", "status", "recorded_at"]
        read_only_fields = ["recorded_at"]
        validators = []


class ReadsTraining(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("training.view_training")


def _filter(name: str, description: str, kind=OpenApiTypes.STR) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=description)


COHORT_FILTER = _filter("cohort", gettext_lazy("Cohort code."))
PERSON_FILTER = _filter("person", gettext_lazy("Person reference."))


@extend_schema_view(
    list=extend_schema(
        parameters=[_filter("category", gettext_lazy("Course category."))],
    )
)
class CourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The course catalogue, with its modules; kept by administrators and managers."""

    serializer_class = CourseSerializer
    permission_classes = [permissions.IsAuthenticated, ReadsTraining]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Course.objects.none()
        qs = course_list_for_user(user=self.request.user).prefetch_related("modules")
        if self.action == "list" and self.request.query_params.get("category"):
            qs = qs.filter(category=self.request.query_params["category"])
        return qs.order_by("code")

    def _check(self):
        if not self.request.user.has_perm("training.change_course"):
            raise exceptions.PermissionDenied

    def perform_create(self, serializer):
        self._check()
        with validation_errors_as_400():
            serializer.instance = services.course_save(
                actor=self.request.user, course=Course(**serializer.validated_data)
            )

    def perform_update(self, serializer):
        self._check()
        course = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(course, name, value)
        with validation_errors_as_400():
            services.course_save(actor=self.request.user, course=course)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _filter("course", gettext_lazy("Course code.")),
            _filter("institution", gettext_lazy("Institution code, or `online`.")),
            _filter("cycle", gettext_lazy("Project cycle code.")),
        ]
    )
)
class CohortViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cohorts in the caller's scope (trainers: the cohorts they teach)."""

    serializer_class = CohortSerializer
    permission_classes = [permissions.IsAuthenticated, ReadsTraining]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Cohort.objects.none()
        qs = cohort_list_for_user(user=self.request.user).prefetch_related("trainers")
        params = self.request.query_params if self.action == "list" else {}
        if params.get("course"):
            qs = qs.filter(course__code=params["course"])
        if params.get("institution") == "online":
            qs = qs.filter(institution__isnull=True)
        elif params.get("institution"):
            qs = qs.filter(institution__code=params["institution"])
        if params.get("cycle"):
            qs = qs.filter(cycle__code=params["cycle"])
        return qs.order_by("-start", "code")

    def _save(self, serializer, cohort):
        data = dict(serializer.validated_data)
        trainers = data.pop("trainers", None)
        for name, value in data.items():
            setattr(cohort, name, value)
        if not self.request.user.has_perm("training.change_cohort", cohort):
            raise exceptions.PermissionDenied(_("You cannot run cohorts there."))
        with validation_errors_as_400(), transaction.atomic():
            services.cohort_save(actor=self.request.user, cohort=cohort, trainers=trainers)
        serializer.instance = cohort

    def perform_create(self, serializer):
        if not self.request.user.has_perm("training.add_cohort"):
            raise exceptions.PermissionDenied
        self._save(serializer, Cohort())

    def perform_update(self, serializer):
        if not self.request.user.has_perm("training.change_cohort", serializer.instance):
            raise exceptions.PermissionDenied
        self._save(serializer, serializer.instance)


@extend_schema_view(
    list=extend_schema(
        parameters=[COHORT_FILTER, _filter("date", gettext_lazy("Day, YYYY-MM-DD."))]
    )
)
class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Sessions of the cohorts in scope; the cohort's managers and trainers keep them."""

    serializer_class = SessionSerializer
    permission_classes = [permissions.IsAuthenticated, ReadsTraining]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        qs = session_list_for_user(user=self.request.user)
        params = self.request.query_params if self.action == "list" else {}
        if params.get("cohort"):
            qs = qs.filter(cohort__code=params["cohort"])
        if params.get("date"):
            qs = qs.filter(date=serializers.DateField().to_internal_value(params["date"]))
        return qs.order_by("date", "starts_at", "pk")

    def _save(self, serializer, session):
        for name, value in serializer.validated_data.items():
            setattr(session, name, value)
        if not self.request.user.has_perm("training.run_cohort", session.cohort):
            raise exceptions.PermissionDenied
        with validation_errors_as_400():
            services.session_save(actor=self.request.user, session=session)
        serializer.instance = session

    def perform_create(self, serializer):
        self._save(serializer, Session())

    def perform_update(self, serializer):
        if not self.request.user.has_perm("training.run_cohort", serializer.instance.cohort):
            raise exceptions.PermissionDenied
        self._save(serializer, serializer.instance)


class PersonalMixin:
    """List and retrieve with an audit entry naming the people read."""

    label = ""

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        refs = sorted({self.ref_of(obj) for obj in page})
        audit_record(f"training.{self.label}.listed", actor=request.user, detail={"refs": refs})
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audit_record(
            f"training.{self.label}.viewed",
            actor=request.user,
            obj=obj,
            person_ref=self.ref_of(obj),
        )
        return Response(self.get_serializer(obj).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[COHORT_FILTER, PERSON_FILTER, _filter("status", gettext_lazy("Status."))]
    ),
    update=extend_schema(request=EnrollmentUpdateSerializer, responses=EnrollmentSerializer),
    partial_update=extend_schema(
        request=EnrollmentUpdateSerializer, responses=EnrollmentSerializer
    ),
)
class EnrollmentViewSet(
    PersonalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications and participants. POST records an application; PATCH changes its details
    or its status (decisions: selected, waitlisted with a reason, rejected with a reason;
    outcomes: enrolled, completed, dropped_out, transferred, released, on a day `on`)."""

    serializer_class = EnrollmentSerializer
    permission_classes = [permissions.IsAuthenticated, ReadsTraining]
    label = "enrollment"

    @staticmethod
    def ref_of(obj):
        return obj.person.ref

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return EnrollmentUpdateSerializer
        return EnrollmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        qs = enrollment_list_for_user(user=self.request.user)
        params = self.request.query_params if self.action == "list" else {}
        if params.get("cohort"):
            qs = qs.filter(cohort__code=params["cohort"])
        if params.get("person"):
            qs = qs.filter(person__ref=params["person"].upper())
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs.order_by("cohort__code", "person__ref")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = Enrollment(**serializer.validated_data)
        if not request.user.has_perm("training.manage_applications", enrollment.cohort):
            raise exceptions.PermissionDenied
        with validation_errors_as_400():
            services.enrollment_apply(actor=request.user, enrollment=enrollment)
        data = EnrollmentSerializer(enrollment, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        enrollment = self.get_object()
        serializer = EnrollmentUpdateSerializer(enrollment, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        new_status = data.pop("status", enrollment.status)
        reason = data.pop("decision_reason", "")
        on = data.pop("on", None)
        passed, score = data.pop("assessment_passed", None), data.pop("assessment_score", None)
        cohort, user = enrollment.cohort, request.user
        with validation_errors_as_400(), transaction.atomic():
            if data:
                if not user.has_perm("training.manage_applications", cohort):
                    raise exceptions.PermissionDenied
                for name, value in data.items():
                    setattr(enrollment, name, value)
                services.enrollment_save(actor=user, enrollment=enrollment)
            assessed = passed is not None or score is not None
            if assessed and new_status != S.COMPLETED:
                if not user.has_perm("training.run_cohort", cohort):
                    raise exceptions.PermissionDenied
                if passed is not None:
                    enrollment.assessment_passed = passed
                if score is not None:
                    enrollment.assessment_score = score
                services.enrollment_save(actor=user, enrollment=enrollment)
            if new_status != enrollment.status or new_status == S.COMPLETED:
                perm = (
                    "training.manage_applications"
                    if new_status in DECISIONS
                    else "training.run_cohort"
                )
                if not user.has_perm(perm, cohort):
                    raise exceptions.PermissionDenied
                services.enrollment_set_status(
                    actor=user,
                    enrollment=enrollment,
                    status=new_status,
                    on=on,
                    reason=reason,
                    passed=passed,
                    score=score,
                )
        data = EnrollmentSerializer(enrollment, context=self.get_serializer_context()).data
        return Response(data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            COHORT_FILTER,
            PERSON_FILTER,
            _filter("session", gettext_lazy("Session id."), OpenApiTypes.INT),
        ]
    )
)
class AttendanceViewSet(
    PersonalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Who attended which session. POST {session, person, status} records (or changes) one
    person's attendance of a session."""

    serializer_class = AttendanceSerializer
    permission_classes = [permissions.IsAuthenticated, ReadsTraining]
    label = "attendance"

    @staticmethod
    def ref_of(obj):
        return obj.enrollment.person.ref

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attendance.objects.none()
        qs = attendance_list_for_user(user=self.request.user)
        params = self.request.query_params if self.action == "list" else {}
        if params.get("cohort"):
            qs = qs.filter(enrollment__cohort__code=params["cohort"])
        if params.get("person"):
            qs = qs.filter(enrollment__person__ref=params["person"].upper())
        if params.get("session", "").isdigit():
            qs = qs.filter(session_id=int(params["session"]))
        return qs.order_by("session__date", "session__starts_at", "enrollment__person__ref")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session, person = data["session"], data["enrollment"]["person"]
        if not request.user.has_perm("training.run_cohort", session.cohort):
            raise exceptions.PermissionDenied
        enrollment = Enrollment.objects.filter(cohort_id=session.cohort_id, person=person).first()
        if enrollment is None:
            raise serializers.ValidationError(
                {"person": _("The person does not take part in this cohort.")}
            )
        with validation_errors_as_400():
            services.attendance_record(
                actor=request.user, session=session, marks={enrollment.pk: data["status"]}
            )
        record = self.get_queryset().get(session=session, enrollment=enrollment)
        return Response(
            AttendanceSerializer(record, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
