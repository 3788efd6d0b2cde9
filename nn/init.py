"""Weight initialisation, in place, with PyTorch's names and formulas.

Every function fills ``tensor.data`` in place (untracked; the array object and dtype are
kept), counts that as a write to the tensor (a backward through a graph that used the old
values raises ``InplaceError``, as PyTorch's does) and returns ``tensor``; plain NumPy
arrays work too. A read-only target (a ``state_dict()`` value, an ``expand`` that repeats
elements) is a ``UsageError``, as ``Tensor.fill_``'s. Random ones take
``rng: Generator | int | None`` (see ``nn._random``), so runs are reproducible; PyTorch's
keyword ``generator=`` is the same argument.

For a weight of shape (out, in, *kernel): fan_in = in * prod(kernel) and
fan_out = out * prod(kernel).

* Xavier/Glorot keeps the variance of activations and gradients balanced:
  Var(w) = gain^2 * 2 / (fan_in + fan_out).
* Kaiming/He keeps the forward (``mode="fan_in"``) or backward (``"fan_out"``)
  variance for ReLU-like layers: Var(w) = gain^2 / fan, gain = sqrt(2) for ReLU.
* Orthogonal (Saxe et al.) keeps every singular value at ``gain``.

A uniform U(-b, b) has variance b^2 / 3, so the uniform variants use b = sqrt(3) * std.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, TypeVar

import numpy as np

from autograd.errors import TensorIndexError, UsageError

from ._checks import caller_outside_nn, integer
from ._random import RNGLike, as_generator
from .errors import ConfigError
from .init_fill import fill as _fill, fill_value, float_array, init_number as _number
from .init_fill import below, check_uniform_range, tensor_array

__all__ = ["calculate_gain", "calculate_fans", "uniform_", "normal_", "trunc_normal_",
           "constant_", "zeros_", "ones_", "xavier_uniform_", "xavier_normal_",
           "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_", "eye_", "dirac_",
           "glorot_uniform_", "glorot_normal_", "he_uniform_", "he_normal_",
           # PyTorch's fan helpers, as custom reset_parameters call them
           "_calculate_fan_in_and_fan_out", "_calculate_correct_fan",
           # PyTorch's deprecated names (a FutureWarning names the new one)
           "uniform", "normal", "constant", "xavier_uniform", "xavier_normal",
           "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse", "eye", "dirac"]

T = TypeVar("T")

_LINEAR_GAIN = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                "conv_transpose2d", "conv_transpose3d", "sigmoid")
_NONLINEARITIES = _LINEAR_GAIN + ("tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The factor by which ``nonlinearity`` should scale the initial weights' std.

    linear, conv and sigmoid: 1; tanh: 5/3; relu: sqrt(2);
    leaky_relu with negative slope a (``param``, a number or a 0-d Tensor; None: 0.01):
    sqrt(2 / (1 + a^2)); selu: 3/4 (``param`` is used by leaky_relu only, as PyTorch).
    """
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else _number(
            "calculate_gain('leaky_relu', param)", "param", param,
            advice="param is the negative slope (None: 0.01).")
        return math.sqrt(2.0 / (1.0 + slope ** 2))
    if nonlinearity == "selu":
        return 0.75
    raise ConfigError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; choose one "
                      f"of {', '.join(_NONLINEARITIES)}")


def calculate_fans(tensor: Any) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shaped (out, in, *kernel) (of any dtype: only
    the shape counts)."""
    shape = tensor_array(tensor).shape
    if len(shape) < 2:
        raise ConfigError(f"fan_in and fan_out need a weight with at least 2 axes (out, in, "
                          f"...); got shape {shape}. Initialise biases with uniform_ or "
                          f"zeros_ instead.")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _rng(fn: str, rng: RNGLike, generator: RNGLike) -> np.random.Generator:
    """``rng``, or PyTorch's spelling ``generator`` of it (not both), as a Generator;
    an error names the argument the caller used."""
    if rng is not None and generator is not None:
        raise ConfigError(f"{fn}: got both rng= and generator= (two names for one "
                          "argument); pass one of them")
    if generator is None:
        return as_generator(rng, "rng")
    return as_generator(generator, "generator")


def uniform_(tensor: T, a: float = 0.0, b: float = 1.0, rng: RNGLike = None, *,
             generator: RNGLike = None) -> T:
    """Fill with samples of U(a, b): each in [a, b) after rounding to the tensor's dtype,
    as PyTorch's (a draw that rounds up to b becomes the largest value below it). a, b
    and b - a must be within the dtype's range."""
    a, b = _number("uniform_", "a", a), _number("uniform_", "b", b)
    rng = _rng("uniform_", rng, generator)
    data = float_array("uniform_", tensor)
    check_uniform_range("uniform_", a, b, data.dtype)
    return _fill(tensor, below(rng.uniform(a, b, size=data.shape), a, b, data.dtype),
                 "uniform_")


