"""Linear regression two ways, the normal equation and gradient descent, and logistic
regression, which has no closed form and must be trained (notes 002, curriculum
section 5).

Linear: the notes' data y = x + 1; the normal equation w = (X^T X)^-1 X^T y (X with a
column of ones) gives w0 = 1, w1 = 1 in one solve, and gradient descent on the mean
squared error walks there step by step. Logistic: two Gaussian clouds, p = sigmoid(x w
+ b), binary cross-entropy, gradient descent with the engine's gradients.

Figures: linear.png (the fitted line as descent proceeds, the loss curve and the
descent path over the loss surface), logistic.png (decision boundary and loss curve).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from ._common import (make_parser, output_folder, progress, pyplot, run, save_figure,
                      write_summary)

__all__ = ["notes_data", "design", "normal_equation", "gradient_descent", "two_clouds",
           "logistic", "plot_linear", "plot_logistic", "main"]


def notes_data() -> tuple[np.ndarray, np.ndarray]:
    """The notes' example: points on y = x + 1."""
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    return x, x + 1.0


def design(x: np.ndarray) -> np.ndarray:
    """X = [1, x]: the column of ones carries the intercept w0."""
    return np.stack([np.ones_like(x), x], axis=1)


def normal_equation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """w = (X^T X)^-1 X^T y, solved by the engine as a linear system rather than by
    inverting."""
    X = ag.Tensor(design(x))
    return ag.solve(X.T @ X, X.T @ ag.Tensor(y)).numpy()


