"""Who may answer the cognitive-load survey and change the answers: a team's members answer for it,
a respondent changes their own answers while the round is open; platform staff answer for any team
and fix any answer (also after the round closed)."""

import rules

from apps.core.policy import define, is_authenticated
from apps.teams.policy import is_team_member


@rules.predicate
def is_respondent(user, response) -> bool:
    return bool(is_authenticated(user) and response is not None and response.respondent_id == user.pk)


ANSWER_SURVEY = define(
    "practices.answer_survey",
    is_team_member,
    subject="the team",
    action="answer the cognitive-load survey of {obj}",
    who="members of {obj}",
    why="Cognitive load is what the team's own members report.",
)
CHANGE_SURVEY_ANSWER = define(
    "practices.change_survey_answer",
    is_respondent,
    subject="the answers",
    action="change or delete {obj}",
    who="the respondent",
    why="Answers are personal; platform staff fix mistakes.",
)
