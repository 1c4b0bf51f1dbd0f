"""Who may write outcome data. A value stream's KPIs are defined, changed, retired and deleted by the
stream's accountable product manager; its observations are posted by the stream's teams (and its PM);
a model's costs and model-attributed observations also by the model's owning team. Deleting a KPI
that has observations destroys measured history: platform staff only, and only when they confirm.
Everyone signed in reads."""

import rules

from apps.core.policy import define, is_authenticated
from apps.teams.models import Membership
from apps.teams.policy import is_in_stream_team, is_stream_pm


@rules.predicate
def is_in_owning_team(user, model) -> bool:
    return bool(
        is_authenticated(user)
        and model is not None
        and Membership.objects.filter(user=user, team_id=model.owning_team_id).exists()
    )


@rules.predicate
def is_in_model_stream(user, model) -> bool:
    return bool(
        model is not None
        and (is_in_stream_team(user, model.value_stream) or is_stream_pm(user, model.value_stream))
    )


CHANGE_KPI = define(
    "outcomes.change_kpi",
    is_stream_pm,
    subject="the value stream",
    action="define, change, retire or delete the KPIs of {obj}",
    who="the product manager of {obj}",
    why="A stream's KPIs are what its teams are judged on; the accountable PM defines them.",
)
DELETE_MEASURED_KPI = define(
    "outcomes.delete_measured_kpi",
    subject="the value stream",
    action="delete a KPI of {obj} that has observations (retire it instead)",
    who="",
    why="Deleting a measured KPI destroys its observations; it is retired instead, and only platform "
    "staff delete it, after confirming.",
)
POST_OBSERVATIONS = define(
    "outcomes.post_observations",
    is_in_stream_team | is_stream_pm,
    subject="the value stream",
    action="send observations for {obj}",
    who="members of the teams of {obj} or its product manager",
    why="The stream's teams measure its business outcomes.",
)
WRITE_MODEL_OUTCOMES = define(
    "outcomes.write_model_outcomes",
    is_in_owning_team | is_in_model_stream,
    subject="the model",
    action="set the costs or send observations of {obj}",
    who="members of the owning team of {obj} or of the teams of its value stream",
    why="A model's running costs and measured effect are reported by the team that runs it or the "
    "stream it serves.",
)
