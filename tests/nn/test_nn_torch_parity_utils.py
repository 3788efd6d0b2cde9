"""PyTorch's spellings compared with torch: nn.Unflatten, nn.utils.parameters_to_vector /
vector_to_parameters, clip_grad_norm_/clip_grad_value_'s foreach, nn.init.orthogonal_ and
trunc_normal_."""
import math

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from autograd.errors import AxisError, DTypeError, InplaceError, ShapeError
from nn.errors import ArgumentTypeError
from nn.module import Parameter



# ---------------------------------------------------------------- Unflatten
@pytest.mark.parametrize("dim, sizes, shape", [
    (1, (2, 5), (3, 10)), (-1, (2, -1), (3, 10)), (0, [3, 1], (3, 4)), (1, (4,), (2, 4, 3)),
    (-2, (2, 2), (2, 4, 3))])
def test_unflatten_matches_torch(dim, sizes, shape):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=shape)
    ours = nn.Unflatten(dim, sizes)
    theirs = torch.nn.Unflatten(dim, tuple(sizes))
    np.testing.assert_array_equal(ours(x).data, theirs(torch.from_numpy(x)).numpy())
    assert repr(ours) == repr(theirs)


def test_unflatten_inverts_flatten_and_has_the_gradient_of_a_reshape():
    x = Tensor(np.random.default_rng(1).normal(size=(2, 3, 4)), requires_grad=True)
    model = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (3, 4)))
    np.testing.assert_array_equal(model(x).data, x.data)
    assert gradcheck(lambda t: nn.Unflatten(2, (-1, 2))(t) ** 2, [x])


def test_unflatten_errors():
    with pytest.raises(ArgumentTypeError, match="unflattened_size must be a tuple of ints.*int"):
        nn.Unflatten(1, 5)
    with pytest.raises(ArgumentTypeError, match=r"unflattened_size\[0\] must be an int"):
        nn.Unflatten(1, (2.0, 5))
    with pytest.raises(ArgumentTypeError, match="dim must be an int"):
        nn.Unflatten(1.0, (2, 5))
    with pytest.raises(nn.errors.ConfigError, match="unflattened_size is empty"):
        nn.Unflatten(0, ())
    with pytest.raises(ShapeError, match=r"sizes \(3, 5\) do not split axis 1 of length 10"):
        nn.Unflatten(1, (3, 5))(np.ones((3, 10)))
    with pytest.raises(AxisError, match="axis 3 is out of range"):
        nn.Unflatten(3, (2, 5))(np.ones((3, 10)))


# ---------------------------------------------------------------- parameters <-> vector
def _linear_pair():
    """nn.Linear(3, 2) and torch's with the same weights."""
    torch = pytest.importorskip("torch")
    ours = nn.Linear(3, 2, rng=0)
    theirs = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    return torch, ours, theirs


def test_parameters_to_vector_matches_torch_in_value_and_gradient():
    torch, ours, theirs = _linear_pair()
    from torch.nn.utils import parameters_to_vector as torch_p2v
    vec = nn.utils.parameters_to_vector(ours.parameters())
    torch_vec = torch_p2v(theirs.parameters())
    np.testing.assert_array_equal(vec.data, torch_vec.detach().numpy())
    weights = np.random.default_rng(2).normal(size=vec.shape)
    (nn.utils.parameters_to_vector(ours.parameters()) ** 2 * weights).sum().backward()
    (torch_vec ** 2 * torch.from_numpy(weights)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy())
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy())


def test_parameters_to_vector_passes_gradcheck():
    w = Tensor(np.random.default_rng(3).normal(size=(2, 3)), requires_grad=True)
    b = Tensor(np.random.default_rng(4).normal(size=2), requires_grad=True)
    assert gradcheck(lambda w, b: nn.utils.parameters_to_vector([w, b]) ** 3, [w, b])


def test_vector_to_parameters_writes_as_torch():
    torch, ours, theirs = _linear_pair()
    from torch.nn.utils import vector_to_parameters as torch_v2p
    vec = np.arange(8.0)
    weight = ours.weight
    nn.utils.vector_to_parameters(vec, ours.parameters())
    torch_v2p(torch.from_numpy(vec.copy()), theirs.parameters())
    assert ours.weight is weight  # the same Parameter, written in place
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.data, theirs.bias.detach().numpy())
    vec[:] = -1.0
    assert ours.bias.data[0] == 6.0  # a copy: vec stays separate


def test_vector_to_parameters_round_trip_keeps_dtype():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Linear(4, 1, rng=1)).float()
    before = nn.utils.parameters_to_vector(model.parameters())
    nn.utils.vector_to_parameters(before * 2, model.parameters())
    after = nn.utils.parameters_to_vector(model.parameters())
    np.testing.assert_array_equal(after.data, before.data * 2)
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}


def test_vector_to_parameters_is_a_write_a_stale_graph_refuses():
    layer = nn.Linear(2, 1, rng=0)
    out = (layer.weight * layer.weight).sum()  # saves the weight for its backward
    nn.utils.vector_to_parameters(np.zeros(3), layer.parameters())
    with pytest.raises(InplaceError):
        out.backward()


