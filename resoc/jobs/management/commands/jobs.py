from django.core.management.base import BaseCommand

from resoc.jobs.services import jobs_fail_stale, jobs_purge


class Command(BaseCommand):
    help = (
        "Background jobs: `jobs purge` marks stale jobs failed and deletes the files whose time "
        "is over; `jobs fail-stale` only marks stale jobs failed."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "purge",
            help="Mark stale jobs failed, and delete expired files (keeps the jobs' records).",
        )
        sub.add_parser(
            "fail-stale",
            help="Mark failed the running jobs without progress for RESOC_JOB_STALE_MINUTES "
            "(their worker died); their requesters may run them again.",
        )

    def handle(self, *args, action, **options):
        stale = jobs_fail_stale()
        self.stdout.write(f"Marked {stale} stale job(s) failed.")
        if action == "purge":
            count = jobs_purge()
            self.stdout.write(f"Expired {count} job result(s).")
