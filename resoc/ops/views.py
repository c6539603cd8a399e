import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from resoc.audit.services import audit_record
from resoc.ops.rules import exports_person_data
from resoc.ops.selectors import access_export_collect, readiness
from resoc.people.selectors import person_get_for_user


@never_cache
def readyz(request):
    """For load balancers: 200 when the database and the task queue answer, else 503."""
    checks = readiness()
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ready" if ready else "unavailable",
            "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )


def _person_for_export(request, ref):
    """The role first (403), then the scope (404)."""
    if not exports_person_data(request.user):
        raise PermissionDenied
    person = person_get_for_user(user=request.user, ref=ref)
    if not request.user.has_perm("ops.export_person_data", person):
        raise PermissionDenied
    return person


@login_required
def access_export_find(request):
    if not exports_person_data(request.user):
        raise PermissionDenied
    ref = request.GET.get("ref", "").strip()
    if ref:
        return redirect("ops:access_export", ref=ref.upper())
    return render(request, "ops/access_export_find.html")


@login_required
def access_export(request, ref):
    person = _person_for_export(request, ref)
    export = access_export_collect(person=person)
    audit_record("person.viewed", actor=request.user, obj=person, person_ref=person.ref)
    return render(request, "ops/access_export.html", {"person": person, "export": export})


def _audited(request, person, export, fmt):
    audit_record(
        "ops.person.access_exported",
        actor=request.user,
        obj=person,
        person_ref=person.ref,
        detail={"format": fmt, "counts": export.counts()},
    )


@login_required
def access_export_json(request, ref):
    person = _person_for_export(request, ref)
    export = access_export_collect(person=person)
    _audited(request, person, export, "json")
    body = json.dumps(export.as_json(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-{person.ref}.json"'
    return response


@login_required
def access_export_pdf(request, ref):
    from weasyprint import HTML  # imported late: loading Pango takes a moment

    person = _person_for_export(request, ref)
    export = access_export_collect(person=person)
    _audited(request, person, export, "pdf")
    html = render_to_string(
        "ops/access_export_pdf.html", {"person": person, "export": export}, request=request
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="access-{person.ref}.pdf"'
    return response
