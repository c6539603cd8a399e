import json

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from resoc.audit.forms import AuditFilterForm
from resoc.audit.selectors import audit_entry_get, audit_entry_list, audit_verify
from resoc.audit.services import audit_record

PAGE_SIZE = 50

may_read_trail = permission_required("audit.view_trail", raise_exception=True)


@login_required
@may_read_trail
def entry_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(audit_entry_list(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    # One entry per page seen; the page shown was read before it, so it never lists itself.
    audit_record(
        "audit.viewed",
        actor=request.user,
        detail={"filters": {k: str(v) for k, v in filters.items()}, "page": page.number},
    )
    return render(
        request, "audit/entry_list.html", {"form": form, "page": page, "entries": entries}
    )


@login_required
@may_read_trail
def entry_detail(request, pk):
    entry = audit_entry_get(pk=pk)
    if entry is None:
        raise Http404
    audit_record("audit.viewed", actor=request.user, obj=entry, person_ref=entry.person_ref)
    detail_json = json.dumps(entry.detail, indent=2, ensure_ascii=False, sort_keys=True)
    return render(request, "audit/entry_detail.html", {"entry": entry, "detail_json": detail_json})


@login_required
@may_read_trail
@require_http_methods(["GET", "POST"])
def verify(request):
    result = None
    if request.method == "POST":
        result = audit_verify()
        audit_record(
            "audit.verified",
            actor=request.user,
            detail={
                "ok": result.ok,
                "checked": result.checked,
                "bad_entry": result.bad_entry,
                "reason": result.reason,
            },
        )
    return render(request, "audit/verify.html", {"result": result})
