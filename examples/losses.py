"""Loss functions with the notes' numbers: MSE, MAE and Huber on the price example,
binary and categorical cross-entropy, the pig/dog/cat table of two models, and why
cross-entropy beats MSE behind a sigmoid (notes 003, 004 Q1 and Q9, curriculum
section 3).

Both pig/dog/cat models misclassify one sample in three, but cross-entropy (mean over
samples) tells them apart: M1 = 1.38, M2 = 0.64. The notes' MSE figures for the same
table (0.38 and 0.08) are wrong; summed over classes and averaged over samples they
are 0.807 and 0.340, which is what this program prints. Behind a sigmoid,
d MSE / dz = 2 (p - y) p (1 - p) vanishes for a confident mistake while
d BCE / dz = p - y does not, so MSE learns slowly exactly where it is most wrong.

Figures: regression_losses.png (MSE, MAE, Huber and their gradients),
classification_losses.png (BCE curves and the pig/dog/cat table per sample),
sigmoid_mse_vs_ce.png (gradient at the logit, and training from a confident mistake).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

import autograd as ag
import nn.functional as F

from ._common import (make_parser, output_folder, progress, pyplot, run, save_figure,
                      write_summary)

__all__ = ["table_numbers", "curve_and_gradient", "plot_regression_losses",
           "plot_classification_losses", "train_from_confident_mistake",
           "plot_sigmoid_comparison", "main"]

PRICES, PRICE_PREDICTIONS = np.array([5.0, 8.0, 3.0]), np.array([4.5, 9.0, 3.2])
SAMPLES = ("pig", "dog", "cat")  # the notes name the rows, truth [0,0,1] is the pig
TRUTH = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]], dtype=np.float64)
MODELS = {"M1": np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]]),
          "M2": np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])}
NOTES_MSE = {"M1": 0.38, "M2": 0.08}  # printed in the notes; wrong (see the docstring)


def table_numbers() -> dict[str, float]:
    """Every worked number of the notes' loss section, computed by the engine."""
    y_hat = ag.Tensor(PRICE_PREDICTIONS)
    numbers = {"prices_mse": F.mse_loss(y_hat, PRICES).item(),
               "prices_mae": F.l1_loss(y_hat, PRICES).item(),
               "prices_huber_delta_1": F.huber_loss(y_hat, PRICES, delta=1.0).item(),
               "bce_p_0.99_y_1": F.binary_cross_entropy(ag.Tensor([0.99]), [1.0]).item(),
               "bce_p_0.01_y_1": F.binary_cross_entropy(ag.Tensor([0.01]), [1.0]).item(),
               "cce_p_0.85": F.nll_loss(ag.Tensor([np.log(0.85), 0.0]), np.array(0)).item(),
               "cce_p_0.05": F.nll_loss(ag.Tensor([np.log(0.05), 0.0]), np.array(0)).item()}
    labels = TRUTH.argmax(axis=1)
    for name, probs in MODELS.items():
        p = ag.Tensor(probs)
        numbers[f"cross_entropy_{name.lower()}"] = F.nll_loss(p.log(), labels).item()
        per_sample = F.mse_loss(p, TRUTH, reduction="none").sum(axis=1)
        numbers[f"mse_{name.lower()}"] = per_sample.mean().item()
        numbers[f"error_rate_{name.lower()}"] = float(np.mean(probs.argmax(axis=1) != labels))
    return numbers


def curve_and_gradient(loss: Callable[[ag.Tensor], ag.Tensor], x: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """loss(x) elementwise and its derivative, both from the engine."""
    t = ag.Tensor(x, requires_grad=True)
    values = loss(t)
    values.sum().backward()
    return values.detach().numpy(), t.grad.numpy()


def plot_regression_losses(out: Path) -> None:
    plt = pyplot()
    r = np.linspace(-3, 3, 301)
    zero = np.zeros_like(r)
    losses = {"MSE: d^2": lambda t: F.mse_loss(t, zero, reduction="none"),
              "MAE: |d|": lambda t: F.l1_loss(t, zero, reduction="none"),
              "Huber, delta = 1": lambda t: F.huber_loss(t, zero, delta=1.0, reduction="none")}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    for name, loss in losses.items():
        value, slope = curve_and_gradient(loss, r)
        ax1.plot(r, value, label=name)
        ax2.plot(r, slope, label=name)
    ax1.set(xlabel="residual d = y_hat - y", ylabel="loss", ylim=(0, 5),
            title="Regression losses")
    ax2.set(xlabel="residual d = y_hat - y", ylabel="d loss / d y_hat",
            title="Gradients: Huber caps the pull of outliers")
    ax1.legend()
    ax2.legend()
    save_figure(fig, out, "regression_losses")


def plot_classification_losses(numbers: dict, out: Path) -> None:
    plt = pyplot()
    p = np.linspace(0.005, 0.995, 199)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.5))
    for y, style in ((1.0, "-"), (0.0, "--")):
        value, _ = curve_and_gradient(
            lambda t, y=y: F.binary_cross_entropy(t, np.full_like(p, y), reduction="none"), p)
        ax1.plot(p, value, style, label=f"BCE, y = {y:.0f}")
    ax1.plot([0.99, 0.01], [numbers["bce_p_0.99_y_1"], numbers["bce_p_0.01_y_1"]], "ko")
    arrow = {"arrowstyle": "->", "color": "k"}
    ax1.annotate("-log 0.01 = 4.6", (0.01, numbers["bce_p_0.01_y_1"]), (0.12, 4.3),
                 arrowprops=arrow)
    ax1.annotate("-log 0.99 = 0.01", (0.99, 0.01), (0.45, 3.0), arrowprops=arrow)
    ax1.set(xlabel="predicted p = P(y = 1)", ylabel="loss", title="Binary cross-entropy")
    ax1.legend(loc="upper center")
    labels = TRUTH.argmax(axis=1)
    width = 0.38
    for shift, (name, probs) in zip((-width / 2, width / 2), MODELS.items()):
        per_sample = F.nll_loss(ag.Tensor(probs).log(), labels, reduction="none").numpy()
        ax2.bar(np.arange(3) + shift, per_sample, width,
                label=f"{name}: mean {numbers[f'cross_entropy_{name.lower()}']:.2f}")
    ax2.set_xticks(range(3), [f"sample {i + 1}: {name}\ntruth {TRUTH[i].astype(int)}"
                              for i, name in enumerate(SAMPLES)])
    ax2.set(ylabel="-log p(true class)", title="Pig/dog/cat: same error 1/3, CE differs")
    ax2.legend()
    save_figure(fig, out, "classification_losses")


