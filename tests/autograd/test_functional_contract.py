"""``autograd.functional``'s contract beyond the values: the structure of results (tuples
mirror tuples), detached results unless ``create_graph``, dtypes, the count and shapes of
``v``, and the edge cases of jacobian and hessian, compared with PyTorch where it has
them. Mutants that broke any of these passed the value tests in test_functional.py."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import functional as F

torch = pytest.importorskip("torch")
TF = torch.autograd.functional

X = np.array([0.5, -1.5, 2.0])
V = np.array([1.0, 2.0, -0.5])


def _pair(a, b):
    return (a * b, (a * a).sum())


def test_results_mirror_the_tuple_structure_as_pytorch() -> None:
    xs, vs = (ag.Tensor(X), ag.Tensor(X[::-1].copy())), (ag.Tensor(V), ag.Tensor(V))
    txs = tuple(torch.tensor(a.data) for a in xs)
    tvs = tuple(torch.tensor(v.data) for v in vs)
    # jvp: one entry per output; vjp: one per input
    (_, ours), (_, theirs) = F.jvp(_pair, xs, vs), TF.jvp(_pair, txs, tvs)
    assert isinstance(ours, tuple) and len(ours) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.numpy())
    (_, ours), (_, theirs) = F.jvp(lambda a, b: a * b, xs, vs), TF.jvp(lambda a, b: a * b,
                                                                         txs, tvs)
    assert isinstance(ours, ag.Tensor)
    np.testing.assert_allclose(ours.data, theirs.numpy())
    w = (ag.Tensor(V), ag.Tensor(1.5))
    (_, ours), (_, theirs) = F.vjp(lambda a: _pair(a, a), xs[0], w), \
        TF.vjp(lambda a: _pair(a, a), txs[0], (tvs[0], torch.tensor(1.5, dtype=torch.float64)))
    assert isinstance(ours, ag.Tensor)
    np.testing.assert_allclose(ours.data, theirs.numpy())


@pytest.mark.parametrize("what", ["vjp", "jvp", "hvp", "vhp"])
def test_results_are_detached_unless_create_graph_as_pytorch(what: str) -> None:
    f = (lambda a: (a ** 3).sum()) if what in ("hvp", "vhp") else (lambda a: a ** 3)
    ours = getattr(F, what)(f, ag.Tensor(X, requires_grad=True), ag.Tensor(V))
    theirs = getattr(TF, what)(f, torch.tensor(X, requires_grad=True), torch.tensor(V))
    assert [t.requires_grad for t in ours] == [t.requires_grad for t in theirs] == [False] * 2
    graph = getattr(F, what)(f, ag.Tensor(X, requires_grad=True), ag.Tensor(V),
                             create_graph=True)
    assert graph[1].requires_grad


def test_create_graph_keeps_the_results_connected_to_the_inputs() -> None:
    """d/dx of the jacobian's trace of x^3 (6 x), through create_graph=True."""
    x = ag.Tensor(X, requires_grad=True)
    jac = F.jacobian(lambda a: a ** 3, x, create_graph=True)
    (g,) = ag.grad(ag.trace(jac), [x])
    tx = torch.tensor(X, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.trace(TF.jacobian(lambda a: a ** 3, tx,
                                                        create_graph=True)), [tx])
    np.testing.assert_allclose(g.data, tg.numpy())


def test_an_unused_input_gets_zeros_of_its_own_dtype_as_pytorch() -> None:
    a, b = np.ones(2, dtype=np.float32), np.ones(3, dtype=np.float32)
    _, (_, ours) = F.vjp(lambda p, q: (p * 2).sum(), (ag.Tensor(a), ag.Tensor(b)))
    _, (_, theirs) = TF.vjp(lambda p, q: (p * 2).sum(), (torch.tensor(a), torch.tensor(b)))
    assert ours.dtype == np.float32 and str(theirs.dtype) == "torch.float32"
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_unsigned_integer_inputs_are_differentiated_as_float64() -> None:
    """The module docstring: integer data is differentiated as float64 (uint too)."""
    x = np.array([1, 2, 3], dtype=np.uint8)
    jac = F.jacobian(lambda a: a * a, x)
    assert jac.dtype == np.float64
    np.testing.assert_allclose(jac.data, np.diag(2.0 * x))


def test_jacobian_of_an_empty_output_has_the_documented_shape() -> None:
    """output.shape + input.shape, also with no output element (PyTorch raises there)."""
    jac = F.jacobian(lambda a: a[:0], ag.Tensor(X))
    assert jac.shape == (0, 3)


def test_hessian_of_a_one_element_output_of_shape_1_as_pytorch() -> None:
    f = lambda a: (a ** 3).sum().reshape(1)  # noqa: E731
    ours, theirs = F.hessian(f, ag.Tensor(X)), TF.hessian(f, torch.tensor(X))
    np.testing.assert_allclose(ours.data, theirs.numpy())


@pytest.mark.parametrize("count", [1, 3])
def test_v_needs_one_vector_per_output(count: int) -> None:
    vs = tuple(ag.Tensor(V) for _ in range(count))
    with pytest.raises(ag.ShapeError, match=f"{count} vectors v for 2 outputs"):
        F.vjp(lambda a: (a, a * 2), ag.Tensor(X), vs)


def test_v_may_be_left_out_only_for_a_single_output_of_one_element() -> None:
    with pytest.raises(ag.ShapeError, match="v can be omitted only"):
        F.vjp(lambda a: (a.sum(), a), ag.Tensor(X))
    with pytest.raises(ag.ShapeError, match="v can be omitted only"):  # as PyTorch
        F.vjp(lambda a: (a.sum(), (a * a).sum()), ag.Tensor(X))
    _, g = F.vjp(lambda a: ((a * a).sum(),), ag.Tensor(X))
    np.testing.assert_allclose(g.data, 2 * X)


def test_a_list_holding_tensors_is_refused() -> None:
    with pytest.raises(ag.UsageError, match="list holding Tensors; pass a tuple"):
        F.jacobian(lambda a, b: a * b, [ag.Tensor(X), ag.Tensor(X)])


def test_one_tensor_passed_twice_under_create_graph_is_two_inputs_as_pytorch() -> None:
    """Each input becomes a view of its own, so d(a b)/da is b even when a is b."""
    x = ag.Tensor(np.array([0.5, 2.0]), requires_grad=True)
    tx = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
    _, ours = F.vjp(lambda a, b: (a * b).sum(), (x, x), create_graph=True)
    _, theirs = TF.vjp(lambda a, b: (a * b).sum(), (tx, tx), create_graph=True)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy())
