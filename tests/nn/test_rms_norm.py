"""F.rms_norm and nn.RMSNorm against PyTorch; gradients by finite differences."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from torch_compare_helpers import (copy_parameters, module_gradients_match_finite_differences,
                                   normal, run_both)


@pytest.mark.parametrize("x_shape, normalized", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)),
                                                 ((5,), 5)])
@pytest.mark.parametrize("eps", [None, 1e-3])
@pytest.mark.parametrize("affine", [True, False])
def test_rms_norm_matches_torch(x_shape, normalized, eps, affine):
    torch = pytest.importorskip("torch")
    w_shape = (normalized,) if isinstance(normalized, int) else normalized
    run_both(torch, lambda x, w: F.rms_norm(x, normalized, w, eps),
             lambda x, w: torch.nn.functional.rms_norm(
                 x, w_shape, w, eps),
             [normal(0, x_shape) * 2 + 1, normal(1, w_shape) if affine else None])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_rms_norm_default_eps_is_the_dtypes_machine_epsilon_as_torch(dtype):
    torch = pytest.importorskip("torch")
    scale = 1e-8 if dtype == "float64" else 2e-4  # mean(x^2) about eps: eps shows
    x = (normal(0, (3, 4)) * scale).astype(dtype)
    expected = torch.nn.functional.rms_norm(torch.tensor(x), (4,)).numpy()
    y = F.rms_norm(x, 4)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12 if dtype == "float64" else 1e-5)
    eps = np.finfo(dtype).eps
    reference = x / np.sqrt((x.astype(np.float64) ** 2).mean(-1, keepdims=True) + eps)
    np.testing.assert_allclose(y.data, reference, rtol=1e-12 if dtype == "float64" else 1e-5)


def test_rms_norm_float16_is_computed_in_float32_with_its_epsilon():
    x = np.array([[300.0, -300.0, 2e-3, 1e-3]], np.float16)  # squares overflow float16
    y = F.rms_norm(x, 4)
    assert y.dtype == np.float16
    wide = x.astype(np.float32)
    expected = wide / np.sqrt((wide * wide).mean(-1, keepdims=True) + np.finfo(np.float32).eps)
    np.testing.assert_array_equal(y.data, expected.astype(np.float16))


def test_rms_norm_gradients_match_finite_differences_to_second_order():
    x, w = Tensor(normal(0, (3, 4)), requires_grad=True), Tensor(normal(1, 4),
                                                                requires_grad=True)
    assert gradcheck(lambda x, w: F.rms_norm(x, 4, w), [x, w])
    assert gradgradcheck(lambda x, w: F.rms_norm(x, 4, w, 1e-3), [x, w])
    zero = Tensor(np.zeros((2, 3)), requires_grad=True)  # finite at 0 thanks to eps
    assert gradcheck(lambda x: F.rms_norm(x, 3, eps=1e-2), [zero])


def test_rms_norm_module_matches_torch_with_its_state_and_repr():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.RMSNorm((3, 4)), torch.nn.RMSNorm((3, 4)).double()
    copy_parameters(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = normal(0, (2, 3, 4))
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    for args in [((3,),), ((3, 4), 1e-3, False), (5, None, True)]:
        assert repr(nn.RMSNorm(*args)) == repr(torch.nn.RMSNorm(*args))
    module_gradients_match_finite_differences(nn.RMSNorm(4, eps=1e-3), normal(3, (2, 4)))


def test_rms_norm_module_options():
    plain = nn.RMSNorm(4, elementwise_affine=False)
    assert plain.weight is None and not list(plain.state_dict())
    layer = nn.RMSNorm(4, dtype=np.float32)
    assert layer(np.ones((2, 4), np.float32)).dtype == np.float32
    layer.weight.data[...] = 3.0
    layer.reset_parameters()
    assert (layer.weight.data == 1).all()


def test_rms_norm_errors_name_the_problem():
    with pytest.raises(ShapeError, match=r"RMSNorm\(\(4,\).*\(2, 3\)"):
        nn.RMSNorm(4)(np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"rms_norm.*\(4,\).*\(2, 3\)"):
        F.rms_norm(np.ones((2, 3)), 4)
    with pytest.raises(ShapeError, match=r"weight must have shape \(3,\)"):
        F.rms_norm(np.ones((2, 3)), 3, np.ones(2))
    with pytest.raises(ConfigError, match="eps"):
        nn.RMSNorm(3, eps=-1.0)
    with pytest.raises(ArgumentTypeError, match="eps"):
        F.rms_norm(np.ones((2, 3)), 3, eps="small")
    with pytest.raises(ConfigError, match="normalized_shape"):
        nn.RMSNorm(-1)
