from django_tasks import task


@task(takes_context=True)
def run_job(context, job_id: str) -> None:
    """Takes the job's id, not the job: a retried or late task reloads it from the database."""
    from resoc.jobs.services import job_run

    job_run(job_id=job_id, task_id=str(context.task_result.id))
