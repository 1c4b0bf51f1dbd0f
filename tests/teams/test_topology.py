"""The topology's drawing: every interaction's line runs around the team boxes (never behind one, so a
line touches only the two teams it links), no two lines share a run, and each leaves and enters its
teams' boxes at their edges."""

import itertools

import pytest

from apps.teams.models import Interaction, InteractionMode, Team, TeamType
from apps.teams.topology import NODE_H, NODE_W, layout
from tests.factories import InteractionFactory, PlatformTeamFactory, TeamFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


def crosses(segment, node) -> bool:
    """Whether the horizontal or vertical segment runs through the inside of the node's box."""
    (x1, y1), (x2, y2) = segment
    left, right, top, bottom = node.x + 1, node.x + NODE_W - 1, node.y + 1, node.y + NODE_H - 1
    return min(x1, x2) < right and max(x1, x2) > left and min(y1, y2) < bottom and max(y1, y2) > top


def on_border(point, node) -> bool:
    x, y = point
    inside_x, inside_y = (
        node.x - 0.01 <= x <= node.x + NODE_W + 0.01,
        node.y - 0.01 <= y <= node.y + NODE_H + 0.01,
    )
    return (inside_x and y in (node.y, node.y + NODE_H)) or (inside_y and x in (node.x, node.x + NODE_W))


@pytest.fixture
def organisation():
    """Eight stream-aligned teams in four streams, two of each other type but one, and interactions
    between every kind of row: neighbours, far apart in one row, adjacent rows and across rows."""
    streams = [ValueStreamFactory() for _ in range(4)]
    aligned = [TeamFactory(value_stream=streams[i // 2]) for i in range(8)]
    platform = [PlatformTeamFactory() for _ in range(2)]
    subsystem = [PlatformTeamFactory(team_type=TeamType.COMPLICATED_SUBSYSTEM) for _ in range(2)]
    enabling = [PlatformTeamFactory(team_type=TeamType.ENABLING)]
    pairs = [(aligned[i], platform[i % 2]) for i in range(8)]  # across the subsystem row
    pairs += [(aligned[1], aligned[3]), (aligned[2], aligned[3]), (aligned[0], aligned[7])]  # one row
    pairs += [(aligned[6], subsystem[0]), (aligned[1], subsystem[1]), (platform[0], platform[1])]
    pairs += [(enabling[0], aligned[5]), (enabling[0], platform[1])]
    for source, target in pairs:
        InteractionFactory(from_team=source, to_team=target, mode=InteractionMode.COLLABORATION)
    return list(Team.objects.select_related("value_stream")), list(Interaction.objects.all())


def test_lines_run_around_the_boxes_and_never_share_a_run(organisation):
    teams, interactions = organisation
    diagram = layout(teams, interactions)
    assert len(diagram["edges"]) == len(interactions)
    runs = []
    for edge in diagram["edges"]:
        points = edge.points
        assert on_border(points[0], edge.source) and on_border(points[-1], edge.target), edge.points
        segments = list(itertools.pairwise(points))
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in segments)  # horizontal or vertical runs
        for node in diagram["nodes"]:
            behind = [segment for segment in segments if crosses(segment, node)]
            assert behind == [], f"{edge.interaction} passes behind {node.team}: {behind}"
        runs += [(edge, segment) for segment in segments if segment[0] != segment[1]]
    for (edge_a, (a1, a2)), (edge_b, (b1, b2)) in itertools.combinations(runs, 2):
        if edge_a is edge_b:
            continue
        same_line = (a1[1] == a2[1] == b1[1] == b2[1]) or (a1[0] == a2[0] == b1[0] == b2[0])
        if same_line:
            axis = 0 if a1[1] == a2[1] else 1
            overlap = min(max(a1[axis], a2[axis]), max(b1[axis], b2[axis])) - max(
                min(a1[axis], a2[axis]), min(b1[axis], b2[axis])
            )
            assert overlap <= 0, f"{edge_a.interaction} and {edge_b.interaction} share a run"


def test_the_page_draws_each_interaction_as_one_path_naming_its_two_teams(client, browser_login, outsider):
    source, target = TeamFactory(), PlatformTeamFactory()
    InteractionFactory(from_team=source, to_team=target)
    page = browser_login(client, outsider).get("/teams/topology/").content.decode()
    assert page.count('<path class="edge edge-x_as_a_service') == 1
    assert f'data-teams="{source.slug} {target.slug}"' in page
    assert "(current)</title>" in page
