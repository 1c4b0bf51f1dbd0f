"""Positions for the topology drawing: one row per team type, stream-aligned teams grouped by stream."""

from collections import defaultdict
from dataclasses import dataclass, field

from apps.teams.models import Interaction, Team, TeamType

WIDTH = 1440
NODE_W, NODE_H = 160, 46
ROW_GAP = 140
TOP = 40
ROWS = [
    TeamType.ENABLING,
    TeamType.STREAM_ALIGNED,
    TeamType.COMPLICATED_SUBSYSTEM,
    TeamType.PLATFORM,
    TeamType.UNDEFINED,
]


@dataclass
class Node:
    team: Team
    x: float
    y: float

    @property
    def cx(self) -> float:
        return self.x + NODE_W / 2

    @property
    def cy(self) -> float:
        return self.y + NODE_H / 2


# Edges run orthogonally in the channels between the rows and down the gaps between boxes, never
# behind a team box: each edge leaves its team's box on the side facing the other team, at its own
# point along that side, runs in its own lane of the channel, and crosses rows where no box stands.
MARGIN = 8  # how close a vertical run may pass a box
LEFT, RIGHT = -20, WIDTH + 20  # how far outside the rows an edge may run (the row labels are further left)


@dataclass
class Edge:
    interaction: Interaction
    source: Node
    target: Node
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in self.points)

    @property
    def start(self) -> tuple[float, float]:
        return self.points[0]

    @property
    def end(self) -> tuple[float, float]:
        return self.points[-1]


def _free_x(rows: list[list[Node]], wanted: float) -> float:
    """The x nearest ``wanted`` where a vertical run crosses every row of ``rows`` between boxes."""
    blocked = sorted((n.x - MARGIN, n.x + NODE_W + MARGIN) for row in rows for n in row)
    free, at = [], LEFT
    for low, high in blocked:
        if low > at:
            free.append((at, low))
        at = max(at, high)
    if at < RIGHT:
        free.append((at, RIGHT))
    if not free:
        return RIGHT
    low, high = min(
        free,
        key=lambda gap: 0 if gap[0] <= wanted <= gap[1] else min(abs(gap[0] - wanted), abs(gap[1] - wanted)),
    )
    return min(max(wanted, low + 4), high - 4) if high - low > 8 else (low + high) / 2


