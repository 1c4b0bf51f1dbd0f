"""Who may change registered models: the owning team's lead or product manager change, version and
promote a model; a model changes hands only with the receiving team's lead or PM, and is attributed
to a value stream only with that stream's PM (or a lead or PM of a team serving the stream)."""

import rules
from django.db.models import Q

from apps.core.policy import define, is_authenticated
from apps.teams.models import Membership
from apps.teams.policy import TEAM_EDITOR_ROLES, is_stream_pm, is_team_editor, is_team_member


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
PROMOTE_VERSION = define(
    "registry.promote_version",
    is_team_editor,
    subject="the owning team",
    action="promote, archive or roll back versions of the models of {obj}",
    who="a lead or product manager of {obj}",
    why="A stage move changes what production serves; the owning team's lead or PM answers for it.",
)
OVERRIDE_GATES = define(
    "registry.override_gates",
    subject="the model",
    action="override the promotion gates of {obj}",
    who="",
    why="A version that fails its gates reaches production only on platform staff's recorded word.",
)
REGISTER_VERSION = define(
    "registry.register_version",
    is_team_member,
    subject="the owning team",
    action="register versions of the models of {obj}",
    who="members of {obj}",
    why="A team's members train and hand in new versions; promoting them is the lead's or PM's call.",
)


@rules.predicate
def is_in_consuming_or_owning_team(user, model) -> bool:
    """A member of the team that owns ``model`` or of a team that consumes it."""
    return bool(
        is_authenticated(user)
        and model is not None
        and Membership.objects.filter(user=user)
        .filter(Q(team_id=model.owning_team_id) | Q(team__consumed_models=model))
        .exists()
    )


FILE_FEEDBACK = define(
    "registry.file_feedback",
    is_in_consuming_or_owning_team,
    subject="the model",
    action="file feedback on {obj}",
    who="members of the teams that consume or own {obj}",
    why="Feedback comes from the teams that use a model, addressed to the team that runs it.",
)
FILE_FEEDBACK_FOR = define(
    "registry.file_feedback_for",
    is_team_member,
    subject="the filing team",
    action="file feedback for {obj}",
    who="members of {obj}",
    why="Feedback speaks for the team it is filed for.",
)
RESPOND_TO_FEEDBACK = define(
    "registry.respond_to_feedback",
    is_team_member,
    subject="the owning team",
    action="acknowledge or resolve feedback on the models of {obj}",
    who="members of {obj}",
    why="The team that runs a model answers its feedback, and the loop times are theirs.",
)
