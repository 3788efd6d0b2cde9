"""Backpropagation by hand: the notes' one-hidden-layer network (sigmoid hidden layer,
linear output, L = 1/2 (y - y_hat)^2), every gradient worked out with the chain rule
in NumPy, printed beside the engine's ``backward()`` and a central finite difference
(notes 003 and 004 Q2-Q3, curriculum section 4).

Forward: z = x W1 + b1, h = sigmoid(z), y_hat = h W2 + b2, L = 1/2 sum (y - y_hat)^2.
Backward: g = y_hat - y; dW2 = h^T g; db2 = sum g; dh = g W2^T (matmul switches);
dz = dh * h (1 - h); dW1 = x^T dz; db1 = sum dz (addition distributes).
The finite difference (L(w + d) - L(w - d)) / 2d is the check, not the method.

Figures: gradient_check.png (every gradient element: by hand, engine, finite
difference, and their differences), graph_forward.png and graph_backward.png (the
computation graph drawn by ``autograd.viz``; needs Graphviz's ``dot`` program).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import autograd as ag

from ._common import make_parser, output_folder, pyplot, run, save_figure, write_summary

__all__ = ["network", "loss_fn", "by_hand", "engine_and_fd", "graphs", "draw_graphs", "plot",
           "main"]

PARAMETERS = ("W1", "b1", "W2", "b2")


def network(rng: np.random.Generator, batch: int) -> dict[str, np.ndarray]:
    """Inputs, targets and parameters of a 2-3-1 network, rounded to two decimals."""
    def draw(*shape: int) -> np.ndarray:
        return rng.normal(size=shape).round(2)
    return {"x": draw(batch, 2), "y": draw(batch, 1), "W1": draw(2, 3), "b1": draw(3),
            "W2": draw(3, 1), "b2": draw(1)}


def loss_fn(x: ag.Tensor, y: ag.Tensor, W1: ag.Tensor, b1: ag.Tensor, W2: ag.Tensor,
            b2: ag.Tensor) -> ag.Tensor:
    """L = 1/2 sum (y - (sigmoid(x W1 + b1) W2 + b2))^2."""
    y_hat = (x @ W1 + b1).sigmoid() @ W2 + b2
    return 0.5 * ((y - y_hat) ** 2).sum()


def by_hand(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The backward pass written out with the chain rule, printing each step."""
    z = v["x"] @ v["W1"] + v["b1"]
    h = 1.0 / (1.0 + np.exp(-z))
    y_hat = h @ v["W2"] + v["b2"]
    g = y_hat - v["y"]                          # dL/dy_hat
    steps = {"z = x W1 + b1": z, "h = sigmoid(z)": h, "y_hat = h W2 + b2": y_hat,
             "L = 1/2 sum (y - y_hat)^2": 0.5 * np.sum(g ** 2), "dL/dy_hat = y_hat - y": g}
    grads = {"W2": h.T @ g, "b2": g.sum(axis=0)}
    dh = g @ v["W2"].T                          # matmul switches: g W2^T
    dz = dh * h * (1.0 - h)                     # sigmoid' = h (1 - h)
    grads["W1"], grads["b1"] = v["x"].T @ dz, dz.sum(axis=0)
    steps.update({"dL/dh = g W2^T": dh, "dL/dz = dL/dh * h (1 - h)": dz})
    print("forward and backward by hand:")
    for name, value in steps.items():
        text = np.array2string(np.asarray(value), precision=4, separator=", ")
        print(f"  {name:<28} {' '.join(text.split())}")
    return grads


def engine_and_fd(v: dict[str, np.ndarray]) -> tuple[dict, dict, ag.Tensor, dict]:
    """Gradients from ``backward()`` and from central differences (eps 1e-6)."""
    tensors = {k: ag.Tensor(a.copy(), requires_grad=k in PARAMETERS, name=k)
               for k, a in v.items()}
    order = [tensors[k] for k in ("x", "y", *PARAMETERS)]
    loss = loss_fn(*order)
    loss.backward()
    engine = {k: tensors[k].grad.numpy() for k in PARAMETERS}
    estimates = ag.numerical_grad(loss_fn, order, [np.ones(())])
    fd = dict(zip(PARAMETERS, estimates[2:]))
    return engine, fd, loss, tensors


