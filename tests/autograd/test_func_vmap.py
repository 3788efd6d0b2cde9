"""``autograd.func.vmap`` (a loop with PyTorch's semantics) against ``torch.vmap``, and
``autograd.func.functional_call`` (duck-typed swaps of parameters and buffers)."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import AxisError, ShapeError, UsageError
from autograd.func import functional_call, grad, vmap

RNG = np.random.default_rng(3)


def both(torch, fn_of_T, *arrays):
    """fn_of_T(T)(*tensors) for this library and PyTorch, the results compared."""
    ours = fn_of_T(ag)(*[ag.tensor(a) for a in arrays])
    theirs = fn_of_T(torch)(*[torch.tensor(a) for a in arrays])
    leaves, _ = ag.func_pytree.flatten(ours)
    t_leaves = torch.utils._pytree.tree_leaves(theirs)
    assert len(leaves) == len(t_leaves)
    for a, b in zip(leaves, t_leaves):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-12, atol=1e-14)
    return ours


@pytest.mark.parametrize("in_dims, out_dims, x_shape, y_shape", [
    (0, 0, (3, 4), (3, 4)), ((1, None), 0, (4, 3), (4,)), ((-1, 0), 1, (4, 3), (3, 4)),
    ((0, None), -1, (3, 4), (4,)), ((None, 0), (0, 1), (4,), (3, 4))])
def test_vmap_matches_torch_vmap(torch, in_dims, out_dims, x_shape, y_shape):
    def program(T):
        def f(a, b):
            if isinstance(out_dims, tuple):
                return (a * b).sum(), a.sin() + b
            return a.sin() * b

        return T.func.vmap(f, in_dims, out_dims)

    both(torch, program, RNG.standard_normal(x_shape), RNG.standard_normal(y_shape))


def test_vmap_nests_and_takes_trees(torch):
    x, y = RNG.standard_normal(3), RNG.standard_normal(5)
    outer = both(torch, lambda T: T.func.vmap(T.func.vmap(lambda a, b: a * b,
                                                          (None, 0)), (0, None)), x, y)
    np.testing.assert_allclose(outer.data, np.outer(x, y), rtol=1e-15)
    d = {"w": RNG.standard_normal((2, 3)), "s": RNG.standard_normal((3, 2))}
    both(torch, lambda T: lambda w, s, z: T.func.vmap(
        lambda p, q: {"a": p["w"] @ p["s"] + q[0], "b": [q[1] * 2]},
        in_dims=({"w": 1, "s": 0}, [None, 0]), out_dims={"a": 0, "b": [1]})(
            {"w": w, "s": s}, [z, z.reshape(-1, 1)]), d["w"], d["s"], RNG.standard_normal(3))


def test_vmap_passes_kwargs_whole_and_keeps_unbatched_outputs():
    x = ag.tensor(RNG.standard_normal((4, 2)))
    got = vmap(lambda a, scale=1.0: a * scale)(x, scale=3.0)
    np.testing.assert_allclose(got.data, 3 * x.data)
    const = ag.tensor([1.0, 2.0])
    y, c = vmap(lambda a: (a.sum(), const), out_dims=(0, None))(x)
    assert c is const and y.shape == (4,)
    with pytest.raises(UsageError, match="differs between samples"):
        vmap(lambda a: a, out_dims=None)(x)


def test_vmap_results_are_differentiable_and_per_sample_grads_match_the_loop():
    x = ag.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
    w = ag.tensor(RNG.standard_normal(2))
    vmap(lambda a: (a * w).tanh().sum())(x).sum().backward()
    np.testing.assert_allclose(x.grad, (1 - np.tanh(x.data * w.data) ** 2) * w.data,
                               rtol=1e-12)
    per_sample = vmap(grad(lambda ww, a: (a * ww).tanh().sum()), in_dims=(None, 0))(w, x)
    for i in range(3):
        want = grad(lambda ww: (x[i].detach() * ww).tanh().sum())(w)
        np.testing.assert_allclose(per_sample.data[i], want.data, rtol=1e-14)


def test_vmap_randomness():
    x = ag.zeros(3, 2)
    with pytest.raises(UsageError, match="randomness='error'"):
        vmap(lambda a: a + ag.randn(2))(x)
    same = vmap(lambda a: a + ag.randn(2), randomness="same")(x)
    np.testing.assert_array_equal(same.data[0], same.data[2])
    different = vmap(lambda a: a + ag.randn(2), randomness="different")(x)
    assert not np.array_equal(different.data[0], different.data[1])
    assert vmap(lambda a: a * 2, chunk_size=2)(x).shape == (3, 2)
    for bad in ({"randomness": "any"}, {"chunk_size": 0}, {"in_dims": [0]}):
        with pytest.raises(UsageError):
            vmap(lambda a: a, **bad)


def test_vmap_named_errors():
    x, y = ag.ones(3, 2), ag.ones(4, 2)
    with pytest.raises(ShapeError, match=r"batch sizes \[3, 4\]"):
        vmap(lambda a, b: a + b)(x, y)
    with pytest.raises(UsageError, match="no input is batched"):
        vmap(lambda a: a, in_dims=None)(x)
    with pytest.raises(UsageError, match="only Tensors can be batched"):
        vmap(lambda a, b: a * b)(x, 2.0)
    with pytest.raises(UsageError, match="2 entries for 1"):
        vmap(lambda a: a, in_dims=(0, 0))(x)
    with pytest.raises(UsageError, match="dict"):
        vmap(lambda p: p["a"], in_dims=({"b": 0},))({"a": x})
    with pytest.raises(AxisError):
        vmap(lambda a: a, in_dims=2)(x)
    assert vmap(lambda a: a)(ag.ones(0, 2)).shape == (0, 2)  # empty, as PyTorch's
    with pytest.raises(UsageError, match="must return Tensors"):
        vmap(lambda a: 1.0)(x)


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(2, 2, bias=False)
        self.dec = nn.Linear(2, 2, bias=False)
        self.dec.weight = self.enc.weight
        self.plist = nn.ParameterList([nn.Parameter(np.ones(2))])
        self.register_buffer("offset", np.zeros(2))

    def forward(self, x, shift=0.0):
        return self.dec(self.enc(x)) * self.plist[0] + self.offset + shift


def test_functional_call_swaps_ties_and_restores():
    model = Tied()
    originals = {k: v for k, v in model.named_parameters(remove_duplicate=False)}
    x = ag.tensor([1.0, -1.0])
    w = ag.tensor(np.eye(2) * 2)
    out = functional_call(model, {"enc.weight": w}, x)  # dec.weight is tied: both swap
    np.testing.assert_allclose(out.data, 4 * x.data)
    out = functional_call(model, {"enc.weight": w}, (x,), tie_weights=False)
    np.testing.assert_allclose(out.data, 2 * (model.dec.weight.data @ x.data))
    out = functional_call(model, ({"plist.0": ag.tensor([3.0, 3.0])},
                                  {"offset": ag.tensor([1.0, 1.0])}), (x,), {"shift": 1.0})
    np.testing.assert_allclose(out.data, 3 * (model(x).data) + 2)
    assert functional_call(model, {"no.such": w}, (x,)).shape == (2,)  # ignored
    for name, p in model.named_parameters(remove_duplicate=False):
        assert p is originals[name]
    assert isinstance(model.plist[0], nn.Parameter) and model.offset.data.tolist() == [0, 0]


def test_functional_call_gradients_flow_to_the_given_tensors():
    model = Tied()
    w = ag.tensor(np.eye(2), requires_grad=True)
    functional_call(model, {"enc.weight": w}, (ag.tensor([1.0, 2.0]),)).sum().backward()
    np.testing.assert_allclose(w.grad, [[2.0, 4.0], [2.0, 4.0]])  # W W x: both uses
    assert model.enc.weight.grad is None


def test_functional_call_named_errors_and_restores_on_error():
    model = Tied()
    w = ag.tensor(np.eye(2))
    with pytest.raises(UsageError, match=r"unexpected key\(s\) \['bad'\].*'offset'"):
        functional_call(model, {"bad": w, "enc.weight": w}, (ag.ones(2),), strict=True)
    with pytest.raises(UsageError, match="more than one dict"):
        functional_call(model, ({"offset": w}, {"offset": w}), (ag.ones(2),))
    with pytest.raises(UsageError, match="tied"):
        functional_call(model, {"enc.weight": w, "dec.weight": w * 1}, (ag.ones(2),))
    with pytest.raises(UsageError, match="dict of tensors"):
        functional_call(model, [w], (ag.ones(2),))
    weight = model.enc.weight
    with pytest.raises(ShapeError):
        functional_call(model, {"enc.weight": ag.ones(3, 3)}, (ag.ones(2),))
    assert model.enc.weight is weight and model.dec.weight is weight


def test_functional_call_refuses_a_tuple_before_swapping_anything():
    """A parameter held in a tuple cannot be swapped: the refusal comes before any swap,
    so the parameters swapped before it are put back (before, the restore loop raised on
    the tuple first and left them swapped)."""
    class Held(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = [nn.Parameter(ag.ones(2))]
            self.fixed = (nn.Parameter(ag.zeros(2)),)

        def forward(self, x):
            return x * self.ws[0] + self.fixed[0]

    model = Held()
    kept = model.ws[0]
    with pytest.raises(UsageError, match="'fixed.0' sits in a tuple"):
        functional_call(model, {"ws.0": ag.full((2,), 5.0), "fixed.0": ag.ones(2)},
                        (ag.ones(2),))
    assert model.ws[0] is kept


def test_torch_vmap_spelling_is_autograd_vmap(torch):
    """``torch.vmap`` is PyTorch's top-level alias of ``torch.func.vmap`` (hypernetwork code
    writes ``torch.vmap(predict)(flat_params, xs)``): ``autograd.vmap`` is the same."""
    x = RNG.standard_normal((3, 4))
    w = RNG.standard_normal(4)
    ours = ag.vmap(lambda row, v: (row * v).sum(), in_dims=(0, None))(ag.tensor(x),
                                                                        ag.tensor(w))
    theirs = torch.vmap(lambda row, v: (row * v).sum(), in_dims=(0, None))(torch.tensor(x),
                                                                            torch.tensor(w))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-14)
    assert ag.vmap is ag.func.vmap and "vmap" in ag.__all__


def test_grad_of_a_vmapped_function_reaches_the_batch():
    x = ag.tensor(RNG.standard_normal((3, 2)))
    g = grad(lambda t: vmap(lambda row: (row ** 3).sum())(t).sum())(x)
    np.testing.assert_allclose(g.data, 3 * x.data ** 2, rtol=1e-14)
