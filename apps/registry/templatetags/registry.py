import json

from django import template

from apps.registry import selectors
from apps.registry.feedback_loop import response_targets

register = template.Library()


@register.inclusion_tag("registry/_team_models.html")
def team_models(team):
    """The models a team owns and the overdue feedback on its models or filed by it (team page)."""
    return {
        "team": team,
        "models": list(selectors.models_of_team(team=team)),
        "overdue": list(selectors.overdue_feedback_of_team(team=team)),
        "targets": response_targets(),
    }


@register.filter
def as_json(value):
    """Lists and dicts as JSON (as the API shows them), not Python's repr with its quotes and True."""
    return json.dumps(value) if isinstance(value, list | dict) else value