def normal_(tensor: T, mean: float = 0.0, std: float = 1.0, rng: RNGLike = None, *,
            generator: RNGLike = None) -> T:
    """Fill with samples of N(mean, std^2)."""
    mean, std = _number("normal_", "mean", mean), _number("normal_", "std", std, minimum=0)
    rng = _rng("normal_", rng, generator)
    shape = float_array("normal_", tensor).shape
    return _fill(tensor, rng.normal(mean, std, size=shape), "normal_")


_MIN_TRUNCATED_MASS = 1e-3  # below: rejection needs > 1000 draws per value


def trunc_normal_(tensor: T, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, rng: RNGLike = None, *, generator: RNGLike = None) -> T:
    """Fill with samples of N(mean, std^2) conditioned on [a, b] (``a`` and ``b`` are
    values, not multiples of std, as in PyTorch): draws outside [a, b] are drawn again.

    [a, b] must hold at least 0.1% of N(mean, std^2) (else ``ConfigError``: PyTorch
    samples there with a warning that the values may be wrong)."""
    mean, std = _number("trunc_normal_", "mean", mean), _number(
        "trunc_normal_", "std", std, minimum=0, open_min=True)
    a = _number("trunc_normal_", "a", a, finite=False)
    b = _number("trunc_normal_", "b", b, finite=False)
    rng = _rng("trunc_normal_", rng, generator)
    if not a < b:
        raise ConfigError(f"trunc_normal_: needs a < b; got a={a}, b={b}")
    low, high = (a - mean) / (std * math.sqrt(2.0)), (b - mean) / (std * math.sqrt(2.0))
    mass = (0.5 * (math.erfc(low) - math.erfc(high)) if low > 0
            else 0.5 * (math.erfc(-high) - math.erfc(-low)))  # each form exact in its tail
    if mass < _MIN_TRUNCATED_MASS:
        raise ConfigError(f"trunc_normal_: [a, b] = [{a}, {b}] holds only {mass:.2g} of "
                          f"N({mean}, {std}^2); move mean into [a, b] or widen it (a and b "
                          f"are values, not multiples of std)")
    shape = float_array("trunc_normal_", tensor).shape
    samples = rng.normal(mean, std, size=math.prod(shape))
    outside = np.flatnonzero((samples < a) | (samples > b))
    while outside.size:
        samples[outside] = rng.normal(mean, std, size=outside.size)
        outside = outside[(samples[outside] < a) | (samples[outside] > b)]
    return _fill(tensor, samples.reshape(shape), "trunc_normal_")


def constant_(tensor: T, value: float | None = None, *, val: float | None = None) -> T:
    """Fill with ``value`` (a number or a 0-d Tensor; inf and NaN too; PyTorch names it
    ``val``). An integer tensor takes only values it can hold exactly."""
    if (value is None) == (val is None):
        raise UsageError(f"constant_: pass the fill value once, as value= or PyTorch's val=; "
                         f"got value={value!r}, val={val!r}")
    value = val if value is None else value
    return _fill(tensor, fill_value(tensor, value), "constant_")


def zeros_(tensor: T) -> T:
    """Fill with 0."""
    return _fill(tensor, 0, "zeros_")


def ones_(tensor: T) -> T:
    """Fill with 1."""
    return _fill(tensor, 1, "ones_")


def _xavier_std(fn: str, tensor: Any, gain: float) -> float:
    float_array(fn, tensor)
    fan_in, fan_out = calculate_fans(tensor)
    return _number(fn, "gain", gain) * math.sqrt(2.0 / max(fan_in + fan_out, 1))


