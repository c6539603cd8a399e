"""Stories and media coverage: linked to a person only with their consent to stories, and taken
down everywhere the moment it is withdrawn."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from resoc.people.models import Consent
from resoc.people.tests.factories import ConsentFactory, PersonFactory
from resoc.registry.models import Organisation
from resoc.registry.tests.factories import OrganisationFactory
from resoc.reporting import services
from resoc.reporting.models import MediaCoverage, Story
from resoc.reporting.selectors_stories import coverage_public, stories_public

STORIES = reverse("reporting:stories")


@pytest.fixture
def person(db):
    person = PersonFactory(ref="ST1", family_name="Storyteller")
    ConsentFactory(person=person, purpose=Consent.Purpose.STORY, given_on=datetime.date(2024, 1, 1))
    return person


@pytest.fixture
def story(person, manager):
    return services.story_save(
        actor=manager,
        story=Story(
            title="A bakery in Niš", body="After the course...", person=person, published=True
        ),
    )


def withdraw(person):
    Consent.objects.filter(person=person, purpose=Consent.Purpose.STORY).update(
        withdrawn_on=timezone.localdate()
    )


def test_a_published_story_with_consent_is_public(story):
    assert list(stories_public()) == [story]
    assert story.published_on == timezone.localdate()


def test_no_story_about_a_person_without_consent(manager):
    person = PersonFactory()
    with pytest.raises(ValidationError, match="consent"):
        services.story_save(
            actor=manager, story=Story(title="T", body="B", person=person, published=True)
        )
    # a draft may wait for the consent
    services.story_save(actor=manager, story=Story(title="T", body="B", person=person))


def test_withdrawing_consent_unpublishes_at_once(story, person, donor, client_for):
    withdraw(person)
    assert list(stories_public()) == []
    client = client_for(donor)
    assert "A bakery in Niš" not in client.get(STORIES).content.decode()
    assert client.get(reverse("reporting:story_detail", args=[story.pk])).status_code == 404


def test_a_consent_given_for_another_purpose_does_not_count(manager):
    person = PersonFactory()
    ConsentFactory(person=person, purpose=Consent.Purpose.PHOTO)
    with pytest.raises(ValidationError):
        services.story_save(
            actor=manager, story=Story(title="T", body="B", person=person, published=True)
        )


def test_manager_sees_the_withdrawn_story_marked(story, person, manager, client_for):
    withdraw(person)
    text = client_for(manager).get(STORIES).content.decode()
    assert "A bakery in Niš" in text and "consent withdrawn: not shown" in text


def test_donor_sees_stories_without_personal_data(story, donor, client_for):
    text = client_for(donor).get(STORIES).content.decode()
    assert "A bakery in Niš" in text
    assert "ST1" not in text and "Storyteller" not in text
    detail = client_for(donor).get(reverse("reporting:story_detail", args=[story.pk]))
    assert "ST1" not in detail.content.decode()


def test_unpublished_story_is_not_public(manager, donor, client_for):
    draft = services.story_save(actor=manager, story=Story(title="Draft", body="B"))
    assert (
        client_for(donor).get(reverse("reporting:story_detail", args=[draft.pk])).status_code == 404
    )


def test_media_coverage_by_a_media_outlet(person, manager):
    outlet = OrganisationFactory(kind=Organisation.Kind.MEDIA)
    coverage = services.coverage_save(
        actor=manager,
        coverage=MediaCoverage(
            title="Prison bakery",
            outlet=outlet,
            published_on=datetime.date(2024, 5, 1),
            person=person,
        ),
    )
    assert list(coverage_public()) == [coverage]
    withdraw(person)
    assert list(coverage_public()) == []
    donor_outlet = OrganisationFactory(kind=Organisation.Kind.DONOR)
    with pytest.raises(ValidationError, match="media"):
        services.coverage_save(
            actor=manager,
            coverage=MediaCoverage(
                title="X", outlet=donor_outlet, published_on=datetime.date(2024, 5, 1)
            ),
        )


def test_manager_writes_a_story_through_the_page(person, manager, client_for):
    response = client_for(manager).post(
        reverse("reporting:story_create"),
        {"title": "New life", "body": "Text", "person": "st1", "published": "on"},
    )
    assert response.status_code == 302
    assert Story.objects.get(title="New life").person == person


def test_page_refuses_a_person_without_consent(manager, client_for):
    PersonFactory(ref="NOC")
    response = client_for(manager).post(
        reverse("reporting:story_create"),
        {"title": "New life", "body": "Text", "person": "NOC", "published": "on"},
    )
    assert response.status_code == 200
    assert "no consent to success stories" in response.content.decode()


@pytest.mark.parametrize("persona", ["donor", "officer_a", "procurement"])
def test_others_cannot_write_stories(story, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    for url in (
        reverse("reporting:story_create"),
        reverse("reporting:story_edit", args=[story.pk]),
        reverse("reporting:coverage_create"),
    ):
        assert client.get(url).status_code == 403


def test_stories_need_a_login(db, client):
    assert client.get(STORIES).status_code == 302
