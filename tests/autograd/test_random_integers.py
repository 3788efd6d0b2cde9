"""``randint``, ``randint_like``, ``randperm``, ``rand_like`` and ``randn_like``: the
frequencies a correct sampler gives, PyTorch's call forms, shapes and dtypes, and every
refusal PyTorch makes, named."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, GeneratorError, ShapeError, UsageError


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_randint_is_uniform_over_low_to_high_excluded() -> None:
    drawn = ag.randint(2, 7, (30000,), generator=rng()).numpy()
    assert drawn.min() == 2 and drawn.max() == 6
    np.testing.assert_allclose(np.bincount(drawn - 2) / drawn.size, [0.2] * 5, atol=0.015)


def test_randperm_is_a_uniform_permutation() -> None:
    generator = rng()
    firsts = [int(ag.randperm(5, generator=generator)[0]) for _ in range(3000)]
    np.testing.assert_allclose(np.bincount(firsts) / 3000, [0.2] * 5, atol=0.03)
    np.testing.assert_array_equal(np.sort(ag.randperm(50, generator=generator).numpy()),
                                  np.arange(50))


def test_bool_and_like_forms_cover_their_range() -> None:
    assert set(ag.randint(2, (200,), dtype=np.bool_, generator=rng()).numpy()) == {0, 1}
    drawn = ag.randint_like(ag.zeros(400, dtype=np.float32), -2, 2, generator=rng())
    assert drawn.dtype == np.float32 and set(drawn.numpy()) == {-2, -1, 0, 1}


def test_rand_like_and_randn_like_draw_their_distributions() -> None:
    uniform = ag.rand_like(ag.zeros(20000, dtype=np.float32), generator=rng()).numpy()
    assert uniform.dtype == np.float32 and 0 <= uniform.min() and uniform.max() < 1
    assert abs(uniform.mean() - 0.5) < 0.01 and abs(uniform.var() - 1 / 12) < 0.005
    normal = ag.randn_like(np.zeros((200, 100)), generator=rng()).numpy()
    assert normal.dtype == np.float64 and normal.shape == (200, 100)
    assert abs(normal.mean()) < 0.03 and abs(normal.std() - 1) < 0.03


def test_a_seeded_generator_reproduces() -> None:
    for make in (lambda g: ag.randint(0, 100, (5,), generator=g),
                 lambda g: ag.randperm(8, generator=g),
                 lambda g: ag.randint_like(ag.zeros(4), 9, generator=g),
                 lambda g: ag.rand_like(ag.zeros(4), generator=g),
                 lambda g: ag.randn_like(ag.zeros(4), generator=g)):
        np.testing.assert_array_equal(make(rng(3)).numpy(), make(rng(3)).numpy())
        assert make(None).shape == make(rng()).shape  # None: a fresh generator


def test_requires_grad_makes_a_floating_leaf() -> None:
    x = ag.randn_like(ag.zeros(3), requires_grad=True)
    assert x.requires_grad and x.is_leaf
    assert ag.randint(5, (2,), dtype=np.float64, requires_grad=True).requires_grad
    with pytest.raises(DTypeError):
        ag.randint(5, (2,), requires_grad=True)


CALLS = [  # (our call, torch's call), given the module and a zeros-like input
    (lambda m, z: m.randint(5, (3,)), None),
    (lambda m, z: m.randint(2, 5, (2, 3)), None),
    (lambda m, z: m.randint(5, size=(3,)), None),
    (lambda m, z: m.randint(high=5, size=[2, 2]), None),
    (lambda m, z: m.randint(low=-3, high=5, size=()), None),
    (lambda m, z: m.randperm(6), None),
    (lambda m, z: m.randperm(0), None),
    (lambda m, z: m.randint_like(z, 5), None),
    (lambda m, z: m.randint_like(z, 1, 5), None),
    (lambda m, z: m.rand_like(z), None),
    (lambda m, z: m.randn_like(z), None),
]
DTYPES = [("uint8", np.uint8), ("bool", np.bool_), ("float32", np.float32),
          ("int32", np.int32)]


@pytest.mark.parametrize("call", [c for c, _ in CALLS])
def test_shapes_and_dtypes_as_torch(call) -> None:
    torch = pytest.importorskip("torch")
    ours = call(ag, ag.zeros(2, 3, dtype=np.float32))
    theirs = call(torch, torch.zeros(2, 3))
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


@pytest.mark.parametrize("name, dtype", DTYPES)
def test_dtype_arguments_as_torch(name, dtype) -> None:
    torch = pytest.importorskip("torch")
    ours = ag.randint(0, 2, (3,), dtype=dtype)
    theirs = torch.randint(0, 2, (3,), dtype=getattr(torch, name))
    assert ours.dtype == dtype and str(theirs.dtype) == f"torch.{name}"
    assert ag.randperm(4, dtype=dtype if name != "bool" else np.int16).shape == (4,)


BAD = [  # call (given the module and a zeros-like tensor), our error, message
    (lambda m, z: m.randint(5, 5, (3,)), UsageError, "low must be less than high"),
    (lambda m, z: m.randint(0, (3,)), UsageError, "low=0, high=0"),
    (lambda m, z: m.randint(2.5, (3,)), UsageError, "high must be an int"),
    (lambda m, z: m.randint(5, 3), UsageError, "size must be a tuple"),
    (lambda m, z: m.randint(5, (-1,)), ShapeError, "sizes must be >= 0"),
    (lambda m, z: m.randint(-1, 300, (2,), dtype=m.uint8), DTypeError, "does not fit a uint8"),
    (lambda m, z: m.randint(0, 3, (2,), dtype=m.bool), DTypeError, "does not fit a bool"),
    (lambda m, z: m.randint(0, 2 ** 20, (2,), dtype=m.float16), DTypeError, "float16"),
    (lambda m, z: m.randint_like(z, 5, 5), UsageError, "low=5, high=5"),
    (lambda m, z: m.randint_like(z.to(m.uint8), 300), DTypeError, "does not fit a uint8"),
    (lambda m, z: m.randperm(-1), ShapeError, "sizes must be >= 0"),
    (lambda m, z: m.randperm(4.0), UsageError, "n must be an int"),
    (lambda m, z: m.randperm(True), UsageError, "n must be an int"),
    (lambda m, z: m.randperm(300, dtype=m.uint8), DTypeError, "does not fit a uint8"),
    (lambda m, z: m.rand_like(z.to(m.int64)), DTypeError, "rand_like: the dtype must be"),
    (lambda m, z: m.randn_like(z.to(m.int32)), DTypeError, "randn_like: the dtype must be"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_is_named(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(np_module, ag.zeros(3, dtype=np.float32))


@pytest.mark.parametrize("call, error, message", BAD)
def test_torch_refuses_the_same_input(call, error, message) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises((RuntimeError, TypeError, NotImplementedError)):
        call(torch, torch.zeros(3))


class _Module:
    """``autograd`` with NumPy's dtypes under torch's names, so one lambda calls both."""
    uint8, bool, float16, int64, int32 = np.uint8, np.bool_, np.float16, np.int64, np.int32

    def __getattr__(self, name: str):
        return getattr(ag, name)


np_module = _Module()


def test_floats_hold_integers_exactly_only_up_to_2_to_the_digits() -> None:
    """PyTorch only warns for a float32 range beyond 2**24 (its draws then round onto each
    other); here it is refused, as float16's beyond 2**11 (PyTorch refuses randperm)."""
    with pytest.raises(DTypeError, match=r"\[-16777216, 16777216\] exactly"):
        ag.randint(0, 2 ** 25, (2,), dtype=np.float32)
    with pytest.raises(DTypeError, match="float16"):
        ag.randperm(3000, dtype=np.float16)
    assert ag.randint(0, 2 ** 24 + 1, (2,), dtype=np.float32).dtype == np.float32


def test_a_generator_that_is_not_numpys_is_named() -> None:
    for call in (lambda: ag.randint(5, (2,), generator=1), lambda: ag.randperm(3, generator=1),
                 lambda: ag.randint_like(ag.zeros(2), 3, generator=1),
                 lambda: ag.rand_like(ag.zeros(2), generator=1),
                 lambda: ag.randn_like(ag.zeros(2), generator=1)):
        with pytest.raises(GeneratorError, match="generator must be a numpy.random.Generator"):
            call()


@pytest.mark.parametrize("call", [lambda m: m.randperm(m.tensor(5)),
                                  lambda m: m.randint(m.tensor(2), m.tensor(7), (4,)),
                                  lambda m: m.multinomial(m.ones(5), m.tensor(2))])
def test_a_0d_integer_tensor_counts_as_an_int_as_in_torch(torch, call) -> None:
    """PyTorch takes a 0-d integer tensor where a count is expected (``torch.randperm(
    self.numel_per_class[i])`` in the prototypical networks' batch sampler)."""
    assert call(ag).shape == tuple(call(torch).shape)


def test_a_0d_float_tensor_is_not_a_count() -> None:
    with pytest.raises(UsageError, match="n must be an int"):
        ag.randperm(ag.tensor(5.0))
