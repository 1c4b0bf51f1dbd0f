"""Manual ranking: after/before placement with the reason kept, deterministic order, and two PMs
reordering at the same time on real PostgreSQL lose nothing."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from apps.modelrequests import selectors, services
from apps.modelrequests.models import ModelRequest, RequestStatus
from apps.teams.models import MemberRole
from tests.conftest import member_of
from tests.factories import PlatformTeamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs


def backlog_titles(team, method="rice"):
    return [r.title for r in selectors.backlog(ModelRequest.objects.all(), team=team, method=method)]


def make_backlog(team, titles="ABCDE"):
    # Scores descend A > B > C ...: the score order is the starting order.
    return {
        title: ModelRequestFactory(title=title, delivering_team=team, **rice_inputs(1000 - 100 * i))
        for i, title in enumerate(titles)
    }


@pytest.mark.django_db
def test_place_after_and_before_keeps_reason_and_overrides_score():
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    items = make_backlog(team)
    services.request_rank(actor=pm, request=items["E"], before=items["A"], reason="regulator deadline")
    assert backlog_titles(team) == list("EABCD")
    services.request_rank(actor=pm, request=items["A"], after=items["C"], reason="needs C's data")
    assert backlog_titles(team) == list("EBCAD")
    e = ModelRequest.objects.get(pk=items["E"].pk)
    assert (e.rank_reason, e.ranked_by, e.manual_rank) == ("regulator deadline", pm, 1)
    # a new, high-scoring request goes below the hand-placed ones until someone places it
    ModelRequestFactory(title="F", delivering_team=team, **rice_inputs(99999))
    assert backlog_titles(team) == list("EBCADF")
    services.backlog_reset_ranking(actor=pm, team=team)
    assert backlog_titles(team) == list("FABCDE")


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
def test_rank_within_a_filtered_view_counts_only_the_requests_shown():
    team = PlatformTeamFactory()
    pm = member_of(team, MemberRole.PRODUCT_MANAGER)
    items = make_backlog(team, "ABCDE")
    shown = ModelRequest.objects.filter(title__in=["B", "D", "E"])
    alone = ModelRequest.objects.filter(title="C")
    # E to the top of B, D, E (A and C keep their places), B to their bottom; C alone stays put
    for title, position, within, expected in [
        ("E", 1, shown, "AEBCD"),
        ("B", 3, shown, "AECDB"),
        ("C", 1, alone, "AECDB"),
    ]:
        services.request_rank(actor=pm, request=items[title], position=position, within=within, reason="x")
        assert backlog_titles(team) == list(expected), (title, position)


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
    ranks = sorted(ModelRequest.objects.filter(delivering_team=team).values_list("manual_rank", flat=True))
    assert ranks == [1, 2, 3, 4, 5]
    reasons = dict(ModelRequest.objects.filter(delivering_team=team).values_list("title", "rank_reason"))
    assert reasons["E"] == "top priority" and reasons["A"] == "after C"
