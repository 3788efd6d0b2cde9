"""``max``/``min``/``sort`` follow the library the call is spelled in: NumPy's spelling
(``x.max(1)``, ``axis=``, ``keepdims=``) gives the values, PyTorch's (``dim=``, or an axis
with ``keepdim=``) gives PyTorch's pair ``(values, indices)``, compared here with torch."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, UsageError

torch = pytest.importorskip("torch")

# distinct entries: which index holds an extreme is not in doubt (ties are not compared)
DATA = np.random.default_rng(3).permutation(24).reshape(2, 3, 4) / 7.0 - 1.0

TORCH_CALLS = [
    ("max dim", lambda t: t.max(dim=1)),
    ("min dim", lambda t: t.min(dim=-1)),
    ("max dim keepdim", lambda t: t.max(dim=0, keepdim=True)),
    ("min axis keepdim", lambda t: t.min(2, keepdim=True)),
    ("sort dim", lambda t: t.sort(dim=1)),
    ("sort dim descending", lambda t: t.sort(dim=-1, descending=True)),
]


@pytest.mark.parametrize("name, call", TORCH_CALLS, ids=[c[0] for c in TORCH_CALLS])
def test_pytorch_spelling_gives_pytorchs_values_indices_and_gradient(name: str,
                                                                     call: Callable) -> None:
    x = Tensor(DATA, requires_grad=True)
    tx = torch.tensor(DATA, requires_grad=True)
    (values, indices), expected = call(x), call(tx)
    assert call(x).values is not None and call(x).indices is not None  # by name too
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    assert indices.dtype == np.int64 and not indices.requires_grad
    weights = np.random.default_rng(0).random(values.shape)
    (values * weights).sum().backward()
    (expected.values * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=0, atol=1e-15)


def test_the_tutorial_idioms_mean_what_they_mean_in_pytorch() -> None:
    logits = np.array([[0.1, 2.0, -1.0], [3.0, 0.5, 0.2]])  # two rows: the silent case
    out, t_out = Tensor(logits), torch.tensor(logits)
    _, pred = ag.max(out, dim=1)
    np.testing.assert_array_equal(pred.data, torch.max(t_out, dim=1)[1].numpy())
    np.testing.assert_array_equal(out.max(1, keepdim=True)[1].data,
                                  t_out.max(1, keepdim=True)[1].numpy())
    np.testing.assert_array_equal(out.max(dim=1)[0].data, t_out.max(dim=1)[0].numpy())
    np.testing.assert_array_equal(out.min(dim=0).indices.data,
                                  t_out.min(dim=0).indices.numpy())


def test_numpy_spelling_still_gives_the_values() -> None:
    x = Tensor(DATA)
    for values, expected in [(x.max(1), DATA.max(1)), (x.min(axis=0), DATA.min(axis=0)),
                             (x.max(2, keepdims=True), DATA.max(2, keepdims=True)),
                             (np.max(x, axis=1), DATA.max(axis=1)), (x.max(), DATA.max()),
                             (ag.min(x, 1), DATA.min(1)), (x.sort(1), np.sort(DATA, 1)),
                             (x.sort(axis=0), np.sort(DATA, axis=0))]:
        assert isinstance(values, Tensor)
        np.testing.assert_array_equal(values.data, expected)


def test_nan_is_the_extreme_and_its_index_is_given_as_torch() -> None:
    data = np.array([[1.0, np.nan, 3.0], [2.0, 0.0, -1.0]])
    for name in ("max", "min"):
        values, indices = getattr(Tensor(data), name)(dim=1)
        expected = getattr(torch.tensor(data), name)(dim=1)
        np.testing.assert_array_equal(values.data, expected.values.numpy())
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())


def test_pytorch_spelling_takes_one_int_axis() -> None:
    x = Tensor(DATA)
    for call in (lambda: x.max(dim=(0, 1)), lambda: x.min(dim=[1]),
                 lambda: x.max(dim=True)):
        with pytest.raises(UsageError, match=r"takes one int axis.*amax|takes one int axis"):
            call()
    with pytest.raises(ag.AxisError, match="out of range|axis"):
        x.max(dim=3)
