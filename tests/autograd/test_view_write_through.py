"""A write into a view of a tensor in a graph being recorded (a transpose, a permute, a
diagonal, a row of a transpose, an in-place unsqueeze_) reaches the tensor it views, as in
PyTorch, and is recorded there: the base's values and every gradient are PyTorch's.
Before, a transpose raised InplaceError and a diagonal silently changed alone (a copy).
Expected values come from PyTorch in float64; one program is also checked against
finite differences, and one at second order."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(22)
DATA = RNG.normal(size=(3, 3))


def _transposed(lib, y, x):
    y.T.mul_(2.0)


def _row_of_transpose(lib, y, x):
    y.T[0].add_(x[:, 1])


def _permuted_slice(lib, y, x):
    y.permute(1, 0)[:, 1:] = x[:, :2] * 3.0


def _matrix_transpose_then_row(lib, y, x):
    y.mT[1] = x[2]


def _moved_axis_row(lib, y, x):
    y.movedim(0, 1)[2].mul_(x[0])


def _diagonal(lib, y, x):
    y.diagonal().mul_(x.diagonal())


def _offset_diagonal_of_transpose(lib, y, x):
    y.T.diagonal(1).sub_(x[0, :2])


def _transpose_of_row(lib, y, x):
    y[1:].T.mul_(x[1:].T)  # the part's transpose: written into the part, then into y


def _unsqueezed_in_place(lib, y, x):
    r = y[0]
    r.unsqueeze_(0)
    r.mul_(x[1])


def _transposed_in_place(lib, y, x):
    y.t_()
    y[0].add_(x[0])


def _writes_through_a_view_again(lib, y, x):
    a = y.T  # a stays y's view after each write (a write into y itself would not reach
    a.mul_(2.0)  # a: the README's "views taken before keep the old values")
    a.add_(1.0)
    a[0].mul_(x[0])
    y.diagonal().sub_(x.diagonal())
    a.T.reshape(9)[::4].mul_(x[1])


def _sibling_views(lib, y, x):
    x1, y1 = y[:, 0], y[:, 1]  # detection code's box columns: two views of one base
    x1.clamp_(0.5, 2.0)
    y1.clamp_(0.5, 2.0)  # before, this second write stopped at y1: y kept its old column


def _sibling_views_of_a_transpose(lib, y, x):
    t = y.T
    first, last = t[0], t.reshape(9)[6:]
    first.mul_(x[1])
    last.add_(x[2])
    t.diagonal().mul_(3.0)


PROGRAMS = [_sibling_views, _sibling_views_of_a_transpose, _transposed, _row_of_transpose,
            _permuted_slice, _matrix_transpose_then_row, _moved_axis_row, _diagonal,
            _offset_diagonal_of_transpose, _transpose_of_row, _unsqueezed_in_place,
            _transposed_in_place, _writes_through_a_view_again]


def _run(lib, program):
    x = lib.tensor(DATA, requires_grad=True)
    y = x * x
    program(lib, y, x)
    (y * y * x).sum().backward()
    return y.detach().numpy().copy(), x.grad.numpy().copy()


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__.strip("_"))
def test_a_write_into_a_view_reaches_its_base_as_in_pytorch(program, torch):
    for ours, theirs in zip(_run(ag, program), _run(torch, program)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_the_gradient_through_written_views_matches_finite_differences():
    def f(x):
        y = x * x
        _writes_through_a_view_again(ag, y, x)
        _sibling_views_of_a_transpose(ag, y, x)
        _transpose_of_row(ag, y, x)
        return (y * y * x).sum()
    assert ag.gradcheck(f, [ag.tensor(DATA, requires_grad=True)])


def test_second_order_through_a_diagonal_write(torch):
    results = []
    for lib, grad in ((ag, ag.grad), (torch, torch.autograd.grad)):
        x = lib.tensor(DATA, requires_grad=True)
        y = x * x
        y.diagonal().mul_(x.diagonal())
        (g,) = grad((y * y).sum(), x, create_graph=True)
        (g * g).sum().backward()
        results.append((g.detach().numpy().copy(), x.grad.numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_a_view_of_a_leaf_that_requires_grad_is_still_refused():
    leaf = ag.tensor(DATA, requires_grad=True)
    for view in (leaf.T, leaf.diagonal()):
        with pytest.raises(ag.InplaceError):
            view.mul_(2.0)
    np.testing.assert_array_equal(leaf.detach().numpy(), DATA)
