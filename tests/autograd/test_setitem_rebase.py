"""``t[index] = v`` on a tensor in a graph is differentiable, as in PyTorch: t's history
is rebased onto an index-put op. Ops that used t before the assignment keep sending their
gradients to t's old value; everything after it sees the new one. Every expected
gradient comes from finite differences (gradcheck), never typed in."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


def before_and_after(x: Tensor, v: Tensor) -> Tensor:
    """t used before the write (sum: saves nothing; exp: saves its output; t * t: saves
    t), then written at two places, then used again."""
    t = x * 2.0
    before = t.sum() + t.exp().sum() + (t * t).sum()
    t[1] = v * 3.0
    t[np.array([0, 2])] = v.reshape(1) ** 2
    after = (t * t.sin()).sum()
    return before + after


def rng_tensor(shape, seed, requires_grad=True):
    data = np.random.default_rng(seed).uniform(-1, 1, shape)
    return Tensor(data, requires_grad=requires_grad)


def test_gradients_match_finite_differences() -> None:
    x, v = rng_tensor((4,), 0), rng_tensor((), 1)
    assert ag.gradcheck(before_and_after, [x, v])


def test_second_order_matches_finite_differences() -> None:
    x, v = rng_tensor((4,), 2), rng_tensor((), 3)
    assert ag.gradgradcheck(before_and_after, [x, v])


def test_backward_and_grad_agree() -> None:
    x, v = rng_tensor((4,), 4), rng_tensor((), 5)
    gx, gv = ag.grad(before_and_after(x, v), [x, v])
    before_and_after(x, v).backward()
    np.testing.assert_allclose(x.grad.data, gx.data, rtol=1e-12)
    np.testing.assert_allclose(v.grad.data, gv.data, rtol=1e-12)


def test_values_after_the_assignment() -> None:
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    t = x * 2.0
    kept = t  # the same object: it is t, rebased
    t[0] = 10.0
    assert kept is t and t.tolist() == [10.0, 4.0, 6.0]
    assert type(t.grad_fn).__name__ == "SetItem"


def test_a_constant_written_with_a_tracked_value_joins_the_graph() -> None:
    v = rng_tensor((2,), 6)

    def fn(v):
        buffer = Tensor(np.zeros((2, 3)))
        buffer[:, 1] = v
        buffer[0] = buffer[0] * 4.0
        return (buffer * buffer).sum()
    assert ag.gradcheck(fn, [v])


def test_a_view_taken_before_shows_the_new_values_as_pytorchs() -> None:
    x = rng_tensor((2, 2), 7)

    def fn(x):
        t = x * 1.5
        flat = t.reshape(4)  # taken before the write: it shows t's new value
        t[0, 0] = 0.0
        return (flat * flat).sum() + t.sum()
    t = x * 1.5
    flat = t.reshape(4)
    t[0, 0] = 0.0
    np.testing.assert_array_equal(flat.data, t.data.reshape(4))
    assert flat.data[0] == 0.0
    assert ag.gradcheck(fn, [x])


def test_the_value_takes_the_tensors_dtype() -> None:
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    v = Tensor(np.array(2.0), requires_grad=True)  # float64
    t = x * 1.0
    t[1] = v
    (t * t).sum().backward()
    assert t.dtype == np.float32 and x.grad.dtype == np.float32
    assert v.grad.dtype == np.float64 and v.grad.item() == 4.0


def test_a_value_of_the_wrong_shape_is_a_named_error() -> None:
    t = rng_tensor((3,), 8) * 1.0
    with pytest.raises(ag.ShapeError, match="does not broadcast"):
        t[0:2] = rng_tensor((3,), 9)


def test_retained_graph_runs_twice() -> None:
    x, v = rng_tensor((4,), 10), rng_tensor((), 11)
    out = before_and_after(x, v)
    out.backward(retain_graph=True)
    first = x.grad.data.copy()
    out.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first)


def test_a_drawing_shows_the_earlier_value_to_the_ops_that_used_it() -> None:
    viz = pytest.importorskip("autograd.viz")
    pytest.importorskip("graphviz")
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    t = x * 2.0
    before = t.sum()  # uses t's earlier value
    t[0] = 5.0
    loss = before + (t * t).sum()
    lines = viz.draw_backward(loss).source.splitlines()

    def ids(text: str) -> set[str]:
        return {line.split()[0] for line in lines if "[label" in line and text in line}
    edges = {tuple(line.split()[:3:2]) for line in lines if " -> " in line}
    (earlier,), (later,) = ids("data [2., 4.]"), ids("data [5., 4.]")
    (set_item,), (mul,) = ids("<B>SetItem</B>"), ids("<B>Mul</B>")
    assert {(earlier, set_item), (later, mul)} <= edges
    assert any((earlier, op) in edges for op in ids("<B>Sum</B>"))  # the sum before
    assert not any((later, op) in edges for op in ids("<B>Sum</B>"))
    assert not any("previous=" in line for line in lines)  # a tensor, not an argument


# t[index] = v on a view: PyTorch writes through to the base; rebasing only the view would
# leave the base silently unchanged (``out[i][j] = v`` filled nothing), so it is refused.
def test_chained_indexing_into_a_buffer_writes_through_as_pytorch() -> None:
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ag, torch):
        x = lib.tensor(rng_tensor((2,), 12).data, requires_grad=True)
        out = lib.zeros(2, 2, dtype=lib.float64)
        out[0][1] = x[1] * 2.0  # a row of a constant, then its element: out takes it
        out[1][0] = x[0]
        (out * out).sum().backward()
        results.append((out.detach().numpy().copy(), x.grad.numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert results[0][0][0, 1] != 0.0


@pytest.mark.parametrize("view", [lambda t: t.reshape(2, 2).T,
                                  lambda t: t.reshape(2, 2).T[0]],
                         ids=["transpose", "row of a transpose"])
def test_assigning_into_a_view_of_a_graph_tensor_writes_through(view) -> None:
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ag, torch):
        x = lib.tensor(rng_tensor((4,), 13).data, requires_grad=True)
        h = x * 2.0
        view(h)[...] = x[0] * 5.0  # writes through to h, as PyTorch
        (h * h).sum().backward()
        results.append((h.detach().numpy().copy(), x.grad.numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_the_same_loop_indexing_the_base_once_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = rng_tensor((2,), 14)
    out = ag.zeros(2, 2)
    xt = torch.tensor(x.data, requires_grad=True)
    out_t = torch.zeros(2, 2, dtype=torch.float64)
    for i in range(2):
        for j in range(2):
            out[i, j] = x[j] * (i + 1.0)
            out_t[i][j] = xt[j] * (i + 1.0)  # PyTorch writes through the view
    (out * out).sum().backward()
    (out_t * out_t).sum().backward()
    np.testing.assert_allclose(out.data, out_t.detach().numpy())
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy())


def test_a_view_of_a_temporary_is_the_tensors_own() -> None:
    def fn(x):
        t = ag.Tensor(np.zeros(6).reshape(2, 3))  # a view of an array no one else holds
        t[0] = x
        s = x.sum()  # a 0-d result (a NumPy scalar inside)
        s[...] = x[0] * x[1]
        return (t * t).sum() + s * s
    assert ag.gradcheck(fn, [rng_tensor((3,), 15)])


def test_hooks_registered_before_the_write_see_the_old_values_gradient_as_torch() -> None:
    """PyTorch: a hook registered before an in-place write gets the gradient of the value
    it was registered on; one registered after, the new value's. A hook that changes the
    gradient (here: scales it) so changes a different part of x's gradient."""
    torch = pytest.importorskip("torch")
    x0, c = np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0, 100.0])
    results = []
    for lib in (ag, torch):
        x = lib.tensor(x0, requires_grad=True)
        seen = []
        h = x * 2.0
        h.register_hook(lambda g: seen.append(("before", g.tolist())) or g * 3.0)
        old = (h * lib.tensor(c)).sum()  # does not save h: PyTorch allows the write
        h[0] = 0.0
        h.register_hook(lambda g: seen.append(("after", g.tolist())))
        (old + (h * 5.0).sum()).backward()
        results.append((sorted(seen), x.grad.tolist()))
    assert results[0] == results[1]


