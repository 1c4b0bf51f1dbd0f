from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.core.exceptions import Conflict
from apps.core.forms import add_service_errors, service_form_page
from apps.core.fragments import fragment, wants_fragment
from apps.core.pagination import paginate
from apps.core.policy import allowed, ensure
from apps.registry import selectors, services
from apps.registry.cards import card_sections
from apps.registry.charts import primary_metric_figure
from apps.registry.comparison import compare_versions
from apps.registry.feedback_loop import is_overdue, loop_summary, loop_times
from apps.registry.filtersets import FeedbackFilterSet, RegisteredModelFilterSet
from apps.registry.forms import (
    FeedbackForm,
    FeedbackResponseForm,
    ModelCardForm,
    PromoteForm,
    RegisteredModelForm,
    RollbackForm,
)
from apps.registry.gates import ALLOWED_MOVES, compare_to_baseline, failed_production_gates
from apps.registry.models import Feedback, Stage


def model_list(request):
    filterset = RegisteredModelFilterSet(request.GET, queryset=selectors.model_list())
    return render(
        request,
        "registry/model_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "can_create": selectors.can_register_models(user=request.user),
        },
    )


def _version_rows(versions):
    return [{"version": version, "baseline": compare_to_baseline(version)} for version in versions]


HISTORY_ROWS = 50


def _can_roll_back(production, history) -> bool:
    """A version is in production and another one was before it (within the history shown)."""
    return production is not None and any(
        change.to_stage == Stage.PRODUCTION and change.version_id != production.pk for change in history
    )


def model_detail(request, slug):
    model = selectors.model_detail(slug=slug)
    versions = list(selectors.version_list(registered_model=model))
    production = next((v for v in versions if v.stage == Stage.PRODUCTION), None)
    can_edit = allowed(request.user, "registry.change_model", model.owning_team)
    can_promote = allowed(request.user, "registry.promote_version", model.owning_team)
    history = list(selectors.stage_history(registered_model=model)[:HISTORY_ROWS])
    return render(
        request,
        "registry/model_detail.html",
        {
            "model": model,
            "versions": _version_rows(versions),
            "production": production,
            "chart": primary_metric_figure(versions, model.primary_metric),
            "history": history,
            "card": card_sections(model, production),
            **_feedback_context(request, model),
            "can_edit": can_edit,
            "can_promote": can_promote,
            "can_register_version": allowed(request.user, "registry.register_version", model.owning_team),
            "can_file": services.can_file_feedback(request.user, model),
            "rollback_form": RollbackForm() if can_promote and _can_roll_back(production, history) else None,
        },
    )


def _model_form(request, form_class, *, slug=None, title_suffix=""):
    model = selectors.model_detail(slug=slug) if slug else None
    if model:
        ensure(request.user, "registry.change_model", model.owning_team)
    elif not selectors.can_register_models(user=request.user):
        raise PermissionDenied("Only platform staff or a team's lead or product manager may register models.")
    form = form_class(request.POST or None, instance=model)
    if "owning_team" in form.fields and not allowed(request.user, "registry.delete_model"):
        form.fields["owning_team"].queryset = selectors.teams_user_can_change(user=request.user)

    def write(data):
        if model:
            return services.registered_model_update(actor=request.user, registered_model=model, data=data)
        return services.registered_model_create(actor=request.user, data=data)

    return service_form_page(
        request,
        form=form,
        write=write,
        title=f"{title_suffix} {model.name}".strip() if model else "Register a model",
        cancel_url=model.get_absolute_url() if model else "/models/",
        message=lambda saved: f"Saved {saved.name}.",
    )


def model_form(request, slug=None):
    return _model_form(request, RegisteredModelForm, slug=slug, title_suffix="Edit")


def card_form(request, slug):
    return _model_form(request, ModelCardForm, slug=slug, title_suffix="Model card of")


def version_promote(request, slug, number):
    model = selectors.model_detail(slug=slug)
    version = selectors.version_detail(registered_model=model, number=number)
    ensure(request.user, "registry.promote_version", model.owning_team)
    form = PromoteForm(
        request.POST or None,
        allowed=ALLOWED_MOVES[version.stage],
        can_override=allowed(request.user, "registry.override_gates", model),
    )
    failed_gates = []
    if request.method == "POST" and form.is_valid():
        try:
            services.version_promote(version=version, actor=request.user, **form.cleaned_data)
        except services.GatesFailed as refusal:
            failed_gates = refusal.failed_gates  # shown above the form, one line per gate
        except Conflict as conflict:
            form.add_error("to_stage", conflict.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{model} v{version.number} moved to {form.cleaned_data['to_stage']}.")
            return redirect(model)
    return render(
        request,
        "registry/version_promote.html",
        {
            "model": model,
            "version": version,
            "form": form,
            "failed_gates": failed_gates,
            "gate_preview": failed_production_gates(version),
        },
    )


@require_POST
def model_rollback(request, slug):
    model = selectors.model_detail(slug=slug)
    form = RollbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you roll back: the reason is kept in the stage history.")
        return redirect(model)
    try:
        restored = services.version_rollback(registered_model=model, actor=request.user, **form.cleaned_data)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, f"Rolled back: v{restored.number} is in production again.")
    return redirect(model)


