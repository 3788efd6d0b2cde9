"""Regularisation on the digits: L1 versus L2 weight penalties (L1 makes weights exactly
small, L2 only shrinks them), dropout, and early stopping read off the training and
validation curves (notes 001 and 000, curriculum sections 6 and 10).

A 64-256-256-10 ReLU network trained on 30% of the digits overfits: the training loss
keeps falling while the validation loss turns back up. The best epoch (lowest
validation loss) is where early stopping with patience would keep the checkpoint.
The penalties are added to the loss: L2 = lambda sum w^2 (gradient 2 lambda w),
L1 = lambda sum |w| (gradient lambda sign(w): a constant pull to zero). A weight
counts as zero when |w| < 1e-3.

Figures: weights.png (histograms of |w| on a log axis: none, L2, L1),
curves.png (training and validation loss and accuracy, best epoch marked).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from nn.train import accuracy, fit

from ._common import (load_digits, make_parser, output_folder, pyplot, run, save_figure,
                      split, write_summary)

__all__ = ["build", "cross_entropy", "train", "all_weights", "zero_fraction", "plot_weights",
           "plot_curves", "main"]

ZERO = 1e-3
RUNS = {"no regularisation": {}, "L2 (lambda 1e-3)": {"l2": 1e-3},
        "L1 (lambda 1e-4)": {"l1": 1e-4}, "dropout 0.5": {"dropout": 0.5}}


def build(dropout: float, rng: np.random.Generator) -> nn.Sequential:
    """64-256-256-10 with ReLU (and dropout after each hidden layer when p > 0)."""
    def drop() -> list[nn.Module]:
        return [nn.Dropout(dropout, rng=rng)] if dropout else []
    return nn.Sequential(nn.Linear(64, 256, rng=rng), nn.ReLU(), *drop(),
                         nn.Linear(256, 256, rng=rng), nn.ReLU(), *drop(),
                         nn.Linear(256, 10, rng=rng))


def cross_entropy(scores: np.ndarray, target: np.ndarray) -> float:
    """Mean cross-entropy of logits, as a metric of ``fit`` (without the penalty)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(len(target)), target]))


def train(config: dict, data: dict, epochs: int, seed: int
          ) -> tuple[nn.Module, dict[str, list[float]]]:
    """``fit`` with SGD (lr 0.05, momentum 0.9, batch 32); the penalty joins the loss."""
    rng = np.random.default_rng(seed)
    model = build(config.get("dropout", 0.0), rng)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]

    def loss_fn(scores: ag.Tensor, target: np.ndarray) -> ag.Tensor:
        loss = F.cross_entropy(scores, target)
        if "l2" in config:
            loss = loss + F.l2_penalty(weights, config["l2"])
        if "l1" in config:
            loss = loss + F.l1_penalty(weights, config["l1"])
        return loss

    history = fit(model, loss_fn, nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
                  data["train"], val=data["val"], epochs=epochs, batch_size=32,
                  metrics={"ce": cross_entropy, "acc": accuracy}, generator=rng)
    return model, history.history


def all_weights(model: nn.Module) -> np.ndarray:
    """Every layer's weights (not the biases) in one flat array."""
    return np.concatenate([p.detach().numpy().ravel() for name, p in model.named_parameters()
                           if name.endswith("weight")])


def zero_fraction(model: nn.Module) -> float:
    """Fraction of all weights (not biases) with |w| < 1e-3."""
    return float(np.mean(np.abs(all_weights(model)) < ZERO))


def plot_weights(models: dict, fractions: dict, out: Path) -> None:
    """Histograms of |w| over all the weights on a log axis: what lies left of the 1e-3
    line is the fraction in the title."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.3), sharex=True, sharey=True)
    bins = np.geomspace(1e-8, 1.0, 49)
    for ax, name in zip(axes, list(models)[:3]):
        w = np.abs(all_weights(models[name]))
        ax.hist(np.clip(w, bins[0], bins[-1]), bins=bins, color="tab:blue")
        ax.axvline(ZERO, color="k", ls=":", label="1e-3")
        ax.set(xscale="log", xlabel="|w| of every weight (below 1e-8: first bar)",
               title=f"{name}\n{fractions[name]:.0%} of the weights below 1e-3")
        ax.legend(loc="upper left")
    axes[0].set_ylabel("number of weights")
    save_figure(fig, out, "weights")


def plot_curves(histories: dict, best_epoch: int, out: Path) -> None:
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    colours = dict(zip(histories, ("tab:blue", "tab:green", "tab:purple", "tab:orange")))
    for name in ("no regularisation", "dropout 0.5", "L2 (lambda 1e-3)"):
        h, c = histories[name], colours[name]
        epochs = np.arange(1, len(h["ce"]) + 1)
        ax1.plot(epochs, h["ce"], "--", color=c, label=f"{name}: train")
        ax1.plot(epochs, h["val_ce"], "-", color=c, label=f"{name}: validation")
        ax2.plot(epochs, h["val_acc"], "-", color=c, label=name)
    ax1.axvline(best_epoch, color="k", ls=":", label=f"best epoch {best_epoch} (no reg.)")
    ax1.set(xlabel="epoch", ylabel="cross-entropy (without the penalty)", yscale="log",
            title="Overfitting: training loss falls, validation rises")
    ax1.legend(fontsize=7, ncol=2)
    # zoom on the accuracies of the second half (all of them after a short --quick run)
    late = [a for h in histories.values() for a in h["val_acc"][len(h["val_acc"]) // 2:]]
    ax2.set(xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy",
            ylim=(min(0.85, min(late) - 0.02), 1.0))
    ax2.legend(fontsize=7)
    save_figure(fig, out, "curves")


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "regularization").parse_args(argv)
    out = output_folder(args.out)
    x, y = load_digits()
    parts = split(x, y, (0.3, 0.2, 0.5), np.random.default_rng(args.seed))
    data = {"train": parts[0], "val": parts[1]}
    epochs = 4 if args.quick else 30
    if args.quick:
        data = {k: (v[0][:200], v[1][:200]) for k, v in data.items()}
    models, histories = {}, {}
    for name, config in RUNS.items():
        print(f"training: {name}")
        models[name], histories[name] = train(config, data, epochs, args.seed)
    fractions = {name: zero_fraction(model) for name, model in models.items()}
    plain = histories["no regularisation"]
    best_epoch = int(np.argmin(plain["val_ce"])) + 1
    plot_weights(models, fractions, out)
    plot_curves(histories, best_epoch, out)
    summary = {"l1_zero_fraction": fractions["L1 (lambda 1e-4)"],
               "l2_zero_fraction": fractions["L2 (lambda 1e-3)"],
               "unregularised_zero_fraction": fractions["no regularisation"],
               "best_epoch": best_epoch, "epochs": epochs,
               "best_val_loss": min(plain["val_ce"]),
               "final_val_loss": {n: h["val_ce"][-1] for n, h in histories.items()},
               "final_val_accuracy": {n: h["val_acc"][-1] for n, h in histories.items()}}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
