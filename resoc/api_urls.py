from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from resoc.equipment.api import EquipmentViewSet
from resoc.people.api import PersonViewSet
from resoc.procurement.api import BidViewSet, TenderViewSet
from resoc.registry.api import (
    CountryViewSet,
    CycleViewSet,
    ExchangeRateViewSet,
    InstitutionViewSet,
    OrganisationViewSet,
    WorkshopViewSet,
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

urlpatterns = [
    path("v1/", include((router.urls, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: our CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