def _route(edges: list[Edge], rows: list[list[Node]], row_of: dict[int, int]) -> None:
    """Fill in each edge's points (see the comment above ``Edge``)."""
    # 1. where each edge meets each of its boxes: side and order along it
    ends: dict[tuple[int, str], list[tuple[float, Edge, str]]] = defaultdict(list)
    plans = []
    for edge in edges:
        a, b = edge.source, edge.target
        ra, rb = row_of[a.team.pk], row_of[b.team.pk]
        row = rows[ra]
        if ra == rb:
            between = [n for n in row if min(a.cx, b.cx) < n.cx < max(a.cx, b.cx)]
            if not between:  # neighbours: straight across
                plans.append((edge, "across", None))
                continue
            side_a = side_b = "top" if ra > 0 or len(rows) == 1 else "bottom"
        else:
            side_a, side_b = ("bottom", "top") if ra < rb else ("top", "bottom")
        ends[(a.team.pk, side_a)].append((b.cx, edge, "source"))
        ends[(b.team.pk, side_b)].append((a.cx, edge, "target"))
        plans.append((edge, side_a, side_b))
    anchor: dict[tuple[int, str], float] = {}
    for (_, _side), items in ends.items():
        items.sort(key=lambda item: item[0])
        for i, (_, edge, which) in enumerate(items):
            node = edge.source if which == "source" else edge.target
            anchor[(id(edge), which)] = node.x + NODE_W * (i + 1) / (len(items) + 1)

    # 2. the channel segments each edge needs, then one lane per segment in its channel
    def channel_bounds(channel: int) -> tuple[float, float]:
        """Channel k lies above row k (k = len(rows): below the last row)."""
        top = rows[channel - 1][0].y + NODE_H if channel > 0 else 0
        bottom = rows[channel][0].y if channel < len(rows) else top + ROW_GAP - NODE_H
        if channel > 0 and rows[channel - 1][0].team.team_type == TeamType.STREAM_ALIGNED:
            top += 24  # clear of the stream names under the stream-aligned row
        return top + 6, bottom - 6

    lanes: dict[int, list[Edge]] = defaultdict(list)
    routes = []
    for edge, side_a, _side_b in plans:
        a, b = edge.source, edge.target
        if side_a == "across":
            left, right = (a, b) if a.cx < b.cx else (b, a)
            points = [(left.x + NODE_W, left.cy), (right.x, right.cy)]
            edge.points = points if left is a else points[::-1]
            continue
        ra, rb = row_of[a.team.pk], row_of[b.team.pk]
        xa, xb = anchor[(id(edge), "source")], anchor[(id(edge), "target")]
        if ra == rb:
            channel = ra if side_a == "top" else ra + 1
            routes.append((edge, "same", channel, xa, xb))
            lanes[channel].append(edge)
            continue
        upper, lower = min(ra, rb), max(ra, rb)
        first, last = upper + 1, lower  # the channels below the upper row and above the lower one
        lanes[first].append(edge)
        if last != first:
            lanes[last].append(edge)
        routes.append((edge, "down", (first, last, upper, lower), xa, xb))
    lane_y: dict[tuple[int, int], float] = {}
    for channel, members in lanes.items():
        top, bottom = channel_bounds(channel)
        members.sort(key=lambda e: min(e.source.cx, e.target.cx))
        for i, edge in enumerate(members):
            lane_y[(channel, id(edge))] = top + (bottom - top) * (i + 1) / (len(members) + 1)

    # 3. the points
    crossings: list[float] = []
    for edge, kind, where, xa, xb in routes:
        a, b = edge.source, edge.target
        if kind == "same":
            y = lane_y[(where, id(edge))]
            edge_y = a.y if y < a.y else a.y + NODE_H
            edge.points = [(xa, edge_y), (xa, y), (xb, y), (xb, edge_y)]
            continue
        first, last, upper, lower = where
        top_node, bottom_node = (a, b) if row_of[a.team.pk] == upper else (b, a)
        x_top, x_bottom = (xa, xb) if top_node is a else (xb, xa)
        y1 = lane_y[(first, id(edge))]
        points = [(x_top, top_node.y + NODE_H), (x_top, y1)]
        if last == first:
            points += [(x_bottom, y1)]
        else:
            crossed = rows[upper + 1 : lower]
            crossing = _free_x(crossed, (x_top + x_bottom) / 2)
            for step in (6, -6, 12, -12, 18, -18):  # not on top of another edge's run
                if all(abs(crossing - other) >= 5 for other in crossings):
                    break
                crossing = _free_x(crossed, crossing + step)
            crossings.append(crossing)
            y2 = lane_y[(last, id(edge))]
            points += [(crossing, y1), (crossing, y2), (x_bottom, y2)]
        points.append((x_bottom, bottom_node.y))
        edge.points = points if top_node is a else points[::-1]


def layout(teams: list[Team], interactions: list[Interaction]) -> dict:
    by_type: dict[str, list[Team]] = {row: [] for row in ROWS}
    for team in sorted(teams, key=lambda t: ((t.value_stream.name if t.value_stream else ""), t.name)):
        by_type[team.team_type].append(team)
    nodes: dict[int, Node] = {}
    rows = [row for row in ROWS if by_type[row]]
    for row_index, row in enumerate(rows):
        members = by_type[row]
        step = WIDTH / len(members)
        for i, team in enumerate(members):
            nodes[team.pk] = Node(team, x=step * i + (step - NODE_W) / 2, y=TOP + row_index * ROW_GAP)
    stream_labels = _stream_labels([nodes[t.pk] for t in by_type[TeamType.STREAM_ALIGNED]])
    edges = [
        Edge(interaction, nodes[interaction.from_team_id], nodes[interaction.to_team_id])
        for interaction in interactions
        if interaction.from_team_id in nodes
        and interaction.to_team_id in nodes
        and interaction.from_team_id != interaction.to_team_id
    ]
    row_nodes = [[nodes[t.pk] for t in by_type[row]] for row in rows]
    _route(edges, row_nodes, {n.team.pk: i for i, row in enumerate(row_nodes) for n in row})
    return {
        "nodes": list(nodes.values()),
        "edges": edges,
        "width": WIDTH,
        "height": TOP * 2 + max(len(rows) - 1, 0) * ROW_GAP + NODE_H,
        "node_w": NODE_W,
        "node_h": NODE_H,
        "stream_labels": stream_labels,
        "row_labels": [(TeamType(row).label, TOP + i * ROW_GAP + NODE_H / 2) for i, row in enumerate(rows)],
    }


def _stream_labels(stream_aligned: list[Node]) -> list[tuple[str, float, float]]:
    """(stream name, x centre, y) under each run of stream-aligned teams serving the same stream."""
    groups: dict[str, list[Node]] = {}
    for node in stream_aligned:
        groups.setdefault(node.team.value_stream.name, []).append(node)
    return [
        (name, (members[0].x + members[-1].x + NODE_W) / 2, members[0].y + NODE_H + 16)
        for name, members in groups.items()
    ]
