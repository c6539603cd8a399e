"""Upgrades: a database of the first release migrates forward with its data, and migrations stay
safe to run on a live PostgreSQL database (see docs/deployment.md, "Upgrades")."""

import datetime

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddField, AddIndex, CreateModel
from django.utils import timezone

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit import chain
from resoc.audit.models import AuditEntry
from resoc.audit.selectors import audit_verify
from resoc.people.models import Person
from resoc.people.selectors import person_search

# The migrations of the first release (the project skeleton); apps that came later had none.
FIRST_RELEASE = {
    "accounts": "0001_initial",
    "audit": "0001_initial",
    "people": "0001_initial",
    "registry": "0002_countries",
}
# Tables that grow with the programme: on these an index is built CONCURRENTLY.
LARGE_TABLES = {
    "audit.auditentry",
    "people.person",
    "people.custodyepisode",
    "work.workmonth",
    "work.workassignment",
}
# Released before the rule existed, on tables that were small then.
GRANDFATHERED = {("audit", "0002_actor_index")}


def _project_apps() -> list[str]:
    return [a.label for a in apps.get_app_configs() if a.name.startswith("resoc.")]


def _first_release_targets(loader) -> list[tuple[str, str | None]]:
    apps_with_migrations = {app for app, _name in loader.disk_migrations}
    return [(app, FIRST_RELEASE.get(app)) for app in _project_apps() if app in apps_with_migrations]


def _seed_first_release(old_apps) -> None:
    """A small programme, written through the first release's own models."""
    Country = old_apps.get_model("registry", "Country")
    Institution = old_apps.get_model("registry", "Institution")
    Person_ = old_apps.get_model("people", "Person")
    Custody = old_apps.get_model("people", "CustodyEpisode")
    Entry = old_apps.get_model("audit", "AuditEntry")
    Head = old_apps.get_model("audit", "AuditHead")
    # Preloaded by registry 0002, unless a test before this one emptied the tables.
    serbia, _ = Country.objects.get_or_create(code="RS", defaults={"name": "Serbia"})
    prison = Institution.objects.create(code="RS-NIS", name="CI Niš", country=serbia, kind="prison")
    for n in range(30):
        person = Person_.objects.create(
            ref=f"OLD-{n:03d}",
            given_name="Ana",
            family_name=f"Đorđević {n}",
            given_key="ana",
            family_key=f"djordjevic{n}",
            sex="F",
            kind="prisoner",
        )
        Custody.objects.create(
            person=person, institution=prison, admitted_on=datetime.date(2020, 1, 1)
        )
    prev, at = chain.GENESIS, timezone.now()
    for seq in range(1, 6):
        detail = {"n": seq}
        entry = Entry(
            id=seq,
            at=at,
            actor_name="cli",
            action="test.old",
            object_type="",
            object_id="",
            person_ref="OLD-001",
            request_id="",
            detail=detail,
            detail_digest=chain.detail_digest(detail),
            prev_hash=prev,
        )
        entry.hash = chain.hash_of(entry)
        entry.save()
        prev = entry.hash
    Head.objects.create(pk=1, last_id=5, last_hash=prev, count=5)


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_first_release_migrates_forward_with_its_data():
    executor = MigrationExecutor(connection)
    targets = _first_release_targets(executor.loader)
    try:
        executor.migrate(targets)
        executor.loader.build_graph()
        at_first_release = [target for target in targets if target[1] is not None]
        _seed_first_release(executor.loader.project_state(at_first_release).apps)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []

    assert Person.objects.filter(ref__startswith="OLD-").count() == 30
    manager = UserFactory(role=Role.MANAGER)
    assert person_search(user=manager, query="Ana Đorđević").count() == 30
    assert person_search(user=manager, query="old-007").get().family_name == "Đorđević 7"
    assert audit_verify().ok
    if connection.vendor == "postgresql":  # the append-only triggers came with the upgrade
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEntry.objects.filter(pk=1).update(action="test.changed")


def _operations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    project = set(_project_apps())
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app in project:
            yield app, name, migration


def test_no_migration_adds_a_required_column_without_a_default_to_an_existing_table():
    created_here = set()
    offenders = []
    for app, name, migration in _operations():
        created_here = {op.name_lower for op in migration.operations if isinstance(op, CreateModel)}
        for op in migration.operations:
            if not isinstance(op, AddField) or op.model_name_lower in created_here:
                continue
            field = op.field
            if field.many_to_many or field.db_default is not models.NOT_PROVIDED:
                continue
            # What Django fills the existing rows with (a default, '' for a blank text field).
            if BaseDatabaseSchemaEditor._effective_default(field) is not None or field.null:
                continue
            offenders.append(f"{app}.{name}: {op.model_name}.{op.name}")
    assert not offenders, (
        "Adding a NOT NULL column without a default fails on a table with rows and rewrites it "
        f"under an exclusive lock; add it nullable or with a default: {offenders}"
    )


def test_indexes_on_large_tables_are_built_concurrently_outside_a_transaction():
    offenders = []
    for app, name, migration in _operations():
        if (app, name) in GRANDFATHERED:
            continue
        for op in migration.operations:
            if type(op) is AddIndex and f"{app}.{op.model_name_lower}" in LARGE_TABLES:
                offenders.append(f"{app}.{name}: {op.index.name} (use AddIndexConcurrently)")
            if op.__class__.__name__.endswith("Concurrently") and migration.atomic:
                offenders.append(f"{app}.{name}: set atomic = False for {op.describe()}")
    assert not offenders, offenders
