"""nn.init.sparse_: PyTorch's layout (zeros per column), the normal's std, errors; and
kaiming_*'s mode, case-insensitive as PyTorch's."""
import math

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import AutogradError, DTypeError, GeneratorError
from nn.errors import ArgumentTypeError, ConfigError


@pytest.mark.parametrize("shape, sparsity", [
    ((10, 4), 0.3), ((30, 5), 0.1), ((7, 3), 0.0), ((7, 3), 1.0), ((1, 6), 0.5),
    ((9, 2), 0.31), ((0, 3), 0.5), ((4, 0), 0.5)])
def test_zeros_per_column_as_torch(shape, sparsity):
    """Each column has ceil(sparsity * rows) zeros, PyTorch's count (0.1 * 30 rounds up
    to 4 there too)."""
    torch = pytest.importorskip("torch")
    w = nn.Parameter(np.full(shape, 7.0))
    assert nn.init.sparse_(w, sparsity, rng=0) is w
    expected = (torch.nn.init.sparse_(torch.empty(shape), sparsity) == 0).sum(0)
    np.testing.assert_array_equal((w.data == 0).sum(0), expected.numpy())


def test_zero_rows_differ_between_columns_and_the_rest_is_normal():
    rows, cols, std = 400, 300, 0.05
    w = nn.init.sparse_(np.zeros((rows, cols), np.float32), 0.25, std=std, generator=1)
    assert w.dtype == np.float32
    zero = w == 0
    np.testing.assert_array_equal(zero.sum(0), math.ceil(0.25 * rows))
    assert len({column.tobytes() for column in zero.T}) == cols  # chosen per column
    kept = w[~zero].astype(np.float64)
    n = kept.size  # 90,000 draws: mean and std within 5 standard errors
    assert abs(kept.mean()) < 5 * std / math.sqrt(n)
    assert abs(kept.std() - std) < 5 * std / math.sqrt(2 * n)


def test_reproducible_from_a_seed_or_generator_and_counts_as_a_write():
    def draw(**rng):
        return nn.init.sparse_(np.zeros((6, 5)), 0.5, **rng)

    np.testing.assert_array_equal(draw(rng=3), draw(generator=np.random.default_rng(3)))
    np.testing.assert_array_equal(draw(generator=3), nn.init.sparse_(np.zeros((6, 5)), 0.5,
                                                                     0.01, 3))
    w = nn.Parameter(np.ones((3, 3)))
    y = (w * w).sum()
    nn.init.sparse_(w, 0.5)
    with pytest.raises(AutogradError, match="in place|modified|changed"):
        y.backward()


@pytest.mark.parametrize("call, error, match", [
    (lambda: nn.init.sparse_(np.zeros(3), 0.1), ConfigError, r"2-D weight.*\(3,\)"),
    (lambda: nn.init.sparse_(np.zeros((2, 2, 2)), 0.1), ConfigError, r"\(2, 2, 2\)"),
    (lambda: nn.init.sparse_(np.zeros((3, 3)), 1.5), ConfigError,
     r"sparsity must be a number in \[0, 1\]; got 1.5.*fraction"),
    (lambda: nn.init.sparse_(np.zeros((3, 3)), -0.1), ConfigError, "sparsity"),
    (lambda: nn.init.sparse_(np.zeros((3, 3)), "0.1"), ArgumentTypeError, "sparsity"),
    (lambda: nn.init.sparse_(np.zeros((3, 3)), 0.1, std=-1), ConfigError, "std"),
    (lambda: nn.init.sparse_(np.zeros((3, 3), int), 0.1), DTypeError, "int64"),
    (lambda: nn.init.sparse_(Tensor(np.zeros((3, 3))), 0.1, generator="g"),
     GeneratorError, "^generator must be a numpy.random.Generator"),
    (lambda: nn.init.sparse_(np.zeros((3, 3)), 0.1, rng=0, generator=0), ConfigError,
     "both rng= and generator="),
])
def test_bad_input_raises_named_errors(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert isinstance(info.value, AutogradError)


@pytest.mark.parametrize("mode", ["FAN_IN", "Fan_Out"])
def test_kaiming_mode_ignores_case_as_torch(mode):
    """PyTorch lower-cases ``mode``: "FAN_IN" is "fan_in"."""
    torch = pytest.importorskip("torch")
    shape = (200, 300)
    w = nn.init.kaiming_uniform_(np.zeros(shape), mode=mode, rng=0)
    expected = nn.init.kaiming_uniform_(np.zeros(shape), mode=mode.lower(), rng=0)
    np.testing.assert_array_equal(w, expected)
    torch_bound = torch.nn.init.kaiming_uniform_(torch.empty(shape), mode=mode).abs().max()
    assert abs(np.abs(w).max() - torch_bound.item()) < 1e-3 * torch_bound.item()
    with pytest.raises(ConfigError, match="got 'FAN_AVG'"):
        nn.init.kaiming_normal_(np.zeros(shape), mode="FAN_AVG")
    with pytest.raises(ConfigError, match="got None"):
        nn.init.kaiming_normal_(np.zeros(shape), mode=None)
