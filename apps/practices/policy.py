"""Who may answer the cognitive-load survey and change the answers: a team's members answer for it,
a respondent changes their own answers while the round is open; platform staff answer for any team
and fix any answer (also after the round closed)."""

import rules

from apps.core.policy import allowed_everywhere, define, is_authenticated
from apps.teams.policy import is_team_editor, is_team_member


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
RECORD_PRACTICES = define(
    "practices.record_practices",
    is_team_editor,
    subject="the team",
    action="record, change or remove the practice self-assessments of {obj} and recompute its scorecard",
    who="a lead or product manager of {obj}",
    why="A self-assessment is the team's own statement of how it works.",
)


@rules.predicate
def edits_either_team(user, interaction) -> bool:
    """A lead or product manager of either side of a facilitating interaction."""
    return bool(
        interaction is not None
        and (is_team_editor(user, interaction.from_team) or is_team_editor(user, interaction.to_team))
    )


RUN_ENGAGEMENT = define(
    "practices.run_engagement",
    edits_either_team,
    subject="the facilitating interaction",
    action="run enabling engagements of {obj}",
    who="a lead or product manager of either team of {obj}",
    why="An engagement is the enabling team and the team it helps working together; either side runs it.",
)
OPEN_SURVEY_ROUND = define(
    "practices.open_survey_round",
    subject="the survey round",
    action="open, change or delete survey rounds",
    who="",
    why="A round asks every team at once; platform staff run it for the whole organisation.",
)
CHANGE_SURVEY_ANSWER = define(
    "practices.change_survey_answer",
    is_respondent,
    subject="the answers",
    action="change or delete {obj}",
    who="the respondent",
    why="Answers are personal; platform staff fix mistakes.",
)


def answers_for_every_team(user) -> bool:
    """Platform staff answer the survey for any team; others for their own teams."""
    return allowed_everywhere(user, ANSWER_SURVEY.name)


def sees_every_answer(user) -> bool:
    """Individual answers are read by whoever may change them: their respondent, and platform staff
    every one (everyone else reads the aggregated results)."""
    return allowed_everywhere(user, CHANGE_SURVEY_ANSWER.name)
