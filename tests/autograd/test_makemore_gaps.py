"""PyTorch names the makemore lectures reach for (tests/test_pytorch_ports_makemore*.py):
``t.nelement()``, ``torch.all``/``torch.any``, ``t.index_add_``, ``torch.histogram``;
each compared with PyTorch's own."""

import numpy as np
import pytest

import autograd as ag


def test_nelement_is_numel() -> None:
    # makemore part 3: sum(p.nelement() for p in parameters)
    x = ag.zeros((3, 4, 2))
    assert x.nelement() == 24 and isinstance(x.nelement(), int)
    assert ag.tensor(2.0).nelement() == 1


def test_all_and_any_are_torch_functions() -> None:
    # makemore part 4: cmp() prints torch.all(dt == t.grad).item()
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0]])
    x, t = ag.tensor(data), torch.from_numpy(data)
    for name in ("all", "any"):
        mine, theirs = getattr(ag, name), getattr(torch, name)
        assert mine(x == x).item() is theirs(t == t).item() is True
        np.testing.assert_array_equal(mine(x).numpy(), theirs(t).numpy())
        np.testing.assert_array_equal(mine(x, 1).numpy(), theirs(t, 1).numpy())
        np.testing.assert_array_equal(mine(x, dim=0, keepdim=True).numpy(),
                                      theirs(t, dim=0, keepdim=True).numpy())
        np.testing.assert_array_equal(mine(x, axis=1, keepdims=True).numpy(),
                                      getattr(np, name)(data, axis=1, keepdims=True))
        assert mine([True, False]).dtype == np.bool_


def test_from_autograd_import_star_keeps_pythons_all_and_any() -> None:
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "all" not in namespace and "any" not in namespace
    assert ag.all is ag.all and callable(ag.any)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_add_in_place_matches_torch(dim: int) -> None:
    # makemore part 4: dC = torch.zeros_like(C); dC.index_add_(0, Xb.view(-1), demb.view(-1, 10))
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5))
    index = np.array([2, 0, 2, 1, 2])
    source_shape = list(x.shape)
    source_shape[dim] = len(index)
    source = rng.normal(size=source_shape)
    mine, theirs = ag.tensor(x), torch.from_numpy(x.copy())
    out = mine.index_add_(dim, ag.tensor(index), ag.tensor(source), alpha=0.5)
    theirs.index_add_(dim, torch.from_numpy(index), torch.from_numpy(source), alpha=0.5)
    assert out is mine
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-15, atol=1e-15)
    mine.index_add_(dim, ag.tensor(index), ag.tensor(source))
    theirs.index_add_(dim, torch.from_numpy(index), torch.from_numpy(source))
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-15, atol=1e-15)


def test_index_add_in_place_follows_the_in_place_rules() -> None:
    w = ag.zeros(3, requires_grad=True)
    with pytest.raises(ag.InplaceError, match="index_add"):
        w.index_add_(0, ag.tensor([1]), ag.tensor([1.0]))
    with ag.no_grad():
        w.index_add_(0, ag.tensor([1, 1]), ag.tensor([1.0, 2.0]))
    assert w.tolist() == [0.0, 3.0, 0.0]
    with pytest.raises(ag.ShapeError, match="source must have shape"):
        ag.zeros(3).index_add_(0, ag.tensor([1]), ag.tensor([1.0, 2.0]))


HISTOGRAM_CALLS = [((7,), {}), ((5,), {"density": True}), ((4,), {"range": (-0.5, 1.0)}),
                   ((6,), {"range": (-1.0, 1.0), "density": True, "weight": "w"}),
                   (("edges",), {}), (("edges",), {"density": True})]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("args, kwargs", HISTOGRAM_CALLS)
