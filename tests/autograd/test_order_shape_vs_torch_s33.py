"""Ordering, set, split and shape fixes found by differential fuzzing against PyTorch:
``gradient`` at an inf sample, with a zero spacing, with a repeated coordinate and with
float64 coordinates for float32 samples; ``histogram`` of no data, of data holding inf or
NaN, and of bin edges with ``range=``; ``broadcast_to`` with -1; ``rot90``'s dims;
``combinations`` with r < 0; ``F.gumbel_softmax(hard=True)`` of 0-d logits; ``roll`` with
shifts and dims of different lengths; ``unflatten`` with -1 on an empty tensor;
``cdist``/``pdist`` with no features; ``meshgrid``/``cartesian_prod`` of mixed dtypes;
``unique(dim=)`` of empty slices; ``split(0)`` of an empty axis."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn.functional as F

INF, NAN = float("inf"), float("nan")
# inf - inf in the engine's sum of a gradient's parts is NaN, as in PyTorch, with NumPy's warning
INF_MINUS_INF = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")


def assert_same(ours, theirs, **tolerance) -> None:
    """Values (NaN where PyTorch has NaN), shape and dtype name as PyTorch's."""
    want = theirs.detach().numpy()
    got = np.asarray(ours.detach().numpy())
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, equal_nan=True, **tolerance)


def derivatives_and_gradient(T, values, weights, **kwargs) -> tuple:
    """``T.gradient`` of ``values`` along axis 0 and the gradient of sum(derivative * w)."""
    f = T.tensor(values, requires_grad=True)
    spacing = kwargs.pop("coordinates", None)
    if spacing is not None:
        kwargs["spacing"] = (T.tensor(spacing),)
    (derivative,) = T.gradient(f, dim=0, **kwargs)
    (derivative * T.tensor(weights)).sum().backward()
    return derivative, f.grad


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("sample", [INF, -INF, NAN])
@pytest.mark.parametrize("spacing", [1.0, 0.5])
def test_gradient_at_an_inf_or_nan_sample_as_torch(torch, edge_order, sample,
                                                   spacing) -> None:
    """A uniform step takes (f[i+1] - f[i-1]) / 2h, without f[i]: 0 * inf made NaN."""
    values = np.array([0.0, 1.0, 2.5, 3.0, 4.5, 5.0])
    values[2] = sample
    weights = np.random.default_rng(0).standard_normal(values.shape)
    results = [derivatives_and_gradient(T, values, weights, spacing=spacing,
                                        edge_order=edge_order) for T in (ag, torch)]
    for got, want in zip(*results):
        assert_same(got, want, rtol=1e-12)


@INF_MINUS_INF
@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_with_spacing_0_as_torch(torch, edge_order) -> None:
    """x / 0 (inf, NaN at 0 / 0) as PyTorch: edge_order 2 raised ZeroDivisionError, and the
    inner weight (h2 - h1) / (h1 h2) = 0 / 0 made the inner samples NaN."""
    values = np.array([[1.0, 4.0, 9.0, 16.0], [0.0, 0.0, 3.0, 3.0]]).T
    weights = np.ones(values.shape)
    results = [derivatives_and_gradient(T, values, weights, spacing=0.0,
                                        edge_order=edge_order) for T in (ag, torch)]
    for got, want in zip(*results):
        assert_same(got, want)


@INF_MINUS_INF
@pytest.mark.parametrize("coordinates", [[0.0, 0.0, 1.0, 2.5, 3.0], [0.0, 1.0, 2.0, 2.0, 3.0],
                                         [0.0, 1.0, 2.5, 3.0, 3.0]])
def test_gradient_at_a_repeated_coordinate_as_torch(torch, coordinates) -> None:
    """A step 0 next to an end: edge_order=2's one-sided weights divided Python floats
    (ZeroDivisionError); x / 0 now, as PyTorch."""
    values = np.array([1.0, 2.0, -1.0, 0.5, 3.0])
    weights = np.random.default_rng(1).standard_normal(values.shape)
    results = [derivatives_and_gradient(T, values, weights, coordinates=coordinates,
                                        edge_order=2) for T in (ag, torch)]
    for got, want in zip(*results):
        assert_same(got, want, rtol=1e-12)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("coordinate_dtype", ["float64", "int64"])