def _cycles_left_by(build) -> int:
    """Objects the cycle collector finds after ``build()``'s graph is dropped unused."""
    gc.collect()
    gc.disable()
    try:
        build()
        return gc.collect()
    finally:
        gc.enable()


@pytest.mark.parametrize("write", [
    lambda t: t.__setitem__(1, t[0] * 2.0),
    lambda t: t.__setitem__(slice(1, 3), t[0:2].exp()),
    lambda t: t.__setitem__(Ellipsis, t),
    lambda t: [t.__setitem__(i, t[i - 1].tanh() + t[i]) for i in range(1, 4)],
], ids=["t[1] = t[0] * 2", "t[1:3] = t[0:2].exp()", "t[...] = t", "a recurrence"])
def test_a_value_computed_from_t_makes_no_reference_cycle(write) -> None:
    """README: no reference cycles between nodes, so a dropped graph is freed at once. A
    value read from t itself used to close one (t -> its new op -> value -> ... -> t):
    a graph dropped without a backward (a forward for a metric, a failed step) waited
    for the collector, with its arrays."""
    x = rng_tensor((4,), 16)

    def build() -> None:
        t = x * 1.0
        write(t)
        (t * t).sum()

    assert _cycles_left_by(build) == 0


def test_values_computed_from_t_keep_their_gradients() -> None:
    def fn(x, v):
        t = x * 2.0
        t[1] = t[0] * v
        t[2:] = t[:2].exp() + t[1:3]
        t[...] = t
        return (t * t.sin()).sum()
    assert ag.gradcheck(fn, [rng_tensor((4,), 17), rng_tensor((), 18)])
    assert ag.gradgradcheck(fn, [rng_tensor((4,), 19), rng_tensor((), 20)])
