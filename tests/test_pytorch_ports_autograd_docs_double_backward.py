"""PyTorch's tutorials "Double Backward with Custom Functions" and "Hooks for autograd
saved tensors", ported as their readers write them: each example is written once for a
library ``T`` (``autograd`` here, ``torch`` there), runs next to PyTorch's (float64), and
gets the tutorial's ``gradcheck`` / ``gradgradcheck``.

Double backward: ``Square`` (saving an input), ``Exp`` (saving the output), ``Sinh``
(saving intermediate results by returning them as outputs), ``SinhBad`` (the wrong way:
an intermediate kept on ctx, whose second derivative both libraries get wrong), and
``Cube`` whose backward is itself a custom ``CubeBackward``.
Saved-tensor hooks: ``y.grad_fn._saved_self`` / ``_saved_result`` and ``save_on_cpu``.

Lines written differently here, and why:
- ``torchviz.make_dot(...)`` (the tutorial's drawings) is left out: ``autograd.viz``
  draws graphs, but the tutorial's pictures are not the point of the check;
- ``y.grad_fn._saved_result`` is an error here naming what to read (an op keeps no copy
  of its output: it is ``y`` itself); ``saved_tensors_hooks(pack, unpack)`` and
  ``_raw_saved_self.register_hooks`` are errors too (the graph keeps the inputs
  themselves, nothing is packed), so the tutorial's pack/unpack examples stop there;
- ``save_on_cpu(pin_memory=True)`` runs and changes nothing (everything is on the CPU).
"""

import numpy as np
import pytest

import autograd as ag


def checks(T):
    return (T.autograd.gradcheck, T.autograd.gradgradcheck) if T is not ag else \
        (ag.gradcheck, ag.gradgradcheck)


def square_class(Function):
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            # Because we are saving one of the inputs use `save_for_backward`
            # Save non-tensors and non-inputs/non-outputs directly on ctx
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        def backward(ctx, grad_out):
            # A function support double backward automatically if autograd
            # is able to record the computations performed in backward
            x, = ctx.saved_tensors
            return grad_out * 2 * x
    return Square


def exp_class(T, Function):
    class Exp(Function):
        # Simple case where everything goes well
        @staticmethod
        def forward(ctx, x):
            # This time we save the output
            result = T.exp(x)
            # Note that we should use `save_for_backward` here when
            # the tensor saved is an ouptut (or an input).
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_out):
            result, = ctx.saved_tensors
            return result * grad_out
    return Exp


def sinh_function(T, Function):
    class Sinh(Function):
        @staticmethod
        def forward(ctx, x):
            expx = T.exp(x)
            expnegx = T.exp(-x)
            ctx.save_for_backward(expx, expnegx)
            # In order to be able to save the intermediate results, a trick is to
            # include them as our outputs, so that the backward graph is constructed
            return (expx - expnegx) / 2, expx, expnegx

        @staticmethod
        def backward(ctx, grad_out, _grad_out_exp, _grad_out_negexp):
            expx, expnegx = ctx.saved_tensors
            grad_input = grad_out * (expx + expnegx) / 2
            # We cannot skip accumulating these even though we won't use the outputs
            # directly. They will be used later in the second backward.
            grad_input += _grad_out_exp * expx
            grad_input -= _grad_out_negexp * expnegx
            return grad_input

    def sinh(x):
        # Create a wrapper that only returns the first output
        return Sinh.apply(x)[0]
    return sinh


def sinh_bad_class(T, Function):
    class SinhBad(Function):
        # This is an example of what NOT to do!
        @staticmethod
        def forward(ctx, x):
            expx = T.exp(x)
            expnegx = T.exp(-x)
            ctx.expx = expx
            ctx.expnegx = expnegx
            return (expx - expnegx) / 2

        @staticmethod
        def backward(ctx, grad_out):
            expx = ctx.expx
            expnegx = ctx.expnegx
            grad_input = grad_out * (expx + expnegx) / 2
            return grad_input
    return SinhBad


def cube_class(Function):
    def cube_forward(x):
        return x**3

    def cube_backward(grad_out, x):
        return grad_out * 3 * x**2

    def cube_backward_backward(grad_out, sav_grad_out, x):
        return grad_out * sav_grad_out * 6 * x

    def cube_backward_backward_grad_out(grad_out, x):
        return grad_out * 3 * x**2

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return cube_forward(x)

        @staticmethod
        def backward(ctx, grad_out):
            x, = ctx.saved_tensors
            return CubeBackward.apply(grad_out, x)

    class CubeBackward(Function):
        @staticmethod
        def forward(ctx, grad_out, x):
            ctx.save_for_backward(x, grad_out)
            return cube_backward(grad_out, x)

        @staticmethod
        def backward(ctx, grad_out):
            x, sav_grad_out = ctx.saved_tensors
            dx = cube_backward_backward(grad_out, sav_grad_out, x)
            dgrad_out = cube_backward_backward_grad_out(grad_out, x)
            return dgrad_out, dx
    return Cube


