from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resoc.ops.backup import BackupError, backup_restore
from resoc.ops.management.commands.backup import CLI_ACTOR, passphrase_from


class Command(BaseCommand):
    help = (
        "Restore a backup made by `resoc backup` into an empty installation (migrated, no data); "
        "--force wipes a non-empty one first. Encrypted backups need their passphrase."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Wipe this installation's data and uploaded files before restoring.",
        )
        parser.add_argument("--passphrase-file", help="A file holding the passphrase.")

    def handle(self, *args, file, force, **options):
        try:
            result = backup_restore(
                actor=CLI_ACTOR,
                path=Path(file),
                passphrase=passphrase_from(options),
                force=force,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.tables} tables ({result.rows} rows) and {result.files} files. "
                "Check the audit trail with `resoc audit verify`."
            )
        )
