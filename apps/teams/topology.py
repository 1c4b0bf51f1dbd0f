"""Positions for the topology drawing: one row per team type, stream-aligned teams grouped by stream."""

from dataclasses import dataclass

from apps.teams.models import Interaction, Team, TeamType

WIDTH = 1440
NODE_W, NODE_H = 160, 46
ROW_GAP = 120
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


def _border_point(node: Node, towards: Node) -> tuple[float, float]:
    """Where the line from ``node``'s centre towards ``towards`` leaves ``node``'s box."""
    dx, dy = towards.cx - node.cx, towards.cy - node.cy
    if dx == 0 and dy == 0:
        return node.cx, node.cy
    scale = min(NODE_W / 2 / abs(dx) if dx else float("inf"), NODE_H / 2 / abs(dy) if dy else float("inf"))
    return node.cx + dx * scale, node.cy + dy * scale


@dataclass
class Edge:
    interaction: Interaction
    source: Node
    target: Node

    @property
    def start(self) -> tuple[float, float]:
        return _border_point(self.source, self.target)

    @property
    def end(self) -> tuple[float, float]:
        return _border_point(self.target, self.source)


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
        if interaction.from_team_id in nodes and interaction.to_team_id in nodes
    ]
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
