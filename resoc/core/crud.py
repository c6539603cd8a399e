"""List, detail, create and edit pages for registry-like records, driven by a `Section`.

Every section reads through a scoped selector and writes through an audited service, so a
page cannot forget the user's scope or the audit trail.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from resoc.core.services import audited_save

PAGE_SIZE = 50


@dataclass
class Related:
    title: str
    rows: Callable  # (obj, user) -> iterable of model instances
    columns: list[str]
    section: str = ""  # url prefix of the rows' own detail pages, if any


@dataclass
class Section:
    slug: str  # url name prefix, e.g. "institution"
    path: str  # url path, e.g. "institutions"
    model: type
    title: str
    columns: list[str]
    form_class: type
    queryset: Callable  # (user) -> QuerySet, already scoped
    can_edit: Callable  # (user, obj or None) -> bool
    lookup: str = "code"
    search_fields: list[str] = field(default_factory=lambda: ["code", "name"])
    filters: list[str] = field(default_factory=list)  # field names filtered by ?name=value
    detail_fields: list[str] | None = None
    related: list[Related] = field(default_factory=list)
    save: Callable = None  # (actor, instance, form) -> instance
    extra_actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url name)
    # (label, url name) of pages about the record, shown to everyone who sees it
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def url_list(self) -> str:
        return reverse(f"registry:{self.slug}_list")

    def url(self, action: str, obj=None) -> str:
        if obj is None:
            return reverse(f"registry:{self.slug}_{action}")
        return reverse(f"registry:{self.slug}_{action}", args=[getattr(obj, self.lookup)])

    def get(self, user, key) -> object:
        obj = self.queryset(user).filter(**{self.lookup: key}).first()
        if obj is None:
            raise Http404
        return obj


def cell(obj, name: str):
    display = getattr(obj, f"get_{name}_display", None)
    if display is not None:
        return display()
    value = obj
    for part in name.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    if hasattr(value, "all") and callable(value.all):
        return ", ".join(str(v) for v in value.all())
    return value


def label(model, name: str) -> str:
    meta = model._meta
    for part in name.split("__"):
        f = meta.get_field(part)
        if f.is_relation and f.related_model is not None and part != name.split("__")[-1]:
            meta = f.related_model._meta
    return f.verbose_name if hasattr(f, "verbose_name") else name


def _filtered(section: Section, request) -> tuple[QuerySet, dict]:
    qs = section.queryset(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        cond = Q()
        for name in section.search_fields:
            cond |= Q(**{f"{name}__icontains": q})
        qs = qs.filter(cond)
    active = {}
    for name in section.filters:
        value = request.GET.get(name, "").strip()
        if value:
            qs = qs.filter(**{name: value})
            active[name] = value
    return qs, {"q": q, **active}


def _filter_choices(section: Section, active: dict):
    """(name, title, [(value, text, selected)]) for each filter select of the list page."""
    choices = []
    for name in section.filters:
        *path, last = name.split("__")
        model, f = section.model, None
        for part in path:
            f = model._meta.get_field(part)
            model = f.related_model
        if path:  # a related model's field, e.g. institution__country__code
            options = [(getattr(o, last), str(o)) for o in model._default_manager.all()]
            title = f.verbose_name
        else:
            f = model._meta.get_field(last)
            if not f.choices:
                continue
            options, title = list(f.choices), f.verbose_name
        current = active.get(name, "")
        marked = [(value, text, str(value) == current) for value, text in options]
        choices.append((name, title, marked))
    return choices


def _save(section: Section, user, form):
    instance = form.save(commit=False)
    if section.save is not None:
        return section.save(actor=user, instance=instance, form=form)
    audited_save(actor=user, instance=instance)
    form.save_m2m()
    return instance


def make_views(section: Section):
    @login_required
    def list_view(request):
        qs, active = _filtered(section, request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            (section.url("detail", obj), [cell(obj, c) for c in section.columns])
            for obj in page.object_list
        ]
        return render(
            request,
            "core/crud_list.html",
            {
                "section": section,
                "headers": [label(section.model, c) for c in section.columns],
                "rows": rows,
                "page": page,
                "active": active,
                "filter_choices": _filter_choices(section, active),
                "can_create": section.can_edit(request.user, None),
                "create_url": section.url("create"),
            },
        )

    @login_required
    def detail_view(request, key):
        obj = section.get(request.user, key)
        names = section.detail_fields or section.columns
        related = [
            (
                r,
                [label(r.rows(obj, request.user).model, c) for c in r.columns],
                [(o, [cell(o, c) for c in r.columns]) for o in r.rows(obj, request.user)],
            )
            for r in section.related
        ]
        return render(
            request,
            "core/crud_detail.html",
            {
                "section": section,
                "obj": obj,
                "fields": [(label(section.model, n), cell(obj, n)) for n in names],
                "related": related,
                "can_edit": section.can_edit(request.user, obj),
                "edit_url": section.url("edit", obj),
                "extra_actions": [(t, reverse(u, args=[key])) for t, u in section.extra_actions],
                "links": [(t, reverse(u, args=[key])) for t, u in section.links],
            },
        )

    def _form_view(request, obj):
        if not section.can_edit(request.user, obj):
            raise PermissionDenied
        form = section.form_class(request.POST or None, instance=obj, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                saved = _save(section, request.user, form)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(section.url("detail", saved))
        return render(
            request, "core/crud_form.html", {"section": section, "form": form, "obj": obj}
        )

    @login_required
    def create_view(request):
        return _form_view(request, None)

    @login_required
    def edit_view(request, key):
        return _form_view(request, section.get(request.user, key))

    return [
        path(f"{section.path}/", list_view, name=f"{section.slug}_list"),
        path(f"{section.path}/new/", create_view, name=f"{section.slug}_create"),
        path(f"{section.path}/<str:key>/", detail_view, name=f"{section.slug}_detail"),
        path(f"{section.path}/<str:key>/edit/", edit_view, name=f"{section.slug}_edit"),
    ]
