from csp.decorators import csp_update
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.forms import service_form_page
from apps.core.pagination import paginate
from apps.core.policy import allowed, ensure
from apps.practices import charts, delivery, selectors, services
from apps.practices.engagements import goal_progress
from apps.practices.filtersets import EngagementFilterSet, ModelScorecardFilterSet, SelfAssessmentFilterSet
from apps.practices.forms import EngagementForm, SelfAssessmentForm, SurveyResponseForm
from apps.practices.models import SelfAssessment, SurveyRound
from apps.practices.rubric import CATEGORIES
from apps.practices.scoring import MLOPS_LABELS, decorate
from apps.practices.survey import HIGH_LOAD, QUESTIONS


# plotly draws a heatmap as a data: image; this page alone allows them (Content-Security-Policy).
@csp_update({"img-src": ["data:"]})
def overview(request):
    grid = selectors.heatmap()
    filterset = ModelScorecardFilterSet(
        request.GET, queryset=selectors.latest_snapshots().filter(subject_type="model")
    )
    return render(
        request,
        "practices/overview.html",
        {
            "grid": grid,
            "heatmap_figure": charts.heatmap(grid["rows"]),
            "filter": filterset,
            "page": paginate(request, filterset.qs),
        },
    )


def scorecard_context(detail: dict) -> dict:
    latest = detail["latest"]
    return {
        "latest": latest,
        "results": decorate(latest.results) if latest else [],
        "categories": [
            (code, name, (latest.category_levels.get(code) if latest else None)) for code, name in CATEGORIES
        ],
        "next_level": detail["next_level_needs"],
        "history": detail["history"],
        "history_figure": charts.level_history(detail["history"]) if detail["history"] else None,
        "mlops_labels": MLOPS_LABELS,
    }


def team_scorecard(request, slug):
    team = selectors.team_by_slug(slug)
    context = scorecard_context(selectors.scorecard_detail(team=team))
    context |= {
        "team": team,
        "mlops_label": MLOPS_LABELS.get(context["latest"].mlops_level) if context["latest"] else None,
        "assessments": selectors.self_assessment_list().filter(team=team).order_by("practice"),
        "model_snapshots": selectors.model_snapshots_of_team(team),
        "engagements": selectors.engagement_list().filter(interaction__to_team=team),
        "can_edit": allowed(request.user, "practices.record_practices", team),
    }
    return render(request, "practices/team_scorecard.html", context)


@require_POST
def team_recompute(request, slug):
    team = selectors.team_by_slug(slug)
    snapshot = services.scorecard_recompute_on_request(actor=request.user, team=team)
    messages.success(request, f"Recomputed: {snapshot.get_level_display()}.")
    return redirect("practices:team-scorecard", slug=team.slug)


def model_scorecard(request, slug):
    model = selectors.model_by_slug(slug)
    context = scorecard_context(selectors.scorecard_detail(model=model))
    context["model"] = model
    return render(request, "practices/model_scorecard.html", context)


def rubric(request):
    return render(
        request,
        "practices/rubric.html",
        {"rows": selectors.rubric_rows(), "mlops_labels": MLOPS_LABELS},
    )


def stream_delivery(request):
    streams = delivery.stream_delivery()
    return render(
        request,
        "practices/delivery.html",
        {
            "streams": streams,
            "kinds": delivery.DELIVERY_KINDS,
            "share_figure": charts.delivery_share(streams)
            if any(s["production_models"] for s in streams)
            else None,
            "promotions_figure": charts.promotions(streams)
            if any(s["promotions_by_month"] for s in streams)
            else None,
            "window_days": delivery.WINDOW_DAYS,
        },
    )


def self_assessment_list(request):
    filterset = SelfAssessmentFilterSet(request.GET, queryset=selectors.self_assessment_list())
    return render(
        request,
        "practices/self_assessment_list.html",
        {"filter": filterset, "page": paginate(request, filterset.qs)},
    )