def test_parameters_vector_errors():
    layer = nn.Linear(2, 2)
    with pytest.raises(nn.errors.ConfigError, match="got no parameters"):
        nn.utils.parameters_to_vector([])
    with pytest.raises(ArgumentTypeError, match="got the module Linear"):
        nn.utils.parameters_to_vector(layer)
    with pytest.raises(ShapeError, match=r"one value per parameter entry, 6 here; got "
                                         r"shape \(5,\)"):
        nn.utils.vector_to_parameters(np.ones(5), layer.parameters())
    with pytest.raises(ShapeError, match=r"6 here; got shape \(7,\)"):  # torch ignores these
        nn.utils.vector_to_parameters(np.ones(7), layer.parameters())
    with pytest.raises(ShapeError, match=r"got shape \(2, 3\)"):
        nn.utils.vector_to_parameters(np.ones((2, 3)), layer.parameters())
    with pytest.raises(ArgumentTypeError, match="vec must be a Tensor.*list"):
        nn.utils.vector_to_parameters([1.0] * 6, layer.parameters())
    with pytest.raises(DTypeError, match="holds <U1 data"):
        nn.utils.vector_to_parameters(np.array(list("abcdef")), layer.parameters())
    with pytest.raises(DTypeError, match="holds complex128 data"):  # not the real part
        nn.utils.vector_to_parameters(np.ones(6) + 1j, layer.parameters())


# ---------------------------------------------------------------- orthogonal_
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 3, 4), (6, 2, 2)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape, gain):
    w = nn.init.orthogonal_(Parameter(np.zeros(shape)), gain=gain, rng=0)
    matrix = w.data.reshape(shape[0], -1)
    rows, cols = matrix.shape
    gram = matrix @ matrix.T if rows <= cols else matrix.T @ matrix
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 1), (1, 3), (2, 2)])
def test_orthogonal_entries_are_symmetric_about_zero(shape):
    # A uniformly (Haar) distributed orthogonal matrix W has the distribution of -W, so each
    # entry is positive in half of the draws; a QR without the sign fix gives W[0, 0] one sign
    # (Householder makes R's diagonal negative where the first column's head is positive).
    firsts = np.array([nn.init.orthogonal_(np.zeros(shape), rng=seed)[0, 0]
                       for seed in range(400)])
    assert 0.4 < np.mean(firsts > 0) < 0.6


def test_orthogonal_is_seeded_counts_its_write_and_keeps_dtype():
    first = nn.init.orthogonal_(np.zeros((4, 3), np.float32), rng=7)
    again = nn.init.orthogonal_(np.zeros((4, 3), np.float32), generator=np.random.default_rng(7))
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    p = Parameter(np.zeros((2, 2)))
    out = (p * p).sum()
    nn.init.orthogonal_(p, rng=0)
    with pytest.raises(InplaceError):
        out.backward()