def test_histogram_matches_torch(dtype, args, kwargs) -> None:
    # makemore part 3: hy, hx = torch.histogram(t, density=True); plt.plot(hx[:-1], hy)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    data = rng.normal(size=(30, 4)).astype(dtype)
    data[0, :2] = data.max(), data.min()  # values on the outer edges
    weight = rng.uniform(size=data.shape).astype(dtype)
    edges = np.array([-2.0, -0.5, 0.0, 0.25, 2.5], dtype)

    def call(T, x, method):
        a = [T.tensor(edges) if b == "edges" else b for b in args]
        kw = {k: (T.tensor(weight) if v == "w" else v) for k, v in kwargs.items()}
        return x.histogram(*a, **kw) if method else T.histogram(x, *a, **kw)

    want = call(torch, torch.from_numpy(data), False)
    for method in (False, True):
        got = call(ag, ag.tensor(data), method)
        assert got.hist.dtype == got.bin_edges.dtype == dtype
        hist, bin_edges = got
        np.testing.assert_allclose(hist.numpy(), want.hist.numpy(), rtol=1e-6 if dtype ==
                                   np.float32 else 1e-13, atol=0)
        # torch's linspace rounds by its SIMD width: edges agree to a few ulps of the range
        width = float(want.bin_edges[-1] - want.bin_edges[0])
        np.testing.assert_allclose(bin_edges.numpy(), want.bin_edges.numpy(), rtol=0,
                                   atol=4 * np.finfo(dtype).eps * width)


def test_histogram_of_constant_or_integer_data_as_torch() -> None:
    torch = pytest.importorskip("torch")
    got, want = ag.full((3,), 2.0).histogram(4), torch.full((3,), 2.0).histogram(4)
    np.testing.assert_allclose(got.bin_edges.numpy(), want.bin_edges.numpy(), rtol=1e-15)
    np.testing.assert_array_equal(got.hist.numpy(), want.hist.numpy())
    with pytest.raises(ag.DTypeError, match="double"):
        ag.histogram(ag.tensor([1, 2, 3]), 3)


def test_histogram_spelling_decides() -> None:
    data = np.random.default_rng(2).normal(size=20)
    x = ag.tensor(data)
    assert ag.histogram(x, 10).hist.dtype == np.float64  # PyTorch's: counts as floats
    hist, edges = ag.zeros(10), ag.zeros(11)
    ag.histogram(x, 10, out=(hist, edges))  # torch documents out=
    np.testing.assert_array_equal(hist.numpy(), x.histogram(10).hist.numpy())
    with pytest.raises(ag.UsageError, match=r"np\.histogram.*bins=100|bins=100.*np\.hist"):
        ag.histogram(x)  # 100 bins in PyTorch, 10 in NumPy
    counts, edges = ag.histogram(x, 4, (-1.0, 1.0))  # range by position: NumPy's
    want = np.histogram(data, 4, (-1.0, 1.0))
    np.testing.assert_array_equal(counts.numpy(), want[0])
    assert counts.dtype == np.int64
    counts, _ = ag.histogram(x, 4, weights=np.ones(20))  # NumPy's keyword
    np.testing.assert_array_equal(counts.numpy(), np.histogram(data, 4, weights=np.ones(20))[0])
    with pytest.raises(ag.UsageError, match="weight="):
        ag.histogram(x, 4, weight=np.ones(20), weights=np.ones(20))


def test_index_add_in_place_on_a_computed_tensor_is_recorded_as_torch() -> None:
    # as main's scatter_add_: x[...] = x.index_add(...) while recording
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    w0, s0, upstream = rng.normal(size=(4, 3)), rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    index = np.array([2, 0, 2, 1, 3])
    grads = []
    for T, tensor in ((ag, ag.tensor), (torch, torch.tensor)):
        w, source = tensor(w0, requires_grad=True), tensor(s0, requires_grad=True)
        x = w * 2
        x.index_add_(0, tensor(index), source, alpha=3.0)
        (x * tensor(upstream)).sum().backward()
        grads.append((x.detach().numpy(), w.grad.numpy(), source.grad.numpy()))
    for mine, theirs in zip(*grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-15, atol=1e-15)
