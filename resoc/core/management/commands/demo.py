import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from resoc.core.demo_data import (
    DemoError,
    demo_instructions,
    demo_is_loaded,
    demo_load,
    demo_totp_code,
)


class Command(BaseCommand):
    help = (
        "Try Resoc on this machine: migrate the local database, load the demo data if the "
        "database is empty, print how to log in and serve on 127.0.0.1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the demo, do not serve."
        )
        parser.add_argument(
            "--totp", metavar="USERNAME", help="Print the current 6-digit code of a demo user."
        )

    def handle(self, *args, port, no_serve, totp, **options):
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError(
                "The demo creates users with a published password: run it with RESOC_DEMO=1 "
                "(`make demo`), never against a real database."
            )
        if totp:
            self._print_code(totp)
            return
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if demo_is_loaded():
            self.stdout.write("The database holds data already; the demo data is not loaded again.")
        else:
            self.stdout.write("Loading the demo data ...")
            counts = demo_load()
            self.stdout.write(
                f"Loaded {counts['institution']} institutions, {counts['person']} people "
                f"and {counts['user']} users."
            )
        self.stdout.write(demo_instructions(port=port))
        if not no_serve:
            # Background jobs (a cohort's certificates as PDFs, ...) need a worker beside it.
            worker = subprocess.Popen(  # noqa: S603 (our own command, no shell)
                [sys.executable, "-m", "resoc.manage", "db_worker", "--no-reload"]
            )
            try:
                # --insecure: runserver serves the static files although DEBUG is off.
                call_command(
                    "runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True
                )
            finally:
                worker.terminate()
                worker.wait(timeout=10)

    def _print_code(self, username):
        try:
            code, seconds = demo_totp_code(username)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{code}  (valid for {seconds} more seconds)")
