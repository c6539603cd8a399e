"""Synthetic release and after: needs assessments, release plans for prisoners close to release
and for released people, referrals to agencies (sent only with consent), follow-up contacts
after release with employment, housing and reoffending.

People return to their home municipality, which is their plan's destination; the commissioner of
that municipality, if a user exists yet, takes the plan (the demo assigns its commissioners with
`seed_reentry_users` once they exist). Bulk inserts only; the same seed gives the same records.
"""

import datetime
from collections import defaultdict

from django.db.models import Q

from resoc.accounts.models import Role, User
from resoc.people.models import Consent, CustodyEpisode
from resoc.reentry.dates import add_months
from resoc.reentry.models import (
    AssessmentItem,
    Domain,
    FollowUp,
    Level,
    NeedsAssessment,
    OutcomeEvent,
    PlanAction,
    Referral,
    ReleasePlan,
)
from resoc.reentry.selectors import commissioner_for
from resoc.registry.models import Country, Organisation

BATCH = 1000
ID_CHUNK = 900
DAY = datetime.timedelta(days=1)
SCHEDULE = (1, 3, 6, 12, 24)
# Share of prisoners with a plan by days to their expected release: planning starts early.
PLAN_SHARE = ((90, 0.65), (180, 0.35), (270, 0.1))
RELEASED_WITH_PLAN = 0.75
FOLLOWED = 0.8
CONTACT_KEPT = 0.85
REOFFEND_24M = 0.3
AGENCIES = (
    ("EMP", "Employment service", "education_work"),
    ("CSW", "Centre for social work", "finance"),
    ("HEALTH", "Community health centre", "health"),
    ("HOUSING", "Housing and shelter service", "accommodation"),
)
ACTIONS = {
    "accommodation": "Find a place to live after release",
    "education_work": "Register with the employment service",
    "finance": "Apply for social assistance",
    "identity": "Renew the identity card",
    "health": "Register with a general practitioner",
    "drugs_alcohol": "Continue treatment in the community",
    "family": "Arrange a family meeting before release",
    "attitudes": "Complete the cognitive skills programme",
}
GOALS = {
    "accommodation": "Stable housing from the first day after release",
    "education_work": "Work or training within three months",
    "finance": "Income support until the first pay",
    "identity": "Valid identity documents at release",
    "health": "Continued medical care",
    "drugs_alcohol": "No relapse; contact with a treatment service",
    "family": "Renewed contact with the family",
    "attitudes": "Keep the skills learnt in the programme",
}
E = FollowUp.Employment
# Employment at the next contact, by employment at the last: [(state, weight)]
EMPLOYMENT_NEXT = {
    "": ((E.UNEMPLOYED, 68), (E.IN_TRAINING, 12), (E.EMPLOYED, 15), (E.SELF_EMPLOYED, 5)),
    E.UNEMPLOYED: ((E.UNEMPLOYED, 70), (E.IN_TRAINING, 12), (E.EMPLOYED, 15), (E.SELF_EMPLOYED, 3)),
    E.IN_TRAINING: ((E.IN_TRAINING, 40), (E.EMPLOYED, 40), (E.UNEMPLOYED, 20)),
    E.EMPLOYED: ((E.EMPLOYED, 85), (E.UNEMPLOYED, 15)),
    E.SELF_EMPLOYED: ((E.SELF_EMPLOYED, 85), (E.UNEMPLOYED, 15)),
}


def _pick(r, weighted):
    values, weights = zip(*weighted, strict=True)
    return r.choices(values, weights=weights)[0]


def _agencies(ctx) -> dict[int, list[Organisation]]:
    """Agencies by country id, added to the registry when missing."""
    if hasattr(ctx, "reentry_agencies"):
        return ctx.reentry_agencies
    countries = {i.country_id for i in ctx.institutions}
    codes = dict(Country.objects.filter(pk__in=countries).values_list("pk", "code"))
    wanted = [
        Organisation(
            code=f"AG-{cc}-{suffix}",
            name=f"{name} ({cc})",
            kind=Organisation.Kind.AGENCY,
            country_id=pk,
        )
        for pk, cc in sorted(codes.items(), key=lambda item: item[1])
        for suffix, name, _domain in AGENCIES
    ]
    stored = set(
        Organisation.objects.filter(code__in=[o.code for o in wanted]).values_list(
            "code", flat=True
        )
    )
    new = [o for o in wanted if o.code not in stored]
    Organisation.objects.bulk_create(new)
    ctx.counts["organisation"] += len(new)
    by_country = defaultdict(list)
    agencies = Organisation.objects.filter(kind=Organisation.Kind.AGENCY, country__in=countries)
    for organisation in agencies.order_by("code"):
        by_country[organisation.country_id].append(organisation)
    ctx.reentry_agencies = by_country
    return by_country


