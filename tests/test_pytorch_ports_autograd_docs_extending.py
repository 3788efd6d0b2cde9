"""PyTorch's docs "Extending PyTorch: Extending torch.autograd", ported as its readers
write it: each example is written once for a library ``T`` (``autograd`` here, ``torch``
there) and its ``lib`` (``nn`` / ``torch.nn``), runs next to PyTorch's on the same data
(float64), and is checked with ``gradcheck`` on the docs' inputs.

Examples: ``LinearFunction`` (``setup_context`` style and the combined ``forward(ctx,
...)`` style) with ``linear = LinearFunction.apply`` and the docs' ``Linear`` module
around it, trained a few SGD steps; ``MulConstant`` (a number argument); ``MyCube``
(two outputs, double backward); the sort example (``mark_non_differentiable``);
``SimpleFunc`` (``set_materialize_grads(False)``); ``once_differentiable``.

Lines written differently here, and why:
- ``sorted, idx = x.sort()`` is ``x.sort(dim=0)``: here ``x.sort()`` is ambiguous
  (NumPy's gives the values alone; the error names both spellings);
- the docs' ``torch.randn(20, 20, dtype=torch.double, requires_grad=True)`` inputs come
  from one NumPy generator for both libraries;
- ``torch.empty(...)`` in ``Linear`` is ``T.zeros(...)``: ``autograd.empty`` is a
  ``MissingNameError`` naming ``zeros`` (an array here is never left uninitialised);
- the ``setup_context`` ``LinearFunction`` has no default for ``bias``, so its gradcheck
  gets the docs' two inputs and a bias (PyTorch's, too, refuses two).
Not here: ``vmap`` support (``generate_vmap_rule``, ``vmap`` staticmethod; ``vmap`` here is
a loop) and the ``jvp`` staticmethod (forward mode here, ``autograd.forward_ad``, is
computed from ``backward``).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.extend import once_differentiable


def libraries(torch=None) -> tuple:
    """(T, lib, Function, once_differentiable) for this library, or PyTorch's."""
    if torch is None:
        return ag, nn, ag.Function, once_differentiable
    from torch.autograd.function import once_differentiable as theirs
    return torch, torch.nn, torch.autograd.Function, theirs


def linear_function(Function):
    # Inherit from Function
    class LinearFunction(Function):

        # Note that forward, setup_context, and backward are @staticmethods
        @staticmethod
        def forward(input, weight, bias):
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        # inputs is a Tuple of all of the inputs passed to forward.
        # output is the output of the forward().
        def setup_context(ctx, inputs, output):
            input, weight, bias = inputs
            ctx.save_for_backward(input, weight, bias)

        # This function has only a single output, so it gets only one gradient
        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias
    return LinearFunction


def linear_function_combined(Function):
    class LinearFunction(Function):
        @staticmethod
        # ctx is the first argument to forward
        def forward(ctx, input, weight, bias=None):
            # The forward pass can use ctx.
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias
    return LinearFunction


def linear_module(lib, LinearFunction):
    class Linear(lib.Module):
        def __init__(self, input_features, output_features, bias=True):
            super().__init__()
            self.input_features = input_features
            self.output_features = output_features

            # nn.Parameter is a special kind of Tensor, that will get
            # automatically registered as Module's parameter once it's assigned
            # as an attribute. Parameters and buffers need to be registered, or
            # they won't appear in .parameters() (doesn't apply to buffers), and
            # won't be converted when e.g. .cuda() is called. You can use
            # .register_buffer() to register buffers.
            # nn.Parameters require gradients by default.
            self.weight = lib.Parameter(T_of(lib).zeros(output_features, input_features))
            if bias:
                self.bias = lib.Parameter(T_of(lib).zeros(output_features))
            else:
                # You should always register all possible parameters, but the
                # optional ones can be None if you want.
                self.register_parameter('bias', None)

            # Not a very smart way to initialize weights
            lib.init.uniform_(self.weight, -0.1, 0.1)
            if self.bias is not None:
                lib.init.uniform_(self.bias, -0.1, 0.1)

        def forward(self, input):
            # See the autograd section for explanation of what happens here.
            return LinearFunction.apply(input, self.weight, self.bias)

        def extra_repr(self):
            # (Optional)Set the extra information about this module. You can test
            # it by printing an object of this class.
            return 'input_features={}, output_features={}, bias={}'.format(
                self.input_features, self.output_features, self.bias is not None
            )
    return Linear


def T_of(lib):
    return ag if lib is nn else __import__("torch")


def mul_constant(Function):
    class MulConstant(Function):
        @staticmethod
        def forward(tensor, constant):
            return tensor * constant

        @staticmethod
        def setup_context(ctx, inputs, output):
            # ctx is a context object that can be used to stash information
            # for backward computation
            tensor, constant = inputs
            ctx.constant = constant

        @staticmethod
        def backward(ctx, grad_output):
            # We return as many input gradients as there were arguments.
            # Gradients of non-Tensor arguments to forward must be None.
            return grad_output * ctx.constant, None
    return MulConstant


def my_cube_class(Function):
    class MyCube(Function):
        @staticmethod
        def forward(x):
            # We wish to save dx for backward. In order to do so, it must
            # be returned as an output.
            dx = 3 * x ** 2
            result = x ** 3
            return result, dx

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, = inputs
            result, dx = output
            ctx.save_for_backward(x, dx)

        @staticmethod
        def backward(ctx, grad_output, grad_dx):
            x, dx = ctx.saved_tensors
            # In order for the autograd.Function to work with higher-order
            # gradients, we must add the gradient contribution of `dx`,
            # which is grad_dx * 6 * x.
            result = grad_output * dx + grad_dx * 6 * x
            return result

    # Wrap MyCube in a function so that it is clearer what the output is
    def my_cube(x):
        result, dx = MyCube.apply(x)
        return result
    return my_cube


