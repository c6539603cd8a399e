"""Records of the other areas as the reports read them, saved directly (no services)."""

import datetime
from decimal import Decimal

import factory

from resoc.certificates.models import Certificate
from resoc.grants.models import Application, Grant, Sector, Visit
from resoc.people.tests.factories import PersonFactory
from resoc.registry.tests.factories import CycleFactory, InstitutionFactory, country
from resoc.training.models import Cohort, Course, Enrollment


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"RC{n}")
    title = factory.Sequence(lambda n: f"Welding {n}")
    category = Course.Category.VOCATIONAL
    certified = True


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    code = factory.Sequence(lambda n: f"RK{n}")
    course = factory.SubFactory(CourseFactory)
    institution = factory.SubFactory(InstitutionFactory)
    cycle = factory.SubFactory(CycleFactory)
    start = datetime.date(2023, 3, 1)
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(days=60))
    cost = factory.LazyAttribute(lambda o: o.cost_eur)
    cost_eur = Decimal("1000.00")


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    cohort = factory.SubFactory(CohortFactory)
    person = factory.SubFactory(PersonFactory)
    status = Enrollment.Status.ENROLLED
    completed_on = factory.LazyAttribute(
        lambda o: o.cohort.end if o.status == Enrollment.Status.COMPLETED else None
    )


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    number = factory.Sequence(lambda n: f"RESOC-2023-{n:06d}")
    year = 2023
    sequence = factory.Sequence(lambda n: n + 1)
    enrollment = factory.SubFactory(EnrollmentFactory, status=Enrollment.Status.COMPLETED)
    issued_on = factory.LazyAttribute(lambda o: o.enrollment.completed_on)
    holder_name = factory.LazyAttribute(lambda o: o.enrollment.person.full_name)
    course_title = factory.LazyAttribute(lambda o: o.enrollment.cohort.course.title)
    course_start = factory.LazyAttribute(lambda o: o.enrollment.cohort.start)
    course_end = factory.LazyAttribute(lambda o: o.enrollment.cohort.end)
    organisation_name = "Resoc programme"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    code = factory.Sequence(lambda n: f"GA{n}")
    cycle = factory.SubFactory(CycleFactory)
    country = factory.LazyFunction(country)
    person = factory.SubFactory(PersonFactory)
    sector = Sector.BAKERY
    decision = Application.Decision.APPROVED
    approved_eur = factory.LazyAttribute(
        lambda o: Decimal("1000.00") if o.decision == Application.Decision.APPROVED else None
    )


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    application = factory.SubFactory(ApplicationFactory)
    code = factory.LazyAttribute(lambda o: o.application.code)
    status = Grant.Status.DELIVERED
    value = factory.LazyAttribute(lambda o: o.value_eur)
    currency = "EUR"
    value_eur = Decimal("1000.00")
    delivered_on = datetime.date(2023, 1, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    grant = factory.SubFactory(GrantFactory)
    visited_on = datetime.date(2024, 1, 1)
    business_active = True
