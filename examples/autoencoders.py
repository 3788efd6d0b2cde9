"""Sparse and denoising autoencoders on the digits (``nn.models.Autoencoder`` trained
by ``nn.train.fit``; notes 004 Q24, curriculum section 8).

Denoising: the encoder sees a corrupted digit (Gaussian noise by default; masking or
salt-and-pepper with ``--noise``) and the loss compares the reconstruction with the
clean digit, so the network learns to remove the noise. On held-out digits the
restored images are compared with doing nothing: ``identity_mse`` is the error of the
noisy input itself, ``denoising_mse`` that of the restoration.

Sparse: a 64-unit sigmoid code with the KL penalty sum_j KL(rho || rho_hat_j), rho =
0.05 (the notes' KL(0.05 || 0.8) = 1.34 per unit), keeps each unit's mean activation
near 5%: most units are off for any one digit. The same network without the penalty
is shown beside it.

Figures: denoising.png (clean / noisy / restored test digits), codes.png (code
activation histograms and mean activation per unit), losses.png (training curves).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import autograd as ag
import nn
from nn.data import gaussian_noise, masking_noise, salt_and_pepper
from nn.models import Autoencoder
from nn.train import fit

from ._common import (load_digits, make_parser, output_folder, pyplot, run, save_figure,
                      show_images, split, write_summary)

__all__ = ["train", "mean_code", "plot_denoising", "plot_codes", "plot_losses", "main"]

NOISES = {"gaussian": (gaussian_noise, 0.3), "masking": (masking_noise, 0.4),
          "salt_and_pepper": (salt_and_pepper, 0.2)}
RHO = 0.05


def train(model: Autoencoder, data: dict, epochs: int, seed: int) -> Any:
    """Adam (lr 1e-3), batches of 32; the model's own loss (reconstruction + penalty)."""
    return fit(model, None, nn.optim.Adam(model.parameters(), lr=1e-3), data["train"],
               val=data["val"], epochs=epochs, batch_size=32, generator=seed)


def mean_code(model: Autoencoder, x: np.ndarray) -> np.ndarray:
    """The code activations of ``x`` (evaluation mode, no graph)."""
    model.eval()
    with ag.no_grad():
        codes = model.encode(ag.Tensor(x)).numpy()
    model.train()
    return codes


def plot_denoising(clean: np.ndarray, noisy: np.ndarray, restored: np.ndarray, noise: str,
                   out: Path) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(3, 1, figsize=(6.4, 3.3))
    for ax, images, title in zip(axes, (clean, np.clip(noisy, 0, 1), restored),
                                 ("clean test digits", f"with {noise} noise (the input)",
                                  "restored by the denoising autoencoder")):
        show_images(ax, images, rows=1)
        ax.set_title(title, fontsize=9)
    save_figure(fig, out, "denoising")


def plot_codes(codes: dict[str, np.ndarray], out: Path) -> None:
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    bins = np.linspace(0, 1, 41)
    for name, c in codes.items():
        ax1.hist(c.ravel(), bins=bins, alpha=0.6, label=name)
        ax2.plot(np.sort(c.mean(axis=0))[::-1], "o-", ms=3, label=name)
    ax1.set(yscale="log", xlabel="code activation (sigmoid)", ylabel="count (log scale)",
            title="Code activations on test digits")
    ax2.axhline(RHO, color="k", ls=":", label=f"target rate rho = {RHO}")
    ax2.set(xlabel="code unit (sorted)", ylabel="mean activation rho_hat_j",
            title="Mean activation per code unit")
    ax1.legend()
    ax2.legend()
    save_figure(fig, out, "codes")


def plot_losses(histories: dict, held_out: dict[str, float], out: Path) -> None:
    """Reconstruction MSE per epoch. In the denoising panel the two curves measure
    different things: training feeds noisy digits (the target is the clean digit),
    validation runs in eval mode, where the model adds no noise, so it measures plain
    reconstruction of clean digits and lies below training for that reason alone.
    ``held_out`` (label -> MSE on the test digits after training) adds the denoising
    numbers of the summary as horizontal lines."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(histories), figsize=(4 * len(histories), 3.4))
    for ax, (name, history) in zip(axes, histories.items()):
        epochs = np.arange(1, len(history["loss"]) + 1)
        denoising = name == "denoising"
        ax.plot(epochs, history["reconstruction"],
                label="training: noisy input vs clean digit" if denoising else "training")
        ax.plot(epochs, history["val_reconstruction"],
                label="validation: clean input (no noise)" if denoising else "validation")
        if denoising:
            for (label, mse), style in zip(held_out.items(), (":", "--")):
                ax.axhline(mse, color="k", ls=style, lw=1, label=f"{label}: {mse:.3f}")
        ax.set(xlabel="epoch", ylabel="reconstruction MSE", yscale="log", title=name)
        ax.legend(fontsize=7)
    save_figure(fig, out, "losses")


def main(argv: list[str] | None = None) -> dict:
    parser = make_parser(__doc__, "autoencoders")
    parser.add_argument("--noise", choices=sorted(NOISES), default="gaussian",
                        help="the corruption of the denoising autoencoder (default gaussian)")
    args = parser.parse_args(argv)
    out = output_folder(args.out)
    x, y = load_digits()
    if args.quick:
        x, y = x[:400], y[:400]
    (x_train, _), (x_val, _), (x_test, _) = split(x, y, (0.7, 0.1, 0.2),
                                                 np.random.default_rng(args.seed))
    data = {"train": x_train, "val": x_val}
    epochs = 3 if args.quick else 80
    corrupt, level = NOISES[args.noise]

    denoiser = Autoencoder(64, [128], 32, output="sigmoid", noise=args.noise,
                           noise_level=level, rng=args.seed)
    histories = {"denoising": train(denoiser, data, epochs, args.seed).history}
    noisy = corrupt(x_test, level, np.random.default_rng(args.seed + 1))
    restored = denoiser.reconstruct(noisy)
    identity_mse = float(np.mean((noisy - x_test) ** 2))
    denoising_mse = float(np.mean((restored - x_test) ** 2))
    plot_denoising(x_test[:10], noisy[:10], restored[:10], args.noise, out)

    sparse = Autoencoder(64, [128], 64, output="sigmoid", sparsity="kl", rho=RHO,
                         sparsity_weight=3e-3, rng=args.seed)
    dense = Autoencoder(64, [128], 64, output="sigmoid", code_activation="sigmoid",
                        rng=args.seed)
    histories["sparse (KL, rho 0.05)"] = train(sparse, data, epochs, args.seed).history
    histories["no sparsity penalty"] = train(dense, data, epochs, args.seed).history
    codes = {"sparse (KL, rho 0.05)": mean_code(sparse, x_test),
             "no sparsity penalty": mean_code(dense, x_test)}
    plot_codes(codes, out)
    plot_losses(histories, {"test, noisy input as it is": identity_mse,
                            "test, noisy input restored": denoising_mse}, out)

    summary = {"denoising_mse": denoising_mse, "identity_mse": identity_mse,
               "noise": f"{args.noise} {level}",
               "sparse_mean_activation": float(codes["sparse (KL, rho 0.05)"].mean()),
               "dense_mean_activation": float(codes["no sparsity penalty"].mean()),
               "sparse_reconstruction_mse": float(np.mean(
                   (sparse.reconstruct(x_test) - x_test) ** 2)),
               "dense_reconstruction_mse": float(np.mean(
                   (dense.reconstruct(x_test) - x_test) ** 2))}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
