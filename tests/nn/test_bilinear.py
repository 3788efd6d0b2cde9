"""F.bilinear and nn.Bilinear against PyTorch (forward, gradients, state_dict, repr,
initial bounds); gradients by finite differences."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import DTypeError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.module import functional_call
from torch_compare_helpers import copy_parameters, normal, run_both


@pytest.mark.parametrize("lead", [(), (4,), (2, 3), (0,)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_bilinear_matches_torch(lead, with_bias):
    torch = pytest.importorskip("torch")
    run_both(torch, F.bilinear, torch.nn.functional.bilinear,
             [normal(0, lead + (3,)), normal(1, lead + (2,)), normal(2, (5, 3, 2)),
              normal(3, 5) if with_bias else None])


def test_bilinear_gradients_match_finite_differences_to_second_order():
    a, b, w, bias = (Tensor(normal(s, shape), requires_grad=True)
                     for s, shape in ((0, (4, 3)), (1, (4, 2)), (2, (5, 3, 2)), (3, (5,))))
    assert gradcheck(F.bilinear, [a, b, w, bias])
    assert gradgradcheck(F.bilinear, [a, b, w, bias])


def test_bilinear_module_matches_torch_with_its_state_and_repr():
    torch = pytest.importorskip("torch")
    for bias in (True, False):
        ours, theirs = nn.Bilinear(3, 2, 4, bias), torch.nn.Bilinear(3, 2, 4, bias).double()
        copy_parameters(ours, theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert repr(ours) == repr(theirs)
        a, b = normal(0, (5, 3)), normal(1, (5, 2))
        np.testing.assert_allclose(ours(a, b).data,
                                   theirs(torch.tensor(a), torch.tensor(b)).detach().numpy(),
                                   rtol=1e-12)
    layer = nn.Bilinear(3, 2, 2, rng=0)
    names = [n for n, _ in layer.named_parameters()]
    inputs = [Tensor(normal(0, (4, 3)), requires_grad=True),
              Tensor(normal(1, (4, 2)), requires_grad=True),
              *(Tensor(p.data.copy(), requires_grad=True) for p in layer.parameters())]
    assert gradcheck(lambda a, b, *ps: functional_call(layer, dict(zip(names, ps)), a, b),
                     inputs)


def test_bilinear_initial_values_follow_torchs_bounds_and_the_generator():
    layer = nn.Bilinear(16, 3, 40, rng=0)
    bound = 1 / np.sqrt(16)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.9 * bound
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 0.1 * bound  # U(-b, b)
    np.testing.assert_array_equal(layer.weight.data, nn.Bilinear(16, 3, 40, rng=0).weight.data)
    layer.reset_parameters(rng=1)
    np.testing.assert_array_equal(layer.weight.data, nn.Bilinear(16, 3, 40, rng=1).weight.data)
    small = nn.Bilinear(2, 3, 4, dtype=np.float32)
    assert small.weight.dtype == small.bias.dtype == np.float32
    assert small(np.ones((1, 2), np.float32), np.ones((1, 3), np.float32)).dtype == np.float32


def test_bilinear_errors_name_the_problem():
    w = np.ones((5, 3, 2))
    with pytest.raises(ShapeError, match=r"\(\.\.\., 3\) and \(\.\.\., 2\).*\(4, 3\) and "
                                         r"\(1, 2\)"):
        F.bilinear(np.ones((4, 3)), np.ones((1, 2)), w)  # no broadcasting, as PyTorch
    with pytest.raises(ShapeError, match=r"got \(4, 2\) and \(4, 2\)"):
        F.bilinear(np.ones((4, 2)), np.ones((4, 2)), w)
    with pytest.raises(ShapeError, match="weight must be 3-d"):
        F.bilinear(np.ones(3), np.ones(2), np.ones((3, 2)))
    with pytest.raises(ShapeError, match=r"bias must have shape \(5,\)"):
        F.bilinear(np.ones(3), np.ones(2), w, np.ones(4))
    with pytest.raises(ConfigError, match="in1_features"):
        nn.Bilinear(0, 2, 3)  # as PyTorch
    with pytest.raises(ArgumentTypeError, match="out_features"):
        nn.Bilinear(2, 2, 3.0)
    with pytest.raises(DTypeError, match="Bilinear"):
        nn.Bilinear(2, 2, 3, dtype=np.int64)
