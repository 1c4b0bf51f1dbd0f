"""Who may change registered models: the owning team's lead or product manager change, version and
promote a model; a model changes hands only with the receiving team's lead or PM, and is attributed
to a value stream only with that stream's PM (or a lead or PM of a team serving the stream)."""

import rules

from apps.core.policy import define, is_authenticated
from apps.teams.models import Membership
from apps.teams.policy import TEAM_EDITOR_ROLES, is_stream_pm, is_team_editor


@rules.predicate
def is_stream_team_editor(user, stream) -> bool:
    """A lead or product manager of a team that serves ``stream``."""
    return bool(
        is_authenticated(user)
        and stream is not None
        and Membership.objects.filter(
            user=user, team__value_stream_id=stream.pk, role__in=TEAM_EDITOR_ROLES
        ).exists()
    )


REGISTER_MODEL = define(
    "registry.register_model",
    is_team_editor,
    subject="the owning team",
    action="register models for {obj}",
    who="a lead or product manager of {obj}",
    why="A registered model is owned by one team, which answers for it in production.",
)
CHANGE_MODEL = define(
    "registry.change_model",
    is_team_editor,
    subject="the owning team",
    action="change the models of {obj}",
    who="a lead or product manager of {obj}",
    why="The owning team keeps its model's description, lifecycle and versions.",
)
RECEIVE_MODEL = define(
    "registry.receive_model",
    is_team_editor,
    subject="the receiving team",
    action="hand a model over to {obj}",
    who="a lead or product manager of {obj}",
    why="Owning a model means running it: the receiving team agrees to take it on.",
)
ATTRIBUTE_MODEL = define(
    "registry.attribute_model",
    is_stream_pm | is_stream_team_editor,
    subject="the value stream",
    action="attribute a model to {obj}",
    who="the product manager of {obj} or a lead or product manager of one of its teams",
    why="A model's value stream decides whose KPIs its observations move; the stream agrees to it.",
)
DELETE_MODEL = define(
    "registry.delete_model",
    action="delete registered models",
    who="",
    why="Models keep their history; teams retire them instead.",
)
