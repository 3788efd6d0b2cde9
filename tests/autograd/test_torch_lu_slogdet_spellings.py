"""PyTorch's module-level ``torch.slogdet(A)`` (a named pair ``.sign``, ``.logabsdet``)
and ``torch.lu(A, pivot=True, get_infos=False)`` (``(LU, pivots[, infos])``, which Glow's
``torch.lu_unpack(*torch.lu(w_init))`` unpacks), against PyTorch: values, names and
gradients."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UnsupportedError

pytestmark = pytest.mark.filterwarnings("ignore:torch.lu is deprecated")


def matrices(seed: int, shape: tuple) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_slogdet_function_is_the_named_pair(torch, shape) -> None:
    a = matrices(0, shape)
    ours, theirs = ag.slogdet(ag.tensor(a)), torch.slogdet(torch.tensor(a))
    assert type(ours).__name__ == "SlogDet" and ours._fields == ("sign", "logabsdet")
    np.testing.assert_allclose(ours.sign.numpy(), theirs.sign.numpy())
    np.testing.assert_allclose(ours.logabsdet.numpy(), theirs.logabsdet.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)])
@pytest.mark.parametrize("get_infos", [False, True])
def test_lu_function_matches_torch(torch, shape, get_infos) -> None:
    a = matrices(1, shape)
    ours = ag.lu(ag.tensor(a), get_infos=get_infos)
    theirs = torch.lu(torch.tensor(a), get_infos=get_infos)
    assert len(ours) == len(theirs) == (3 if get_infos else 2)
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-14)
        assert got.dtype == want.numpy().dtype


def test_glow_lu_parametrisation_and_its_gradient(torch) -> None:
    """y0ast/Glow-PyTorch's ``InvertibleConv1x1``: ``torch.lu_unpack(*torch.lu(w))``,
    then the weight P L U rebuilt from parameters; ln|det| and its gradient."""
    w0 = matrices(2, (4, 4))
    results = []
    for lib in (ag, torch):
        w = lib.tensor(w0, requires_grad=True)
        p, lower, upper = lib.lu_unpack(*lib.lu(w))
        weight = p @ lower @ upper
        loss = (weight * lib.tensor(matrices(3, (4, 4)))).sum() + lib.slogdet(weight)[1]
        loss.backward()
        results.append([p.numpy(), lower.detach().numpy(), upper.detach().numpy(),
                        loss.item(), w.grad.numpy()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_lu_without_pivoting_is_refused_as_torch_on_cpu() -> None:
    with pytest.raises(UnsupportedError, match="pivot"):
        ag.lu(ag.tensor(matrices(4, (3, 3))), pivot=False)
