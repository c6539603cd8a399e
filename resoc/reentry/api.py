"""The release-and-after endpoints: needs assessments, release plans with their actions, referrals,
follow-up contacts and reoffending events.

Reads go through the scoped selectors: a record outside the caller's scope answers 404 (a
commissioner sees only their cases), a role without the action 403. Every read is audited.
"""

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
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from resoc.accounts.models import Role, User
from resoc.audit.services import audit_record
from resoc.core.api import ScopedPrimaryKeyField, validation_errors_as_400
from resoc.people.api import ScopedPersonField as PersonField
from resoc.people.models import CustodyEpisode
from resoc.reentry import services
from resoc.reentry.models import (
    AssessmentItem,
    Domain,
    FollowUp,
    NeedsAssessment,
    OutcomeEvent,
    PlanAction,
    Referral,
    ReleasePlan,
)
from resoc.reentry.selectors import (
    action_list_for_user,
    assessment_list_for_user,
    event_list_for_user,
    follow_up_list_for_user,
    person_custody_for_plan,
    persons_for_user,
    plan_list_for_user,
    referral_agencies,
    referral_list_for_user,
    referral_shared_data,
)


class ScopedPersonField(PersonField):
    """A person by reference, among those whose release records the caller may see."""

    scope = staticmethod(persons_for_user)


class ScopedPlanField(ScopedPrimaryKeyField):
    scope = staticmethod(plan_list_for_user)


class AgencyField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=referral_agencies(), **kwargs)


class CommissionerField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        queryset = User.objects.filter(role=Role.COMMISSIONER, is_active=True)
        super().__init__(slug_field="username", queryset=queryset, **kwargs)


# Serializers


class AssessmentItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentItem
        fields = ["domain", "level", "notes"]


class AssessmentSerializer(serializers.ModelSerializer):
    person = ScopedPersonField()
    assessor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    items = AssessmentItemSerializer(many=True)

    class Meta:
        model = NeedsAssessment
        fields = ["id", "person", "date", "assessor", "items"]
        validators = []

    def validate_items(self, items):
        domains = [i["domain"] for i in items]
        if len(set(domains)) != len(domains):
            raise serializers.ValidationError(_("Each domain appears once."))
        return items


class AssessmentUpdateSerializer(AssessmentSerializer):
    person = serializers.SlugRelatedField(slug_field="ref", read_only=True)


class ActionSerializer(serializers.ModelSerializer):
    plan = ScopedPlanField()
    agency = AgencyField(allow_null=True, required=False)

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "plan",
            "what",
            "domain",
            "responsibility",
            "agency",
            "responsible_person",
            "due_on",
            "status",
        ]


class ActionUpdateSerializer(ActionSerializer):
    plan = serializers.PrimaryKeyRelatedField(read_only=True)


class GoalsField(serializers.DictField):
    child = serializers.CharField(allow_blank=True)

    def to_internal_value(self, data):
        goals = super().to_internal_value(data)
        unknown = sorted(set(goals) - set(Domain.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown domains: %(names)s; use: %(domains)s.")
                % {"names": ", ".join(unknown), "domains": ", ".join(Domain.values)}
            )
        return goals


class PlanSerializer(serializers.ModelSerializer):
    person = ScopedPersonField()
    institution = serializers.CharField(source="episode.institution.code", read_only=True)
    expected_release_on = serializers.DateField(
        source="episode.expected_release_on", required=False, allow_null=True
    )
    commissioner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    officer_signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    commissioner_signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    goals = GoalsField(required=False)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ReleasePlan
        fields = [
            "id",
            "person",
            "institution",
            "expected_release_on",
            "destination",
            "commissioner",
            "goals",
            "state",
            "officer_signed_by",
            "officer_signed_on",
            "commissioner_signed_by",
            "commissioner_signed_on",
            "actions",
        ]
        read_only_fields = ["state", "officer_signed_on", "commissioner_signed_on"]

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, plan):
        return ActionSerializer(plan.actions.all(), many=True, context=self.context).data


