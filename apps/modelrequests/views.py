from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.core.exceptions import Conflict
from apps.core.forms import save_form_with, service_form_page
from apps.core.fragments import fragment, page_or_fragment, wants_fragment
from apps.core.pagination import paginate, whole_number
from apps.core.views import htmx_error
from apps.modelrequests import (
    charts,
    exports,
    flow_metrics,
    policy,
    scoring,
    selectors,
    services,
    streamview,
    workflow,
)
from apps.modelrequests.filtersets import ModelRequestFilterSet, SavedViewFilterSet
from apps.modelrequests.forms import (
    BoardForm,
    CommentForm,
    ModelRequestForm,
    RankForm,
    SavedViewForm,
    TransitionForm,
)
from apps.modelrequests.models import (
    TRAINABLE_STATUSES,
    ModelRequest,
    RequestStatus,
    SavedViewPage,
    ScoringMethod,
)
from apps.teams.models import Team

BACKLOG_PAGE_SIZE = 50


def _filtered(request) -> ModelRequestFilterSet:
    return ModelRequestFilterSet(request.GET, queryset=selectors.request_list(), request=request)


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


# Query parameters that are no filter: a saved view keeps neither the page number nor an export.
NOT_SAVED = ("page", "export")


def view_bar(request, filterset, *, kind: str) -> dict:
    """The filters in use as chips (each with the link that removes it), the saved views of this
    page the user may open (their own and shared ones), and the form that saves the current filters."""
    params = request.GET.copy()
    for key in NOT_SAVED:
        params.pop(key, None)
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else {}
    chips = []
    for name, field in filterset.form.fields.items():
        raw = params.get(name, "").strip()
        if not raw:
            continue
        if isinstance(field, forms.ModelChoiceField):
            shown = str(cleaned.get(name) or raw)
        elif isinstance(field, forms.ChoiceField):
            shown = str(dict(field.choices).get(raw, raw))
        else:
            shown = raw
        remaining = params.copy()
        remaining.pop(name)
        chips.append({"label": field.label, "value": shown, "remove": f"?{remaining.urlencode()}"})
    try:
        current = services.saved_view_query(kind=kind, query=params.urlencode())
    except ValidationError:
        current = None
    waiting = params.copy()
    waiting["waiting"] = "me"
    stream = streamview.default_stream(user=request.user)
    my_stream = None
    if stream is not None:
        mine = params.copy()
        mine["stream"] = stream.slug
        active = params.get("stream") == stream.slug
        my_stream = {"url": f"?{mine.urlencode()}", "active": active, "name": stream.name}
    return {
        "chips": chips,
        # built-in views: the filters of the page plus "waiting for me", or plus the person's stream
        "waiting_for_me": {"url": f"?{waiting.urlencode()}", "active": params.get("waiting") == "me"},
        "my_stream": my_stream,
        "saved_views": list(selectors.saved_views(user=request.user, kind=kind)),
        "saved_kind": kind,
        "current_query": current,
        "savable_query": params.urlencode(),
    }


def request_list(request):
    filterset = _filtered(request)
    if exports.wants_csv(request):
        return exports.csv_response(filterset.qs.iterator(chunk_size=500), filename="model-requests.csv")
    page = paginate(request, filterset.qs)
    for row in page:  # ?waiting=me: what each request waits for you to do
        row.waiting_label = selectors.WAITING_KINDS.get(getattr(row, "waiting", None) or "", "")
    return render(
        request,
        "modelrequests/request_list.html",
        {
            "filter": filterset,
            "page": page,
            **view_bar(request, filterset, kind=SavedViewPage.LIST),
        },
    )


def saved_view_list(request):
    filterset = SavedViewFilterSet(
        request.GET, queryset=selectors.saved_views(user=request.user), request=request
    )
    return render(
        request,
        "modelrequests/saved_views.html",
        {"filter": filterset, "page": paginate(request, filterset.qs)},
    )


@require_POST
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    saved = save_form_with(form, lambda data: services.saved_view_create(actor=request.user, data=data))
    if not saved:
        problems = "; ".join(f"{' '.join(errors)}" for errors in form.errors.values())
        messages.error(request, f"View not saved: {problems}")
        return _back(request, reverse("modelrequests:saved-view-list"))
    shared = " and shared it with everyone" if saved.shared else ""
    messages.success(request, f"Saved the view “{saved.name}”{shared}.")
    return redirect(saved.get_absolute_url())


