"""No silent wrong gradient: grad modes per thread, shared versions under aliasing,
leaf gradients that own their memory, ``grad()`` stopping at its inputs, inputs that
need no gradient being skipped. Each test fails on the engine before issue 9."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError, Tensor
from autograd.extend import Function


def leaf(*shape: int, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


# ------------------------------------------------------------------ grad mode per thread
def test_grad_mode_of_one_thread_does_not_leak_into_another() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with ag.no_grad():  # this thread turns recording off and keeps it off a while
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(5)
    try:
        first = (w * w).sum()  # recorded in this thread while the other is in no_grad
        assert ag.is_grad_enabled()
        loss = first + (w * 3).sum()
    finally:
        release.set()
        thread.join()
    loss.backward()
    np.testing.assert_array_equal(w.grad.data, 2 * w.data + 3)


def test_a_backward_in_another_thread_does_not_switch_recording_off_here() -> None:
    modes: list[bool] = []
    done = [0]
    stop = threading.Event()

    def backward_loop() -> None:
        x = Tensor(np.ones(50), requires_grad=True)
        while not stop.is_set():
            y = x
            for _ in range(20):
                y = y * 1.0
            y.sum().backward()
            done[0] += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so samples fall inside backwards
    thread = threading.Thread(target=backward_loop)
    thread.start()
    try:
        while done[0] < 50 or len(modes) < 10_000:  # sample during 50 backward passes
            modes.append(ag.is_grad_enabled())
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert all(modes)


def test_backward_in_several_threads_adds_every_part_to_a_shared_leaf() -> None:
    """Hogwild style: threads run backward passes that share a leaf. Adding to its
    ``.grad`` is read, add, store; NumPy releases the GIL inside a large add, so without
    a lock two threads lost parts (a fifth to a third of them). PyTorch counts all."""
    w = Tensor(np.ones((300, 300)), requires_grad=True)
    threads, passes = 4, 50
    x = Tensor(np.ones(300))

    def work() -> None:
        for _ in range(passes):
            (w * x).sum().backward()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    np.testing.assert_array_equal(w.grad.data, np.full(w.shape, float(threads * passes)))


# ------------------------------------------------------------------ grad mode forms
def test_no_grad_without_parentheses_and_as_a_generator_decorator() -> None:
    x = leaf(2)

    @ag.no_grad
    def untracked(t: Tensor) -> Tensor:
        return t * 2

    @ag.no_grad()
    def generate(t: Tensor):
        for _ in range(2):
            yield t * 2, ag.is_grad_enabled()

    assert not untracked(x).requires_grad and untracked.__name__ == "untracked"
    outside = []
    for y, mode in generate(x):
        assert not y.requires_grad and not mode  # the generator's code runs untracked
        outside.append(ag.is_grad_enabled())  # the caller's code keeps its mode
    assert outside == [True, True]

    @ag.no_grad()
    def cleans_up():  # closing it early runs its finally block under its mode too
        try:
            yield 1
        finally:
            outside.append(ag.is_grad_enabled())
    started = cleans_up()
    next(started)
    started.close()
    assert outside[2:] == [False] and ag.is_grad_enabled()  # as PyTorch's


def test_set_grad_enabled_called_as_a_function_switches_until_switched_back() -> None:
    x = leaf(2)
    try:
        ag.set_grad_enabled(False)
        assert not ag.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)
    assert (x * 2).requires_grad
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()

    @ag.set_grad_enabled(False)
    def f(t: Tensor) -> Tensor:
        return t * 2

    assert ag.is_grad_enabled()  # decorating does not switch
    assert not f(x).requires_grad and ag.is_grad_enabled()


# ------------------------------------------------------------------ one version per memory
def _a_and_w() -> tuple[Tensor, Tensor, Tensor]:
    a = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    w = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    return a, w, (a * w).sum()


@pytest.mark.parametrize("write", [
    lambda a: a.detach().__iadd__(10),
    lambda a: a[0].__iadd__(10),
    lambda a: a.reshape(4, 1).__imul__(2),
    lambda a: Tensor(a.data).__isub__(1),
    lambda a: a.fill_(0),
    lambda a: setattr(a, "data", a.data + 10),
], ids=["detached", "a row", "a reshape", "Tensor(a.data)", "itself", "assigned .data"])
def test_a_write_through_any_alias_is_caught(write) -> None:
    a, w, y = _a_and_w()
    write(a)
    with pytest.raises(InplaceError, match="modified in place"):
        y.backward()


def test_bump_version_right_after_the_op_is_caught() -> None:
    """A write stamped at the very next creation number (nothing made in between) still
    postdates the op: the comparison is strict, not off by one."""
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    y = x.exp()  # Exp reads its output in the backward
    y.data[...] = 0.0
    y.bump_version()
    with pytest.raises(InplaceError, match="needed by Exp"):
        y.sum().backward()


def test_an_optimizer_step_between_two_backwards_is_caught() -> None:
    nn = pytest.importorskip("nn")
    # two layers: the second's input gradient reads its weight (with one Linear on a
    # constant input no gradient reads a weight, and PyTorch, as this, raises nothing)
    model = nn.Sequential(nn.Linear(3, 3, rng=0), nn.Tanh(), nn.Linear(3, 2, rng=1))
    loss = (model(Tensor(np.ones((4, 3)))) ** 2).sum()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(InplaceError, match="optimizer step"):
        loss.backward()


def test_writes_before_the_forward_and_to_unrelated_arrays_are_fine() -> None:
    a, w, _ = _a_and_w()
    a.detach().__iadd__(1)  # before the graph below exists
    a.data = a.data * 1.0
    y = (a * w).sum()
    Tensor(np.ones(3)).__iadd__(1)  # other memory
    y.backward()
    np.testing.assert_array_equal(w.grad.data, a.data)


# ------------------------------------------------------------------ leaf grads own memory
def test_create_graph_leaf_gradients_own_their_memory() -> None:
    x, y = leaf(3), leaf(3, seed=1)
    (x + y).sum().backward(create_graph=True)
    assert x.grad is not y.grad
    assert not np.shares_memory(x.grad.data, y.grad.data)
    for g in (x.grad, y.grad):
        assert g.data.flags.writeable and g.data.flags.owndata


def test_clip_grad_norm_after_create_graph_scales_each_gradient_once() -> None:
    nn = pytest.importorskip("nn")
    x, y = leaf(3), leaf(3, seed=1)
    (x + y).sum().backward(create_graph=True)
    total = nn.utils.clip_grad_norm_([x, y], max_norm=1.0)
    np.testing.assert_allclose(total, np.sqrt(6.0))
    scale = 1.0 / (total + 1e-6)
    np.testing.assert_allclose(x.grad.data, np.full(3, scale))
    np.testing.assert_allclose(y.grad.data, np.full(3, scale))


# ------------------------------------------------------------------ grad() stops at inputs
def test_grad_with_respect_to_a_non_leaf_leaves_its_backward_alone() -> None:
    x = Tensor(2.0, requires_grad=True)
    h = x * 3.0
    (dh,) = ag.grad(h * h, h)
    assert dh.item() == 2 * h.item()
    h.backward()  # h's own op was neither run nor released by grad()
    assert x.grad.item() == 3.0
    assert x.grad is not None


def test_grad_with_respect_to_a_non_leaf_and_its_input_goes_through_it() -> None:
    x = Tensor(2.0, requires_grad=True)
    h = x * 3.0
    dh, dx = ag.grad(h * h + x, [h, x])
    assert dh.item() == 2 * h.item() and dx.item() == 2 * h.item() * 3.0 + 1.0


class _Counting(Function):
    """y = x * 1, counting its VJP calls (class-wide)."""
    calls = 0

    def forward(self, x):
        return x * 1.0

    def vjp(self, g, out, x):
        type(self).calls += 1
        return (g,)


def test_grad_visits_only_the_graph_between_outputs_and_inputs() -> None:
    x = leaf()
    early = x
    for _ in range(50):
        early = _Counting()(early)  # a long history before the input
    _Counting.calls = 0
    (dy,) = ag.grad(early * early, early)
    assert _Counting.calls == 0  # nothing older than the input ran
    np.testing.assert_allclose(dy.data, 2 * early.data)


# ------------------------------------------------------------------ unneeded inputs skipped
class _Recorder(Function):
    """out = a * b; remembers which gradients the engine asked for."""
    asked: tuple = ()

    def forward(self, a, b):
        return a * b

    def vjp(self, g, out, a, b):
        type(self).asked = self.needs_input_grad
        return (g * b if self.needs_input_grad[0] else None,
                g * a if self.needs_input_grad[1] else None)


def test_the_vjp_is_told_which_inputs_need_a_gradient() -> None:
    x, c = leaf(3), Tensor(np.arange(3.0))
    _Recorder()(x, c).sum().backward()
    assert _Recorder.asked == (True, False)
    np.testing.assert_array_equal(x.grad.data, c.data)


def test_builtin_binary_ops_compute_no_gradient_for_a_constant() -> None:
    """(Add hands g to both inputs: passing it on costs nothing, so it stays as it is.)"""
    x, c = leaf(3), Tensor(np.arange(1.0, 4.0))
    for y in (x * c, c * x, x / c, c / x, x - c, c - x,
              ag.maximum(x, c), ag.minimum(x, c), ag.where(c.data > 1, x, c)):
        op = y.grad_fn
        constant = [i for i, p in enumerate(op.parents) if p is c][0]
        grads = op.vjp(np.ones(3), y.data, *[p.data for p in op.parents])
        assert grads[constant] is None, op.name()


def test_a_vjp_gradient_for_a_constant_input_is_dropped_as_pytorch() -> None:
    """A user op may return gradients for every input: a constant's is not stored."""
    torch = pytest.importorskip("torch")

    class Both(ag.Function):
        def forward(self, x, c):
            return x * c

        def vjp(self, g, out, x, c):
            return g * 2, g * 3

    class TorchBoth(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, c):
            return x * c

        @staticmethod
        def backward(ctx, g):
            return g * 2, g * 3

    x, c = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2))
    tx, tc = torch.ones(2, dtype=torch.float64, requires_grad=True), torch.ones(2)
    Both.apply(x, c).sum().backward()
    TorchBoth.apply(tx, tc).sum().backward()
    assert c.grad is None and tc.grad is None
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())


def test_anomaly_blames_only_the_op_that_made_the_nan() -> None:
    """An op fed a NaN that was already there (data, an earlier op outside the mode) is
    not blamed in the forward pass: only one that makes NaN/Inf from finite inputs."""
    x = Tensor(np.array([np.nan, 1.0]), requires_grad=True)
    with ag.detect_anomaly():
        y = (x * 2).exp()
    assert np.isnan(y.data[0])