def test_gradient_dtype_with_coordinate_tensors_as_torch(torch, edge_order,
                                                         coordinate_dtype) -> None:
    """float32 samples with float64 (or integer) coordinate tensors give float64, as
    PyTorch's (float32 coordinates keep float32: tests/autograd/
    test_finite_difference_gradient.py)."""
    values = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    coordinates = np.array([0, 1, 3, 4, 7]).astype(coordinate_dtype)
    weights = np.ones(values.shape, dtype=np.float32)
    results = [derivatives_and_gradient(T, values, weights, coordinates=coordinates,
                                        edge_order=edge_order) for T in (ag, torch)]
    for got, want in zip(*results):
        assert_same(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bins", [1, 2, 5])
def test_histogram_of_no_data_spans_0_to_1_as_torch(torch, bins) -> None:
    ours = ag.histogram(ag.zeros(0), bins)
    theirs = torch.histogram(torch.zeros(0), bins)
    assert_same(ours.hist, theirs.hist)
    assert_same(ours.bin_edges, theirs.bin_edges)


@pytest.mark.parametrize("data, value_range", [
    ([1.0, NAN, 2.0], None), ([1.0, INF, 2.0], None), ([-INF, 0.0], None),
    ([1.0, 2.0], (0.0, INF)), ([1.0, 2.0], (NAN, 1.0))])
def test_histogram_over_a_range_that_is_not_finite_is_refused_as_torch(
        torch, data, value_range) -> None:
    with pytest.raises(RuntimeError, match="not finite"):
        torch.histogram(torch.tensor(data), 2, range=value_range)
    with pytest.raises(ag.UsageError, match="not finite"):
        ag.histogram(ag.tensor(data), 2, range=value_range)
    with pytest.raises(ag.UsageError, match="not finite"):
        ag.tensor(data).histogram(2, range=value_range)


def test_histogram_of_bin_edges_takes_no_range_as_torch(torch) -> None:
    with pytest.raises(TypeError):
        torch.histogram(torch.tensor([0.0, 1.0, 5.0]), torch.tensor([0.0, 2.0, 4.0]),
                        range=(0.0, 1.0))
    with pytest.raises(ag.UsageError, match="range= goes with a number of bins"):
        ag.histogram(ag.tensor([0.0, 1.0, 5.0]), ag.tensor([0.0, 2.0, 4.0]), range=(0.0, 1.0))


@pytest.mark.parametrize("shape, sizes", [
    ((2, 3), (4, 2, -1)), ((2, 3), (-1, -1)), ((2, 1), (5, -1, 4)), ((3,), (2, -1))])
def test_broadcast_to_keeps_an_axis_at_minus_1_as_torch(torch, shape, sizes) -> None:
    data = np.random.default_rng(3).standard_normal(shape)
    weights = np.random.default_rng(4).standard_normal(torch.broadcast_to(
        torch.tensor(data), sizes).shape)
    for spell in (lambda T, x: T.broadcast_to(x, sizes), lambda T, x: x.broadcast_to(sizes)):
        results = []
        for T in (ag, torch):
            x = T.tensor(data, requires_grad=True)
            out = spell(T, x)
            (out * T.tensor(weights)).sum().backward()
            results.append((out, x.grad))
        for got, want in zip(*results):
            assert_same(got, want, rtol=1e-12)
    with pytest.raises(RuntimeError):  # no axis to keep in front: still refused
        torch.broadcast_to(torch.tensor(data), (-1,) + shape)
    with pytest.raises(ag.ShapeError):
        ag.broadcast_to(ag.tensor(data), (-1,) + shape)


@pytest.mark.parametrize("k, dims", [(1, (0,)), (1, (0, 1, 2)), (1, ()), (1, (1, 1)),
                                     (1, (0, -3)), (1.0, (0, 1))])
def test_rot90_takes_an_int_and_two_different_axes_as_torch(torch, k, dims) -> None:
    with pytest.raises((RuntimeError, TypeError)):
        torch.rot90(torch.zeros((2, 3, 4)), k, dims)
    with pytest.raises(ag.UsageError, match="rot90: (dims|k) must"):
        ag.rot90(ag.zeros((2, 3, 4)), k, dims)
    with pytest.raises(ag.UsageError, match="rot90: (dims|k) must"):
        ag.zeros((2, 3, 4)).rot90(k, dims)


@pytest.mark.parametrize("with_replacement", [False, True])
def test_combinations_with_a_negative_r_is_refused_as_torch(torch, with_replacement) -> None:
    with pytest.raises(RuntimeError, match="non-negative"):
        torch.combinations(torch.tensor([1.0, 2.0]), -1, with_replacement)
    with pytest.raises(ag.UsageError, match="r, the number of elements.*>= 0; got -1"):
        ag.combinations(ag.tensor([1.0, 2.0]), -1, with_replacement)


@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax_hard_of_0d_logits_as_torch(torch, dim) -> None:
    """One category: softmax's 1, the one-hot 1; the gradient is the soft sample's, 0."""
    results = []
    for T, functional in ((ag, F), (torch, torch.nn.functional)):
        logits = T.tensor(0.7, requires_grad=True)
        sample = functional.gumbel_softmax(logits, tau=0.5, hard=True, dim=dim)
        (3.0 * sample).backward()
        results.append((sample, logits.grad))
    for got, want in zip(*results):
        assert_same(got, want)


@pytest.mark.parametrize("shifts, dims", [([1], [0, 1]), ([1, 1], [0]), ((1, 2), (0, 1, 1))])
def test_roll_with_sequences_of_different_lengths_is_refused_as_torch(torch, shifts,
                                                                      dims) -> None:
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        torch.roll(torch.zeros((2, 3)), shifts, dims)
    with pytest.raises(ag.UsageError, match="do not pair up"):
        ag.roll(ag.zeros((2, 3)), shifts, dims)
    with pytest.raises(ag.UsageError, match="do not pair up"):
        ag.zeros((2, 3)).roll(shifts=shifts, dims=dims)
    data = np.arange(6.0).reshape(2, 3)  # sequences of one length pair up, as PyTorch's
    for shifts, dims in (([1, -2], [0, 1]), ([4], [1])):
        assert_same(ag.roll(ag.tensor(data), shifts=shifts, dims=dims),
                    torch.roll(torch.tensor(data), shifts=shifts, dims=dims))
    for shift, axis in ((1, (0, 1)), ((1, 2), 0)):  # NumPy's: one number for every axis,
        np.testing.assert_array_equal(ag.roll(ag.tensor(data), shift, axis).numpy(),
                                      np.roll(data, shift, axis))  # several for one


@pytest.mark.parametrize("shape, dim, sizes", [
    ((0, 3), 1, (3, -1)), ((1, 0), 0, (-1,)), ((2, 0), 0, (1, -1, 2))])
def test_unflatten_minus_1_of_an_empty_tensor_as_torch(torch, shape, dim, sizes) -> None:
    want = torch.zeros(shape).unflatten(dim, sizes)
    assert_same(ag.zeros(shape).unflatten(dim, sizes), want)
    assert_same(ag.unflatten(ag.zeros(shape), dim, sizes), want)


def test_cdist_and_pdist_inf_of_rows_with_no_features_as_torch(torch) -> None:
    """Zeros (an empty sum), where max |x_i - y_i| over no features raised."""
    p = INF
    assert_same(ag.cdist(ag.zeros((2, 0)), ag.zeros((3, 0)), p=p),
                torch.cdist(torch.zeros((2, 0)), torch.zeros((3, 0)), p=p))
    assert_same(ag.cdist(ag.zeros((4, 2, 0)), ag.zeros((1, 3, 0)), p=p),
                torch.cdist(torch.zeros((4, 2, 0)), torch.zeros((1, 3, 0)), p=p))
    for rows in (3, 1):
        want = torch.pdist(torch.zeros((rows, 0)), p=p)
        assert_same(ag.pdist(ag.zeros((rows, 0)), p=p), want)
        assert_same(F.pdist(ag.zeros((rows, 0)), p=p), want)


@pytest.mark.parametrize("first, second", [
    ([1.0, 2.0], [1, 2]), ([1, 2], [True, False]),
    (np.array([1.0], np.float32), np.array([2.0]))])
def test_meshgrid_and_cartesian_prod_of_mixed_dtypes_are_refused_as_torch(
        torch, first, second) -> None:
    theirs = torch.tensor(first), torch.tensor(second)
    ours = ag.tensor(first), ag.tensor(second)
    with pytest.raises(RuntimeError, match="same dtype"):
        torch.meshgrid(*theirs, indexing="ij")
    with pytest.raises(RuntimeError, match="same dtype"):
        torch.cartesian_prod(torch.tensor(first).repeat(2), torch.tensor(second).repeat(2))
    with pytest.raises(ag.DTypeError, match="meshgrid: all inputs must have the same dtype"):
        ag.meshgrid(*ours, indexing="ij")
    with pytest.raises(ag.DTypeError, match="cartesian_prod: all inputs must have the same"):
        ag.cartesian_prod(*ours)


def test_meshgrid_of_no_tensors_is_refused_as_torch(torch) -> None:
    with pytest.raises(RuntimeError, match="non-empty"):
        torch.meshgrid(indexing="ij")
    with pytest.raises(ag.UsageError, match="meshgrid: needs at least one tensor"):
        ag.meshgrid(indexing="ij")
    with pytest.raises(ag.UsageError, match="meshgrid: needs at least one tensor"):
        ag.meshgrid([], indexing="xy")


@pytest.mark.parametrize("shape, dim", [((2, 0), 0), ((0, 0), 1), ((2, 0, 3), -1)])
def test_unique_of_slices_emptied_by_another_axis_is_refused_as_torch(torch, shape,
                                                                      dim) -> None:
    with pytest.raises(RuntimeError, match="unique cannot be applied"):
        torch.unique(torch.zeros(shape), dim=dim)
    with pytest.raises(ag.ShapeError, match="slices along dim .* are empty"):
        ag.unique(ag.zeros(shape), dim=dim)


@pytest.mark.parametrize("shape, dim", [((0, 3), 0), ((2, 0), 1), ((0,), 0)])
def test_split_size_0_of_an_empty_axis_as_torch(torch, shape, dim) -> None:
    want = torch.zeros(shape).split(0, dim)
    for got in (ag.zeros(shape).split(0, dim), ag.split(ag.zeros(shape), 0, dim),
                ag.split(ag.zeros(shape), 0, dim=dim)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)


def test_split_size_0_of_a_nonempty_axis_is_refused_as_torch(torch) -> None:
    with pytest.raises(RuntimeError, match="split_size can only be 0"):
        torch.zeros((0, 3)).split(0, 1)
    with pytest.raises(ag.ShapeError, match="0 only for an empty axis"):
        ag.zeros((0, 3)).split(0, 1)