def _latest_episodes(person_ids) -> dict[int, CustodyEpisode]:
    latest = {}
    ids = sorted(person_ids)
    for start in range(0, len(ids), ID_CHUNK):
        episodes = CustodyEpisode.objects.filter(person_id__in=ids[start : start + ID_CHUNK])
        for episode in episodes.select_related("institution").order_by("person_id", "admitted_on"):
            latest[episode.person_id] = episode
    return latest


def _with_keys(model, objs: list, key, fields: tuple[str, ...]) -> None:
    """Give bulk-created objects their keys on a database that returns none."""
    if not objs or objs[0].pk is not None:
        return
    filters = Q()
    for obj in objs:
        filters |= Q(**{f: getattr(obj, f) for f in fields})
    ids = {tuple(getattr(o, f) for f in fields): o.pk for o in model.objects.filter(filters)}
    for obj in objs:
        obj.pk = ids[key(obj)]


class _Batch:
    def __init__(self):
        self.assessments, self.items = [], []
        self.plans, self.actions = [], []
        self.consents, self.referrals = [], []
        self.follow_ups, self.events = [], []


def _assessment(r, batch, person, day, *, better: bool = False):
    assessment = NeedsAssessment(person=person, date=day)
    batch.assessments.append(assessment)
    levels = Level.values
    for domain in Domain.values:
        index = min(3, max(0, int(r.triangular(0, 4, 1.4))))
        if better:
            index = max(0, index - r.choice((0, 1, 1)))
        batch.items.append(
            AssessmentItem(assessment=assessment, domain=domain, level=levels[index])
        )
    return assessment


def _plan(ctx, r, batch, episode, *, released: bool):
    person = episode.person
    release = episode.released_on or episode.expected_release_on
    destination = person.home_municipality or episode.institution.municipality
    domains = r.sample(Domain.values, r.randint(2, 5))
    plan = ReleasePlan(
        episode=episode,
        person=person,
        destination=destination,
        commissioner=commissioner_for(destination, commissioners=ctx.reentry_commissioners),
        goals={d: GOALS[d] for d in domains},
    )
    days_left = (release - ctx.reference_day).days
    stage = 2 if released else _pick(r, ((0, 4), (1, 3), (2, 3 if days_left < 60 else 1)))
    if stage >= 1:
        plan.officer_signed_on = min(release - r.randint(20, 120) * DAY, ctx.reference_day)
        plan.state = ReleasePlan.State.SIGNED_BY_OFFICER
    if stage >= 2:
        plan.commissioner_signed_on = min(
            plan.officer_signed_on + r.randint(2, 20) * DAY, ctx.reference_day
        )
        plan.state = ReleasePlan.State.AGREED
    batch.plans.append(plan)
    agencies = ctx.reentry_agencies.get(episode.institution.country_id, [])
    for domain in domains:
        due = release + r.randint(-60, 60) * DAY
        status = PlanAction.Status.OPEN
        if due < ctx.reference_day:
            status = _pick(r, ((PlanAction.Status.DONE, 75), (PlanAction.Status.DROPPED, 10)))
            status = status if r.random() < 0.85 else PlanAction.Status.OPEN
        batch.actions.append(
            PlanAction(
                plan=plan,
                what=ACTIONS[domain],
                domain=domain,
                agency=r.choice(agencies) if agencies and r.random() < 0.6 else None,
                responsible_person=r.choice(("", "case manager", "social worker")),
                due_on=due,
                status=status,
                responsibility=PlanAction.Responsibility.PRISON
                if due < release
                else PlanAction.Responsibility.PROBATION,
            )
        )
    return plan


