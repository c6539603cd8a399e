import io
import json

import pytest
from django.core.management import CommandError, call_command

from resoc.audit.models import AuditEntry
from resoc.certificates.models import Certificate
from resoc.certificates.tests.factories import CohortFactory, CourseFactory, EnrollmentFactory


def _run(*args) -> str:
    out = io.StringIO()
    call_command("certificates", *args, stdout=out)
    return out.getvalue()


def test_issue_prints_each_new_number_on_its_own_line(db):
    cohort = CohortFactory(code="WELD-2025")
    EnrollmentFactory.create_batch(3, cohort=cohort)
    lines = _run("issue", "WELD-2025").splitlines()
    assert sorted(lines) == sorted(Certificate.objects.values_list("number", flat=True))
    assert len(lines) == 3
    assert _run("issue", "WELD-2025") == ""
    assert AuditEntry.objects.filter(action="certificate.issued", actor_name="cli").count() == 3


def test_issue_errors_are_plain_messages(db):
    with pytest.raises(CommandError, match="No cohort"):
        _run("issue", "NOPE")
    CohortFactory(code="NOT-CERT", course=CourseFactory(certified=False))
    with pytest.raises(CommandError, match="not certified"):
        _run("issue", "NOT-CERT")


def test_pdf_writes_the_certificate(certificate, tmp_path):
    output = tmp_path / "c.pdf"
    _run("pdf", certificate.number.lower(), "--output", str(output), "--language", "sr-latn")
    assert output.read_bytes().startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="certificate.downloaded", actor_name="cli").exists()


def test_badge_writes_the_json(certificate, tmp_path):
    output = tmp_path / "c.json"
    _run("badge", certificate.number, "--output", str(output))
    badge = json.loads(output.read_text())
    assert "OpenBadgeCredential" in badge["type"]


def test_unknown_number_and_unwritable_output_are_command_errors(certificate, tmp_path):
    with pytest.raises(CommandError, match="No certificate numbered"):
        _run("pdf", "RESOC-1999-000001", "--output", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="Cannot write"):
        _run("badge", certificate.number, "--output", str(tmp_path / "missing" / "x.json"))
