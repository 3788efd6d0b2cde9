"""PyTorch's note "Autograd mechanics" (and the grad-mode docs it points to), ported as
its readers write it: each example is written once for a library ``T`` (``autograd``
here, ``torch`` there) and its ``lib`` / ``optim`` (``nn`` / ``torch.nn``), and runs next
to PyTorch's (float64), asserting the same flags, values and gradients.

Parts: freezing a model and finetuning a new head (``requires_grad = False``,
``requires_grad_``); the grad modes (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``, ``is_inference``) as context managers, decorators and calls;
``model.eval()`` next to ``no_grad``; in-place correctness (the version-counter errors);
backward hooks on tensors (``register_hook``, ``retain_grad``, hooks and in-place
changes, ``register_post_accumulate_grad_hook``); backward in several threads.

Lines written differently here, and why:
- ``torchvision.models.resnet18(pretrained=True)`` is a small two-layer model with an
  ``fc`` head (nothing can be downloaded), started from PyTorch's weights;
- ``inference_mode`` is an alias of ``no_grad``: what it makes are ordinary tensors, so
  ``is_inference()`` is False (PyTorch's True), and using them in a recorded graph later
  works (PyTorch refuses "inference tensors" there);
- in-place checks: a write outside the graph (``no_grad``, ``.data``) into a saved
  tensor is refused at backward, as PyTorch's (``InplaceError``, a ``RuntimeError``);
  a recorded in-place op on a computed tensor (``b.mul_(2)`` after ``b = a.sigmoid()``)
  is ``b = b * 2`` rebased here (ops that used b keep its old value), so where PyTorch's
  version counter refuses the backward, ours gives the gradient of that program;
- complex numbers: a Tensor holds bool, integer or float data, so the note's complex part
  (Wirtinger calculus, ``torch.view_as_real``) does not apply: a complex array is a
  ``DTypeError`` saying so.
"""

import numpy as np
import pytest

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.optim
    return torch, torch.nn, torch.optim


def small_resnet(lib):
    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.body = lib.Sequential(lib.Linear(6, 8), lib.ReLU())
            self.fc = lib.Linear(8, 5)

        def forward(self, x):
            return self.fc(self.body(x))
    return Net()


def _load(T, model, values):
    with T.no_grad():
        for p, v in zip(model.parameters(), values):
            p.copy_(T.tensor(v))


def test_finetuning_a_frozen_model_with_a_new_head(torch):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 6)), rng.integers(0, 4, 10)
    start, records = None, []
    for T, lib, optim in (libraries(torch), libraries()):
        model = small_resnet(lib)
        if start is None:
            start = [p.detach().numpy().copy() for p in model.parameters()]
        _load(T, model, start)
        for param in model.parameters():
            param.requires_grad = False
        # Replace the last fully-connected layer
        # Parameters of newly constructed modules have requires_grad=True by default
        model.fc = lib.Linear(8, 4)
        _load(T, model.fc, [np.linspace(-0.5, 0.5, 32).reshape(4, 8), np.zeros(4)])
        # Optimize only the classifier
        optimizer = optim.SGD(model.fc.parameters(), lr=1e-2, momentum=0.9)
        record = []
        for _ in range(3):
            loss = lib.functional.cross_entropy(model(T.tensor(X)), T.tensor(y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record.append(loss.item())
        frozen = model.body[0].weight
        assert frozen.grad is None and not frozen.requires_grad
        record += [p.detach().numpy() for p in model.parameters()]
        model.requires_grad_(False)
        assert not any(p.requires_grad for p in model.parameters())
        model.fc.requires_grad_()
        record.append([p.requires_grad for p in model.parameters()])
        records.append(record)
    for a, b in zip(*records):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def grad_mode_flags(T):
    """The examples of the no_grad / enable_grad / set_grad_enabled / inference_mode docs."""
    seen = []
    x = T.tensor([1.], requires_grad=True)
    with T.no_grad():
        y = x * 2
    seen.append(y.requires_grad)

    @T.no_grad()
    def doubler(x):
        return x * 2
    z = doubler(x)
    seen.append(z.requires_grad)

    @T.no_grad
    def tripler(x):
        return x * 3
    z = tripler(x)
    seen.append(z.requires_grad)
    # factory function exception
    with T.no_grad():
        a = (T.nn.Parameter if T is not ag else nn.Parameter)(T.rand(10))
    seen.append(a.requires_grad)
    with T.no_grad():
        with T.enable_grad():
            y = x * 2
    seen.append(y.requires_grad)
    y.backward()
    seen.append(x.grad.numpy().copy())

    @T.enable_grad()
    def doubler(x):
        return x * 2
    with T.no_grad():
        z = doubler(x)
    seen.append(z.requires_grad)
    is_train = False
    with T.set_grad_enabled(is_train):
        y = x * 2
    seen.append(y.requires_grad)
    _ = T.set_grad_enabled(True)
    y = x * 2
    seen.append(y.requires_grad)
    _ = T.set_grad_enabled(False)
    y = x * 2
    seen.append(y.requires_grad)
    seen.append(T.is_grad_enabled())
    _ = T.set_grad_enabled(True)
    x = T.ones(1, 2, 3, requires_grad=True)
    with T.inference_mode():
        y = x * x
    seen.append(y.requires_grad)

    @T.inference_mode()
    def func(x):
        return x * x
    out = func(x)
    seen.append(out.requires_grad)

    @T.inference_mode
    def doubler(x):
        return x * 2
    seen.append(doubler(x).requires_grad)
    with T.inference_mode(False):
        seen.append((x * 2).requires_grad)
    seen.append(x.is_inference())
    return seen, y


def test_grad_modes_as_the_docs_show_them(torch):
    ours, y = grad_mode_flags(ag)
    theirs, ty = grad_mode_flags(torch)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    assert ag.is_grad_enabled() and torch.is_grad_enabled()
    assert ty.is_inference() and not y.is_inference()  # an ordinary tensor here
    w = ag.ones(1, 2, 3, requires_grad=True)
    (y * w).sum().backward()  # PyTorch: "Inference tensors cannot be saved for backward"
    np.testing.assert_array_equal(w.grad.numpy(), np.ones((1, 2, 3)))


def test_eval_mode_is_not_no_grad(torch):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 4))
    outs = []
    for T, lib, _ in (libraries(torch), libraries()):
        model = lib.Sequential(lib.Linear(4, 3), lib.BatchNorm1d(3), lib.Dropout(0.5))
        if not outs:
            start = [p.detach().numpy().copy() for p in model.parameters()]
        _load(T, model, start)
        model.train()
        with T.no_grad():  # train mode, nothing recorded: batch statistics are updated
            model[:2](T.tensor(X))
        model.eval()  # dropout off, running statistics; the graph is still recorded
        out = model(T.tensor(X))
        assert out.requires_grad and not model.training
        out.sum().backward()
        with T.no_grad():
            again = model(T.tensor(X))
        assert not again.requires_grad
        outs.append([out.detach().numpy(), again.numpy(), model[0].weight.grad.numpy(),
                     model[1].running_mean.numpy()])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def inplace_cases(T, inplace=True):
    """The in-place correctness checks: PyTorch's backward refuses each; here only a
    write outside the graph (the last) is refused, and recorded ones are rebased."""
    def sigmoid_output_changed():
        a = T.tensor([0.1, -0.4, 2.0], requires_grad=True)
        b = a.sigmoid()  # saves its output
        if inplace:
            b.mul_(2)
        else:
            b = b * 2
        return a, b.sum()

    def input_changed():
        a = T.tensor([0.1, -0.4, 2.0], requires_grad=True)
        b = a * 1.0
        c = b.exp() * b  # saves b
        if inplace:
            b.add_(1)
        return a, c.sum()

    def view_input_changed():
        a = T.tensor([[0.1, -0.4], [2.0, 0.3]], requires_grad=True)
        b = a.exp()
        c = b.pow(2)  # saves b
        with T.no_grad():
            b[0].zero_()  # a write through a view, outside the graph
        return a, c.sum()
    return [sigmoid_output_changed, input_changed, view_input_changed]


