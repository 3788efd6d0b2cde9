"""The classic style of user op (forward on arrays, vjp) as PyTorch users would misuse it
(session 35 findings): a vjp without return, a vjp of the wrong arity, a malformed
gradient_reads and a class without vjp are named errors raised when the class is first
applied, not bare errors deep in backward."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import AutogradError, UsageError, VJPError
from autograd.extend import Function as ClassicFunction


def test_a_vjp_without_return_is_a_named_error():
    class Square(ClassicFunction):
        def forward(self, x):
            return x ** 2

        def vjp(self, g, out, x):
            2 * g * x

    x = ag.tensor([1., 2.], requires_grad=True)
    with pytest.raises(VJPError, match="Square.vjp returned None; is a return statement"):
        Square()(x).sum().backward()


@pytest.mark.parametrize("vjp_text", ["def vjp(self, g, x): return (2 * g * x,)",
                                      "def vjp(self, g, out, x, y): return (2 * g * x,)"])
def test_a_vjp_of_the_wrong_arity_is_refused_when_applied(vjp_text):
    namespace: dict = {}
    exec(vjp_text, namespace)  # noqa: S102 - one class body per arity

    class Square(ClassicFunction):
        def forward(self, x):
            return x ** 2

        vjp = namespace["vjp"]

    with pytest.raises(UsageError, match=r"Square.vjp .* def vjp\(self, g, out, x\)"):
        Square()(ag.tensor([1., 2.], requires_grad=True))


@pytest.mark.parametrize("reads", [((1,),), ((5,), (0,)), ((1,), 0)])
def test_a_malformed_gradient_reads_is_refused_when_applied(reads):
    class Product(ClassicFunction):
        gradient_reads = reads

        def forward(self, x, y):
            return x * y

        def vjp(self, g, out, x, y):
            return g * y, g * x

    x, y = ag.tensor([1., 2.], requires_grad=True), ag.tensor([3., 4.], requires_grad=True)
    with pytest.raises(UsageError, match="Product.gradient_reads must hold one tuple per"):
        Product()(x, y)
    with pytest.raises(UsageError, match="Product.gradient_reads"):
        Product.apply(x, y)


def test_a_class_without_vjp_is_refused_when_applied():
    class NoVjp(ClassicFunction):
        def forward(self, x):
            return x ** 2

    with pytest.raises(UsageError, match="NoVjp defines no vjp") as caught:
        NoVjp()(ag.tensor([1., 2.], requires_grad=True))
    assert isinstance(caught.value, AutogradError)


def test_well_formed_classic_ops_still_run():
    class Product(ClassicFunction):
        gradient_reads = ((1,), (0,))

        def forward(self, x, y):
            return x * y

        def vjp(self, g, out, x, y):
            return g * y, g * x

    class Total(ClassicFunction):
        def forward(self, *arrays):
            return sum(arrays)

        def vjp(self, g, out, *inputs):
            return tuple(g for _ in inputs)

    x, y = ag.tensor([1., 2.], requires_grad=True), ag.tensor([3., 4.], requires_grad=True)
    (Product()(x, y) + Total()(x, y, x)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data + 2)
    np.testing.assert_array_equal(y.grad.data, x.data + 1)