def graphs(v: dict[str, np.ndarray]) -> dict[str, Any]:
    """The forward and backward graphs (``graphviz.Digraph``) of one backward pass,
    kept with ``retain_graph=True`` so that the drawings show every op."""
    from autograd import viz
    t = {k: ag.Tensor(a.copy(), requires_grad=k in PARAMETERS) for k, a in v.items()}
    z = t["x"] @ t["W1"] + t["b1"]
    h = z.sigmoid()
    y_hat = h @ t["W2"] + t["b2"]
    loss = 0.5 * ((t["y"] - y_hat) ** 2).sum()
    loss.backward(retain_graph=True)  # keep the graph to draw it
    names = {**t, "z": z, "h": h, "y_hat": y_hat, "L": loss}
    return {"forward": viz.draw_graph(loss, names=names, rankdir="TB",
                                      title="forward: values (and parameter gradients)"),
            "backward": viz.draw_backward(loss, names=names, rankdir="TB",
                                          title="backward: the gradient each edge carries")}


def draw_graphs(v: dict[str, np.ndarray], out: Path) -> list[str]:
    """The forward and backward graphs as PNGs (skipped if Graphviz is missing)."""
    try:
        from autograd import viz
        import graphviz  # noqa: F401
    except ImportError:
        print("  graphviz (Python package) not installed: no graph pictures")
        return []
    saved, dot_missing = [], False
    for kind, graph in graphs(v).items():
        if dot_missing:  # keep this graph's DOT source too, as save_graph kept the first
            print(f"  saved {viz.save_graph(graph, out / f'graph_{kind}.gv').name}")
            continue
        try:
            path = viz.save_graph(graph, out / f"graph_{kind}.png")
        except viz.GraphvizNotFoundError as exc:
            print(f"  {exc}")
            dot_missing = True
            continue
        print(f"  saved {path.name}")
        saved.append(path.name)
    return saved


def plot(hand: dict, engine: dict, fd: dict, out: Path) -> None:
    plt = pyplot()
    labels, columns = [], {"by hand": [], "engine": [], "finite difference": []}
    for k in PARAMETERS:
        for index in np.ndindex(*hand[k].shape):
            labels.append(f"{k}{list(index)}")
            for name, source in zip(columns, (hand, engine, fd)):
                columns[name].append(source[k][index])
    x = np.arange(len(labels))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5.2), sharex=True)
    for shift, (name, values) in zip((-0.27, 0, 0.27), columns.items()):
        top.bar(x + shift, values, width=0.27, label=name)
    top.axhline(0, color="k", lw=0.6)
    top.set(ylabel="dL/dparameter", title="Every gradient three ways: they agree")
    top.legend()
    fd_values = np.array(columns["finite difference"])
    for name, marker in (("by hand", "o"), ("engine", "x")):
        error = np.abs(np.array(columns[name]) - fd_values)
        bottom.semilogy(x, np.maximum(error, 1e-17), marker, label=f"|{name} - finite diff.|")
    bottom.set(ylabel="absolute difference", title="Differences are at the finite-difference "
               "error (below 1e-10)")
    bottom.set_xticks(x, labels, rotation=60, fontsize=7)
    bottom.legend()
    save_figure(fig, out, "gradient_check")


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "backprop_by_hand").parse_args(argv)
    out = output_folder(args.out)
    values = network(np.random.default_rng(args.seed), batch=2)
    hand = by_hand(values)
    engine, fd, loss, _ = engine_and_fd(values)
    print(f"\n{'gradient':<9} {'by hand':>12} {'engine':>12} {'finite diff':>12} {'|hand-fd|':>10}")
    worst = 0.0
    for k in PARAMETERS:
        for index in np.ndindex(*hand[k].shape):
            h, e, f = hand[k][index], engine[k][index], fd[k][index]
            worst = max(worst, abs(h - f), abs(e - f))
            print(f"{k + str(list(index)):<9} {h:>12.8f} {e:>12.8f} {f:>12.8f} {abs(h - f):>10.1e}")
    plot(hand, engine, fd, out)
    graphs = draw_graphs(values, out)
    summary = {"loss": loss.item(), "max_abs_gradient_error": worst,
               "max_abs_hand_vs_engine": max(float(np.max(np.abs(hand[k] - engine[k])))
                                             for k in PARAMETERS),
               "graph_pictures": graphs}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
