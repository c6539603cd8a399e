from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from resoc.audit.context import client_ip
from resoc.audit.services import audit_record
from resoc.certificates import services
from resoc.certificates.badge import certificate_badge
from resoc.certificates.forms import BulkPdfForm, RevokeForm
from resoc.certificates.pdf import LANGUAGES, certificate_pdf
from resoc.certificates.selectors import (
    certificate_get_for_user,
    certificate_get_public,
    certificate_list_for_user,
    cohort_enrollments_for_user,
    cohort_get_for_user,
    enrollments_due,
)
from resoc.certificates.wording import custody_mentions
from resoc.jobs.services import job_enqueue

PAGE_SIZE = 50
NOINDEX = "noindex, nofollow, noarchive"


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _language(request) -> str:
    language = request.GET.get("language", "")
    return language if language in LANGUAGES else translation.get_language() or "en"


@login_required
def certificate_list(request):
    _require(request.user, "certificates.view_certificate")
    query = request.GET.get("q", "").strip()
    qs = certificate_list_for_user(user=request.user).select_related("enrollment__person")
    if query:
        qs = qs.filter(number__istartswith=query) | qs.filter(holder_name__icontains=query)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    certificates = list(page.object_list)
    audit_record(
        "certificate.listed",
        actor=request.user,
        detail={"query": query, "refs": [c.enrollment.person.ref for c in certificates]},
    )
    return render(
        request,
        "certificates/list.html",
        {"page": page, "certificates": certificates, "active": {"q": query}},
    )


@login_required
def certificate_detail(request, number):
    _require(request.user, "certificates.view_certificate")
    certificate = certificate_get_for_user(user=request.user, number=number)
    person = certificate.enrollment.person
    audit_record("certificate.viewed", actor=request.user, obj=certificate, person_ref=person.ref)
    return render(
        request,
        "certificates/detail.html",
        {
            "c": certificate,
            "person": person,
            "languages": settings.LANGUAGES,
            "can_revoke": request.user.has_perm("certificates.revoke_certificate", certificate),
        },
    )


@login_required
def certificate_pdf_download(request, number):
    _require(request.user, "certificates.view_certificate")
    certificate = certificate_get_for_user(user=request.user, number=number)
    language = _language(request)
    audit_record(
        "certificate.downloaded",
        actor=request.user,
        obj=certificate,
        person_ref=certificate.enrollment.person.ref,
        detail={"number": certificate.number, "format": "pdf", "language": language},
    )
    response = HttpResponse(certificate_pdf(certificate, language=language), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


@login_required
def certificate_badge_download(request, number):
    _require(request.user, "certificates.view_certificate")
    certificate = certificate_get_for_user(user=request.user, number=number)
    audit_record(
        "certificate.downloaded",
        actor=request.user,
        obj=certificate,
        person_ref=certificate.enrollment.person.ref,
        detail={"number": certificate.number, "format": "badge"},
    )
    response = JsonResponse(certificate_badge(certificate), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.json"'
    return response


@login_required
def certificate_revoke(request, number):
    _require(request.user, "certificates.view_certificate")
    certificate = certificate_get_for_user(user=request.user, number=number)
    _require(request.user, "certificates.revoke_certificate", certificate)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Certificate revoked."))
            return redirect("certificates:detail", number=certificate.number)
    return render(
        request,
        "certificates/revoke.html",
        {"form": form, "c": certificate, "title": _("Revoke certificate")},
    )


@login_required
def cohort_certificates(request, code):
    _require(request.user, "certificates.view_certificate")
    cohort = cohort_get_for_user(user=request.user, code=code)
    enrollments = cohort_enrollments_for_user(user=request.user, cohort=cohort)
    completed = list(
        enrollments.filter(status="completed")
        .select_related("person", "certificate")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    due = enrollments_due(cohort=cohort, enrollments=enrollments).count()
    audit_record(
        "certificate.listed",
        actor=request.user,
        obj=cohort,
        detail={"cohort": cohort.code, "refs": [e.person.ref for e in completed]},
    )
    course = cohort.course
    warnings = custody_mentions(
        " ".join([course.title, services.certifying_organisation_name(course)]),
        also=services.cohort_custody_names(cohort),
    )
    return render(
        request,
        "certificates/cohort.html",
        {
            "cohort": cohort,
            "course": course,
            "completed": completed,
            "due": due,
            "warnings": warnings,
            "can_issue": request.user.has_perm("certificates.issue_certificates", cohort),
            "bulk_form": BulkPdfForm(
                initial={"issue_due": due > 0, "language": _language(request)}
            ),
        },
    )


def _scoped_cohort_for_issue(request, code):
    _require(request.user, "certificates.view_certificate")
    cohort = cohort_get_for_user(user=request.user, code=code)
    _require(request.user, "certificates.issue_certificates", cohort)
    return cohort


@login_required
@require_POST
def cohort_issue(request, code):
    cohort = _scoped_cohort_for_issue(request, code)
    enrollments = cohort_enrollments_for_user(user=request.user, cohort=cohort)
    issued = services.certificates_issue_due(
        actor=request.user, cohort=cohort, enrollments=enrollments
    )
    messages.success(
        request,
        ngettext("%(count)s certificate issued.", "%(count)s certificates issued.", len(issued))
        % {"count": len(issued)},
    )
    return redirect("certificates:cohort", code=cohort.code)


@login_required
@require_POST
def cohort_bulk_pdf(request, code):
    _require(request.user, "certificates.view_certificate")
    cohort = cohort_get_for_user(user=request.user, code=code)
    form = BulkPdfForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("certificates:cohort", code=cohort.code)
    issue_due = form.cleaned_data["issue_due"]
    if issue_due:
        _require(request.user, "certificates.issue_certificates", cohort)
    job = job_enqueue(
        kind="certificates.cohort_pdfs",
        requested_by=request.user,
        params={
            "cohort": cohort.pk,
            "language": form.cleaned_data["language"],
            "issue_due": issue_due,
        },
        title=_("Certificates of cohort %(code)s (PDF)") % {"code": cohort.code},
    )
    return redirect("jobs:detail", pk=job.pk)


# The public side: anyone holding the address printed on a certificate, no login.


def _too_many(request) -> bool:
    """A limit per address and minute, counted on every try, found or not: no enumeration."""
    minute = timezone.now().strftime("%Y%m%d%H%M")
    key = f"verify:{client_ip(request) or 'unknown'}:{minute}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    return count > settings.RESOC_VERIFY_RATE_PER_MINUTE


def _public(response):
    response["X-Robots-Tag"] = NOINDEX
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _rate_limited():
    return _public(
        HttpResponse(
            _("Too many checks from your address. Please wait a minute."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    )


def verify(request, code):
    if _too_many(request):
        return _rate_limited()
    certificate = certificate_get_public(code=code)
    services.certificate_verified(certificate=certificate)
    language = request.GET.get("language", "")
    language = language if language in LANGUAGES else translation.get_language()
    with translation.override(language):
        response = render(
            request,
            "certificates/verify.html",
            {
                "c": certificate,
                "languages": settings.LANGUAGES,
                "LANGUAGE_CODE": language,
                "robots": NOINDEX,
            },
        )
    return _public(response)


def verify_badge(request, code):
    if _too_many(request):
        return _rate_limited()
    certificate = certificate_get_public(code=code)
    services.certificate_verified(certificate=certificate)
    response = JsonResponse(certificate_badge(certificate), json_dumps_params={"indent": 2})
    response["Access-Control-Allow-Origin"] = "*"  # wallets and verifiers fetch it from elsewhere
    return _public(response)
