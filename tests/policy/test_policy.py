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


def test_a_list_is_cut_to_the_callers_own_unless_their_rule_covers_every_object():
    team = TeamFactory()
    member = MembershipFactory(team=team, role=MemberRole.ENGINEER).user
    staff, superuser = StaffFactory(), UserFactory(is_superuser=True)
    assert policy.allowed_everywhere(staff, "training.train")
    assert policy.allowed_everywhere(staff, "accounts.manage_users")  # a rule for platform staff only
    assert not policy.allowed_everywhere(member, "training.train")
    assert policy.allowed(member, "training.train", team)  # their own team's, not everyone's
    # a rule that does not let platform staff do everything: staff see no more than anybody
    assert not policy.allowed_everywhere(staff, "accounts.deactivate_superuser")
    assert not policy.allowed(staff, "accounts.deactivate_superuser")
    assert policy.allowed(superuser, "accounts.deactivate_superuser")


def test_who_may_move_a_request_is_a_rule_reading_the_workflow():
    from apps.modelrequests import policy as requests_policy
    from tests.modelrequests.factories import ModelRequestFactory

    request = ModelRequestFactory(status="submitted")
    lead = MembershipFactory(team=request.delivering_team, role=MemberRole.LEAD).user
    engineer = MembershipFactory(team=request.delivering_team, role=MemberRole.ENGINEER).user
    staff = StaffFactory()
    assert requests_policy.allowed_moves(lead, request) == ["triaged"]
    assert requests_policy.allowed_moves(engineer, request) == []
    assert requests_policy.allowed_moves(staff, request) == ["triaged", "rejected"]
    # platform staff make every move the workflow has, and none it has not
    assert not requests_policy.may_move(staff, request, "delivered")
    move = requests_policy.Move(request, "rejected")
    assert policy.denial("modelrequests.move_request", move) == (
        f"Only the product manager of the delivering team, or platform staff, can make {move} through "
        "the request workflow."
    )


OUTSIDE_THE_POLICY = {  # reads of the staff flags that decide no permission
    "apps/home/selectors.py": "names the person's role in words on the home page",
    "apps/accounts/services.py": "reads whether the user being deactivated is a superuser",
    "apps/core/staff_group.py": "keeps the admin group of platform staff in step with the flag",
    "apps/sso/services.py": "sets the flag from the identity provider's groups",
}


def test_no_permission_decision_reads_the_staff_flags_outside_the_policy_modules():
    import re

    found = set()
    for path in sorted((Path(settings.BASE_DIR) / "apps").rglob("*.py")):
        relative = path.relative_to(settings.BASE_DIR).as_posix()
        if path.name == "policy.py" or "/migrations/" in relative or "demo" in path.name:
            continue
        if re.search(r"\.is_staff\b|\.is_superuser\b|\bis_platform_staff\(", path.read_text()):
            found.add(relative)
    assert found <= set(OUTSIDE_THE_POLICY), sorted(found - set(OUTSIDE_THE_POLICY))