def xavier_uniform_(tensor: T, gain: float = 1.0, rng: RNGLike = None, *,
                    generator: RNGLike = None) -> T:
    """Glorot & Bengio (2010): U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)),
    so that Var(w) = gain^2 * 2 / (fan_in + fan_out)."""
    bound = math.sqrt(3.0) * _xavier_std("xavier_uniform_", tensor, gain)
    return uniform_(tensor, -bound, bound, _rng("xavier_uniform_", rng, generator))


def xavier_normal_(tensor: T, gain: float = 1.0, rng: RNGLike = None, *,
                   generator: RNGLike = None) -> T:
    """Glorot & Bengio (2010): N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    std = _xavier_std("xavier_normal_", tensor, gain)
    return normal_(tensor, 0.0, std, _rng("xavier_normal_", rng, generator))


def _calculate_correct_fan(tensor: Any, mode: str) -> int:
    """PyTorch's helper of that name: ``calculate_fans(tensor)``'s fan_in or fan_out, by
    ``mode`` (any case)."""
    given, mode = mode, mode.lower() if isinstance(mode, str) else mode  # as PyTorch
    if mode not in ("fan_in", "fan_out"):
        raise ConfigError(f"kaiming init: mode must be 'fan_in' (keeps the forward "
                          f"variance) or 'fan_out' (keeps the backward variance); got "
                          f"{given!r}")
    fan_in, fan_out = calculate_fans(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _kaiming_std(fn: str, tensor: Any, a: float | None, mode: str,
                 nonlinearity: str) -> float:
    """gain / sqrt(fan); ``a`` None is the leaky-ReLU slope 0.01, as PyTorch."""
    a = None if a is None else _number(fn, "a", a)
    float_array(fn, tensor)
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(max(fan, 1))


def kaiming_uniform_(tensor: T, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", rng: RNGLike = None, *,
                     generator: RNGLike = None) -> T:
    """He et al. (2015): U(-b, b) with b = gain * sqrt(3 / fan); gain from
    ``calculate_gain(nonlinearity, a)`` (``a`` is the leaky-ReLU slope), fan from
    ``mode``. Var(w) = gain^2 / fan (2 / fan_in for ReLU). ``a=None``: slope 0.01."""
    bound = math.sqrt(3.0) * _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, _rng("kaiming_uniform_", rng, generator))


def kaiming_normal_(tensor: T, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", rng: RNGLike = None, *,
                    generator: RNGLike = None) -> T:
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan)."""
    std = _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    return normal_(tensor, 0.0, std, _rng("kaiming_normal_", rng, generator))


def orthogonal_(tensor: T, gain: float = 1.0, rng: RNGLike = None, *,
                generator: RNGLike = None) -> T:
    """Saxe et al. (2013): a (semi-)orthogonal matrix times ``gain``. The tensor is seen
    as a (rows, cols) matrix W, rows = shape[0] (the other axes flattened), filled from
    the QR decomposition of a standard normal matrix (signs fixed so the result is
    uniformly distributed): W W^T = gain^2 I if rows <= cols, else W^T W = gain^2 I."""
    gain = _number("orthogonal_", "gain", gain)
    rng = _rng("orthogonal_", rng, generator)
    shape = float_array("orthogonal_", tensor).shape
    if len(shape) < 2:
        raise ConfigError(f"orthogonal_: needs a tensor with at least 2 axes (rows, ...); "
                          f"got shape {shape}")
    if math.prod(shape) == 0:
        return tensor  # nothing to fill, as PyTorch
    rows, cols = shape[0], math.prod(shape[1:])
    normal = rng.standard_normal((rows, cols))
    q, r = np.linalg.qr(normal if rows >= cols else normal.T)  # q: orthonormal columns
    q = q * np.sign(np.diag(r))  # makes the decomposition unique, the result uniform
    matrix = q if rows >= cols else q.T
    return _fill(tensor, gain * matrix.reshape(shape), "orthogonal_")