def _referrals(ctx, r, batch, episode, plan):
    agencies = ctx.reentry_agencies.get(episode.institution.country_id, [])
    if not agencies or r.random() < 0.3:
        return
    person = episode.person
    release = episode.released_on or episode.expected_release_on
    consent_on = max(episode.admitted_on, release - r.randint(60, 200) * DAY)
    consented = r.random() < 0.85 and consent_on <= ctx.reference_day
    if consented:
        withdrawn = None
        if r.random() < 0.05:
            withdrawn = min(consent_on + r.randint(30, 300) * DAY, ctx.reference_day)
        batch.consents.append(
            Consent(
                person=person,
                purpose=Consent.Purpose.REFERRAL,
                given_on=consent_on,
                withdrawn_on=withdrawn,
            )
        )
    S = Referral.Status
    for agency in r.sample(agencies, min(len(agencies), r.randint(1, 2))):
        referral = Referral(
            person=person,
            agency=agency,
            plan=plan,
            domain=next((d for s, _n, d in AGENCIES if agency.code.endswith(s)), ""),
            reason="Support after release",
            shared=[Referral.Data.NAME, Referral.Data.CONTACT, Referral.Data.RELEASE],
        )
        sent_on = consent_on + r.randint(1, 40) * DAY
        if consented and sent_on <= ctx.reference_day and r.random() < 0.8:
            referral.status, referral.sent_on = S.SENT, sent_on
            answer = sent_on + r.randint(5, 40) * DAY
            if answer <= ctx.reference_day:
                referral.status = _pick(r, ((S.ACCEPTED, 75), (S.DECLINED, 15), (S.SENT, 10)))
                if referral.status != S.SENT:
                    referral.answered_on = answer
                done = answer + r.randint(30, 200) * DAY
                finished = done <= ctx.reference_day and r.random() < 0.6
                if referral.status == S.ACCEPTED and finished:
                    referral.status, referral.completed_on = S.COMPLETED, done
                    referral.outcome = r.choice(("Support given", "Placed in a job", ""))
        batch.referrals.append(referral)


def _follow_ups(ctx, r, batch, episode):
    person, released = episode.person, episode.released_on
    today = ctx.reference_day
    reoffend_on = None
    if r.random() < REOFFEND_24M:
        reoffend_on = released + int(r.triangular(15, 730, 150)) * DAY
    employment, seen = "", set()
    for months in SCHEDULE:
        day = add_months(released, months) + r.randint(-10, 10) * DAY
        if day > today or day <= released or day in seen:
            break
        if r.random() > CONTACT_KEPT:
            continue
        seen.add(day)
        employment = _pick(r, EMPLOYMENT_NEXT[employment])
        contact = FollowUp(
            person=person,
            date=day,
            mode=_pick(
                r,
                (
                    (FollowUp.Mode.VISIT, 5),
                    (FollowUp.Mode.PHONE, 4),
                    (FollowUp.Mode.ONLINE, 1),
                ),
            ),
            employment=employment,
            housing=_pick(
                r,
                (
                    (FollowUp.Housing.STABLE, 6),
                    (FollowUp.Housing.TEMPORARY, 3),
                    (FollowUp.Housing.HOMELESS, 1),
                ),
            ),
        )
        batch.follow_ups.append(contact)
        if reoffend_on and reoffend_on <= day:
            batch.events.append(
                OutcomeEvent(
                    person=person,
                    kind=OutcomeEvent.Kind.REOFFENDED,
                    date=reoffend_on,
                    source=OutcomeEvent.Source.SELF_REPORTED,
                    follow_up=contact,
                )
            )
            reoffend_on = None
    if reoffend_on and reoffend_on <= today and seen and r.random() < 0.5:
        batch.events.append(
            OutcomeEvent(
                person=person,
                kind=OutcomeEvent.Kind.REOFFENDED,
                date=reoffend_on,
                source=OutcomeEvent.Source.OFFICIAL,
            )
        )


def _plan_share(days_left: int) -> float:
    for limit, share in PLAN_SHARE:
        if days_left <= limit:
            return share
    return 0.0


