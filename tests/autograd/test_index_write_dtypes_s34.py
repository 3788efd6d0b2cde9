"""Index writes with a Tensor source of another dtype than the destination's, against
PyTorch: ``index_put``/``index_put_`` (also ``accumulate=True``), ``index_copy``/``_``,
``index_add``/``_``, ``t[index_array] = v``, ``t[mask] = v`` refuse it (``DTypeError``,
PyTorch's RuntimeError), where NumPy's assignment would cast silently (2.7 into int64 as 2,
1e5 into float16 as inf). A basic index (ints, slices, None, ...) casts as ``copy_``,
and so does one element into one mask (PyTorch's ``masked_fill``); Python numbers, lists
and arrays take the destination's dtype."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError

# (destination dtype, source dtype): every pair differs
PAIRS = [("int64", "float64"), ("float16", "float64"), ("float32", "float64"),
         ("float64", "float32"), ("int64", "int32"), ("int32", "int64"), ("bool", "int64"),
         ("int64", "bool")]
SOURCE = {"float64": [1e5, -2.7], "float32": [2.5, -3.9], "int32": [7, -3], "int64": [7, -3],
          "bool": [True, False]}


def _writes(lib, i, m):
    """Name -> write(t, v) giving the written tensor, for the same spelling in both
    libraries (i: an index tensor [0, 2]; m: a mask of those positions)."""
    def setitem(index):
        def write(t, v):
            t[index] = v
            return t
        return write
    return {
        "t[i] = v": setitem(i),
        "t[m] = v": setitem(m),
        "t[[0, 2]] = v": setitem([0, 2]),
        "index_put": lambda t, v: t.index_put((i,), v),
        "index_put accumulate": lambda t, v: t.index_put((i,), v, accumulate=True),
        "index_put_": lambda t, v: t.index_put_((i,), v),
        "index_put_ accumulate": lambda t, v: t.index_put_((i,), v, accumulate=True),
        "index_copy": lambda t, v: t.index_copy(0, i, v),
        "index_copy_": lambda t, v: t.index_copy_(0, i, v),
        "index_add": lambda t, v: t.index_add(0, i, v),
        "index_add_": lambda t, v: t.index_add_(0, i, v),
    }


def _run(lib, name, destination, source, values, shape=(4,)):
    """The result of the write ``name`` of ``values`` (as ``source``) into zeros, as
    (values, dtype name), or the exception's type."""
    dtype = lambda d: getattr(lib, d)  # noqa: E731
    if lib is ag:
        i, m = ag.tensor([0, 2]), ag.tensor([True, False, True, False])
        v = ag.tensor(np.array(values, dtype=source))
    else:
        i, m = lib.tensor([0, 2]), lib.tensor([True, False, True, False])
        v = lib.tensor(values, dtype=dtype(source))
    t = lib.zeros(shape, dtype=dtype(destination))
    try:
        out = _writes(lib, i, m)[name](t, v)
    except (RuntimeError, DTypeError) as exc:
        return type(exc)
    return out.tolist(), str(out.dtype).replace("torch.", "")


@pytest.mark.parametrize("name", list(_writes(ag, None, None)))
@pytest.mark.parametrize("destination,source", PAIRS)
def test_another_dtype_refused_as_by_pytorch(torch, name, destination, source):
    theirs = _run(torch, name, destination, source, SOURCE[source])
    assert theirs is RuntimeError  # PyTorch refuses every one of these
    assert _run(ag, name, destination, source, SOURCE[source]) is DTypeError


@pytest.mark.parametrize("name", list(_writes(ag, None, None)))
def test_same_dtype_written_as_by_pytorch(torch, name):
    for dtype in ("int64", "float32", "float16"):
        values = SOURCE["int64"]
        assert _run(ag, name, dtype, dtype, values) == _run(torch, name, dtype, dtype, values)


def test_the_error_names_the_dtypes_and_the_conversion():
    t, i = ag.zeros(4, dtype=ag.int64), ag.tensor([0, 2])
    with pytest.raises(DTypeError, match=r"float64.*int64.*must match.*astype\(t\.dtype\)"):
        t[i] = ag.tensor([2.7, 3.9])
    with pytest.raises(DTypeError, match=r"index_add_: source has dtype float64, self int64"):
        t.index_add_(0, i, ag.tensor([2.7, 3.9]))
    assert issubclass(DTypeError, TypeError)


@pytest.mark.parametrize("index", [slice(0, 2), 1, Ellipsis, None, (slice(None),)])
@pytest.mark.parametrize("destination,source", [("int64", "float64"), ("float32", "float64"),
                                                ("float64", "int64")])
def test_a_basic_index_casts_as_copy(torch, index, destination, source):
    """``t[0:2] = v``, ``t[1] = v``, ``t[...] = v``: PyTorch's copy_, which casts."""
    values = np.array([2.7, -3.9, 1.5, 8.25]).astype(source)
    ours = ag.zeros(4, dtype=getattr(ag, destination))
    theirs = torch.zeros(4, dtype=getattr(torch, destination))
    target_shape = np.zeros(4)[index].shape
    ours[index] = ag.tensor(values[:np.prod(target_shape, dtype=int)].reshape(target_shape))
    theirs[index] = torch.tensor(values[:np.prod(target_shape, dtype=int)].reshape(
        target_shape))
    assert ours.tolist() == theirs.tolist() and ours.dtype == np.dtype(destination)


