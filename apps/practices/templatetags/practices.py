from django import template

from apps.practices import selectors
from apps.practices.scoring import MLOPS_LABELS

register = template.Library()


@register.inclusion_tag("practices/_team_summary.html")
def team_practices(team):
    """The team's latest scorecard in one line (team page)."""
    snapshot = selectors.latest_snapshot(team=team)
    return {
        "team": team,
        "snapshot": snapshot,
        "mlops_label": MLOPS_LABELS.get(snapshot.mlops_level) if snapshot else None,
    }
