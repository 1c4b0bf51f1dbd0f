from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.core.forms import save_form_with, service_form_page
from apps.core.pagination import paginate
from apps.core.policy import allowed, ensure
from apps.teams import selectors, services
from apps.teams.filtersets import InteractionFilterSet, TeamFilterSet, ValueStreamFilterSet
from apps.teams.forms import InteractionForm, MembershipForm, TeamForm, ValueStreamForm
from apps.teams.hooks import managed_members, why_members_are_managed
from apps.teams.models import Interaction, Membership, TeamType
from apps.teams.permissions import can_change_team, ensure_can_change_team
from apps.teams.topology import layout


def team_list(request):
    filterset = TeamFilterSet(request.GET, queryset=selectors.team_list())
    return render(
        request,
        "teams/team_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "can_create": allowed(request.user, "teams.create_team"),
        },
    )


def team_detail(request, slug):
    team = selectors.team_detail(slug=slug)
    interactions = list(selectors.team_interactions(team=team))
    members = list(team.memberships.all())
    managed = managed_members([membership.user_id for membership in members])
    for membership in members:
        membership.managed_because = managed.get(membership.user_id)
    return render(
        request,
        "teams/team_detail.html",
        {
            "team": team,
            "members": members,
            "current_interactions": [i for i in interactions if i.status in ("current", "overdue")],
            "planned_interactions": [i for i in interactions if i.status == "planned"],
            "can_edit": can_change_team(request.user, team),
            "member_form": MembershipForm(initial={"team": team}),
            "members_managed_because": why_members_are_managed(team),
        },
    )


def team_form(request, slug=None):
    team = selectors.team_detail(slug=slug) if slug else None
    if team:
        ensure_can_change_team(request.user, team)
    else:
        ensure(request.user, "teams.create_team", action="create teams")

    def write(data):
        if team:
            return services.team_update(actor=request.user, team=team, data=data)
        return services.team_create(actor=request.user, data=data)

    return service_form_page(
        request,
        form=TeamForm(request.POST or None, instance=team),
        write=write,
        title=f"Edit {team.name}" if team else "New team",
        cancel_url=team.get_absolute_url() if team else "/teams/",
    )


@require_POST
def member_add(request, slug):
    team = selectors.team_detail(slug=slug)
    data = request.POST.copy()
    data["team"] = team.pk
    form = MembershipForm(data)
    saved = save_form_with(form, lambda cleaned: services.membership_create(actor=request.user, data=cleaned))
    if saved:
        messages.success(request, f"Added {saved.user} as {saved.get_role_display()}.")
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{field if field != '__all__' else 'Member'}: {' '.join(errors)}")
    return redirect(team)


@require_POST
def member_remove(request, slug, pk):
    membership = get_object_or_404(Membership.objects.select_related("team", "user"), pk=pk, team__slug=slug)
    try:
        services.membership_delete(actor=request.user, membership=membership)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Removed {membership.user} from {membership.team}.")
    return redirect(membership.team)


def interaction_list(request):
    filterset = InteractionFilterSet(request.GET, queryset=selectors.interaction_list())
    return render(
        request, "teams/interaction_list.html", {"filter": filterset, "page": paginate(request, filterset.qs)}
    )


def interaction_form(request, pk=None):
    interaction = get_object_or_404(Interaction, pk=pk) if pk else None
    initial = {}
    if not interaction and request.GET.get("from"):
        initial["from_team"] = selectors.team_list().filter(slug=request.GET["from"]).first()

    def write(data):
        if interaction:
            return services.interaction_update(actor=request.user, interaction=interaction, data=data)
        return services.interaction_create(actor=request.user, data=data)

    return service_form_page(
        request,
        form=InteractionForm(request.POST or None, instance=interaction, initial=initial),
        write=write,
        title="Edit interaction" if interaction else "New interaction",
        cancel_url="/teams/interactions/",
        redirect_to=lambda saved: saved.from_team,
    )


def stream_list(request):
    filterset = ValueStreamFilterSet(request.GET, queryset=selectors.stream_list())
    return render(
        request,
        "teams/stream_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "can_create": allowed(request.user, "teams.create_stream"),
        },
    )


def stream_detail(request, slug):
    stream = selectors.stream_detail(slug=slug)
    return render(
        request,
        "teams/stream_detail.html",
        {
            "stream": stream,
            "can_edit": services.can_change_stream(request.user, stream),
        },
    )


def stream_form(request, slug=None):
    stream = selectors.stream_detail(slug=slug) if slug else None
    if stream:
        services.ensure_can_change_stream(request.user, stream)
    else:
        ensure(request.user, "teams.create_stream", action="create value streams")

    def write(data):
        if stream:
            return services.stream_update(actor=request.user, stream=stream, data=data)
        return services.stream_create(actor=request.user, data=data)

    return service_form_page(
        request,
        form=ValueStreamForm(request.POST or None, instance=stream),
        write=write,
        title=f"Edit {stream.name}" if stream else "New value stream",
        cancel_url="/teams/streams/",
    )


def topology(request):
    teams = list(selectors.team_list())
    interactions = list(selectors.interaction_list().active())
    return render(request, "teams/topology.html", {"diagram": layout(teams, interactions), "types": TeamType})
