from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from resoc.jobs import services
from resoc.jobs.models import Job
from resoc.jobs.selectors import job_get_for_user, job_list_for_user


def _own_job(request, pk) -> Job:
    job = job_get_for_user(user=request.user, job_id=pk)
    services.job_expire_if_due(job=job)
    return job


@login_required
def job_list(request):
    jobs = list(job_list_for_user(user=request.user)[:50])
    for job in jobs:
        services.job_expire_if_due(job=job)
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    return render(request, "jobs/detail.html", {"job": _own_job(request, pk)})


@login_required
def job_progress(request, pk):
    """The progress fragment htmx polls; it stops polling once the job has finished."""
    return render(request, "jobs/_progress.html", {"job": _own_job(request, pk)})


@login_required
def job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404("This job has no file to download (any more).")
    services.job_downloaded(job=job, actor=request.user)
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
