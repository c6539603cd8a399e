from django.core.management.base import BaseCommand

from resoc.jobs.services import jobs_purge


class Command(BaseCommand):
    help = "Background jobs: `jobs purge` deletes the result files whose time is over."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="Delete expired result files (keeps the jobs' records).")

    def handle(self, *args, action, **options):
        count = jobs_purge()
        self.stdout.write(f"Expired {count} job result(s).")
