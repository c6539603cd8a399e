"""Stories and media coverage as each reader may see them. Anything linked to a person shows
publicly (to donors, and to every role but the programme's managers) only while the person's
consent to stories holds: withdrawing it takes the story down at once, everywhere."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from resoc.accounts import roles
from resoc.people.models import Consent, Person
from resoc.reporting.models import MediaCoverage, Story
from resoc.reporting.rules import FRAMEWORK_WRITERS


def _consent_holds(day: datetime.date, person: str = "person") -> Q:
    consents = Consent.objects.filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
        person=OuterRef(person),
        purpose=Consent.Purpose.STORY,
        given_on__lte=day,
    )
    return Q(**{f"{person}__isnull": True}) | Q(Exists(consents))


def has_story_consent(*, person: Person, on: datetime.date) -> bool:
    return Person.objects.filter(pk=person.pk).filter(_consent_holds(on, "pk")).exists()


def stories_public(*, on: datetime.date | None = None) -> QuerySet[Story]:
    day = on or timezone.localdate()
    return Story.objects.filter(_consent_holds(day), published=True).select_related(
        "cycle", "country"
    )


def coverage_public(*, on: datetime.date | None = None) -> QuerySet[MediaCoverage]:
    day = on or timezone.localdate()
    return MediaCoverage.objects.filter(_consent_holds(day)).select_related(
        "outlet", "cycle", "country"
    )


def manages_stories(user) -> bool:
    return roles.has_role(user, FRAMEWORK_WRITERS)


def story_list_for_user(*, user) -> QuerySet[Story]:
    if manages_stories(user):
        day = timezone.localdate()
        return (
            Story.objects.select_related("person", "cycle", "country")
            .annotate(consent_holds=Q(_consent_holds(day)))
            .order_by("-created_at")
        )
    return stories_public()


def coverage_list_for_user(*, user) -> QuerySet[MediaCoverage]:
    if manages_stories(user):
        day = timezone.localdate()
        return MediaCoverage.objects.select_related(
            "outlet", "person", "cycle", "country"
        ).annotate(consent_holds=Q(_consent_holds(day)))
    return coverage_public()


def story_get_for_user(*, user, pk) -> Story:
    story = story_list_for_user(user=user).filter(pk=pk).first()
    if story is None:
        raise Http404
    return story
