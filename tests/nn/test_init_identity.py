"""nn.init.eye_ and nn.init.dirac_ against PyTorch's."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import AutogradError


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2), (0, 3)])
def test_eye_as_torch(shape):
    torch = pytest.importorskip("torch")
    w = Tensor(np.full(shape, 7.0, dtype=np.float32))
    assert nn.init.eye_(w) is w and w.dtype == np.float32
    np.testing.assert_array_equal(w.data, torch.nn.init.eye_(torch.empty(shape)).numpy())


@pytest.mark.parametrize("shape, groups", [
    ((4, 4, 3), 1), ((6, 2, 5), 1), ((2, 6, 4), 1), ((6, 2, 3), 3), ((4, 3, 3, 3), 2),
    ((3, 5, 2, 4), 1), ((4, 2, 3, 3, 3), 2), ((4, 2, 1, 2, 5), 1)])
def test_dirac_as_torch(shape, groups):
    torch = pytest.importorskip("torch")
    w = nn.Parameter(np.full(shape, 7.0))
    assert nn.init.dirac_(w, groups) is w
    expected = torch.nn.init.dirac_(torch.empty(shape, dtype=torch.float64), groups)
    np.testing.assert_array_equal(w.data, expected.numpy())


def test_eye_makes_a_linear_layer_pass_its_inputs_through():
    layer = nn.Linear(3, 3, rng=0)
    nn.init.eye_(layer.weight), nn.init.zeros_(layer.bias)
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(layer(Tensor(x)).data, x)


def test_both_count_as_writes_and_fill_arrays_too():
    w = nn.Parameter(np.ones((2, 2)))
    y = (w * w).sum()
    nn.init.eye_(w)
    with pytest.raises(AutogradError, match="in place|modified|changed"):
        y.backward()
    array = np.ones((2, 2, 3))
    nn.init.dirac_(array)
    assert array.sum() == 2


@pytest.mark.parametrize("call, error, match", [
    (lambda: nn.init.eye_(np.zeros(3)), ValueError, r"2-D weight.*\(3,\)"),
    (lambda: nn.init.eye_(np.zeros((2, 2, 2))), ValueError, "use dirac_"),
    (lambda: nn.init.dirac_(np.zeros((2, 2))), ValueError, "3, 4 or 5 axes.*use eye_"),
    (lambda: nn.init.dirac_(np.zeros((3, 2, 3)), groups=2), ValueError, "groups=2"),
    (lambda: nn.init.dirac_(np.zeros((2, 2, 3)), groups=0), ValueError, "groups"),
    (lambda: nn.init.dirac_(np.zeros((2, 2, 3)), groups=1.5), TypeError, "groups"),
    (lambda: nn.init.eye_(np.zeros((2, 2), dtype="U1")), TypeError, "U1"),
])
def test_bad_tensors_raise_named_errors(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert isinstance(info.value, AutogradError)
