"""The policy machinery: named rules, the sentence naming who can, the template tags, and the
README's permission table generated from the rules."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory

from apps.core import policy
from apps.core.management.commands.policy_table import END, START, readme_with_table
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, StaffFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_readme_table_is_generated_from_the_policy():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert START in readme and END in readme
    assert readme == readme_with_table(readme), "run: manage.py policy_table --write"
    for name in policy.RULES:
        assert f"`{name}`" in readme


def test_every_rule_explains_itself():
    for name, rule in policy.RULES.items():
        assert name.count(".") == 1 and rule.why.endswith("."), name
        sentence = rule.denial()
        assert sentence.startswith("Only ") and sentence.endswith("."), sentence


def test_ensure_names_who_can():
    team = TeamFactory(name="ML Platform")
    lead, engineer = (MembershipFactory(team=team, role=role).user for role in (MemberRole.LEAD, "engineer"))
    policy.ensure(lead, "teams.change_team", team)
    policy.ensure(StaffFactory(), "teams.change_team", team)
    with pytest.raises(PermissionDenied) as refused:
        policy.ensure(engineer, "teams.change_team", team)
    assert str(refused.value) == (
        "Only a lead or product manager of ML Platform, or platform staff, can change ML Platform."
    )
    with pytest.raises(LookupError):
        policy.allowed(lead, "teams.no_such_rule", team)


def test_inactive_and_anonymous_users_may_nothing():
    from django.contrib.auth.models import AnonymousUser

    team = TeamFactory()
    lead = MembershipFactory(team=team, role=MemberRole.LEAD).user
    lead.is_active = False
    assert not policy.allowed(lead, "teams.change_team", team)
    assert not policy.allowed(AnonymousUser(), "teams.change_team", team)
    assert not policy.allowed(None, "teams.create_team")


def test_template_tags_hide_or_explain_an_action():
    team = TeamFactory(name="Payments")
    template = Template(
        '{% load policy %}{% allowed "teams.change_team" team as can %}'
        '{% if can %}<a>Edit</a>{% else %}{% who_can "teams.change_team" team %}{% endif %}'
    )
    request = RequestFactory().get("/")
    request.user = UserFactory()
    assert template.render(Context({"request": request, "team": team})) == (
        "Only a lead or product manager of Payments, or platform staff, can change Payments."
    )
    request.user = StaffFactory()
    assert template.render(Context({"request": request, "team": team})) == "<a>Edit</a>"
