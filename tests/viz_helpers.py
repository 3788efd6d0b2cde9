"""Shared helpers of the ``autograd.viz`` tests (test_viz*.py): parse a graph's DOT
source, read labels, count a graph independently, and build the small graphs drawn."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import autograd as ag

__all__ = ["ROOT", "needs_dot", "rng", "parse", "label", "graph_size", "node_named",
           "scalar_expression", "hidden_layer"]

ROOT = Path(__file__).resolve().parent.parent
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's `dot` program is not on PATH")

NODE = re.compile(r"^\t+(\w+) \[(.*)\]$", re.M)
EDGE = re.compile(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def parse(graph) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Node id -> attribute text, and (tail, head, attribute text) per edge."""
    source = graph.source
    nodes = {m[1]: m[2] for m in NODE.finditer(source) if m[1] not in ("graph", "node", "edge")}
    edges = [(m[1], m[2], m[3] or "") for m in EDGE.finditer(source)]
    return nodes, edges


def label(attrs: str) -> str:
    """The label's text without HTML tags."""
    match = (re.search(r"label=<(.*)>(?: |$)", attrs) or re.search(r'label="(.*?)"', attrs)
             or re.search(r"label=(\w+)", attrs))
    if match is None:
        return ""
    text = "\n".join(line.strip() for line in re.sub(r"<[^>]*>", "\n", match[1]).split("\n")
                     if line.strip())
    return text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def graph_size(*roots: ag.Tensor) -> tuple[int, int, int]:
    """(tensors, ops, edges) of the graph behind ``roots``, counted independently."""
    seen, stack, ops, edges = set(), list(roots), 0, 0
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.grad_fn is not None:
            ops += 1
            edges += 1 + len(t.grad_fn.parents)
            stack.extend(t.grad_fn.parents)
    return len(seen), ops, edges


def node_named(nodes: dict[str, str], name: str) -> str:
    found = [attrs for attrs in nodes.values() if label(attrs).split("\n")[0] == name]
    assert len(found) == 1, f"{len(found)} nodes named {name!r}"
    return found[0]


def scalar_expression():
    a = ag.Tensor(2.0, requires_grad=True, name="a")
    b = ag.Tensor(-3.0, requires_grad=True, name="b")
    c = ag.Tensor(10.0, requires_grad=True, name="c")
    e = a * b
    d = e + c
    L = d * ag.Tensor(-2.0, name="f")
    e.name, d.name, L.name = "e", "d", "L"
    e.retain_grad()
    L.backward(retain_graph=True)
    return L


def hidden_layer(rng):
    x = ag.Tensor(rng.normal(size=(4, 2)))
    W1 = ag.Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    b1 = ag.Tensor(rng.normal(size=3), requires_grad=True)
    W2 = ag.Tensor(rng.normal(size=(3, 1)), requires_grad=True)
    h = (x @ W1 + b1).sigmoid()
    L = 0.5 * ((h @ W2 - 1.0) ** 2).sum()
    names = {"x": x, "W1": W1, "b1": b1, "W2": W2, "h": h, "L": L}
    return L, names
