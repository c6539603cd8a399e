"""Tender pages: list, detail with the comparison of bids, and the forms of the procedure."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from resoc.audit.services import audit_record
from resoc.equipment.models import EquipmentItem, Status
from resoc.procurement import forms, services
from resoc.procurement.models import Award, Delivery, Evaluator, PurchaseOrder, Tender
from resoc.procurement.selectors import (
    bid_get,
    lot_get,
    lowest_compliant,
    tender_comparison,
    tender_get_for_user,
    tender_list_for_user,
)
from resoc.registry.models import ProjectCycle

PAGE_SIZE = 50


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _reader_tender(request, code) -> Tender:
    _require(request.user, "procurement.view_tender")
    return tender_get_for_user(user=request.user, code=code)


def _writer_tender(request, code) -> Tender:
    tender = _reader_tender(request, code)
    _require(request.user, "procurement.change_tender")
    return tender


def add_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: on the field it names if the form has it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = name if name in form.fields else None
        if name not in (NON_FIELD_ERRORS, None) and target is None:
            errors = [ValidationError(f"{name}: {m}") for e in errors for m in e.messages]
        form.add_error(target, errors)


def _form_page(request, tender, form, title, apply, *, template="procurement/form.html", **ctx):
    if request.method == "POST" and form.is_valid():
        try:
            apply(form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("procurement:tender_detail", code=tender.code)
    return render(request, template, {"form": form, "tender": tender, "title": title, **ctx})


@login_required
def tender_list(request):
    _require(request.user, "procurement.view_tender")
    qs = tender_list_for_user(user=request.user)
    active = {k: request.GET.get(k, "").strip() for k in ("cycle", "status", "method")}
    if active["cycle"]:
        qs = qs.filter(cycle__code=active["cycle"])
    if active["status"]:
        qs = qs.filter(status=active["status"])
    if active["method"]:
        qs = qs.filter(method=active["method"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/list.html",
        {
            "page": page,
            "active": {k: v for k, v in active.items() if v},
            "current": active,
            "cycles": ProjectCycle.objects.order_by("-start").values_list("code", "name"),
            "statuses": Tender.Status.choices,
            "methods": Tender.Method.choices,
            "can_create": request.user.has_perm("procurement.change_tender"),
        },
    )


@login_required
def tender_detail(request, code):
    tender = _reader_tender(request, code)
    lots, evaluators = tender_comparison(tender=tender)
    seat = next((e for e in evaluators if e.user_id == request.user.pk), None)
    return render(
        request,
        "procurement/detail.html",
        {
            "tender": tender,
            "lots": lots,
            "evaluators": evaluators,
            "seat": seat,
            "can_write": request.user.has_perm("procurement.change_tender"),
            "transitions": sorted(services.TRANSITIONS.get(tender.status, ())),
            "open_for_bids": tender.status in services.OPEN_FOR_BIDS,
            "lots_open": tender.status in (Tender.Status.DRAFT, Tender.Status.PUBLISHED),
        },
    )


@login_required
def tender_create(request):
    _require(request.user, "procurement.change_tender")
    form = forms.TenderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            tender = services.tender_save(actor=request.user, tender=form.save(commit=False))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Tender recorded."))
            return redirect("procurement:tender_detail", code=tender.code)
    return render(request, "procurement/form.html", {"form": form, "title": _("New tender")})


@login_required
def tender_edit(request, code):
    tender = _writer_tender(request, code)
    form = forms.TenderForm(request.POST or None, instance=tender, user=request.user)

    def apply(form):
        services.tender_save(actor=request.user, tender=form.save(commit=False))

    # The form edits `tender` itself, so a changed code is followed by the redirect.
    return _form_page(request, tender, form, _("Edit tender"), apply)


@login_required
def tender_status(request, code):
    tender = _writer_tender(request, code)
    choices = sorted(services.TRANSITIONS.get(tender.status, ()))
    form = forms.TenderStatusForm(request.POST or None, choices=choices)

    def apply(form):
        services.tender_status_set(
            actor=request.user,
            tender=tender,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
        )

    return _form_page(request, tender, form, _("Change the tender's status"), apply)


@login_required
def lot_create(request, code):
    tender = _writer_tender(request, code)
    form = forms.LotForm(request.POST or None, user=request.user, tender=tender)

    def apply(form):
        lot = form.save(commit=False)
        lot.tender = tender
        services.lot_save(actor=request.user, lot=lot, items=form.cleaned_data["items"])

    return _form_page(request, tender, form, _("New lot"), apply)


@login_required
def lot_edit(request, code, number):
    tender = _writer_tender(request, code)
    lot = lot_get(tender=tender, number=number)
    form = forms.LotForm(request.POST or None, instance=lot, user=request.user, tender=tender)

    def apply(form):
        services.lot_save(
            actor=request.user, lot=form.save(commit=False), items=form.cleaned_data["items"]
        )

    return _form_page(request, tender, form, _("Edit lot %(n)s") % {"n": number}, apply)


@login_required
def bid_create(request, code, number):
    tender = _writer_tender(request, code)
    lot = lot_get(tender=tender, number=number)
    form = forms.BidForm(request.POST or None, user=request.user)

    def apply(form):
        bid = form.save(commit=False)
        bid.lot = lot
        services.bid_save(actor=request.user, bid=bid)

    title = _("New bid for lot %(n)s") % {"n": number}
    return _form_page(request, tender, form, title, apply)


@login_required
def bid_edit(request, code, pk):
    tender = _writer_tender(request, code)
    bid = bid_get(tender=tender, pk=pk)
    form = forms.BidForm(request.POST or None, instance=bid, user=request.user)

    def apply(form):
        services.bid_save(actor=request.user, bid=form.save(commit=False))

    return _form_page(request, tender, form, _("Edit bid"), apply)


@login_required
def evaluator_add(request, code):
    tender = _writer_tender(request, code)
    form = forms.EvaluatorForm(request.POST or None, tender=tender)

    def apply(form):
        services.evaluator_add(actor=request.user, tender=tender, user=form.cleaned_data["user"])

    return _form_page(request, tender, form, _("Add an evaluator"), apply)


@login_required
def declaration(request, code):
    """The signed-in evaluator's own conflict-of-interest declaration."""
    tender = _reader_tender(request, code)
    _require(request.user, "procurement.declare_interest", tender)
    seat = Evaluator.objects.get(tender=tender, user=request.user)
    form = forms.DeclarationForm(request.POST or None)

    def apply(form):
        services.evaluator_declare(
            actor=request.user,
            evaluator=seat,
            no_conflict=form.cleaned_data["declaration"] == form.NO_CONFLICT,
            notes=form.cleaned_data["notes"],
        )

    return _form_page(
        request,
        tender,
        form,
        _("Conflict-of-interest declaration"),
        apply,
        template="procurement/declaration.html",
        seat=seat,
    )


