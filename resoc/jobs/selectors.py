from django.http import Http404

from resoc.jobs.models import Job


def job_list_for_user(*, user):
    """A user's own jobs: nobody else's, whatever their role (the results hold personal data)."""
    if not (user and user.is_authenticated):
        return Job.objects.none()
    return Job.objects.filter(requested_by=user)


def job_get_for_user(*, user, job_id) -> Job:
    job = job_list_for_user(user=user).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job of yours.")
    return job
