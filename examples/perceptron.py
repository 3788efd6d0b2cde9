"""Perceptrons and logic gates: AND, NAND and OR with the notes' hand-picked weights,
the same gates learned by gradient descent, and XOR, which one layer cannot learn and
two layers can (notes 003, curriculum section 1).

A step perceptron computes y = [b + w1 x1 + w2 x2 > 0]. With the notes' weights
(AND 0.5, 0.5, b = -0.7; NAND -0.5, -0.5, 0.7; OR 0.5, 0.5, -0.2) it reproduces the
truth tables, and XOR = AND(NAND(x), OR(x)) needs a second layer. The step has no
useful gradient, so the trained versions use a sigmoid output and binary
cross-entropy: one neuron learns AND, NAND and OR but not XOR, and a 2-4-1 tanh
network learns XOR. For one neuron on XOR the cross-entropy is convex with its only
minimum at w = 0, b = 0 (there its gradient, the mean of (p - y)(x, 1), is zero): p =
0.5 on every row, loss log 2, no better than chance. Training ends within about 1e-3
of p = 0.5, so which side of 0.5 each row lands on is rounding noise: summary.json
records a learned row with |p - 0.5| < 0.01 as undecided (null), counts it as not right
in the accuracy, and gives the four probabilities beside it.
(A step neuron with a hand-placed line could get 3 of the 4 rows, never 4.)

Figures: hand_picked.png (decision regions of the notes' perceptrons), learned.png
(decision regions after training), loss.png (training curves).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from ._common import (make_parser, output_folder, progress, pyplot, run, save_figure,
                      write_summary)

__all__ = ["UNDECIDED_WITHIN", "step_perceptron", "hand_picked_tables", "train", "predict",
           "decide", "accuracy_of", "draw_regions", "main"]

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {"AND": (0.5, 0.5, -0.7), "NAND": (-0.5, -0.5, 0.7), "OR": (0.5, 0.5, -0.2)}
TARGETS = {"AND": [0, 0, 0, 1], "NAND": [1, 1, 1, 0], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
# a learned p this close to 0.5 decides nothing: one neuron on XOR ends within about 1e-3
# of it (the side is rounding noise), a learned gate at least 0.3 away
UNDECIDED_WITHIN = 0.01
UNDECIDED_NOTE = (f"null in learned_truth_tables: |p - 0.5| < {UNDECIDED_WITHIN}, so which "
                  "side of 0.5 the row lands on is rounding noise; the accuracies count such "
                  "a row as not right")


def step_perceptron(x: np.ndarray, w1: float, w2: float, b: float) -> np.ndarray:
    """y = [b + w1 x1 + w2 x2 > 0], computed with the engine's step activation."""
    return F.step(ag.Tensor(x) @ ag.Tensor([w1, w2]) + b).numpy()


def hand_picked_tables() -> dict[str, list[int]]:
    """Truth tables of the notes' gates and of the two-layer XOR = AND(NAND, OR)."""
    tables = {name: step_perceptron(INPUTS, *w) for name, w in GATES.items()}
    hidden = np.stack([tables["NAND"], tables["OR"]], axis=1)
    tables["XOR = AND(NAND, OR)"] = step_perceptron(hidden, *GATES["AND"])
    return {name: [int(v) for v in table] for name, table in tables.items()}


def train(model: nn.Module, target: list[int], steps: int, desc: str) -> list[float]:
    """Full-batch Adam on the four rows, binary cross-entropy on the logits."""
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    x, y = ag.Tensor(INPUTS), np.array(target, dtype=np.float64)[:, None]
    losses = []
    for _ in progress(range(steps), desc):
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """P(y = 1 | x) for a batch of points."""
    with ag.no_grad():
        return F.sigmoid(model(ag.Tensor(x))).numpy()[:, 0]


def decide(p: np.ndarray) -> list[int | None]:
    """The truth table of learned probabilities: 1 where p > 0.5, 0 where p < 0.5, and
    None (undecided) where |p - 0.5| < ``UNDECIDED_WITHIN``."""
    return [None if abs(v - 0.5) < UNDECIDED_WITHIN else int(v > 0.5) for v in p]


def accuracy_of(table: list[int | None], target: list[int]) -> float:
    """The fraction of rows decided and right (an undecided row is not right)."""
    return float(np.mean([row is not None and row == t for row, t in zip(table, target)]))


