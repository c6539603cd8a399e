import datetime

import factory

from resoc.people.tests.factories import PersonFactory
from resoc.registry.tests.factories import CycleFactory, InstitutionFactory
from resoc.training.models import Attendance, Cohort, Course, Enrollment, Module, Session


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"COURSE{n}")
    title = factory.Sequence(lambda n: f"Course {n}")
    category = Course.Category.VOCATIONAL
    hours = 120
    certified = True


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Module {n}")


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"COH{n}")
    course = factory.SubFactory(CourseFactory)
    institution = factory.SubFactory(InstitutionFactory)
    cycle = factory.SubFactory(CycleFactory)
    start = datetime.date(2024, 3, 1)
    end = datetime.date(2024, 6, 30)
    capacity = 12

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainers.set(extracted)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    cohort = factory.SubFactory(CohortFactory)
    person = factory.SubFactory(PersonFactory)
    status = Enrollment.Status.ENROLLED
    applied_on = datetime.date(2024, 2, 1)
    completed_on = factory.LazyAttribute(
        lambda o: (o.cohort.end or o.cohort.start) if o.status == "completed" else None
    )


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    date = datetime.date(2024, 3, 4)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    enrollment = factory.SubFactory(EnrollmentFactory)
    status = Attendance.Status.PRESENT
