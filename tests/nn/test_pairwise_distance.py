"""F.pairwise_distance, nn.PairwiseDistance and nn.CosineSimilarity against PyTorch;
gradients by finite differences."""

import math

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from torch_compare_helpers import normal, run_both


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((4, 3), (4, 3)), ((4, 3), (3,)),
                                    ((2, 4, 3), (4, 3)), ((4, 1), (1, 3))])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_matches_torch_for_shapes(shapes, keepdim):
    torch = pytest.importorskip("torch")
    run_both(torch, lambda a, b: F.pairwise_distance(a, b, keepdim=keepdim),
             lambda a, b: torch.nn.functional.pairwise_distance(a, b, keepdim=keepdim),
             [normal(0, shapes[0]), normal(1, shapes[1])])


@pytest.mark.parametrize("p", [1, 1.0, 2, 0.5, 1.5, 3, math.inf, -math.inf, -1.0, 0])
@pytest.mark.parametrize("eps", [1e-6, 0.3])
def test_pairwise_distance_matches_torch_for_orders(p, eps):
    torch = pytest.importorskip("torch")
    run_both(torch, lambda a, b: F.pairwise_distance(a, b, p, eps),
             lambda a, b: torch.nn.functional.pairwise_distance(a, b, p, eps),
             [normal(0, (5, 4)), normal(1, (5, 4))])


def test_pairwise_distance_of_equal_vectors_is_eps_sized_with_torchs_gradient():
    torch = pytest.importorskip("torch")
    x = normal(0, (2, 3))
    run_both(torch, lambda a, b: F.pairwise_distance(a, b),
             lambda a, b: torch.nn.functional.pairwise_distance(a, b), [x, x.copy()])
    np.testing.assert_allclose(F.pairwise_distance(x, x).data, 1e-6 * np.sqrt(3))


@pytest.mark.parametrize("p", [2, 1.5, 3, math.inf])
def test_pairwise_distance_gradients_match_finite_differences(p):
    a, b = (Tensor(normal(s, (3, 4)), requires_grad=True) for s in (0, 1))
    assert gradcheck(lambda a, b: F.pairwise_distance(a, b, p), [a, b])
    if p != math.inf:  # smooth away from ties
        assert gradgradcheck(lambda a, b: F.pairwise_distance(a, b, p), [a, b])


def test_pairwise_distance_keeps_float32():
    a, b = np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)
    assert F.pairwise_distance(a, b).dtype == np.float32
    assert F.pairwise_distance(a, b, 3).dtype == np.float32


def test_modules_match_torch_and_its_repr():
    torch = pytest.importorskip("torch")
    a, b = normal(0, (4, 3)), normal(1, (4, 3))
    ta, tb = torch.tensor(a), torch.tensor(b)
    for ours, theirs in [(nn.PairwiseDistance(), torch.nn.PairwiseDistance()),
                         (nn.PairwiseDistance(1, 1e-3, True),
                          torch.nn.PairwiseDistance(1, 1e-3, True)),
                         (nn.CosineSimilarity(), torch.nn.CosineSimilarity()),
                         (nn.CosineSimilarity(0, 1e-3), torch.nn.CosineSimilarity(0, 1e-3))]:
        np.testing.assert_allclose(ours(a, b).data, theirs(ta, tb).numpy(), rtol=1e-12)
        assert repr(ours) == repr(theirs)
        assert not list(ours.state_dict())
    layer = nn.PairwiseDistance(3, 1e-4, True)
    assert (layer.norm, layer.eps, layer.keepdim) == (3.0, 1e-4, True)  # torch's names


def test_errors_name_the_problem():
    with pytest.raises(ShapeError, match="cannot broadcast"):
        F.pairwise_distance(np.ones((2, 3)), np.ones(4))
    # two 0-d inputs are no error: |x1 - x2 + eps|, as PyTorch
    assert F.pairwise_distance(1.0, 2.0).item() == pytest.approx(abs(1.0 - 2.0 + 1e-6))
    with pytest.raises(ArgumentTypeError, match="pairwise_distance: p must be"):
        F.pairwise_distance(np.ones(3), np.ones(3), p="fro")
    with pytest.raises(ConfigError, match="p must be a number or"):
        F.pairwise_distance(np.ones(3), np.ones(3), p=math.nan)
    with pytest.raises(ConfigError, match="PairwiseDistance: eps"):
        nn.PairwiseDistance(eps=-1.0)
    with pytest.raises(ArgumentTypeError, match="keepdim"):
        nn.PairwiseDistance(keepdim=1)
    with pytest.raises(ArgumentTypeError, match="CosineSimilarity: dim"):
        nn.CosineSimilarity(dim=1.0)
    with pytest.raises(ConfigError, match="CosineSimilarity: eps"):
        nn.CosineSimilarity(eps=-1e-8)
