"""Background work of certificates: all PDFs of a cohort in one zip."""

import tempfile
import zipfile

from django.utils.translation import gettext as _

from resoc.certificates.pdf import certificate_pdf
from resoc.certificates.selectors import (
    certificate_list_for_user,
    cohort_enrollments_for_user,
    cohort_list_for_user,
)
from resoc.certificates.services import certificates_issue_due
from resoc.jobs.registry import JobError, job_kind
from resoc.jobs.services import job_attach_result, job_progress


@job_kind("certificates.cohort_pdfs")
def cohort_pdfs(job) -> None:
    user = job.requested_by
    # Checked again here: the user's scope or role may have changed since they asked.
    cohort = cohort_list_for_user(user=user).filter(pk=job.params.get("cohort")).first()
    if cohort is None or not user.has_perm("certificates.view_certificate"):
        raise JobError(_("You no longer have access to this cohort."))
    language = job.params.get("language", "en")
    if job.params.get("issue_due"):
        if not user.has_perm("certificates.issue_certificates", cohort):
            raise JobError(_("You may not issue certificates for this cohort."))
        job_progress(job=job, done=0, message=_("Issuing the due certificates…"))
        certificates_issue_due(
            actor=user,
            cohort=cohort,
            enrollments=cohort_enrollments_for_user(user=user, cohort=cohort),
        )
    certificates = list(
        certificate_list_for_user(user=user)
        .filter(enrollment__cohort=cohort, revoked_on__isnull=True)
        .select_related("enrollment__person", "enrollment__cohort")
        .order_by("sequence")
    )
    if not certificates:
        raise JobError(_("This cohort has no valid certificate to print."))
    total = len(certificates)
    job_progress(job=job, done=0, total=total, message=_("Rendering the PDFs…"))
    with tempfile.TemporaryFile() as buffer:
        # PDFs are compressed already: stored, not deflated again.
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for done, certificate in enumerate(certificates, start=1):
                archive.writestr(
                    f"{certificate.number}.pdf", certificate_pdf(certificate, language=language)
                )
                job_progress(job=job, done=done)
        buffer.seek(0)
        job_attach_result(
            job=job,
            name=f"certificates-{cohort.code}.zip",
            file=buffer,
            info={
                "cohort": cohort.code,
                "numbers": [c.number for c in certificates],
                "refs": [c.enrollment.person.ref for c in certificates],
            },
        )
    job_progress(job=job, done=total, message="")
