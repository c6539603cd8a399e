"""The results dashboard and its exports. Every role reads results; who is not a programme-wide
reader (or coordinator of the country asked for) sees them as donors do, and managers may
preview that view with `?as=donor`. The files (Excel, factsheet PDF, IATI XML) are made by
background jobs (resoc/reporting/jobs.py), downloaded from the job's page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from resoc.registry.models import Country, ProjectCycle
from resoc.reporting import charts, labels
from resoc.reporting.filters import FilterError, ReportFilters, parse_filters
from resoc.reporting.jobs import (
    FACTSHEET_PDF,
    KEY_RESULTS_XLSX,
    iati_enqueue,
    key_results_enqueue,
)
from resoc.reporting.rules import sees_full_results
from resoc.reporting.selectors import report_for_user

FILTERS = ("country", "cycle", "from", "to")


def _require(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied


def _filters(get) -> tuple[ReportFilters, str]:
    """The filters asked for (a QueryDict), or none and the reason when they cannot be used."""
    try:
        return (
            parse_filters(
                country=get.get("country"),
                cycle=get.get("cycle"),
                date_from=get.get("from"),
                date_to=get.get("to"),
            ),
            "",
        )
    except FilterError as exc:
        return ReportFilters(), str(exc)


def _report(request):
    _require(request.user, "reporting.view_results")
    filters, error = _filters(request.GET)
    as_donor = request.GET.get("as") == "donor"
    results, donor_view = report_for_user(user=request.user, filters=filters, as_donor=as_donor)
    return filters, error, results, donor_view


def _params(filters: ReportFilters, as_donor: bool) -> dict[str, str]:
    params = filters.as_params()
    if as_donor:
        params["as"] = "donor"
    return params


@login_required
def dashboard(request):
    filters, error, results, donor_view = _report(request)
    if error:
        messages.error(request, error)
    as_donor = request.GET.get("as") == "donor"
    params = _params(filters, as_donor)
    query = urlencode(params)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "results": results,
            "filters": filters,
            "donor_view": donor_view,
            "previewing": as_donor and sees_full_results(request.user, filters.country),
            "can_preview": not as_donor and sees_full_results(request.user, filters.country),
            "query": query,
            "export_params": params,
            "can_export_iati": request.user.has_perm("reporting.export_iati"),
            "api_url": reverse("api:reports-key-results") + (f"?{query}" if query else ""),
            "countries": Country.objects.filter(institutions__isnull=False).distinct(),
            "cycles": ProjectCycle.objects.order_by("code"),
            "charts": [(c.title, charts.render(c)) for c in charts.results_charts(results)],
            "rows": labels.rows(results),
            "rates": [
                (title, results[key], results[key][part], labels.percent(results[key]["rate"]))
                for key, part, title in labels.RATES
                if key in results
            ],
        },
    )


def _queue_key_results(request, kind: str):
    _require(request.user, "reporting.view_results")
    if request.method != "POST":
        # An old link: the files are asked for with the dashboard's buttons now.
        query = request.GET.urlencode()
        return redirect(reverse("reporting:dashboard") + (f"?{query}" if query else ""))
    filters, error = _filters(request.POST)
    if error:
        messages.error(request, error)
        return redirect("reporting:dashboard")
    job = key_results_enqueue(
        user=request.user, kind=kind, filters=filters, as_donor=request.POST.get("as") == "donor"
    )
    return redirect("jobs:detail", pk=job.pk)


@login_required
def export_xlsx(request):
    return _queue_key_results(request, KEY_RESULTS_XLSX)


@login_required
def factsheet(request):
    return _queue_key_results(request, FACTSHEET_PDF)


@login_required
@require_POST
def export_iati(request):
    _require(request.user, "reporting.export_iati")
    job = iati_enqueue(user=request.user)
    return redirect("jobs:detail", pk=job.pk)
