"""The request workflow as data: which moves exist and which side's roles make each one (who may
move a request is decided by the policy's ``modelrequests.move_request``, which reads this table).

| from          | to            | who (besides platform staff, who may make every move) |
|---------------|---------------|--------------------------------------------------------|
| submitted     | triaged       | delivering team's product manager or lead              |
| submitted     | rejected      | delivering team's product manager                      |
| triaged       | accepted      | delivering team's product manager                      |
| triaged       | rejected      | delivering team's product manager                      |
| triaged       | self_service  | delivering team's PM, or requesting team's PM or lead  |
| rejected      | triaged       | delivering team's product manager (reopen)             |
| accepted      | in_progress   | any member of the delivering team                      |
| self_service  | in_progress   | any member of the requesting team (it builds it)       |
| in_progress   | accepted      | delivering team's product manager or lead (put back)   |
| in_progress   | delivered     | any member of the delivering team                      |
| delivered     | in_progress   | any member of the delivering team (rework)             |
| delivered     | in_production | any member of the requesting team (confirms it runs)   |
| in_production | retired       | requesting team's PM or lead                           |

Moving to self-service makes the requesting team the delivering team: it builds the model itself on
the platform, so from then on "the delivering team starts and delivers" holds for it too.

Rules take the actor's roles per team (``{team_id: {role, ...}}``), loaded once per page, so a board
can list every card's allowed moves without a query per card.
"""

from dataclasses import dataclass

from apps.modelrequests.models import RequestStatus as S

PM = "product_manager"
LEAD = "lead"
ANY = "*"  # any member


@dataclass(frozen=True)
class Rule:
    side: str  # "delivering" or "requesting"
    roles: tuple[str, ...]

    def allows(self, request, roles_by_team: dict) -> bool:
        team_id = request.delivering_team_id if self.side == "delivering" else request.requesting_team_id
        roles = roles_by_team.get(team_id, set())
        return bool(roles) and (ANY in self.roles or bool(roles & set(self.roles)))


DELIVERING_PM = (Rule("delivering", (PM,)),)

MOVES: dict[tuple[str, str], tuple[Rule, ...]] = {
    (S.SUBMITTED, S.TRIAGED): (Rule("delivering", (PM, LEAD)),),
    (S.SUBMITTED, S.REJECTED): DELIVERING_PM,
    (S.TRIAGED, S.ACCEPTED): DELIVERING_PM,
    (S.TRIAGED, S.REJECTED): DELIVERING_PM,
    (S.TRIAGED, S.SELF_SERVICE): (Rule("delivering", (PM,)), Rule("requesting", (PM, LEAD))),
    (S.REJECTED, S.TRIAGED): DELIVERING_PM,
    (S.ACCEPTED, S.IN_PROGRESS): (Rule("delivering", (ANY,)),),
    (S.SELF_SERVICE, S.IN_PROGRESS): (Rule("requesting", (ANY,)),),
    (S.IN_PROGRESS, S.ACCEPTED): (Rule("delivering", (PM, LEAD)),),
    (S.IN_PROGRESS, S.DELIVERED): (Rule("delivering", (ANY,)),),
    (S.DELIVERED, S.IN_PROGRESS): (Rule("delivering", (ANY,)),),
    (S.DELIVERED, S.IN_PRODUCTION): (Rule("requesting", (ANY,)),),
    (S.IN_PRODUCTION, S.RETIRED): (Rule("requesting", (PM, LEAD)),),
}


ROLE_NAMES = {PM: "product manager", LEAD: "lead", ANY: "any member"}


def who_may(frm: str, to: str) -> str:
    """Who may make a move, in words: "product manager or lead of the delivering team"."""
    return " or ".join(
        f"{' or '.join(ROLE_NAMES[r] for r in rule.roles)} of the {rule.side} team"
        for rule in MOVES[(frm, to)]
    )


def describe() -> list[tuple[str, str, str]]:
    """The rules in words, for the boards' help: (from, to, who)."""
    labels = dict(S.choices)
    return [(labels[frm], labels[to], f"{who_may(frm, to)}; platform staff") for frm, to in MOVES]


def label(status: str) -> str:
    return dict(S.choices).get(status, status)


def next_statuses(status: str) -> list[str]:
    return [to for (frm, to) in MOVES if frm == status]