@pytest.mark.parametrize("index", [lambda lib: lib.tensor(1), lambda lib: (0, lib.tensor(1))])
def test_a_0d_integer_index_is_an_int(torch, index):
    ours, theirs = ag.zeros((2, 4), dtype=ag.int64), torch.zeros((2, 4), dtype=torch.int64)
    ours[index(ag)] = ag.tensor(2.7)
    theirs[index(torch)] = torch.tensor(2.7)
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("index", [lambda m, i: m, lambda m, i: (m, Ellipsis),
                                   lambda m, i: (slice(None), m[:4]),
                                   lambda m, i: (0, m[:4])])
def test_one_element_into_one_mask_casts_as_masked_fill(torch, index):
    """PyTorch's shortcut: a one-element value at one mask is ``masked_fill``."""
    mask = np.array([True, False, True, False])
    results = []
    for lib in (ag, torch):
        t = lib.zeros((4, 4), dtype=lib.int64)
        t[index(lib.tensor(mask), None)] = lib.tensor([2.7])
        results.append(t.tolist())
        t2 = lib.zeros((4, 4), dtype=lib.int64).index_put((lib.tensor(mask),), lib.tensor(2.7))
        results.append(t2.tolist())
    assert results[0] == results[2] and results[1] == results[3]


def test_several_elements_or_another_index_beside_the_mask_refused(torch):
    mask = [True, False, True, False]
    for lib, error in ((ag, DTypeError), (torch, RuntimeError)):
        t = lib.zeros((4, 4), dtype=lib.int64)
        with pytest.raises(error):
            t[lib.tensor(mask)] = lib.tensor([2.7] * 4)
        with pytest.raises(error):
            t[lib.tensor(mask), lib.tensor([0, 1])] = lib.tensor(2.7)
        with pytest.raises(error):
            t.index_put_((lib.tensor(mask),), lib.tensor(2.7), accumulate=True)


def test_numbers_lists_and_arrays_take_the_destination_dtype(torch):
    i, values = ag.tensor([0, 2]), [2.7, -3.9]
    expected = np.zeros(4, dtype=np.int64)
    expected[[0, 2]] = np.array(values).astype(np.int64)
    for v in (values, np.array(values)):
        t = ag.zeros(4, dtype=ag.int64)
        t[i] = v
        assert t.tolist() == expected.tolist() and t.dtype == np.int64
        assert ag.zeros(4, dtype=ag.int64).index_put((i,), v).tolist() == expected.tolist()
        assert ag.zeros(4, dtype=ag.int64).at[i].set(v).tolist() == expected.tolist()
    theirs = torch.zeros(4, dtype=torch.int64)
    theirs[torch.tensor([0, 2])] = 2.7
    ours = ag.zeros(4, dtype=ag.int64)
    ours[i] = 2.7
    assert ours.tolist() == theirs.tolist()


def test_at_set_and_add_follow_index_put_and_index_add():
    x, i = ag.zeros(4, dtype=ag.int64), ag.tensor([0, 2])
    v = ag.tensor([2.7, 3.9])
    with pytest.raises(DTypeError):
        x.at[i].set(v)
    with pytest.raises(DTypeError):
        x.at[i].add(v)
    with pytest.raises(DTypeError):
        x.at[0:2].add(v)  # an add refuses whatever the index (PyTorch's index_add)
    assert x.at[0:2].set(v).tolist() == [2, 3, 0, 0]  # as x[0:2] = v, PyTorch's copy_
    assert x.tolist() == [0, 0, 0, 0]


def test_a_refused_in_place_write_leaves_the_tensor():
    t = ag.tensor([1, 2, 3, 4])
    for write in (lambda: t.index_put_((ag.tensor([0]),), ag.tensor([9.5])),
                  lambda: t.index_add_(0, ag.tensor([0]), ag.tensor([9.5])),
                  lambda: t.index_copy_(0, ag.tensor([0]), ag.tensor([9.5]))):
        with pytest.raises(DTypeError):
            write()
    assert t.tolist() == [1, 2, 3, 4]


def test_0d_self_index_add_and_copy_refused(torch):
    for lib, error in ((ag, DTypeError), (torch, RuntimeError)):
        for name in ("index_add", "index_copy"):
            with pytest.raises(error):
                getattr(lib.zeros((), dtype=lib.int64), name)(0, lib.tensor([0]),
                                                               lib.tensor(2.7))


def test_in_a_graph_refused_and_the_mask_shortcut_differentiable(torch):
    mask = [True, False, True, False]
    x = ag.zeros(4, requires_grad=True)
    with pytest.raises(DTypeError):
        y = x * 1
        y[ag.tensor([0, 2])] = ag.tensor(np.array([1, 2], np.float32))
    grads = []
    for lib in (ag, torch):
        x = lib.zeros(4, dtype=lib.float64, requires_grad=True)
        v = lib.tensor(np.float32(2.5), requires_grad=True)
        y = x * 1
        y[lib.tensor(mask)] = v
        (y * lib.tensor([1., 2., 3., 4.])).sum().backward()
        grads.append((y.tolist(), x.grad.tolist(), float(v.grad), str(v.grad.dtype)))
    assert grads[0][:3] == grads[1][:3] and grads[1][3].endswith("float32")
    assert grads[0][3] == "float32"


def test_index_add_with_a_float_alpha_into_integers_refused():
    """PyTorch truncates alpha to the tensor's dtype (0.5 adds nothing); refused here."""
    t = ag.zeros(4, dtype=ag.int64)
    with pytest.raises(DTypeError, match="alpha"):
        t.index_add_(0, ag.tensor([0, 2]), ag.tensor([1, 2]), alpha=0.5)
    assert t.index_add_(0, ag.tensor([0, 2]), ag.tensor([1, 2]), alpha=2).tolist() == [
        2, 0, 4, 0]
