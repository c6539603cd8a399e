"""The attendance screen of one session, made for a trainer's phone.

Without JavaScript it is a plain form: one row a person with three choices, "All present" and
"Save". With htmx (loaded by the base template) each tap is saved at once and the row redrawn.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from resoc.audit.services import audit_record
from resoc.training import services
from resoc.training.models import Attendance
from resoc.training.selectors import session_get_for_user, session_roster
from resoc.training.views import require

FIELD = "a-{}"


def _rows(session, user) -> list:
    """The session's list (in the user's scope) with each person's stored mark."""
    roster = list(session_roster(session=session, user=user))
    marks = dict(
        Attendance.objects.filter(session=session, enrollment__in=roster).values_list(
            "enrollment_id", "status"
        )
    )
    for e in roster:
        e.mark = marks.get(e.pk, "")
    return roster


def _posted_marks(request, rows) -> dict[int, str]:
    marks = {}
    for e in rows:
        value = request.POST.get(FIELD.format(e.pk), "")
        if value:
            marks[e.pk] = value
    return marks


@login_required
def screen(request, pk):
    session = session_get_for_user(user=request.user, pk=pk)
    cohort = session.cohort
    require(request.user, "training.run_cohort", cohort)
    rows = _rows(session, request.user)
    if request.method == "POST":
        try:
            changed = services.attendance_record(
                actor=request.user,
                session=session,
                marks=_posted_marks(request, rows),
                all_present="all_present" in request.POST,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            message = ngettext(
                "Attendance saved (%(n)s change).", "Attendance saved (%(n)s changes).", changed
            )
            messages.success(request, message % {"n": changed})
        return redirect("training:attendance", pk=session.pk)
    audit_record(
        "training.attendance.listed",
        actor=request.user,
        obj=session,
        detail={"refs": [e.person.ref for e in rows]},
    )
    marked = [e.mark for e in rows]
    return render(
        request,
        "training/attendance.html",
        {
            "session": session,
            "cohort": cohort,
            "rows": rows,
            "choices": Attendance.Status.choices,
            "future": session.date > timezone.localdate(),
            "tally": {
                "present": marked.count("present"),
                "absent": marked.count("absent"),
                "excused": marked.count("excused"),
                "unmarked": marked.count(""),
            },
        },
    )


@login_required
@require_POST
def mark(request, pk, enrollment):
    """One tap: save one person's mark, and answer their row (htmx) or the screen."""
    session = session_get_for_user(user=request.user, pk=pk)
    require(request.user, "training.run_cohort", session.cohort)
    rows = {e.pk: e for e in _rows(session, request.user)}
    row = rows.get(enrollment)
    if row is None:
        raise Http404
    value = request.POST.get(FIELD.format(row.pk), "")
    error = ""
    try:
        services.attendance_record(actor=request.user, session=session, marks={row.pk: value})
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        row.mark = value
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("training:attendance", pk=session.pk)
    return render(
        request,
        "training/_attendance_row.html",
        {
            "session": session,
            "e": row,
            "choices": Attendance.Status.choices,
            "saved": not error,
            "error": error,
        },
    )
