from django_tasks import task


@task()
def run_job(job_id: str) -> None:
    """Takes the job's id, not the job: a retried or late task reloads it from the database."""
    from resoc.jobs.services import job_run

    job_run(job_id=job_id)