@login_required
def bid_score(request, code, pk):
    tender = _reader_tender(request, code)
    _require(request.user, "procurement.declare_interest", tender)
    bid = bid_get(tender=tender, pk=pk)
    current = bid.scores.filter(evaluator__user=request.user).first()
    initial = {"score": current.score, "notes": current.notes} if current else None
    form = forms.ScoreForm(request.POST or None, initial=initial)

    def apply(form):
        services.bid_score_save(actor=request.user, bid=bid, **form.cleaned_data)

    title = _("Score the bid of %(supplier)s") % {"supplier": bid.supplier}
    return _form_page(request, tender, form, title, apply)


@login_required
def lot_award(request, code, number):
    tender = _writer_tender(request, code)
    lot = lot_get(tender=tender, number=number)
    bids = list(lot.bids.select_related("supplier").order_by("amount_eur", "pk"))
    lowest = lowest_compliant(bids)
    lowest_ids = [b.pk for b in bids if b.compliant and b.amount_eur == lowest]
    form = forms.AwardForm(request.POST or None, lot=lot, lowest_ids=lowest_ids)

    def apply(form):
        services.lot_award(actor=request.user, lot=lot, **form.cleaned_data)

    title = _("Award lot %(n)s") % {"n": number}
    return _form_page(
        request,
        tender,
        form,
        title,
        apply,
        template="procurement/award.html",
        lot=lot,
        bids=bids,
        lowest=lowest,
    )


def _award_of(lot) -> Award:
    award = Award.objects.select_related("bid__supplier").filter(lot=lot).first()
    if award is None:
        raise Http404
    return award


@login_required
def purchase_order(request, code, number):
    tender = _writer_tender(request, code)
    award = _award_of(lot_get(tender=tender, number=number))
    initial = {"amount": award.bid.amount, "currency": award.bid.currency}
    form = forms.PurchaseOrderForm(request.POST or None, initial=initial)

    def apply(form):
        services.purchase_order_issue(actor=request.user, award=award, **form.cleaned_data)

    title = _("Purchase order for lot %(n)s") % {"n": number}
    return _form_page(request, tender, form, title, apply, award=award)


@login_required
def delivery(request, code, number):
    tender = _writer_tender(request, code)
    award = _award_of(lot_get(tender=tender, number=number))
    order = PurchaseOrder.objects.filter(award=award).first()
    if order is None:
        raise Http404
    waiting = EquipmentItem.objects.filter(
        lot_items__lot=award.lot, lot_items__active=True, status=Status.ORDERED
    ).select_related("workshop")
    form = forms.DeliveryForm(request.POST or None, request.FILES or None, items=waiting)

    def apply(form):
        services.delivery_record(actor=request.user, order=order, **form.cleaned_data)

    title = _("Delivery for lot %(n)s") % {"n": number}
    return _form_page(request, tender, form, title, apply)


@login_required
def handover(request, code, pk):
    tender = _reader_tender(request, code)
    record = (
        Delivery.objects.filter(purchase_order__award__lot__tender=tender, pk=pk)
        .exclude(handover="")
        .first()
    )
    if record is None:
        raise Http404
    audit_record("procurement.delivery.handover_downloaded", actor=request.user, obj=record)
    return FileResponse(record.handover.open("rb"), as_attachment=True)
