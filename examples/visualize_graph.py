"""Draw computation graphs with ``autograd.viz``: the pictures of the lecture notes.

1. ``scalar_expression``: L = (a b + c) f with values and gradients on every node
   (micrograd style: intermediates call ``retain_grad()`` so their ``.grad`` is kept),
   and ``scalar_expression_backward``, the same graph with the gradient on every edge.
2. ``hidden_layer_forward`` / ``hidden_layer_backward``: the one-hidden-layer network
   (sigmoid hidden layer, linear output, L = 1/2 sum (y - y_hat)^2). The backward view
   writes on each edge the gradient it carries: the two inputs of an addition get the
   same g ("add distributes"), the inputs of a matmul get g W^T and X^T g ("matmul
   switches"), and the bias gradient is g summed over the batch.
3. ``mlp_clusters``: a 4-8-8-3 ``nn.Sequential`` MLP with a cross-entropy loss, its
   parameters grouped in one box per layer (``model=``), values summarised by
   mean/min/max and gradient norms.

Each picture is saved as SVG and PNG (both need Graphviz's ``dot`` program; without it
the DOT sources are written as .gv files, the install hint is printed and the program
still ends normally); summary.json lists the pictures, the formats written and the
gradients of the scalar expression. Nothing is trained, so ``--quick`` draws the same
pictures.

    python -m examples.visualize_graph [--out out/visualize_graph] [--formats svg png]
                                       [--seed 0] [--quick]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import autograd as ag
from autograd import viz

from ._common import make_parser, output_folder, run, write_summary

__all__ = ["scalar_tensors", "scalar_expression", "hidden_layer", "mlp_clusters",
           "save_pictures", "main"]


def scalar_tensors() -> dict[str, ag.Tensor]:
    """L = (a b + c) f after its backward: every tensor named, every gradient kept."""
    a = ag.Tensor(2.0, requires_grad=True, name="a")
    b = ag.Tensor(-3.0, requires_grad=True, name="b")
    c = ag.Tensor(10.0, requires_grad=True, name="c")
    f = ag.Tensor(-2.0, requires_grad=True, name="f")
    e = a * b
    d = e + c
    L = d * f
    for t, name in ((e, "e"), (d, "d"), (L, "L")):
        t.name = name
        t.retain_grad()
    L.backward(retain_graph=True)  # keep the graph to draw it
    return {t.name: t for t in (a, b, c, f, e, d, L)}


def scalar_expression() -> tuple[Any, Any]:
    """L = (a b + c) f with values and gradients; forward and backward drawings."""
    L = scalar_tensors()["L"]
    return (viz.draw_graph(L, title="L = (a b + c) f: values and gradients"),
            viz.draw_backward(L, title="Backward: + passes g to both inputs, "
                                       "* sends each input g times the other"))


def hidden_layer(rng: np.random.Generator) -> tuple[Any, Any]:
    """The lecture notes' network on a batch of two samples, forward and backward."""
    x = ag.Tensor(rng.normal(size=(2, 2)).round(2))
    y = ag.Tensor(np.array([[1.0], [0.0]]))
    W1 = ag.Tensor(rng.normal(size=(2, 3)).round(2), requires_grad=True)
    b1 = ag.Tensor(np.array([0.1, -0.2, 0.3]), requires_grad=True)
    W2 = ag.Tensor(rng.normal(size=(3, 1)).round(2), requires_grad=True)
    b2 = ag.Tensor(np.array([0.05]), requires_grad=True)
    xW1 = x @ W1
    z = xW1 + b1
    h = z.sigmoid()
    hW2 = h @ W2
    y_hat = hW2 + b2
    residual = y - y_hat
    L = 0.5 * (residual ** 2).sum()
    L.backward(retain_graph=True)  # keep the graph to draw it
    names = {"x": x, "y": y, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "xW1": xW1, "z": z,
             "h": h, "hW2": hW2, "y_hat": y_hat, "y - y_hat": residual, "L": L}
    forward = viz.draw_graph(L, names=names, rankdir="TB",
                             title="One hidden layer: forward pass (grads of parameters)")
    backward = viz.draw_backward(L, names=names, rankdir="TB",
                                 title="Backward pass: add distributes, matmul switches")
    return forward, backward