def sort_func(T, Function, once_differentiable):
    class Func(Function):
        @staticmethod
        def forward(ctx, x):
            sorted, idx = x.sort(dim=0)  # the docs: x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return sorted, idx

        @staticmethod
        @once_differentiable
        def backward(ctx, g1, g2):  # still need to accept g2
            x, idx = ctx.saved_tensors
            grad_input = T.zeros_like(x)
            grad_input.index_add_(0, idx, g1)
            return grad_input
    return Func


def simple_func(T, Function, once_differentiable):
    class SimpleFunc(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            ctx.save_for_backward(x)
            return x.clone(), x.clone()

        @staticmethod
        @once_differentiable
        def backward(ctx, g1, g2):
            x, = ctx.saved_tensors
            grad_input = T.zeros_like(x)
            if g1 is not None:  # We must check for None now
                grad_input += g1
            if g2 is not None:
                grad_input += g2
            return grad_input
    return SimpleFunc


def _inputs(T, *shapes, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(T.tensor(rng.standard_normal(s), dtype=T.double, requires_grad=True)
                 for s in shapes)


@pytest.mark.parametrize("make", [linear_function, linear_function_combined])
def test_linear_function_and_gradcheck(torch, make):
    results = []
    for T, _, Function, _ in (libraries(), libraries(torch)):
        linear = make(Function).apply
        # gradcheck takes a tuple of tensors as input, check if your gradient
        # evaluated with these tensors are close enough to numerical
        # approximations and returns True if they all verify this condition.
        input = _inputs(T, (20, 20), (30, 20), *[(30,)] * (make is linear_function))
        if T is torch:  # fast_mode: torch's full Jacobian of 600 x 1030 takes seconds
            test = T.autograd.gradcheck(linear, input, eps=1e-6, atol=1e-4, fast_mode=True)
        else:
            test = ag.gradcheck(linear, input, eps=1e-6, atol=1e-4)
        assert test
        x, w, b = _inputs(T, (4, 3), (2, 3), (2,), seed=1)
        y = linear(x, w, b)
        (y * y).sum().backward()
        results.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()])
        y = linear(x.detach(), w, None)  # no bias; x needs no gradient
        assert y.requires_grad
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_linear_module_trains_as_pytorchs(torch):
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((16, 5)), rng.standard_normal((16, 3))
    records, start = [], None
    for T, lib, Function, _ in (libraries(torch), libraries()):
        model = linear_module(lib, linear_function(Function))(5, 3)
        if start is None:
            start = [p.detach().numpy().copy() for p in model.parameters()]
        else:
            with T.no_grad():
                for p, v in zip(model.parameters(), start):
                    p.copy_(T.tensor(v))
        assert repr(model) == "Linear(input_features=5, output_features=3, bias=True)"
        opt = T.optim.SGD(model.parameters(), lr=0.1) if T is torch else \
            nn.optim.SGD(model.parameters(), lr=0.1)
        record = []
        for _ in range(5):
            loss = ((model(T.tensor(X)) - T.tensor(Y)) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            record += [loss.item(), model.weight.grad.numpy().copy()]
        records.append(record + [p.detach().numpy() for p in model.parameters()])
        no_bias = linear_module(lib, linear_function(Function))(5, 3, bias=False)
        assert no_bias.bias is None and len(list(no_bias.parameters())) == 1
    for a, b in zip(*records):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_mul_constant_my_cube_and_their_checks(torch):
    for T, _, Function, _ in (libraries(), libraries(torch)):
        check = torch.autograd if T is torch else ag
        (x,) = _inputs(T, (3, 4))
        MulConstant = mul_constant(Function)
        assert check.gradcheck(lambda t: MulConstant.apply(t, 2.5), (x,))
        y = MulConstant.apply(x, 2.5)
        y.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), np.full((3, 4), 2.5))
        my_cube = my_cube_class(Function)
        assert check.gradcheck(my_cube, (x,)) and check.gradgradcheck(my_cube, (x,))
    x, tx = ag.tensor([0.5, -2.0], requires_grad=True), torch.tensor([0.5, -2.0],
                                                                       requires_grad=True)
    (g,) = ag.grad(my_cube_class(ag.Function)(x).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(my_cube_class(torch.autograd.Function)(tx).sum(), tx,
                                create_graph=True)
    g.sum().backward()
    tg.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14)  # 6 x


def test_mark_non_differentiable_and_set_materialize_grads(torch):
    got = []
    for T, _, Function, once in (libraries(), libraries(torch)):
        x = T.tensor([0.3, -1.0, 2.0, 0.1], requires_grad=True)
        values, idx = sort_func(T, Function, once).apply(x)
        assert values.requires_grad and not idx.requires_grad
        (values * T.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        a = T.tensor(1., requires_grad=True)
        b, _ = simple_func(T, Function, once).apply(a)
        b.backward()  # doesn't compute gradient for the second output
        got.append([values.detach().numpy(), idx.numpy(), x.grad.numpy(), a.grad.item()])
    for a, b in zip(*got):
        np.testing.assert_array_equal(a, b)
    a = ag.tensor(1., requires_grad=True)
    with pytest.raises(ag.UsageError, match="once_differentiable"):
        ag.grad(simple_func(ag, ag.Function, once_differentiable).apply(a)[0], a,
                create_graph=True)
