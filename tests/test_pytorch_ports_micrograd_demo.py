"""micrograd's demo notebook (``demo.ipynb``: a 2-16-16-1 ReLU MLP on scikit-learn's
``make_moons`` with an SVM max-margin loss and L2 regularisation), ported as its
readers write it with 0-d tensors in place of ``Value``: micrograd's ``nn.py`` classes
and the notebook's cells are written once for a library ``T`` (``autograd`` here,
``torch`` there) and run step for step next to PyTorch's 0-d float64 tensors from the
same seeds: losses, accuracies, gradients, parameters and the decision boundary agree.
The same model is then written once more with vector tensors (``ag.tensor(X)`` of shape
(n, 2), ``nn.Linear``) from the same weights: both styles reach the same losses.

Scalar graphs are slow (one node per multiply): the notebook's 100 samples, 100 steps and
0.25 mesh become 8 samples, 3 steps and a 1.0 mesh, so that the test takes seconds.

Written differently here (see ``test_pytorch_ports_micrograd.py`` for the lecture's):
- ``Value(random.uniform(-1, 1))`` is ``T.tensor(..., requires_grad=True)``; ``Value(0)``
  is ``T.tensor(0.0, ...)`` (``tensor(0)`` is int64, as PyTorch's, and cannot require
  grad); the inputs ``list(map(Value, xrow))`` are ``list(map(T.tensor, xrow))``:
  constants (micrograd tracks them too, and never reads their gradients);
- ``zero_grad`` sets ``p.grad = 0`` as micrograd's; PyTorch's run sets None (it refuses
  a number);
- the accuracy's ``scorei.data > 0`` is a NumPy bool here, a bool tensor in PyTorch:
  ``sum(accuracy) / len(accuracy)`` is a float here, a 0-d tensor there.
"""

import contextlib
import io
import random

import numpy as np
import pytest

import autograd as ag
import nn


def micrograd_nn(T, zero=0):
    """micrograd/nn.py with ``Value`` written as library ``T``'s 0-d tensor."""

    class Module:

        def zero_grad(self):
            for p in self.parameters():
                p.grad = zero

        def parameters(self):
            return []

    class Neuron(Module):

        def __init__(self, nin, nonlin=True):
            self.w = [T.tensor(random.uniform(-1, 1), requires_grad=True) for _ in range(nin)]
            self.b = T.tensor(0.0, requires_grad=True)
            self.nonlin = nonlin

        def __call__(self, x):
            act = sum((wi*xi for wi, xi in zip(self.w, x)), self.b)
            return act.relu() if self.nonlin else act

        def parameters(self):
            return self.w + [self.b]

        def __repr__(self):
            return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"

    class Layer(Module):

        def __init__(self, nin, nout, **kwargs):
            self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

        def __call__(self, x):
            out = [n(x) for n in self.neurons]
            return out[0] if len(out) == 1 else out

        def parameters(self):
            return [p for n in self.neurons for p in n.parameters()]

        def __repr__(self):
            return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"

    class MLP(Module):

        def __init__(self, nin, nouts):
            sz = [nin] + nouts
            self.layers = [Layer(sz[i], sz[i+1], nonlin=i != len(nouts)-1)
                           for i in range(len(nouts))]

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self):
            return [p for layer in self.layers for p in layer.parameters()]

        def __repr__(self):
            return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"

    return Module, Neuron, Layer, MLP


def moons(n_samples):
    """The notebook's first cells: seeds, make_moons, labels in {-1, 1}."""
    datasets = pytest.importorskip("sklearn.datasets")
    np.random.seed(1337)
    random.seed(1337)
    X, y = datasets.make_moons(n_samples=n_samples, noise=0.1)
    y = y*2 - 1  # make y be -1 or 1
    return X, y


def demo(T, n_samples=8, steps=3, h=1.0, zero=0):
    """The notebook for library ``T``: (records per step, the model, the boundary)."""
    X, y = moons(n_samples)
    MLP = micrograd_nn(T, zero)[3]
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    assert len(model.parameters()) == 337 and str(model).startswith("MLP of [Layer of [")

    # loss function
    def loss(batch_size=None):
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(T.tensor, xrow)) for xrow in Xb]
        # forward the model to get scores
        scores = list(map(model, inputs))
        # svm "max-margin" loss
        losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum((p*p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    records = []
    for k in range(steps):
        # forward
        total_loss, acc = loss()
        # backward
        model.zero_grad()
        total_loss.backward()
        grads = [p.grad.item() for p in model.parameters()]
        # update (sgd)
        learning_rate = 1.0 - 0.9*k/100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        records.append((total_loss.item(), float(acc), grads))
        print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")

    # visualize decision boundary
    x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
    y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    Xmesh = np.c_[xx.ravel(), yy.ravel()]
    inputs = [list(map(T.tensor, xrow)) for xrow in Xmesh]
    scores = list(map(model, inputs))
    Z = np.array([s.data > 0 for s in scores])
    Z = Z.reshape(xx.shape)
    return records, model, Z


@pytest.fixture(scope="module", name="ours")
def our_demo():
    """demo(ag) once for the module (scalar graphs are slow), with what it printed."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        records, model, Z = demo(ag)
    return records, model, Z, printed.getvalue().splitlines()


def test_the_demo_runs_step_for_step_with_torch(torch, ours):
    ours, model, Z, printed = ours
    theirs, torch_model, torch_Z = demo(torch, zero=None)
    for k, ((loss, acc, grads), (t_loss, t_acc, t_grads)) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(loss, t_loss, rtol=1e-12, err_msg=f"step {k}")
        assert acc == t_acc and isinstance(acc, float)
        np.testing.assert_allclose(grads, t_grads, rtol=1e-10, atol=1e-13, err_msg=f"step {k}")
    np.testing.assert_allclose([p.item() for p in model.parameters()],
                               [p.item() for p in torch_model.parameters()], rtol=1e-12)
    assert Z.dtype == np.bool_ and Z.shape == torch_Z.shape and (Z == torch_Z).all()
    assert Z.any() and not Z.all()  # a boundary crosses the plane
    assert printed[0] == f"step 0 loss {ours[0][0]}, accuracy {ours[0][1] * 100}%"


def vector_demo(scalar_model, n_samples=8, steps=3):
    """The same model written with vector tensors: X of shape (n, 2), nn.Linear layers
    holding the scalar model's starting weights; returns its losses."""
    X, y = moons(n_samples)
    layers = [nn.Linear(2, 16), nn.Linear(16, 16), nn.Linear(16, 1)]
    for linear, layer in zip(layers, scalar_model.layers):
        linear.weight.data[...] = [[w.item() for w in n.w] for n in layer.neurons]
        linear.bias.data[...] = [n.b.item() for n in layer.neurons]
    model = nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2])
    Xb, yb = ag.tensor(X), ag.tensor(y)
    losses = []
    for k in range(steps):
        scores = model(Xb).reshape(-1)
        data_loss = (1 + -yb*scores).relu().mean()
        reg_loss = 1e-4 * sum((p*p).sum() for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = ((yb > 0) == (scores > 0)).float().mean()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9*k/100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append((total_loss.item(), accuracy.item()))
    return losses


def test_the_vector_model_reaches_the_scalar_models_losses(ours):
    records = ours[0]
    moons(8)  # the notebook's seeds, then its model: demo()'s starting weights
    vector = vector_demo(micrograd_nn(ag)[3](2, [16, 16, 1]))
    np.testing.assert_allclose([r[0] for r in records], [v[0] for v in vector], rtol=1e-12)
    assert [r[1] for r in records] == [v[1] for v in vector]
