"""`resoc backup` and `resoc restore`: a real round trip, every table and file compared."""

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from resoc.audit.models import AuditEntry
from resoc.audit.selectors import audit_verify
from resoc.ops import crypto
from resoc.ops.backup import installation_rows
from resoc.ops.tests.conftest import PASSPHRASE, audit_digest, table_digests
from resoc.people.models import Consent, Person

AUDIT_TABLES = {"audit_auditentry", "audit_audithead"}
REPO = Path(__file__).resolve().parents[3]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True)
def test_backup_restores_every_table_and_file_into_an_empty_installation(
    seeded, settings, tmp_path, monkeypatch
):
    before = table_digests(skip=AUDIT_TABLES)
    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    audit_before = audit_digest(last_entry)
    files_before = _files(Path(settings.MEDIA_ROOT))
    assert any(name.startswith("consents/") for name in files_before)
    archive = tmp_path / "resoc.tar.gz"
    monkeypatch.setenv("RESOC_BACKUP_PASSPHRASE", PASSPHRASE)

    call_command("backup", output=str(archive), encrypt=True, stdout=StringIO())

    assert crypto.is_encrypted(archive)
    assert archive.stat().st_mode & 0o777 == 0o600
    # Another installation: the same migrations, no data, its own (empty) uploads folder.
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    assert installation_rows() == {}
    out = StringIO()
    call_command("restore", str(archive), stdout=out)

    assert "Restored" in out.getvalue()
    assert table_digests(skip=AUDIT_TABLES) == before
    assert audit_digest(last_entry) == audit_before
    assert _files(Path(settings.MEDIA_ROOT)) == files_before
    assert audit_verify().ok
    call_command("audit", "verify", stdout=StringIO())
    restored = AuditEntry.objects.order_by("-pk").first()
    assert restored.action == "ops.backup.restored"
    # The restored database goes on working: new rows get fresh keys, the evidence opens.
    consent = Consent.objects.exclude(evidence="").get()
    assert consent.evidence.read().startswith(b"%PDF")
    Person.objects.create(
        ref="NEW-1", given_name="Nova", family_name="Osoba", sex="F", kind="staff"
    )


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_installation_holding_data_unless_forced(seeded, tmp_path):
    archive = tmp_path / "plain.tar.gz"
    call_command("backup", output=str(archive), stdout=StringIO())
    before = table_digests(skip=AUDIT_TABLES)
    Person.objects.filter(pk=seeded.pk).update(given_name="Changed")

    with pytest.raises(CommandError, match="holds data"):
        call_command("restore", str(archive), stdout=StringIO())
    call_command("restore", str(archive), force=True, stdout=StringIO())

    assert table_digests(skip=AUDIT_TABLES) == before
    assert Person.objects.get(pk=seeded.pk).given_name != "Changed"
    assert audit_verify().ok


def test_an_encrypted_backup_needs_its_passphrase(seeded, tmp_path, monkeypatch):
    archive = tmp_path / "secret.tar.gz.enc"
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    call_command(
        "backup",
        output=str(archive),
        encrypt=True,
        passphrase_file=str(passphrase_file),
        stdout=StringIO(),
    )
    assert b"Petrovi" not in archive.read_bytes()
    assert not tarfile.is_tarfile(archive)
    with pytest.raises(CommandError, match="encrypted"):
        call_command("restore", str(archive), force=True)
    monkeypatch.setenv("RESOC_BACKUP_PASSPHRASE", "not the passphrase")
    with pytest.raises(CommandError, match="Wrong passphrase"):
        call_command("restore", str(archive), force=True)


def test_backup_refuses_to_encrypt_without_a_passphrase(db, tmp_path, monkeypatch):
    monkeypatch.delenv("RESOC_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match="passphrase"):
        call_command("backup", output=str(tmp_path / "x.tar.gz"), encrypt=True)
    assert not list(tmp_path.iterdir())


def test_a_damaged_archive_is_refused_before_anything_changes(seeded, tmp_path):
    archive = tmp_path / "plain.tar.gz"
    call_command("backup", output=str(archive), stdout=StringIO())
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}
    people = members["db/people_person.jsonl"]
    name = json.dumps(seeded.given_name, ensure_ascii=False).encode()
    members["db/people_person.jsonl"] = people.replace(name, b'"Mallory"', 1)
    assert members["db/people_person.jsonl"] != people
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, fileobj=io.BytesIO(data))
    count = Person.objects.count()

    with pytest.raises(CommandError, match="people_person does not match its checksum"):
        call_command("restore", str(tampered), force=True)

    assert Person.objects.count() == count


def test_encrypted_stream_refuses_a_cut_off_or_altered_file(tmp_path):
    path = tmp_path / "data.enc"
    data = os.urandom(crypto.CHUNK * 2 + 123)
    with path.open("wb") as raw:
        writer = crypto.EncryptingWriter(raw, PASSPHRASE)
        writer.write(data)
        writer.close()
    sealed = path.read_bytes()
    out = tmp_path / "out"
    with path.open("rb") as source, out.open("wb") as target:
        crypto.decrypt_file(source, target, PASSPHRASE)
    assert out.read_bytes() == data
    for broken, reason in [
        (sealed[: -(crypto.CHUNK // 2)], "cut off|damaged"),
        (sealed[:200] + bytes([sealed[200] ^ 1]) + sealed[201:], "damaged|altered"),
        (sealed + b"x", "past its end"),
    ]:
        path.write_bytes(broken)
        with (
            path.open("rb") as source,
            out.open("wb") as target,
            pytest.raises(crypto.DecryptionError, match=reason),
        ):
            crypto.decrypt_file(source, target, PASSPHRASE)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a second SQLite file, in a process")
def test_a_backup_restores_into_a_new_database_file_elsewhere(seeded, tmp_path):
    archive = tmp_path / "resoc.tar.gz"
    call_command("backup", output=str(archive), stdout=StringIO())
    count = Person.objects.count()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "resoc.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}",
        "RESOC_MEDIA_ROOT": str(tmp_path / "elsewhere-media"),
        "RESOC_VAR_DIR": str(tmp_path),
    }
    resoc = [sys.executable, "-m", "resoc.manage"]

    def run(*args):
        done = subprocess.run(  # noqa: S603
            [*resoc, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("migrate", "--verbosity", "0")
    assert "Restored" in run("restore", str(archive))
    assert "intact" in run("audit", "verify")
    with sqlite3.connect(tmp_path / "elsewhere.sqlite3") as elsewhere:
        assert elsewhere.execute("SELECT count(*) FROM people_person").fetchone() == (count,)
    assert (tmp_path / "elsewhere-media" / "consents").is_dir()
