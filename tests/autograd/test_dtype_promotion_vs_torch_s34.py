"""Result dtypes and values where operands of different dtypes meet, against PyTorch
(session 34): ``lerp`` with an integer weight (``1 - weight`` wrapped in uint8), ``clamp``
with a wider dimensioned bound (rounded to x's dtype unless the bound required grad),
``Pow``'s exponent gradient (``log(a)`` in the base's narrower dtype), a signed int result
into a uint8 tensor (``clamp_``, ``out=``, ``can_cast``), ``addbmm`` of int32, ordering
against a complex number, and ``set_default_dtype`` of what is no float dtype."""

import numpy as np
import pytest

import autograd as ag

FLOATS = ["float16", "float32", "float64"]
INTS = [("int8", "uint8"), ("int16", "uint8"), ("int32", "uint8"), ("int64", "uint8")]


def _torch_dtype(torch, name):
    return getattr(torch, np.dtype(name).name)


def _name(torch_dtype):
    return str(torch_dtype).replace("torch.", "")


# ------------------------------------------------------------------ lerp


@pytest.mark.parametrize("weight_dtype", ["uint8", "int32", "int64", "bool"])
@pytest.mark.parametrize("self_dtype", ["float32", "float64"])
def test_lerp_with_a_0d_integer_weight_matches_pytorch(torch, self_dtype, weight_dtype):
    start, end = np.array([1., 2., 3.], self_dtype), np.array([5., 6., 7.], self_dtype)
    weight = np.array(2 if weight_dtype != "bool" else True, weight_dtype)
    expected = torch.lerp(torch.tensor(start), torch.tensor(end), torch.tensor(weight))
    for result in (ag.tensor(start).lerp(ag.tensor(end), ag.tensor(weight)),
                   ag.tensor(start).lerp_(ag.tensor(end), ag.tensor(weight))):
        assert str(result.dtype) == _name(expected.dtype)
        np.testing.assert_array_equal(result.numpy(), expected.numpy())


def test_lerp_with_a_dimensioned_uint8_weight_is_computed_in_float():
    start, end = np.array([1., 2., 3.], np.float32), np.array([5., 6., 7.], np.float32)
    weight = np.array([2, 0, 1], np.uint8)
    result = ag.tensor(start).lerp(ag.tensor(end), ag.tensor(weight))
    exact = start + weight.astype(np.float64) * (end - start)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result.numpy(), exact.astype(np.float32))


# ------------------------------------------------------------------ clamp


def _clamp_cases():
    for x_dtype in FLOATS:
        for bound_dtype in FLOATS:
            for bound_ndim in (0, 1):
                for requires_grad in (False, True):
                    yield x_dtype, bound_dtype, bound_ndim, requires_grad


@pytest.mark.parametrize("x_dtype, bound_dtype, bound_ndim, requires_grad",
                         list(_clamp_cases()))
@pytest.mark.parametrize("which", ["min", "max", "both"])
def test_clamp_float_bounds_give_pytorchs_dtype_and_values(torch, x_dtype, bound_dtype,
                                                           bound_ndim, requires_grad, which):
    x = np.array([0.1, 0.5, 0.9], x_dtype)
    bound = np.full(3 if bound_ndim else (), 0.3337, bound_dtype)
    values = {"min": bound} if which == "min" else (
        {"max": bound} if which == "max" else {"min": bound, "max": bound + 0.25})

    theirs = {k: torch.tensor(v, requires_grad=requires_grad) for k, v in values.items()}
    ours = {k: ag.tensor(v, requires_grad=requires_grad) for k, v in values.items()}
    expected = torch.tensor(x).clamp(**theirs)
    for result in (ag.tensor(x).clamp(**ours), ag.tensor(x).clip(**ours)):
        assert str(result.dtype) == _name(expected.dtype)
        np.testing.assert_array_equal(result.detach().numpy(), expected.detach().numpy())
    if which == "min":
        result = ag.clamp_min(ag.tensor(x), ours["min"])
        assert str(result.dtype) == _name(expected.dtype)
    if requires_grad:
        g = np.linspace(1., 2., 3)
        (result_with_grad := ag.tensor(x).clamp(**ours)).backward(
            ag.tensor(g.astype(result_with_grad.dtype)))
        expected.backward(torch.tensor(g, dtype=expected.dtype))
        for key in values:
            assert ours[key].grad.dtype == ours[key].dtype
            np.testing.assert_allclose(ours[key].grad.numpy(), theirs[key].grad.numpy())


# ------------------------------------------------------------------ Pow's exponent gradient


