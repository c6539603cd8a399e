import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from resoc.accounts.models import Role, User
from resoc.accounts.services import UserError, user_add, user_token_create


class Command(BaseCommand):
    help = "Manage Resoc users: `user add NAME --role ROLE ...` and `user token NAME`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a user with a role and a scope.")
        add.add_argument("name")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--country", action="append", default=[], metavar="CC")
        add.add_argument("--institution", action="append", default=[], metavar="CODE")
        add.add_argument("--municipality", action="append", default=[], metavar="NAME")
        secret = add.add_mutually_exclusive_group(required=True)
        secret.add_argument("--password-stdin", action="store_true")
        secret.add_argument("--password-file", metavar="F")
        token = sub.add_parser("token", help="Print a new API token (replacing the old one).")
        token.add_argument("name")

    def handle(self, *args, action, name, **options):
        if action == "add":
            self._add(name, options)
        else:
            self._token(name)

    def _add(self, name, options):
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            try:
                password = Path(options["password_file"]).read_text().strip()
            except OSError as exc:
                raise CommandError(f"Cannot read the password file: {exc.strerror}.") from exc
        try:
            user = user_add(
                username=name,
                role=options["role"],
                password=password,
                countries=options["country"],
                institutions=options["institution"],
                municipalities=options["municipality"],
            )
        except UserError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from exc
        self.stdout.write(f"Created user {user.username} ({user.role}).")

    def _token(self, name):
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"No user named {name!r}.")
        self.stdout.write(user_token_create(user=user))
