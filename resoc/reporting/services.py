"""Writing the results framework and the stories, each write audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.core.services import audited_delete, audited_save
from resoc.reporting.models import Indicator, IndicatorPeriod, MediaCoverage, Story
from resoc.reporting.selectors_stories import has_story_consent


@transaction.atomic
def indicator_save(*, actor, indicator: Indicator) -> Indicator:
    return audited_save(actor=actor, instance=indicator)


@transaction.atomic
def indicator_period_save(*, actor, period: IndicatorPeriod) -> IndicatorPeriod:
    if period.indicator.computed and period.actual is not None:
        raise ValidationError(
            {"actual": _("This indicator is computed from the records; leave the actual empty.")}
        )
    return audited_save(actor=actor, instance=period)


@transaction.atomic
def indicator_period_delete(*, actor, period: IndicatorPeriod) -> None:
    audited_delete(actor=actor, instance=period)


def _check_consent(obj, day) -> None:
    if obj.person_id and not has_story_consent(person=obj.person, on=day):
        raise ValidationError(
            {
                "person": _(
                    "%(ref)s has no consent to success stories on %(day)s: without it the "
                    "person cannot be linked to anything published."
                )
                % {"ref": obj.person.ref, "day": day.isoformat()}
            }
        )


@transaction.atomic
def story_save(*, actor, story: Story) -> Story:
    """A story linked to a person needs their consent to stories while it is published."""
    today = timezone.localdate()
    if story.published:
        _check_consent(story, today)
        story.published_on = story.published_on or today
    if story._state.adding:
        story.created_by = actor if getattr(actor, "pk", None) else None
    return audited_save(
        actor=actor, instance=story, person_ref=story.person.ref if story.person_id else ""
    )


@transaction.atomic
def coverage_save(*, actor, coverage: MediaCoverage) -> MediaCoverage:
    _check_consent(coverage, coverage.published_on or timezone.localdate())
    return audited_save(
        actor=actor,
        instance=coverage,
        person_ref=coverage.person.ref if coverage.person_id else "",
    )
