"""F.pad's "reflect", "replicate" and "circular" modes (and the 0-d constant case)
against PyTorch and finite differences, with their errors."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import ShapeError
from nn.errors import ConfigError

MODES = ["reflect", "replicate", "circular"]
# (input shape, pad): 1, 2 and 3 padded axes, with and without a batch axis; zero and
# negative widths (PyTorch crops there: circular before wrapping, the others after)
CASES = [((2, 5), (1, 2)), ((2, 3, 5), (4, 0)), ((2, 5), (-1, 3)), ((1, 5), (3, -2)),
         ((2, 5), (0, 0)), ((3, 4, 5), (1, 2, 2, 1)), ((2, 3, 4, 5), (2, -1, 0, 3)),
         ((2, 3, 4, 5), (1, 1, 2, 2, 1, 0)), ((1, 2, 3, 4, 4), (-1, 2, 1, 1, 2, -1)),
         ((2, 1, 5), (-2, -1))]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, widths", CASES)
def test_pad_modes_match_torch_values_and_gradients(mode, shape, widths):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    t, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = F.pad(t, widths, mode), torch.nn.functional.pad(tx, widths, mode)
    assert out.shape == tuple(tout.shape)
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(t.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_pad_modes_gradients_agree_with_finite_differences(mode):
    x = Tensor(np.random.default_rng(1).normal(size=(2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda v: F.pad(v, (3, -1, 2, 2), mode=mode) ** 2, [x])
    assert gradgradcheck(lambda v: F.pad(v, (2, 1), mode=mode) ** 3, [x])


@pytest.mark.parametrize("mode", MODES)
def test_pad_modes_keep_float32_and_copy_the_input(mode):
    x = Tensor(np.arange(6, dtype=np.float32).reshape(1, 6))
    assert F.pad(x, (2, 2), mode).dtype == np.float32
    same = F.pad(x, (0, 0), mode, value=0.0)  # PyTorch accepts value 0 in these modes
    np.testing.assert_array_equal(same.data, x.data)
    assert not np.shares_memory(same.data, x.data)
    np.testing.assert_array_equal(F.pad(Tensor(np.ones((2, 0, 3))), (1, 1), mode).data,
                                  np.ones((2, 0, 5)))  # an empty batch axis stays empty


def test_pad_of_a_0d_tensor_with_no_widths_is_a_copy_as_torch():
    torch = pytest.importorskip("torch")
    x = Tensor(np.array(2.5), requires_grad=True)
    out = F.pad(x, ())
    assert out.shape == tuple(torch.nn.functional.pad(torch.tensor(2.5), ()).shape) == ()
    (out * 3).backward()
    assert out.data == 2.5 and x.grad.data == 3.0 and not np.shares_memory(out.data, x.data)
    with pytest.raises(ShapeError, match="1 .* pairs but the input has only 0 axes"):
        F.pad(x, (1, 1))


BAD = [  # (mode, shape, pad, error, message); PyTorch raises for each of them too
    ("reflect", (3, 4), (1, 1), ConfigError, r"mode='reflect' takes no value.*value=1.5"),
    ("reflect", (5,), (1, 1), ShapeError, r"2 ints for a 2-d or 3-d.*got 2 ints for a 1-d"),
    ("replicate", (2, 3, 4, 5), (1, 1), ShapeError, "got 2 ints for a 4-d input"),
    ("circular", (2, 3), (1, 1, 1, 1), ShapeError, "got 4 ints for a 2-d input"),
    ("reflect", (2, 3), (), ShapeError, "got 0 ints for a 2-d input"),
    ("reflect", (2, 3, 4, 5, 6, 7), (1,) * 8, ShapeError, "got 8 ints for a 6-d input"),
    ("reflect", (2, 4), (0, 4), ShapeError, r"widths smaller.*axis 1 \(size 4\) padded by "
                                            r"\(0, 4\) in \(0, 4\)"),
    ("reflect", (1, 2, 3), (1, 1, 2, 2), ShapeError, r"axis 1 \(size 2\) padded by \(2, 2\)"),
    ("replicate", (1, 0), (1, 1), ShapeError, "no edge to repeat on an empty axis"),
    ("circular", (1, 4), (5, 0), ShapeError, r"wraps around at most once.*cropping \(4\)"),
    ("circular", (1, 4), (-5, 0), ShapeError, "leave -1 entries; mode='circular' needs at "
                                              "least 0"),
    ("reflect", (1, 4), (-2, -2), ShapeError, "leave 0 entries; mode='reflect' needs at "
                                              "least 1"),
    ("replicate", (1, 4), (-5, 0), ShapeError, "leave -1 entries"),
]


@pytest.mark.parametrize("mode, shape, widths, error, message", BAD)
def test_pad_mode_errors_are_named(mode, shape, widths, error, message):
    value = 1.5 if "takes no value" in message else None
    with pytest.raises(error, match=message):
        F.pad(Tensor(np.ones(shape)), widths, mode, value)


@pytest.mark.parametrize("mode, shape, widths, error, message", BAD)
def test_torch_raises_for_the_same_pads(mode, shape, widths, error, message):
    torch = pytest.importorskip("torch")
    value = 1.5 if "takes no value" in message else None
    with pytest.raises((RuntimeError, NotImplementedError, ValueError)):
        torch.nn.functional.pad(torch.ones(shape), widths, mode, value)


def test_circular_pad_wider_than_the_cropped_axis_raises():
    # PyTorch checks the widths against the uncropped size only and then copies from
    # memory it has not written (garbage or an overlap error); here a named error.
    with pytest.raises(ShapeError, match=r"at most the size left after cropping \(2\)"):
        F.pad(Tensor(np.ones((1, 5))), (3, -3), "circular")