def saved_view_edit(request, pk):
    view = get_object_or_404(selectors.saved_views(user=request.user), pk=pk)
    policy.ensure_can_change_saved_view(request.user, view)
    return service_form_page(
        request,
        form=SavedViewForm(request.POST or None, instance=view),
        write=lambda data: services.saved_view_update(actor=request.user, view=view, data=data),
        title=f"Edit the saved view “{view.name}”",
        cancel_url=reverse("modelrequests:saved-view-list"),
        redirect_to=lambda saved: reverse("modelrequests:saved-view-list"),
    )


@require_POST
def saved_view_delete(request, pk):
    view = get_object_or_404(selectors.saved_views(user=request.user), pk=pk)
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, f"Deleted the saved view “{view.name}”.")
    return _back(request, reverse("modelrequests:saved-view-list"))


def request_detail(request, pk):
    model_request = selectors.request_detail(pk=pk)
    roles = selectors.roles_by_team(user=request.user)
    moves = policy.allowed_moves(request.user, model_request, roles=roles)
    boxes = [
        score_box(model_request, method=method, user=request.user, roles=roles)
        for method in ScoringMethod.values
    ]
    transitions = list(model_request.transitions.all())
    last = transitions[-1] if transitions else None
    undo = (
        last
        if last is not None
        and last.by_portal
        and last.from_status in moves
        and policy.can_undo_system_move(request.user, model_request, roles=roles)
        else None
    )
    return render(
        request,
        "modelrequests/request_detail.html",
        {
            "req": model_request,
            "moves": [(status, RequestStatus(status).label) for status in moves],
            "can_edit": policy.can_edit_request(request.user, model_request),
            "can_rank": policy.can_rank(request.user, model_request.delivering_team, roles=roles),
            "score_boxes": boxes,
            "value_side_who": policy.SET_VALUE.who_can(model_request),
            "size_side_who": policy.SIZE_REQUEST.who_can(model_request),
            "comment_form": CommentForm(),
            "can_comment": policy.can_comment(request.user, model_request, roles=roles),
            "comment_who": policy.COMMENT.who_can(model_request),
            "workflow_rules": workflow.describe(),
            "work": selectors.request_work(request=model_request),
            "trainable": model_request.status in TRAINABLE_STATUSES,
            "can_train": model_request.status in TRAINABLE_STATUSES
            and policy.can_train_for(request.user, model_request, roles=roles),
            "undo": undo,
        },
    )


def request_form(request, pk=None):
    instance = get_object_or_404(ModelRequest, pk=pk) if pk else None
    if instance:
        policy.ensure_can_edit_request(request.user, instance)

    def write(data):
        if instance:
            return services.request_update(actor=request.user, request=instance, data=data)
        return services.request_create(actor=request.user, data=data)

    return service_form_page(
        request,
        form=ModelRequestForm(request.POST or None, instance=instance, user=request.user),
        write=write,
        title=f"Edit request #{instance.pk}" if instance else "New model request",
        cancel_url=instance.get_absolute_url() if instance else reverse("modelrequests:request-list"),
        template="modelrequests/request_form.html",
    )


@require_POST
def request_transition(request, pk):
    """Move a request (the request page's buttons, the kanban's drop and its move menu). From the
    kanban through htmx (the post carries the board's query string), a done move answers the board
    re-rendered with the answer in words; a refused one answers in words only, into the page's alert
    region: 403 naming who may make it, 409 when the status has no such move (naming the moves the user
    may make). A plain form post goes back to the page with the answer as a message."""
    model_request = get_object_or_404(ModelRequest, pk=pk)
    form = TransitionForm(request.POST)
    answer, status = "", 200
    if not form.is_valid():
        answer, status = f"Choose a status to move to: {'; '.join(form.errors.get('to', []))}", 400
    else:
        try:
            services.request_transition(
                actor=request.user,
                request=model_request,
                to_status=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
            )
        except (Conflict, PermissionDenied) as refused:
            answer = f"#{pk} {model_request.title}: {getattr(refused, 'message', refused)}"
            status = 409 if isinstance(refused, Conflict) else 403
        else:
            answer = f"#{pk} {model_request.title} moved to {RequestStatus(form.cleaned_data['to']).label}."
    if wants_fragment(request):
        if status != 200:
            return htmx_error(request, status, answer)
        context = {**_kanban_context(request, _filtered(request)), "answer": answer}
        return fragment(request, "modelrequests/_kanban_answer.html", context)
    (messages.success if status == 200 else messages.error)(request, answer)
    return _back(request, model_request.get_absolute_url())


