from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from resoc.certificates.api import CertificateViewSet
from resoc.equipment.api import EquipmentViewSet
from resoc.grants.api import ApplicationViewSet, CallViewSet, GrantViewSet, VisitViewSet
from resoc.people.api import PersonViewSet
from resoc.procurement.api import BidViewSet, TenderViewSet
from resoc.reentry.api import (
    ActionViewSet,
    AssessmentViewSet,
    EventViewSet,
    FollowUpViewSet,
    PlanViewSet,
    ReferralViewSet,
)
from resoc.registry.api import (
    CountryViewSet,
    CycleViewSet,
    ExchangeRateViewSet,
    InstitutionViewSet,
    OrganisationViewSet,
    WorkshopViewSet,
)
from resoc.reporting.api import KeyResultsView
from resoc.training.api import (
    AttendanceViewSet,
    CohortViewSet,
    CourseViewSet,
    EnrollmentViewSet,
    SessionViewSet,
)
from resoc.work.api import ProductionViewSet, WorkAssignmentViewSet, WorkMonthViewSet

router = SimpleRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("countries", CountryViewSet, basename="country")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("workshops", WorkshopViewSet, basename="workshop")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("cycles", CycleViewSet, basename="cycle")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("equipment", EquipmentViewSet, basename="equipment")
router.register("tenders", TenderViewSet, basename="tender")
router.register("bids", BidViewSet, basename="bid")
router.register("work-assignments", WorkAssignmentViewSet, basename="work-assignment")
router.register("work-months", WorkMonthViewSet, basename="work-month")
router.register("production", ProductionViewSet, basename="production")
router.register("grant-calls", CallViewSet, basename="grant-call")
router.register("grant-applications", ApplicationViewSet, basename="grant-application")
router.register("grants", GrantViewSet, basename="grant")
router.register("grant-visits", VisitViewSet, basename="grant-visit")
router.register("courses", CourseViewSet, basename="course")
router.register("cohorts", CohortViewSet, basename="cohort")
router.register("sessions", SessionViewSet, basename="session")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("attendance", AttendanceViewSet, basename="attendance")
router.register("needs-assessments", AssessmentViewSet, basename="needs-assessment")
router.register("release-plans", PlanViewSet, basename="release-plan")
router.register("plan-actions", ActionViewSet, basename="plan-action")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("outcome-events", EventViewSet, basename="outcome-event")
router.register("certificates", CertificateViewSet, basename="certificate")
# Reports are not collections of records: plain views beside the router's.
report_urls = [
    path("reports/key-results", KeyResultsView.as_view(), name="reports-key-results"),
]

urlpatterns = [
    path("v1/", include((router.urls + report_urls, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: our CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
