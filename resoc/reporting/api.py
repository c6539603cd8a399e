"""`GET /api/v1/reports/key-results`: the key results as JSON, with the dashboard's filters. A
caller who does not see results in full (a donor) gets them with small counts hidden."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from resoc.reporting.filters import FilterError, parse_filters
from resoc.reporting.selectors import report_for_user


class ReadsResults(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("reporting.view_results")


PARAMETERS = [
    OpenApiParameter("country", OpenApiTypes.STR, description="ISO code of the country"),
    OpenApiParameter("cycle", OpenApiTypes.STR, description="Code of the project cycle"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Start of the period"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="End of the period; outcomes as of"),
    OpenApiParameter("as", OpenApiTypes.STR, enum=["donor"], description="Show as to a donor"),
]


class KeyResultsView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadsResults]

    @extend_schema(parameters=PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        get = request.query_params
        try:
            filters = parse_filters(
                country=get.get("country"),
                cycle=get.get("cycle"),
                date_from=get.get("from"),
                date_to=get.get("to"),
            )
        except FilterError as exc:
            raise serializers.ValidationError({exc.param: [str(exc)]}) from None
        results, _donor_view = report_for_user(
            user=request.user, filters=filters, as_donor=get.get("as") == "donor"
        )
        return Response(results)