class PlanUpdateSerializer(PlanSerializer):
    person = serializers.SlugRelatedField(slug_field="ref", read_only=True)


class AssignSerializer(serializers.Serializer):
    commissioner = CommissionerField(allow_null=True)


class ReferralSerializer(serializers.ModelSerializer):
    person = ScopedPersonField()
    agency = AgencyField()
    plan = ScopedPlanField(allow_null=True, required=False)
    shared = serializers.ListField(
        child=serializers.ChoiceField(choices=Referral.Data.choices), required=False
    )
    shared_data = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "What the agency receives, while the person's consent to referrals holds; null "
            "without it."
        )
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "person",
            "agency",
            "plan",
            "domain",
            "reason",
            "shared",
            "shared_data",
            "status",
            "sent_on",
            "answered_on",
            "completed_on",
            "outcome",
        ]
        read_only_fields = ["status", "sent_on", "answered_on", "completed_on", "outcome"]

    @extend_schema_field(serializers.DictField(child=serializers.CharField(), allow_null=True))
    def get_shared_data(self, referral):
        if not self.context.get("with_shared_data"):
            return None
        rows = referral_shared_data(referral=referral)
        return None if rows is None else {str(k): str(v) for k, v in rows}


class ReferralUpdateSerializer(ReferralSerializer):
    person = serializers.SlugRelatedField(slug_field="ref", read_only=True)


class SendSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)


class AnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[Referral.Status.ACCEPTED, Referral.Status.DECLINED, Referral.Status.COMPLETED]
    )
    on = serializers.DateField()
    outcome = serializers.CharField(required=False, allow_blank=True)


class EventSerializer(serializers.ModelSerializer):
    person = ScopedPersonField()

    class Meta:
        model = OutcomeEvent
        fields = ["id", "person", "kind", "date", "source", "follow_up", "notes"]
        read_only_fields = ["follow_up"]
        validators = []


class EventUpdateSerializer(EventSerializer):
    person = serializers.SlugRelatedField(slug_field="ref", read_only=True)


class FollowUpSerializer(serializers.ModelSerializer):
    person = ScopedPersonField()
    contacted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "person",
            "date",
            "mode",
            "contacted_by",
            "employment",
            "housing",
            "notes",
            "events",
        ]
        validators = []


class FollowUpUpdateSerializer(FollowUpSerializer):
    person = serializers.SlugRelatedField(slug_field="ref", read_only=True)


# Views


