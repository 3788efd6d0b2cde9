"""rosinality/glow-pytorch as its readers write it (model.py in ``glow_rosinality.py``):
a two-block ``Glow`` of ``ActNorm`` -> invertible 1x1 convolution (``InvConv2dLU``, or
``InvConv2d`` with ``torch.slogdet`` and ``.inverse()``) -> ``AffineCoupling`` flows, and
train.py's loop: images quantised to ``n_bits`` and dequantised with uniform noise, a
first batch under ``no_grad`` that initialises the actnorms from data, then
``calc_loss`` in bits per dimension, ``model.zero_grad()``, ``loss.backward()``, Adam
with its learning rate written into ``optimizer.param_groups[0]["lr"]``; sampling with
``model.reverse(z_sample)`` under ``no_grad`` and exact reconstruction with
``reconstruct=True``. Written once for a library ``torch`` (``autograd`` here, PyTorch
there) and run step for step next to PyTorch from the same weights on scikit-learn's
8x8 digits (float64): losses, gradients, parameters and samples agree to 1e-10.

Lines written differently here, and why:
- ``self.loc.data.copy_(-mean)`` in ``ActNorm.initialize``: ``.data`` is NumPy's array
  here (it has no ``copy_``), so the parameter is written with ``self.loc.copy_`` under
  the ``no_grad`` the method already opens;
- ``flatten.std(1)`` is ``flatten.std(dim=1)``: a bare axis gives NumPy's population std
  here (the README's spelling rule: NumPy wins), ``dim=`` PyTorch's ``correction=1``;
- ``.data.zero_()`` and ``.data.normal_(0, 0.05)`` in ``ZeroConv2d`` and
  ``AffineCoupling``: the same, ``zero_()`` and ``normal_`` on the parameters under
  ``no_grad()``;
- ``la.lu(q.astype(np.float32))`` is ``la.lu(q)``: the comparison runs in float64 (PyTorch
  refuses a float32 ``w_p`` times the float64 ``l_eye`` of that default dtype);
- ``torch.qr`` is ``torch.linalg.qr`` in both (PyTorch 2 removed ``torch.qr``);
- the test's glue: ``filter_size`` reaches ``AffineCoupling`` through ``Flow``, ``Block``
  and ``Glow`` (512 channels there, 8 here); our model starts from PyTorch's state dict
  (weights, the LU buffers, the actnorms' ``initialized`` flags); ``torch.rand_like``'s
  dequantisation noise and ``torch.randn``'s ``z_sample`` are drawn once with NumPy and
  handed to both; no ``DataParallel`` (``model.module`` is the model itself).
"""

import numpy as np
import pytest
from flows_helpers import assert_records
from glow_rosinality import calc_loss, calc_z_shapes, glow

import autograd as ag
import nn

pytestmark = pytest.mark.filterwarnings("ignore:The given NumPy array is not writable")

N_BITS, IMG_SIZE, N_FLOW, N_BLOCK = 5, 8, 2, 2


def images_and_noise(steps: int, batch: int) -> tuple[list, list]:
    """Batches of digits scaled to [0, 1] (ToTensor's range) and uniform noise for each."""
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits().images[: steps * batch] / 16.0
    rng = np.random.default_rng(0)
    images = [digits[i * batch:(i + 1) * batch, None] for i in range(steps)]
    return images, [rng.random(image.shape) for image in images]


def train(torch, optim, model, images, noises, record: list, lr: float = 1e-3) -> None:
    """train.py's loop (``model_single`` is ``model``: no DataParallel)."""
    optimizer = optim.Adam(model.parameters(), lr=lr)
    n_bins = 2.0 ** N_BITS
    for i, (image, noise) in enumerate(zip(images, noises)):
        image = torch.tensor(image)
        image = image * 255
        if N_BITS < 8:
            image = torch.floor(image / 2 ** (8 - N_BITS))
        image = image / n_bins - 0.5
        noise = torch.tensor(noise)  # torch.rand_like(image), drawn once for both runs
        if i == 0:
            with torch.no_grad():
                log_p, logdet, _ = model(image + noise / n_bins)
                continue
        log_p, logdet, _ = model(image + noise / n_bins)
        logdet = logdet.mean()
        loss, log_p, log_det = calc_loss(log_p, logdet, IMG_SIZE, n_bins, n_channel=1)
        model.zero_grad()
        loss.backward()
        warmup_lr = lr
        optimizer.param_groups[0]["lr"] = warmup_lr
        optimizer.step()
        record.append([loss.item(), log_p.item(), log_det.item()]
                      + [p.grad.numpy().copy() for p in model.parameters()])
        record.append([p.detach().numpy().copy() for p in model.parameters()])


def sample_and_reconstruct(torch, model, z_draws, image) -> list:
    """Samples from ``z_sample`` and the latents of ``image`` mapped back (no_grad)."""
    z_sample = [torch.tensor(z) * 0.7 for z in z_draws]  # torch.randn(...) * args.temp
    with torch.no_grad():
        samples = model.reverse(z_sample)
        _, _, z_outs = model(torch.tensor(image))
        back = model.reverse(z_outs, reconstruct=True)
    return [samples.numpy(), back.numpy()]


@pytest.mark.parametrize("conv_lu", [True, False], ids=["lu", "slogdet"])
def test_glow_on_digits(torch, conv_lu):
    images, noises = images_and_noise(steps=4, batch=16)
    torch.manual_seed(0)
    np.random.seed(0)
    theirs = glow(torch, torch.nn)["Glow"](1, N_FLOW, N_BLOCK, conv_lu=conv_lu,
                                             filter_size=8)
    ours = glow(ag, nn)["Glow"](1, N_FLOW, N_BLOCK, conv_lu=conv_lu, filter_size=8)
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    runs = [], []
    train(ag, nn.optim, ours, images, noises, runs[0])
    train(torch, torch.optim, theirs, images, noises, runs[1])
    assert_records(*runs)

    rng = np.random.default_rng(1)
    z_draws = [rng.standard_normal((4,) + z) for z in calc_z_shapes(1, IMG_SIZE, N_FLOW,
                                                                    N_BLOCK)]
    got = sample_and_reconstruct(ag, ours, z_draws, images[0][:4] - 0.5)
    want = sample_and_reconstruct(torch, theirs, z_draws, images[0][:4] - 0.5)
    assert_records([got], [want], rtol=1e-9)
    np.testing.assert_allclose(got[1], images[0][:4] - 0.5, atol=1e-10)
