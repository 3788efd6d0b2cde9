"""PyTorch-style custom Functions (session 38): ``mark_non_differentiable`` marks only what
forward returns; an output sharing an input's memory refuses in-place writes while
recording; ``grad_fn`` shows the ctx; ``vjp`` as ``backward``; ``forward`` returning None;
the freed-graph message names the attribute read. Expected values are derived by hand or
with NumPy."""

import gc

import numpy as np
import pytest

import autograd as ag


def _masked_identity() -> type:
    class MaskedId(ag.Function):
        @staticmethod
        def forward(ctx, x):
            m = x > 2
            ctx.mark_non_differentiable(m)  # an intermediate, not the output
            ctx.save_for_backward(m)
            return x * m

        @staticmethod
        def backward(ctx, g):
            (m,) = ctx.saved_tensors
            return g * m
    return MaskedId


def _identity(name: str = "Ident", part: bool = False) -> type:
    def forward(ctx, x):
        return x[0:1] if part else x

    def backward(ctx, g):
        if not part:
            return g * 2
        full = ag.zeros(2)
        full[0:1] = g
        return full
    return type(name, (ag.Function,), {"forward": staticmethod(forward),
                                       "backward": staticmethod(backward)})


# ---------------------------------------------------------------- 1: mark_non_differentiable
def test_marking_an_intermediate_keeps_the_output_differentiable():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    a = ag.tensor(values, requires_grad=True)
    y = _masked_identity().apply(a)
    assert y.requires_grad and y.grad_fn is not None
    (y.sum() + a.sum()).backward()
    np.testing.assert_allclose(a.grad.data, 1.0 + (values > 2))


