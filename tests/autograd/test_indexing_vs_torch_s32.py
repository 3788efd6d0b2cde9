"""Indexing against PyTorch (session 32's differential fuzzing).

An int and an index array that a slice (or None) separates: NumPy counts the int as an
index array and puts the arrays' axes first, PyTorch applies the int first and keeps them
in place (``x[0, :, [0, 1, 2]]`` came out transposed); an ``...`` that covers no axis
between two arrays separates them for NumPy only; a short nested list is a tuple for
PyTorch, one array for NumPy. Where the two readings differ, a UsageError names both and
how to spell each; where they agree the index works as in PyTorch. Also: a 0-d integer
tensor index is an int (a view), a 0-d uint8 index is refused as the others, a wrong-shaped
value is a ShapeError on every write path, masked_scatter and index_fill on 0-d tensors,
``autograd.index_fill``, and ``take_along_dim`` without a dim.
"""

import re

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.errors import ShapeError, TensorIndexError, UsageError

DATA = np.arange(24.0).reshape(2, 3, 4)


def _index(parts: tuple, lib) -> tuple:
    """The index with ``("t", i)`` as a 0-d integer tensor of the library."""
    make = (lambda i: Tensor(np.array(i))) if lib is None else lib.tensor
    return tuple(make(p[1]) if isinstance(p, tuple) else p for p in parts)


def _read(x, parts):
    return x[_index(parts, None)]


def _write_leaf(x, parts):
    x = Tensor(x.data.copy())
    x[_index(parts, None)] = 100.0
    return x


def _write_in_graph(x, parts):
    x = Tensor(x.data.copy(), requires_grad=True) * 1
    x[_index(parts, None)] = Tensor(np.array(100.0), requires_grad=True)
    return x


def _index_put(x, parts):
    return x.index_put(_index(parts, None), Tensor(np.array(100.0)))


def _at_set(x, parts):
    return x.at[_index(parts, None)].set(100.0)


def _index_add(x, parts):
    return x.index_put(_index(parts, None), Tensor(np.array(100.0)), accumulate=True)


PATHS = [_read, _write_leaf, _write_in_graph, _index_put, _at_set, _index_add]

# (index, shape): readings that differ (NumPy's arrays first, PyTorch's in place)
DIFFERENT = [((0, slice(None), [0, 1, 2]), (2, 3, 4)),
             ((0, slice(None), [[0, 1], [2, 3]]), (2, 3, 4)),
             ((slice(None), 1, slice(1, 3), [3, 0]), (2, 3, 4, 5)),
             ((0, slice(None), True), (2, 3)),
             ((0, None, [0, 1]), (2, 3, 4)),
             ((("t", 1), slice(None), [0]), (2, 3, 4)),
             ((slice(None), [0, 1], Ellipsis, [1, 0]), (2, 2, 2)),
             ((slice(None), 0, Ellipsis, [1, 0]), (2, 3, 4))]
# readings that agree: the int next to the array, the arrays first anyway, an ... over axes
AGREE = [((0, [0, 1]), (2, 3, 4)),
         ((slice(None), 1, [3, 0]), (2, 3, 4)),
         (([1, 0], slice(None), 2), (2, 3, 4)),
         (([1, 0], 0, [2, 3]), (2, 3, 4)),
         ((0, [1, 0], slice(None), [2, 3]), (2, 3, 4, 5)),
         ((("t", 1), [0, 2]), (2, 3, 4)),
         ((0, slice(None), 0), (2, 3, 4)),
         (([0, 1], Ellipsis, [1, 0]), (2, 2)),
         ((slice(None), [0, 1], Ellipsis, [1, 0]), (2, 2, 3, 2)),
         ((0, Ellipsis, [1, 0]), (2, 3))]


