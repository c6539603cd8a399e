"""Background work of imports: a large file, checked again in full and written all or nothing."""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from resoc.imports.errors import ImportFailed
from resoc.imports.kinds import kind_get
from resoc.imports.services import CHECKING, import_run
from resoc.jobs.registry import JobError, job_kind
from resoc.jobs.services import job_progress, job_set_info

MAX_ERRORS = 100


@contextmanager
def _local_copy(stored, filename: str):
    """The stored upload as a file on this machine (the storage may be a bucket)."""
    with tempfile.TemporaryDirectory(prefix="resoc-import-") as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower())
        try:
            with stored.open("rb") as source, path.open("wb") as target:
                shutil.copyfileobj(source, target)
        except (FileNotFoundError, ValueError):
            raise JobError(_("The uploaded file is no longer kept; upload it again.")) from None
        yield path


def _failed(exc: ImportFailed, kind, filename: str) -> JobError:
    count = len(exc.errors)
    message = ngettext(
        "The file has %(count)s error; nothing was imported.",
        "The file has %(count)s errors; nothing was imported.",
        count,
    ) % {"count": count}
    errors = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
    info = {
        "kind": kind.name,
        "file": filename,
        "error_count": count,
        "errors": errors[:MAX_ERRORS],
    }
    return JobError(message, info=info)


@job_kind("imports.run", input_required=True, result_template="imports/_job_result.html")
def run_import(job) -> None:
    user = job.requested_by
    # Checked again here: the user's role may have changed since they confirmed.
    if not user.has_perm("imports.run_import"):
        raise JobError(_("You may no longer import data."))
    kind = kind_get(job.params.get("kind", ""))
    if kind is None:
        raise JobError(_("This kind of import does not exist (any more)."))
    if not job.input:
        raise JobError(_("The uploaded file is no longer kept; upload it again."))
    filename = job.params.get("filename") or job.input.name
    job_progress(
        job=job, done=0, total=int(job.params.get("rows") or 0), message=_("Reading the file…")
    )

    def progress(stage: str, done: int, total: int) -> None:
        if stage == CHECKING:
            message = _("Checking the rows…")
        else:
            message = _("All %(count)s rows are valid; writing them…") % {"count": total}
        job_progress(job=job, done=done, total=total, message=message)

    with _local_copy(job.input, filename) as path:
        try:
            # One transaction: killed before its end, the import leaves nothing written.
            result = import_run(
                actor=user, kind=kind, path=path, filename=filename, progress=progress
            )
        except ImportFailed as exc:
            raise _failed(exc, kind, filename) from None
    job_set_info(job=job, info={"kind": kind.name, "file": filename, "counts": result.counts})
    rows = len(result.rows)
    message = _(
        "Imported %(kind)s from %(file)s: %(created)s created, %(updated)s updated, "
        "%(unchanged)s unchanged."
    ) % {"kind": kind.label, "file": filename, **result.counts}
    job_progress(job=job, done=rows, total=rows, message=message)
