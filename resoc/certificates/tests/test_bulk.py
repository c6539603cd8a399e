"""500 certificates issued and rendered as one background job, run by the database worker."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from resoc.certificates import jobs as certificate_jobs
from resoc.certificates.models import Certificate
from resoc.jobs.models import Job
from resoc.jobs.services import job_enqueue
from resoc.people.models import Person
from resoc.training.models import Enrollment

COUNT = 500


def _graduates(cohort, count):
    people = []
    for n in range(count):
        person = Person(
            ref=f"G{n:05d}", given_name="Ana", family_name=f"Graduate {n}", sex="F", kind="prisoner"
        )
        person.refresh_search_keys()
        people.append(person)
    people = Person.objects.bulk_create(people)
    Enrollment.objects.bulk_create(
        Enrollment(
            cohort=cohort, person=p, status=Enrollment.Status.COMPLETED, completed_on=cohort.end
        )
        for p in people
    )


@pytest.mark.django_db(transaction=True)
def test_500_certificates_are_issued_and_rendered_by_the_worker_with_progress(
    settings, prison_cohort, trainer, client_for, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _graduates(prison_cohort, COUNT)
    seen = []
    real_progress = certificate_jobs.job_progress

    def watched(*, job, done, total=None, message=None):
        real_progress(job=job, done=done, total=total, message=message)
        # Saved outside any transaction: the job's page sees each step at once.
        seen.append((Job.objects.get(pk=job.pk).done, connection.in_atomic_block))

    monkeypatch.setattr(certificate_jobs, "job_progress", watched)

    job = job_enqueue(
        kind="certificates.cohort_pdfs",
        requested_by=trainer,
        params={"cohort": prison_cohort.pk, "language": "en", "issue_due": True},
    )
    assert job.status == Job.Status.QUEUED
    assert not Certificate.objects.exists()  # nothing happens until a worker takes it

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert (job.done, job.total) == (COUNT, COUNT)
    assert Certificate.objects.count() == COUNT
    steps = [done for done, _ in seen if done]
    assert steps[:COUNT] == list(range(1, COUNT + 1))
    assert not any(in_transaction for _, in_transaction in seen)

    client = client_for(trainer)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f"{COUNT} of {COUNT}" in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == COUNT
    assert set(names) == {f"{n}.pdf" for n in Certificate.objects.values_list("number", flat=True)}
