"""Background jobs that name people being pseudonymised.

A job's result file is deleted when its time is over (`RESOC_JOB_RESULT_HOURS`, by `resoc jobs
purge`), whatever it holds: that covers the files whose contents cannot be searched (a zip of
certificates, an export), for people due for retention as for everyone. The job's record stays,
as a record that it ran, and its title, message, parameters and `result_info` (what the result
held: the certificate holders' references) would keep an old reference or name for ever; and a
result still within its hours (the certificates of an old cohort printed again yesterday) holds
names. So pseudonymising people also clears every job whose record names one of them (by
reference, or given and family name together): its result file is deleted, its text and
parameters emptied, and a finished one marked expired. What stays is that a job of this kind ran,
for whom and when.
"""

from django.db import models

from resoc.jobs.models import Job
from resoc.ops.audit_scrub import Finder, Identity

# What the job was about, in words; its kind, status and times stay. Its JSON fields (parameters,
# what the result held) and its files (result, input) are found by type, whatever is added later.
TEXT_FIELDS = ["title", "message"]


def jobs_naming(identities: list[Identity]) -> list:
    """The ids of the jobs whose record names one of these people."""
    if not identities:
        return []
    finder = Finder(identities)
    names = TEXT_FIELDS + [
        f.name for f in Job._meta.concrete_fields if isinstance(f, models.JSONField)
    ]
    found = []
    for pk, *values in Job.objects.values_list("pk", *names).iterator(chunk_size=2000):
        if finder.mentions(dict(zip(names, values, strict=True))):
            found.append(pk)
    return found


def jobs_clear(ids) -> list[str]:
    """Empty these jobs' text, parameters and results; returns the files to delete after the
    commit."""
    if not ids:
        return []
    jobs = Job.objects.filter(pk__in=ids)
    files = [f.name for f in Job._meta.concrete_fields if isinstance(f, models.FileField)]
    to_delete = [name for row in jobs.values_list(*files) for name in row if name] if files else []
    changes = dict.fromkeys(TEXT_FIELDS, "") | dict.fromkeys(files, "")
    for field in Job._meta.concrete_fields:
        if isinstance(field, models.JSONField):
            changes[field.name] = field.get_default()
    jobs.update(**changes)
    jobs.filter(status=Job.Status.DONE).update(status=Job.Status.EXPIRED)
    return to_delete
