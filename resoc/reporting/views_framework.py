"""The results framework (indicators against targets) and the stories pages. Every role reads
them (as donors see them unless a programme-wide reader); admins and managers edit them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from resoc.registry.models import ProjectCycle
from resoc.reporting import charts, forms, services
from resoc.reporting.framework import disaggregation, framework_rows
from resoc.reporting.models import Indicator, IndicatorPeriod, MediaCoverage, Story
from resoc.reporting.rules import sees_full_results
from resoc.reporting.selectors_stories import (
    coverage_list_for_user,
    manages_stories,
    story_get_for_user,
    story_list_for_user,
)


def _require(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied


def _donor(request) -> bool:
    return request.GET.get("as") == "donor" or not sees_full_results(request.user)


def _achievement_chart(rows):
    points = []
    for row in rows:
        for period in row.periods:
            if period.achieved is not None:
                label = f"{row.indicator.code} {period.period.end:%Y-%m}"
                points.append((label, round(period.achieved * 100, 1)))
            elif period.target is not None:
                label = f"{row.indicator.code} {period.period.end:%Y-%m}"
                points.append((label, period.actual if isinstance(period.actual, str) else None))
    top = max([100] + [v for _label, v in points if isinstance(v, int | float)])
    return charts.hbar_chart(
        _("Actual against target (%)"),
        points,
        text=lambda v: f"{v} %",
        colour="#1565c0",
        maximum=top,
    )


@login_required
def indicators(request):
    _require(request.user, "reporting.view_results")
    cycles = ProjectCycle.objects.annotate(n=Count("indicators")).order_by("-start", "code")
    code = request.GET.get("cycle") or next((c.code for c in cycles if c.n), None)
    cycle = next((c for c in cycles if c.code == code), None)
    donor = _donor(request)
    rows = framework_rows(cycle, donor=donor) if cycle else []
    return render(
        request,
        "reporting/indicators.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "rows": rows,
            "donor_view": donor,
            "chart": charts.render(_achievement_chart(rows)) if rows else "",
            "can_change": request.user.has_perm("reporting.change_framework"),
        },
    )


@login_required
def indicator_detail(request, pk):
    _require(request.user, "reporting.view_results")
    indicator = get_object_or_404(Indicator.objects.select_related("cycle"), pk=pk)
    donor = _donor(request)
    row = next(r for r in framework_rows(indicator.cycle, donor=donor) if r.indicator == indicator)
    tables = [(p, disaggregation(indicator, p.period, donor=donor)) for p in row.periods]
    return render(
        request,
        "reporting/indicator_detail.html",
        {
            "indicator": indicator,
            "row": row,
            "tables": tables,
            "donor_view": donor,
            "can_change": request.user.has_perm("reporting.change_framework"),
        },
    )


def _edit(request, form, save, title, done):
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(*done(obj))
    return render(request, "reporting/form.html", {"form": form, "title": title})


@login_required
def indicator_create(request):
    _require(request.user, "reporting.change_framework")
    cycle = get_object_or_404(ProjectCycle, code=request.GET.get("cycle", ""))
    form = forms.IndicatorForm(request.POST or None, instance=Indicator(cycle=cycle))

    def save(indicator):
        return services.indicator_save(actor=request.user, indicator=indicator)

    return _edit(
        request,
        form,
        save,
        _("New indicator for %(cycle)s") % {"cycle": cycle},
        lambda obj: ("reporting:indicator_detail", obj.pk),
    )


@login_required
def indicator_edit(request, pk):
    _require(request.user, "reporting.change_framework")
    indicator = get_object_or_404(Indicator, pk=pk)
    form = forms.IndicatorForm(request.POST or None, instance=indicator)

    def save(obj):
        return services.indicator_save(actor=request.user, indicator=obj)

    return _edit(
        request, form, save, str(indicator), lambda obj: ("reporting:indicator_detail", obj.pk)
    )


@login_required
def period_create(request, pk):
    _require(request.user, "reporting.change_framework")
    indicator = get_object_or_404(Indicator, pk=pk)
    form = forms.PeriodForm(request.POST or None, instance=IndicatorPeriod(indicator=indicator))

    def save(period):
        return services.indicator_period_save(actor=request.user, period=period)

    return _edit(
        request,
        form,
        save,
        _("New period of %(indicator)s") % {"indicator": indicator.code},
        lambda obj: ("reporting:indicator_detail", indicator.pk),
    )


@login_required
def period_edit(request, pk):
    _require(request.user, "reporting.change_framework")
    period = get_object_or_404(IndicatorPeriod.objects.select_related("indicator"), pk=pk)
    form = forms.PeriodForm(request.POST or None, instance=period)

    def save(obj):
        return services.indicator_period_save(actor=request.user, period=obj)

    return _edit(
        request,
        form,
        save,
        str(period),
        lambda obj: ("reporting:indicator_detail", obj.indicator_id),
    )


# Stories


@login_required
def stories(request):
    _require(request.user, "reporting.view_results")
    return render(
        request,
        "reporting/stories.html",
        {
            "stories": story_list_for_user(user=request.user),
            "coverage": coverage_list_for_user(user=request.user),
            "manages": manages_stories(request.user),
        },
    )


@login_required
def story_detail(request, pk):
    _require(request.user, "reporting.view_results")
    story = story_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "reporting/story_detail.html",
        {"story": story, "manages": manages_stories(request.user)},
    )


@login_required
def story_create(request):
    return _story_form(request, Story())


@login_required
def story_edit(request, pk):
    return _story_form(request, get_object_or_404(Story, pk=pk))


def _story_form(request, story):
    _require(request.user, "reporting.change_framework")
    form = forms.StoryForm(request.POST or None, instance=story)

    def save(obj):
        return services.story_save(actor=request.user, story=obj)

    title = str(story) if story.pk else _("New story")
    return _edit(request, form, save, title, lambda obj: ("reporting:story_detail", obj.pk))


@login_required
def coverage_create(request):
    return _coverage_form(request, MediaCoverage())


@login_required
def coverage_edit(request, pk):
    return _coverage_form(request, get_object_or_404(MediaCoverage, pk=pk))


def _coverage_form(request, coverage):
    _require(request.user, "reporting.change_framework")
    form = forms.CoverageForm(request.POST or None, instance=coverage)

    def save(obj):
        return services.coverage_save(actor=request.user, coverage=obj)

    title = str(coverage) if coverage.pk else _("New media coverage")
    return _edit(request, form, save, title, lambda obj: ("reporting:stories",))
