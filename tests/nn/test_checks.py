"""nn._checks: one rule for numeric hyper-parameters. A wrong type is an
ArgumentTypeError (TypeError), a number out of range a ConfigError (ValueError)."""
import math
from fractions import Fraction

import numpy as np
import pytest

from autograd import Tensor
from nn._checks import flag, integer, is_integer, is_real, real_number
from nn.errors import ArgumentTypeError, ConfigError

WRONG_TYPES = ["0.1", None, True, False, np.bool_(True), Tensor(0.5), np.array(0.5),
               np.array([0.5]), [0.5], 1 + 0j]


@pytest.mark.parametrize("value", [0, 3, 0.5, -2.5, np.float32(0.5), np.float16(1),
                                   np.int64(3), np.uint8(2), Fraction(1, 3), math.inf])
def test_is_real_accepts_numbers(value):
    assert is_real(value)


@pytest.mark.parametrize("value", WRONG_TYPES)
def test_is_real_refuses_other_types(value):
    assert not is_real(value)


@pytest.mark.parametrize("value", [0, -3, np.int64(3), np.int8(-1)])
def test_is_integer_accepts_ints(value):
    assert is_integer(value)


@pytest.mark.parametrize("value", [*WRONG_TYPES, 3.0, np.float64(3.0), Fraction(3, 1)])
def test_is_integer_refuses_other_types(value):
    assert not is_integer(value)


@pytest.mark.parametrize("value", [0.5, 2, np.float32(0.25), np.int64(4), Fraction(1, 2)])
def test_real_number_returns_a_python_float(value):
    result = real_number("Owner", "lr", value)
    assert type(result) is float and result == float(value)


@pytest.mark.parametrize("value", WRONG_TYPES)
def test_real_number_wrong_type_is_an_argument_type_error(value):
    with pytest.raises(ArgumentTypeError, match=r"^Owner: lr must be a finite number; got ") \
            as info:
        real_number("Owner", "lr", value)
    assert isinstance(info.value, TypeError)
    assert f"({type(value).__name__})" in str(info.value)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, np.float32("nan"), 10 ** 400])
def test_real_number_non_finite_is_a_config_error(value):
    with pytest.raises(ConfigError, match="lr must be a finite number; got") as info:
        real_number("Owner", "lr", value)
    assert isinstance(info.value, ValueError)


def test_real_number_finite_false_lets_inf_and_nan_through_without_bounds():
    assert real_number("O", "value", math.inf, finite=False) == math.inf
    assert math.isnan(real_number("O", "value", math.nan, finite=False))
    assert real_number("O", "max_norm", math.inf, minimum=0, finite=False) == math.inf
    with pytest.raises(ConfigError, match=r"max_norm must be a number >= 0; got nan"):
        real_number("O", "max_norm", math.nan, minimum=0, finite=False)


@pytest.mark.parametrize("kwargs, good, bad, what", [
    (dict(minimum=0), 0, -1e-9, "a finite number >= 0"),
    (dict(minimum=0, open_min=True), 1e-9, 0, "a finite number > 0"),
    (dict(maximum=1), 1, 1.5, "a finite number <= 1"),
    (dict(maximum=1, open_max=True), 0.999, 1, "a finite number < 1"),
    (dict(minimum=0, maximum=1), 1, 1.01, r"a number in \[0, 1\]"),
    (dict(minimum=0, maximum=1, open_max=True), 0, 1, r"a number in \[0, 1\)"),
    (dict(minimum=0, maximum=1, open_min=True), 1, 0, r"a number in \(0, 1\]"),
    (dict(minimum=1e-8), 1e-8, 0, "a finite number >= 1e-08"),
])
def test_real_number_ranges(kwargs, good, bad, what):
    assert real_number("Owner", "p", good, **kwargs) == good
    with pytest.raises(ConfigError, match=rf"^Owner: p must be {what}; got {bad!r}\.$"):
        real_number("Owner", "p", bad, **kwargs)
    with pytest.raises(ArgumentTypeError, match=rf"^Owner: p must be {what}; got 'x' \(str\)"):
        real_number("Owner", "p", "x", **kwargs)


def test_real_number_appends_advice_to_both_errors():
    for value, error in (("a", ArgumentTypeError), (-1, ConfigError)):
        with pytest.raises(error, match=r"got .*\. Try 0\.1\.$"):
            real_number("O", "lr", value, minimum=0, advice="Try 0.1.")


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint16(3)])
def test_integer_returns_a_python_int(value):
    result = integer("Owner", "step_size", value, minimum=1)
    assert type(result) is int and result == 3


@pytest.mark.parametrize("value", [*WRONG_TYPES, 2.5, Fraction(3, 1)])
def test_integer_wrong_type_is_an_argument_type_error(value):
    with pytest.raises(ArgumentTypeError, match=r"^Owner: step_size must be an int >= 1; got "):
        integer("Owner", "step_size", value, minimum=1)


@pytest.mark.parametrize("value", [3.0, np.float32(3.0)])
def test_integer_whole_float_says_which_int_to_pass(value):
    with pytest.raises(ArgumentTypeError, match=r"Pass an int, e\.g\. step_size=3\.$"):
        integer("Owner", "step_size", value, minimum=1)


def test_integer_ranges():
    assert integer("O", "n", 0) == 0 and integer("O", "n", -5) == -5
    assert integer("O", "n", 4, minimum=0, maximum=4) == 4
    with pytest.raises(ConfigError, match=r"^O: n must be an int >= 1; got 0\.$"):
        integer("O", "n", 0, minimum=1)
    with pytest.raises(ConfigError, match=r"^O: n must be an int in \[0, 4\]; got 5\.$"):
        integer("O", "n", 5, minimum=0, maximum=4)
    with pytest.raises(ConfigError, match=r"^O: n must be an int <= 4; got np\.int64\(5\)\."):
        integer("O", "n", np.int64(5), maximum=4)
    with pytest.raises(ConfigError, match=r"got -1\. See the docs\.$"):
        integer("O", "n", -1, minimum=0, advice="See the docs.")


def test_flag():
    assert flag("O", "nesterov", True) is True and flag("O", "nesterov", False) is False
    assert flag("O", "nesterov", np.bool_(True)) is True
    for value in (1, 0, "yes", None, 0.0, np.array(True)):
        with pytest.raises(ArgumentTypeError, match=r"^O: nesterov must be True or False; "):
            flag("O", "nesterov", value)
    with pytest.raises(ArgumentTypeError, match=r"\(int\)\. By keyword\.$"):
        flag("O", "nesterov", 1, advice="By keyword.")


def test_an_int_in_a_flags_place_says_what_pytorch_reads_and_what_to_write():
    """NVIDIA's Tacotron 2 writes ``nn.LSTMCell(n_in, n_hidden, 1)``: PyTorch reads the 1
    as ``bias=True``; the refusal here names that spelling."""
    torch = pytest.importorskip("torch")
    assert torch.nn.LSTMCell(3, 4, 1).bias  # PyTorch takes it
    from nn import LSTMCell
    with pytest.raises(ArgumentTypeError, match=r"bias must be True or False; got 1 \(int\)"
                       r"\. PyTorch reads 1 as True; write bias=True"):
        LSTMCell(3, 4, 1)
    with pytest.raises(ArgumentTypeError, match=r"write nesterov=False"):
        flag("O", "nesterov", 0)
    with pytest.raises(ArgumentTypeError, match=r"got 2 \(int\)\.$"):
        flag("O", "nesterov", 2)
