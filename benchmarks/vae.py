"""vae: one Adam step of a 64-32-(2+2)-32-64 VAE, float32, batch 64, Bernoulli decoder.

loss = [sum of BCE-with-logits(decode(z), x) + KL(N(mu, e^logvar) || N(0, I))] / N with
z = mu + e^{logvar/2} eps and eps drawn once (frozen, so every candidate computes the
same number). The engine runs the library's ``nn.models.VAE`` (ReLU hidden layers);
the baseline is the same step by hand in NumPy (forward, backward and Adam), and
PyTorch runs it too."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd as ag
import nn
from nn.models import VAE

from .breakdown import NOTE, adam_step_candidates
from .harness import (Case, LossAndGrads, NumpyAdam, Settings, measure,
                      same_layout, weight_grad)

__all__ = ["run", "NumpyVAE"]

IN, HIDDEN, LATENT, BATCH = 64, 32, 2, 64
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8
TARGET = "<= 1.4x NumPy"


class NumpyVAE:
    """The same step by hand: params W_enc b_enc W_mu b_mu W_lv b_lv W_dh b_dh W_do b_do
    (weights (out, in)); Adam by hand (``NumpyAdam``)."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = same_layout(params)
        self.adam = NumpyAdam(self.params, LR, BETAS, EPS)

    def loss_and_grads(self, x: np.ndarray, eps: np.ndarray) -> LossAndGrads:
        We, be, Wm, bm, Wl, bl, Wh, bh, Wo, bo = self.params
        n = x.shape[0]
        he = x @ We.T + be
        ae = np.maximum(he, 0)
        mu, logvar = ae @ Wm.T + bm, ae @ Wl.T + bl
        std = np.exp(logvar * 0.5)
        z = mu + std * eps
        hd = z @ Wh.T + bh
        ad = np.maximum(hd, 0)
        logits = ad @ Wo.T + bo
        recon = (np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))).sum()
        var = std * std
        kl = 0.5 * (mu * mu + var - logvar - 1).sum()
        loss = (recon + kl) / n
        with np.errstate(over="ignore"):  # exp(-z) = inf gives sigmoid 0, as it should
            dlogits = 1 / (1 + np.exp(-logits))
        dlogits -= x
        dlogits /= n
        dad = dlogits @ Wo
        dhd = dad * (hd > 0)
        dz = dhd @ Wh
        dmu = dz + mu / n
        dlogvar = dz * eps * std * 0.5 + (var - 1) * (0.5 / n)
        dae = dmu @ Wm + dlogvar @ Wl
        dhe = dae * (he > 0)
        grads = [weight_grad(dhe, x, We), dhe.sum(0), weight_grad(dmu, ae, Wm), dmu.sum(0),
                 weight_grad(dlogvar, ae, Wl), dlogvar.sum(0), weight_grad(dhd, z, Wh),
                 dhd.sum(0), weight_grad(dlogits, ad, Wo), dlogits.sum(0)]
        return float(loss), grads

    def step(self, x: np.ndarray, eps: np.ndarray) -> float:
        loss, grads = self.loss_and_grads(x, eps)
        self.adam.step(grads)
        return loss


def _engine_model(rng: np.random.Generator
                  ) -> tuple[VAE, Callable[[ag.Tensor, ag.Tensor], ag.Tensor], list]:
    """(the library's VAE, its loss as a function of (x, eps), its parameters in the
    baseline's order)."""
    model = VAE(IN, HIDDEN, LATENT, decoder="bernoulli", rng=rng, dtype=np.float32)
    named = dict(model.named_parameters())
    order = [f"{layer}.{kind}" for layer in ("encoder.0", "fc_mu", "fc_logvar", "decoder.0",
                                             "decoder.2") for kind in ("weight", "bias")]
    if sorted(named) != sorted(order):
        raise RuntimeError(f"nn.models.VAE has parameters {sorted(named)}; the benchmark's "
                           f"NumPy baseline expects {order}: update benchmarks/vae.py")
    return model, lambda x, eps: model.loss(x, eps=eps).loss, [named[k] for k in order]


def torch_vae(torch: Any, params: list[np.ndarray]) -> tuple[Callable[[Any, Any], Any], list]:
    """(loss function (x, eps) -> tensor, parameters in the baseline's order)."""
    tp = [torch.tensor(p, requires_grad=True) for p in params]
    functional = torch.nn.functional

    def loss_fn(x: Any, eps: Any) -> Any:
        We, be, Wm, bm, Wl, bl, Wh, bh, Wo, bo = tp
        h = functional.relu(functional.linear(x, We, be))
        mu, logvar = functional.linear(h, Wm, bm), functional.linear(h, Wl, bl)
        z = mu + (logvar * 0.5).exp() * eps
        logits = functional.linear(functional.relu(functional.linear(z, Wh, bh)), Wo, bo)
        n = x.shape[0]
        recon = functional.binary_cross_entropy_with_logits(logits, x, reduction="sum") / n
        kl = 0.5 * (mu * mu + logvar.exp() - logvar - 1).sum() / n
        return recon + kl
    return loss_fn, tp


def run(settings: Settings) -> list[Case]:
    rng = np.random.default_rng(2)
    x = (rng.random((BATCH, IN)) < 0.3).astype(np.float32)  # binary "pixels"
    eps = rng.standard_normal((BATCH, LATENT)).astype(np.float32)
    model, loss_fn, params = _engine_model(np.random.default_rng(0))
    arrays = same_layout(p.data for p in params)
    by_hand = NumpyVAE(arrays)
    xt, et = ag.Tensor(x), ag.Tensor(eps)
    adam = dict(lr=LR, betas=BETAS, eps=EPS)
    optimizer = nn.optim.Adam(params, **adam)

    def torch_parts(torch: Any) -> tuple[Callable[[], Any], list]:
        tloss, tparams = torch_vae(torch, arrays)
        tx, te = torch.from_numpy(x), torch.from_numpy(eps)
        return (lambda: tloss(tx, te)), tparams

    candidates, note = adam_step_candidates(
        settings, by_hand, (x, eps), f"autograd + nn.{type(model).__name__}",
        lambda: loss_fn(xt, et), params, optimizer, adam, torch_parts)
    title = (f"VAE {IN}-{HIDDEN}-({LATENT}+{LATENT})-{HIDDEN}-{IN} float32, batch {BATCH}, "
             f"one Adam step")
    case = measure("vae", title, "ms/step", 1e-3, candidates, settings, rtol=1e-4,
                   atol=1e-6, target=TARGET)
    case.notes += [NOTE] + ([note] if note else [])
    return [case]