def _compared_numbers(request, versions) -> tuple[str | None, str | None, str]:
    """The two version numbers to compare: the ones asked for, any missing one filled from the two
    latest (previous vs newest), and what was wrong with the request, in words ("" when nothing)."""
    known = [str(v.number) for v in versions]  # newest first
    asked = [request.GET.get("a") or None, request.GET.get("b") or None]
    unknown = [n for n in asked if n is not None and n not in known]
    if unknown:
        choices = ", ".join(f"v{n}" for n in reversed(known))
        return None, None, f"There is no version {unknown[0]} of this model; choose from {choices}."
    a, b = asked
    if a is None:
        a = next((n for n in known[1:2] + known[:1] if n != b), None)
    if b is None:
        b = next((n for n in known if n != a), None)
    if a is not None and a == b:
        return a, b, "Choose two different versions."
    return a, b, ""


def version_compare(request, slug):
    model = selectors.model_detail(slug=slug)
    versions = list(selectors.version_list(registered_model=model))
    a, b, problem = _compared_numbers(request, versions)
    chosen = [v for n in (a, b) for v in versions if str(v.number) == n]
    comparison = compare_versions(*chosen, metric=model.primary_metric) if len(chosen) == 2 else None
    if not problem and comparison is None:
        problem = "This model has one version: there is nothing to compare yet."
    return render(
        request,
        "registry/version_compare.html",
        {"model": model, "versions": versions, "comparison": comparison, "a": a, "b": b, "problem": problem},
        status=400 if problem and versions[1:] else 200,
    )


def feedback_list(request):
    filterset = FeedbackFilterSet(request.GET, queryset=selectors.feedback_list())
    page = paginate(request, filterset.qs)
    for item in page:
        item.overdue = is_overdue(item)
    return render(request, "registry/feedback_list.html", {"filter": filterset, "page": page})


def feedback_create(request, slug):
    model = selectors.model_detail(slug=slug)
    ensure(request.user, "registry.file_feedback", model)
    return service_form_page(
        request,
        form=FeedbackForm(request.POST or None, registered_model=model, user=request.user),
        write=lambda data: services.feedback_create(actor=request.user, data={**data, "model": model}),
        title=f"Feedback on {model.name}",
        cancel_url=model.get_absolute_url(),
        redirect_to=lambda saved: model,
        message=lambda saved: f"Filed: {saved.title}.",
        context={"submit_label": "File feedback"},
    )


def _feedback_context(request, model) -> dict:
    """The model page's feedback table and its figures (the page and its htmx fragment)."""
    feedback = list(selectors.feedback_of_model(registered_model=model))
    for item in feedback:
        item.overdue = is_overdue(item)
        item.times = loop_times(item)
    return {
        "feedback": feedback,
        "loop": loop_summary(feedback, tier=model.support_tier),
        "can_respond": allowed(request.user, "registry.respond_to_feedback", model.owning_team),
    }


def _respond(request, pk, service, done: str):
    """Acknowledge or resolve: a plain post goes back to the model page with a message; htmx gets the
    feedback table re-rendered with the answer in words (_feedback_answer.html)."""
    feedback = get_object_or_404(Feedback.objects.select_related("model__owning_team"), pk=pk)
    form = FeedbackResponseForm(request.POST)
    form.is_valid()
    try:
        service(actor=request.user, feedback=feedback, response=form.cleaned_data.get("response", ""))
    except Conflict as conflict:
        answer, answer_ok = conflict.message, False
    else:
        answer, answer_ok = f"{done}: {feedback.title}.", True
    if wants_fragment(request):
        model = selectors.model_with_counts(pk=feedback.model_id)
        context = {"model": model, **_feedback_context(request, model)}
        context.update(answer=answer, answer_ok=answer_ok)
        return fragment(request, "registry/_feedback_answer.html", context)
    (messages.success if answer_ok else messages.error)(request, answer)
    return redirect(f"{feedback.model.get_absolute_url()}#feedback")


@require_POST
def feedback_acknowledge(request, pk):
    return _respond(request, pk, services.feedback_acknowledge, "Acknowledged")


@require_POST
def feedback_resolve(request, pk):
    return _respond(request, pk, services.feedback_resolve, "Resolved")
