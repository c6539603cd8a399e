"""The key results as files: an Excel sheet and the factsheet PDF (A4, WeasyPrint)."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from resoc.registry.models import Country, ProjectCycle
from resoc.reporting import charts, labels
from resoc.reporting.filters import ReportFilters


def _scope_text(filters: ReportFilters, donor_view: bool) -> dict:
    if donor_view:  # the period the figures were counted over (see ReportFilters)
        filters = filters.in_whole_quarters()
    country = Country.objects.filter(code=filters.country).first() if filters.country else None
    cycle = ProjectCycle.objects.filter(code=filters.cycle).first() if filters.cycle else None
    return {
        "country": country.name if country else _("All countries"),
        "cycle": str(cycle) if cycle else _("All cycles"),
        "period_from": filters.date_from,
        "as_of": filters.as_of,
    }


def xlsx_bytes(results: dict, filters: ReportFilters, *, donor_view: bool) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Key results")[:31]
    scope = _scope_text(filters, donor_view)
    sheet.append([_("Key results"), scope["country"], scope["cycle"]])
    sheet.append([_("From"), scope["period_from"], _("To (as of)"), scope["as_of"]])
    if donor_view:
        threshold = results["disclosure"]["threshold"]
        sheet.append(
            [
                _(
                    "Counts of fewer than %(n)s people are shown as <%(n)s; x hides a figure from "
                    "which a hidden one could be worked out."
                )
                % {"n": threshold}
            ]
        )
    sheet.append([])
    sheet.append([_("Section"), _("Figure"), _("Value")])
    for section, name, value in labels.rows(results):
        sheet.append([str(section), str(name), value if value is not None else ""])
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 34
    sheet.column_dimensions["C"].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def factsheet_context(results: dict, filters: ReportFilters, *, donor_view: bool) -> dict:
    return {
        "results": results,
        "scope": _scope_text(filters, donor_view),
        "donor_view": donor_view,
        "charts": [(c.title, charts.render(c)) for c in charts.results_charts(results)],
        "rates": [
            (title, results[key], part, labels.percent(results[key]["rate"]))
            for key, part, title in labels.RATES
            if key in results
        ],
        "made_on": timezone.localdate(),
    }


def factsheet_pdf(results: dict, filters: ReportFilters, *, donor_view: bool) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "reporting/factsheet.html", factsheet_context(results, filters, donor_view=donor_view)
    )
    return HTML(string=html).write_pdf()