def test_marking_the_output_itself_still_makes_it_constant():
    class Marked(ag.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            ctx.mark_non_differentiable(y)
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2
    y = Marked.apply(ag.ones(3, requires_grad=True))
    assert not y.requires_grad and y.grad_fn is None


def test_mark_non_differentiable_refuses_a_non_tensor():
    class Three(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable(3)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2
    with pytest.raises(ag.UsageError, match="mark_non_differentiable.*argument 0 is a int"):
        Three.apply(ag.ones(2, requires_grad=True))


# ---------------------------------------------------------------- 2: outputs sharing memory
@pytest.mark.parametrize("write", ["mul_", "add_", "setitem"])
def test_write_into_input_shared_with_an_output_is_refused(write):
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    x = a * 1
    y = _identity().apply(x)
    with pytest.raises(ag.InplaceError, match="output 0 of the custom Function Ident"):
        if write == "mul_":
            x.mul_(3)
        elif write == "add_":
            x.add_(a)
        else:
            x[0] = a[1]
    np.testing.assert_array_equal(x.data, [1.0, 2.0])  # nothing changed, still shared
    assert np.shares_memory(x.data, y.data)


@pytest.mark.parametrize("write", ["mul_", "setitem", "unsqueeze_", "through a view"])
@pytest.mark.parametrize("leaf", [False, True])
def test_write_into_output_sharing_an_input_is_refused(write, leaf):
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    x = a if leaf else a * 1
    y = _identity().apply(x)
    with pytest.raises(ag.InplaceError, match="custom Function Ident"):
        if write == "mul_":
            y.mul_(3)
        elif write == "setitem":
            y[0] = 5.0
        elif write == "unsqueeze_":
            y.unsqueeze_(0)
        else:
            y[0:1].mul_(2)
    np.testing.assert_array_equal(y.data, [1.0, 2.0])


def test_output_viewing_part_of_an_input_refuses_writes_into_either():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    x = a * 1
    y = _identity("Part", part=True).apply(x)
    with pytest.raises(ag.InplaceError, match="custom Function Part"):
        x.mul_(3)
    with pytest.raises(ag.InplaceError, match="custom Function Part"):
        y.mul_(3)
    y.sum().backward()  # the Function's own backward still runs
    np.testing.assert_array_equal(a.grad.data, [1.0, 0.0])


def test_write_into_the_base_of_a_shared_input_is_refused():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 1
    x = b[0:2]
    y = _identity().apply(x)
    with pytest.raises(ag.InplaceError, match="custom Function Ident"):
        b.mul_(3)
    np.testing.assert_array_equal(y.data, b.data[0:2])


def test_several_outputs_one_sharing_the_input():
    class Both(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x, x * 2

        @staticmethod
        def backward(ctx, g, h):
            return g + 2 * h
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    x = a * 1
    y, z = Both.apply(x)
    z.mul_(3)  # z has memory of its own
    with pytest.raises(ag.InplaceError, match="output 0 of the custom Function Both"):
        x.mul_(2)
    with pytest.raises(ag.InplaceError, match="output 0 of the custom Function Both"):
        y.mul_(2)


def test_without_recording_the_shared_write_stays():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    x = a * 1
    y = _identity().apply(x)
    with ag.no_grad():
        x.mul_(3)
    np.testing.assert_array_equal(y.data, [3.0, 6.0])
    with ag.no_grad():
        y.add_(1)
    np.testing.assert_array_equal(x.data, [4.0, 7.0])


def test_outputs_of_their_own_memory_and_dead_outputs_allow_writes():
    class Copy(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    x = a * 1
    y = Copy.apply(x)
    x.mul_(3)
    y.mul_(2)
    np.testing.assert_array_equal(x.data, [3.0, 6.0])
    np.testing.assert_array_equal(y.data, [2.0, 4.0])
    w = a * 1
    shared = _identity().apply(w)
    del shared
    gc.collect()
    w.mul_(3)  # the output that shared w's memory is gone
    (w.sum() * 1).backward()
    np.testing.assert_array_equal(a.grad.data, [3.0, 3.0])


# ---------------------------------------------------------------- 3: grad_fn shows the ctx
def _square() -> type:
    class Sq(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.k = 7
            return x * x

        @staticmethod
        def backward(ctx, g):
            return 2 * g * ctx.saved_tensors[0]
    return Sq


def test_grad_fn_shows_saved_tensors_and_ctx_attributes():
    x = ag.ones(2, requires_grad=True)
    y = _square().apply(x)
    (saved,) = y.grad_fn.saved_tensors
    assert saved is x
    assert y.grad_fn.k == 7
    assert y.grad_fn.needs_input_grad == (True,)
    with pytest.raises(AttributeError, match="'kk'"):
        y.grad_fn.kk
    assert not hasattr(y.grad_fn, "_k")
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2 * np.ones(2))
    assert y.grad_fn.k == 7  # ctx attributes outlive the backward, as PyTorch's
    with pytest.raises(ag.GraphFreedError, match="Sq.saved_tensors.*retain_graph=True"):
        y.grad_fn.saved_tensors


def test_grad_fn_of_several_outputs_shows_the_ctx():
    class Two(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.k = 3
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g, h):
            return 2 * g + 3 * h
    x = ag.ones(2, requires_grad=True)
    p, q = Two.apply(x)
    assert q.grad_fn.k == 3 and q.grad_fn.saved_tensors[0] is x
    (p.sum() + q.sum()).backward(retain_graph=True)
    assert p.grad_fn.saved_tensors[0] is x  # retained
    np.testing.assert_array_equal(x.grad.data, [5.0, 5.0])


# ---------------------------------------------------------------- 4: vjp, PyTorch's alias
def test_static_vjp_is_the_backward():
    class Double(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, g):
            return g * 2
    a = ag.ones(3, requires_grad=True)
    Double.apply(a).sum().backward()
    np.testing.assert_array_equal(a.grad.data, 2 * np.ones(3))


# ---------------------------------------------------------------- 5: forward returns None
def test_forward_returning_none_gives_none():
    seen = []

    class Log(ag.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(x.shape)

        @staticmethod
        def backward(ctx, *g):
            return None
    assert Log.apply(ag.ones(2, requires_grad=True)) is None
    assert seen == [(2,)]


# ---------------------------------------------------------------- 9: freed-graph message
def test_freed_graph_message_names_the_attribute_read():
    x = ag.ones(2, requires_grad=True)
    y = x * 3
    y.sum().backward()
    with pytest.raises(ag.GraphFreedError, match="MulScalar._saved_self: .*retain_graph"):
        y.grad_fn._saved_self
