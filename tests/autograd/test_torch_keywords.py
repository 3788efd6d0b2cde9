"""PyTorch's keyword names and call forms beside NumPy's (``x.norm(p=2, dim=1)``,
``x.flip(dims=...)``, ...): values and gradients against PyTorch where it is installed,
gradients against finite differences, and named errors for two spellings at once."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import AutogradError, Tensor

X = np.random.default_rng(1).standard_normal((3, 4))

# (name, ours, PyTorch's): each takes the tensor (ours or torch's) and returns a tensor
CASES: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("norm p", lambda t: t.norm(p=2, dim=1, keepdim=True),
     lambda t: t.norm(p=2, dim=1, keepdim=True)),
    ("norm p fro", lambda t: t.norm(p="fro"), lambda t: t.norm(p="fro")),
    ("norm p 1", lambda t: t.norm(p=1, dim=0), lambda t: t.norm(p=1, dim=0)),
    ("norm p inf", lambda t: t.norm(p=np.inf, dim=(0, 1)),
     lambda t: t.norm(p=float("inf"), dim=(0, 1))),
    ("ag.norm p", lambda t: ag.norm(t, p=2, dim=0), lambda t: _torch().norm(t, p=2, dim=0)),
    ("flip dims", lambda t: t.flip(dims=(0,)) * t, lambda t: t.flip(dims=(0,)) * t),
    ("flip dims all", lambda t: t.flip(dims=(1, 0)), lambda t: t.flip(dims=(1, 0))),
    ("ag.flip dims", lambda t: ag.flip(t, dims=[-1]), lambda t: _torch().flip(t, dims=[-1])),
    ("roll dims", lambda t: t.roll(1, dims=1) * t, lambda t: t.roll(1, dims=1) * t),
    ("roll shifts dims", lambda t: t.roll(shifts=(-1, 2), dims=(0, 1)),
     lambda t: t.roll(shifts=(-1, 2), dims=(0, 1))),
    ("roll flat", lambda t: t.roll(5) * t, lambda t: t.roll(5) * t),
    ("ag.roll", lambda t: ag.roll(t, shifts=2, dims=-1), lambda t: _torch().roll(t, 2, -1)),
    ("triu diagonal", lambda t: t.triu(diagonal=1), lambda t: t.triu(diagonal=1)),
    ("tril diagonal", lambda t: t.tril(diagonal=-1), lambda t: t.tril(diagonal=-1)),
    ("ag.triu", lambda t: ag.triu(t, diagonal=-2), lambda t: _torch().triu(t, diagonal=-2)),
    ("ag.tril", lambda t: ag.tril(t, diagonal=2), lambda t: _torch().tril(t, diagonal=2)),
    ("tile ints", lambda t: t.tile(2, 1) * 1.5, lambda t: t.tile(2, 1) * 1.5),
    ("tile ints new axis", lambda t: t.tile(2, 1, 3), lambda t: t.tile(2, 1, 3)),
    ("tile one int", lambda t: t.tile(2), lambda t: t.tile(2)),
    ("tile dims", lambda t: t.tile(dims=(1, 2)), lambda t: t.tile(dims=(1, 2))),
    ("tile tuple", lambda t: t.tile((3, 1)), lambda t: t.tile((3, 1))),
    # d2l's transformer decoder: torch.cat((state[2][self.i], X), axis=1)
    ("ag.cat axis", lambda t: ag.cat((t, t.exp()), axis=1),
     lambda t: _torch().cat((t, t.exp()), axis=1)),
    ("ag.cat dim", lambda t: ag.cat([t, t * 2], dim=-1), lambda t: _torch().cat([t, t * 2], -1)),
    ("einsum list", lambda t: ag.einsum("ij,kj->ik", [t, t * t]),
     lambda t: _torch().einsum("ij,kj->ik", [t, t * t])),
    ("einsum tuple", lambda t: ag.einsum("ij,ij,ij->j", (t, t, t.exp())),
     lambda t: _torch().einsum("ij,ij,ij->j", (t, t, t.exp()))),
]


def _torch() -> Any:
    return pytest.importorskip("torch")


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=[c[0] for c in CASES])
def test_keywords_are_differentiable(name: str, ours: Callable, theirs: Callable) -> None:
    x = Tensor(X.copy(), requires_grad=True)
    assert ag.gradcheck(lambda t: ours(t), [x]), name


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=[c[0] for c in CASES])
def test_keywords_match_pytorch(name: str, ours: Callable, theirs: Callable) -> None:
    torch = _torch()
    x, tx = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    mine, reference = ours(x), theirs(tx)
    np.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=1e-12, atol=1e-12)
    weight = np.random.default_rng(2).standard_normal(reference.shape)
    (mine * weight).sum().backward()
    (reference * torch.tensor(weight)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_cat_dim_and_axis_together_is_a_named_error() -> None:
    with pytest.raises(AutogradError, match=r"got both axis=1 and dim=1.*Pass only one"):
        ag.cat((Tensor(X), Tensor(X)), 1, axis=1)


def test_norm_p_and_ord_together_is_a_named_error() -> None:
    x = Tensor(X)
    with pytest.raises(AutogradError, match=r"norm: got ord=1 and p=2.*only one"):
        x.norm(1, p=2)
    with pytest.raises(TypeError, match="ord=.*p="):
        ag.norm(x, ord=2, p=1)
    assert x.norm(2) == x.norm(p=2) == x.norm()  # NumPy's ord still works


def test_flip_dims_with_dim_or_axis_is_a_named_error() -> None:
    x = Tensor(X)
    with pytest.raises(AutogradError, match=r"flip: got dim=0 and dims=\(1,\)"):
        x.flip(dim=0, dims=(1,))
    with pytest.raises(ValueError, match="flip: got both axis=0 and dim=1"):
        ag.flip(x, 0, dims=1)
    np.testing.assert_array_equal(x.flip(0).data, np.flip(X, 0))  # NumPy's axis stays


def test_roll_pairs_shifts_and_axes_as_numpy() -> None:
    x = Tensor(X)
    for shift, axis in (((1, 2), 0), (1, (0, 1)), ((1, 2), None), ((1, -2), (1, 0))):
        np.testing.assert_array_equal(x.roll(shift, axis).data, np.roll(X, shift, axis))
        np.testing.assert_array_equal(np.roll(x, shift, axis).data, np.roll(X, shift, axis))
    with pytest.raises(ValueError, match=r"roll: shifts \(1, 2\) and axes \(0, 1, 1\) do not"):
        x.roll((1, 2), (0, 1, 1))
    with pytest.raises(AutogradError, match="roll: got shift=1 and shifts=2"):
        x.roll(1, shifts=2)
    with pytest.raises(TypeError, match="roll: needs shift"):
        x.roll(dims=0)


def test_triangles_take_k_or_diagonal_not_both() -> None:
    x = Tensor(X)
    with pytest.raises(AutogradError, match="tril: got k=1 and diagonal=1"):
        x.tril(1, diagonal=1)
    with pytest.raises(TypeError, match="triu: got k=0 and diagonal=2"):
        ag.triu(x, 0, diagonal=2)
    np.testing.assert_array_equal(np.triu(x, k=1).data, np.triu(X, k=1))  # NumPy's k stays
    np.testing.assert_array_equal(x.tril().data, np.tril(X))


def test_tile_forms_and_errors() -> None:
    x = Tensor(X)
    np.testing.assert_array_equal(np.tile(x, (2, 1)).data, np.tile(X, (2, 1)))
    np.testing.assert_array_equal(np.tile(x, reps=2).data, np.tile(X, reps=2))
    with pytest.raises(ValueError, match=r"tile: got the sequence \(2, 1\) followed by"):
        x.tile((2, 1), 3)
    with pytest.raises(AutogradError, match="tile: got reps=2 and dims=2"):
        x.tile(2, dims=2)
    with pytest.raises(TypeError, match="tile: needs the repetitions"):
        x.tile()


def test_einsum_list_form_errors_and_numpy_array_likes() -> None:
    x = Tensor(X)
    with pytest.raises(ValueError, match="einsum"):
        ag.einsum("ij,jk->ik", [x])  # one operand for two: the einsum error, not a DataError
    with pytest.raises(ValueError, match="einsum"):
        ag.einsum("ij,jk->ik", [x, x.T, x])
    nested = [[1.0, 2.0], [3.0, 4.0]]  # one operand: a list is an array-like, as NumPy's
    np.testing.assert_array_equal(ag.einsum("ij->ji", nested).data, np.einsum("ij->ji", nested))


@pytest.mark.parametrize("device", ["mps", "cuda", "cuda:1", "xpu"])
def test_to_another_device_names_it(device: str) -> None:
    x = Tensor(X)
    with pytest.raises(AutogradError, match=rf"to\('{device}'\): there is no '{device}' device"):
        x.to(device)
    with pytest.raises(TypeError, match=f"no '{device}' device"):  # UsageError, as cuda()'s
        x.to(device=device, dtype=np.float32)
    assert x.to("cpu:0") is x and x.to("cpu", np.float32).dtype == np.float32
    assert x.to("cpu", non_blocking=True) is x


def test_to_takes_a_torch_device() -> None:
    torch = _torch()
    x = Tensor(X)
    assert x.to(torch.device("cpu")) is x
    with pytest.raises(AutogradError, match="no 'cuda:0' device"):
        x.to(torch.device("cuda", 0))


# ------------------------------------------------------------ index_add(dim, index, source)
@pytest.mark.parametrize("call", [
    lambda x, i, s: x.index_add(1, i, s), lambda x, i, s: x.index_add(1, i, s, alpha=2.5),
    lambda x, i, s: x.index_add(dim=1, index=i, source=s),
    lambda x, i, s: x.index_add(-1, i, source=s)])
def test_index_add_in_pytorchs_form_matches_torch(call) -> None:
    """index_add(dim, index, source, alpha=) as PyTorch (repeated indices add up), values
    and gradients; ours, index_add(index, v), is unchanged."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x0, s0 = rng.normal(size=(3, 4)), rng.normal(size=(3, 3))
    i0 = np.array([0, 2, 0])
    w = rng.normal(size=(3, 4))
    x, s = Tensor(x0, requires_grad=True), Tensor(s0, requires_grad=True)
    out = call(x, i0, s)
    (out * w).sum().backward()
    tx = torch.tensor(x0, requires_grad=True)
    ts = torch.tensor(s0, requires_grad=True)
    tout = call(tx, torch.from_numpy(i0), ts)
    (tout * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(out.data, tout.detach().numpy())
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())
    np.testing.assert_allclose(s.grad.data, ts.grad.numpy())
    np.testing.assert_array_equal(ag.zeros(3).index_add([0, 0], np.ones(2)).data, [2, 0, 0])


@pytest.mark.parametrize("index, source, error, match", [
    (np.array([0.0, 1.0]), np.ones((3, 2)), ag.TensorIndexError, "must be integers"),
    (np.array([-1, 0]), np.ones((3, 2)), ag.TensorIndexError, r"in \[0, 4\)"),
    (np.array([0, 4]), np.ones((3, 2)), ag.TensorIndexError, r"in \[0, 4\)"),
    (np.array([0, 1]), np.ones(2), ag.ShapeError, r"shape \(3, 2\).*not broadcast"),
])
def test_index_add_in_pytorchs_form_names_bad_input(index, source, error, match) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(error, match=match):
        ag.zeros((3, 4)).index_add(1, index, source)
    with pytest.raises((RuntimeError, IndexError)):
        torch.zeros(3, 4).index_add(1, torch.from_numpy(index), torch.from_numpy(source))


def test_flip_takes_pytorchs_separate_ints() -> None:
    torch = pytest.importorskip("torch")
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(Tensor(x).flip(0, 2).data,
                                  torch.from_numpy(x).flip(0, 2).numpy())
    with pytest.raises(ag.ShapeError, match=r"flip: got the sequence \(0,\) followed by"):
        Tensor(x).flip((0,), 1)