@pytest.mark.parametrize("path", PATHS, ids=lambda f: f.__name__)
def test_an_index_read_differently_is_refused_and_one_read_alike_works(torch, path) -> None:
    """Every path that takes an index (reading, ``t[i] = v`` outside and inside a graph,
    index_put, ``at[]``, accumulate) refuses the first kind and gives PyTorch's result
    for the second."""
    for parts, shape in DIFFERENT:
        if path is _write_leaf and Ellipsis in parts:
            continue  # (see the next test)
        x = Tensor(np.arange(float(np.prod(shape))).reshape(shape))
        with pytest.raises(UsageError, match=r"means two things|indices\[1\] is None"):
            path(x, parts)  # (index_put refuses a None first, as PyTorch: session 37)
    for parts, shape in AGREE:
        data = np.arange(float(np.prod(shape))).reshape(shape)
        ours = path(Tensor(data), parts)
        tx = torch.tensor(data)
        if path is _read:
            theirs = tx[_index(parts, torch)]
        else:
            theirs = tx.clone().index_put_(_index_put_torch(tx, parts, torch),
                                           torch.tensor(100.0), accumulate=path is _index_add)
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_a_leaf_write_refuses_an_empty_ellipsis_between_arrays() -> None:
    """Whether ``...`` covers no axis depends on the tensor's ndim, which the leaf's
    ``t[i] = v`` passes on too."""
    for parts, shape in DIFFERENT:
        if Ellipsis in parts:
            with pytest.raises(UsageError, match="means two things"):
                _write_leaf(Tensor(np.zeros(shape)), parts)


def _index_put_torch(tx, parts, torch):
    """The positions ``tx[index]`` reads, as index_put_'s tuple of index tensors."""
    where = torch.arange(tx.numel()).reshape(tx.shape)[_index(parts, torch)]
    return torch.unravel_index(where.reshape(-1), tx.shape)


@pytest.mark.parametrize("parts, shape", DIFFERENT)
def test_the_two_spellings_named_give_each_reading(torch, parts, shape) -> None:
    """The message's spelling of PyTorch's reading gives PyTorch's result, that of
    NumPy's NumPy's, in both libraries (and with the gradient of ours)."""
    data = np.arange(float(np.prod(shape))).reshape(shape)
    with pytest.raises(UsageError) as caught:
        Tensor(data)[_index(parts, None)]
    spelled = re.search(r"Say which: (.*) for PyTorch's reading, (.*) for NumPy's$",
                        str(caught.value))
    numpy_index = tuple(np.array(p[1]) if isinstance(p, tuple) else p for p in parts)
    wanted = {spelled.group(1): torch.tensor(data)[_index(parts, torch)].numpy(),
              spelled.group(2): data[numpy_index]}
    for text, want in wanted.items():
        theirs = eval(text, {"x": torch.tensor(data)})  # noqa: S307 (our own message)
        np.testing.assert_array_equal(theirs.numpy(), want)
        x = Tensor(data, requires_grad=True)
        ours = eval(text, {"x": x})  # noqa: S307
        np.testing.assert_array_equal(ours.data, want)
        ours.sum().backward()
        tx = torch.tensor(data, requires_grad=True)
        eval(text, {"x": tx}).sum().backward()  # noqa: S307
        np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


@pytest.mark.parametrize("index", [lambda lib: lib.tensor(1), lambda lib: np.array(1)],
                         ids=["tensor", "ndarray"])
def test_a_0d_integer_index_is_an_int_and_gives_a_view(torch, index) -> None:
    x, tx = Tensor(np.zeros((2, 3))), torch.zeros(2, 3)
    x[index(autograd)].add_(1.0)
    tx[index(torch)].add_(1.0)
    np.testing.assert_array_equal(x.data, tx.numpy())
    x0, tx0 = Tensor(DATA, requires_grad=True), torch.tensor(DATA, requires_grad=True)
    y, ty = x0 * 2, tx0 * 2
    y[index(autograd)].mul_(3.0)
    ty[index(torch)].mul_(3.0)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(x0.grad.data, tx0.grad.numpy())


