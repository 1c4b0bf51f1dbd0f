"""The backlog follows the score; a manual move pins one request at its rank with a reason. Pins
are removable one by one or all at once, switching the method or re-scoring reorders the unpinned
requests only, and two PMs moving at the same time on real PostgreSQL lose nothing."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from apps.modelrequests import services
from apps.modelrequests.models import ModelRequest, RequestStatus
from apps.teams.models import MemberRole
from tests.conftest import member_of
from tests.factories import PlatformTeamFactory
from tests.modelrequests.factories import ModelRequestFactory, backlog_titles, rice_inputs, wsjf_inputs


def make_backlog(team, titles="ABCDE"):
    # Scores descend A > B > C ...: the score order is the starting order.
    return {
        title: ModelRequestFactory(title=title, delivering_team=team, **rice_inputs(1000 - 100 * i))
        for i, title in enumerate(titles)
    }


def pins(team):
    rows = ModelRequest.objects.filter(delivering_team=team, manual_rank__isnull=False)
    rows = rows.order_by("manual_rank")
    return [(r.title, r.manual_rank) for r in rows]


@pytest.mark.django_db
def test_a_move_pins_only_the_moved_request_and_the_rest_follows_the_score():
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    items = make_backlog(team)
    services.request_rank(actor=pm, request=items["E"], before=items["A"], reason="regulator deadline")
    assert backlog_titles(team) == list("EABCD")
    services.request_rank(actor=pm, request=items["A"], after=items["C"], reason="needs C's data")
    assert backlog_titles(team) == list("EBCAD")
    assert pins(team) == [("E", 1), ("A", 4)]
    e = ModelRequest.objects.get(pk=items["E"].pk)
    assert (e.rank_reason, e.ranked_by, e.ranked_at is not None) == ("regulator deadline", pm, True)
    # a new, high-scoring request takes its place by score, around the pins
    ModelRequestFactory(title="F", delivering_team=team, **rice_inputs(99999))
    assert backlog_titles(team) == list("EFBACD")
    # re-scoring an unpinned request moves it at once
    ModelRequest.objects.filter(pk=items["D"].pk).update(reach=5000)
    assert backlog_titles(team) == list("EFDABC")
    # unpinning one: it follows its score again, the other pin stays
    services.request_unpin(actor=pm, request=items["E"])
    assert backlog_titles(team) == list("FDBACE") and pins(team) == [("A", 4)]
    e.refresh_from_db()
    assert (e.manual_rank, e.rank_reason, e.ranked_by, e.ranked_at) == (None, "", None, None)
    assert services.backlog_unpin_all(actor=pm, team=team) == 1
    assert backlog_titles(team) == list("FDABCE") and pins(team) == []


@pytest.mark.django_db
def test_switching_the_method_reorders_the_unpinned_requests_only():
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    # RICE ranks A B C D; WSJF ranks D C B A
    items = {
        title: ModelRequestFactory(
            title=title, delivering_team=team, **rice_inputs(400 - 100 * i), **wsjf_inputs(1 + 4 * i)
        )
        for i, title in enumerate("ABCD")
    }
    assert backlog_titles(team, "rice") == list("ABCD")
    assert backlog_titles(team, "wsjf") == list("DCBA")
    services.request_rank(actor=pm, request=items["B"], position=1, reason="contract", method="rice")
    assert backlog_titles(team, "rice") == list("BACD")
    assert backlog_titles(team, "wsjf") == list("BDCA")  # B keeps rank 1; the others by WSJF


@pytest.mark.django_db
def test_old_frozen_backlogs_are_unfrozen_by_the_migration():
    """Moves used to write a rank to every row; rows without a reason follow the score again."""
    from importlib import import_module

    from django.apps import apps

    team = PlatformTeamFactory()
    items = make_backlog(team, "ABC")
    for rank, title in enumerate("CBA", start=1):
        ModelRequest.objects.filter(pk=items[title].pk).update(manual_rank=rank)
    ModelRequest.objects.filter(pk=items["C"].pk).update(rank_reason="launch")
    migration = import_module("apps.modelrequests.migrations.0002_score_inputs_and_pins")
    migration.unfreeze_backlogs(apps, None)
    assert backlog_titles(team) == list("CAB") and pins(team) == [("C", 1)]


@pytest.mark.django_db
def test_move_to_any_rank_across_the_whole_backlog():
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    items = make_backlog(team, "ABCDEFG")
    items["U"] = ModelRequestFactory(title="U", delivering_team=team)  # unscored: listed once placed
    steps = [
        ("G", 1, "GABCDEF"),
        ("G", 7, "ABCDEFG"),
        ("A", 4, "BCDAEFG"),
        ("F", 2, "BFCDAEG"),
        ("U", 8, "BFCDAEGU"),
    ]
    for title, position, expected in steps:
        services.request_rank(actor=pm, request=items[title], position=position, reason=f"to {position}")
        assert backlog_titles(team) == list(expected), (title, position)
    f = ModelRequest.objects.get(pk=items["F"].pk)
    assert (f.manual_rank, f.rank_reason, f.ranked_by) == (2, "to 2", pm)


@pytest.mark.django_db
@pytest.mark.parametrize("position", [0, 6, 100])
def test_a_rank_outside_the_backlog_is_a_field_error_naming_the_range(position):
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    items = make_backlog(team)
    with pytest.raises(ValidationError) as error:
        services.request_rank(actor=pm, request=items["A"], position=position, reason="x")
    assert error.value.message_dict == {"position": ["Give a rank from 1 to 5."]}
    assert backlog_titles(team) == list("ABCDE")


@pytest.mark.django_db
def test_unscored_request_can_be_placed_by_hand():
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    items = make_backlog(team, "AB")
    unscored = ModelRequestFactory(title="U", delivering_team=team)
    assert backlog_titles(team) == ["A", "B"]
    services.request_rank(actor=pm, request=unscored, after=items["A"], reason="urgent")
    assert backlog_titles(team) == ["A", "U", "B"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x", "after": None, "before": None}, "after"),
        ({"reason": "x", "position": 1}, "after"),
    ],
)
def test_bad_rank_input_is_a_field_error(kwargs, field):
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    items = make_backlog(team, "AB")
    kwargs = {"after": items["B"], **kwargs}
    with pytest.raises(ValidationError) as error:
        services.request_rank(actor=pm, request=items["A"], **kwargs)
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_anchor_must_be_on_the_same_backlog():
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    items = make_backlog(team, "AB")
    elsewhere = ModelRequestFactory()
    started = ModelRequestFactory(delivering_team=team, status=RequestStatus.IN_PROGRESS)
    for anchor in (elsewhere, started):
        with pytest.raises(ValidationError) as error:
            services.request_rank(actor=pm, request=items["A"], after=anchor, reason="x")
        assert "not on the backlog" in error.value.message_dict["after"][0]


@pytest.mark.django_db
def test_only_the_delivering_teams_lead_or_pm_ranks():
    team = PlatformTeamFactory()
    engineer = member_of(team, MemberRole.ENGINEER)
    items = make_backlog(team, "AB")
    requester_pm = member_of(items["A"].requesting_team, MemberRole.PRODUCT_MANAGER)
    for actor in (engineer, requester_pm):
        with pytest.raises(PermissionDenied):
            services.request_rank(actor=actor, request=items["B"], before=items["A"], reason="mine first")
    assert backlog_titles(team) == ["A", "B"]


@pytest.mark.django_db(transaction=True)
def test_two_pms_reordering_at_once_lose_nothing():
    team = PlatformTeamFactory()
    pm1 = member_of(team, MemberRole.PRODUCT_MANAGER)
    pm2 = member_of(team, MemberRole.LEAD)
    items = make_backlog(team)
    errors = []

    def move(actor, request, reason, **where):
        try:
            services.request_rank(actor=actor, request=request, reason=reason, **where)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(pm1, items["E"], "top priority"), kwargs={"before": items["A"]}),
        threading.Thread(target=move, args=(pm2, items["A"], "after C"), kwargs={"after": items["C"]}),
    ]
    # Hold the backlog's row locks so both PMs queue up on them, then let them race.
    with transaction.atomic():
        list(ModelRequest.objects.filter(delivering_team=team).select_for_update())
        for thread in threads:
            thread.start()
        time.sleep(0.5)
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    order = backlog_titles(team)
    # Either serial order is fine; both moves must be in it.
    assert order in (list("EBCAD"), list("BCEAD")), order
    # only the two moved requests are pinned, at the ranks the second mover saw them
    assert pins(team) in ([("E", 1), ("A", 4)], [("E", 3), ("A", 4)])
    reasons = dict(ModelRequest.objects.filter(delivering_team=team).values_list("title", "rank_reason"))
    assert reasons["E"] == "top priority" and reasons["A"] == "after C"