@require_POST
def comment_add(request, pk):
    model_request = get_object_or_404(ModelRequest, pk=pk)
    form = CommentForm(request.POST)
    try:
        saved = save_form_with(
            form,
            lambda data: services.comment_create(
                actor=request.user, request=model_request, body=data["body"]
            ),
        )
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return redirect(model_request)
    if saved:
        messages.success(request, "Comment added.")
    else:
        messages.error(request, "A comment needs some text.")
    return redirect(model_request)


def _backlog_team(request):
    slug = request.GET.get("delivering_team") or request.POST.get("delivering_team")
    return Team.objects.filter(slug=slug).first() if slug else None


def backlog(request):
    filterset = _filtered(request)
    team = _backlog_team(request)
    if team is None:
        return render(
            request,
            "modelrequests/backlog_pick.html",
            {"filter": filterset, "teams": selectors.delivering_teams()},
        )
    if exports.wants_csv(request):
        method = selectors.board_method(team=team, requested=request.GET.get("method"))
        board = selectors.backlog_view(filterset.qs, team=team, method=method)
        return exports.backlog_csv(board, team=team, method=method)
    context = _backlog_context(request, filterset, team=team)
    context.update(view_bar(request, filterset, kind=SavedViewPage.BACKLOG))
    return render(request, "modelrequests/backlog.html", context)


def _backlog_context(request, filterset, *, team) -> dict:
    """The backlog page's board: for the page, and for the board htmx swaps in after a move (whose
    post carries the page's query string, so the same filters, method and page)."""
    saved_method = selectors.board_method(team=team)
    method = selectors.board_method(team=team, requested=request.GET.get("method"))
    board = selectors.backlog_view(filterset.qs, team=team, method=method)
    page = paginate(request, board.ranked, per_page=BACKLOG_PAGE_SIZE)
    rows = _backlog_rows(page, method=method, user=request.user)
    roles = selectors.roles_by_team(user=request.user)
    can_rank = policy.can_rank(request.user, team, roles=roles)
    for item in board.first_unscored:
        item.box = score_box(item, method=method, user=request.user, roles=roles, rank=False)
    return {
        "filter": filterset,
        "team": team,
        "method": method,
        "saved_method": saved_method,
        "methods": ScoringMethod.choices,
        "page": page,
        "page_path": f"{reverse('modelrequests:backlog')}?{request.GET.urlencode()}",
        "rows": rows,
        "unscored": board.first_unscored,
        "unscored_count": board.unscored_count,
        "can_rank": can_rank,
        "rankers": [] if can_rank else selectors.team_rankers(team=team),
        "value_who": policy.SET_VALUE.who_can(),
        "method_label": ScoringMethod(method).label,
        "bulk": _bulk_sizing(rows, board.first_unscored, method=method, user=request.user, roles=roles),
        "pinned_count": ModelRequest.objects.filter(delivering_team=team, manual_rank__isnull=False).count(),
    }


def _backlog_answer(request, team, answer: str, ok: bool):
    """To htmx after a move, an unpin or back to ranking: the board re-rendered, the answer in words."""
    context = _backlog_context(request, _filtered(request), team=team)
    context.update(answer=answer, answer_ok=ok)
    return fragment(request, "modelrequests/_backlog_answer.html", context)


def _backlog_rows(page, *, method: str, user) -> list[dict]:
    """Each ranked row (with its rank and the capacity line, from the selector) with its neighbours
    (for the move buttons) and the score inputs the user may set."""
    roles = selectors.roles_by_team(user=user)
    items = list(page)
    rows = []
    for index, item in enumerate(items):
        rows.append(
            {
                "item": item,
                "position": item.position,
                "fits": item.fits,
                "line_above": item.line_above,
                "previous": items[index - 1] if index > 0 else None,
                "next": items[index + 1] if index + 1 < len(items) else None,
                "box": score_box(item, method=method, user=user, roles=roles, rank=False),
            }
        )
    return rows


def _bulk_sizing(rows, unscored, *, method: str, user, roles) -> dict | None:
    """The backlog's bulk sizing form (the page's rows and the first unscored ones), for those who
    may size this team's requests; None for everyone else."""
    items = [row["item"] for row in rows] + list(unscored)
    items = [item for item in items if policy.can_set_size_side(user, item, roles=roles)]
    if not items:
        return None
    field = scoring.size_field(method)
    choices = None if field == "effort" else scoring.scales()["wsjf"]
    return {
        "field": field,
        "label": ModelRequest._meta.get_field(field).verbose_name,
        "choices": choices,
        "items": [{"item": item, "value": getattr(item, field)} for item in items],
    }


