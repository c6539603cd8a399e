"""Upload a file, preview what it would change, confirm to apply it."""

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resoc.core.export import XLSX
from resoc.imports.errors import ImportFailed
from resoc.imports.forms import UploadForm
from resoc.imports.kinds import kind_get, kinds
from resoc.imports.readers import EXTENSIONS
from resoc.imports.services import import_enqueue, import_run, import_template

SESSION_KEY = "imports.pending"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_ERRORS = 100
PREVIEW_ROWS = 50
MAX_PENDING = 5
STALE_SECONDS = 24 * 3600


def _require_importer(request) -> None:
    if not request.user.has_perm("imports.run_import"):
        raise PermissionDenied


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _path(user, token: str, ext: str) -> Path:
    # The name joins the user and a random token; the client only ever sends the token.
    return _upload_dir() / f"{user.pk}-{token}{ext}"


def _sweep() -> None:
    """Forget uploads that were previewed and never confirmed."""
    cutoff = time.time() - STALE_SECONDS
    for path in _upload_dir().glob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _store(request, upload, kind: str) -> str:
    _upload_dir().mkdir(parents=True, exist_ok=True)
    _sweep()
    token = secrets.token_urlsafe(32)
    ext = Path(upload.name).suffix.lower()
    with _path(request.user, token, ext).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    pending = request.session.get(SESSION_KEY, {})
    for old in list(pending)[: -MAX_PENDING + 1]:
        _discard(request, old, pending)
    pending[token] = {"kind": kind, "name": Path(upload.name).name[:200], "ext": ext}
    request.session[SESSION_KEY] = pending
    return token


def _pending(request, token: str) -> dict | None:
    if not TOKEN.match(token):
        return None
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or entry["ext"] not in EXTENSIONS:
        return None
    path = _path(request.user, token, entry["ext"])
    return {**entry, "path": path} if path.is_file() else None


def _discard(request, token: str, pending: dict | None = None) -> None:
    pending = request.session.get(SESSION_KEY, {}) if pending is None else pending
    entry = pending.pop(token, None)
    if entry and entry["ext"] in EXTENSIONS:
        _path(request.user, token, entry["ext"]).unlink(missing_ok=True)
    request.session[SESSION_KEY] = pending


def _failed(request, form, exc: ImportFailed, filename: str):
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "kinds": kinds(),
            "filename": filename,
            "errors": exc.errors[:MAX_ERRORS],
            "error_count": len(exc.errors),
            "more_errors": max(0, len(exc.errors) - MAX_ERRORS),
        },
    )


@login_required
def upload(request):
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind, upload_file = form.cleaned_data["kind"], form.cleaned_data["file"]
        token = _store(request, upload_file, kind)
        entry = _pending(request, token)
        try:
            result = import_run(
                actor=request.user,
                kind=kind,
                path=entry["path"],
                filename=entry["name"],
                dry_run=True,
            )
        except ImportFailed as exc:
            _discard(request, token)
            return _failed(request, form, exc, entry["name"])
        pending = request.session[SESSION_KEY]
        pending[token]["rows"] = len(result.rows)
        request.session[SESSION_KEY] = pending
        return render(
            request,
            "imports/preview.html",
            {
                "result": result,
                "rows": result.rows[:PREVIEW_ROWS],
                "token": token,
                "in_background": _in_background(len(result.rows)),
            },
        )
    return render(request, "imports/upload.html", {"form": form, "kinds": kinds()})


def _in_background(rows: int) -> bool:
    return rows > settings.RESOC_IMPORT_BACKGROUND_ROWS


@login_required
@require_POST
def confirm(request):
    _require_importer(request)
    token = request.POST.get("token", "")
    entry = _pending(request, token)
    if entry is None:
        messages.error(request, _("This upload has expired; upload the file again."))
        return redirect("imports:upload")
    if "cancel" in request.POST:
        _discard(request, token)
        messages.info(request, _("The import was cancelled; nothing was changed."))
        return redirect("imports:upload")
    rows = entry.get("rows", 0)
    if _in_background(rows):
        # The job keeps its own copy of the file, checks it again and imports it all or nothing.
        job = import_enqueue(
            actor=request.user,
            kind=entry["kind"],
            path=entry["path"],
            filename=entry["name"],
            rows=rows,
        )
        _discard(request, token)
        return redirect("jobs:detail", pk=job.pk)
    try:
        result = import_run(
            actor=request.user, kind=entry["kind"], path=entry["path"], filename=entry["name"]
        )
    except ImportFailed as exc:
        _discard(request, token)
        return _failed(request, UploadForm(initial={"kind": entry["kind"]}), exc, entry["name"])
    _discard(request, token)
    messages.success(
        request,
        _(
            "Imported %(kind)s from %(file)s: %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged."
        )
        % {"kind": result.kind.label, "file": result.filename, **result.counts},
    )
    return redirect("imports:upload")


@login_required
def template(request, kind):
    _require_importer(request)
    found = kind_get(kind)
    if found is None:
        raise Http404
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{found.name}-template.xlsx"'
    import_template(kind=found).save(response)
    return response
