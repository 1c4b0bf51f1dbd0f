"""Who may change what someone is told: their own watches, notification preferences and read marks
(everyone signed in, for themselves); platform staff fix anyone's in the admin."""

import rules

from apps.core.policy import define, is_authenticated


@rules.predicate
def is_the_owner(user, row) -> bool:
    return bool(is_authenticated(user) and row is not None and row.user_id == user.pk)


CHANGE_OWN_SETTINGS = define(
    "notifications.change_own_settings",
    is_the_owner,
    subject="the watch or preference",
    action="change or delete {obj}",
    who="the person whose {obj} it is",
    why="What someone watches and how they are told is theirs to choose.",
)
