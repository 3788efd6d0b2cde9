"""PyTorch's ``broadcast_tensors``, ``broadcast_shapes``, ``atleast_1d/2d/3d``,
``set_num_threads``/``get_num_threads`` and ``promote_types``/``result_type``/``can_cast``
(which follow this library's promotion, NumPy's), against PyTorch where they agree. They
were ``MissingNameError``s (``np.broadcast_arrays`` of Tensors a ``UsageError``)."""

import importlib

import numpy as np
import pytest

import autograd as ag
from autograd import threads

SHAPES = [((3,), (2, 1)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((1,), (1,))]


@pytest.mark.parametrize("shape_a, shape_b", SHAPES)
def test_broadcast_tensors_values_and_gradients_match_pytorch(torch, shape_a, shape_b):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    ours = [ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    x, y = ag.broadcast_tensors(*ours)
    xt, yt = torch.broadcast_tensors(*theirs)
    assert x.shape == tuple(xt.shape) and y.shape == tuple(yt.shape)
    g = rng.normal(size=x.shape)
    (x * y * ag.tensor(g)).sum().backward()
    (xt * yt * torch.tensor(g)).sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    assert ag.broadcast_shapes(shape_a, shape_b) == tuple(torch.broadcast_shapes(shape_a,
                                                                                 shape_b))


def test_np_broadcast_arrays_of_tensors_is_differentiable() -> None:
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    x, y = np.broadcast_arrays(a, np.ones((3, 1)))
    assert isinstance(x, ag.Tensor) and x.shape == y.shape == (3, 2)
    x.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])


def test_shapes_that_do_not_broadcast_are_named() -> None:
    with pytest.raises(ag.ShapeError, match=r"broadcast_shapes: the shapes \(2,\), \(3,\) "
                                            r"do not broadcast together"):
        ag.broadcast_shapes((2,), (3,))
    with pytest.raises(ag.ShapeError, match="broadcast_arrays: the shapes"):
        ag.broadcast_tensors(ag.ones(2), ag.ones(3))


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast_matches_pytorch_in_its_call_forms(torch, name) -> None:
    ours, theirs = getattr(ag, name), getattr(torch, name)
    for shape in ((), (3,), (2, 3), (2, 3, 4)):
        data = np.arange(float(np.prod(shape))).reshape(shape)
        assert ours(ag.tensor(data)).shape == tuple(theirs(torch.tensor(data)).shape)
    pair = (np.ones(2), np.ones((2, 3)))
    got, want = ours(tuple(map(ag.tensor, pair))), theirs(tuple(map(torch.tensor, pair)))
    assert isinstance(got, tuple) and [g.shape for g in got] == [tuple(w.shape) for w in want]
    got = ours(*map(ag.tensor, pair))
    assert [g.shape for g in got] == [tuple(w.shape) for w in want]
    assert ours(2.0).shape == tuple(theirs(torch.tensor(2.0)).shape)


def test_set_num_threads_holds_until_the_next_call() -> None:
    pytest.importorskip("threadpoolctl")
    before = ag.get_num_threads()
    try:
        ag.set_num_threads(1)
        assert ag.get_num_threads() == 1
    finally:
        ag.set_num_threads(before)
    assert ag.get_num_threads() == before
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ag.UsageError, match="set_num_threads: expected a positive int"):
            ag.set_num_threads(bad)


def test_threads_without_threadpoolctl_name_the_package(monkeypatch) -> None:
    real = importlib.import_module

    def without(name, *args):
        if name == "threadpoolctl":
            raise ImportError("No module named 'threadpoolctl'")
        return real(name, *args)
    monkeypatch.setattr(threads.importlib, "import_module", without)
    with pytest.raises(ag.MissingDependencyError, match="pip install threadpoolctl"):
        ag.get_num_threads()


def test_dtype_rules_are_the_ops_own(torch) -> None:
    f32, i64 = ag.ones(2, dtype=ag.float32), ag.tensor([1, 2])
    assert ag.result_type(f32, 2.0) == (f32 * 2.0).dtype == np.float32
    assert ag.result_type(f32, i64) == (f32 + i64).dtype == ag.promote_types(ag.float32,
                                                                              ag.int64)
    assert ag.result_type(i64, 2.5) == (i64 * 2.5).dtype
    pairs = [(torch.float64, np.float64, torch.float32, np.float32),
             (torch.float32, np.float32, torch.int64, np.int64),
             (torch.int64, np.int64, torch.float32, np.float32),
             (torch.int32, np.int32, torch.int64, np.int64),
             (torch.bool, np.bool_, torch.int8, np.int8),
             (torch.float32, np.float32, torch.bool, np.bool_)]
    for ta, a, tb, b in pairs:
        assert ag.can_cast(a, b) == torch.can_cast(ta, tb)
