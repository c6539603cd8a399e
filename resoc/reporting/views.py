"""The results dashboard and its exports. Every role reads results; who is not a programme-wide
reader (or coordinator of the country asked for) sees them as donors do, and managers may
preview that view with `?as=donor`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from resoc.audit.services import audit_record
from resoc.core.export import XLSX
from resoc.registry.models import Country, ProjectCycle
from resoc.reporting import charts, export, labels
from resoc.reporting.filters import FilterError, ReportFilters, parse_filters
from resoc.reporting.rules import sees_full_results
from resoc.reporting.selectors import report_for_user

FILTERS = ("country", "cycle", "from", "to")


def _require(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied


def _filters(request) -> tuple[ReportFilters, str]:
    """The filters asked for, or none and the reason when they cannot be used."""
    get = request.GET
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
    filters, error = _filters(request)
    as_donor = request.GET.get("as") == "donor"
    results, donor_view = report_for_user(user=request.user, filters=filters, as_donor=as_donor)
    return filters, error, results, donor_view


def _query(filters: ReportFilters, donor_view: bool, as_donor: bool) -> str:
    from urllib.parse import urlencode

    params = filters.as_params()
    if as_donor:
        params["as"] = "donor"
    return urlencode(params)


@login_required
def dashboard(request):
    filters, error, results, donor_view = _report(request)
    if error:
        messages.error(request, error)
    as_donor = request.GET.get("as") == "donor"
    query = _query(filters, donor_view, as_donor)
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


def _audit_export(request, filters: ReportFilters, fmt: str, donor_view: bool) -> None:
    audit_record(
        "reporting.key_results.exported",
        actor=request.user,
        detail={"filters": filters.as_params(), "format": fmt, "donor_view": donor_view},
    )


def _filename(filters: ReportFilters, ext: str) -> str:
    parts = ["key-results", filters.country or "", filters.cycle or "", filters.as_of.isoformat()]
    return "-".join(p for p in parts if p) + f".{ext}"


@login_required
def export_xlsx(request):
    filters, _error, results, donor_view = _report(request)
    _audit_export(request, filters, "xlsx", donor_view)
    response = HttpResponse(
        export.xlsx_bytes(results, filters, donor_view=donor_view), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(filters, "xlsx")}"'
    return response


@login_required
def factsheet(request):
    filters, _error, results, donor_view = _report(request)
    _audit_export(request, filters, "pdf", donor_view)
    response = HttpResponse(
        export.factsheet_pdf(results, filters, donor_view=donor_view),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(filters, "pdf")}"'
    return response