def mlp_clusters(rng: np.random.Generator) -> Any:
    """A 4-8-8-3 tanh MLP on a batch of 16 with a cross-entropy loss; parameters grouped
    by layer. Uses ``nn`` (``model=`` names the parameters) when it is importable, else
    the same network from plain tensors with dotted ``names=``."""
    sizes = [4, 8, 8, 3]
    x = ag.Tensor(rng.normal(size=(16, sizes[0])))
    labels = rng.integers(0, sizes[-1], size=16)
    try:
        import nn
    except ImportError:
        nn = None
    if all(hasattr(nn, name) for name in ("Sequential", "Linear", "Tanh", "CrossEntropyLoss")):
        model = nn.Sequential({"hidden1": nn.Linear(4, 8, rng=rng), "act1": nn.Tanh(),
                               "hidden2": nn.Linear(8, 8, rng=rng), "act2": nn.Tanh(),
                               "output": nn.Linear(8, 3, rng=rng)})
        loss = nn.CrossEntropyLoss()(model(x), labels)
        loss.backward(retain_graph=True)  # keep the graph to draw it
        return viz.draw_graph(loss, model=model, names={"x": x, "loss": loss},
                              rankdir="TB", title="MLP 4-8-8-3: parameters grouped by layer")
    names: dict[str, ag.Tensor] = {"x": x}
    h = x
    layer_names = ["hidden1", "hidden2", "output"]
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = ag.Tensor(rng.normal(size=(n_in, n_out)) / np.sqrt(n_in), requires_grad=True)
        b = ag.Tensor(np.zeros(n_out), requires_grad=True)
        names[f"{layer_names[i]}.weight"], names[f"{layer_names[i]}.bias"] = W, b
        h = h @ W + b
        if i < len(sizes) - 2:
            h = h.tanh()
    loss = -h.log_softmax(axis=1)[np.arange(16), labels].mean()
    loss.backward(retain_graph=True)  # keep the graph to draw it
    names["loss"] = loss
    return viz.draw_graph(loss, names=names, rankdir="TB",
                          title="MLP 4-8-8-3: parameters grouped by layer")


def save_pictures(pictures: dict[str, Any], formats: list[str], out: Path) -> list[str]:
    """Save every picture in every format and return the formats written. Without
    Graphviz's ``dot`` only the DOT sources can be written: every picture is saved as
    ``.gv``, the install hint is printed and the result is ``["gv"]``."""
    for name, graph in pictures.items():
        for fmt in formats:
            try:
                path = viz.save_graph(graph, out / f"{name}.{fmt}")
            except viz.GraphvizNotFoundError as exc:
                print(exc)
                for other, source in pictures.items():  # keep every DOT source
                    print(f"  saved {viz.save_graph(source, out / f'{other}.gv').name}")
                return ["gv"]
            print(f"  saved {path.name}")
    return list(formats)


def main(argv: list[str] | None = None) -> dict:
    parser = make_parser(__doc__, "visualize_graph",
                         "(nothing is trained here: the same pictures)")
    parser.add_argument("--formats", nargs="+", default=["svg", "png"],
                        choices=["svg", "png", "pdf", "gv"], help="file formats to write")
    args = parser.parse_args(argv)
    try:
        import graphviz  # noqa: F401  (the drawing needs the optional package)
    except ImportError:
        raise SystemExit("This example draws with the graphviz package: "
                         'from a checkout: pip install -e ".[viz]"') from None
    out = output_folder(args.out)
    rng = np.random.default_rng(args.seed)
    scalar, scalar_backward = scalar_expression()
    gradients = {k: t.grad.item() for k, t in scalar_tensors().items() if k in ("a", "b", "c", "f")}
    forward, backward = hidden_layer(rng)
    pictures = {"scalar_expression": scalar, "scalar_expression_backward": scalar_backward,
                "hidden_layer_forward": forward, "hidden_layer_backward": backward,
                "mlp_clusters": mlp_clusters(rng)}
    formats = save_pictures(pictures, args.formats, out)
    summary = {"pictures": list(pictures), "formats": formats,
               "scalar_expression_gradients": gradients}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
