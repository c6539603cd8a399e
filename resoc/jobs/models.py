import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def result_path(job, filename: str) -> str:
    return f"jobs/{job.pk}/{filename}"


def input_path(job, filename: str) -> str:
    return f"jobs/{job.pk}/input/{filename}"


def job_folder(job) -> str:
    return f"jobs/{job.pk}"


class Job(models.Model):
    """A piece of work done in the background for one user, with its progress and result file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    # Not a counter: a job's address should not tell how many others there are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("requested by"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=255, blank=True)
    result = models.FileField(_("result"), upload_to=result_path, max_length=255, blank=True)
    # What the result holds, for the audit entry of its download (e.g. certificate numbers).
    result_info = models.JSONField(default=dict, blank=True)
    # A file the work reads (e.g. an uploaded import), kept until the job has run to its end.
    input = models.FileField(_("input"), upload_to=input_path, max_length=255, blank=True)
    # The language of the request: the job's messages and files are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The task that runs the job now; a run whose task is no longer this one stops.
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # The heartbeat: set when the job starts and at each progress report. A running job without
    # one for RESOC_JOB_STALE_MINUTES is taken as stopped (its worker died).
    progress_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="job_by_user"),
            models.Index(fields=["status", "expires_at"], name="job_expiry"),
        ]

    def __str__(self) -> str:
        return self.title or self.kind

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def result_name(self) -> str:
        return self.result.name.rsplit("/", 1)[-1] if self.result else ""
