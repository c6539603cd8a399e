"""Training records as the certificates' tests want them: a certified course with its
certifying organisation, an online cohort and a completed enrollment."""

import datetime

import factory

from resoc.registry.tests.factories import OrganisationFactory
from resoc.training.models import Course, Enrollment
from resoc.training.tests import factories as training


class CourseFactory(training.CourseFactory):
    code = factory.Sequence(lambda n: f"CRS{n}")
    title = "Metalwork basics (MIG/MAG welding)"
    category = Course.Category.VOCATIONAL
    description = "Welding with MIG/MAG machines, safety at work and reading drawings."
    certifying_organisation = factory.SubFactory(
        OrganisationFactory,
        name="Tehnička škola Nikola Tesla",
        kind="training_provider",
    )


class CohortFactory(training.CohortFactory):
    course = factory.SubFactory(CourseFactory)
    institution = None
    start = datetime.date(2025, 2, 3)
    end = datetime.date(2025, 6, 27)
    capacity = None


class EnrollmentFactory(training.EnrollmentFactory):
    cohort = factory.SubFactory(CohortFactory)
    status = Enrollment.Status.COMPLETED
    applied_on = None
    completed_on = datetime.date(2025, 6, 27)
