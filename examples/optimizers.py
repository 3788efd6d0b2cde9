"""Optimizers on a 2-D loss surface: SGD, momentum, Nesterov, Adagrad, RMSprop and Adam
(``nn.optim``) racing down a long narrow valley; a learning rate too small, right and
too large; and the step, exponential, cosine and cyclic schedules (notes 002, 004 Q2,
001; curriculum section 5).

The surface f(x, y) = x^2 / 10 + 2 y^2 curves 20 times more steeply across the valley
(y) than along it (x): plain SGD must keep its step below 2 / 4 = 0.5 to stay stable
across, and then crawls along; momentum builds up speed along x; Adagrad, RMSprop and
Adam scale each coordinate by its own gradient history.

Figures: trajectories.png (paths over the contour plot), loss_curves.png (f per
step, log scale), learning_rates.png (SGD with three learning rates),
schedules.png (learning rate per epoch for four schedulers).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd as ag
import nn

from ._common import (make_parser, output_folder, progress, pyplot, run, save_figure,
                      write_summary)

__all__ = ["surface", "descend", "contour", "schedules", "main"]

CURVATURE = np.array([0.1, 2.0])   # f = sum(c * p^2): along the valley, across it
START = np.array([-4.5, 1.6])
OPTIMIZERS = {
    "SGD (lr 0.4)": lambda p: nn.optim.SGD(p, lr=0.4),
    "momentum 0.9 (lr 0.05)": lambda p: nn.optim.SGD(p, lr=0.05, momentum=0.9),
    "Nesterov 0.9 (lr 0.05)": lambda p: nn.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "Adagrad (lr 1.0)": lambda p: nn.optim.Adagrad(p, lr=1.0),
    "RMSprop (lr 0.1)": lambda p: nn.optim.RMSprop(p, lr=0.1),
    "Adam (lr 0.3)": lambda p: nn.optim.Adam(p, lr=0.3),
}


def surface(p: ag.Tensor) -> ag.Tensor:
    """f(x, y) = 0.1 x^2 + 2 y^2 (minimum 0 at the origin)."""
    return (p * p * CURVATURE).sum()


def descend(make_optimizer: Callable[[list], Any], steps: int, desc: str
            ) -> tuple[np.ndarray, list[float]]:
    """Run ``steps`` optimizer steps from START; return the path and f before each step."""
    p = ag.Tensor(START.copy(), requires_grad=True)
    optimizer = make_optimizer([p])
    path, losses = [p.detach().numpy().copy()], []
    for _ in progress(range(steps), desc):
        loss = surface(p)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        path.append(p.detach().numpy().copy())
    losses.append(surface(p).item())
    return np.array(path), losses


def contour(ax: Any) -> None:
    gx, gy = np.meshgrid(np.linspace(-5, 1.5, 200), np.linspace(-2, 2, 200))
    f = CURVATURE[0] * gx ** 2 + CURVATURE[1] * gy ** 2
    ax.contour(gx, gy, f, levels=np.geomspace(0.02, 12, 12), colors="gray", linewidths=0.6)
    ax.plot(0, 0, "k*", ms=14, mec="white", zorder=5)  # the minimum, above the paths
    ax.set(xlabel="x (along the valley)", ylabel="y (across)", xlim=(-5, 1.5), ylim=(-2, 2))


def schedules(epochs: int) -> dict[str, list[float]]:
    """The learning rate each scheduler gives at every epoch (base lr 0.1)."""
    makers = {
        "StepLR (step 30, gamma 0.5)": lambda o: nn.optim.StepLR(o, step_size=30, gamma=0.5),
        "ExponentialLR (gamma 0.97)": lambda o: nn.optim.ExponentialLR(o, gamma=0.97),
        "CosineAnnealingLR (T_max = all)": lambda o: nn.optim.CosineAnnealingLR(o, T_max=epochs),
        "CyclicLR (0.01 to 0.1, 20 up)": lambda o: nn.optim.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=20),
    }
    curves = {}
    for name, make in makers.items():
        optimizer = nn.optim.SGD([ag.Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
        scheduler, lrs = make(optimizer), []
        for _ in range(epochs):
            lrs.append(scheduler.get_last_lr()[0])
            optimizer.step()
            scheduler.step()
        curves[name] = lrs
    return curves


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "optimizers").parse_args(argv)
    out = output_folder(args.out)
    steps = 40 if args.quick else 150
    plt = pyplot()

    runs = {name: descend(make, steps, name) for name, make in OPTIMIZERS.items()}
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    contour(ax)
    for name, (path, _) in runs.items():
        if "Adagrad" in name:   # RMSprop's path is within 0.03: thin dashes on a wide band
            ax.plot(path[:, 0], path[:, 1], "--", lw=1, zorder=3, label=f"{name}, inside RMSprop's")
        elif "RMSprop" in name:
            ax.plot(path[:, 0], path[:, 1], "-", lw=4, alpha=0.5, label=name)
        else:
            ax.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, label=name)
    ax.set_title(f"Six optimizers on f = x^2/10 + 2 y^2, {steps} steps "
                 f"from ({START[0]}, {START[1]})")
    ax.legend(loc="upper right", fontsize=7)
    save_figure(fig, out, "trajectories")

    fig, ax = plt.subplots(figsize=(6, 3.8))
    for name, (_, losses) in runs.items():
        ax.semilogy(losses, label=name)
    ax.set(xlabel="step", ylabel="f(x, y)", title="Loss per step")
    ax.legend(fontsize=7)
    save_figure(fig, out, "loss_curves")

    rates = {"too small (0.02)": 0.02, "good (0.4)": 0.4, "too large (0.51)": 0.51}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    contour(ax1)
    for name, lr in rates.items():
        path, losses = descend(lambda p, lr=lr: nn.optim.SGD(p, lr=lr), steps, f"SGD {name}")
        ax1.plot(path[:26, 0], path[:26, 1], ".-", ms=3, lw=1, label=f"lr {name}")
        ax2.semilogy(losses, label=f"lr {name}")
    ax1.set_title("SGD, first 25 steps: lr must stay below 0.5")
    ax1.legend(loc="lower right", fontsize=7)
    ax2.set(xlabel="step", ylabel="f(x, y)", title="Too small crawls, too large diverges")
    ax2.legend(fontsize=7)
    save_figure(fig, out, "learning_rates")

    curves = schedules(30 if args.quick else 100)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for name, lrs in curves.items():
        ax.plot(lrs, label=name)
    ax.set(xlabel="epoch", ylabel="learning rate", title="Learning-rate schedules (base 0.1)")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    save_figure(fig, out, "schedules")

    summary = {"steps": steps, "final_loss": {name.split(" (")[0]: losses[-1]
                                              for name, (_, losses) in runs.items()}}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
