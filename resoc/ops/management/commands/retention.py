from django.core.management.base import BaseCommand

from resoc.ops.management.commands.backup import CLI_ACTOR
from resoc.ops.services import retention_apply


class Command(BaseCommand):
    help = (
        "Retention: `retention apply` pseudonymises the people whose retention period has run "
        "out (settings RESOC_RETENTION_*); --dry-run only counts them."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        apply = sub.add_parser("apply", help="Pseudonymise the people due.")
        apply.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, action, dry_run=False, **options):
        report = retention_apply(actor=CLI_ACTOR, dry_run=dry_run)
        for rule, cutoff in report.cutoffs.items():
            if cutoff is None:
                self.stdout.write(f"{rule}: off")
                continue
            verb = "due" if dry_run else "pseudonymised"
            self.stdout.write(
                f"{rule} (records ended on or before {cutoff}): "
                f"{report.persons[rule]} people {verb}"
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        else:
            rows = ", ".join(f"{label} {n}" for label, n in sorted(report.fields.items()))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Pseudonymised {report.total} people; rows blanked: {rows or 'none'}; "
                    f"files deleted: {report.files}; jobs cleared: {report.jobs}; "
                    f"audit details redacted: {report.audit_entries}."
                )
            )
