import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resoc.audit.services import audit_record
from resoc.reporting import export
from resoc.reporting.disclosure import for_donors
from resoc.reporting.filters import FilterError, parse_filters
from resoc.reporting.selectors import key_results_for

CLI_ACTOR = "cli"


class Command(BaseCommand):
    help = (
        "Reports from the records. `report key-results` prints the key results in full (the "
        "operator's view); --donor prints them as a donor sees them, small counts hidden."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        key = sub.add_parser("key-results", help="The programme's key results.")
        key.add_argument("--country", metavar="CC", help="ISO code of a country")
        key.add_argument("--cycle", metavar="CODE", help="code of a project cycle")
        key.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY-MM-DD")
        key.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY-MM-DD; outcomes as of")
        key.add_argument("--format", choices=["json", "xlsx", "pdf"], required=True)
        key.add_argument("--output", metavar="F", help="file to write (JSON: else printed)")
        key.add_argument("--donor", action="store_true", help="as a donor sees them")

    def handle(self, *args, report, **options):
        try:
            filters = parse_filters(
                country=options["country"],
                cycle=options["cycle"],
                date_from=options["date_from"],
                date_to=options["date_to"],
            )
        except FilterError as exc:
            raise CommandError(str(exc)) from None
        fmt, output, donor = options["format"], options["output"], options["donor"]
        if fmt != "json" and not output:
            raise CommandError(f"--format {fmt} needs --output F.")
        if donor:  # counted as a donor's (see ReportFilters.in_whole_quarters)
            results = for_donors(key_results_for(filters.in_whole_quarters()))
        else:
            results = key_results_for(filters)
        if fmt == "json":
            data = (json.dumps(results, indent=2, ensure_ascii=False) + "\n").encode()
        elif fmt == "xlsx":
            data = export.xlsx_bytes(results, filters, donor_view=donor)
        else:
            data = export.factsheet_pdf(results, filters, donor_view=donor)
        audit_record(
            "reporting.key_results.exported",
            actor=CLI_ACTOR,
            detail={"filters": filters.as_params(), "format": fmt, "donor_view": donor},
        )
        if output:
            try:
                Path(output).write_bytes(data)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
            self.stdout.write(f"Wrote {output}.")
        else:
            sys.stdout.flush()
            self.stdout.write(data.decode(), ending="")
