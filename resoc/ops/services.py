"""Retention: pseudonymising the people whose identity is no longer to be kept."""

import datetime
import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from resoc.audit.models import AuditEntry
from resoc.audit.services import Event, audit_record, audit_record_many
from resoc.ops import retention
from resoc.ops.audit_scrub import Identity, entries_naming
from resoc.ops.job_scrub import jobs_clear, jobs_naming
from resoc.ops.models import Pseudonymisation
from resoc.people.models import Person

logger = logging.getLogger(__name__)

PSEUDONYM_PREFIX = "ANON-"
BATCH_SIZE = 500


@dataclass
class RetentionReport:
    dry_run: bool
    today: datetime.date
    cutoffs: dict = field(default_factory=dict)  # rule -> cutoff day (None: off)
    persons: Counter = field(default_factory=Counter)  # rule -> people pseudonymised / due
    fields: Counter = field(default_factory=Counter)  # model -> rows blanked
    files: int = 0
    jobs: int = 0  # background jobs whose record named them, cleared
    audit_entries: int = 0

    @property
    def total(self) -> int:
        return sum(self.persons.values())

    def as_detail(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "cutoffs": {name: day and day.isoformat() for name, day in self.cutoffs.items()},
            "persons": dict(self.persons),
            "rows": dict(self.fields),
            "files": self.files,
            "jobs": self.jobs,
            "audit_entries": self.audit_entries,
        }


def _pseudonym() -> str:
    """Random, so nothing of the old reference survives; stored, so it stays the same."""
    while True:
        ref = PSEUDONYM_PREFIX + secrets.token_hex(6).upper()
        if not Person.objects.filter(ref=ref).exists():
            return ref


def retention_apply(*, actor, today: datetime.date | None = None, dry_run: bool = False):
    """Pseudonymise everyone whose retention period has run out, rule by rule, in batches.

    Each batch is one transaction: its people's records, files and audit details go together
    or not at all, and a run stopped half-way is finished by the next one.
    """
    today = today or timezone.localdate()
    report = RetentionReport(dry_run=dry_run, today=today)
    seen = set()  # a dry run counts a person due under two rules once, as a real run does
    for name, select in retention.rules().items():
        cutoff = retention.cutoff_for(name, today)
        report.cutoffs[name] = cutoff
        if cutoff is None:
            continue
        if dry_run:
            due = set(select(cutoff).values_list("pk", flat=True)) - seen
            report.persons[name] = len(due)
            seen |= due
            continue
        while True:
            ids = list(select(cutoff).values_list("pk", flat=True)[:BATCH_SIZE])
            if not ids:
                break
            done = _pseudonymise_batch(
                actor=actor, rule=name, cutoff=cutoff, ids=ids, report=report
            )
            if not done:  # they all became current meanwhile; the next run looks again
                break
    audit_record(
        "ops.retention.checked" if dry_run else "ops.retention.applied",
        actor=actor,
        detail=report.as_detail(),
    )
    return report


def _identities(ids) -> list[Identity]:
    rows = Person.objects.filter(pk__in=ids).values_list("ref", "given_name", "family_name")
    return [Identity(*row) for row in rows]


def _pseudonymise_batch(*, actor, rule, cutoff, ids, report: RetentionReport) -> int:
    # The scan of the whole audit trail is long: it runs outside the transaction, and the
    # entries written meanwhile are scanned again inside it.
    naming, scanned_to = entries_naming(_identities(ids))
    return _apply_batch(
        actor=actor,
        rule=rule,
        cutoff=cutoff,
        ids=ids,
        naming=naming,
        scanned_to=scanned_to,
        report=report,
    )


@transaction.atomic
def _apply_batch(*, actor, rule, cutoff, ids, naming, scanned_to, report) -> int:
    list(Person.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
    ids = list(retention.rules()[rule](cutoff).filter(pk__in=ids).values_list("pk", flat=True))
    if not ids:
        return 0
    identities = _identities(ids)
    later, _ = entries_naming(identities, after_id=scanned_to)
    old_refs = [i.ref for i in identities]
    redacted = (
        AuditEntry.objects.filter(redacted=False)
        .filter(pk__in=set(naming) | set(later))
        .update(detail=None, redacted=True)
    )
    by_ref = AuditEntry.objects.filter(person_ref__in=old_refs, redacted=False).update(
        detail=None, redacted=True
    )
    report.audit_entries += redacted + by_ref

    files = []
    for entry in retention.registered():
        rows = entry.rows_of(ids)
        for name in entry.files:
            files += [f for f in rows.exclude(**{name: ""}).values_list(name, flat=True) if f]
        changes = entry.changes()
        if changes:
            report.fields[entry.label] += rows.update(**changes)
    report.files += len(files)
    jobs = jobs_naming(identities)
    files += jobs_clear(jobs)
    report.jobs += len(jobs)

    persons = list(Person.objects.filter(pk__in=ids).order_by("pk"))
    for person in persons:
        person.ref = _pseudonym()
    Person.objects.bulk_update(persons, ["ref"])
    Pseudonymisation.objects.bulk_create(Pseudonymisation(person=p, rule=rule) for p in persons)
    report.persons[rule] += len(persons)

    # The new entries name the pseudonym only: the old reference is not written again.
    events = [
        Event(
            action="ops.person.pseudonymised",
            obj=p,
            person_ref=p.ref,
            detail={"rule": rule, "cutoff": cutoff.isoformat()},
        )
        for p in persons
    ]
    audit_record_many(actor=actor, events=events)
    transaction.on_commit(lambda: _delete_files(files))
    return len(persons)


def _delete_files(names: list[str]) -> None:
    """After the commit: a rolled-back batch keeps its files along with its rows."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete a pseudonymised person's file")
