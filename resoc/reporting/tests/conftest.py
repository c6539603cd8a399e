"""A small programme whose key results are counted by hand in `test_key_results.py`.

Serbia (RS): cycle C1 funded 70/30 by DON-A and DON-B; Bosnia (BA): cycle C2, DON-C alone.
Institutions I1, I2 (RS), I3 (BA) are reached; I4 (RS) has only equipment on order and a cohort
of applicants, so it is not.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from resoc.equipment import lifecycle
from resoc.equipment.models import Status
from resoc.equipment.tests.factories import EquipmentItemFactory
from resoc.people.models import Person
from resoc.people.tests.factories import CustodyFactory, PersonFactory, StaffPositionFactory
from resoc.reentry.models import FollowUp, OutcomeEvent
from resoc.registry.tests.factories import (
    CycleFactory,
    CycleFunderFactory,
    ExchangeRateFactory,
    InstitutionFactory,
    OrganisationFactory,
    WorkshopFactory,
    country,
)
from resoc.reporting.tests.factories import (
    ApplicationFactory,
    CertificateFactory,
    CohortFactory,
    EnrollmentFactory,
    GrantFactory,
    VisitFactory,
)
from resoc.training.models import Enrollment
from resoc.work.tests.factories import AssignmentFactory

D = datetime.date
E = Enrollment.Status
AS_OF = D(2025, 1, 1)


@pytest.fixture
def programme(db):
    rs, ba = country("RS"), country("BA")
    c1 = CycleFactory(code="C1", start=D(2022, 1, 1), end=D(2024, 12, 31))
    c1.countries.set([rs])
    c2 = CycleFactory(code="C2", start=D(2023, 1, 1), end=D(2025, 12, 31))
    c2.countries.set([ba])
    don_a, don_b, don_c = (OrganisationFactory(code=c) for c in ("DON-A", "DON-B", "DON-C"))
    CycleFunderFactory(cycle=c1, organisation=don_a, share_percent=Decimal("70"))
    CycleFunderFactory(cycle=c1, organisation=don_b, share_percent=Decimal("30"))
    CycleFunderFactory(cycle=c2, organisation=don_c, share_percent=Decimal("100"))

    i1 = InstitutionFactory(code="I1", country=rs)
    i2 = InstitutionFactory(code="I2", country=rs)
    i3 = InstitutionFactory(code="I3", country=ba)
    i4 = InstitutionFactory(code="I4", country=rs)
    w1, w2 = WorkshopFactory(code="W1", institution=i1), WorkshopFactory(code="W2", institution=i1)
    w3, w4 = WorkshopFactory(code="W3", institution=i4), WorkshopFactory(code="W4", institution=i3)
    w5 = WorkshopFactory(code="W5", institution=i2)

    # Equipment: 1000 EUR; 117,500 RSD at 117.5 = 1000 EUR; 2000 EUR in BA; 5000 EUR on order.
    ExchangeRateFactory(currency="RSD", valid_from=D(2023, 1, 1), units_per_eur=Decimal("117.5"))
    EquipmentItemFactory(workshop=w1, cycle=c1, status=Status.IN_USE, delivered_on=D(2023, 2, 1))
    rsd = EquipmentItemFactory.build(
        workshop=w2,
        cycle=c1,
        status=Status.DELIVERED,
        delivered_on=D(2023, 4, 1),
        unit_price=Decimal("117500"),
        currency="RSD",
    )
    lifecycle.item_revalue(rsd)
    rsd.save()
    EquipmentItemFactory(
        workshop=w4,
        cycle=c2,
        status=Status.DECOMMISSIONED,
        delivered_on=D(2023, 5, 1),
        unit_price=Decimal("2000"),
    )
    EquipmentItemFactory(
        workshop=w3, cycle=c1, status=Status.ORDERED, ordered_on=D(2023, 1, 1), unit_price=5000
    )
    AssignmentFactory(workshop=w5, start=D(2023, 1, 1))

    k1 = CohortFactory(code="K1", cycle=c1, institution=i1, start=D(2023, 3, 1), cost_eur=3000)
    k2 = CohortFactory(code="K2", cycle=c1, institution=i2, start=D(2024, 1, 15), cost_eur=1500)
    k3 = CohortFactory(code="K3", cycle=c2, institution=i3, start=D(2023, 6, 1), cost_eur=800)
    k4 = CohortFactory(code="K4", cycle=c1, institution=i4, start=D(2023, 9, 1), cost_eur=999)

    male, female = Person.Sex.MALE, Person.Sex.FEMALE
    # p1: a prisoner in two cohorts; counts once.
    p1 = PersonFactory(ref="P1", sex=male, birth_year=1990)
    CustodyFactory(person=p1, institution=i1, admitted_on=D(2022, 1, 1))
    CertificateFactory(enrollment=EnrollmentFactory(cohort=k1, person=p1, status=E.COMPLETED))
    EnrollmentFactory(cohort=k2, person=p1, status=E.ENROLLED)
    # p2: released before K1 started: a former prisoner; employed 4 months after release,
    # reoffended 14 months after (outside the 12-month window); a grant whose business closed.
    p2 = PersonFactory(ref="P2", sex=female, birth_year=1985, kind=Person.Kind.FORMER_PRISONER)
    CustodyFactory(person=p2, institution=i1, admitted_on=D(2020, 1, 1), released_on=D(2022, 12, 1))
    EnrollmentFactory(cohort=k1, person=p2, status=E.RELEASED)
    FollowUp.objects.create(person=p2, date=D(2023, 4, 1), employment="employed")
    OutcomeEvent.objects.create(person=p2, kind="reoffended", date=D(2024, 2, 1), source="official")
    g1 = GrantFactory(
        application=ApplicationFactory(person=p2, cycle=c1, country=rs),
        value_eur=Decimal("2500"),
        delivered_on=D(2023, 8, 1),
    )
    VisitFactory(grant=g1, visited_on=D(2024, 3, 1), business_active=True)
    VisitFactory(grant=g1, visited_on=D(2024, 9, 1), business_active=False)
    # p3: 16 at the start of K1: a juvenile prisoner who dropped out.
    p3 = PersonFactory(ref="P3", sex=male, birth_year=2007)
    CustodyFactory(person=p3, institution=i1, admitted_on=D(2022, 6, 1))
    EnrollmentFactory(cohort=k1, person=p3, status=E.DROPPED_OUT)
    # p4: prison staff; p5: a family member (revoked certificate).
    p4 = StaffPositionFactory(
        institution=i1, started_on=D(2015, 1, 1), person__sex=female, person__ref="P4"
    ).person
    CertificateFactory(enrollment=EnrollmentFactory(cohort=k1, person=p4, status=E.COMPLETED))
    p5 = PersonFactory(ref="P5", sex=female, kind=Person.Kind.FAMILY_MEMBER)
    CertificateFactory(
        enrollment=EnrollmentFactory(cohort=k2, person=p5, status=E.COMPLETED),
        revoked_on=D(2024, 6, 1),
        revocation_reason="Issued in error",
    )
    # p6, p7: applicants who never started.
    EnrollmentFactory(cohort=k1, person=PersonFactory(ref="P6"), status=E.APPLIED)
    EnrollmentFactory(cohort=k2, person=PersonFactory(ref="P7"), status=E.REJECTED)
    EnrollmentFactory(cohort=k4, person=PersonFactory(ref="P7B"), status=E.WAITLISTED)
    # p8: a prisoner in BA (K3), transferred to RS (K2), released 2024-06-01, then unemployed.
    p8 = PersonFactory(ref="P8", sex=male, birth_year=1980)
    CustodyFactory(
        person=p8,
        institution=i3,
        admitted_on=D(2021, 1, 1),
        transferred_out_on=D(2023, 10, 1),
        transferred_to=i2,
    )
    CustodyFactory(person=p8, institution=i2, admitted_on=D(2023, 10, 1), released_on=D(2024, 6, 1))
    EnrollmentFactory(cohort=k3, person=p8, status=E.TRANSFERRED)
    EnrollmentFactory(cohort=k2, person=p8, status=E.RELEASED)
    FollowUp.objects.create(person=p8, date=D(2024, 7, 1), employment="unemployed")
    # p9: a grantee never trained whose business still runs a year on; never followed.
    p9 = PersonFactory(ref="P9", kind=Person.Kind.FORMER_PRISONER)
    CustodyFactory(person=p9, institution=i2, admitted_on=D(2019, 1, 1), released_on=D(2021, 6, 1))
    g2 = GrantFactory(
        application=ApplicationFactory(person=p9, cycle=c1, country=rs),
        value_eur=Decimal("1000"),
        delivered_on=D(2022, 1, 10),
    )
    VisitFactory(grant=g2, visited_on=D(2023, 2, 1), business_active=True)
    # A rejected application and an approved grant not yet delivered count for nothing.
    ApplicationFactory(cycle=c1, country=rs, decision="rejected")
    GrantFactory(
        application=ApplicationFactory(cycle=c1, country=rs),
        status="approved",
        delivered_on=None,
        value_eur=Decimal("1200"),
    )
    return SimpleNamespace(
        c1=c1, c2=c2, i1=i1, i2=i2, i3=i3, i4=i4, k1=k1, k2=k2, k3=k3, k4=k4, persons=[p1, p2]
    )
