from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("resoc.core.urls")),
    path("registry/", include("resoc.registry.urls")),
    path("people/", include("resoc.people.urls")),
    path("audit/", include("resoc.audit.urls")),
    path("users/", include("resoc.accounts.urls")),
    path("imports/", include("resoc.imports.urls")),
    path("equipment/", include("resoc.equipment.urls")),
    path("procurement/", include("resoc.procurement.urls")),
    path("work/", include("resoc.work.urls")),
    path("training/", include("resoc.training.urls")),
    path("reentry/", include("resoc.reentry.urls")),
    path("grants/", include("resoc.grants.urls")),
    path("results/", include("resoc.reporting.urls")),
    path("jobs/", include("resoc.jobs.urls")),
    path("", include("resoc.certificates.urls")),
    path("", include("resoc.ops.urls")),
    path("api/", include("resoc.api_urls")),
]