def test_in_place_correctness_checks(torch):
    for theirs in inplace_cases(torch):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            theirs()[1].backward()
    *recorded, outside = inplace_cases(ag)
    with pytest.raises(ag.InplaceError, match="modified in place"):
        outside()[1].backward()
    # here b.mul_(2) is b = b * 2 rebased: ops that used b keep its old value
    for ours, written_out in zip(recorded, inplace_cases(torch, inplace=False)):
        (a, loss), (ta, tloss) = ours(), written_out()
        loss.backward()
        tloss.backward()
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-14)
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ag.InplaceError, match="leaf"):
        a.mul_(2)
    # a change that nothing saved is fine: add's backward needs no values
    got = []
    for T in (ag, torch):
        a = T.tensor([0.1, -0.4, 2.0], requires_grad=True)
        b = a + 1
        c = b.exp()
        b.add_(3)
        (c.sum() + b.sum()).backward()
        got.append(a.grad.numpy())
    np.testing.assert_allclose(*got, rtol=1e-14)


def hooks_program(T):
    seen = []
    x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.retain_grad()
    h = y.register_hook(lambda g: g * 2)  # doubles what flows on to x
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (y * y).sum().backward(retain_graph=True)
    seen += [y.grad.numpy().copy(), x.grad.numpy().copy()]
    h.remove()
    x.grad = None
    (y * y).sum().backward()
    seen += [x.grad.numpy().copy()]
    # a hook registered before an in-place change sees the gradient of the old value
    t = T.tensor(1., requires_grad=True).sin()
    t.register_hook(lambda g: seen.append(("before", g.item())))
    t.cos_()
    t.register_hook(lambda g: seen.append(("after", g.item())))
    t.backward()
    w = T.tensor([1.0, 2.0], requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.numpy().copy()))
    (w * w).sum().backward()
    return seen


def test_backward_hooks_on_tensors(torch):
    ours, theirs = hooks_program(ag), hooks_program(torch)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(a, tuple):
            assert a[0] == b[0] and a[1] == pytest.approx(b[1], rel=1e-14)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-14)


def test_complex_numbers_are_a_named_error():
    with pytest.raises(ag.DTypeError, match="complex128"):
        ag.tensor(np.array([1 + 2j, 3j]), requires_grad=True)


def threaded_training(T):
    import threading
    grads = []

    # Define a train function to be used in different threads
    def train_fn():
        x = T.ones(5, 5, requires_grad=True)
        # forward
        y = (x + 3) * (x + 4) * 0.5
        # backward
        y.sum().backward()
        # potential optimizer update
        grads.append(x.grad.numpy().copy())

    # User write their own threading code to drive the train_fn
    threads = []
    for _ in range(10):
        p = threading.Thread(target=train_fn, args=())
        p.start()
        threads.append(p)

    for p in threads:
        p.join()
    return grads


def test_concurrent_backward_in_threads(torch):
    ours, theirs = threaded_training(ag), threaded_training(torch)
    assert len(ours) == len(theirs) == 10
    np.testing.assert_array_equal(np.array(ours), np.array(theirs))  # 8.5 everywhere
