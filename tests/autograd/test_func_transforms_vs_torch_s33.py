"""autograd.functional and autograd.func where fuzzing them against PyTorch found them
apart: strict vjp took an output that needs no grad, v=None was taken for several
one-element outputs, vmap refused out_dims=(d,) for one Tensor and an empty batch, jvp
took integer tangents, has_aux took any aux, and vjp/linearize refused zero primals."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import autograd.func as func
import autograd.functional as functional
from autograd.errors import DTypeError, IndependentError, ShapeError, UsageError

X = np.array([1.0, 2.0])


def _assert_as_torch(ours, theirs) -> None:
    """Equal structure, shapes, dtypes and values (ours autograd, theirs torch)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, type(theirs)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_as_torch(a, b)
        return
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape and ours.dtype == expected.dtype
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("what", ["vjp", "jvp"])
def test_strict_refuses_an_output_that_does_not_require_grad(what, torch) -> None:
    """vjp dropped the constant output and returned the other's product; jvp blamed an
    input (its own dummy) instead of the output."""
    def call(lib, functional_lib):
        x = lib.tensor(X)
        def f(a):
            return a * 2, lib.ones(())
        v = (lib.ones(2), lib.ones(())) if what == "vjp" else lib.ones(2)
        return getattr(functional_lib, what)(f, x, v, strict=True)

    with pytest.raises(RuntimeError, match="Output 1"):
        call(torch, torch.autograd.functional)
    with pytest.raises(IndependentError, match="output 1 does not depend on the inputs"):
        call(ag, functional)
    _assert_as_torch(functional.vjp(lambda a: (a * 2, a.sum()), ag.tensor(X),
                                    (ag.ones(2), ag.ones(())), strict=True)[1],
                     torch.autograd.functional.vjp(lambda a: (a * 2, a.sum()),
                                                   torch.tensor(X),
                                                   (torch.ones(2), torch.ones(())),
                                                   strict=True)[1])


V_NONE = {  # v left out where it needs one Tensor of one element, and the allowed 1-tuple
    "vjp": (lambda F, x: F.vjp(lambda a: (a.sum(), a.prod()), x),
            lambda F, x: F.vjp(lambda a: (a.prod(),), x)),
    "jvp": (lambda F, x: F.jvp(lambda a, b: a * b, (x[0], x[1:])),
            lambda F, x: F.jvp(lambda a: a * x, (x[0],))),
    "hvp": (lambda F, x: F.hvp(lambda a, b: a * b, (x[0], x[1])),
            lambda F, x: F.hvp(lambda a: a ** 3, (x[1],))),
    "vhp": (lambda F, x: F.vhp(lambda a, b: a * b, (x[0], x[1])),
            lambda F, x: F.vhp(lambda a: a ** 3, (x[1],))),
}


@pytest.mark.parametrize("refused, allowed", V_NONE.values(), ids=V_NONE)
def test_v_may_be_left_out_only_for_one_tensor_of_one_element(refused, allowed,
                                                              torch) -> None:
    """Several one-element outputs (or inputs) were each given v = 1."""
    with pytest.raises(RuntimeError, match="v can only be None"):
        refused(torch.autograd.functional, torch.tensor(X))
    with pytest.raises(ShapeError, match="single (output|input) with one element"):
        refused(functional, ag.tensor(X))
    _assert_as_torch(allowed(functional, ag.tensor(X)),
                     allowed(torch.autograd.functional, torch.tensor(X)))


@pytest.mark.parametrize("out_dims", [(0,), (1,), (-1,), (None,)])
def test_vmap_takes_a_one_tuple_out_dims_for_one_tensor(out_dims, torch) -> None:
    """A 1-tuple was matched against the Tensor as a tuple of outputs and refused."""
    data = np.arange(6.0).reshape(2, 3)
    def f(lib):
        if out_dims == (None,):  # an unbatched output
            return lib.func.vmap(lambda x, y: y * 2, in_dims=(0, None),
                                 out_dims=out_dims)(lib.tensor(data), lib.tensor(X))
        return lib.func.vmap(lambda x: x * 2, out_dims=out_dims)(lib.tensor(data))
    _assert_as_torch(f(ag), f(torch))


EMPTY = {  # (function, in_dims, out_dims, input shape, dtype, inside another vmap)
    "sum": (lambda x: x.sum(), 0, 0, (0, 3), "float64", False),
    "log_warns_nothing": (lambda x: x.log(), 0, 0, (0, 3), "float64", False),
    "tuple_out_dims": (lambda x: (x * 2, x.sum()), 0, (1, 0), (0, 3), "float64", False),
    "in_dim_1": (lambda x: x * 2, 1, 0, (3, 0), "float64", False),
    "int": (lambda x: x.sum(), 0, 0, (0, 3), "int64", False),
    "comparison": (lambda x: x > 0, 0, -1, (0, 2, 3), "float32", False),
    "nested": (lambda x: x.sum(), 0, 0, (2, 0, 3), "float64", True),
}


@pytest.mark.parametrize("f, in_dims, out_dims, shape, dtype, nested", EMPTY.values(),
                         ids=EMPTY)
