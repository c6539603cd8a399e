import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from resoc.audit.services import audit_record
from resoc.core.seeding import seed_run
from resoc.ops import dump
from resoc.people.models import Person
from resoc.people.services import consent_save
from resoc.people.tests.factories import ConsentFactory

PASSPHRASE = "correct horse battery staple, twice"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def table_digests(*, skip=()) -> dict[str, tuple[int, str]]:
    """Every table's row count and checksum."""
    result = {}
    for model in dump.tables():
        if model._meta.db_table not in skip:
            digest = dump.digest_of(model)
            result[model._meta.db_table] = (digest.rows, digest.hexdigest)
    return result


def audit_digest(up_to: int) -> tuple[int, str]:
    from resoc.audit.models import AuditEntry

    digest = dump.Digest()
    names = [f.attname for f in dump.columns(AuditEntry)]
    for values in AuditEntry.objects.filter(pk__lte=up_to).order_by("pk").values_list(*names):
        digest.add(dump.line_of(values))
    return digest.rows, digest.hexdigest


@pytest.fixture
def seeded(manager):
    """200 seeded people, audit entries with personal details and an uploaded evidence file."""
    seed_run(persons=200, seed=3)
    person = Person.objects.order_by("pk").first()
    consent = ConsentFactory.build(
        person=person,
        given_on=datetime.date(2024, 5, 2),
        evidence=SimpleUploadedFile("consent.pdf", b"%PDF-1.4 signed consent\n"),
    )
    consent_save(actor=manager, consent=consent)
    for n in range(3):
        audit_record(
            "person.viewed",
            actor=manager,
            obj=person,
            person_ref=person.ref,
            detail={"n": n, "name": person.full_name},
        )
    return person
