from django import template

from apps.training import selectors

register = template.Library()


@register.inclusion_tag("training/_team_training.html")
def team_training(team):
    """The team's datasets (newest version of each) and its latest training jobs (team page)."""
    return {
        "team": team,
        "datasets": list(selectors.latest_datasets_of_team(team=team)),
        "jobs": list(selectors.job_list().filter(team=team)[:5]),
    }
