"""XOR with the engine alone: logic gates as perceptrons, then a two-layer network that
learns XOR by gradient descent (lecture notes, topic 1).

A perceptron with a step activation computes AND, NAND and OR with hand-picked weights,
and XOR = AND(NAND(x), OR(x)) needs two layers. Here a 2-8-1 network with tanh hidden
units and a sigmoid output learns XOR from its truth table: binary cross-entropy, plain
gradient descent, every gradient from ``backward()``. Prints the truth tables and the
loss curve's end points and writes them to summary.json; saves the loss curve and the
learned decision surface as PNGs when matplotlib is installed.

    python -m examples.xor [--steps 2000] [--lr 0.5] [--hidden 8] [--quick] [--seed 0]
                           [--out out/xor]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import autograd as ag

from ._common import (MissingExtraError, make_parser, output_folder, positive_float,
                      positive_int, pyplot, run, save_figure, write_summary)

__all__ = ["perceptron", "hand_made_gates", "init_params", "forward", "bce_with_logits",
           "train", "save_pictures", "main"]

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR = np.array([[0.0], [1.0], [1.0], [0.0]])
GATES = {"AND": (0.5, 0.5, -0.7), "NAND": (-0.5, -0.5, 0.7), "OR": (0.5, 0.5, -0.2)}


def perceptron(x: ag.Tensor, w1: float, w2: float, b: float) -> ag.Tensor:
    """y = [b + w1 x1 + w2 x2 > 0] (step activation: no useful gradient, so no learning)."""
    return (x @ ag.Tensor([[w1], [w2]]) + b > 0).astype(np.float64)


def hand_made_gates() -> dict[str, list[int]]:
    """Print and return the truth tables of the hand-picked gates and of XOR."""
    x = ag.Tensor(INPUTS)
    columns = {name: perceptron(x, *weights) for name, weights in GATES.items()}
    columns["XOR = AND(NAND, OR)"] = perceptron(
        ag.concatenate([columns["NAND"], columns["OR"]], axis=1), *GATES["AND"])
    print("Perceptrons with hand-picked weights (lecture notes, topic 1):")
    print("x1 x2 | " + " | ".join(columns))
    for row in range(4):
        cells = [f"{int(columns[name].numpy()[row, 0]):^{len(name)}}" for name in columns]
        print(f" {int(INPUTS[row, 0])}  {int(INPUTS[row, 1])} | " + " | ".join(cells))
    return {name: [int(v) for v in column.numpy()[:, 0]] for name, column in columns.items()}


def init_params(seed: int, hidden: int) -> dict[str, ag.Tensor]:
    rng = np.random.default_rng(seed)
    return {
        "W1": ag.Tensor(rng.normal(0, 1, (2, hidden)), requires_grad=True, name="W1"),
        "b1": ag.Tensor(np.zeros(hidden), requires_grad=True, name="b1"),
        "W2": ag.Tensor(rng.normal(0, 1, (hidden, 1)), requires_grad=True, name="W2"),
        "b2": ag.Tensor(np.zeros(1), requires_grad=True, name="b2"),
    }


def forward(p: dict[str, ag.Tensor], x: ag.Tensor) -> ag.Tensor:
    """Logits of P(XOR = 1 | x): tanh(x W1 + b1) W2 + b2."""
    return (x @ p["W1"] + p["b1"]).tanh() @ p["W2"] + p["b2"]


def bce_with_logits(z: ag.Tensor, y: np.ndarray) -> ag.Tensor:
    """mean(log(1 + e^z) - y z), written stably as max(z, 0) - y z + log(1 + e^-|z|)."""
    return (ag.maximum(z, 0.0) - z * y + (1 + (-z.abs()).exp()).log()).mean()


def train(steps: int, lr: float, seed: int, hidden: int) -> tuple[dict, list[float]]:
    p = init_params(seed, hidden)
    x = ag.Tensor(INPUTS)
    losses = []
    for _ in range(steps):
        loss = bce_with_logits(forward(p, x), XOR)
        for t in p.values():
            t.zero_grad()
        loss.backward()
        with ag.no_grad():
            for t in p.values():
                t.data -= lr * t.grad.numpy()  # gradient descent on the live arrays
        losses.append(loss.item())
    return p, losses


def save_pictures(p: dict, losses: list[float], out: Path) -> list[Path]:
    """loss.png and decision_surface.png (none, with a note, without matplotlib)."""
    try:
        plt = pyplot()
    except MissingExtraError as exc:
        print(f"no pictures: {exc}")
        return []
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.semilogy(losses)
    ax.set(xlabel="step", ylabel="binary cross-entropy", title="Learning XOR")
    saved = [save_figure(fig, out, "loss")]
    grid = np.linspace(-0.25, 1.25, 151)
    gx, gy = np.meshgrid(grid, grid)
    with ag.no_grad():
        z = forward(p, ag.Tensor(np.c_[gx.ravel(), gy.ravel()])).sigmoid()
    fig, ax = plt.subplots(figsize=(4.5, 4))
    image = ax.contourf(gx, gy, z.numpy().reshape(gx.shape), levels=20, cmap="RdBu_r")
    ax.scatter(INPUTS[:, 0], INPUTS[:, 1], c="white", edgecolors="k", s=160, zorder=3)
    for (x1, x2), target in zip(INPUTS, XOR[:, 0]):
        ax.annotate(f"{int(target)}", (x1, x2), ha="center", va="center", zorder=4)
    fig.colorbar(image, label="P(XOR = 1)")
    ax.set(xlabel="x1", ylabel="x2", title="Learned decision surface")
    ax.grid(False)
    saved.append(save_figure(fig, out, "decision_surface"))
    return saved


def main(argv: list[str] | None = None) -> dict:
    parser = make_parser(__doc__, "xor")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="gradient steps (default 2000; 300 with --quick)")
    parser.add_argument("--lr", type=positive_float, default=0.5,
                        help="learning rate (default 0.5)")
    parser.add_argument("--hidden", type=positive_int, default=8,
                        help="hidden units (default 8)")
    args = parser.parse_args(argv)
    out = output_folder(args.out)
    steps = (300 if args.quick else 2000) if args.steps is None else args.steps

    tables = hand_made_gates()
    p, losses = train(steps, args.lr, args.seed, args.hidden)
    print(f"\nTrained a 2-{args.hidden}-1 network for {steps} steps (lr {args.lr}):")
    print(f"loss: first step {losses[0]:.4f}, last step {losses[-1]:.6f}")
    with ag.no_grad():
        probs = forward(p, ag.Tensor(INPUTS)).sigmoid().numpy()[:, 0]
    print("x1 x2 | target | P(1)   | predicted")
    for (x1, x2), target, prob in zip(INPUTS, XOR[:, 0], probs):
        print(f" {int(x1)}  {int(x2)} |   {int(target)}    | {prob:.4f} |     {int(prob > 0.5)}")
    correct = int(np.sum((probs > 0.5) == (XOR[:, 0] > 0.5)))
    print(f"{correct}/4 rows correct")
    save_pictures(p, losses, out)
    summary = {"truth_tables": tables, "steps": steps, "first_loss": losses[0],
               "final_loss": losses[-1], "probabilities": probs, "rows_correct": correct}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
