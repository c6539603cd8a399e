"""Writing grant records. Every write is validated here and audited with the person's reference.

The rules (the importers apply the same ones, from the `check_*` functions below):
- a call's criteria weigh 100 together, and change only while nobody has scored;
- an applicant is a prisoner or former prisoner; one application per person and call, dated
  within the call's opening; its eligibility is checked automatically and kept with it;
- at least MIN_EVALUATIONS committee members, each having declared no conflict of interest, score
  every criterion before an application of a call is approved, waitlisted or rejected (an
  application that fails an eligibility criterion may be rejected without);
- an application that fails an eligibility criterion cannot be approved;
- the EUR approved in a call never exceed its budget;
- a grant's items cost at most the approved amount; delivery needs the signed handover document;
- visits happen after delivery; a photo needs the person's photo consent on the visit's day.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.accounts.roles import has_role
from resoc.audit.services import audit_record
from resoc.core.money import MissingExchangeRate, to_eur
from resoc.core.services import audited_delete, audited_save
from resoc.equipment.uploads import PHOTO_TYPES, STATUS_DOCUMENT_TYPES, check_upload
from resoc.grants import eligibility, roles
from resoc.grants.models import (
    SCORE_MAX,
    Application,
    ApplicationItem,
    Call,
    Criterion,
    Evaluation,
    Grant,
    GrantItem,
    Score,
    Visit,
    VisitPhoto,
)
from resoc.grants.selectors import call_approved_total
from resoc.people.models import Consent, Person
from resoc.registry.models import Organisation

MIN_EVALUATIONS = 2
D = Application.Decision
APPLICANT_KINDS = (Person.Kind.PRISONER, Person.Kind.FORMER_PRISONER)
DOCUMENT_TYPES = ("pdf",)


def _day(value) -> str:
    return value.isoformat() if value else ""


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _not_in_future(on, field: str) -> None:
    if on is not None and on > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# Rules as plain checks: the services and the importers share them.


def check_weights(weights) -> str | None:
    weights = list(weights)
    if not weights:
        return _("Give at least one criterion.")
    total = sum(weights)
    if total != 100:
        return _("The criteria's weights add up to %(total)s; they must add up to 100.") % {
            "total": total
        }
    return None


def check_budget(call: Call, *, approved_elsewhere: Decimal, amount: Decimal) -> str | None:
    """None when `amount` more still fits in the call's budget."""
    if approved_elsewhere + amount > call.budget_eur:
        return _(
            "Approving %(amount)s EUR would exceed the budget of call %(call)s: %(approved)s of "
            "%(budget)s EUR are approved already, %(left)s EUR remain."
        ) % {
            "amount": _money(amount),
            "call": call.code,
            "approved": _money(approved_elsewhere),
            "budget": _money(call.budget_eur),
            "left": _money(max(call.budget_eur - approved_elsewhere, Decimal("0"))),
        }
    return None


def check_evaluations(complete: int, *, decision: str, checks=()) -> str | None:
    """The two-evaluator rule; an ineligible application may be rejected without scores."""
    if decision == D.REJECTED and eligibility.not_met(checks):
        return None
    if complete < MIN_EVALUATIONS:
        return _(
            "A decision needs the scores of at least %(min)s committee members who declared no "
            "conflict of interest; this application has %(count)s."
        ) % {"min": MIN_EVALUATIONS, "count": complete}
    return None


def check_eligible(checks, *, decision: str) -> str | None:
    if decision != D.APPROVED:
        return None
    failed = eligibility.not_met(checks)
    if failed:
        names = eligibility.labels()
        return _("The applicant is not eligible: %(reasons)s") % {
            "reasons": " ".join(f"{names[c['key']]}: {c['reason']}" for c in failed)
        }
    return None


def check_applicant(person: Person) -> str | None:
    if person.kind not in APPLICANT_KINDS:
        return _("%(ref)s is not a prisoner or former prisoner; only they can apply.") % {
            "ref": person.ref
        }
    return None


def complete_evaluations(application: Application) -> int:
    return application.evaluations.filter(
        declared_no_conflict=True, weighted_score__isnull=False
    ).count()


