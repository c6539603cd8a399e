import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.accounts import roles
from resoc.audit.services import audit_record
from resoc.core.export import xlsx_response
from resoc.equipment import forms, lifecycle, services
from resoc.equipment.charts import bar_chart
from resoc.equipment.models import Status
from resoc.equipment.selectors import (
    equipment_filter,
    equipment_get_for_user,
    equipment_list_for_user,
    funder_shares,
    item_value_by_funder,
    status_counts,
    value_summary,
)
from resoc.registry.models import Country, CycleFunder, Organisation, ProjectCycle
from resoc.registry.selectors import (
    institution_list_for_user,
    workshop_get_for_user,
    workshop_list_for_user,
)

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
FILTERS = ("country", "institution", "cycle", "status", "funder", "q")


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _active_filters(request) -> dict:
    return {name: request.GET.get(name, "").strip() for name in FILTERS}


def _filtered(request):
    active = _active_filters(request)
    params = {k: v for k, v in active.items() if k != "q"}
    qs = equipment_filter(equipment_list_for_user(user=request.user), query=active["q"], **params)
    return qs, active


def _filter_choices(user, active: dict) -> list:
    """(name, title, [(value, text, selected)]) for each select of the register."""
    funders = Organisation.objects.filter(
        pk__in=CycleFunder.objects.values("organisation_id")
    ).order_by("code")
    options = [
        ("country", _("Country"), [(c.code, c.name) for c in Country.objects.order_by("name")]),
        (
            "institution",
            _("Institution"),
            [(i.code, i.name) for i in institution_list_for_user(user=user).order_by("name")],
        ),
        ("cycle", _("Cycle"), [(c.code, str(c)) for c in ProjectCycle.objects.order_by("code")]),
        ("status", _("Status"), list(Status.choices)),
        ("funder", _("Funder"), [(o.code, o.name) for o in funders]),
    ]
    return [
        (name, title, [(v, text, v == active.get(name)) for v, text in values])
        for name, title, values in options
    ]


@login_required
def equipment_list(request):
    _require(request.user, "equipment.view_item")
    qs, active = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "equipment/list.html",
        {
            "page": page,
            "items": list(page.object_list),
            "active": active,
            "filter_choices": _filter_choices(request.user, active),
            "summary": value_summary(qs),
            "query": query.urlencode(),
            "can_create": request.user.has_perm("equipment.add_item"),
        },
    )


@login_required
def equipment_export(request):
    _require(request.user, "equipment.view_item")
    qs, active = _filtered(request)
    items = list(qs.select_related("supplier")[:EXPORT_LIMIT])
    shares = funder_shares(i.cycle_id for i in items)
    funders = sorted({o for rows in shares.values() for o, _s in rows}, key=lambda o: o.code)
    audit_record(
        "equipment.exported",
        actor=request.user,
        detail={"filters": {k: v for k, v in active.items() if v}, "count": len(items)},
    )
    header = [
        _("Code"),
        _("Name"),
        _("Category"),
        _("Country"),
        _("Institution"),
        _("Workshop"),
        _("Cycle"),
        _("Status"),
        _("Status since"),
        _("Quantity"),
        _("Unit price"),
        _("Currency"),
        _("Value (EUR)"),
        _("Rate (units per EUR)"),
        _("Rate date"),
        _("Ordered on"),
        _("Delivered on"),
        _("Supplier"),
        *[_("%(funder)s (EUR)") % {"funder": o.code} for o in funders],
    ]

    def row(item):
        parts = dict(item_value_by_funder(item, shares.get(item.cycle_id, [])))
        return [
            item.code,
            item.name,
            item.get_category_display(),
            item.workshop.institution.country.code,
            item.workshop.institution.code,
            item.workshop.code,
            item.cycle.code,
            item.get_status_display(),
            item.status_on,
            item.quantity,
            item.unit_price,
            item.currency,
            item.value_eur,
            item.rate_units_per_eur,
            item.rate_date,
            item.ordered_on,
            item.delivered_on,
            item.supplier.code if item.supplier else "",
            *[parts.get(o) for o in funders],
        ]

    return xlsx_response("equipment.xlsx", _("Equipment"), header, (row(i) for i in items))


@login_required
def equipment_detail(request, code):
    item = equipment_get_for_user(user=request.user, code=code)
    can_change = request.user.has_perm("equipment.change_item", item)
    return render(
        request,
        "equipment/detail.html",
        {
            "item": item,
            "changes": item.status_changes.select_related("by"),
            "files": item.files.all(),
            "value_by_funder": item_value_by_funder(item),
            "can_change": can_change,
            "can_move": can_change and bool(lifecycle.allowed_next(item.status)),
        },
    )


