"""Reading certificates through the user's scope, which is that of the enrollments (training):
a certificate is seen by whoever may see its enrollment. The public side reads one by its code.
"""

from django.db.models import QuerySet
from django.http import Http404

from resoc.accounts import roles
from resoc.certificates.models import Certificate
from resoc.training.models import Cohort, Enrollment
from resoc.training.selectors import cohort_list_for_user, enrollment_list_for_user

__all__ = ["cohort_list_for_user"]


def certificate_list_for_user(*, user) -> QuerySet[Certificate]:
    qs = Certificate.objects.all()
    if roles.has_role(user, roles.GLOBAL_READERS):
        return qs
    return qs.filter(enrollment__in=enrollment_list_for_user(user=user).values("pk"))


def certificate_get_for_user(*, user, number: str) -> Certificate:
    certificate = (
        certificate_list_for_user(user=user)
        .select_related("enrollment__person", "enrollment__cohort")
        .filter(number=number.strip().upper())
        .first()
    )
    if certificate is None:
        raise Http404("No such certificate in your scope.")
    return certificate


def certificate_get_public(*, code: str) -> Certificate:
    """The certificate a verification code belongs to; nothing else is reachable from outside."""
    certificate = (
        Certificate.objects.select_related("enrollment__person").filter(code=code).first()
        if code
        else None
    )
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate


def cohort_get_for_user(*, user, code: str) -> Cohort:
    cohort = cohort_list_for_user(user=user).filter(code=code).first()
    if cohort is None:
        raise Http404("No such cohort in your scope.")
    return cohort


def cohort_enrollments_for_user(*, user, cohort: Cohort) -> QuerySet[Enrollment]:
    return enrollment_list_for_user(user=user).filter(cohort=cohort)


def enrollments_due(*, cohort: Cohort, enrollments: QuerySet[Enrollment] | None = None):
    """Completed enrollments of a certified course that have no certificate yet."""
    if not cohort.course.certified:
        return Enrollment.objects.none()
    qs = Enrollment.objects.filter(cohort=cohort) if enrollments is None else enrollments
    return qs.filter(status=Enrollment.Status.COMPLETED, certificate__isnull=True)
