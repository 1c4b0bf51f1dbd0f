from apps.teams.models import Interaction, Team, ValueStream
from apps.teams.selectors import interaction_list, teams_of_user


def home_summary(*, user) -> dict:
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