def _item_form(request, item):
    initial = {}
    if item is None and request.GET.get("workshop"):
        initial["workshop"] = (
            workshop_list_for_user(user=request.user).filter(code=request.GET["workshop"]).first()
        )
    form = forms.EquipmentItemForm(
        request.POST or None, instance=item, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.equipment_save(actor=request.user, item=form.save(commit=False))
        except ValidationError as exc:
            _add(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("equipment:detail", code=saved.code)
    title = _("Edit equipment item") if item else _("New equipment item")
    return render(request, "equipment/form.html", {"form": form, "item": item, "title": title})


def _add(form, exc: ValidationError) -> None:
    """A service's errors on the form's fields where it has them, the others above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
def equipment_create(request):
    _require(request.user, "equipment.add_item")
    return _item_form(request, None)


@login_required
def equipment_edit(request, code):
    item = equipment_get_for_user(user=request.user, code=code)
    _require(request.user, "equipment.change_item", item)
    return _item_form(request, item)


@login_required
def equipment_status(request, code):
    item = equipment_get_for_user(user=request.user, code=code)
    _require(request.user, "equipment.change_item", item)
    if not lifecycle.allowed_next(item.status):
        messages.error(request, _("A decommissioned item cannot change its status any more."))
        return redirect("equipment:detail", code=item.code)
    form = forms.StatusChangeForm(request.POST or None, request.FILES or None, item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.equipment_status_change(
                actor=request.user,
                item=item,
                to_status=data["to_status"],
                on=data["on"],
                reason=data["reason"],
                document=data["document"],
            )
        except ValidationError as exc:
            _add(form, exc)
        else:
            messages.success(
                request, _("The item is now %(status)s.") % {"status": item.get_status_display()}
            )
            return redirect("equipment:detail", code=item.code)
    title = _("Change status")
    return render(request, "equipment/form.html", {"form": form, "item": item, "title": title})


@login_required
def equipment_file_add(request, code):
    item = equipment_get_for_user(user=request.user, code=code)
    _require(request.user, "equipment.change_item", item)
    form = forms.EquipmentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.equipment_file_add(
                actor=request.user,
                item=item,
                kind=data["kind"],
                upload=data["file"],
                title=data["title"],
            )
        except ValidationError as exc:
            _add(form, exc)
        else:
            messages.success(request, _("File added."))
            return redirect("equipment:detail", code=item.code)
    title = _("Add a photo or document")
    return render(request, "equipment/form.html", {"form": form, "item": item, "title": title})


def _download(field_file):
    return FileResponse(field_file.open("rb"), as_attachment=True)


@login_required
def equipment_file_download(request, code, pk):
    item = equipment_get_for_user(user=request.user, code=code)
    record = item.files.filter(pk=pk).first()
    if record is None:
        raise Http404
    return _download(record.file)


@login_required
def status_document_download(request, code, pk):
    item = equipment_get_for_user(user=request.user, code=code)
    change = item.status_changes.filter(pk=pk).exclude(document="").first()
    if change is None:
        raise Http404
    return _download(change.document)


def _work_selector(name: str):
    """A selector of the work app, or None while that app does not provide it."""
    try:
        from resoc.work import selectors
    except ImportError:
        return None
    return getattr(selectors, name, None)


@login_required
def workshop_page(request, code):
    workshop = workshop_get_for_user(user=request.user, code=code)
    items_qs = equipment_list_for_user(user=request.user).filter(workshop=workshop)
    counts = status_counts(items_qs)
    month = timezone.localdate().replace(day=1)
    workers_of = _work_selector("workshop_workers")
    sees_people = roles.has_role(request.user, roles.PERSON_READERS)
    workers = (
        workers_of(user=request.user, workshop=workshop, month=month)
        if workers_of and sees_people
        else None
    )
    production_of = _work_selector("production_by_month")
    production = None
    if production_of:
        production = production_of(
            workshop=workshop, months=12, until=_last_production_month(workshop)
        )
    chart = None
    if production is not None:
        chart = bar_chart([(_month_label(p["month"]), p["value_eur"]) for p in production])
    return render(
        request,
        "equipment/workshop.html",
        {
            "workshop": workshop,
            "items": list(items_qs.order_by("code")),
            "status_counts": [(Status(s).label, counts[s]) for s in Status.values if s in counts],
            "summary": value_summary(items_qs),
            "month": month,
            "workers": workers,
            "production": production,
            "chart": chart,
            "can_create": request.user.has_perm("equipment.add_item")
            and request.user.has_perm("equipment.change_item", workshop),
        },
    )


def _last_production_month(workshop) -> datetime.date:
    """This month, or the last with production if there was none this year (a closed
    workshop, or data entered late): the chart shows twelve months that say something."""
    today = timezone.localdate()
    try:
        from resoc.work.models import ProductionRecord
    except ImportError:
        return today
    last = (
        ProductionRecord.objects.filter(workshop=workshop, month__lte=today)
        .aggregate(last=Max("month"))
        .get("last")
    )
    if last is None or (today - last).days < 366:
        return today
    return last


def _month_label(month: datetime.date) -> str:
    return month.strftime("%m/%y")