@require_POST
def backlog_bulk_score(request):
    """The backlog's bulk sizing form: ``<field>-<id>`` boxes (``effort`` or ``job_size``); an empty box
    leaves that request alone. All or nothing: one refused row saves none and each row's problem is
    named."""
    team = get_object_or_404(Team, slug=request.POST.get("delivering_team"))
    default = f"{reverse('modelrequests:backlog')}?delivering_team={team.slug}"
    rows, problems = {}, []
    for key, raw in request.POST.items():
        name, _, pk = key.rpartition("-")
        if name not in policy.SIZE_FIELDS or not raw.strip() or whole_number(pk) is None:
            continue
        try:
            rows[int(pk)] = {name: ModelRequest._meta.get_field(name).to_python(raw.strip())}
        except ValidationError as error:
            problems.append(f"#{pk}: {' '.join(error.messages)}")
    if problems:
        messages.error(request, "Nothing saved. " + " ".join(problems))
        return _back(request, default)
    try:
        written = services.requests_bulk_score(actor=request.user, team=team, rows=rows)
    except services.BulkScoreRefused as refused:
        named = [
            f"#{pk}: {' '.join(msg for msgs in fields.values() for msg in msgs)}"
            for pk, fields in sorted(refused.errors.items())
        ]
        messages.error(request, f"{refused} " + " ".join(named))
    except ValidationError as error:
        messages.error(request, "Nothing saved: " + " ".join(error.messages))
    else:
        listed = ", ".join(f"#{item.pk}" for item in written) or "none changed"
        messages.success(request, f"Sized {len(written)} requests ({listed}).")
    return _back(request, default)


def _score_inputs(item, *, method: str, user, roles) -> list[dict]:
    """The inputs of ``method`` for one request: value, allowed values (None: a number box) and
    whether the user may set it."""
    scale = scoring.scales()
    names = scoring.RICE_INPUTS if method == "rice" else scoring.WSJF_INPUTS
    setters = {entry.field: entry for entry in item.score_inputs.all()}
    inputs = []
    for name in names:
        key = {"impact": "impact", "confidence": "confidence"}.get(name, "wsjf")
        choices = None if name in ("reach", "effort") else scale[key]
        inputs.append(
            {
                "name": name,
                "label": ModelRequest._meta.get_field(name).verbose_name,
                "value": getattr(item, name),
                "choices": choices,
                "editable": policy.can_set_score_field(user, item, name, roles=roles),
                "who": policy.who_may_set(item, name),
                "setter": setters.get(name),
            }
        )
    return inputs


@require_POST
def backlog_rank(request):
    """The backlog's rank form; its query string is the page's, so a rank counts among the requests
    that page showed (its filters)."""
    team = _backlog_team(request)
    form = RankForm(request.POST)
    default = f"{reverse('modelrequests:backlog')}?delivering_team={team.slug if team else ''}"
    if not form.is_valid():
        problems = form.non_field_errors() or ["Choose a request and where to put it."]
        if team is not None and wants_fragment(request):
            return _backlog_answer(request, team, " ".join(problems), False)
        messages.error(request, " ".join(problems))
        return _back(request, default)
    request_id, where, value = form.cleaned_data["target"]
    item = get_object_or_404(ModelRequest.objects.select_related("delivering_team"), pk=request_id)
    if where == "position":
        place, done = {"position": value}, f"at rank {value}"
        if value > BACKLOG_PAGE_SIZE:
            done += f" (page {(value - 1) // BACKLOG_PAGE_SIZE + 1})"
    else:
        other = get_object_or_404(ModelRequest, pk=value)
        place, done = {where: other}, f"{where} #{other.pk}"
    try:
        services.request_rank(
            actor=request.user,
            request=item,
            reason=form.cleaned_data["reason"],
            method=request.POST.get("method") or None,
            **place,
        )
    except ValidationError as error:
        answer, ok = " ".join(error.messages), False
    except PermissionDenied as denied:
        answer, ok = str(denied), False
    else:
        answer, ok = f"Pinned #{item.pk} {item.title} {done}.", True
    if team is not None and wants_fragment(request):
        return _backlog_answer(request, team, answer, ok)
    (messages.success if ok else messages.error)(request, answer)
    return _back(request, default)


