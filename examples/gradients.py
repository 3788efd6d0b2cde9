"""Vanishing and exploding gradients: per-layer gradient norms of a deep network on
the digits, as sigmoid with the default init, ReLU with He init, + BatchNorm and +
residual connections, and gradient clipping (notes 001 and 004 Q5/Q11, curriculum
section 6).

The sigmoid's slope is at most 0.25, so ten sigmoid layers can shrink a gradient by
0.25^10 = 9.5e-7: the first layer hardly learns. ReLU (slope 1) with He init
N(0, 2 / n_in) keeps the scale; BatchNorm re-normalises each layer; a residual
y = F(x) + x gives the gradient a path that skips the block. A too-large init makes
gradients explode instead; clipping by norm rescales them all together, clipping by
value caps each entry.

Figures: grad_norms.png (gradient norm of every layer's weight at initialisation),
training.png (training loss and first-layer gradient norm per epoch),
clipping.png (an exploding network's gradients before and after clipping).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from nn.train import fit

from ._common import (load_digits, make_parser, output_folder, pyplot, require, run,
                      save_figure, write_summary)

__all__ = ["he_linear", "build", "weight_grad_norms", "backward_once", "train", "clipping",
           "sigmoid_max_slope", "main"]

WIDTH, DEPTH = 32, 10   # ten hidden layers of 32 units, as in the notes' 0.25^10


def he_linear(n_in: int, n_out: int, rng: np.random.Generator, gain2: float = 2.0) -> nn.Linear:
    """A Linear layer with weights N(0, gain2 / n_in) and zero bias (gain2 = 2: He)."""
    layer = nn.Linear(n_in, n_out, rng=rng)
    nn.init.normal_(layer.weight, 0.0, np.sqrt(gain2 / n_in), rng=rng)
    nn.init.zeros_(layer.bias)
    return layer


def build(variant: str, rng: np.random.Generator, gain2: float = 2.0) -> nn.Sequential:
    """64 -> DEPTH hidden layers of WIDTH -> 10, in one of the four variants."""
    layers: list[nn.Module] = []
    for i in range(DEPTH):
        n_in = 64 if i == 0 else WIDTH
        if variant == "sigmoid, default init":
            layers += [nn.Linear(n_in, WIDTH, rng=rng), nn.Sigmoid()]
        elif variant == "ReLU + He init":
            layers += [he_linear(n_in, WIDTH, rng, gain2), nn.ReLU()]
        elif variant == "+ BatchNorm" or i == 0:
            layers += [he_linear(n_in, WIDTH, rng), nn.BatchNorm1d(WIDTH), nn.ReLU()]
        else:  # + residual: y = relu(bn(W x)) + x
            layers.append(nn.Residual(nn.Sequential(
                he_linear(WIDTH, WIDTH, rng), nn.BatchNorm1d(WIDTH), nn.ReLU())))
    layers.append(nn.Linear(WIDTH, 10, rng=rng))
    return nn.Sequential(*layers)


VARIANTS = ("sigmoid, default init", "ReLU + He init", "+ BatchNorm", "+ residual")


def weight_grad_norms(model: nn.Module) -> list[float]:
    """||dL/dW|| of every Linear weight, input side first."""
    norms = nn.grad_norms(model.named_parameters())
    return [value for name, value in norms.items() if name.endswith("weight")
            and value is not None and _is_linear_weight(model, name)]


def _is_linear_weight(model: nn.Module, name: str) -> bool:
    owner = dict(model.named_modules())[name.rsplit(".", 1)[0]]
    return isinstance(owner, nn.Linear)


def backward_once(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.zero_grad()
    loss = F.cross_entropy(model(ag.Tensor(x)), y)
    loss.backward()
    return loss.item()


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, epochs: int, rng: np.random.Generator
          ) -> tuple[list[float], list[float]]:
    """``fit`` with SGD (lr 0.01, momentum 0.9, batch 64); mean loss per epoch and the
    first layer's gradient norm on each epoch's last batch."""
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.01,
                                                       momentum=0.9),
                  (x, y), epochs=epochs, batch_size=64, generator=rng)
    first = next(name for name, p in model.named_parameters() if name.endswith("weight"))
    return history["loss"], [norms[first] for norms in history.grad_norms]


def clipping(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, out: Path) -> dict[str, float]:
    """Gradients of a ReLU net initialised with Var(w) = 6 / n_in (3x He) before and
    after clip_grad_norm_(max_norm=1) and clip_grad_value_(0.01)."""
    model = build("ReLU + He init", rng, gain2=6.0)
    results = {}
    for name, clip in (("no clipping", None),
                       ("clip_grad_norm_(max_norm=1)", lambda p: nn.clip_grad_norm_(p, 1.0)),
                       ("clip_grad_value_(0.01)", lambda p: nn.clip_grad_value_(p, 0.01))):
        backward_once(model, x, y)
        if clip is not None:
            clip(model.parameters())
        results[name] = weight_grad_norms(model)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for (name, norms), marker in zip(results.items(), "os^"):
        ax.semilogy(range(1, len(norms) + 1), norms, marker + "-", label=name)
    ax.set(xlabel="layer (1 = input side)", ylabel="||dL/dW||",
           title="Exploding gradients (init Var = 6/n_in) and clipping")
    ticker = require("matplotlib.ticker", "matplotlib")  # 0.1, 0.2, 0.5, 1, 2, 5...:
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))  # the clipped
    ax.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))  # norms are readable
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax.legend()
    save_figure(fig, out, "clipping")
    total = {name: float(np.sqrt(np.sum(np.square(v)))) for name, v in results.items()}
    return {"exploding_total_weight_grad_norm": total["no clipping"],
            "clipped_by_norm_total_weight_grad_norm": total["clip_grad_norm_(max_norm=1)"]}


def sigmoid_max_slope() -> float:
    """sigmoid'(0) = 1/4, the sigmoid's largest slope, from ``backward()``."""
    z = ag.Tensor(0.0, requires_grad=True)
    z.sigmoid().backward()
    return z.grad.item()


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "gradients").parse_args(argv)
    out = output_folder(args.out)
    rng = nn.manual_seed(args.seed)
    x, y = load_digits()
    if args.quick:
        x, y = x[:256], y[:256]
    epochs = 2 if args.quick else 15
    plt = pyplot()

    batch = rng.choice(len(x), size=256, replace=False)
    at_init, history = {}, {}
    for variant in VARIANTS:
        model = build(variant, np.random.default_rng(args.seed))
        backward_once(model, x[batch], y[batch])
        at_init[variant] = weight_grad_norms(model)
        print(f"training: {variant}")
        history[variant] = train(model, x, y, epochs, rng)

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for (variant, norms), marker in zip(at_init.items(), "osD^"):
        ax.semilogy(range(1, len(norms) + 1), norms, marker + "-", label=variant)
    sigmoid = at_init[VARIANTS[0]]
    layers = np.arange(1, DEPTH + 1)
    ax.semilogy(layers, sigmoid[DEPTH - 1] * sigmoid_max_slope() ** (DEPTH - layers), "k:",
                label="x 0.25 per layer (sigmoid slope bound)")
    ax.set(xlabel="layer (1 = input side, 11 = output)", ylabel="||dL/dW|| at initialisation",
           title=f"Gradient norm per layer, {DEPTH} hidden layers of {WIDTH}")
    ax.legend()
    save_figure(fig, out, "grad_norms")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for variant, (losses, first) in history.items():
        ax1.plot(range(1, epochs + 1), losses, "o-", ms=3, label=variant)
        ax2.semilogy(range(1, epochs + 1), first, "o-", ms=3, label=variant)
    ax1.set(xlabel="epoch", ylabel="mean training cross-entropy",
            title="Training (SGD, momentum 0.9, lr 0.01)")
    ax2.set(xlabel="epoch", ylabel="||dL/dW1|| (last batch of the epoch)",
            title="First-layer gradient norm")
    ax1.legend()
    ax2.legend(loc="center right")
    save_figure(fig, out, "training")

    summary = {"first_layer_grad_norm": {v: norms[0] for v, norms in at_init.items()},
               "last_layer_grad_norm": {v: norms[-1] for v, norms in at_init.items()},
               "final_train_loss": {v: h[0][-1] for v, h in history.items()},
               "sigmoid_slope_bound_10_layers": sigmoid_max_slope() ** DEPTH}
    summary.update(clipping(x[batch], y[batch], rng, out))
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
