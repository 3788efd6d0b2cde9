"""A variational autoencoder on the digits: ``nn.models.VAE`` trained by
``nn.train.fit`` on the negative ELBO, then reconstructions, new digits sampled from
the prior, the 2-D latent space coloured by digit and an interpolation between two
digits (notes 004 Q25-Q27, curriculum section 9).

The encoder maps a digit to the mean mu and log-variance of q(z | x); a code is drawn
as z = mu + sigma * eps (the reparameterisation: gradients reach mu and sigma through
z); the Bernoulli decoder turns z back into pixel probabilities. Training minimises
reconstruction + beta * KL(q(z | x) || N(0, I)); the ELBO reported is
-(reconstruction + KL) per digit in nats (higher is better). With ``--compare`` it
also trains a beta-VAE (beta = 4: a KL term that strong pulls every code onto the
prior here, KL collapse) and a VAE with KL annealing (beta = min(1, epoch / 10)) and
plots the three side by side.

Figures: losses.png (reconstruction and KL per epoch), reconstructions.png,
samples.png (decoded z ~ N(0, I)), latent.png (every digit's mu, coloured by label),
manifold.png (the decoder over a grid of the latent plane),
interpolation.png (decoded points on the line between two codes) and, with
--compare, compare.png. latent.png and manifold.png draw the latent plane, so they
need 2 latent dimensions (the default): with --latent N for N != 2 they are skipped
(the program says so) and compare.png shows samples where it would show the planes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import autograd as ag
import nn
from nn.models import VAE
from nn.train import KLAnnealing, fit

from ._common import (load_digits, make_parser, output_folder, positive_int, pyplot, run,
                      save_figure, show_images, split, write_summary)

__all__ = ["train", "val_elbo", "codes", "prior_quantiles", "manifold", "label_grid_axes",
           "plot_losses", "plot_latent", "main", "compare"]


def train(data: dict, epochs: int, seed: int, latent: int, beta: float = 1.0,
          callbacks: tuple = ()) -> tuple[VAE, dict[str, list[float]]]:
    """A 64-128-latent VAE with a Bernoulli decoder; Adam lr 1e-3, batches of 32."""
    model = VAE(64, [128], latent, decoder="bernoulli", beta=beta, rng=seed)
    history = fit(model, None, nn.optim.Adam(model.parameters(), lr=1e-3), data["train"],
                  val=data["val"], epochs=epochs, batch_size=32, callbacks=list(callbacks),
                  generator=seed)
    return model, history.history


def val_elbo(history: dict[str, list[float]]) -> np.ndarray:
    """ELBO per validation digit and epoch: -(reconstruction + KL), whatever beta was."""
    return -(np.array(history["val_reconstruction"]) + np.array(history["val_kl"]))


def codes(model: VAE, x: np.ndarray) -> np.ndarray:
    """mu(x): where the encoder puts each digit."""
    model.eval()
    with ag.no_grad():
        mu = model.encode(ag.Tensor(x))[0].numpy()
    model.train()
    return mu


def prior_quantiles(side: int) -> np.ndarray:
    """``side`` evenly spaced quantiles of N(0, 1), from the 4% to the 96% one."""
    from statistics import NormalDist
    return np.array([NormalDist().inv_cdf(p) for p in np.linspace(0.04, 0.96, side)])


def manifold(model: VAE, side: int) -> np.ndarray:
    """The decoder's mean on a side x side grid of z at evenly spaced quantiles of
    N(0, 1) (rows: z2 from high to low, columns: z1 from low to high)."""
    q = prior_quantiles(side)
    z1, z2 = np.meshgrid(q, q[::-1])
    model.eval()
    with ag.no_grad():
        logits = model.decode(ag.Tensor(np.stack([z1.ravel(), z2.ravel()], axis=1)))
    model.train()
    return nn.functional.sigmoid(logits).numpy()


def label_grid_axes(ax: Any, q: np.ndarray, side: int = 8) -> None:
    """Ticks at the first, middle and last image of a ``manifold`` grid, with their z."""
    last = (len(q) - 1) * (side + 1) + (side - 1) / 2   # centre of the last image
    ticks = [(side - 1) / 2, (last + (side - 1) / 2) / 2, last]
    values = [f"{v:.2f}" for v in (q[0], (q[0] + q[-1]) / 2, q[-1])]
    ax.set_xticks(ticks, values)
    ax.set_yticks(ticks, values[::-1])
    ax.set(xlabel="z1", ylabel="z2")


def plot_losses(history: dict, out: Path) -> None:
    plt = pyplot()
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(11, 3.2))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for ax, key, title in ((ax1, "reconstruction", "Reconstruction: BCE summed over pixels"),
                           (ax2, "kl", "KL(q(z|x) || N(0, I))")):
        ax.plot(epochs, history[key], label="training")
        ax.plot(epochs, history[f"val_{key}"], label="validation")
        ax.set(xlabel="epoch", ylabel="nats per digit", title=title)
        ax.legend()
    ax3.plot(epochs, val_elbo(history), color="tab:green")
    ax3.set(xlabel="epoch", ylabel="ELBO per digit (nats)",
            title="Validation ELBO (higher is better)")
    save_figure(fig, out, "losses")


def plot_latent(ax: Any, mu: np.ndarray, labels: np.ndarray, title: str) -> None:
    plt = pyplot()
    scatter = ax.scatter(mu[:, 0], mu[:, 1], c=labels, cmap="tab10", s=6, vmin=-0.5,
                         vmax=9.5, alpha=0.8, linewidths=0)
    ax.set(xlabel="z1", ylabel="z2", title=title)
    return plt.colorbar(scatter, ax=ax, ticks=range(10), label="digit")


def main(argv: list[str] | None = None) -> dict:
    parser = make_parser(__doc__, "vae")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="training epochs (default 120; 3 with --quick)")
    parser.add_argument("--latent", type=positive_int, default=2,
                        help="latent dimensions (default 2, so the latent space is a plane; "
                             "latent.png and manifold.png need 2 and are skipped otherwise)")
    parser.add_argument("--compare", action="store_true",
                        help="also train a beta-VAE (beta 4) and a KL-annealed VAE")
    args = parser.parse_args(argv)
    out = output_folder(args.out)
    x, y = load_digits()
    if args.quick:
        x, y = x[:400], y[:400]
    (x_train, _), (x_val, _), (x_test, y_test) = split(x, y, (0.8, 0.1, 0.1),
                                                      np.random.default_rng(args.seed))
    data = {"train": x_train, "val": x_val}
    epochs = (3 if args.quick else 120) if args.epochs is None else args.epochs
    plt = pyplot()

    model, history = train(data, epochs, args.seed, args.latent)
    elbo = val_elbo(history)
    plot_losses(history, out)

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.4, 2.4))
    show_images(ax1, x_test[:12], rows=1, title="test digits")
    show_images(ax2, model.reconstruct(x_test[:12]), rows=1, title="VAE reconstructions")
    save_figure(fig, out, "reconstructions")

    fig, ax = plt.subplots(figsize=(4.2, 4.4))
    show_images(ax, model.sample(64), rows=8, title="New digits: decoded z ~ N(0, I)")
    save_figure(fig, out, "samples")

    if args.latent == 2:
        fig, ax = plt.subplots(figsize=(5.2, 4.2))
        plot_latent(ax, codes(model, x), y, "Latent space: mu of every digit")
        save_figure(fig, out, "latent")
        fig, ax = plt.subplots(figsize=(4.6, 4.8))
        show_images(ax, manifold(model, 12), rows=12,
                    title="Decoded grid: z1, z2 at prior quantiles 4%...96%")
        label_grid_axes(ax, prior_quantiles(12))
        save_figure(fig, out, "manifold")
    else:
        print(f"  skipped latent.png and manifold.png: they draw the latent plane, which "
              f"needs --latent 2 (got {args.latent})")

    first = {d: int(np.flatnonzero(y_test == d)[0]) for d in (0, 6, 4, 2) if d in y_test}
    pairs = [(a, b) for a, b in ((0, 6), (4, 2)) if a in first and b in first]
    fig, axes = plt.subplots(len(pairs), 1, figsize=(6.4, 0.9 + 0.8 * len(pairs)), squeeze=False)
    for ax, (a, b) in zip(axes[:, 0], pairs):
        strip = model.interpolate(x_test[first[a]], x_test[first[b]], steps=10)
        show_images(ax, strip, rows=1, title=f"from a {a} to a {b} through the latent space")
    save_figure(fig, out, "interpolation")

    summary = {"first_epoch_val_elbo": float(elbo[0]), "final_val_elbo": float(elbo[-1]),
               "final_val_reconstruction": history["val_reconstruction"][-1],
               "final_val_kl": history["val_kl"][-1], "epochs": epochs,
               "latent": args.latent}
    if args.compare:
        summary["compare_final_val_elbo"] = compare(data, epochs, args, x, y,
                                                    history, model, out)
    write_summary(out, summary)
    return summary


def compare(data: dict, epochs: int, args: Any, x_all: np.ndarray, y_all: np.ndarray,
            history: Any, model: Any, out: Path) -> dict[str, float]:
    """beta-VAE and KL annealing beside the plain VAE: curves, latents, samples."""
    plt = pyplot()
    runs = {"VAE (beta 1)": (model, history),
            "beta-VAE (beta 4): KL collapse": train(data, epochs, args.seed, args.latent, beta=4.0),
            "KL annealing (10 epochs)": train(data, epochs, args.seed, args.latent,
                                              callbacks=(KLAnnealing(warmup=10),))}
    fig, axes = plt.subplots(2, 3, figsize=(12, 7))
    epochs_axis = np.arange(1, epochs + 1)
    for name, (_, h) in runs.items():
        axes[0, 0].plot(epochs_axis, h["val_reconstruction"], label=name)
        axes[0, 1].plot(epochs_axis, h["val_kl"], label=name)
        axes[0, 2].plot(epochs_axis, val_elbo(h), label=name)
    for ax, title in zip(axes[0], ("validation reconstruction (nats)", "validation KL (nats)",
                                   "validation ELBO (nats)")):
        ax.set(xlabel="epoch", title=title)
        ax.legend(fontsize=7)
    latents = {name: codes(m, x_all) for name, (m, _) in runs.items()}
    # one scale for the three planes: a collapsed code shows as a dot at the origin
    reach = 1.05 * max(np.abs(mu).max() for mu in latents.values())
    for ax, (name, (m, _)) in zip(axes[1], runs.items()):
        if args.latent == 2:
            plot_latent(ax, latents[name], y_all, f"{name}\nmu of every digit")
            ax.set(xlim=(-reach, reach), ylim=(-reach, reach), aspect="equal")
        else:
            show_images(ax, m.sample(36), rows=6, title=f"{name}: samples")
    save_figure(fig, out, "compare")
    return {name: float(val_elbo(h)[-1]) for name, (_, h) in runs.items()}


if __name__ == "__main__":
    run(main)