@require_POST
def backlog_reset(request):
    team = get_object_or_404(Team, slug=request.POST.get("delivering_team"))
    try:
        cleared = services.backlog_unpin_all(actor=request.user, team=team)
    except PermissionDenied as denied:
        answer, ok = str(denied), False
    else:
        answer, ok = f"Removed {cleared} pins; the whole backlog follows the score again.", True
    if wants_fragment(request):
        return _backlog_answer(request, team, answer, ok)
    (messages.success if ok else messages.error)(request, answer)
    return _back(request, f"{reverse('modelrequests:backlog')}?delivering_team={team.slug}")


@require_POST
def request_unpin(request, pk):
    model_request = get_object_or_404(ModelRequest.objects.select_related("delivering_team"), pk=pk)
    try:
        services.request_unpin(actor=request.user, request=model_request)
    except PermissionDenied as denied:
        answer, ok = str(denied), False
    else:
        answer, ok = f"Unpinned #{pk} {model_request.title}: it follows its score again.", True
    team = model_request.delivering_team
    if team is not None and wants_fragment(request):  # from the backlog's board
        return _backlog_answer(request, team, answer, ok)
    (messages.success if ok else messages.error)(request, answer)
    return _back(request, model_request.get_absolute_url())


@require_POST
def board_settings(request):
    team = get_object_or_404(Team, slug=request.POST.get("delivering_team"))
    form = BoardForm(request.POST, instance=selectors.board_for(team=team))
    saved = save_form_with(form, lambda data: services.board_update(actor=request.user, team=team, data=data))
    if saved:
        messages.success(
            request, f"{team.name} now ranks its backlog by {saved.get_scoring_method_display()}."
        )
    else:
        messages.error(request, f"Board not saved: {form.errors.as_text()}")
    return redirect(f"{reverse('modelrequests:backlog')}?delivering_team={team.slug}")


def kanban(request):
    filterset = _filtered(request)
    if exports.wants_csv(request):
        rows = filterset.qs.order_by("status", "manual_rank", "submitted_at", "id").iterator(chunk_size=500)
        return exports.csv_response(rows, filename="kanban.csv")
    return page_or_fragment(
        request,
        "modelrequests/kanban.html",
        "modelrequests/_kanban_board.html",
        {
            **_kanban_context(request, filterset),
            "lane_choices": [(key, label) for key, (_field, label) in selectors.KANBAN_LANES.items()],
            "method_choices": [("", "Each team's board"), *ScoringMethod.choices],
            "workflow_rules": workflow.describe(),
            **view_bar(request, filterset, kind=SavedViewPage.KANBAN),
        },
    )


def _kanban_context(request, filterset) -> dict:
    """The kanban's board for the page, and for the board htmx swaps in after a move (whose post
    carries the page's query string, so the same filters, lanes and score)."""
    team = filterset.form.cleaned_data.get("delivering_team") if filterset.is_valid() else None
    lane_by = selectors.kanban_lane_by(requested=request.GET.get("lanes"), team=team)
    board = selectors.kanban(filterset.qs, team=team, lane_by=lane_by, method=request.GET.get("method"))
    roles = selectors.roles_by_team(user=request.user)
    labels = dict(RequestStatus.choices)
    for lane in board.lanes:
        for cell in lane.cells.values():
            for card in cell.cards:
                allowed = policy.allowed_moves(request.user, card, roles=roles)
                card.moves = [(status, labels[status]) for status in allowed]
                card.locked_moves = [
                    (labels[status], workflow.who_may(card.status, status))
                    for status in workflow.next_statuses(card.status)
                    if status not in allowed
                ]
    query = request.GET.urlencode()
    path = reverse("modelrequests:kanban")
    return {
        "filter": filterset,
        "board": board,
        "team": team,
        "board_query": query,
        "board_path": f"{path}?{query}" if query else path,
    }


def roadmap_page(request):
    """Now / Next / Later per delivering team, for one team (``?delivering_team=``), one stream
    (``?stream=``) or every team; printable, and ``?export=csv``."""
    filterset = _filtered(request)
    lanes = selectors.roadmap(filterset.qs)
    scope = filterset.form.cleaned_data if filterset.is_valid() else {}
    if exports.wants_csv(request):
        return exports.roadmap_csv(lanes, filename="roadmap.csv")
    return render(
        request,
        "modelrequests/roadmap.html",
        {
            "filter": filterset,
            "lanes": lanes,
            "scope": scope.get("stream") or scope.get("delivering_team"),
            "shown": selectors.ROADMAP_SHOWN,
        },
    )