def test_a_0d_uint8_index_is_refused_as_the_others() -> None:
    """PyTorch reads ``x[tensor(1, dtype=uint8)]`` as a mask (shape (1, 2, 3)), NumPy as
    row 1; a NumPy uint8 scalar is an int to both."""
    x = Tensor(np.arange(6.0).reshape(2, 3))
    for index in (Tensor(np.array(1, np.uint8)), np.array(0, np.uint8)):
        with pytest.raises(UsageError, match=r"uint8.*index\.bool\(\).*index\.long\(\)"):
            x[index]
        with pytest.raises(UsageError, match="means two things"):
            x[index] = 0.0
    np.testing.assert_array_equal(x[np.uint8(1)].data, x.data[1])


def test_a_short_nested_list_is_refused_and_its_two_spellings_work(torch) -> None:
    """PyTorch 2.13 reads ``x[[[0, 1], [1, 0]]]`` as ``x[[0, 1], [1, 0]]`` (deprecated),
    NumPy as one (2, 2) index array."""
    data = np.arange(6.0).reshape(2, 3)
    x = Tensor(data)
    seq = [[0, 1], [1, 0]]
    for index in (seq, [Tensor(np.array(0)), Tensor(np.array(1))], [0, slice(None)]):
        with pytest.raises(UsageError, match=r"x\[tuple\(seq\)\].*autograd\.tensor\(seq\)"):
            x[index]
        with pytest.raises(UsageError, match="means two things"):
            x[index] = 0.0
    np.testing.assert_array_equal(x[tuple(seq)].data,
                                  torch.tensor(data)[tuple(seq)].numpy())
    np.testing.assert_array_equal(x[autograd.tensor(seq)].data,
                                  torch.tensor(data)[torch.tensor(seq)].numpy())
    many = [[0]] * 32  # 32 entries or more: an array for both
    np.testing.assert_array_equal(x[many].data, torch.tensor(data)[many].numpy())


WRONG_VALUES = [((np.array([0]),), np.ones(2)), ((np.array([True, False]),), np.ones(2)),
                ((np.array([0, 1]),), np.ones((1, 2)))]


@pytest.mark.parametrize("index, value", WRONG_VALUES)
def test_a_value_that_does_not_fit_is_a_shape_error_on_every_path(torch, index, value) -> None:
    """PyTorch's index_put_ refuses a value that broadcasting would grow past x[index]
    (a (2,) value into one element); so do ours, as the leaf's ``t[i] = v`` did."""
    with pytest.raises(RuntimeError, match="shape mismatch"):
        torch.zeros(2).index_put_(tuple(torch.tensor(i) for i in index), torch.tensor(value))
    x = Tensor(np.zeros(2))
    v = Tensor(value, requires_grad=True)
    with pytest.raises(ShapeError, match="does not broadcast"):
        x.index_put(index, v)
    with pytest.raises(ShapeError, match="does not broadcast"):
        x.at[index].set(v)
    with pytest.raises(ShapeError, match="does not broadcast"):
        x.index_put(index, v, accumulate=True)
    with pytest.raises(ShapeError, match="does not broadcast"):
        autograd.index_put(x, index, v)
    if value.shape[0] != 1:  # (t[i] = v drops a value's leading 1s, as PyTorch's)
        y = Tensor(np.zeros(2), requires_grad=True) * 1
        with pytest.raises(ShapeError, match="does not broadcast"):
            y[index] = v
    # a value that broadcasts to x[index] without growing it still fits
    ours = Tensor(np.zeros((3, 2))).index_put((np.array([0, 1]),), Tensor(np.ones((1, 2))))
    theirs = torch.zeros(3, 2).index_put_((torch.tensor([0, 1]),), torch.ones(1, 2))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("in_place", [False, True])