def test_vmap_over_an_empty_batch_gives_empty_outputs(f, in_dims, out_dims, shape, dtype,
                                                      nested, torch) -> None:
    """A batch of size 0 raised ShapeError; PyTorch gives outputs with 0 samples."""
    data = np.ones(shape, dtype=dtype)
    def run(lib):
        mapped = lib.func.vmap(f, in_dims=in_dims, out_dims=out_dims)
        if nested:  # the inner vmap's batch is the empty one
            mapped = lib.func.vmap(mapped)
        return mapped(lib.tensor(data))
    theirs = run(torch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the sample of zeros warns of nothing (log(0))
        _assert_as_torch(run(ag), theirs)


def test_vmap_over_an_empty_batch_keeps_an_unbatched_output(torch) -> None:
    def run(lib):
        return lib.func.vmap(lambda x, y: (x * 2, y * 2), in_dims=(0, None),
                             out_dims=(0, None))(lib.ones(0, 3), lib.tensor(X))
    _assert_as_torch(run(ag), run(torch))


def test_vmap_over_an_empty_batch_reports_what_failed_on_the_sample_of_zeros(torch) -> None:
    """The function cannot run on one sample: the empty batch's ShapeError, from the
    function's own error (PyTorch raises that one)."""
    with pytest.raises(IndexError):
        torch.func.vmap(lambda x: x[5])(torch.ones(0, 3))
    with pytest.raises(ShapeError, match="empty.*sample of zeros") as caught:
        func.vmap(lambda x: x[5])(ag.ones(0, 3))
    assert isinstance(caught.value.__cause__, IndexError)


def test_vmap_over_an_empty_batch_still_refuses_random_draws(torch) -> None:
    with pytest.raises(RuntimeError, match="randomness"):
        torch.func.vmap(lambda x: x + torch.randn(3))(torch.ones(0, 3))
    with pytest.raises(UsageError, match="randomness='error'"):
        func.vmap(lambda x: x + ag.randn(3))(ag.ones(0, 3))


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_jvp_and_linearize_refuse_a_tangent_of_integers_or_bools(dtype, torch) -> None:
    """An integer or bool direction was used as float64."""
    tangent = np.array([1, 0], dtype=dtype)
    with pytest.raises(ValueError, match="floating point"):
        torch.func.jvp(lambda x: x * 2, (torch.tensor(X),), (torch.tensor(tangent),))
    with pytest.raises(RuntimeError, match="dtype"):
        torch.func.linearize(lambda x: x * 2, torch.tensor(X))[1](torch.tensor(tangent))
    with pytest.raises(DTypeError, match=f"tangent 0 has dtype {dtype}"):
        func.jvp(lambda x: x * 2, (ag.tensor(X),), (ag.tensor(tangent),))
    with pytest.raises(DTypeError, match=f"tangent 0 has dtype {dtype}"):
        func.linearize(lambda x: x * 2, ag.tensor(X))[1](ag.tensor(tangent))
    f32 = np.array([1.0, 0.5], dtype=np.float32)  # a float tangent of another dtype is fine
    _assert_as_torch(func.jvp(lambda x: x * 2, (ag.tensor(X),), (ag.tensor(f32),))[1],
                     torch.func.jvp(lambda x: x * 2, (torch.tensor(X),),
                                    (torch.tensor(f32),))[1])


def _with_aux(aux):
    return lambda x: ((x * x).sum(), aux(x))


AUX_TRANSFORMS = {
    "grad": lambda lib, f, x: lib.func.grad(f, has_aux=True)(x),
    "grad_and_value": lambda lib, f, x: lib.func.grad_and_value(f, has_aux=True)(x)[1],
    "vjp": lambda lib, f, x: lib.func.vjp(f, x, has_aux=True)[1:],
    "jvp": lambda lib, f, x: lib.func.jvp(f, (x,), (x * 0 + 1,), has_aux=True),
    "jacrev": lambda lib, f, x: lib.func.jacrev(f, has_aux=True)(x),
    "jacfwd": lambda lib, f, x: lib.func.jacfwd(f, has_aux=True)(x),
}
NOT_TENSORS = {"int": lambda x: 3, "str": lambda x: "hi", "none": lambda x: None,
               "dict_with_int": lambda x: {"a": x, "b": 2}}


@pytest.mark.parametrize("aux", NOT_TENSORS.values(), ids=NOT_TENSORS)
@pytest.mark.parametrize("transform", AUX_TRANSFORMS.values(), ids=AUX_TRANSFORMS)
def test_has_aux_refuses_an_aux_that_is_not_tensors(transform, aux, torch) -> None:
    """Any aux came back as it was."""
    with pytest.raises(RuntimeError, match="Expected tensors"):
        transform(torch, _with_aux(aux), torch.tensor(X))
    with pytest.raises(UsageError, match="aux must be Tensors"):
        transform(ag, _with_aux(aux), ag.tensor(X))
    tensors = _with_aux(lambda x: {"a": x.sum(), "b": [x * 3]})
    ours, theirs = transform(ag, tensors, ag.tensor(X)), transform(torch, tensors,
                                                                   torch.tensor(X))
    _assert_as_torch(ours[-1]["b"], theirs[-1]["b"])


def test_vjp_and_linearize_take_zero_primals(torch) -> None:
    """Both raised UsageError; PyTorch differentiates with respect to nothing."""
    w = {"ours": ag.tensor(X, requires_grad=True), "torch": torch.tensor(X,
                                                                         requires_grad=True)}
    for lib, key in ((ag, "ours"), (torch, "torch")):
        out, vjp_fn = lib.func.vjp(lambda: w[key] * 3)  # closes over a tensor needing grad
        assert vjp_fn(lib.ones(2)) == ()
        out, jvp_fn = lib.func.linearize(lambda: lib.tensor(X) * 3)
        w[key] = (out, jvp_fn())
    _assert_as_torch(w["ours"], w["torch"])
    with pytest.raises(RuntimeError, match="at least one Tensor"):
        torch.func.jvp(lambda: torch.ones(2), (), ())
    with pytest.raises(UsageError, match="at least one Tensor"):
        func.jvp(lambda: ag.ones(2), (), ())