def flow_page(request):
    filterset = _filtered(request)
    report = flow_metrics.flow_report(filterset.qs)
    return render(
        request,
        "modelrequests/flow.html",
        {
            "filter": filterset,
            "report": report,
            "cfd_figure": charts.cumulative_flow_figure(report.cfd),
            "throughput_figure": charts.throughput_figure(report.weekly_throughput),
            "breakdowns": [
                ("By delivering team", report.by_delivering_team, "delivering_team"),
                ("By value stream", report.by_stream, "stream"),
            ],
        },
    )


def score_box(item, *, method: str, user, roles, rank: bool = True) -> dict:
    """What the inline score form shows for one request and method: the inputs (with who set each
    and when), the score and (``rank``) its rank on the delivering team's backlog."""
    inputs = _score_inputs(item, method=method, user=user, roles=roles)
    score = item.rice_score if method == "rice" else item.wsjf_score
    locked_sides = {"size" if entry["name"] in policy.SIZE_FIELDS else "value" for entry in inputs}
    locked_sides -= {"size" if e["name"] in policy.SIZE_FIELDS else "value" for e in inputs if e["editable"]}
    notes = {"value": policy.who_values(item), "size": policy.who_sizes(item)}
    return {
        "req": item,
        "method": method,
        "method_label": ScoringMethod(method).label,
        "inputs": inputs,
        "locked_notes": [notes[side] + "." for side in ("value", "size") if side in locked_sides],
        "can_score": any(entry["editable"] for entry in inputs),
        "score": score,
        "rank": selectors.backlog_rank_of(request=item, method=method) if rank else None,
    }


def _parse_scores(post) -> dict:
    """The score inputs posted (text from selects and number boxes), as the model's types; an
    empty value clears the input."""
    data, errors = {}, {}
    for name in policy.SCORE_FIELDS:
        if name not in post:
            continue
        raw = post.get(name).strip()
        try:
            data[name] = ModelRequest._meta.get_field(name).to_python(raw) if raw else None
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    if not data:
        raise ValidationError({"field": "Send at least one score input."})
    return data


@require_POST
def request_score(request, pk):
    """Inline scoring: set some score inputs in place. htmx (one changed input) gets the re-rendered
    score form back (new score and rank, or the error in words, with 400/403); a plain form post goes
    back to the page with a message."""
    item = get_object_or_404(selectors.request_list().prefetch_related("score_inputs__set_by"), pk=pk)
    method = request.POST.get("method") if request.POST.get("method") in ScoringMethod.values else "rice"
    in_place = wants_fragment(request)
    error, status = "", 200
    try:
        services.request_score(actor=request.user, request=item, data=_parse_scores(request.POST))
    except ValidationError as problem:
        error, status = " ".join(_field_messages(problem)), 400
    except PermissionDenied as denied:
        error, status = str(denied), 403
    if not in_place:
        if error:
            messages.error(request, f"#{pk} not scored: {error}")
        else:
            messages.success(request, f"Saved the {method.upper()} inputs of #{pk} {item.title}.")
        return _back(request, item.get_absolute_url())
    item = get_object_or_404(selectors.request_list().prefetch_related("score_inputs__set_by"), pk=pk)
    roles = selectors.roles_by_team(user=request.user)
    context = score_box(item, method=method, user=request.user, roles=roles)
    context.update(
        error=error, saved=not error, next_path=request.POST.get("next") or item.get_absolute_url()
    )
    return fragment(request, "modelrequests/_score_box.html", context, status=status)


def _field_messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return error.messages
    labels = {name: name.replace("_", " ") for name in policy.SCORE_FIELDS}
    return [f"{labels.get(name, name)}: {' '.join(msgs)}" for name, msgs in error.message_dict.items()]


def stream_page(request):
    """A value stream's requests across every delivering team (``?stream=<slug>``; default: the
    stream the person is accountable for, else their first team's)."""
    data = request.GET.copy()
    if not data.get("stream"):
        stream = streamview.default_stream(user=request.user)
        if stream is not None:
            data["stream"] = stream.slug
    filterset = ModelRequestFilterSet(data, queryset=selectors.request_list(), request=request)
    stream = filterset.form.cleaned_data.get("stream") if filterset.is_valid() else None
    page = None
    if stream is not None:
        page = paginate(request, streamview.stream_requests(filterset.qs, stream=stream), per_page=50)
        streamview.with_ranks(list(page))
    return render(request, "modelrequests/stream.html", {"filter": filterset, "stream": stream, "page": page})