def _write(ctx, batch: _Batch) -> None:
    NeedsAssessment.objects.bulk_create(batch.assessments, batch_size=BATCH)
    _with_keys(
        NeedsAssessment, batch.assessments, lambda a: (a.person_id, a.date), ("person_id", "date")
    )
    AssessmentItem.objects.bulk_create(batch.items, batch_size=BATCH)
    ReleasePlan.objects.bulk_create(batch.plans, batch_size=BATCH)
    _with_keys(ReleasePlan, batch.plans, lambda p: (p.episode_id,), ("episode_id",))
    PlanAction.objects.bulk_create(batch.actions, batch_size=BATCH)
    Consent.objects.bulk_create(batch.consents, batch_size=BATCH)
    Referral.objects.bulk_create(batch.referrals, batch_size=BATCH)
    FollowUp.objects.bulk_create(batch.follow_ups, batch_size=BATCH)
    _with_keys(FollowUp, batch.follow_ups, lambda f: (f.person_id, f.date), ("person_id", "date"))
    OutcomeEvent.objects.bulk_create(batch.events, batch_size=BATCH)
    for name, objs in (
        ("needsassessment", batch.assessments),
        ("assessmentitem", batch.items),
        ("releaseplan", batch.plans),
        ("planaction", batch.actions),
        ("referral", batch.referrals),
        ("followup", batch.follow_ups),
        ("outcomeevent", batch.events),
    ):
        ctx.counts[name] += len(objs)
    ctx.counts["consent"] += len(batch.consents)


def seed_reentry(ctx, chunk) -> None:
    """Release records for the chunk's prisoners close to release and released people."""
    r = ctx.stream("reentry")
    _agencies(ctx)
    if not hasattr(ctx, "reentry_commissioners"):
        ctx.reentry_commissioners = list(
            User.objects.filter(role=Role.COMMISSIONER, is_active=True).order_by("username")
        )
    people = {
        p.person.pk: p.person for p in chunk if p.person.kind in ("prisoner", "former_prisoner")
    }
    episodes = _latest_episodes(people)
    today = ctx.reference_day
    batch = _Batch()
    for person_id in sorted(episodes):
        episode = episodes[person_id]
        episode.person = people[person_id]
        if episode.is_open:
            if episode.expected_release_on is None:
                continue
            days_left = (episode.expected_release_on - today).days
            if r.random() >= _plan_share(days_left):
                continue
            first = max(episode.admitted_on, today - r.randint(20, 200) * DAY)
            _assessment(r, batch, episode.person, first)
            plan = _plan(ctx, r, batch, episode, released=False)
            _referrals(ctx, r, batch, episode, plan)
        elif episode.released_on and episode.released_on >= add_months(today, -48):
            released = episode.released_on
            plan = None
            if r.random() < RELEASED_WITH_PLAN:
                first = max(episode.admitted_on, released - r.randint(120, 400) * DAY)
                _assessment(r, batch, episode.person, first)
                if (released - first).days > 60 and r.random() < 0.6:
                    _assessment(
                        r, batch, episode.person, released - r.randint(5, 50) * DAY, better=True
                    )
                plan = _plan(ctx, r, batch, episode, released=True)
                _referrals(ctx, r, batch, episode, plan)
            if r.random() < FOLLOWED:
                _follow_ups(ctx, r, batch, episode)
    _write(ctx, batch)


def seed_reentry_users(*, seed: int) -> int:
    """Once the users exist (the demo): commissioners take the unassigned plans of their
    municipalities, and the signatures get their signers. Returns the plans assigned."""
    commissioners = list(
        User.objects.filter(role=Role.COMMISSIONER, is_active=True).order_by("username")
    )
    officers = defaultdict(list)
    for user in User.objects.filter(role=Role.OFFICER, is_active=True).order_by("username"):
        for institution_id in user.institutions.values_list("pk", flat=True):
            officers[institution_id].append(user)
    plans = list(ReleasePlan.objects.select_related("episode").order_by("pk"))
    assigned = 0
    for plan in plans:
        if plan.commissioner_id is None:
            plan.commissioner = commissioner_for(plan.destination, commissioners=commissioners)
            assigned += plan.commissioner is not None
        if plan.officer_signed_on and plan.officer_signed_by_id is None:
            signers = officers.get(plan.episode.institution_id)
            plan.officer_signed_by = signers[0] if signers else None
        if plan.commissioner_signed_on and plan.commissioner_signed_by_id is None:
            plan.commissioner_signed_by = plan.commissioner
    ReleasePlan.objects.bulk_update(
        plans,
        ["commissioner", "officer_signed_by", "commissioner_signed_by"],
        batch_size=BATCH,
    )
    return assigned
