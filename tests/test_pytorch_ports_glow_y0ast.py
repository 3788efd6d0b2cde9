"""y0ast/Glow-PyTorch as its readers write it (``glow_y0ast.py``, ``glow_y0ast_model.py``):
a two-level Glow of ``ActNorm2d`` (data-dependent initialisation from the first batch
under ``no_grad``), ``InvertibleConv1x1`` (``torch.lu_unpack(*torch.lu(w_init))`` with
``torch.qr``, or the plain weight with ``torch.slogdet`` and ``torch.inverse``) or a
``Permute2d`` shuffle, additive or affine coupling, ``Split2d`` with a learned prior,
``uniform_binning_correction`` (``x += ....uniform_(...)``) and train.py's step: Adamax
with weight decay, a ``LambdaLR`` warm-up, ``clip_grad_value_`` and
``clip_grad_norm_``; then sampling with ``model(temperature=..., reverse=True)``. Written
once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for step
next to PyTorch from the same weights on 8x8 digits (float64): bits per dimension,
gradients, parameters and samples agree to 1e-10.

Lines written differently here, and why:
- ``self.bias.data.copy_(bias.data)``, ``weight.data.normal_(...)``, ``.data.zero_()``:
  ``.data`` is NumPy's array here, so the parameters are written under ``no_grad()``;
- ``self.l_mask.transpose(0, 1)`` is ``self.l_mask.T``: ``transpose(0, 1)`` of a 2-d
  tensor is refused here (a no-op in NumPy, a swap in PyTorch);
- ``_ActNorm`` and ``ActNorm2d`` are one class; no ``LinearZeros`` and no class
  conditioning (its forward moves tensors to CUDA); no ignite engine around the step;
- the test's glue: PyTorch's random draws (``torch.randn``, ``torch.randperm``, the
  dequantisation noise, ``torch.normal``) are used in both runs (``Draws``); our model
  loads PyTorch's state dict, and the plain attributes ``Permute2d`` keeps come from the
  same draws.
"""

import numpy as np
import pytest
from flows_helpers import Draws, assert_records
from glow_y0ast import glow_y0ast
from glow_y0ast_model import glow_y0ast_model

import autograd as ag
import nn

pytestmark = pytest.mark.filterwarnings("ignore:torch.lu is deprecated",
                                        "ignore:torch.qr is deprecated")


def build(torch, nn, draws, permutation: str, coupling: str, lu: bool):
    Glow = glow_y0ast_model(torch, nn, glow_y0ast(torch, nn, draws))
    return Glow(image_shape=(8, 8, 1), hidden_channels=8, K=2, L=2, actnorm_scale=1.0,
                flow_permutation=permutation, flow_coupling=coupling, LU_decomposed=lu,
                learn_top=True)


def preprocess(torch, x, n_bits=8):
    """datasets.py's ``preprocess`` of an image in [0, 1]."""
    n_bins = 2 ** n_bits
    x = x * 255
    if n_bits < 8:
        x = torch.floor(x / 2 ** (8 - n_bits))
    return x / n_bins - 0.5


def train(torch, optim, utils, model, batches, record: list, warmup=2) -> None:
    optimizer = optim.Adamax(model.parameters(), lr=5e-4, weight_decay=5e-5)
    lr_lambda = lambda epoch: min(1.0, (epoch + 1) / warmup)  # noqa: E731 (train.py's)
    scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lr_lambda)
    model.train()
    with torch.no_grad():  # train.py's init: the actnorms from the first batch
        model(preprocess(torch, torch.tensor(batches[0])), None)
    for x in batches[1:]:
        optimizer.zero_grad()
        z, nll, y_logits = model(preprocess(torch, torch.tensor(x)), None)
        losses = {"nll": torch.mean(nll)}
        losses["total_loss"] = losses["nll"]
        losses["total_loss"].backward()
        utils.clip_grad_value_(model.parameters(), 5.0)  # torch.nn.utils there
        grads = [p.grad.numpy().copy() for p in model.parameters()]
        utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        scheduler.step()
        record.append([losses["total_loss"].item(), z.detach().numpy()] + grads)
    model.eval()
    samples = model(temperature=0.7, reverse=True)
    record.append([samples.numpy()] + [p.detach().numpy() for p in model.parameters()])


@pytest.mark.parametrize("permutation, coupling, lu", [
    ("invconv", "affine", True), ("invconv", "additive", False), ("shuffle", "affine", False),
])
def test_y0ast_glow_on_digits(torch, permutation, coupling, lu):
    datasets = pytest.importorskip("sklearn.datasets")
    images = datasets.load_digits().images[:24, None] / 16.0
    batches = np.split(images, 3)
    torch.manual_seed(0)
    draws, runs = Draws(), ([], [])
    theirs = build(torch, torch.nn, draws, permutation, coupling, lu)
    ours = build(ag, nn, draws, permutation, coupling, lu)
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    train(torch, torch.optim, torch.nn.utils, theirs, batches, runs[1])
    train(ag, nn.optim, nn.utils, ours, batches, runs[0])
    assert_records(*runs)
    assert draws.position == len(draws.recorded)
