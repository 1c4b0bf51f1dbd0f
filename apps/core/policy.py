"""The permission policy's machinery: every rule of the portal is a named predicate (django-rules)
with the words that explain it. Each app defines its rules in its own ``policy.py`` (loaded when the
portal starts, see ``CoreConfig.ready``); services call ``ensure``, views, templates (``{% allowed %}``,
``{% who_can %}``), DRF permissions and the admin call ``allowed`` and ``who_can``.

A rule is checked against an object: the thing whose people decide (a team, a value stream, a
model). ``who`` and ``action`` are templates with ``{obj}`` for that object; without an object (the
README's table) ``{obj}`` reads as the rule's ``subject``, e.g. "the team", and ``{obj.delivering_team}``
as "the delivering team". Unless a rule says
``staff=False``, platform staff may do everything.
"""

from collections.abc import Callable
from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied

POLICY = rules.RuleSet()


@rules.predicate
def is_authenticated(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_platform_staff(user) -> bool:
    return bool(is_authenticated(user) and (user.is_staff or user.is_superuser))


class _Unnamed:
    """What ``{obj}`` (and ``{obj.some_team}``) read as when no object is named (the README's table):
    the rule's subject, and "the some team" for an attribute."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return self.text

    def __getattr__(self, name: str) -> "_Unnamed":
        if name.startswith("_"):
            raise AttributeError(name)
        return _Unnamed(f"the {name.replace('_', ' ')}")


@dataclass(frozen=True)
class Rule:
    name: str
    predicate: Callable
    action: str  # "rank the backlog of {obj}"
    who: str  # "the lead or product manager of {obj}"; "" when only platform staff may
    why: str  # one sentence for the README's table
    subject: str = "the object"
    staff: bool = True

    def _fill(self, template: str, obj) -> str:
        return template.format(obj=_Unnamed(self.subject) if obj is None else obj)

    def who_can(self, obj=None) -> str:
        """ "the lead or product manager of ML Platform, or platform staff" """
        who = self._fill(self.who, obj)
        if not self.staff:
            return who
        return f"{who}, or platform staff" if who else "platform staff"

    def denial(self, obj=None, *, action: str | None = None) -> str:
        who = self.who_can(obj)
        comma = "," if self.staff and self.who else ""
        return f"Only {who}{comma} can {self._fill(action or self.action, obj)}."


RULES: dict[str, Rule] = {}


def define(
    name: str,
    predicate=None,
    *,
    action: str,
    who: str,
    why: str,
    subject: str = "the object",
    staff: bool = True,
) -> Rule:
    """Register the rule ``name`` (``<app>.<verb>_<thing>``). ``predicate`` takes ``(user, obj)``;
    None means only platform staff."""
    if name in RULES:
        raise ValueError(f"The policy already has a rule named {name!r}.")
    if predicate is None:
        predicate, staff = is_platform_staff, False
        who = who or "platform staff"
    elif staff:
        predicate = is_platform_staff | predicate
    rule = Rule(name, predicate, action, who, why, subject, staff)
    POLICY.add_rule(name, predicate)
    RULES[name] = rule
    return rule


def rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise LookupError(f"The policy has no rule named {name!r}.") from None


def allowed(user, name: str, obj=None) -> bool:
    rule(name)
    return POLICY.test_rule(name, user, obj)


def who_can(name: str, obj=None) -> str:
    return rule(name).who_can(obj)


def denial(name: str, obj=None, *, action: str | None = None) -> str:
    """The sentence a refused user reads: "Only X, or platform staff, can Y."; ``action`` words the
    refused action more precisely than the rule's own (a template with ``{obj}`` too)."""
    return rule(name).denial(obj, action=action)


def ensure(user, name: str, obj=None, *, action: str | None = None) -> None:
    """Raise PermissionDenied, naming who can, unless ``user`` may ``name`` on ``obj``."""
    if not allowed(user, name, obj):
        raise PermissionDenied(denial(name, obj, action=action))


def allowed_everywhere(user, name: str) -> bool:
    """Whether ``user`` may ``name`` on every object, so a list needs no cutting to their own: platform
    staff, under a rule that lets staff do everything (or one only staff may). Selectors scope what
    they list by it."""
    entry = rule(name)
    return bool((entry.staff or entry.predicate is is_platform_staff) and is_platform_staff(user))


def literally(text: str) -> str:
    """``text`` as an ``action`` template that reads as written (its braces are not placeholders)."""
    return text.replace("{", "{{").replace("}", "}}")


def markdown_table() -> str:
    """The README's permission table: every rule, who may, and why (``manage.py policy_table``)."""
    lines = ["| action | who may | why | rule |", "|---|---|---|---|"]
    for name in sorted(RULES):
        entry = RULES[name]
        cells = (entry._fill(entry.action, None), entry.who_can(None), entry.why, f"`{name}`")
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


FIX_RECORDS = define(
    "core.fix_records",
    subject="the portal's own records",
    action="change or delete {obj} (statistics, drift, scorecards, demo loads, worker heartbeats, "
    "sign-in links) in the admin",
    who="",
    why="The portal writes these records itself; a hand fix is platform staff's, and the audit log keeps it.",
)
