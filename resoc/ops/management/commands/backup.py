import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resoc.ops.backup import BackupError, backup_create

# The operator at the console: the audit trail records the actor's name as "cli".
CLI_ACTOR = "cli"


def passphrase_from(options) -> str | None:
    """--passphrase-file F, else RESOC_BACKUP_PASSPHRASE; never a command-line argument."""
    if options.get("passphrase_file"):
        path = Path(options["passphrase_file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        return path.read_text(encoding="utf-8").strip() or None
    return os.environ.get("RESOC_BACKUP_PASSPHRASE") or None


class Command(BaseCommand):
    help = (
        "Write a consistent, compressed archive of the database and the uploaded files; "
        "--encrypt encrypts it with a passphrase."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The archive to write, e.g. F.tar.gz")
        parser.add_argument(
            "--encrypt",
            action="store_true",
            help="Encrypt with RESOC_BACKUP_PASSPHRASE or the passphrase in --passphrase-file.",
        )
        parser.add_argument("--passphrase-file", help="A file holding the passphrase.")

    def handle(self, *args, output, encrypt, **options):
        passphrase = passphrase_from(options)
        if encrypt and not passphrase:
            raise CommandError(
                "--encrypt needs a passphrase: set RESOC_BACKUP_PASSPHRASE or give "
                "--passphrase-file."
            )
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"No such directory: {target.parent}")
        try:
            result = backup_create(
                actor=CLI_ACTOR, output=target, passphrase=passphrase if encrypt else None
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.path}: {result.tables} tables, {result.rows} rows, "
                f"{result.files} files{' (encrypted)' if encrypt else ''}."
            )
        )