def train_from_confident_mistake(loss_name: str, steps: int) -> list[float]:
    """One sigmoid neuron p = sigmoid(w x + b) that starts confidently wrong
    (z = -6 for y = 1) trained by gradient descent; returns p after each step."""
    w = ag.Tensor(np.array([-3.0]), requires_grad=True)
    b = ag.Tensor(np.array([-3.0]), requires_grad=True)
    x, y = np.array([1.0]), np.array([1.0])
    history = []
    for _ in progress(range(steps), f"sigmoid + {loss_name}"):
        z = w * x + b
        loss = (F.mse_loss(F.sigmoid(z), y) if loss_name == "MSE"
                else F.binary_cross_entropy_with_logits(z, y))
        w.zero_grad()
        b.zero_grad()
        loss.backward()
        with ag.no_grad():
            for t in (w, b):
                t.data -= 0.5 * t.grad.numpy()
        history.append(F.sigmoid(w * x + b).item())
    return history


def plot_sigmoid_comparison(steps: int, out: Path) -> dict[str, float]:
    plt = pyplot()
    z = np.linspace(-8, 8, 321)
    one = np.ones_like(z)
    _, mse_grad = curve_and_gradient(lambda t: F.mse_loss(F.sigmoid(t), one, reduction="none"), z)
    _, ce_grad = curve_and_gradient(
        lambda t: F.binary_cross_entropy_with_logits(t, one, reduction="none"), z)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.5))
    ax1.semilogy(z, np.abs(mse_grad), label="MSE: |2 (p - 1) p (1 - p)|")
    ax1.semilogy(z, np.abs(ce_grad), label="cross-entropy: |p - 1|")
    ax1.axvspan(-8, -3, color="tab:red", alpha=0.08)
    # below the MSE curve (>= 6e-4 here) and above the legend: text on a curve hides it
    ax1.text(-7.8, 3e-5, "confident\nmistake", color="tab:red", va="center")
    ax1.set(xlabel="logit z (target y = 1)", ylabel="|d loss / d z|",
            title="Gradient at the logit behind a sigmoid")
    ax1.legend(loc="lower left")
    histories = {name: train_from_confident_mistake(name, steps) for name in ("MSE", "CE")}
    for name, history in histories.items():
        ax2.plot(np.arange(1, steps + 1), history,
                 label="MSE" if name == "MSE" else "cross-entropy")
    ax2.set(xlabel="gradient step (lr 0.5)", ylabel="p(y = 1) after the step", ylim=(0, 1),
            title="Training out of z = -6: CE escapes, MSE crawls")
    ax2.legend()
    save_figure(fig, out, "sigmoid_mse_vs_ce")
    return {"p_after_training_mse": histories["MSE"][-1],
            "p_after_training_ce": histories["CE"][-1]}


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "losses").parse_args(argv)
    out = output_folder(args.out)
    numbers = table_numbers()
    print("pig/dog/cat table (notes 004 Q9):")
    print("model | cross-entropy | MSE (sum over classes) | notes' MSE | error rate")
    for name in MODELS:
        key = name.lower()
        print(f"{name:<5} | {numbers[f'cross_entropy_{key}']:>13.4f} | "
              f"{numbers[f'mse_{key}']:>22.4f} | {NOTES_MSE[name]:>10} (wrong) | "
              f"{numbers[f'error_rate_{key}']:.3f}")
    plot_regression_losses(out)
    plot_classification_losses(numbers, out)
    numbers.update(plot_sigmoid_comparison(40 if args.quick else 200, out))
    numbers["notes_printed_mse_wrong"] = {k.lower(): v for k, v in NOTES_MSE.items()}
    write_summary(out, numbers)
    return numbers


if __name__ == "__main__":
    run(main)
