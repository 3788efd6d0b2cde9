"""Found by fuzzing nn.init and nn.utils against PyTorch (session 32): functional_call
ignored the name of a parametrized tensor (it computed with the module's own weight), a
right_inverse raising NotImplementedError stopped register_parametrization (PyTorch keeps
the original), weight_norm refused negative axes, prune.ln_structured refused n="fro",
and bad names or dims gave bare errors."""
from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import AutogradError, UsageError
from nn.errors import MemberNotFoundError


def test_functional_call_refuses_a_parametrized_name_it_cannot_swap() -> None:
    layer = nn.Linear(2, 3, bias=False)
    nn.utils.parametrizations.weight_norm(layer)
    with pytest.raises(UsageError, match="parametriz"), \
            pytest.warns(FutureWarning, match="deprecated"):
        nn.utils.stateless.functional_call(layer, {"weight": Tensor(np.ones((3, 2)))},
                                           (Tensor(np.ones((1, 2))),))
    with pytest.warns(FutureWarning, match="deprecated"):
        kept = nn.utils.stateless.functional_call(layer, {"nothing": Tensor(np.ones(2))},
                                                  (Tensor(np.ones((1, 2))),))
    assert kept.shape == (1, 3)  # a name the module does not have is ignored, as PyTorch


def test_a_right_inverse_not_implemented_leaves_the_original_as_torch(torch) -> None:
    class Doubled(nn.Module):
        def forward(self, x):
            return 2 * x

        def right_inverse(self, x):
            raise NotImplementedError

    class TorchDoubled(torch.nn.Module):
        def forward(self, x):
            return 2 * x

        def right_inverse(self, x):
            raise NotImplementedError

    ours, theirs = nn.Linear(3, 3, bias=False), torch.nn.Linear(3, 3, bias=False)
    weight = np.arange(9.0).reshape(3, 3)
    ours.weight.data = weight.copy()
    theirs.weight.data = torch.tensor(weight)
    nn.utils.parametrize.register_parametrization(ours, "weight", Doubled())
    torch.nn.utils.parametrize.register_parametrization(theirs, "weight", TorchDoubled())
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    square = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3), use_trivialization=False)
    q = square.weight.detach().numpy()
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-12)


@pytest.mark.parametrize("dim", [-2, -3])
def test_weight_norm_takes_negative_axes_as_torch(torch, dim) -> None:
    ours, theirs = nn.Conv1d(3, 2, 2), torch.nn.Conv1d(3, 2, 2)
    nn.utils.parametrizations.weight_norm(ours, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(theirs, dim=dim)
    assert ours.parametrizations.weight.original0.shape == tuple(
        theirs.parametrizations.weight.original0.shape)


def test_bad_names_and_dims_are_named_errors() -> None:
    for call in (lambda: nn.utils.parametrizations.weight_norm(nn.Linear(2, 2), "nope"),
                 lambda: nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), "nope")):
        with pytest.raises(MemberNotFoundError, match="nope"):
            call()
    for call in (lambda: nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), dim="0"),
                 lambda: nn.utils.spectral_norm(nn.Linear(2, 2), dim="0")):
        with pytest.raises(AutogradError, match="dim"):
            call()


def test_ln_structured_takes_fro_as_the_2_norm_as_torch(torch) -> None:
    import torch.nn.utils.prune  # noqa: F401 - a submodule torch does not import itself
    weight = np.array([[3.0, 1.0, 2.0], [0.5, 0.1, 0.2]])
    ours, theirs = nn.Linear(3, 2, bias=False), torch.nn.Linear(3, 2, bias=False)
    ours.weight.data = weight.copy()
    theirs.weight.data = torch.tensor(weight)
    nn.utils.prune.ln_structured(ours, "weight", amount=1, n="fro", dim=0)
    torch.nn.utils.prune.ln_structured(theirs, "weight", amount=1, n="fro", dim=0)
    np.testing.assert_array_equal(ours.weight_mask.numpy(), theirs.weight_mask.numpy())
