"""A write while recording (an operand requires grad) into a reshape, a view or a
transpose of a constant goes through to the constant, which joins the graph, as
PyTorch's (``CopySlices``); into a constant's ``detach()`` it changes the constant's
values, which stays outside the graph, as PyTorch's shared memory does. Before, the first
raised InplaceError and the second silently left the constant at its old values. A
``detach()`` of a tensor in a graph, or of a leaf that requires grad, is refused here
(PyTorch writes their memory too). Expected values come from PyTorch in float64; the
gradients are also checked against finite differences."""

import gc
import weakref

import numpy as np
import pytest

import autograd as ag

DATA = np.random.default_rng(24).normal(size=(2, 3))
WEIGHTS = np.arange(1.0, 7.0).reshape(2, 3)


def _reshape(lib, x):
    out = lib.zeros((2, 3))
    flat, row = out.reshape(6), out[1]
    flat += x.reshape(6) * 2.0
    return [out, flat, row, (out * lib.tensor(WEIGHTS)).sum() + (row * row).sum()]


def _transpose_then_view(lib, x):
    out = lib.ones((2, 3))
    t = out.T
    t.mul_(x.T)
    v = out.view(3, 2)
    v[0] = x[0, :2] * 3.0  # a whole view of a constant already in the graph
    return [out, t, v, (out * out * lib.tensor(WEIGHTS)).sum()]


def _permute_of_a_view(lib, x):
    out = lib.zeros((2, 3))
    p = out.view(2, 3, 1).permute(2, 0, 1)
    p.add_(x.exp())
    return [out, p, (out ** 3).sum()]


def _detached_constant(lib, x):
    out = lib.zeros((2, 3))
    row, d = out[0], out.detach()
    d += x * x  # out's values change, out stays outside the graph; row shows them
    return [out, row, d, (d * lib.tensor(WEIGHTS)).sum()]


PROGRAMS = [_reshape, _transpose_then_view, _permute_of_a_view, _detached_constant]


def _run(lib, program):
    x = lib.tensor(DATA, requires_grad=True)
    reads = program(lib, x)
    reads[-1].backward()
    return ([r.detach().numpy().copy() for r in reads] + [x.grad.numpy().copy()],
            [r.requires_grad for r in reads])


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__.strip("_"))
def test_writes_into_aliases_of_constants_end_as_in_pytorch(program, torch):
    (ours, our_flags), (theirs, their_flags) = _run(ag, program), _run(torch, program)
    assert our_flags == their_flags
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__.strip("_"))
def test_their_gradients_match_finite_differences(program):
    assert ag.gradcheck(lambda x: program(ag, x)[-1], [ag.tensor(DATA, requires_grad=True)])


def test_a_detached_constant_stays_outside_the_graph_and_reads_before_keep_old_values():
    x = ag.tensor(DATA, requires_grad=True)
    out = ag.ones((2, 3))
    d = out.detach()
    before = (d * 3.0).sum()  # read before the write: the old values
    d.mul_(x)
    assert not out.requires_grad and out.grad_fn is None and d.requires_grad
    np.testing.assert_array_equal(out.numpy(), DATA)
    assert before.item() == 18.0


@pytest.mark.parametrize("source", ["in a graph", "a leaf that requires grad"])
def test_a_detach_of_a_tensor_with_a_graph_refuses_the_write_it_would_miss(source, torch):
    def run(lib):
        x = lib.tensor(DATA, requires_grad=True)
        t = x * 2.0 if source == "in a graph" else x
        kept = t.detach().numpy().copy()
        d = t.detach()
        d += x * 1.0
        return kept, t.detach().numpy()
    kept, theirs = run(torch)
    assert not np.array_equal(kept, theirs)  # PyTorch writes t's memory
    with pytest.raises(ag.InplaceError, match=source):
        run(ag)


def test_a_detached_tensor_does_not_keep_its_source_alive():
    x = ag.tensor(DATA, requires_grad=True)
    h = x * 2.0  # a step's state: state.detach() starts the next step
    state = h.detach()
    source = weakref.ref(h)
    del h
    gc.collect()
    assert source() is None and state.shape == (2, 3)


WRITES = {
    "itself": lambda t, w: t.add_(w),
    "a row": lambda t, w: t[0].add_(w),
    "a row of its transpose": lambda t, w: t.T[:, 0].add_(w),
    "its detach()": lambda t, w: t.detach().add_(w),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_constant_whose_memory_numpy_holds_refuses_what_it_would_miss(write):
    """Such a write gives the constant a new array; a NumPy array that holds its memory
    (``Tensor(held)``, ``a = out.numpy()``) would keep the old values, where PyTorch's
    shared memory changes: refused, and the array is untouched."""
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    held = np.zeros((2, 2))
    with pytest.raises(ag.InplaceError, match="NumPy"):
        WRITES[write](ag.Tensor(held), w)
    np.testing.assert_array_equal(held, 0.0)
    out = ag.zeros((2, 2))
    a = out.numpy()
    with pytest.raises(ag.InplaceError):
        WRITES[write](out, w)
    del a  # nothing else holds the memory now: the write goes through, as PyTorch's
    WRITES[write](out, w)
    assert out.detach().numpy().any()


def test_a_state_detached_each_step_takes_writes_with_grad_as_pytorch(torch):
    """Truncated backpropagation's ``h = h.detach(); h += ...``: the earlier h is gone
    (its graph freed by the backward), so nothing is left to refuse the write for."""
    def run(lib):
        w = lib.tensor(DATA[0], requires_grad=True)
        h, grads = lib.zeros(3), []
        for step in range(4):
            h = h.detach()
            h += w * float(step + 1)
            (h * h).sum().backward()
            grads.append(w.grad.numpy().copy())
            w.grad = None
        return grads
    for ours, theirs in zip(run(ag), run(torch), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)

