"""Found by fuzzing the graph API and grad modes against torch.autograd (session 34):
``backward(inputs=[h])`` with h keeping its gradient (``retain_grad()``, or an earlier
``backward(inputs=[h])``) added h's gradient twice; two threads releasing one graph could
meet a bare TypeError instead of GraphFreedError; ``materialize_grads`` zeros did not
require grad under ``create_graph``; PyTorch's ``set_detect_anomaly``,
``detect_anomaly(check_nan=)`` and ``autograd.graph.Node`` were missing."""
from __future__ import annotations

import sys
import threading
from collections import Counter

import numpy as np
import pytest

import autograd as ag
from autograd import graph
from autograd.errors import AnomalyError, DTypeError, MissingNameError, UsageError


def _retained_grads(lib, make):
    """h.grad after each of two backward(inputs=[h]) passes, and after one with h retained
    and a leaf among the inputs."""
    x = make([1.0, 2.0])
    h = x * x
    z = h.sum() * 3
    seen = []
    for _ in range(2):
        z.backward(inputs=[h], retain_graph=True)
        seen.append(np.array(h.grad.tolist()))
    x2 = make([1.0, 2.0])
    h2 = x2 * x2
    h2.retain_grad()
    (h2.sum() * 3).backward(inputs=[h2, x2])
    seen.append(np.array(h2.grad.tolist()))
    seen.append(np.array(x2.grad.tolist()))
    return seen


def test_backward_inputs_add_a_retained_gradient_once_as_pytorch(torch):
    ours = _retained_grads(ag, lambda v: ag.tensor(v, requires_grad=True))
    theirs = _retained_grads(torch, lambda v: torch.tensor(v, requires_grad=True))
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_two_threads_releasing_one_graph_meet_graph_freed_error():
    """The loser of the race gets the named error (a bare TypeError came now and then when
    the other thread released the op between the VJP and the loop over its inputs)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    seen: Counter = Counter()
    try:
        for _ in range(60):
            w = ag.Tensor(np.linspace(-1, 1, 50), requires_grad=True)
            base = w
            for _ in range(30):
                base = (base * 1.01).sin()
            barrier = threading.Barrier(2)

            def run(k: float) -> None:
                barrier.wait()
                try:
                    (base * k).sum().backward()
                except Exception as exc:  # noqa: BLE001 (counted: the test checks the kinds)
                    seen[type(exc).__name__] += 1

            threads = [threading.Thread(target=run, args=(k,)) for k in (1.0, 2.0)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        sys.setswitchinterval(before)
    assert set(seen) <= {"GraphFreedError"}, seen


def test_materialized_zeros_require_grad_under_create_graph(torch):
    x, z = ag.ones(2, requires_grad=True), ag.ones(2, requires_grad=True)
    gx, gz = ag.grad((x * x).sum(), [x, z], materialize_grads=True, create_graph=True)
    tx, tz = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    hx, hz = torch.autograd.grad((tx * tx).sum(), [tx, tz], materialize_grads=True,
                                 create_graph=True)
    assert (gx.requires_grad, gz.requires_grad) == (hx.requires_grad, hz.requires_grad)
    assert ag.grad(gz.sum(), [x, z], allow_unused=True) == (None, None)
    assert torch.autograd.grad(hz.sum(), [tx, tz], allow_unused=True) == (None, None)
    _, plain = ag.grad((x * x).sum(), [x, z], materialize_grads=True)
    assert not plain.requires_grad and np.array_equal(plain.data, np.zeros(2))


def test_set_detect_anomaly_and_check_nan(torch):
    x = ag.Tensor([-1.0, 4.0], requires_grad=True)
    with ag.detect_anomaly(check_nan=False):  # origins recorded, NaN not checked
        assert ag.is_anomaly_enabled() and not ag.is_anomaly_check_nan_enabled()
        y = x.sqrt().sum()
    y.backward()
    assert np.isnan(x.grad.data[0])
    assert not ag.is_anomaly_enabled() and not ag.is_anomaly_check_nan_enabled()
    ag.set_detect_anomaly(True)  # a plain call switches, as PyTorch's
    try:
        assert ag.is_anomaly_enabled() and ag.is_anomaly_check_nan_enabled()
        with pytest.raises(AnomalyError):
            x.sqrt()
    finally:
        ag.set_detect_anomaly(False)
    assert not ag.is_anomaly_enabled()
    with ag.set_detect_anomaly(True):
        assert ag.is_anomaly_enabled()
    assert not ag.is_anomaly_enabled()

    @ag.set_detect_anomaly(True)
    def inside() -> bool:
        return ag.is_anomaly_enabled()

    assert (ag.is_anomaly_enabled(), inside(), ag.is_anomaly_enabled()) == (False, True, False)
    with torch.autograd.set_detect_anomaly(True, check_nan=False):  # PyTorch's states agree
        assert torch.is_anomaly_enabled() and not torch.is_anomaly_check_nan_enabled()
    with pytest.raises(UsageError, match="check_nan must be a bool"):
        ag.detect_anomaly(check_nan=3)


def test_graph_node_kinds_and_missing_names(torch):
    x = ag.ones(2, requires_grad=True)
    y = (x * x).sum()
    mul = y.grad_fn.next_functions[0][0]
    assert isinstance(y.grad_fn, graph.Node) and isinstance(mul, graph.Node)
    assert all(isinstance(node, graph.Node) for node, _ in mul.next_functions)  # AccumulateGrad
    tx = torch.ones(2, requires_grad=True)
    ty = (tx * tx).sum()
    assert isinstance(ty.grad_fn.next_functions[0][0].next_functions[0][0],
                      torch.autograd.graph.Node)
    with graph.disable_saved_tensors_hooks("no hooks here"):
        pass
    with pytest.raises(MissingNameError, match="t.register_hook"):
        graph.register_multi_grad_hook  # noqa: B018
    assert not hasattr(graph, "no_such_name")


def test_bad_inputs_gradients_and_hooks_get_named_errors():
    x = ag.ones(3, requires_grad=True)
    with pytest.raises(UsageError, match="inputs= is a Tensor or a list of Tensors"):
        (x * x).sum().backward(inputs=3)
    with pytest.raises(DTypeError, match="is a str"):
        (x * x).backward("ab")
    with pytest.raises(DTypeError, match="is a str"):
        ag.grad(x * x, x, "abc")
    with pytest.raises(UsageError, match="needs a function"):
        x.register_post_accumulate_grad_hook(3)


def test_is_inference_mode_enabled_as_pytorch(torch):
    def states(lib):
        seen = [lib.is_inference_mode_enabled()]
        with lib.inference_mode():
            seen.append(lib.is_inference_mode_enabled())
            with lib.inference_mode(False):
                seen.append(lib.is_inference_mode_enabled())
            seen.append(lib.is_inference_mode_enabled())

        @lib.inference_mode()
        def decorated():
            return lib.is_inference_mode_enabled()

        def generator():
            yield lib.is_inference_mode_enabled()

        seen += [decorated(), lib.is_inference_mode_enabled()]
        seen += list(lib.inference_mode()(generator)())
        return seen

    assert states(ag) == states(torch)