def test_orthogonal_shapes_as_torch():
    torch = pytest.importorskip("torch")
    empty = np.zeros((0, 3))
    assert nn.init.orthogonal_(empty, rng=0) is empty
    assert torch.nn.init.orthogonal_(torch.empty(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        torch.nn.init.orthogonal_(torch.empty(3))
    with pytest.raises(nn.errors.ConfigError, match=r"at least 2 axes.*got shape \(3,\)"):
        nn.init.orthogonal_(np.zeros(3), rng=0)
    with pytest.raises(ArgumentTypeError, match="gain must be a finite number"):
        nn.init.orthogonal_(np.zeros((2, 2)), gain="2")


# ---------------------------------------------------------------- trunc_normal_
def _pdf(x):
    return 0.0 if math.isinf(x) else math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _truncated_moments(mean, std, a, b):
    """Mean and std of N(mean, std^2) conditioned on [a, b], from the textbook formulas
    (alpha, beta: the bounds in standard units; x phi(x) is 0 at +-inf)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _cdf(beta) - _cdf(alpha)
    shift = (_pdf(alpha) - _pdf(beta)) / z
    tails = ((alpha * _pdf(alpha) if math.isfinite(alpha) else 0.0)
             - (beta * _pdf(beta) if math.isfinite(beta) else 0.0)) / z
    return mean + std * shift, std * math.sqrt(1 + tails - shift ** 2)


@pytest.mark.parametrize("mean, std, a, b", [
    (0.0, 1.0, -2.0, 2.0), (0.5, 1.0, -1.0, 1.0), (0.0, 0.02, -0.04, 0.04),
    (1.0, 2.0, 0.0, math.inf), (0.0, 0.02, -2.0, 2.0)])
def test_trunc_normal_values_in_range_with_the_truncated_moments(mean, std, a, b):
    w = nn.init.trunc_normal_(Parameter(np.zeros((300, 300))), mean, std, a, b, rng=0)
    assert a <= w.data.min() and w.data.max() <= b
    expected_mean, expected_std = _truncated_moments(mean, std, a, b)
    n = w.data.size
    assert abs(w.data.mean() - expected_mean) < 5 * expected_std / math.sqrt(n)
    assert abs(w.data.std() - expected_std) < 5 * expected_std * math.sqrt(2 / n)


def test_trunc_normal_agrees_with_torch_in_distribution():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.init.trunc_normal_(torch.empty(300, 300, dtype=torch.float64),
                                         mean=0.5, std=1.0, a=-1.0, b=1.0).numpy()
    ours = nn.init.trunc_normal_(np.zeros((300, 300)), 0.5, 1.0, -1.0, 1.0, rng=0)
    assert abs(ours.mean() - theirs.mean()) < 0.01 and abs(ours.std() - theirs.std()) < 0.01
    assert ours.min() >= -1.0 and ours.max() <= 1.0


def test_trunc_normal_is_seeded_counts_its_write_and_keeps_dtype():
    first = nn.init.trunc_normal_(np.zeros(50, np.float16), rng=3)
    again = nn.init.trunc_normal_(np.zeros(50, np.float16), generator=np.random.default_rng(3))
    assert first.dtype == np.float16
    np.testing.assert_array_equal(first, again)
    p = Parameter(np.zeros(3))
    out = (p * p).sum()
    nn.init.trunc_normal_(p, rng=0)
    with pytest.raises(InplaceError):
        out.backward()


def test_trunc_normal_errors():
    w = np.zeros(4)
    with pytest.raises(nn.errors.ConfigError, match="needs a < b; got a=1.0, b=-1.0"):
        nn.init.trunc_normal_(w, a=1.0, b=-1.0)
    with pytest.raises(nn.errors.ConfigError, match="std must be a finite number > 0"):
        nn.init.trunc_normal_(w, std=0.0)  # torch: ZeroDivisionError
    with pytest.raises(nn.errors.ConfigError, match=r"holds only 2.9e-07 of N\(5.0, 1.0\^2\)"):
        nn.init.trunc_normal_(w, mean=5.0, a=-2.0, b=0.0)
    with pytest.raises(ArgumentTypeError, match="a must be a number"):
        nn.init.trunc_normal_(w, a=None)
    with pytest.raises(nn.errors.ConfigError, match="both rng= and generator="):
        nn.init.trunc_normal_(w, rng=0, generator=np.random.default_rng(0))


# ---------------------------------------------------------------- clipping's foreach
@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_functions_take_foreach_as_torch(foreach):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    ours = [Parameter(np.zeros_like(g)) for g in grads]
    theirs = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = g.copy(), torch.tensor(g)
    total = nn.utils.clip_grad_norm_(ours, 1.0, foreach=foreach)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, 1.0, foreach=foreach)
    np.testing.assert_allclose(total, their_total.item(), rtol=1e-12)
    nn.utils.clip_grad_value_(ours, 0.1, foreach=foreach)
    torch.nn.utils.clip_grad_value_(theirs, 0.1, foreach=foreach)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12)


def test_foreach_must_be_none_or_a_bool():
    with pytest.raises(ArgumentTypeError, match="foreach"):
        nn.utils.clip_grad_norm_(nn.Linear(1, 1).parameters(), 1.0, foreach="yes")


# ---------------------------------------------------------------- PyTorch's keyword names
def test_torch_keyword_names_of_clipping_and_freezing():
    """clip_grad_norm_(parameters=..., max_norm=...), clip_grad_value_(parameters=...,
    clip_value=...) and requires_grad_(requires_grad=...) as tutorials write them."""
    torch = pytest.importorskip("torch")
    g = np.random.default_rng(3).normal(size=(3, 4)) * 5

    def both():
        ours, theirs = nn.Linear(4, 3), torch.nn.Linear(4, 3, dtype=torch.float64)
        ours.weight.grad = g.copy()
        theirs.weight.grad = torch.from_numpy(g.copy())
        return ours, theirs
    ours, theirs = both()
    total = nn.utils.clip_grad_norm_(parameters=[ours.weight], max_norm=1.0, norm_type=2.0)
    expected = torch.nn.utils.clip_grad_norm_(parameters=[theirs.weight], max_norm=1.0,
                                              norm_type=2.0)
    np.testing.assert_allclose(total, expected.item())
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy())
    ours, theirs = both()
    nn.utils.clip_grad_value_(parameters=[ours.weight], clip_value=0.5)
    torch.nn.utils.clip_grad_value_(parameters=[theirs.weight], clip_value=0.5)
    np.testing.assert_array_equal(ours.weight.grad.data, theirs.weight.grad.numpy())
    ours.requires_grad_(requires_grad=False)
    theirs.requires_grad_(requires_grad=False)
    assert [p.requires_grad for p in ours.parameters()] == [
        p.requires_grad for p in theirs.parameters()] == [False, False]
    assert Tensor(np.ones(2)).requires_grad_(requires_grad=True).requires_grad
