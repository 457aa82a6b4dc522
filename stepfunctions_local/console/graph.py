"""The workflow picture's nodes and edges, from the ASL, as the AWS console draws it.

Start and End circles; a Parallel or Map is a box holding its own header node, its branches
(Parallel: one box each) or item processor, and a join node where its branches meet and from
which its Next and Catch edges leave. The browser lays this out (dagre) and draws it; outcomes
and the path taken come from ``outcomes.py``.
"""
from __future__ import annotations

from typing import Any, TypedDict

START, END = "start", "end"


class Node(TypedDict):
    id: str
    label: str
    kind: str  # an ASL state type, "Start", "End", "Join", "Box" or "Branch"
    state: str | None  # the state it stands for
    parent: str | None  # the box it is drawn in


class Edge(TypedDict):
    source: str
    target: str
    kind: str  # "next", "choice", "default", "catch", "branch", "end"
    # The state transition this edge stands for, for marking the path taken:
    # (from state, to state); None at either end means the execution's start or end.
    transition: tuple[str | None, str | None]


def state_id(name: str) -> str:
    return f"state:{name}"


def join_id(name: str) -> str:
    return f"join:{name}"


class Picture:
    def __init__(self, definition: dict) -> None:
        self._joins: set[str] = set()  # Parallel and Map states: their edges leave from their join node
        self.nodes: list[Node] = [_node(START, "Start", "Start", None, None)]
        self.edges: list[Edge] = []
        first, ends = self._program(definition, None)
        self.nodes.append(_node(END, "End", "End", None, None))
        self.edges.append(_edge(START, state_id(first), "next", (None, first)))
        for end in ends:
            self.edges.append(_edge(self._exit(end), END, "end", (end, None)))

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": [{**edge, "transition": list(edge["transition"])}
                                               for edge in self.edges]}

    def _program(self, program: dict, parent: str | None) -> tuple[str, list[str]]:
        """Adds a program's states; returns its StartAt and the states that end it (End or Succeed)."""
        states: dict[str, dict] = program.get("States") or {}
        ends = []
        for name, body in states.items():
            kind = body.get("Type", "?")
            if kind in ("Parallel", "Map"):
                self._container(name, kind, body, parent)
            else:
                self.nodes.append(_node(state_id(name), name, kind, name, parent))
            if body.get("End") is True or kind == "Succeed":
                ends.append(name)
            for target, edge_kind in transitions(body):
                self.edges.append(_edge(self._exit(name), state_id(target), edge_kind, (name, target)))
        return program.get("StartAt", ""), ends

    def _container(self, name: str, kind: str, body: dict, parent: str | None) -> None:
        box = f"box:{name}"
        self.nodes.append(_node(box, name, "Box", name, parent))
        self.nodes.append(_node(state_id(name), name, kind, name, box))
        if kind == "Parallel":
            programs = body.get("Branches") or []
        else:
            programs = [body.get("ItemProcessor") or body.get("Iterator") or {}]
        for index, program in enumerate(programs):
            holder = box
            if kind == "Parallel":
                holder = f"branch:{name}:{index}"
                self.nodes.append(_node(holder, f"Branch {index + 1}", "Branch", None, box))
            first, ends = self._program(program, holder)
            self.edges.append(_edge(state_id(name), state_id(first), "branch", (name, first)))
            for end in ends:
                self.edges.append(_edge(self._exit(end), join_id(name), "branch", (end, name)))
        self.nodes.append(_node(join_id(name), "", "Join", name, box))
        self._joins.add(name)

    def _exit(self, name: str) -> str:
        return join_id(name) if name in self._joins else state_id(name)


def transitions(body: dict) -> list[tuple[str, str]]:
    """(target, kind) for every way out of a state: Next, Choices, Default, Catch."""
    found = []
    if isinstance(body.get("Next"), str):
        found.append((body["Next"], "next"))
    for choice in body.get("Choices") or []:
        if isinstance(choice, dict) and isinstance(choice.get("Next"), str):
            found.append((choice["Next"], "choice"))
    if isinstance(body.get("Default"), str):
        found.append((body["Default"], "default"))
    for catcher in body.get("Catch") or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            found.append((catcher["Next"], "catch"))
    return found


def all_states(program: dict) -> dict[str, dict]:
    """Every state of a definition by name, inside Parallel branches and Map processors too."""
    found: dict[str, dict] = {}
    for name, body in (program.get("States") or {}).items():
        found[name] = body
        for inner in body.get("Branches") or []:
            found.update(all_states(inner))
        processor = body.get("ItemProcessor") or body.get("Iterator")
        if isinstance(processor, dict):
            found.update(all_states(processor))
    return found


def _node(node_id: str, label: str, kind: str, state: str | None, parent: str | None) -> Node:
    return {"id": node_id, "label": label, "kind": kind, "state": state, "parent": parent}


def _edge(source: str, target: str, kind: str, transition: tuple[str | None, str | None]) -> Edge:
    return {"source": source, "target": target, "kind": kind, "transition": transition}
