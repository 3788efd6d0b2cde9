"""F.group_norm and nn.GroupNorm against PyTorch; gradients by finite differences."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import AutogradError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from torch_compare_helpers import (copy_parameters, module_gradients_match_finite_differences,
                                   normal, run_both)


@pytest.mark.parametrize("shape, groups", [((3, 4), 2), ((2, 6, 3), 3), ((2, 6, 3), 1),
                                           ((2, 6, 3), 6), ((2, 4, 3, 2), 2),
                                           ((1, 4, 2, 1, 2), 4)])
@pytest.mark.parametrize("affine", [(True, True), (True, False), (False, False)])
def test_group_norm_matches_torch(shape, groups, affine):
    torch = pytest.importorskip("torch")
    c = shape[1]
    arrays = [normal(0, shape) * 3 + 1, normal(1, c) if affine[0] else None,
              normal(2, c) if affine[1] else None]
    run_both(torch, lambda x, w, b: F.group_norm(x, groups, w, b, eps=1e-3),
             lambda x, w, b: torch.nn.functional.group_norm(x, groups, w, b, eps=1e-3),
             arrays)


def test_group_norm_gradients_match_finite_differences_to_second_order():
    x, w, b = (Tensor(normal(s, shape), requires_grad=True)
               for s, shape in ((0, (2, 4, 3)), (1, (4,)), (2, (4,))))
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), [x, w, b])
    assert gradgradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), [x, w, b])


def test_group_norm_module_matches_torch_with_its_state_and_repr():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.GroupNorm(3, 6, eps=1e-4), torch.nn.GroupNorm(3, 6, eps=1e-4).double()
    copy_parameters(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = normal(0, (4, 6, 5))
    for mode in ("train", "eval"):  # the same in both modes
        getattr(ours, mode)()
        getattr(theirs, mode)()
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    plain = nn.GroupNorm(2, 4, affine=False)
    assert plain.weight is None and plain.bias is None and not list(plain.state_dict())
    assert repr(plain) == "GroupNorm(2, 4, eps=1e-05, affine=False, bias=False)"
    assert repr(nn.GroupNorm(3, 6, eps=1e-4)) == ("GroupNorm(3, 6, eps=0.0001, affine=True, "
                                                  "bias=True)")
    module_gradients_match_finite_differences(nn.GroupNorm(2, 4), normal(3, (2, 4, 3)))


def test_group_norm_module_dtype_and_reset():
    layer = nn.GroupNorm(2, 4, dtype=np.float32)
    assert layer.weight.dtype == np.float32
    assert layer(normal(0, (2, 4)).astype(np.float32)).dtype == np.float32
    layer.weight.data[...], layer.bias.data[...] = 3.0, 2.0
    layer.reset_parameters()
    assert (layer.weight.data == 1).all() and (layer.bias.data == 0).all()


def test_group_norm_float16_is_computed_in_float32():
    x = np.array([[1000.0, -1000.0, 3.0, 5.0]], np.float16)  # squares overflow float16
    y = F.group_norm(x, 2)
    assert y.dtype == np.float16
    np.testing.assert_allclose(y.data, F.group_norm(x.astype(np.float64), 2).data,
                               atol=2e-3)


def test_group_norm_empty_batch_gives_an_empty_output():
    assert F.group_norm(np.zeros((0, 4, 3)), 2).shape == (0, 4, 3)


def test_group_norm_errors_name_the_problem():
    x = np.ones((2, 6, 3))
    with pytest.raises(ShapeError, match="num_groups=4 must divide .* 6"):
        F.group_norm(x, 4)
    with pytest.raises(ShapeError, match=r"\(N, C\).*got shape \(6,\)"):
        F.group_norm(np.ones(6), 2)
    with pytest.raises(ShapeError, match="more than one value per group"):
        F.group_norm(np.ones((1, 4)), 4)  # as PyTorch
    with pytest.raises(ShapeError, match=r"weight must have shape \(6,\)"):
        F.group_norm(x, 3, np.ones(3))
    with pytest.raises(ConfigError, match="num_groups"):
        F.group_norm(x, 0)
    with pytest.raises(ArgumentTypeError, match="num_groups"):
        F.group_norm(x, 2.0)
    with pytest.raises(ConfigError, match="eps"):
        F.group_norm(x, 3, eps=-1.0)
    with pytest.raises(ConfigError, match="num_groups=4 must divide num_channels=6") as info:
        nn.GroupNorm(4, 6)
    assert isinstance(info.value, AutogradError) and isinstance(info.value, ValueError)
    with pytest.raises(ConfigError, match="num_groups"):
        nn.GroupNorm(0, 6)
    with pytest.raises(ShapeError, match=r"GroupNorm\(2, 4.*\(N, 4, \.\.\.\).*\(2, 3\)"):
        nn.GroupNorm(2, 4)(np.ones((2, 3)))