@pytest.mark.parametrize("base_dtype, exponent_dtype", [("float16", "float32"),
                                                         ("float32", "float64"),
                                                         ("float16", "float64")])
def test_pow_exponent_gradient_has_the_result_dtypes_precision(torch, base_dtype,
                                                               exponent_dtype):
    a = np.array([1.3, 2.7, 3.1, 0.0], base_dtype)
    b = np.array([2.2, 1.1, 3.3, 2.0], exponent_dtype)
    exponent = ag.tensor(b, requires_grad=True)
    (ours,) = ag.grad((ag.tensor(a) ** exponent).sum(), [exponent])
    torch_exponent = torch.tensor(b, requires_grad=True)
    (theirs,) = torch.autograd.grad((torch.tensor(a) ** torch_exponent).sum(),
                                    [torch_exponent])
    wide_a, wide_b = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(wide_a == 0, 0.0, wide_a ** wide_b * np.log(wide_a))
    assert ours.dtype == np.dtype(exponent_dtype)
    tolerance = 4 * np.finfo(exponent_dtype).eps
    np.testing.assert_allclose(ours.numpy(), exact, rtol=tolerance)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tolerance)


def test_pow_second_derivative_through_the_cast_base_matches_pytorch(torch):
    a, b = np.array([1.3, 2.7], np.float16), np.array([2.2, 1.1], np.float32)
    base, exponent = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    (gb,) = ag.grad((base ** exponent).sum(), [exponent], create_graph=True)
    ours = ag.grad(gb.sum(), [base, exponent])
    torch_base = torch.tensor(a, requires_grad=True)
    torch_exponent = torch.tensor(b, requires_grad=True)
    (tgb,) = torch.autograd.grad((torch_base ** torch_exponent).sum(), [torch_exponent],
                                 create_graph=True)
    theirs = torch.autograd.grad(tgb.sum(), [torch_base, torch_exponent])
    for o, t in zip(ours, theirs):
        assert str(o.dtype) == _name(t.dtype)
        np.testing.assert_allclose(o.numpy().astype(np.float64),
                                   t.numpy().astype(np.float64), rtol=2e-3)


# ------------------------------------------------------------------ a signed int into uint8


@pytest.mark.parametrize("method", ["clamp_", "clamp_min_", "clamp_max_"])
@pytest.mark.parametrize("bound_dtype", ["int32", "int64"])
def test_inplace_clamps_of_uint8_with_signed_bounds_match_pytorch(torch, method,
                                                                   bound_dtype):
    image = np.array([10, 200, 250], np.uint8)
    low, high = np.full(3, 20, bound_dtype), np.full(3, 100, bound_dtype)
    arguments = {"clamp_": (low, high), "clamp_min_": (low,), "clamp_max_": (high,)}[method]
    ours = ag.tensor(image)
    assert getattr(ours, method)(*map(ag.tensor, arguments)) is ours
    theirs = getattr(torch.tensor(image), method)(*map(torch.tensor, arguments))
    assert ours.dtype == np.uint8
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_inplace_clamp_of_uint8_wraps_a_bound_beyond_it_as_pytorch(torch):
    image = np.array([10, 200, 250], np.uint8)
    bound = np.full(3, 300, np.int64)
    ours = ag.tensor(image).clamp_(ag.tensor(bound))
    theirs = torch.tensor(image).clamp_(torch.tensor(bound))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_inplace_clamp_of_an_int_tensor_with_a_float_bound_is_still_refused(torch):
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).clamp_(torch.tensor([1.5, 1.5]))
    with pytest.raises(ag.errors.DTypeError, match="int64"):
        ag.tensor([1, 2]).clamp_(ag.tensor([1.5, 1.5]))


@pytest.mark.parametrize("source, target", INTS + [("int32", "int8"), ("float64", "float16")])
def test_out_takes_a_cast_within_a_kind_as_pytorch(torch, source, target):
    a = np.array([1, 2, -3], source)
    out = ag.zeros(3, dtype=target)
    torch_out = torch.zeros(3, dtype=_torch_dtype(torch, target))
    assert ag.add(ag.tensor(a), ag.tensor(a), out=out) is out
    torch.add(torch.tensor(a), torch.tensor(a), out=torch_out)
    assert out.dtype == np.dtype(target)
    np.testing.assert_array_equal(out.numpy(), torch_out.numpy())