def gradient_descent(x: np.ndarray, y: np.ndarray, steps: int, lr: float
                     ) -> tuple[np.ndarray, list[float], np.ndarray]:
    """Minimise mean((X w - y)^2) from w = 0; returns w, the losses and the path."""
    X = ag.Tensor(design(x))
    w = ag.Tensor(np.zeros(2), requires_grad=True)
    optimizer = nn.optim.SGD([w], lr=lr)
    losses, path = [], [w.detach().numpy().copy()]
    for _ in progress(range(steps), "linear regression"):
        loss = F.mse_loss(X @ w, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        path.append(w.detach().numpy().copy())
    return w.detach().numpy().copy(), losses, np.array(path)


def two_clouds(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n points per class around (-1, -0.5) and (1, 0.8), standard deviation 0.7."""
    x = np.concatenate([rng.normal((-1.0, -0.5), 0.7, (n, 2)),
                        rng.normal((1.0, 0.8), 0.7, (n, 2))])
    return x, np.repeat([0.0, 1.0], n)


def logistic(x: np.ndarray, y: np.ndarray, steps: int, lr: float
             ) -> tuple[nn.Linear, list[float]]:
    """p = sigmoid(x w + b) by full-batch gradient descent on binary cross-entropy."""
    model = nn.Linear(2, 1, rng=0)
    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    inputs, losses = ag.Tensor(x), []
    for _ in progress(range(steps), "logistic regression"):
        loss = F.binary_cross_entropy_with_logits(model(inputs)[:, 0], y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


def plot_linear(x: np.ndarray, y: np.ndarray, w_exact: np.ndarray, w_gd: np.ndarray,
                losses: list[float], path: np.ndarray, out: Path) -> None:
    plt = pyplot()
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(12, 3.6))
    ax1.scatter(x, y, c="k", zorder=3, label="data (y = x + 1)")
    line = np.linspace(x.min() - 0.5, x.max() + 0.5, 2)
    for step in (0, 2, 10, 50, 200):
        if step < len(path):
            w = path[step]
            ax1.plot(line, w[0] + w[1] * line, alpha=0.6, label=f"descent, step {step}")
    ax1.plot(line, w_exact[0] + w_exact[1] * line, "k--",
             label=f"normal equation w = ({w_exact[0]:.2f}, {w_exact[1]:.2f})")
    ax1.set(xlabel="x", ylabel="y", title="Fits as gradient descent proceeds")
    ax1.set_ylim(top=y.max() + 4.0)  # room above the data: the legend hid the point (3, 4)
    ax1.legend(fontsize=7, loc="upper left")
    ax2.semilogy(losses)
    ax2.set(xlabel="step", ylabel="mean squared error", title="Gradient descent loss")
    w0, w1 = np.meshgrid(np.linspace(-0.5, 2.0, 120), np.linspace(-0.2, 1.6, 120))
    X = design(x)
    surface = np.mean((X[:, :1, None] * w0.ravel() + X[:, 1:, None] * w1.ravel()
                       - y[:, None, None]) ** 2, axis=0).reshape(w0.shape)
    ax3.contour(w0, w1, surface, levels=np.geomspace(0.01, 40, 14), cmap="viridis",
                linewidths=0.8)
    ax3.plot(path[:, 0], path[:, 1], ".-", ms=2, color="tab:red", label="descent path")
    ax3.plot(*w_exact, "k*", ms=12, label="normal equation")
    ax3.plot(*w_gd, "o", mfc="none", mec="tab:red", ms=10, label="descent, last step")
    ax3.set(xlabel="w0 (intercept)", ylabel="w1 (slope)", title="Path over the MSE surface")
    ax3.legend(fontsize=7, loc="upper right")  # lower left hid the start, w = (0, 0)
    save_figure(fig, out, "linear")


def plot_logistic(x: np.ndarray, y: np.ndarray, model: Any, losses: list[float],
                  accuracy: float, out: Path) -> None:
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.8))
    g0, g1 = np.meshgrid(np.linspace(-3.5, 3.5, 150), np.linspace(-3, 3.5, 150))
    with ag.no_grad():
        p = F.sigmoid(model(ag.Tensor(np.c_[g0.ravel(), g1.ravel()]))).numpy()
    image = ax1.contourf(g0, g1, p.reshape(g0.shape), levels=np.linspace(0, 1, 11),
                         cmap="RdBu_r", alpha=0.55)
    ax1.contour(g0, g1, p.reshape(g0.shape), levels=[0.5], colors="k")
    for label, colour in ((0, "white"), (1, "black")):
        ax1.scatter(*x[y == label].T, s=14, c=colour, edgecolors="k", linewidths=0.6,
                    label=f"class {label}")
    fig.colorbar(image, ax=ax1, label="P(class 1)")
    ax1.set(xlabel="x1", ylabel="x2", title=f"Logistic regression: accuracy {accuracy:.1%}")
    ax1.legend(loc="upper left")
    ax2.semilogx(np.arange(1, len(losses) + 1), losses)
    ax2.set(xlabel="step (log scale)", ylabel="binary cross-entropy",
            title="No closed form: trained iteratively")
    save_figure(fig, out, "logistic")


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "regression").parse_args(argv)
    out = output_folder(args.out)
    rng = nn.manual_seed(args.seed)
    steps = 1500 if args.quick else 3000

    x, y = notes_data()
    w_exact = normal_equation(x, y)
    w_gd, losses, path = gradient_descent(x, y, steps, lr=0.02)
    print(f"normal equation   w = {w_exact.round(6)}")
    print(f"gradient descent  w = {w_gd.round(6)} after {steps} steps")
    plot_linear(x, y, w_exact, w_gd, losses, path, out)

    points, labels = two_clouds(rng, 100)
    model, log_losses = logistic(points, labels, 60 if args.quick else 600, lr=0.5)
    with ag.no_grad():
        predicted = model(ag.Tensor(points)).numpy()[:, 0] > 0
    accuracy = float(np.mean(predicted == (labels == 1)))
    plot_logistic(points, labels, model, log_losses, accuracy, out)

    summary = {"normal_equation_w": w_exact, "gradient_descent_w": w_gd,
               "gradient_descent_final_mse": losses[-1], "logistic_accuracy": accuracy,
               "logistic_final_loss": log_losses[-1]}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
