"""Backups that restore: the database's rows and the uploaded files in one compressed archive.

The archive is a tar.gz holding `manifest.json` (format version, when, the applied migrations,
each table's row count and checksum, each file's size and SHA-256), then `db/<table>.jsonl`
(see resoc.ops.dump) and `media/<name>`. Optionally the whole archive is encrypted
(resoc.ops.crypto). The tables are read in one transaction (REPEATABLE READ on PostgreSQL), so
they are consistent with each other while the application keeps running.
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.audit.services import audit_record
from resoc.ops import crypto, dump

FORMAT = "resoc-backup"
VERSION = 1
# Rows a freshly migrated installation already has: restoring replaces them.
INSTALLATION_TABLES = {"django_content_type", "auth_permission", "registry_country"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int


def _resoc_version() -> str:
    try:
        return version("resoc")
    except PackageNotFoundError:
        return "unknown"


def _applied_migrations() -> list[list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted([app, name] for app, name in applied)


def _stored_files(path: str = ""):
    """Every file in the default storage (the file system or the S3 bucket)."""
    try:
        dirs, files = default_storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield str(PurePosixPath(path) / name) if path else name
    for name in sorted(dirs):
        yield from _stored_files(str(PurePosixPath(path) / name) if path else name)


def _sha256_of(fileobj) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(block)
    return digest.hexdigest()


@contextmanager
def _snapshot():
    """One transaction for every read; on PostgreSQL a repeatable-read, read-only one."""
    # Inside a transaction the caller began (a test's), it is too late to choose the isolation;
    # the reads share that transaction all the same.
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _dump_tables(workdir: Path) -> dict:
    tables = {}
    with _snapshot():
        migrations = _applied_migrations()
        for model in dump.tables():
            digest = dump.Digest()
            target = workdir / f"{model._meta.db_table}.jsonl"
            with target.open("w", encoding="utf-8") as out:
                for line in dump.rows(model):
                    digest.add(line)
                    out.write(line + "\n")
            tables[model._meta.db_table] = {
                "model": model._meta.label_lower,
                "columns": [f.attname for f in dump.columns(model)],
                "rows": digest.rows,
                "checksum": digest.hexdigest,
            }
    return {"migrations": migrations, "tables": tables}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    tar.addfile(info, fileobj=io.BytesIO(data))


def backup_create(*, actor, output: Path, passphrase: str | None = None) -> BackupResult:
    """Write the archive to `output` (through a temporary file: never half a backup)."""
    output = Path(output)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)  # a leftover could have wider permissions
    try:
        state, files = _write_archive(partial, passphrase)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    rows = sum(t["rows"] for t in state["tables"].values())
    audit_record(
        "ops.backup.created",
        actor=actor,
        detail={
            "file": output.name,
            "encrypted": bool(passphrase),
            "tables": len(state["tables"]),
            "rows": rows,
            "files": len(files),
        },
    )
    return BackupResult(output, len(state["tables"]), rows, len(files))


def _write_archive(partial: Path, passphrase: str | None):
    with tempfile.TemporaryDirectory(prefix="resoc-backup-") as tmp:
        workdir = Path(tmp)
        state = _dump_tables(workdir)
        files = {}
        for name in _stored_files():
            with default_storage.open(name, "rb") as f:
                files[name] = {"size": default_storage.size(name), "sha256": _sha256_of(f)}
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "resoc_version": _resoc_version(),
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            **state,
            "files": files,
        }
        with ExitStack() as stack:
            # Readable by its owner only, from the first byte on.
            raw = stack.enter_context(
                os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
            )
            sink = raw
            if passphrase:
                sink = crypto.EncryptingWriter(raw, passphrase)
                stack.callback(sink.close)
            tar = stack.enter_context(tarfile.open(fileobj=sink, mode="w|gz"))
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
            for table in state["tables"]:
                tar.add(workdir / f"{table}.jsonl", arcname=f"db/{table}.jsonl")
            for name, about in files.items():
                info = tarfile.TarInfo(f"media/{name}")
                info.size, info.mode = about["size"], 0o600
                with default_storage.open(name, "rb") as f:
                    tar.addfile(info, fileobj=f)
    return state, files


# Restore ------------------------------------------------------------------------------------


def installation_rows() -> dict[str, int]:
    """Tables holding rows beyond what `migrate` puts into a new installation."""
    found = {}
    for model in dump.tables():
        if model._meta.db_table in INSTALLATION_TABLES:
            continue
        count = model._base_manager.count()
        if count:
            found[model._meta.db_table] = count
    return found


@contextmanager
def _plain_archive(path: Path, passphrase: str | None):
    """The archive as a readable tar.gz, decrypting it into a temporary file if need be."""
    if not crypto.is_encrypted(path):
        yield path
        return
    if not passphrase:
        raise BackupError(
            _("The backup is encrypted: give the passphrase (RESOC_BACKUP_PASSPHRASE).")
        )
    with tempfile.NamedTemporaryFile(prefix="resoc-restore-", suffix=".tar.gz") as plain:
        with path.open("rb") as source:
            try:
                crypto.decrypt_file(source, plain, passphrase)
            except crypto.DecryptionError as exc:
                raise BackupError(str(exc)) from None
        plain.flush()
        yield Path(plain.name)


def _read_manifest(tar: tarfile.TarFile) -> dict:
    member = tar.next()
    if member is None or member.name != "manifest.json":
        raise BackupError(_("Not a Resoc backup: the manifest is missing."))
    manifest = json.load(tar.extractfile(member))
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(_("Not a Resoc backup of a version this installation can read."))
    return manifest


def _check_schema(manifest: dict) -> dict:
    theirs = {tuple(m) for m in manifest["migrations"]}
    ours = {tuple(m) for m in _applied_migrations()}
    if theirs != ours:
        missing = sorted(".".join(m) for m in theirs - ours)[:5]
        newer = sorted(".".join(m) for m in ours - theirs)[:5]
        raise BackupError(
            _(
                "The backup was made by another version of Resoc (migrations only in the backup: "
                "%(missing)s; only here: %(newer)s). Restore it into an installation of the "
                "version that made it (%(version)s), then upgrade that with `resoc migrate`."
            )
            % {
                "missing": ", ".join(missing) or "-",
                "newer": ", ".join(newer) or "-",
                "version": manifest.get("resoc_version", "?"),
            }
        )
    models = {m._meta.db_table: m for m in dump.tables()}
    unknown = sorted(set(manifest["tables"]) - set(models))
    if unknown:
        raise BackupError(_("Tables missing here: %(tables)s") % {"tables": ", ".join(unknown)})
    return models


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int


def backup_restore(
    *, actor, path: Path, passphrase: str | None = None, force: bool = False
) -> RestoreResult:
    """Restore the archive into this installation, all tables or none.

    Refuses an installation holding data unless `force`, which wipes it (and its files) first.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("No such file: %(path)s") % {"path": path})
    with (
        _plain_archive(path, passphrase) as plain,
        tarfile.open(plain, mode="r|gz") as tar,
        tempfile.TemporaryDirectory(prefix="resoc-restore-") as staging,
    ):
        manifest = _read_manifest(tar)
        models = _check_schema(manifest)
        holding = installation_rows()
        stored = sum(1 for _name in _stored_files())
        if stored:
            holding[_("uploaded files")] = stored
        if holding and not force:
            listed = ", ".join(f"{t} ({n})" for t, n in sorted(holding.items())[:8])
            raise BackupError(
                _(
                    "This installation holds data (%(tables)s). Restore into an empty one "
                    "(migrated, nothing else), or give --force to wipe this one first."
                )
                % {"tables": listed}
            )
        with transaction.atomic():
            dump.wipe(models.values())
            rows = _load(tar, manifest, models, Path(staging))
            dump.reset_sequences(models.values())
            ContentType.objects.clear_cache()
        if force:
            for name in _stored_files():
                default_storage.delete(name)
        files = _place_files(manifest, Path(staging))
    audit_record(
        "ops.backup.restored",
        actor=actor,
        detail={
            "file": path.name,
            "created": manifest["created"],
            "tables": len(manifest["tables"]),
            "rows": rows,
            "files": files,
        },
    )
    return RestoreResult(len(manifest["tables"]), rows, files)