def draw_regions(ax: Any, probability: Callable[[np.ndarray], np.ndarray], title: str,
                 target: list[int], line: Any = None) -> None:
    """Colour the unit square by P(y = 1) and mark the four inputs with their targets."""
    grid = np.linspace(-0.5, 1.5, 121)
    gx, gy = np.meshgrid(grid, grid)
    p = probability(np.c_[gx.ravel(), gy.ravel()]).reshape(gx.shape)
    ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.contour(gx, gy, p, levels=[0.5], colors="k", linewidths=1)
    for (x1, x2), t in zip(INPUTS, target):
        ax.scatter(x1, x2, s=110, c="white" if t == 0 else "k", edgecolors="k", zorder=3)
    ax.set(title=title, xlabel="x1", ylabel="x2", xlim=(-0.5, 1.5), ylim=(-0.5, 1.5),
           aspect="equal")
    ax.grid(False)


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "perceptron").parse_args(argv)
    out = output_folder(args.out)
    rng = nn.manual_seed(args.seed)
    steps = 300 if args.quick else 3000
    plt = pyplot()

    tables = hand_picked_tables()
    print("hand-picked step perceptrons (notes 003):")
    print("x1 x2 | " + " | ".join(tables))
    for row, (x1, x2) in enumerate(INPUTS):
        print(f" {x1:.0f}  {x2:.0f} | " + " | ".join(f"{tables[n][row]:^{len(n)}}" for n in tables))

    fig, axes = plt.subplots(1, 4, figsize=(11, 3.1))
    for ax, (name, w) in zip(axes, GATES.items()):
        draw_regions(ax, lambda x, w=w: step_perceptron(x, *w), f"{name}: w={w[:2]}, b={w[2]}",
                     TARGETS[name])
    hidden = lambda x: np.stack([step_perceptron(x, *GATES["NAND"]),  # noqa: E731
                                 step_perceptron(x, *GATES["OR"])], axis=1)
    draw_regions(axes[3], lambda x: step_perceptron(hidden(x), *GATES["AND"]),
                 "XOR = AND(NAND, OR)", TARGETS["XOR"])
    fig.suptitle("Hand-picked step perceptrons: red region = output 1, blue = output 0; "
                 "dots = the truth table (black 1, white 0)")
    save_figure(fig, out, "hand_picked")

    models = {name: nn.Linear(2, 1, rng=rng) for name in ("AND", "NAND", "OR", "XOR")}
    models["XOR (2-4-1)"] = nn.Sequential(nn.Linear(2, 4, rng=rng), nn.Tanh(),
                                          nn.Linear(4, 1, rng=rng))
    histories, learned = {}, {}
    for name, model in models.items():
        target = TARGETS[name.split()[0]]
        histories[name] = train(model, target, steps, f"train {name}")
        learned[name] = decide(predict(model, INPUTS))
    accuracy = {name: accuracy_of(learned[name], TARGETS[name.split()[0]]) for name in learned}
    xor_p = predict(models["XOR"], INPUTS)
    xor_spread = float(np.max(np.abs(xor_p - 0.5)))
    print(f"one neuron on XOR: p = {np.round(xor_p, 4).tolist()} (at most {xor_spread:.1e} "
          f"from 0.5), loss {histories['XOR'][-1]:.6f}. The minimum is p = 0.5 on every row, "
          f"loss log 2 = {np.log(2):.6f},\nso which side of 0.5 a row lands on is rounding "
          f"noise (the summary records a row within {UNDECIDED_WITHIN} of 0.5 as undecided, "
          f"null): one neuron is no better than chance")

    fig, axes = plt.subplots(1, 5, figsize=(13.5, 3.1))
    for ax, (name, model) in zip(axes, models.items()):
        layers = "one neuron" if name in GATES or name == "XOR" else "two layers"
        result = (f"p = 0.5 +- {xor_spread:.0e} on every row" if name == "XOR"
                  else f"accuracy {accuracy[name]:.0%}")
        draw_regions(ax, lambda x, m=model: predict(m, x), f"{name}, {layers}\n{result}",
                     TARGETS[name.split()[0]])
    fig.suptitle("Learned by gradient descent: colour = P(y = 1) from blue (0) to red (1), "
                 "line = 0.5 boundary; dots = the truth table (black 1, white 0)")
    save_figure(fig, out, "learned")

    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    for name, losses in histories.items():
        ax.semilogy(losses, label=name)
    ax.axhline(np.log(2), color="gray", ls=":", label="log 2 (p = 0.5 everywhere)")
    ax.set(xlabel="Adam step", ylabel="binary cross-entropy",
           title="One neuron learns AND/NAND/OR, not XOR")
    # below the axes: inside, the legend hid the two-layer XOR curve (steps 1000-1900)
    ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    save_figure(fig, out, "loss")

    summary = {"truth_tables": tables, "learned_truth_tables": learned,
               "learned_truth_tables_null_means": UNDECIDED_NOTE,
               "xor_one_layer_accuracy": accuracy["XOR"],
               "xor_one_layer_probabilities": xor_p,
               "xor_one_layer_max_abs_p_minus_half": xor_spread,
               "xor_one_layer_loss": histories["XOR"][-1],
               "xor_two_layer_accuracy": accuracy["XOR (2-4-1)"]}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
