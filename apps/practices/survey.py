"""The team cognitive-load questionnaire (Team Topologies): six Likert statements, 1-5.

Every statement is phrased so that agreeing means *more* load; a team's load score is the mean of all
answers of its members in a round (1 = light, 5 = overloaded)."""

QUESTIONS = [
    ("owned_scope", "The software and models our team owns are more than we can comfortably understand."),
    (
        "extraneous_work",
        "We spend much of our time on work outside our domain (infrastructure, tooling, hand-offs).",
    ),
    ("specialist_knowledge", "Deploying and operating our models needs knowledge only a few of us have."),
    ("waiting_on_others", "We often wait on other teams to get our own work done."),
    ("onboarding", "It would take a new member months to understand what we own."),
    ("context_switching", "Switching between unrelated responsibilities slows us down."),
]
QUESTION_FIELDS = [name for name, _ in QUESTIONS]
LIKERT_CHOICES = [
    (1, "1 · strongly disagree"),
    (2, "2 · disagree"),
    (3, "3 · neutral"),
    (4, "4 · agree"),
    (5, "5 · strongly agree"),
]
# Mean load at or above this is flagged on the survey page.
HIGH_LOAD = 3.5
