"""PyTorch's legacy hook-based ``nn.utils.weight_norm`` / ``remove_weight_norm``
(``nn/utils/weight_norm_hook.py``), as HiFi-GAN's generator uses them, compared with
PyTorch's in float64: the FutureWarning, the parameters ``weight_g`` and ``weight_v``,
training steps, ``dim`` (-1 and None: the whole tensor) and removal."""

import numpy as np
import pytest

import autograd
import nn


def numpy_state(module) -> dict:
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("dim", [0, 1, -1, None])
def test_legacy_weight_norm_trains_as_torch(torch, dim):
    torch.manual_seed(0)
    with pytest.warns(FutureWarning):
        theirs = torch.nn.utils.weight_norm(torch.nn.Conv1d(2, 3, 3), dim=dim)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        ours = nn.utils.weight_norm(nn.Conv1d(2, 3, 3), dim=dim)
    want = numpy_state(theirs)
    assert list(numpy_state(ours)) == list(want) == ["bias", "weight_g", "weight_v"]
    assert ours.weight_g.shape == tuple(theirs.weight_g.shape)
    ours.load_state_dict({k: autograd.tensor(v) for k, v in want.items()})
    x = np.random.default_rng(1).standard_normal((2, 2, 6))
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    opt_o = nn.optim.SGD(ours.parameters(), lr=0.1)
    for _ in range(2):
        for model, opt, lib in ((theirs, opt_t, torch), (ours, opt_o, autograd)):
            opt.zero_grad()
            (model(lib.tensor(x)).tanh() ** 2).sum().backward()
            opt.step()
        for key, value in numpy_state(theirs).items():
            np.testing.assert_allclose(numpy_state(ours)[key], value, rtol=1e-10)
    torch.nn.utils.remove_weight_norm(theirs)
    assert nn.utils.remove_weight_norm(ours) is ours
    assert list(numpy_state(ours)) == list(numpy_state(theirs)) == ["bias", "weight"]
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(),
                               rtol=1e-10)


def test_legacy_weight_norm_imports_and_refuses_as_torch():
    from nn.utils import remove_weight_norm, weight_norm  # HiFi-GAN's import line
    with pytest.warns(FutureWarning):
        layer = weight_norm(nn.Linear(3, 2))
    with pytest.raises(autograd.UsageError, match="remove_weight_norm"), \
            pytest.warns(FutureWarning):
        weight_norm(layer)
    with pytest.raises(autograd.UsageError, match="no weight_norm hook"):
        remove_weight_norm(nn.Linear(3, 2))