class ReentryPermission(permissions.BasePermission):
    """Reading and writing by role; the record's person must be in the caller's scope (the
    scoped querysets and fields see to that)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.has_perm("reentry.view_reentry")
        return request.user.has_perm("reentry.change_reentry")


PERSON_FILTER = OpenApiParameter(
    "person", OpenApiTypes.STR, description=gettext_lazy("Person reference.")
)


class ReentryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated, ReentryPermission]
    update_serializer_class = None

    def scoped_queryset(self):
        raise NotImplementedError

    def person_of(self, obj):
        return obj.person

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return self.serializer_class

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        qs = self.scoped_queryset()
        person = self.request.query_params.get("person")
        if self.action == "list" and person:
            qs = qs.filter(**{self.person_path: person.upper()})
        return qs

    person_path = "person__ref"

    def _label(self) -> str:
        return self.serializer_class.Meta.model._meta.label_lower

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        refs = sorted({self.person_of(r).ref for r in page})
        audit_record(f"{self._label()}.listed", actor=request.user, detail={"refs": refs})
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return self._viewed(obj)

    def _viewed(self, obj, status=200):
        audit_record(
            f"{self._label()}.viewed",
            actor=self.request.user,
            obj=obj,
            person_ref=self.person_of(obj).ref,
        )
        data = self.serializer_class(obj, context=self.get_serializer_context()).data
        return Response(data, status=status)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with validation_errors_as_400():
            obj = self.create_record(serializer.validated_data)
        return self._viewed(obj, status=201)

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        with validation_errors_as_400():
            obj = self.update_record(obj, serializer.validated_data)
        return self._viewed(obj)

    def create_record(self, data):
        raise NotImplementedError

    def update_record(self, obj, data):
        raise NotImplementedError


def _assign(obj, data, names):
    for name in names:
        if name in data:
            setattr(obj, name, data[name])


@extend_schema_view(
    list=extend_schema(parameters=[PERSON_FILTER]),
    update=extend_schema(request=AssessmentUpdateSerializer, responses=AssessmentSerializer),
    partial_update=extend_schema(
        request=AssessmentUpdateSerializer, responses=AssessmentSerializer
    ),
)
class AssessmentViewSet(ReentryViewSet):
    """Needs assessments: a date and, per resettlement domain, the level of need and notes."""

    serializer_class = AssessmentSerializer
    update_serializer_class = AssessmentUpdateSerializer

    def scoped_queryset(self):
        return assessment_list_for_user(user=self.request.user).order_by("-date", "pk")

    def _levels(self, data):
        return {i["domain"]: (i["level"], i.get("notes", "")) for i in data.get("items", [])}

    def create_record(self, data):
        assessment = NeedsAssessment(person=data["person"], date=data["date"])
        return services.assessment_save(
            actor=self.request.user, assessment=assessment, levels=self._levels(data)
        )

    def update_record(self, obj, data):
        _assign(obj, data, ["date"])
        return services.assessment_save(
            actor=self.request.user, assessment=obj, levels=self._levels(data)
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            PERSON_FILTER,
            OpenApiParameter("state", OpenApiTypes.STR, enum=ReleasePlan.State.values),
        ]
    ),
    update=extend_schema(request=PlanUpdateSerializer, responses=PlanSerializer),
    partial_update=extend_schema(request=PlanUpdateSerializer, responses=PlanSerializer),
)
class PlanViewSet(ReentryViewSet):
    """Release plans with their actions. A plan is created for the person's current custody;
    the commissioner follows the destination. Sign with POST `sign/`; a manager reassigns with
    POST `assign/`."""

    serializer_class = PlanSerializer
    update_serializer_class = PlanUpdateSerializer

    def scoped_queryset(self):
        qs = plan_list_for_user(user=self.request.user).prefetch_related("actions__agency")
        if self.action == "list" and self.request.query_params.get("state"):
            qs = qs.filter(state=self.request.query_params["state"])
        return qs.order_by("-created_at", "-pk")

    def create_record(self, data):
        person = data["person"]
        episode: CustodyEpisode | None = person_custody_for_plan(person=person)
        if episode is None:
            raise serializers.ValidationError(
                {"person": _("A release plan is made while the person is in custody.")}
            )
        return services.plan_create(
            actor=self.request.user,
            episode=episode,
            destination=data["destination"],
            goals=data.get("goals", {}),
            expected_release_on=data.get("episode", {}).get("expected_release_on"),
        )

    def update_record(self, obj, data):
        return services.plan_update(
            actor=self.request.user,
            plan=obj,
            destination=data.get("destination", obj.destination),
            goals=data.get("goals", obj.goals),
            expected_release_on=data.get("episode", {}).get("expected_release_on"),
        )

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign as the person's treatment officer, then as the plan's commissioner."""
        plan = self.get_object()
        with validation_errors_as_400():
            services.plan_sign(actor=request.user, plan=plan, on=timezone.localdate())
        return self._viewed(plan)

    @extend_schema(request=AssignSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        if not request.user.has_perm("reentry.assign_commissioner"):
            raise exceptions.PermissionDenied
        plan = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with validation_errors_as_400():
            services.plan_assign(
                actor=request.user,
                plan=plan,
                commissioner=serializer.validated_data["commissioner"],
            )
        return self._viewed(plan)


@extend_schema_view(
    list=extend_schema(parameters=[PERSON_FILTER]),
    update=extend_schema(request=ActionUpdateSerializer, responses=ActionSerializer),
    partial_update=extend_schema(request=ActionUpdateSerializer, responses=ActionSerializer),
)
class ActionViewSet(ReentryViewSet):
    """The actions of release plans: what, who is responsible (prison or probation), when."""

    serializer_class = ActionSerializer
    update_serializer_class = ActionUpdateSerializer
    person_path = "plan__person__ref"

    def person_of(self, obj):
        return obj.plan.person

    def scoped_queryset(self):
        return action_list_for_user(user=self.request.user).order_by("due_on", "pk")

    def create_record(self, data):
        return services.action_save(actor=self.request.user, action=PlanAction(**data))

    def update_record(self, obj, data):
        _assign(obj, data, data.keys())
        return services.action_save(actor=self.request.user, action=obj)


@extend_schema_view(
    list=extend_schema(parameters=[PERSON_FILTER]),
    update=extend_schema(request=ReferralUpdateSerializer, responses=ReferralSerializer),
    partial_update=extend_schema(request=ReferralUpdateSerializer, responses=ReferralSerializer),
)
class ReferralViewSet(ReentryViewSet):
    """Referrals to agencies. A referral is created as a draft and sent with POST `send/`, which
    needs the person's consent to referrals on that day; answers with POST `answer/`. The
    detail shows the shared data only while the consent holds."""

    serializer_class = ReferralSerializer
    update_serializer_class = ReferralUpdateSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_shared_data": self.action != "list"}

    def scoped_queryset(self):
        return referral_list_for_user(user=self.request.user).order_by("-created_at", "-pk")

    def create_record(self, data):
        return services.referral_save(actor=self.request.user, referral=Referral(**data))

    def update_record(self, obj, data):
        _assign(obj, data, ["agency", "plan", "domain", "reason", "shared"])
        return services.referral_save(actor=self.request.user, referral=obj)

    @extend_schema(request=SendSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        referral = self.get_object()
        serializer = SendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with validation_errors_as_400():
            services.referral_send(
                actor=request.user, referral=referral, on=serializer.validated_data.get("on")
            )
        return self._viewed(referral)

    @extend_schema(request=AnswerSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        referral = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with validation_errors_as_400():
            services.referral_answer(
                actor=request.user, referral=referral, **serializer.validated_data
            )
        return self._viewed(referral)


@extend_schema_view(
    list=extend_schema(parameters=[PERSON_FILTER]),
    update=extend_schema(request=FollowUpUpdateSerializer, responses=FollowUpSerializer),
    partial_update=extend_schema(request=FollowUpUpdateSerializer, responses=FollowUpSerializer),
)
class FollowUpViewSet(ReentryViewSet):
    """Contacts after release: mode, employment and housing; events learnt at them are listed."""

    serializer_class = FollowUpSerializer
    update_serializer_class = FollowUpUpdateSerializer

    def scoped_queryset(self):
        return follow_up_list_for_user(user=self.request.user).order_by("-date", "pk")

    def create_record(self, data):
        return services.follow_up_save(actor=self.request.user, follow_up=FollowUp(**data))

    def update_record(self, obj, data):
        _assign(obj, data, ["date", "mode", "employment", "housing", "notes"])
        return services.follow_up_save(actor=self.request.user, follow_up=obj)


@extend_schema_view(
    list=extend_schema(parameters=[PERSON_FILTER]),
    update=extend_schema(request=EventUpdateSerializer, responses=EventSerializer),
    partial_update=extend_schema(request=EventUpdateSerializer, responses=EventSerializer),
)
class EventViewSet(ReentryViewSet):
    """Reoffending events after release, dated, with their source."""

    serializer_class = EventSerializer
    update_serializer_class = EventUpdateSerializer

    def scoped_queryset(self):
        return event_list_for_user(user=self.request.user).order_by("-date", "pk")

    def create_record(self, data):
        return services.event_save(actor=self.request.user, event=OutcomeEvent(**data))

    def update_record(self, obj, data):
        _assign(obj, data, ["kind", "date", "source", "notes"])
        return services.event_save(actor=self.request.user, event=obj)