def sparse_(tensor: T, sparsity: float, std: float = 0.01, rng: RNGLike = None, *,
            generator: RNGLike = None) -> T:
    """Martens (2010): a 2-D weight (rows, cols) drawn from N(0, std^2), then in each
    column ceil(sparsity * rows) entries, at rows chosen at random, set to 0 (as
    PyTorch's ``sparse_``; ``sparsity`` is the fraction of zeros, in [0, 1])."""
    sparsity = _number("sparse_", "sparsity", sparsity, minimum=0, maximum=1,
                       advice="It is the fraction of each column set to zero.")
    std = _number("sparse_", "std", std, minimum=0)
    rng = _rng("sparse_", rng, generator)
    shape = float_array("sparse_", tensor).shape
    if len(shape) != 2:
        raise ConfigError(f"sparse_: needs a 2-D weight (rows, cols), as PyTorch's; got "
                          f"shape {shape}. Reshape it to 2-D or use another init")
    rows, cols = shape
    values = rng.normal(0.0, std, size=shape)
    zeros_per_column = math.ceil(sparsity * rows)
    # each column an independent random order of the rows; its first ones become 0
    row_order = rng.permuted(np.repeat(np.arange(rows)[:, None], cols, axis=1), axis=0)
    values[row_order[:zeros_per_column], np.arange(cols)] = 0.0
    return _fill(tensor, values, "sparse_")


def eye_(tensor: T) -> T:
    """Fill a 2-D weight (out, in) with the identity: w[i, i] = 1, 0 elsewhere (a
    ``Linear`` then passes its first min(out, in) inputs through unchanged)."""
    shape = tensor_array(tensor).shape
    if len(shape) != 2:
        raise ConfigError(f"eye_: needs a 2-D weight (out, in); got shape {shape}. For a "
                          f"convolution's weight (3 to 5 axes) use dirac_")
    return _fill(tensor, np.eye(*shape), "eye_")


def dirac_(tensor: T, groups: int = 1) -> T:
    """Fill a convolution's weight (out, in, *kernel), 3 to 5 axes, with Dirac deltas, so
    that the convolution passes its inputs through: in each of the ``groups`` groups of
    n = out // groups output channels, channel g * n + d has a 1 at input channel d and
    the kernel's centre (size // 2 on each axis) for d < min(n, in); 0 elsewhere."""
    shape = tensor_array(tensor).shape
    if len(shape) not in (3, 4, 5):
        raise ConfigError(f"dirac_: needs a convolution's weight with 3, 4 or 5 axes (out, "
                          f"in, *kernel); got shape {shape}. For a 2-D weight use eye_")
    groups = integer("dirac_", "groups", groups, minimum=1)
    if shape[0] % groups:
        raise ConfigError(f"dirac_: the {shape[0]} output channels (axis 0) must divide "
                          f"into groups={groups} equal groups")
    per_group = shape[0] // groups
    if min(per_group, shape[1]) and 0 in shape[2:]:  # deltas to place, no centre
        raise TensorIndexError(f"dirac_: the kernel of shape {shape[2:]} has an axis of "
                               f"size 0, so it has no centre for the deltas (PyTorch "
                               f"raises IndexError too); give every kernel axis size >= 1")
    centre = tuple(size // 2 for size in shape[2:])
    values = np.zeros(shape)
    for g in range(groups):
        for d in range(min(per_group, shape[1])):
            values[(g * per_group + d, d) + centre] = 1.0
    return _fill(tensor, values, "dirac_")


# PyTorch's private-looking names, which layers' reset_parameters copied from PyTorch call
_calculate_fan_in_and_fan_out = calculate_fans

glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_


def _deprecated(new: Any) -> Any:
    """PyTorch's old name of ``new`` without the underscore: ``new`` with its
    FutureWarning."""
    old = new.__name__[:-1]

    def init(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(f"`nn.init.{old}` is now deprecated in favor of `nn.init.{new.__name__}`.",
                      FutureWarning, stacklevel=caller_outside_nn())
        return new(*args, **kwargs)

    init.__name__ = init.__qualname__ = old
    init.__doc__ = f"Deprecated (as in PyTorch): ``{new.__name__}``, with a FutureWarning."
    return init


uniform, normal, constant = _deprecated(uniform_), _deprecated(normal_), _deprecated(constant_)
xavier_uniform, xavier_normal = _deprecated(xavier_uniform_), _deprecated(xavier_normal_)
kaiming_uniform, kaiming_normal = _deprecated(kaiming_uniform_), _deprecated(kaiming_normal_)
orthogonal, sparse = _deprecated(orthogonal_), _deprecated(sparse_)
eye, dirac = _deprecated(eye_), _deprecated(dirac_)
