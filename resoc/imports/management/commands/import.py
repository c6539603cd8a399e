from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resoc.imports.errors import ImportFailed
from resoc.imports.kinds import kinds
from resoc.imports.services import import_run

MAX_ERRORS = 100
# The operator at the console: the audit trail records the actor's name as "cli".
CLI_ACTOR = "cli"


class Command(BaseCommand):
    help = "Import a .csv or .xlsx file of one kind: all rows or, on any error, none."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k.name for k in kinds()])
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and say what would change."
        )

    def handle(self, *args, kind, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            result = import_run(actor=CLI_ACTOR, kind=kind, path=path, dry_run=dry_run)
        except ImportFailed as exc:
            for error in exc.errors[:MAX_ERRORS]:
                self.stderr.write(str(error))
            if len(exc.errors) > MAX_ERRORS:
                self.stderr.write(f"... and {len(exc.errors) - MAX_ERRORS} more.")
            raise CommandError(
                f"{path.name}: {len(exc.errors)} error(s); nothing was imported."
            ) from None
        counts = ", ".join(f"{n} {action}" for action, n in result.counts.items())
        if dry_run:
            self.stdout.write(f"{kind} from {path.name} (dry run, nothing written): {counts}.")
            for row in result.rows[:20]:
                self.stdout.write(f"  row {row.number}: {row.action} {row.label}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {kind} from {path.name}: {counts}."))