def self_assessment_form(request, pk=None):
    assessment = get_object_or_404(SelfAssessment.objects.select_related("team"), pk=pk) if pk else None
    initial = {}
    if assessment:
        ensure(
            request.user, "practices.record_practices", assessment.team, action="change practices of {obj}"
        )
    elif request.GET.get("team"):
        initial["team"] = selectors.team_by_slug(request.GET["team"])

    def write(data):
        if assessment:
            return services.self_assessment_update(actor=request.user, assessment=assessment, data=data)
        return services.self_assessment_create(actor=request.user, data=data)

    return service_form_page(
        request,
        form=SelfAssessmentForm(request.POST or None, instance=assessment, initial=initial),
        write=write,
        title="Edit self-assessment" if assessment else "New self-assessment",
        cancel_url=reverse("practices:self-assessment-list"),
        redirect_to=lambda saved: reverse("practices:team-scorecard", args=[saved.team.slug]),
    )


@require_POST
def self_assessment_delete(request, pk):
    assessment = get_object_or_404(SelfAssessment.objects.select_related("team"), pk=pk)
    services.self_assessment_delete(actor=request.user, assessment=assessment)
    messages.success(request, f"Removed {assessment}.")
    return redirect("practices:team-scorecard", slug=assessment.team.slug)


def engagement_list(request):
    filterset = EngagementFilterSet(request.GET, queryset=selectors.engagement_list())
    return render(
        request,
        "practices/engagement_list.html",
        {"filter": filterset, "page": paginate(request, filterset.qs)},
    )


def engagement_form(request):
    return service_form_page(
        request,
        form=EngagementForm(request.POST or None),
        write=lambda data: services.engagement_create(actor=request.user, data=data),
        title="New enabling engagement",
        cancel_url=reverse("practices:engagement-list"),
    )


def engagement_detail(request, pk):
    engagement = selectors.engagement_detail(pk=pk)
    team = engagement.team
    history = list(selectors.snapshot_history(team=team))
    return render(
        request,
        "practices/engagement_detail.html",
        {
            "engagement": engagement,
            "goals": goal_progress(engagement),
            "categories": [
                (
                    name,
                    engagement.before_snapshot.category_levels.get(code)
                    if engagement.before_snapshot
                    else None,
                    engagement.after_snapshot.category_levels.get(code)
                    if engagement.after_snapshot
                    else None,
                )
                for code, name in CATEGORIES
            ],
            "history_figure": charts.level_history(history, band=time_box(engagement)) if history else None,
            "can_edit": allowed(request.user, "practices.run_engagement", engagement.interaction),
        },
    )


def time_box(engagement) -> tuple:
    end = engagement.completed_at.date() if engagement.completed_at else engagement.interaction.expected_end
    return (engagement.interaction.start_date, end)


@require_POST
def engagement_complete(request, pk):
    engagement = selectors.engagement_detail(pk=pk)
    services.engagement_complete(actor=request.user, engagement=engagement)
    messages.success(request, "Engagement completed; the scorecard after is recorded.")
    return redirect(engagement)


def survey(request):
    results = selectors.survey_results()
    rounds = list(selectors.survey_round_list())
    return render(
        request,
        "practices/survey.html",
        {
            "rounds": rounds,
            "open_rounds": [r for r in rounds if r.is_open()],
            "results": results,
            "trend_figure": charts.survey_trend(results) if results else None,
            "questions": QUESTIONS,
            "high_load": HIGH_LOAD,
        },
    )


def survey_answer(request, round_id):
    survey_round = get_object_or_404(SurveyRound, pk=round_id)
    return service_form_page(
        request,
        form=SurveyResponseForm(request.POST or None, user=request.user),
        write=lambda data: services.survey_response_submit(
            actor=request.user, data=data | {"round": survey_round}
        ),
        title=f"Cognitive-load survey: {survey_round.name}",
        cancel_url=reverse("practices:survey"),
        redirect_to=lambda saved: reverse("practices:survey"),
    )