def _load(tar: tarfile.TarFile, manifest: dict, models: dict, staging: Path) -> int:
    """Insert the tables' rows and stage the files, checking each against the manifest."""
    loaded, total = set(), 0
    for member in tar:
        if member.name.startswith("db/") and member.name.endswith(".jsonl"):
            table = member.name[3:-6]
            about = manifest["tables"].get(table)
            if about is None or table in loaded:
                raise BackupError(_("Unexpected table in the backup: %(t)s") % {"t": table})
            loader = dump.Loader(models[table], about["columns"])
            for raw in tar.extractfile(member):
                loader.add(raw.decode("utf-8").rstrip("\n"))
            loader.flush()
            if (loader.digest.rows, loader.digest.hexdigest) != (about["rows"], about["checksum"]):
                raise BackupError(_("Table %(t)s does not match its checksum.") % {"t": table})
            loaded.add(table)
            total += loader.digest.rows
        elif member.name.startswith("media/") and member.isfile():
            _stage(tar, member, manifest, staging)
    missing = sorted(set(manifest["tables"]) - loaded)
    if missing:
        raise BackupError(_("Tables missing from the backup: %(t)s") % {"t": ", ".join(missing)})
    return total


def _stage(tar, member, manifest, staging: Path) -> None:
    name = member.name[len("media/") :]
    about = manifest["files"].get(name)
    parts = PurePosixPath(name).parts
    if about is None or not parts or ".." in parts or PurePosixPath(name).is_absolute():
        raise BackupError(_("Unexpected file in the backup: %(f)s") % {"f": name})
    target = staging / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with tar.extractfile(member) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
    with target.open("rb") as f:
        if _sha256_of(f) != about["sha256"]:
            raise BackupError(_("File %(f)s does not match its checksum.") % {"f": name})


def _place_files(manifest: dict, staging: Path) -> int:
    placed = 0
    for name in manifest["files"]:
        source = staging / name
        if not source.is_file():
            raise BackupError(_("File missing from the backup: %(f)s") % {"f": name})
        with source.open("rb") as f:
            saved = default_storage.save(name, File(f))
        if saved != name:
            raise BackupError(
                _("File %(f)s exists here already (saved as %(s)s).") % {"f": name, "s": saved}
            )
        placed += 1
    return placed
