"""The certificates endpoints: list and detail in the caller's scope, and revocation.

Issuing is done from the cohort (page, command or job); the public check is /verify/<code>.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from resoc.audit.services import audit_record
from resoc.certificates.models import Certificate
from resoc.certificates.selectors import certificate_get_for_user, certificate_list_for_user
from resoc.certificates.services import certificate_revoke
from resoc.core.api import validation_errors_as_400


class CertificateSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="enrollment.person.ref", read_only=True)
    cohort = serializers.CharField(source="enrollment.cohort.code", read_only=True)
    verify_url = serializers.CharField(read_only=True)
    revoked = serializers.BooleanField(read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "number",
            "person",
            "cohort",
            "holder_name",
            "course_title",
            "hours",
            "course_start",
            "course_end",
            "organisation_name",
            "issued_on",
            "revoked",
            "revoked_on",
            "revocation_reason",
            "verify_url",
        ]


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ReadsCertificates(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("certificates.view_certificate")


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """Certificates of the people in the caller's scope (a trainer: of their cohorts)."""

    serializer_class = CertificateSerializer
    permission_classes = [permissions.IsAuthenticated, ReadsCertificates]
    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        return certificate_list_for_user(user=self.request.user).select_related(
            "enrollment__person", "enrollment__cohort"
        )

    def get_object(self):
        return certificate_get_for_user(user=self.request.user, number=self.kwargs["number"])

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        audit_record(
            "certificate.listed",
            actor=request.user,
            detail={"refs": [c.enrollment.person.ref for c in page]},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        certificate = self.get_object()
        audit_record(
            "certificate.viewed",
            actor=request.user,
            obj=certificate,
            person_ref=certificate.enrollment.person.ref,
        )
        return Response(self.get_serializer(certificate).data)

    @extend_schema(request=RevokeSerializer, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, number=None):
        certificate = self.get_object()
        if not request.user.has_perm("certificates.revoke_certificate", certificate):
            raise exceptions.PermissionDenied
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with validation_errors_as_400():
            certificate = certificate_revoke(
                actor=request.user,
                certificate=certificate,
                reason=serializer.validated_data["reason"],
            )
        return Response(self.get_serializer(certificate).data)
