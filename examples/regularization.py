"""Regularisation on the digits: L1 versus L2 weight penalties (L1 makes weights exactly
small, L2 only shrinks them), dropout, and early stopping read off the training and
validation curves (notes 001 and 000, curriculum sections 6 and 10).

A 64-256-256-10 ReLU network trained on 30% of the digits overfits: the training loss
keeps falling while the validation loss turns back up. The best epoch (lowest
validation loss) is where early stopping with patience would keep the checkpoint.
The penalties are added to the loss: L2 = lambda sum w^2 (gradient 2 lambda w),
L1 = lambda sum |w| (gradient lambda sign(w): a constant pull to zero). A weight
counts as zero when |w| < 1e-3.

Figures: weights.png (first-layer weight histograms: none, L2, L1),
curves.png (training and validation loss and accuracy, best epoch marked).
"""

from __future__ import annotations

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from ._common import (load_digits, make_parser, output_folder, progress, pyplot,
                      save_figure, split, write_summary)

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


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy, in evaluation mode, without a graph."""
    model.eval()
    with ag.no_grad():
        logits = model(ag.Tensor(x))
    model.train()
    return F.cross_entropy(logits, y).item(), float(np.mean(logits.numpy().argmax(1) == y))


def train(config: dict, data: dict, epochs: int, seed: int, desc: str
          ) -> tuple[nn.Module, dict[str, list[float]]]:
    """Mini-batch SGD (lr 0.05, momentum 0.9, batch 32) with the run's penalty."""
    rng = np.random.default_rng(seed)
    model = build(config.get("dropout", 0.0), rng)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    optimizer = nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    (x, y), (xv, yv) = data["train"], data["val"]
    history: dict[str, list[float]] = {k: [] for k in ("train_loss", "val_loss",
                                                         "train_acc", "val_acc")}
    for _ in progress(range(epochs), desc):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 32):
            batch = order[start:start + 32]
            loss = F.cross_entropy(model(ag.Tensor(x[batch])), y[batch])
            if "l2" in config:
                loss = loss + F.l2_penalty(weights, config["l2"])
            if "l1" in config:
                loss = loss + F.l1_penalty(weights, config["l1"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        for part, (xs, ys) in (("train", (x, y)), ("val", (xv, yv))):
            part_loss, part_acc = evaluate(model, xs, ys)
            history[f"{part}_loss"].append(part_loss)
            history[f"{part}_acc"].append(part_acc)
    return model, history


def zero_fraction(model: nn.Module) -> float:
    """Fraction of all weights (not biases) with |w| < 1e-3."""
    weights = np.concatenate([p.numpy().ravel() for name, p in model.named_parameters()
                              if name.endswith("weight")])
    return float(np.mean(np.abs(weights) < ZERO))


def plot_weights(models: dict, fractions: dict, out) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.3), sharey=True)
    bins = np.linspace(-0.3, 0.3, 61)
    for ax, name in zip(axes, list(models)[:3]):
        w = models[name][0].weight.numpy().ravel()
        ax.hist(np.clip(w, bins[0], bins[-1]), bins=bins, color="tab:blue")
        ax.set_yscale("log")
        ax.set(title=f"{name}\n|w| < 1e-3: {fractions[name]:.0%} of all weights",
               xlabel="first-layer weight")
    axes[0].set_ylabel("count (log scale)")
    save_figure(fig, out, "weights")


def plot_curves(histories: dict, best_epoch: int, out) -> None:
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    colours = dict(zip(histories, ("tab:blue", "tab:green", "tab:purple", "tab:orange")))
    for name in ("no regularisation", "dropout 0.5", "L2 (lambda 1e-3)"):
        h, c = histories[name], colours[name]
        epochs = np.arange(1, len(h["train_loss"]) + 1)
        ax1.plot(epochs, h["train_loss"], "--", color=c, label=f"{name}: train")
        ax1.plot(epochs, h["val_loss"], "-", color=c, label=f"{name}: validation")
        ax2.plot(epochs, h["val_acc"], "-", color=c, label=name)
    ax1.axvline(best_epoch, color="k", ls=":", label=f"best epoch {best_epoch} (no reg.)")
    ax1.set_ylim(0, 0.6)
    ax1.set(xlabel="epoch", ylabel="cross-entropy",
            title="Overfitting: training loss falls, validation rises")
    ax1.legend(fontsize=7, ncol=2)
    ax2.set(xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy",
            ylim=(0.85, 1.0))
    ax2.legend(fontsize=7)
    save_figure(fig, out, "curves")


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "regularization").parse_args(argv)
    out = output_folder(args.out)
    x, y = load_digits()
    parts = split(x, y, (0.3, 0.2, 0.5), np.random.default_rng(args.seed))
    data = {"train": parts[0], "val": parts[1]}
    epochs = 4 if args.quick else 40
    if args.quick:
        data = {k: (v[0][:200], v[1][:200]) for k, v in data.items()}
    models, histories = {}, {}
    for name, config in RUNS.items():
        models[name], histories[name] = train(config, data, epochs, args.seed, name)
    fractions = {name: zero_fraction(model) for name, model in models.items()}
    plain = histories["no regularisation"]
    best_epoch = int(np.argmin(plain["val_loss"])) + 1
    plot_weights(models, fractions, out)
    plot_curves(histories, best_epoch, out)
    summary = {"l1_zero_fraction": fractions["L1 (lambda 1e-4)"],
               "l2_zero_fraction": fractions["L2 (lambda 1e-3)"],
               "unregularised_zero_fraction": fractions["no regularisation"],
               "best_epoch": best_epoch, "epochs": epochs,
               "best_val_loss": min(plain["val_loss"]),
               "final_val_loss": {n: h["val_loss"][-1] for n, h in histories.items()},
               "final_val_accuracy": {n: h["val_acc"][-1] for n, h in histories.items()}}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    main()
