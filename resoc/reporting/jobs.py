"""Background work of reporting: the key results as Excel or a factsheet PDF, and the IATI XML.

What the requester may see is decided again in the worker, by their role and scope at that time
(not when they asked): a donor's file, or a coordinator's outside their countries, has the small
counts hidden as on the dashboard. None of these jobs writes records but its audit entry.
"""

import io
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.audit.services import audit_record
from resoc.jobs.registry import JobError, job_kind
from resoc.jobs.services import job_attach_result, job_enqueue, job_progress
from resoc.registry.models import ProjectCycle
from resoc.reporting import export, iati
from resoc.reporting.filters import FilterError, ReportFilters, parse_filters
from resoc.reporting.selectors import report_for_user

KEY_RESULTS_XLSX = "reporting.key_results_xlsx"
FACTSHEET_PDF = "reporting.factsheet_pdf"
IATI_XML = "reporting.iati_xml"

logger = logging.getLogger(__name__)


def key_results_filename(filters: ReportFilters, ext: str) -> str:
    parts = ["key-results", filters.country or "", filters.cycle or "", filters.as_of.isoformat()]
    return "-".join(p for p in parts if p) + f".{ext}"


def key_results_enqueue(*, user, kind: str, filters: ReportFilters, as_donor: bool = False):
    """Queue the key results as a file (KEY_RESULTS_XLSX or FACTSHEET_PDF); returns the job."""
    titles = {
        KEY_RESULTS_XLSX: _("Key results (Excel)"),
        FACTSHEET_PDF: _("Key results factsheet (PDF)"),
    }
    scope = " · ".join(filters.as_params().values())
    return job_enqueue(
        kind=kind,
        requested_by=user,
        params={"filters": filters.as_params(), "as_donor": as_donor},
        title=f"{titles[kind]} {scope}".strip(),
    )


def iati_enqueue(*, user):
    """Queue the IATI activities file of the whole programme; returns the job."""
    return job_enqueue(kind=IATI_XML, requested_by=user, title=_("IATI activities (XML)"))


def _key_results_file(job, ext: str, render) -> None:
    user = job.requested_by
    if not user.has_perm("reporting.view_results"):
        raise JobError(_("You may no longer read the results."))
    asked = job.params.get("filters", {})
    try:
        filters = parse_filters(
            country=asked.get("country"),
            cycle=asked.get("cycle"),
            date_from=asked.get("from"),
            date_to=asked.get("to"),
        )
    except FilterError as exc:
        raise JobError(str(exc)) from None
    job_progress(job=job, done=0, total=2, message=_("Counting the key results…"))
    results, donor_view = report_for_user(
        user=user, filters=filters, as_donor=bool(job.params.get("as_donor"))
    )
    job_progress(job=job, done=1, message=_("Writing the file…"))
    data = render(results, filters, donor_view=donor_view)
    detail = {"filters": filters.as_params(), "format": ext, "donor_view": donor_view}
    job_attach_result(
        job=job, name=key_results_filename(filters, ext), file=io.BytesIO(data), info=detail
    )
    audit_record(
        "reporting.key_results.exported", actor=user, detail={**detail, "job": str(job.pk)}
    )
    job_progress(job=job, done=2, message="")


@job_kind(KEY_RESULTS_XLSX)
def key_results_xlsx(job) -> None:
    _key_results_file(job, "xlsx", export.xlsx_bytes)


@job_kind(FACTSHEET_PDF)
def factsheet_pdf(job) -> None:
    _key_results_file(job, "pdf", export.factsheet_pdf)


@job_kind(IATI_XML)
def iati_xml(job) -> None:
    user = job.requested_by
    if not user.has_perm("reporting.export_iati"):
        raise JobError(_("You may not export the programme as IATI activities."))
    count = ProjectCycle.objects.count()
    if not count:
        raise JobError(_("There is no project cycle: nothing to export."))
    job_progress(job=job, done=0, total=2, message=_("Writing the IATI activities…"))
    # Published data: small counts of people are hidden, whoever asks.
    xml = iati.iati_xml(public=True)
    job_progress(job=job, done=1, message=_("Checking the file against the IATI schema…"))
    errors = iati.validate(xml)
    if errors:
        logger.error("The IATI file of job %s does not follow the schema: %s", job.pk, errors[:20])
        raise JobError(_("The IATI file does not follow the schema; tell the administrator."))
    name = f"iati-activities-{timezone.localdate().isoformat()}.xml"
    job_attach_result(job=job, name=name, file=io.BytesIO(xml), info={"activities": count})
    audit_record(
        "reporting.iati.exported", actor=user, detail={"activities": count, "job": str(job.pk)}
    )
    job_progress(job=job, done=2, message="")
