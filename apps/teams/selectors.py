"""Reads for the teams catalogue; they own the query shape (no N+1 on any list)."""

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from apps.teams.models import Interaction, InteractionQuerySet, Membership, Team, ValueStream


def stream_list() -> QuerySet[ValueStream]:
    return (
        ValueStream.objects.select_related("product_manager")
        .annotate(team_count=Count("teams"))
        .order_by("name")
    )


def stream_detail(*, slug: str) -> ValueStream:
    teams = Team.objects.annotate(member_count=Count("memberships")).order_by("team_type", "name")
    return get_object_or_404(
        ValueStream.objects.select_related("product_manager").prefetch_related(
            Prefetch("teams", queryset=teams)
        ),
        slug=slug,
    )


def team_list() -> QuerySet[Team]:
    return (
        Team.objects.select_related("value_stream")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("name")
    )


def team_detail(*, slug: str) -> Team:
    return get_object_or_404(
        Team.objects.select_related("value_stream", "value_stream__product_manager").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by("role", "user__username"),
            )
        ),
        slug=slug,
    )


def team_interactions(*, team: Team) -> QuerySet[Interaction]:
    return interaction_list().involving(team).active()


def membership_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("team", "user")


def interaction_list() -> InteractionQuerySet:
    return Interaction.objects.select_related("from_team", "to_team")


def teams_of_user(*, user) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).select_related("value_stream").distinct()


def home_summary(*, user) -> dict:
    """The home page: the organisation at a glance and the signed-in user's teams."""
    interactions = list(interaction_list().filter(ended_on__isnull=True))
    return {
        "stream_count": ValueStream.objects.count(),
        "team_count": Team.objects.count(),
        "interaction_count": len(interactions),
        "overdue_interactions": [i for i in interactions if i.is_overdue],
        "my_teams": teams_of_user(user=user),
        "streams": ValueStream.objects.order_by("name"),
        "interaction_model": Interaction,
    }