# Calls and criteria


@transaction.atomic
def call_save(*, actor, call: Call, committee=None) -> Call:
    """Create or change a call; `committee` (users) replaces its committee when given."""
    errors = {}
    if call.cycle_id and call.country_id:
        countries = set(call.cycle.countries.values_list("pk", flat=True))
        if countries and call.country_id not in countries:
            errors["country"] = _("The cycle %(cycle)s does not run in %(country)s.") % {
                "cycle": call.cycle.code,
                "country": call.country,
            }
    if call.pk is not None and call.budget_eur is not None:
        approved = call_approved_total(call)
        if call.budget_eur < approved:
            errors["budget_eur"] = _(
                "%(approved)s EUR are approved in this call already; the budget cannot be less."
            ) % {"approved": _money(approved)}
    members = list(committee) if committee is not None else None
    if members is not None and call.country_id:
        for user in members:
            if not (user.is_active and has_role(user, roles.EVALUATOR_ROLES)):
                errors.setdefault("committee", []).append(
                    _("%(user)s cannot evaluate applications (role %(role)s).")
                    % {"user": user.username, "role": user.get_role_display()}
                )
            elif (
                user.role not in roles.GRANT_WRITERS_EVERYWHERE
                and not user.countries.filter(pk=call.country_id).exists()
            ):
                errors.setdefault("committee", []).append(
                    _("%(user)s does not work in %(country)s.")
                    % {"user": user.username, "country": call.country}
                )
    if errors:
        raise ValidationError(errors)
    audited_save(actor=actor, instance=call)
    if members is not None:
        before = sorted(call.committee.values_list("username", flat=True))
        call.committee.set(members)
        after = sorted(u.username for u in members)
        if before != after:
            audit_record(
                "grants.call.committee_set",
                actor=actor,
                obj=call,
                detail={"before": before, "after": after},
            )
    return call