def _rand(T, *shape):
    return T.tensor(np.random.default_rng(0).random(shape), dtype=T.double,
                    requires_grad=True)


def test_the_tutorials_functions_pass_both_checks(torch):
    for T, Function in ((ag, ag.Function), (torch, torch.autograd.Function)):
        gradcheck, gradgradcheck = checks(T)
        x = _rand(T, 3, 3)
        assert gradcheck(square_class(Function).apply, x)
        assert gradgradcheck(square_class(Function).apply, x)
        x = T.tensor(1., requires_grad=True, dtype=T.double).clone()
        assert gradcheck(exp_class(T, Function).apply, x)
        assert gradgradcheck(exp_class(T, Function).apply, x)
        x = _rand(T, 3, 3)
        assert gradcheck(sinh_function(T, Function), x)
        assert gradgradcheck(sinh_function(T, Function), x)
        x = T.tensor(2., requires_grad=True, dtype=T.double)
        assert gradcheck(cube_class(Function).apply, x)
        assert gradgradcheck(cube_class(Function).apply, x)


def _second_derivative(T, f, data):
    x = T.tensor(data, requires_grad=True)
    (g,) = T.autograd.grad(f(x).sum(), x, create_graph=True) if T is not ag else \
        ag.grad(f(x).sum(), x, create_graph=True)
    if g.requires_grad:  # SinhBad's has no graph (in both libraries)
        g.sum().backward()
    return g.detach().numpy(), x.grad


def test_second_derivatives_agree_and_sinh_bad_is_wrong_in_both(torch):
    data = np.array([0.3, -1.2, 0.7])
    for make in (lambda T, F: square_class(F).apply, lambda T, F: exp_class(T, F).apply,
                 sinh_function, lambda T, F: cube_class(F).apply):
        ours = _second_derivative(ag, make(ag, ag.Function), data)
        theirs = _second_derivative(torch, make(torch, torch.autograd.Function), data)
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-13)
        np.testing.assert_allclose(ours[1].numpy(), theirs[1].numpy(), rtol=1e-13)
    np.testing.assert_allclose(_second_derivative(ag, sinh_function(ag, ag.Function),
                                                  data)[1].numpy(), np.sinh(data))
    # the wrong way: expx, expnegx are constants of the graph, so d2/dx2 is lost
    ours = _second_derivative(ag, sinh_bad_class(ag, ag.Function).apply, data)
    theirs = _second_derivative(torch, sinh_bad_class(torch, torch.autograd.Function).apply,
                                data)
    np.testing.assert_allclose(ours[0], np.cosh(data))
    assert ours[1] is None and theirs[1] is None
    for T, Function in ((ag, ag.Function), (torch, torch.autograd.Function)):
        gradcheck, gradgradcheck = checks(T)
        x = _rand(T, 3)
        assert gradcheck(sinh_bad_class(T, Function).apply, x)
        assert not gradgradcheck(sinh_bad_class(T, Function).apply, x, raise_exception=False)


def test_saved_tensors_as_the_hooks_tutorial_reads_them(torch):
    for T in (torch, ag):
        x = T.randn(5, requires_grad=True)
        y = x.pow(2)
        assert x.equal(y.grad_fn._saved_self)  # True
        assert x is y.grad_fn._saved_self  # True
    y = ag.randn(5, requires_grad=True).exp()
    with pytest.raises(ag.UsageError, match="keeps no copy of its output"):
        y.grad_fn._saved_result
    with pytest.raises(ag.UsageError, match="nothing is packed"):
        y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)

    def pack_hook(x):
        print("Packing", x)
        return x

    def unpack_hook(x):
        print("Unpacking", x)
        return x

    a = ag.ones(5, requires_grad=True)
    b = ag.ones(5, requires_grad=True) * 2
    with pytest.raises(ag.UsageError, match="keeps the input tensors themselves"):
        with ag.graph.saved_tensors_hooks(pack_hook, unpack_hook):
            y = a * b
    results = []
    for T in (ag, torch):
        a = T.tensor([0.5, 1.0, -2.0], requires_grad=True)
        with T.autograd.graph.save_on_cpu(pin_memory=False) if T is torch else \
                ag.graph.save_on_cpu(pin_memory=True):
            y = (a * a).sin()
        y.sum().backward()
        results.append(a.grad.numpy())
    np.testing.assert_allclose(*results, rtol=1e-14)