@pytest.mark.parametrize("mask, source", [(True, [5.0]), (False, [5.0]), (True, [5.0, 6.0])])
def test_masked_scatter_of_a_0d_tensor_as_torch(torch, mask, source, in_place) -> None:
    x, s = Tensor(np.array(1.0), requires_grad=True), Tensor(source, requires_grad=True)
    tx, ts = torch.tensor(1.0, requires_grad=True), torch.tensor(source, requires_grad=True)
    name = "masked_scatter_" if in_place else "masked_scatter"
    ours = getattr(x * 2, name)(Tensor(np.array(mask)), s)
    theirs = getattr(tx * 2, name)(torch.tensor(mask), ts)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    weights = np.arange(1.0, 1.0 + ours.data.size).reshape(ours.shape)
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    np.testing.assert_array_equal(s.grad.data, ts.grad.numpy())
    leaf, tleaf = Tensor(np.array(1.0)), torch.tensor(1.0)  # written into its array
    getattr(leaf, name)(Tensor(np.array(mask)), Tensor(source))
    getattr(tleaf, name)(torch.tensor(mask), torch.tensor(source))
    np.testing.assert_array_equal(leaf.data, tleaf.numpy())


@pytest.mark.parametrize("name", ["index_fill", "index_fill_"])
def test_index_fill_of_a_0d_tensor_takes_dim_0_or_minus_1(torch, name) -> None:
    for dim in (1, -2, 5):
        with pytest.raises(IndexError, match="Dimension out of range"):
            getattr(torch.tensor(3.0), name)(dim, torch.tensor([0]), 9.0)
        with pytest.raises(IndexError, match="out of range"):
            getattr(Tensor(np.array(3.0)), name)(dim, Tensor(np.array([0])), 9.0)
    for dim in (0, -1):
        ours = getattr(Tensor(np.array(3.0)), name)(dim, Tensor(np.array([0])), 9.0)
        theirs = getattr(torch.tensor(3.0), name)(dim, torch.tensor([0]), 9.0)
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_autograd_index_fill_is_the_function(torch) -> None:
    x = Tensor(DATA, requires_grad=True)
    tx = torch.tensor(DATA, requires_grad=True)
    ours = autograd.index_fill(x, 1, Tensor(np.array([2, 0])), 0.5)
    theirs = torch.index_fill(tx, 1, torch.tensor([2, 0]), 0.5)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


def test_take_along_dim_without_dim_refuses_negative_positions(torch) -> None:
    """Without a dim PyTorch gathers from the flattened tensor, positions 0..n-1 only;
    along a dim it counts a negative one from the end."""
    data = np.arange(4.0)
    with pytest.raises(RuntimeError, match="out of bounds"):
        torch.tensor(data).take_along_dim(torch.tensor([-1]))
    with pytest.raises(TensorIndexError, match="out of bounds"):
        Tensor(data).take_along_dim(Tensor(np.array([-1])))
    with pytest.raises(TensorIndexError, match="out of bounds"):
        autograd.take_along_dim(Tensor(data), Tensor(np.array([0, -2])))
    for dim in (None, 0):
        index = [3, 0] if dim is None else [-1, 2]
        ours = Tensor(data).take_along_dim(Tensor(np.array(index)), dim)
        theirs = torch.tensor(data).take_along_dim(torch.tensor(index), dim)
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_index_put_reads_a_list_of_index_tensors_as_torch_and_refuses_uint8(torch) -> None:
    """PyTorch's ``index_put(indices, values)`` takes a list of index tensors as their
    tuple; a uint8 index is a mask there and positions in NumPy: refused."""
    x, ours_of, nine = np.arange(6.0).reshape(2, 3), autograd.tensor, autograd.tensor(9.0)
    rows, cols = [1, 0], [2, 1]
    ours = Tensor(x).index_put([ours_of(rows), ours_of(cols)], nine)
    theirs = torch.tensor(x).index_put([torch.tensor(rows), torch.tensor(cols)],
                                       torch.tensor(9.0))
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    added = Tensor(x).index_put([ours_of(rows), ours_of(rows)], nine, True)
    np.testing.assert_array_equal(added.data, torch.tensor(x).index_put(
        [torch.tensor(rows), torch.tensor(rows)], torch.tensor(9.0), True).numpy())
    mask = ours_of([1, 0], dtype="uint8")
    for call in (lambda t: t.index_put(mask, nine), lambda t: t.index_add(mask, nine)):
        with pytest.raises(UsageError, match="uint8"):
            call(Tensor(x))
