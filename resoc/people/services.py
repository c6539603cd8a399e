"""Writing people's records. Every write is audited with the person's reference."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from resoc.audit.services import audit_record
from resoc.core.services import audited_save
from resoc.people.models import Consent, CustodyEpisode, Person, StaffPosition
from resoc.people.selectors import person_current_custody
from resoc.registry.models import Institution


def person_save(*, actor, person: Person) -> Person:
    person.ref = person.ref.strip().upper()
    return audited_save(actor=actor, instance=person, person_ref=person.ref)


@transaction.atomic
def custody_admit(
    *,
    actor,
    person: Person,
    institution: Institution,
    admitted_on: datetime.date,
    expected_release_on: datetime.date | None = None,
) -> CustodyEpisode:
    if person_current_custody(person=person) is not None:
        raise ValidationError(_("This person is already in custody; record a transfer instead."))
    episode = CustodyEpisode(
        person=person,
        institution=institution,
        admitted_on=admitted_on,
        expected_release_on=expected_release_on,
    )
    audited_save(actor=actor, instance=episode, person_ref=person.ref)
    if person.kind == Person.Kind.FORMER_PRISONER:
        person.kind = Person.Kind.PRISONER
        person_save(actor=actor, person=person)
    return episode


@transaction.atomic
def custody_transfer(
    *, actor, person: Person, to_institution: Institution, on: datetime.date
) -> CustodyEpisode:
    """Close the current episode and open one at the new institution; history stays."""
    current = person_current_custody(person=person)
    if current is None:
        raise ValidationError(_("This person is not in custody, so cannot be transferred."))
    if current.institution_id == to_institution.pk:
        raise ValidationError(_("The person is already in that institution."))
    if on < current.admitted_on:
        raise ValidationError(_("A transfer cannot precede the admission."))
    current.transferred_out_on = on
    current.transferred_to = to_institution
    audited_save(actor=actor, instance=current, person_ref=person.ref)
    from resoc.work.services import assignments_end_for_custody  # the work app builds on people

    assignments_end_for_custody(actor=actor, person=person, on=on, reason="transferred")
    from resoc.training.services import enrollments_end_for_custody  # training builds on people

    enrollments_end_for_custody(
        actor=actor, person=person, on=on, reason="transferred", institution=current.institution
    )
    episode = CustodyEpisode(
        person=person,
        institution=to_institution,
        admitted_on=on,
        expected_release_on=current.expected_release_on,
    )
    audited_save(actor=actor, instance=episode, person_ref=person.ref)
    from resoc.reentry.services import plan_follow_transfer  # reentry builds on people

    plan_follow_transfer(actor=actor, old=current, new=episode)
    audit_record(
        "people.custody.transferred",
        actor=actor,
        obj=episode,
        person_ref=person.ref,
        detail={"from": current.institution.code, "to": to_institution.code, "on": on},
    )
    return episode


@transaction.atomic
def custody_release(*, actor, person: Person, on: datetime.date) -> CustodyEpisode:
    current = person_current_custody(person=person)
    if current is None:
        raise ValidationError(_("This person is not in custody."))
    if on < current.admitted_on:
        raise ValidationError(_("A release cannot precede the admission."))
    current.released_on = on
    audited_save(actor=actor, instance=current, person_ref=person.ref)
    from resoc.work.services import assignments_end_for_custody  # the work app builds on people

    assignments_end_for_custody(actor=actor, person=person, on=on, reason="released")
    from resoc.training.services import enrollments_end_for_custody  # training builds on people

    enrollments_end_for_custody(actor=actor, person=person, on=on, reason="released")
    if person.kind == Person.Kind.PRISONER:
        person.kind = Person.Kind.FORMER_PRISONER
        person_save(actor=actor, person=person)
    return current


def staff_position_save(*, actor, position: StaffPosition) -> StaffPosition:
    return audited_save(actor=actor, instance=position, person_ref=position.person.ref)


def consent_save(*, actor, consent: Consent) -> Consent:
    return audited_save(actor=actor, instance=consent, person_ref=consent.person.ref)
