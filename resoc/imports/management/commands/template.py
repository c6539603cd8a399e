from django.core.management.base import BaseCommand, CommandError

from resoc.imports.kinds import kind_get, kinds
from resoc.imports.services import import_template


class Command(BaseCommand):
    help = "Write a blank import template (.xlsx) for a kind, with a sheet describing the columns."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k.name for k in kinds()])
        parser.add_argument("--output", required=True, metavar="F.xlsx")

    def handle(self, *args, kind, output, **options):
        if not output.lower().endswith(".xlsx"):
            raise CommandError("The output file must end in .xlsx.")
        try:
            import_template(kind=kind_get(kind)).save(output)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stdout.write(f"Wrote the {kind} template to {output}.")