@transaction.atomic
def criteria_set(*, actor, call: Call, criteria: list[tuple[str, int]]) -> list[Criterion]:
    """Replace the call's criteria by [(name, weight)], numbered in order; weights sum to 100."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    criteria = [(str(name).strip(), int(weight)) for name, weight in criteria]
    if any(not name for name, _w in criteria):
        raise ValidationError({"criteria": _("Every criterion needs a name.")})
    if any(not 1 <= weight <= 100 for _n, weight in criteria):
        raise ValidationError({"criteria": _("A weight is between 1 and 100.")})
    if message := check_weights(w for _n, w in criteria):
        raise ValidationError({"criteria": message})
    current = [(c.name, c.weight) for c in call.criteria.order_by("number")]
    if current == criteria:
        return list(call.criteria.order_by("number"))
    if Score.objects.filter(criterion__call=call).exists():
        raise ValidationError(
            {"criteria": _("Applications of this call have been scored; its criteria are fixed.")}
        )
    call.criteria.all().delete()
    made = Criterion.objects.bulk_create(
        [
            Criterion(call=call, number=n, name=name, weight=weight)
            for n, (name, weight) in enumerate(criteria, start=1)
        ]
    )
    audit_record(
        "grants.call.criteria_set",
        actor=actor,
        obj=call,
        detail={"before": current, "after": criteria},
    )
    return made


# Applications


def _convert(amount: Decimal, currency: str, on: datetime.date, field: str) -> Decimal:
    try:
        return to_eur(amount, currency, on).amount_eur
    except MissingExchangeRate as exc:
        raise ValidationError({field: str(exc)}) from None


def _next_code(call: Call) -> str:
    prefix = f"{call.code}-"
    codes = Application.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _store_eligibility(application: Application) -> list[dict]:
    checks = eligibility.check_many(
        [(application.person, application.call, application.applied_on)],
        today=timezone.localdate(),
    )[0]
    application.eligibility = checks
    application.eligibility_checked_on = timezone.localdate()
    return checks


@transaction.atomic
def application_save(*, actor, application: Application, items=None) -> Application:
    """Create or change an application of a call, with the items asked for ([ApplicationItem]
    replace the stored ones when given). Amounts are converted at the application's date."""
    call = application.call
    errors = {}
    if call is None:
        raise ValidationError({"call": _("Choose the call the application answers.")})
    # One writer at a time per call: the next code, and one application per person.
    Call.objects.select_for_update().filter(pk=call.pk).first()
    if application.pk is not None:
        stored = Application.objects.select_for_update().get(pk=application.pk)
        if stored.decision not in (D.PENDING, D.WAITLISTED):
            raise ValidationError(_("A decided application cannot be changed."))
        if stored.call_id != application.call_id or stored.person_id != application.person_id:
            raise ValidationError(_("The call and the applicant of an application are fixed."))
    if application.person_id and (message := check_applicant(application.person)):
        errors["person"] = message
    on = application.applied_on
    if on is None:
        errors["applied_on"] = _("Give the date of the application.")
    elif not call.opens_on <= on <= call.closes_on:
        errors["applied_on"] = _("The call %(call)s is open from %(opens)s to %(closes)s.") % {
            "call": call.code,
            "opens": _day(call.opens_on),
            "closes": _day(call.closes_on),
        }
    elif on > timezone.localdate():
        errors["applied_on"] = _("The date cannot be in the future.")
    if (
        application.person_id
        and Application.objects.filter(call=call, person_id=application.person_id)
        .exclude(pk=application.pk)
        .exists()
    ):
        errors["person"] = _("%(ref)s has applied to this call already.") % {
            "ref": application.person.ref
        }
    replace = items is not None
    items = list(items) if replace else list(application.items.all()) if application.pk else []
    if replace and not items:
        errors["items"] = _("List at least one item asked for.")
    for item in items if replace else ():
        try:
            item.full_clean(exclude=["application", "cost_eur"])
        except ValidationError as exc:
            errors.setdefault("items", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    application.cycle_id, application.country_id = call.cycle_id, call.country_id
    application.currency = (application.currency or "EUR").upper()
    if not application.code:
        application.code = _next_code(call)
    for item in items:
        item.cost_eur = _convert(item.total, application.currency, on, "currency")
    application.requested_eur = sum((i.cost_eur for i in items), Decimal("0"))
    application.own_contribution_eur = _convert(
        application.own_contribution or Decimal("0"), application.currency, on, "currency"
    )
    _store_eligibility(application)
    audited_save(actor=actor, instance=application, person_ref=application.person.ref)
    if not replace:
        ApplicationItem.objects.bulk_update(items, ["cost_eur"])
    else:
        application.items.all().delete()
        for item in items:
            item.pk, item.application = None, application
        ApplicationItem.objects.bulk_create(items)
        audit_record(
            "grants.application.items_set",
            actor=actor,
            obj=application,
            person_ref=application.person.ref,
            detail={
                "items": [[i.description, i.quantity, str(i.unit_cost)] for i in items],
                "currency": application.currency,
                "requested_eur": application.requested_eur,
            },
        )
    return application


@transaction.atomic
def application_plan_upload(*, actor, application: Application, upload) -> Application:
    """Attach (or replace) the business plan: a PDF."""
    try:
        check_upload(upload, DOCUMENT_TYPES)
    except ValidationError as exc:
        raise ValidationError({"business_plan": exc.messages}) from exc
    application.business_plan = upload
    application.save(update_fields=["business_plan", "updated_at"])
    audit_record(
        "grants.application.business_plan_uploaded",
        actor=actor,
        obj=application,
        person_ref=application.person.ref,
        detail={"file": application.business_plan.name},
    )
    return application


@transaction.atomic
def application_check(*, actor, application: Application) -> list[dict]:
    """Run the eligibility check again and keep its result."""
    checks = _store_eligibility(application)
    application.save(update_fields=["eligibility", "eligibility_checked_on", "updated_at"])
    audit_record(
        "grants.application.eligibility_checked",
        actor=actor,
        obj=application,
        person_ref=application.person.ref,
        detail={"checks": checks},
    )
    return checks


# Evaluation


def _seat(actor, application: Application) -> None:
    call = application.call
    if call is None:
        raise ValidationError(_("Only applications of a call are evaluated."))
    if actor is None or not (
        has_role(actor, roles.EVALUATOR_ROLES) and call.committee.filter(pk=actor.pk).exists()
    ):
        raise ValidationError(_("Only the members of the call's committee evaluate."))
    stored = Application.objects.filter(pk=application.pk).values_list("decision", flat=True)
    if stored.first() not in (D.PENDING, D.WAITLISTED):
        raise ValidationError(_("The application is decided; it is no longer evaluated."))


@transaction.atomic
def evaluation_declare(
    *, actor, application: Application, no_conflict: bool, notes: str = ""
) -> Evaluation:
    """The committee member's own declaration of interest. A conflict cannot be withdrawn."""
    _seat(actor, application)
    notes = notes.strip()
    evaluation = (
        Evaluation.objects.select_for_update()
        .filter(application=application, evaluator=actor)
        .first()
    )
    if evaluation is not None:
        if not evaluation.declared_no_conflict:
            raise ValidationError(
                _("You declared a conflict of interest on %(date)s; it cannot be withdrawn.")
                % {"date": _day(timezone.localdate(evaluation.declared_at))}
            )
        if no_conflict:
            return evaluation
    if not no_conflict and not notes:
        raise ValidationError({"notes": _("Describe the conflict of interest.")})
    if evaluation is None:
        evaluation = Evaluation(application=application, evaluator=actor)
    evaluation.declared_no_conflict = no_conflict
    evaluation.declaration_notes = notes
    evaluation.declared_at = timezone.now()
    if not no_conflict and evaluation.pk is not None:
        evaluation.weighted_score = None
        evaluation.scores.all().delete()
    return audited_save(actor=actor, instance=evaluation, person_ref=application.person.ref)


def weighted(scores: dict[int, int], criteria) -> Decimal:
    """0–100: each criterion's score out of SCORE_MAX, weighted (weights sum to 100)."""
    total = sum(Decimal(c.weight) * Decimal(scores[c.pk]) for c in criteria)
    return (total / SCORE_MAX).quantize(Decimal("0.01"))


@transaction.atomic
def evaluation_score(
    *, actor, application: Application, scores: dict, notes: str = ""
) -> Evaluation:
    """Score every criterion of the call ({criterion id: 0–SCORE_MAX}), after declaring no
    conflict of interest. Scoring again replaces the scores."""
    _seat(actor, application)
    evaluation = Evaluation.objects.filter(application=application, evaluator=actor).first()
    if evaluation is None:
        raise ValidationError(_("Declare that you have no conflict of interest before you score."))
    if not evaluation.declared_no_conflict:
        raise ValidationError(_("You declared a conflict of interest; you cannot score."))
    criteria = list(application.call.criteria.order_by("number"))
    if message := check_weights(c.weight for c in criteria):
        raise ValidationError(_("The call's criteria are not ready: %(m)s") % {"m": message})
    scores = {int(k): v for k, v in scores.items()}
    missing = [c for c in criteria if scores.get(c.pk) is None]
    if missing:
        raise ValidationError(
            _("Score every criterion; missing: %(names)s.")
            % {"names": ", ".join(c.name for c in missing)}
        )
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        raise ValidationError(_("Some scores are for criteria of another call."))
    bad = [c.name for c in criteria if not 0 <= int(scores[c.pk]) <= SCORE_MAX]
    if bad:
        raise ValidationError(
            _("A score is between 0 and %(max)s: %(names)s.")
            % {"max": SCORE_MAX, "names": ", ".join(bad)}
        )
    scores = {pk: int(v) for pk, v in scores.items()}
    evaluation.scores.all().delete()
    Score.objects.bulk_create(
        [Score(evaluation=evaluation, criterion=c, score=scores[c.pk]) for c in criteria]
    )
    evaluation.weighted_score = weighted(scores, criteria)
    evaluation.notes = notes.strip()
    audited_save(actor=actor, instance=evaluation, person_ref=application.person.ref)
    audit_record(
        "grants.evaluation.scored",
        actor=actor,
        obj=evaluation,
        person_ref=application.person.ref,
        detail={
            "scores": {c.number: scores[c.pk] for c in criteria},
            "weighted": evaluation.weighted_score,
        },
    )
    return evaluation


# Decision


@transaction.atomic
def application_decide(
    *,
    actor,
    application: Application,
    decision: str,
    reason: str,
    approved_eur: Decimal | None = None,
    on: datetime.date | None = None,
) -> Application:
    """Approve, reject or waitlist with a reason. An approval within the call's budget creates
    the grant (status approved); un-approving is possible while nothing was bought for it."""
    caller = application
    application = Application.objects.select_related("person", "call").get(pk=application.pk)
    call = (
        Call.objects.select_for_update().get(pk=application.call_id)
        if application.call_id
        else None
    )
    reason = (reason or "").strip()
    on = on or timezone.localdate()
    errors = {}
    if decision not in (D.APPROVED, D.REJECTED, D.WAITLISTED):
        errors["decision"] = _("Choose approved, rejected or waitlisted.")
    if not reason:
        errors["reason"] = _("Give the reason for the decision.")
    _not_in_future(on, "decided_on")
    if application.applied_on and on < application.applied_on:
        errors["decided_on"] = _("The decision cannot precede the application (%(date)s).") % {
            "date": _day(application.applied_on)
        }
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.filter(application=application).first()
    undoing = grant is not None and decision != D.APPROVED
    if undoing and (grant.status != Grant.Status.APPROVED or grant.items.exists()):
        raise ValidationError(
            _("Items were bought or delivered for this grant; the approval stands.")
        )
    checks = _store_eligibility(application)
    if call is not None:
        message = check_evaluations(
            complete_evaluations(application), decision=decision, checks=checks
        )
        if message:
            raise ValidationError(message)
    if message := check_eligible(checks, decision=decision):
        raise ValidationError(message)
    amount = None
    if decision == D.APPROVED:
        amount = application.requested_eur if approved_eur is None else approved_eur
        if amount is None or amount <= 0:
            raise ValidationError({"approved_eur": _("Give the amount approved, in EUR.")})
        amount = Decimal(amount).quantize(Decimal("0.01"))
        if application.requested_eur is not None and amount > application.requested_eur:
            raise ValidationError(
                {
                    "approved_eur": _(
                        "The application asks for %(requested)s EUR; no more can be approved."
                    )
                    % {"requested": _money(application.requested_eur)}
                }
            )
        if call is not None:
            elsewhere = call_approved_total(call, exclude=application)
            if message := check_budget(call, approved_elsewhere=elsewhere, amount=amount):
                raise ValidationError({"approved_eur": message})
        if grant is not None:
            spent = grant.items.aggregate(total=Sum("value_eur"))["total"] or Decimal("0")
            if amount < spent:
                raise ValidationError(
                    {
                        "approved_eur": _("%(spent)s EUR were spent on this grant already.")
                        % {"spent": _money(spent)}
                    }
                )
    application.decision = decision
    application.decision_reason = reason
    application.decided_on = on
    application.decided_by = actor if getattr(actor, "pk", None) else None
    application.approved_eur = amount
    audited_save(actor=actor, instance=application, person_ref=application.person.ref)
    ref = application.person.ref
    if decision == D.APPROVED and grant is None:
        audited_save(
            actor=actor,
            instance=Grant(application=application, code=application.code),
            person_ref=ref,
        )
    elif decision != D.APPROVED and grant is not None:
        audited_delete(actor=actor, instance=grant, person_ref=ref)
    caller.refresh_from_db()
    return caller


# Grants


def _locked(grant: Grant) -> Grant:
    """The grant as stored now, locked: the rules look at it, not at what the caller holds."""
    return Grant.objects.select_for_update().select_related("application__person").get(pk=grant.pk)


def _refresh(caller: Grant) -> None:
    caller.refresh_from_db()


def _rates_error(exc) -> ValidationError:
    return ValidationError({"currency": str(exc)})


def _recompute_value(grant: Grant) -> None:
    total = grant.items.aggregate(total=Sum("value_eur"))["total"]
    if total is not None or grant.value is None:
        grant.value_eur = total


@transaction.atomic
def grant_item_add(*, actor, grant: Grant, item: GrantItem) -> GrantItem:
    """Record an item bought, valued in EUR at the rate of its purchase date."""
    caller, grant = grant, _locked(grant)
    if grant.status == Grant.Status.CLOSED:
        raise ValidationError(_("The grant is closed; its items can no longer change."))
    item.grant = grant
    item.currency = (item.currency or "").upper()
    errors = {}
    if item.purchase_order_id and not item.supplier_id:
        item.supplier = item.purchase_order.award.bid.supplier
    supplier = Organisation.objects.filter(pk=item.supplier_id).first()
    if supplier is not None and supplier.kind != Organisation.Kind.SUPPLIER:
        errors["supplier"] = _("%(org)s is not an organisation of kind supplier.") % {
            "org": supplier.code
        }
    if item.purchased_on and grant.delivered_on and item.purchased_on > grant.delivered_on:
        errors["purchased_on"] = _("The item cannot be bought after the delivery (%(date)s).") % {
            "date": _day(grant.delivered_on)
        }
    if errors:
        raise ValidationError(errors)
    _not_in_future(item.purchased_on, "purchased_on")
    if item.unit_price is not None and item.quantity and item.purchased_on and item.currency:
        try:
            conversion = to_eur(item.total, item.currency, item.purchased_on)
        except MissingExchangeRate as exc:
            raise _rates_error(exc) from None
        item.value_eur, item.rate_units_per_eur = conversion.amount_eur, conversion.units_per_eur
    spent = grant.items.aggregate(total=Sum("value_eur"))["total"] or Decimal("0")
    approved = grant.application.approved_eur
    if approved is not None and item.value_eur is not None and spent + item.value_eur > approved:
        raise ValidationError(
            _(
                "With this item the grant would cost %(total)s EUR, more than the %(approved)s "
                "EUR approved."
            )
            % {"total": _money(spent + item.value_eur), "approved": _money(approved)}
        )
    ref = grant.application.person.ref
    audited_save(actor=actor, instance=item, person_ref=ref)
    _recompute_value(grant)
    grant.save(update_fields=["value_eur", "updated_at"])
    _refresh(caller)
    return item


@transaction.atomic
def grant_deliver(
    *,
    actor,
    grant: Grant,
    delivered_on: datetime.date,
    handover,
    ownership_on: datetime.date | None = None,
) -> Grant:
    """The items reached the person: the grant is delivered, with the signed handover."""
    caller, grant = grant, _locked(grant)
    errors = {}
    if grant.status != Grant.Status.APPROVED:
        raise ValidationError(
            _("The grant is %(status)s; only an approved grant is delivered.")
            % {"status": grant.get_status_display()}
        )
    if not grant.items.exists():
        errors["items"] = _("Record the items bought before the delivery.")
    if not handover:
        errors["handover"] = _("Attach the signed handover document.")
    else:
        try:
            check_upload(handover, STATUS_DOCUMENT_TYPES)
        except ValidationError as exc:
            errors["handover"] = exc.messages
    if delivered_on is None:
        errors["delivered_on"] = _("Give the delivery date.")
    elif delivered_on > timezone.localdate():
        errors["delivered_on"] = _("The date cannot be in the future.")
    else:
        last = grant.items.order_by("-purchased_on").values_list("purchased_on", flat=True).first()
        if last and delivered_on < last:
            errors["delivered_on"] = _(
                "The delivery cannot precede the last purchase (%(date)s)."
            ) % {"date": _day(last)}
        decided = grant.application.decided_on
        if decided and delivered_on < decided:
            errors["delivered_on"] = _("The delivery cannot precede the approval (%(date)s).") % {
                "date": _day(decided)
            }
    if ownership_on and delivered_on and ownership_on < delivered_on:
        errors["ownership_on"] = _("Ownership cannot pass before the delivery.")
    if errors:
        raise ValidationError(errors)
    grant.status = Grant.Status.DELIVERED
    grant.delivered_on = delivered_on
    grant.ownership_on = ownership_on
    grant.handover = handover
    audited_save(actor=actor, instance=grant, person_ref=grant.application.person.ref)
    _refresh(caller)
    return caller


@transaction.atomic
def grant_ownership_set(*, actor, grant: Grant, ownership_on: datetime.date) -> Grant:
    """Record the day ownership of the items passes to the person."""
    caller, grant = grant, _locked(grant)
    if grant.delivered_on is None:
        raise ValidationError(_("Ownership passes after the delivery; record it first."))
    if ownership_on < grant.delivered_on:
        raise ValidationError({"ownership_on": _("Ownership cannot pass before the delivery.")})
    grant.ownership_on = ownership_on
    audited_save(actor=actor, instance=grant, person_ref=grant.application.person.ref)
    _refresh(caller)
    return caller


@transaction.atomic
def grant_close(*, actor, grant: Grant, closed_on: datetime.date, reason: str) -> Grant:
    """Close a delivered grant: monitoring ends (visits can still be recorded late)."""
    caller, grant = grant, _locked(grant)
    if grant.status != Grant.Status.DELIVERED:
        raise ValidationError(
            _("The grant is %(status)s; only a delivered grant is closed.")
            % {"status": grant.get_status_display()}
        )
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for closing the grant.")
    if closed_on is None or closed_on < grant.delivered_on:
        errors["closed_on"] = _("A grant closes after its delivery (%(date)s).") % {
            "date": _day(grant.delivered_on)
        }
    elif closed_on > timezone.localdate():
        errors["closed_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    grant.status = Grant.Status.CLOSED
    grant.closed_on = closed_on
    grant.notes = "\n".join(filter(None, [grant.notes, _("Closed: %(r)s") % {"r": reason}]))
    audited_save(actor=actor, instance=grant, person_ref=grant.application.person.ref)
    _refresh(caller)
    return caller


# Visits


def check_visit(grant: Grant, visited_on: datetime.date) -> str | None:
    if grant.delivered_on is None:
        return _("The grant %(code)s is not delivered yet; visits come after delivery.") % {
            "code": grant.code
        }
    if visited_on < grant.delivered_on:
        return _("A visit cannot precede the delivery (%(date)s).") % {
            "date": _day(grant.delivered_on)
        }
    return None


@transaction.atomic
def visit_save(*, actor, visit: Visit) -> Visit:
    grant = Grant.objects.select_related("application__person").get(pk=visit.grant_id)
    if visit.pk is not None:
        stored = Visit.objects.get(pk=visit.pk)
        if stored.grant_id != visit.grant_id:
            raise ValidationError({"grant": _("A visit cannot move to another grant.")})
    if visit.visited_on is not None:
        if message := check_visit(grant, visit.visited_on):
            raise ValidationError({"visited_on": message})
        _not_in_future(visit.visited_on, "visited_on")
    if visit.pk is None and getattr(actor, "pk", None):
        visit.visited_by = actor
    visit.grant = grant
    return audited_save(actor=actor, instance=visit, person_ref=grant.application.person.ref)


def photo_consent(person: Person, on: datetime.date) -> Consent | None:
    consents = Consent.objects.filter(person=person, purpose=Consent.Purpose.PHOTO)
    return next((c for c in consents if c.is_active_on(on)), None)


@transaction.atomic
def visit_photo_add(*, actor, visit: Visit, upload) -> VisitPhoto:
    """A photo of the business, only with the person's photo consent on the visit's day."""
    person = visit.grant.application.person
    if photo_consent(person, visit.visited_on) is None:
        raise ValidationError(
            {
                "file": _(
                    "%(ref)s gave no consent to photographs active on %(date)s; no photo can "
                    "be kept."
                )
                % {"ref": person.ref, "date": _day(visit.visited_on)}
            }
        )
    try:
        check_upload(upload, PHOTO_TYPES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    uploader = actor if getattr(actor, "pk", None) else None
    photo = VisitPhoto(visit=visit, file=upload, uploaded_by=uploader)
    photo.save()
    audit_record(
        "grants.visitphoto.created",
        actor=actor,
        obj=photo,
        person_ref=person.ref,
        detail={"visit": visit.pk, "file": photo.file.name},
    )
    return photo
