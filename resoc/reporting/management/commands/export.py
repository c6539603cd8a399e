from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resoc.audit.services import audit_record
from resoc.registry.models import ProjectCycle
from resoc.reporting.iati import iati_xml, validate

CLI_ACTOR = "cli"


class Command(BaseCommand):
    help = (
        "Exports for others' systems. `export iati --output F` writes every project cycle as an "
        "IATI 2.03 activity (counts of few people hidden, as published data must be) and checks "
        "the file against the IATI schema."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        iati = sub.add_parser("iati", help="IATI 2.03 activities XML, one per project cycle.")
        iati.add_argument("--output", required=True, metavar="F")
        iati.add_argument(
            "--no-check", action="store_true", help="do not check the file against the schema"
        )

    def handle(self, *args, what, output, no_check, **options):
        if not ProjectCycle.objects.exists():
            raise CommandError("No project cycles: nothing to export.")
        xml = iati_xml()
        if not no_check:
            errors = validate(xml)
            if errors:
                for error in errors[:20]:
                    self.stderr.write(error)
                raise CommandError("The IATI file does not follow the schema; nothing written.")
        try:
            Path(output).write_bytes(xml)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        count = ProjectCycle.objects.count()
        audit_record("reporting.iati.exported", actor=CLI_ACTOR, detail={"activities": count})
        self.stdout.write(f"Wrote {count} IATI activities to {output}.")
