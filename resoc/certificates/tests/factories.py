"""Training records for the certificates' tests (the training app keeps its own factories)."""

import datetime

import factory

from resoc.people.tests.factories import PersonFactory
from resoc.registry.tests.factories import CycleFactory, OrganisationFactory
from resoc.training.models import Cohort, Course, Enrollment


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"CRS{n}")
    title = "Metalwork basics (MIG/MAG welding)"
    category = Course.Category.VOCATIONAL
    description = "Welding with MIG/MAG machines, safety at work and reading drawings."
    hours = 120
    certified = True
    certifying_organisation = factory.SubFactory(
        OrganisationFactory,
        name="Tehnička škola Nikola Tesla",
        kind="training_provider",
    )


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    code = factory.Sequence(lambda n: f"COH{n}")
    course = factory.SubFactory(CourseFactory)
    institution = None
    cycle = factory.SubFactory(CycleFactory)
    start = datetime.date(2025, 2, 3)
    end = datetime.date(2025, 6, 27)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    cohort = factory.SubFactory(CohortFactory)
    person = factory.SubFactory(PersonFactory)
    status = Enrollment.Status.COMPLETED
    completed_on = datetime.date(2025, 6, 27)
