import datetime

import factory

from resoc.people.models import Consent, CustodyEpisode, Person, StaffPosition
from resoc.registry.tests.factories import InstitutionFactory


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    ref = factory.Sequence(lambda n: f"P{n:06d}")
    given_name = factory.Iterator(["Marko", "Jelena", "Arben", "Amra", "Nikola", "Drita"])
    family_name = factory.Iterator(["Petrović", "Jovanović", "Hoxha", "Hodžić", "Đorđević"])
    sex = Person.Sex.MALE
    birth_year = 1990
    kind = Person.Kind.PRISONER
    home_municipality = "Niš"


class CustodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustodyEpisode

    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory(InstitutionFactory)
    admitted_on = datetime.date(2022, 3, 1)
    expected_release_on = datetime.date(2027, 3, 1)


class StaffPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffPosition

    person = factory.SubFactory(PersonFactory, kind=Person.Kind.STAFF)
    institution = factory.SubFactory(InstitutionFactory)
    role = "treatment officer"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    purpose = Consent.Purpose.DATA_PROCESSING
    given_on = datetime.date(2023, 1, 10)


def prisoner_at(institution, **kwargs) -> Person:
    """A person in custody at the institution now."""
    return CustodyFactory(institution=institution, **kwargs).person
