from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from resoc.jobs import services
from resoc.jobs.models import Job
from resoc.jobs.registry import JobError, job_kind_get
from resoc.jobs.selectors import job_get_for_user, job_list_for_user


def _own_job(request, pk) -> Job:
    job = job_get_for_user(user=request.user, job_id=pk)
    services.job_expire_if_due(job=job)
    services.job_fail_if_stale(job=job)
    return job


def _context(job: Job) -> dict:
    try:
        result_template = job_kind_get(job.kind).result_template
    except ValueError:
        result_template = ""
    return {
        "job": job,
        "result_template": result_template if job.finished else "",
        "can_run_again": services.job_can_run_again(job),
    }


@login_required
def job_list(request):
    jobs = list(job_list_for_user(user=request.user)[:50])
    for job in jobs:
        services.job_expire_if_due(job=job)
        services.job_fail_if_stale(job=job)
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    return render(request, "jobs/detail.html", _context(_own_job(request, pk)))


@login_required
def job_progress(request, pk):
    """The progress fragment htmx polls; it stops polling once the job has finished."""
    return render(request, "jobs/_progress.html", _context(_own_job(request, pk)))


@login_required
@require_POST
def job_run_again(request, pk):
    job = _own_job(request, pk)
    try:
        services.job_run_again(job=job, actor=request.user)
    except JobError as exc:
        messages.error(request, str(exc))
    return redirect("jobs:detail", pk=job.pk)


@login_required
def job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404("This job has no file to download (any more).")
    services.job_downloaded(job=job, actor=request.user)
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
