"""PyTorch's legacy hook-based ``nn.utils.spectral_norm`` / ``remove_spectral_norm``
(``nn/utils/spectral_norm_hook.py``), compared with PyTorch's in float64: the state-dict
keys, the power-iteration steps in training, none in eval, gradients and removal."""

import numpy as np
import pytest

import autograd
import nn


def make(lib, kind: str):
    if kind == "linear":
        return lib.Linear(5, 3), (4, 5)
    if kind == "conv":
        return lib.Conv2d(2, 3, 3), (2, 2, 5, 5)
    return lib.ConvTranspose2d(2, 3, 3, stride=2), (2, 2, 3, 3)


def numpy_state(module) -> dict:
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("kind", ["linear", "conv", "convtranspose"])
def test_legacy_spectral_norm_trains_and_evaluates_as_torch(torch, kind):
    torch.manual_seed(0)
    layer, shape = make(torch.nn, kind)
    theirs = torch.nn.utils.spectral_norm(layer, n_power_iterations=2)
    ours = nn.utils.spectral_norm(make(nn, kind)[0], n_power_iterations=2)
    want = numpy_state(theirs)
    assert list(numpy_state(ours)) == list(want) == ["bias", "weight_orig", "weight_u",
                                                     "weight_v"]
    ours.load_state_dict({k: autograd.tensor(v) for k, v in want.items()})
    x = np.random.default_rng(1).standard_normal(shape)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    opt_o = nn.optim.SGD(ours.parameters(), lr=0.1)
    for step in range(3):
        if step == 2:
            theirs.eval()
            ours.eval()
        for model, opt, lib in ((theirs, opt_t, torch), (ours, opt_o, autograd)):
            opt.zero_grad()
            (model(lib.tensor(x)) ** 2).sum().backward()
            opt.step()
        np.testing.assert_allclose(ours.weight.detach().numpy(),
                                   theirs.weight.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.weight_orig.grad.numpy(),
                                   theirs.weight_orig.grad.numpy(), rtol=1e-10, atol=1e-13)
        for key, value in numpy_state(theirs).items():
            np.testing.assert_allclose(numpy_state(ours)[key], value, rtol=1e-10, atol=1e-13)
    u_before = ours.weight_u.numpy().copy()
    ours(autograd.tensor(x))  # eval: no power-iteration step
    np.testing.assert_array_equal(ours.weight_u.numpy(), u_before)


def test_remove_spectral_norm_keeps_the_normalized_weight_as_torch(torch):
    torch.manual_seed(0)
    theirs = torch.nn.utils.spectral_norm(torch.nn.Linear(4, 3))
    ours = nn.utils.spectral_norm(nn.Linear(4, 3))
    ours.load_state_dict({k: autograd.tensor(v) for k, v in numpy_state(theirs).items()})
    theirs(torch.ones(1, 4))
    ours(autograd.ones(1, 4))
    torch.nn.utils.remove_spectral_norm(theirs)
    assert nn.utils.remove_spectral_norm(ours) is ours
    assert list(numpy_state(ours)) == list(numpy_state(theirs)) == ["bias", "weight"]
    assert isinstance(ours.weight, nn.Parameter) and len(ours._forward_pre_hooks) == 0
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(),
                               rtol=1e-10)


def test_legacy_spectral_norm_refuses_twice_and_removing_nothing():
    layer = nn.utils.spectral_norm(nn.Linear(4, 3))
    with pytest.raises(autograd.UsageError, match="remove_spectral_norm"):
        nn.utils.spectral_norm(layer)
    with pytest.raises(autograd.UsageError, match="no spectral_norm hook"):
        nn.utils.remove_spectral_norm(nn.Linear(4, 3))
    with pytest.raises(autograd.UsageError, match="positive int"):
        nn.utils.spectral_norm(nn.Linear(4, 3), n_power_iterations=0)