@pytest.mark.parametrize("source, target", [("float64", "int64"), ("int32", "bool")])
def test_out_refuses_what_pytorch_refuses_with_a_true_message(torch, source, target):
    a = np.array([1, 2, 3], source)
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.add(torch.tensor(a), torch.tensor(a),
                  out=torch.zeros(3, dtype=_torch_dtype(torch, target)))
    with pytest.raises(ag.errors.DTypeError, match="cannot be cast") as caught:
        ag.add(ag.tensor(a), ag.tensor(a), out=ag.zeros(3, dtype=target))
    assert "(as in PyTorch)" not in str(caught.value)


def test_can_cast_matches_pytorch_for_every_pair(torch):
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
             "float64"]
    for source in names:
        for target in names:
            expected = torch.can_cast(_torch_dtype(torch, source), _torch_dtype(torch, target))
            assert ag.can_cast(np.dtype(source), np.dtype(target)) == expected, (source, target)


# ------------------------------------------------------------------ addbmm


@pytest.mark.parametrize("dtype", ["int32", "uint8", "int16", "float32"])
def test_addbmm_keeps_the_inputs_dtype_as_pytorch(torch, dtype):
    rng = np.random.default_rng(0)
    start = rng.integers(0, 5, (2, 3)).astype(dtype)
    batch1 = rng.integers(0, 9, (4, 2, 5)).astype(dtype)
    batch2 = rng.integers(0, 9, (4, 5, 3)).astype(dtype)
    ours = ag.addbmm(ag.tensor(start), ag.tensor(batch1), ag.tensor(batch2))
    method = ag.tensor(start).addbmm(ag.tensor(batch1), ag.tensor(batch2))
    theirs = torch.addbmm(torch.tensor(start), torch.tensor(batch1), torch.tensor(batch2))
    for result in (ours, method):
        assert str(result.dtype) == _name(theirs.dtype)
        np.testing.assert_array_equal(result.numpy(), theirs.numpy())


# ------------------------------------------------------------------ complex numbers


@pytest.mark.parametrize("operator", ["__lt__", "__le__", "__gt__", "__ge__"])
@pytest.mark.parametrize("other", [1 + 2j, 1j, np.complex128(1 + 0j), [1j, 2]])
def test_ordering_against_a_complex_number_is_refused(torch, operator, other):
    with pytest.raises(NotImplementedError):
        getattr(torch.tensor([1., 2.]), operator)(torch.tensor(other))
    with pytest.raises(ag.errors.DTypeError, match="real numbers"):
        getattr(ag.tensor([1., 2.]), operator)(other)


@pytest.mark.parametrize("other", [1 + 0j, 2j, np.complex128(2 + 0j)])
def test_equality_with_a_complex_number_compares_as_pytorch(torch, other):
    for operator in ("__eq__", "__ne__"):
        ours = getattr(ag.tensor([1., 2.]), operator)(other)
        theirs = getattr(torch.tensor([1., 2.]), operator)(other)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ------------------------------------------------------------------ set_default_dtype


@pytest.mark.parametrize("dtype", [None, "x", np.int64, np.bool_])
def test_set_default_dtype_of_no_float_dtype_is_a_named_type_error(torch, dtype):
    before = torch.get_default_dtype()
    with pytest.raises(TypeError):
        torch.set_default_dtype(dtype if dtype in (None, "x") else
                                _torch_dtype(torch, np.dtype(dtype).name))
    assert torch.get_default_dtype() == before
    with pytest.raises(ag.errors.DTypeError, match="set_default_dtype"):
        ag.set_default_dtype(dtype)


def test_set_default_dtype_keeps_float64_and_refuses_other_floats():
    ag.set_default_dtype(ag.float64)
    ag.set_default_dtype("float64")
    with pytest.raises(ag.errors.UnsupportedError, match="fixed"):
        ag.set_default_dtype(ag.float32)


def test_the_lerp_function_takes_an_integer_weight_and_refuses_integer_ends(torch):
    """``autograd.lerp`` goes through ``Tensor.lerp``: a 0-d integer weight is taken in the
    float result's dtype, as PyTorch's; integer input or end are refused, as there."""
    start, end = np.array([1.0, 2.0, 3.0]), np.array([5.0, 6.0, 7.0])
    ours = ag.lerp(ag.tensor(start), ag.tensor(end), ag.tensor(np.uint8(2)))
    theirs = torch.lerp(torch.tensor(start), torch.tensor(end), torch.tensor(np.uint8(2)))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(RuntimeError):
        torch.lerp(torch.tensor([1, 2], dtype=torch.uint8),
                   torch.tensor([200, 0], dtype=torch.uint8), 0.5)
    with pytest.raises(ag.errors.DTypeError, match="lerp: needs float tensors"):
        ag.lerp(ag.tensor(np.array([1, 2], np.uint8)), ag.tensor(np.array([200, 0], np.uint8)),
                0.5)
