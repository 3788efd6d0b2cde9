"""A view (a part, a reshape, a transpose, a diagonal, one element), a view of a view and
a detached tensor taken of a tensor in a graph show its new values after a recorded write
into it, and carry the gradient through that write, as PyTorch's; a part of a constant
written with a tensor that requires grad brings the constant into the graph. Before, they kept the
values from when they were taken (a silent difference from PyTorch: ``v = y[0];
y.mul_(3)`` left v at y's old row, and a loss built on v skipped the multiplication).
Expected values come from PyTorch in float64; the gradients are also checked against
finite differences."""

import numpy as np
import pytest

import autograd as ag

DATA = np.random.default_rng(23).normal(size=(3, 3))


def _row_transpose_detached(lib, y, x):
    v, t, d = y[0], y.T, y.detach()
    y.mul_(3.0)
    return [v, t, d, v.sum() * 5.0 + t[0, 1]]


def _view_of_a_view_and_a_diagonal(lib, y, x):
    w, dg = y[1].reshape(3, 1)[1:], y.diagonal()
    y.add_(x)
    return [w, dg, (w * w).sum() + dg.prod()]


def _element_and_setitem(lib, y, x):
    e, u = y[0, 1], y[2]
    y[2] = x[0] * 4.0  # a write by index reaches the views too
    return [e, u, e * u.sum()]


def _sibling_read_before_its_own_write(lib, y, x):
    a, b = y[:, 0], y[:, 1]
    a.clamp_(-0.5, 0.5)  # b's base was written: b shows it before b is written itself
    reads = [b.clone()]
    b.mul_(x[0])
    return reads + [a, b, (a * b).sum()]


def _used_before_and_after_the_write(lib, y, x):
    v = y[0]
    before = v * 2.0  # read before the write: its old value
    y.mul_(x)
    return [before, v, before.sum() + (v * v).sum()]


def _write_through_a_transpose(lib, y, x):
    r, flat = y[1], y.reshape(9)
    y.T.mul_(x)  # written through a view: y's other views show it too
    return [r, flat, r.sum() + flat[::2].sum()]


def _detached_through_two_writes(lib, y, x):
    d, part = y.detach(), y[0:1]
    part.add_(0.5)  # y's first write, through a view
    y.mul_(x)  # its second: d follows both (the fuzzer found it stopped at the first)
    return [d, part, part.sum() + (y * y).sum()]


def _view_of_a_constant_brought_into_the_graph(lib, y, x):
    c = lib.tensor(np.zeros((3, 3)))
    v = c[1:]  # a view of a constant, outside the graph
    c.add_(x)  # a write with a tensor that requires grad brings c into the graph ...
    return [v, c, (v * v).sum() + c.sum()]  # ... and v with it, as PyTorch's


def _view_read_by_the_written_value(lib, y, x):
    e = y[1].select(0, 0)  # y's element, read by the value written into y below
    c = lib.tensor(np.zeros((3, 3)))
    c[0, 0] = e
    y.add_(c)  # (the write rewired e's op to y's earlier self: e still follows y)
    return [e, e * 3.0 + y.sum()]


def _detached_part_through_its_write_and_its_bases(lib, y, x):
    part = y[0:1]
    d = part.detach()
    part.add_(0.5)  # the part's own write goes into y ...
    y.clamp_(-0.55, 0.65)  # ... and y's next write reaches d too (the fuzzer: it did not)
    return [d, part, part.sum() * 3.0 + (y * y).sum()]


def _views_across_in_place_reshapes(lib, y, x):
    row, d = y[0], y.detach()
    y.unsqueeze_(0)  # (1, 3, 3): row and d still view y's memory, in y's old shape
    y[0, 0, 2] = x[2, 0] * 3.0
    y.squeeze_(0)
    y.mul_(x[1])
    return [row, d, y.clone(), row.sum() * 2.0 + (y * y).sum()]


def _views_across_in_place_transposes(lib, y, x):
    row, col = y[0], y[:, 1]
    y.t_()  # y's rows are the old columns
    y[1, 0] = x[0, 0] * 5.0  # the old y[0, 1]: in row and in col
    y.transpose_(0, 1)
    y[2] += x[1]
    return [row, col, y.clone(), row.sum() + (col * col).sum() + y[2].sum()]


PROGRAMS = [_views_across_in_place_reshapes, _views_across_in_place_transposes,
            _row_transpose_detached, _detached_part_through_its_write_and_its_bases,
            _view_of_a_view_and_a_diagonal, _element_and_setitem,
            _sibling_read_before_its_own_write, _used_before_and_after_the_write,
            _write_through_a_transpose, _detached_through_two_writes,
            _view_of_a_constant_brought_into_the_graph, _view_read_by_the_written_value]


def _run(lib, program):
    x = lib.tensor(DATA, requires_grad=True)
    y = x * x
    reads = program(lib, y, x)
    reads[-1].backward()
    return [r.detach().numpy().copy() for r in reads] + [x.grad.numpy().copy()]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__.strip("_"))
def test_views_show_their_base_after_a_write_as_in_pytorch(program, torch):
    for ours, theirs in zip(_run(ag, program), _run(torch, program), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__.strip("_"))
def test_the_gradient_through_the_refreshed_views_matches_finite_differences(program):
    def loss(x):
        return program(ag, x * x, x)[-1]
    assert ag.gradcheck(loss, [ag.tensor(DATA, requires_grad=True)])


def test_a_view_taken_under_no_grad_shows_the_new_values(torch):
    found = []
    for lib in (ag, torch):
        x = lib.tensor(DATA, requires_grad=True)
        y = x * 2.0
        with lib.no_grad():
            u = y[1]
        y.mul_(3.0)
        found.append(u.detach().numpy().copy())  # PyTorch forbids u's grad_fn now; here
    np.testing.assert_allclose(*found, rtol=1e-12)  # u is y's recorded view from then on


def test_a_view_keeps_showing_its_base_through_several_writes():
    x = ag.tensor(DATA, requires_grad=True)
    y = x * 1.0
    v = y[0]
    for k in range(3):
        y.add_(1.0)
        np.testing.assert_array_equal(v.detach().numpy(), y.detach().numpy()[0])
    v.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.outer([1.0, 0, 0], np.ones(3)))


def test_views_of_a_base_sliced_step_by_step_are_not_all_kept():
    h = ag.tensor(np.ones((2, 300)), requires_grad=True) * 2.0
    for t in range(300):
        h[:, t].sum()  # dropped at once: the base's list drops them as it grows
    assert len(h._views) < 64


def _parts_of_constants(lib, x):
    out = lib.tensor(np.zeros((3, 2)))
    out[:, 0] += x[0]  # a column of a constant, written with a tensor that requires grad
    pose = lib.tensor(np.eye(4))
    pose[:3, 3] += x[1]  # PyTorch3D's and Kornia's homogeneous matrices
    m = lib.tensor(np.eye(3))
    m.diagonal().add_(x[2] * 2.0)
    return [out, pose, m, (out * out).sum() + (m @ m).sum() + (pose @ pose).sum()]


def test_a_write_into_a_part_of_a_constant_brings_it_into_the_graph_as_pytorch(torch):
    def run(lib):
        x = lib.tensor(DATA, requires_grad=True)
        reads = _parts_of_constants(lib, x)
        reads[-1].backward()
        return [r.detach().numpy().copy() for r in reads] + [x.grad.numpy().copy()]
    for ours, theirs in zip(run(ag), run(torch), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(lambda x: _parts_of_constants(ag, x)[-1],
                        [ag.tensor(DATA, requires_grad=True)])
