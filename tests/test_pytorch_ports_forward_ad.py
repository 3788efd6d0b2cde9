"""PyTorch's tutorial "Forward-mode Automatic Differentiation", ported as its readers
write it: the program is written once for a library ``T`` (``autograd`` here, ``torch``
there) with its ``forward_ad`` (``autograd.forward_ad`` / ``torch.autograd.forward_ad``),
``nn`` and ``func``, and runs next to PyTorch's on the same data (float64). Every
tangent (dual tensors, duals in a module by ``setattr`` and by ``functional_call``, a
custom Function, ``func.jvp`` of a function and of a module) agrees with PyTorch's to
1e-10, the tutorial's asserts hold in both, and its gradcheck gives the same verdict.

Lines written differently here:
- the custom Function ``Fn`` defines ``backward`` where the tutorial defines ``jvp``:
  forward mode here is computed from the backward (two reverse passes), and a Function
  with only a ``jvp`` raises ``UsageError`` saying so; PyTorch's ``Fn`` keeps its ``jvp``
  (and gets the same ``backward``, unused by its forward mode);
- the tutorial's last part uses functorch (``ft.jvp``, ``ft.make_functional_with_buffers``),
  now ``torch.func``: ``func.jvp``, and ``functional_call`` over the parameters' and
  buffers' dicts, as PyTorch's migration guide writes ``make_functional_with_buffers``;
- ``torch.autograd.gradcheck`` is ``autograd.gradcheck`` (our package is the autograd
  namespace);
- ``torch.randn`` / ``torch.rand_like`` draws are NumPy's, the same for both libraries,
  and the models start from the same weights.
"""

import functools

import numpy as np
import pytest

import autograd as ag
import nn

# torch.func imports torch._dynamo on first use, which calls torch.jit.script (deprecated)
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def libraries(torch=None) -> tuple:
    """(T, fwAD, nn, func, Function, gradcheck) for this library, or PyTorch's."""
    if torch is None:
        return ag, ag.forward_ad, nn, ag.func, ag.Function, ag.gradcheck
    return (torch, torch.autograd.forward_ad, torch.nn, torch.func,
            torch.autograd.Function, torch.autograd.gradcheck)


def program(libs, seed: int = 0) -> dict:
    """The tutorial's lines; returns the tangents it computes, by name."""
    T, fwAD, nn_, func, Function, gradcheck = libs
    rng = np.random.default_rng(seed)
    out = {}

    def randn(*shape):  # torch.randn
        return T.tensor(rng.standard_normal(shape))

    def rand_like(p):  # torch.rand_like
        return T.tensor(rng.random(tuple(p.shape)))

    def fresh_linear(n_in, n_out):  # nn.Linear with weights drawn alike for both
        model = nn_.Linear(n_in, n_out)
        model.load_state_dict({"weight": randn(n_out, n_in), "bias": randn(n_out)})
        return model

    # Basic usage
    primal = randn(10, 10)
    tangent = randn(10, 10)

    def fn(x, y):
        return x ** 2 + y ** 2

    with fwAD.dual_level():
        dual_input = fwAD.make_dual(primal, tangent)
        assert fwAD.unpack_dual(dual_input).tangent is tangent

        dual_input_alt = fwAD.make_dual(primal, tangent.T)
        assert fwAD.unpack_dual(dual_input_alt).tangent is not tangent

        plain_tensor = randn(10, 10)
        dual_output = fn(dual_input, plain_tensor)

        jvp = fwAD.unpack_dual(dual_output).tangent
    out["basic"] = jvp

    assert fwAD.unpack_dual(dual_output).tangent is None

    # Usage with Modules
    model = fresh_linear(5, 5)
    input = randn(16, 5)

    params = {name: p for name, p in model.named_parameters()}
    tangents = {name: rand_like(p) for name, p in params.items()}

    with fwAD.dual_level():
        for name, p in params.items():
            delattr(model, name)
            setattr(model, name, fwAD.make_dual(p, tangents[name]))

        out_ = model(input)
        jvp = fwAD.unpack_dual(out_).tangent
    out["module"] = jvp

    # Using the functional Module API
    functional_call = func.functional_call

    model = fresh_linear(5, 5)

    dual_params = {}
    with fwAD.dual_level():
        for name, p in params.items():
            # Using the same ``tangents`` from the above section
            dual_params[name] = fwAD.make_dual(p, tangents[name])
        out_ = functional_call(model, dual_params, input)
        jvp2 = fwAD.unpack_dual(out_).tangent

    # Check our results
    assert T.allclose(jvp, jvp2)
    out["functional_call"] = jvp2

    # Custom autograd Function
    class Fn(Function):
        @staticmethod
        def forward(ctx, foo):
            result = T.exp(foo)
            # Tensors stored in ctx can be used in the subsequent forward grad
            # computation.
            ctx.result = result
            return result

        @staticmethod
        def backward(ctx, gO):  # here the tangent comes from backward (see the docstring)
            return gO * ctx.result

        if T is not ag:  # PyTorch's forward mode calls the tutorial's jvp
            @staticmethod
            def jvp(ctx, gI):
                gO = gI * ctx.result
                return gO

    fn = Fn.apply

    primal = randn(10, 10).requires_grad_()  # torch.randn(..., requires_grad=True)
    tangent = randn(10, 10)

    with fwAD.dual_level():
        dual_input = fwAD.make_dual(primal, tangent)
        dual_output = fn(dual_input)
        jvp = fwAD.unpack_dual(dual_output).tangent
    out["custom_function"] = jvp

    out["gradcheck"] = gradcheck(Fn.apply, (primal,), check_forward_ad=True,
                                 check_backward_ad=False, check_undefined_grad=False,
                                 check_batched_grad=False)

    # Functional API (functorch's ft.jvp, now torch.func.jvp)
    primal0 = randn(10, 10)
    tangent0 = randn(10, 10)
    primal1 = randn(10, 10)
    tangent1 = randn(10, 10)

    def fn(x, y):
        return x ** 2 + y ** 2

    primal_out, tangent_out = func.jvp(fn, (primal0, primal1), (tangent0, tangent1))
    out["func_jvp"] = tangent_out

    primal = randn(10, 10)
    tangent = randn(10, 10)
    y = randn(10, 10)

    new_fn = functools.partial(fn, y=y)
    primal_out, tangent_out = func.jvp(new_fn, (primal,), (tangent,))
    out["func_jvp_partial"] = tangent_out

    # Using the functional API with Modules
    model = fresh_linear(5, 5)
    input = randn(16, 5)
    tangents = {name: rand_like(p) for name, p in model.named_parameters()}

    # ft.make_functional_with_buffers(model), the torch.func way
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())

    def func_params_only(params):
        return functional_call(model, (params, buffers), (input,))

    model_output, jvp_out = func.jvp(func_params_only, (params,), (tangents,))
    out["module_output"], out["module_jvp"] = model_output, jvp_out
    return out


def test_forward_mode_tutorial_matches_pytorch(torch):
    ours, theirs = program(libraries()), program(libraries(torch))
    assert list(ours) == list(theirs)
    assert ours.pop("gradcheck") is True and theirs.pop("gradcheck") is True
    for name in ours:
        a, b = ours[name], theirs[name]
        assert a.shape == tuple(b.shape), name
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=name)
