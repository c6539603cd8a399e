import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from resoc.audit.services import audit_record
from resoc.certificates.badge import certificate_badge
from resoc.certificates.models import Certificate
from resoc.certificates.pdf import LANGUAGES, certificate_pdf
from resoc.certificates.services import certificates_issue_due
from resoc.training.models import Cohort

# The operator at the console: the audit trail records the actor's name as "cli".
CLI_ACTOR = "cli"


class Command(BaseCommand):
    help = (
        "Certificates: `certificates issue COHORT_CODE`, "
        "`certificates pdf NUMBER --output F [--language L]`, "
        "`certificates badge NUMBER --output F`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue every due certificate of a cohort.")
        issue.add_argument("cohort_code")
        pdf = sub.add_parser("pdf", help="Write one certificate as PDF.")
        pdf.add_argument("number")
        pdf.add_argument("--output", required=True, metavar="F")
        pdf.add_argument("--language", default="en", choices=LANGUAGES)
        badge = sub.add_parser("badge", help="Write one certificate as Open Badges 3.0 JSON.")
        badge.add_argument("number")
        badge.add_argument("--output", required=True, metavar="F")

    def handle(self, *args, action, **options):
        if action == "issue":
            self._issue(options["cohort_code"])
        elif action == "pdf":
            certificate = self._certificate(options["number"], "pdf")
            self._write(
                options["output"], certificate_pdf(certificate, language=options["language"])
            )
        else:
            certificate = self._certificate(options["number"], "badge")
            text = json.dumps(certificate_badge(certificate), indent=2, ensure_ascii=False)
            self._write(options["output"], (text + "\n").encode())

    def _issue(self, code):
        cohort = Cohort.objects.select_related("course").filter(code=code).first()
        if cohort is None:
            raise CommandError(f"No cohort with the code {code!r}.")
        if not cohort.course.certified:
            raise CommandError(
                f"The course of cohort {code} ({cohort.course.code}) is not certified."
            )
        for certificate in certificates_issue_due(actor=CLI_ACTOR, cohort=cohort):
            self.stdout.write(certificate.number)

    def _certificate(self, number, what) -> Certificate:
        certificate = (
            Certificate.objects.select_related("enrollment__cohort", "enrollment__person")
            .filter(number=number.strip().upper())
            .first()
        )
        if certificate is None:
            prefix = settings.RESOC_CERTIFICATE_PREFIX
            raise CommandError(
                f"No certificate numbered {number!r} (numbers look like {prefix}-2025-000001)."
            )
        audit_record(
            "certificate.downloaded",
            actor=CLI_ACTOR,
            obj=certificate,
            person_ref=certificate.enrollment.person.ref,
            detail={"number": certificate.number, "format": what},
        )
        return certificate

    def _write(self, output, data: bytes):
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
