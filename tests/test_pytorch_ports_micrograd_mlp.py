"""The micrograd lecture's last part, ported as its students write it: the ``Neuron``,
``Layer`` and ``MLP`` classes with their hand-written ``parameters()``, weights drawn by
``random.uniform(-1, 1)``, the squared-error loss summed by Python's ``sum`` (which
starts at the int 0) and the hand-written gradient-descent loop. The program is written
once for a library ``T`` (``autograd`` here, ``torch`` there) and runs step for step
next to PyTorch's 0-d float64 tensors from the same ``random.seed``: losses, gradients
and parameters agree to 1e-12.

Written differently here (see ``test_pytorch_ports_micrograd.py`` for the rest):
- ``Value(random.uniform(-1, 1))`` is ``T.tensor(random.uniform(-1, 1), requires_grad=True)``;
- ``p.grad = 0.0`` zeroes here; PyTorch refuses a float there, so its run writes
  ``p.grad = None`` (the same result: the next backward starts from zero);
- ``print(k, loss.data)``: a 0-d array here, a 0-d tensor in PyTorch; ``loss.item()``
  is the float micrograd's ``loss.data`` was.
"""

import random

import numpy as np

import autograd as ag


def lecture_classes(T):
    """The lecture's three classes, ``Value`` written as library ``T``'s 0-d tensor."""

    class Neuron:

        def __init__(self, nin):
            self.w = [T.tensor(random.uniform(-1, 1), requires_grad=True) for _ in range(nin)]
            self.b = T.tensor(random.uniform(-1, 1), requires_grad=True)

        def __call__(self, x):
            # w * x + b
            act = sum((wi*xi for wi, xi in zip(self.w, x)), self.b)
            out = act.tanh()
            return out

        def parameters(self):
            return self.w + [self.b]

    class Layer:

        def __init__(self, nin, nout):
            self.neurons = [Neuron(nin) for _ in range(nout)]

        def __call__(self, x):
            outs = [n(x) for n in self.neurons]
            return outs[0] if len(outs) == 1 else outs

        def parameters(self):
            return [p for neuron in self.neurons for p in neuron.parameters()]

    class MLP:

        def __init__(self, nin, nouts):
            sz = [nin] + nouts
            self.layers = [Layer(sz[i], sz[i+1]) for i in range(len(nouts))]

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self):
            return [p for layer in self.layers for p in layer.parameters()]

    return Neuron, Layer, MLP


xs = [
    [2.0, 3.0, -1.0],
    [3.0, -1.0, 0.5],
    [0.5, 1.0, 1.0],
    [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0]  # desired targets


def train(T, steps=20, zero=0.0, seed=0):
    """The lecture's loop; returns (losses, first gradients, predictions, parameters)."""
    random.seed(seed)
    Neuron, Layer, MLP = lecture_classes(T)
    x = [2.0, 3.0, -1.0]
    n = MLP(3, [4, 4, 1])
    first = n(x)
    assert len(n.parameters()) == 41
    losses, grads = [], None
    for k in range(steps):
        # forward pass
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))
        # backward pass
        for p in n.parameters():
            p.grad = zero
        loss.backward()
        if grads is None:
            grads = [p.grad.item() for p in n.parameters()]
        # update
        for p in n.parameters():
            p.data += -0.1 * p.grad
        losses.append(loss.item())
        print(k, loss.data)
    ypred = [n(x) for x in xs]
    return (first.item(), losses, grads, [y.item() for y in ypred],
            [p.item() for p in n.parameters()])


def test_the_lectures_mlp_trains_step_for_step_with_torch(torch, capsys):
    ours = train(ag)
    theirs = train(torch, zero=None)  # PyTorch: p.grad = 0.0 is a TypeError
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
    assert ours[1][-1] < 0.1 * ours[1][0]  # it learns
    assert all(np.sign(ours[3]) == np.sign(ys))
    printed = capsys.readouterr().out.splitlines()[:20]  # ours, then torch's "tensor(...)"
    assert printed == [f"{k} {loss}" for k, loss in enumerate(ours[1])]  # as a float prints


def test_zeroing_with_none_or_zero_gives_the_same_run():
    np.testing.assert_array_equal(train(ag, steps=3)[1], train(ag, steps=3, zero=None)[1])


def test_forgetting_to_zero_accumulates_as_the_lecture_shows(torch):
    """The lecture's bug: without ``p.grad = 0.0`` each backward adds to the last."""
    for T in (ag, torch):
        random.seed(0)
        n = lecture_classes(T)[2](3, [4, 1])
        loss = sum((n(x) - y)**2 for x, y in zip(xs, ys))
        loss.backward(retain_graph=True)
        once = [p.grad.item() for p in n.parameters()]
        loss.backward()
        twice = [p.grad.item() for p in n.parameters()]
        np.testing.assert_allclose(twice, 2 * np.asarray(once), rtol=1e-15)


def test_loss_starts_as_pythons_int_zero_plus_a_tensor():
    random.seed(1)
    n = lecture_classes(ag)[2](3, [4, 1])
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))
    assert isinstance(loss, ag.Tensor) and loss.shape == () and loss.dtype == np.float64
    np.testing.assert_allclose(loss.item(), sum((y.item() - t)**2 for t, y in zip(ys, ypred)),
                               rtol=1e-15)
