"""Who may work with a team's training data: its members upload and describe datasets, train models
on them, cancel jobs and schedule retraining; registering a new model from a job needs the team's
lead or product manager (``registry.register_model``)."""

from apps.core.policy import allowed_everywhere, define, ensure, literally
from apps.teams.policy import is_team_member

TRAIN = define(
    "training.train",
    is_team_member,
    subject="the team",
    action="upload datasets, train models and schedule retraining for {obj}",
    who="members of {obj}",
    why="A team's datasets and jobs are its own work; its members run them.",
)


def trains_for_every_team(user) -> bool:
    """Platform staff train on every team's datasets and for every team's models; others for their
    own teams only (what the training pages list to choose from)."""
    return allowed_everywhere(user, TRAIN.name)


def ensure_trains(user, team, *, action: str) -> None:
    """``training.train`` on ``team``; ``action`` words the refused step ("cancel this job")."""
    ensure(user, TRAIN.name, team, action=literally(action))
