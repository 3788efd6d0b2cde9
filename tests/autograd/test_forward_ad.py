"""``autograd.forward_ad`` (PyTorch's ``torch.autograd.forward_ad``): dual tensors whose
tangents ``unpack_dual`` computes from the graph. Each tangent is compared with PyTorch's
forward mode and with central differences; the errors are PyTorch's cases, named."""

import numpy as np
import pytest

import autograd as ag
import autograd.forward_ad as fwAD
import nn

# torch.func imports torch._dynamo on first use, which calls torch.jit.script (deprecated)
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def program(T, fw, draws):
    """A function of two duals and a plain tensor through several ops; its tangent."""
    x, tx, y, ty, w = (T.tensor(a) for a in draws)
    with fw.dual_level():
        dx, dy = fw.make_dual(x, tx), fw.make_dual(y, ty)
        h = T.tanh(dx @ w) * dy.sin() + (dx ** 2).softmax(-1).log()
        out = (h @ w.T).sum(-1) / dy.exp().sum()
        return fw.unpack_dual(out)


def draws(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((3, 4)) for _ in range(4)] + [rng.standard_normal((4, 4))]


def test_tangents_match_pytorch_and_finite_differences(torch):
    ours = program(ag, fwAD, draws())
    theirs = program(torch, torch.autograd.forward_ad, draws())
    np.testing.assert_allclose(ours.primal.data, theirs.primal.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.tangent.data, theirs.tangent.numpy(), rtol=1e-10,
                               atol=1e-12)
    assert not ours.tangent.requires_grad and not ours.primal.requires_grad
    x, tx, y, ty, w = draws()

    def f(e):
        return program(ag, fwAD, [x + e * tx, tx, y + e * ty, ty, w]).primal.data

    eps = 1e-6
    np.testing.assert_allclose(ours.tangent.data, (f(eps) - f(-eps)) / (2 * eps),
                               rtol=1e-6, atol=1e-8)


def test_the_tutorials_identities_hold():
    primal, tangent = ag.randn(4, 4), ag.randn(4, 4)
    with fwAD.dual_level() as level:
        assert level == 0
        dual_input = fwAD.make_dual(primal, tangent)
        assert fwAD.unpack_dual(dual_input).tangent is tangent
        np.testing.assert_array_equal(fwAD.unpack_dual(dual_input).primal.data, primal.data)
        dual_input_alt = fwAD.make_dual(primal, tangent.T)  # another layout: copied
        unpacked = fwAD.unpack_dual(dual_input_alt)
        assert unpacked.tangent is not tangent
        np.testing.assert_array_equal(unpacked.tangent.data, tangent.data.T)
        plain = ag.randn(4, 4)
        assert fwAD.unpack_dual(plain) == (plain, None)  # a namedtuple
        out = dual_input * 3 + plain
        assert fwAD.unpack_dual(out.detach()).tangent is None  # as PyTorch's detach
        assert fwAD.unpack_dual(out.argmax()).tangent is None
        zero = fwAD.unpack_dual(dual_input * 0 + dual_input.detach()).tangent
        np.testing.assert_array_equal(zero.data, np.zeros((4, 4)))
    assert fwAD.unpack_dual(out).tangent is None  # the level forgot the tangents
    assert isinstance(fwAD.unpack_dual(out), fwAD.UnpackedDualTensor)
    fwAD.enter_dual_level()
    try:
        d = fwAD.make_dual(primal, tangent)
        np.testing.assert_allclose(fwAD.unpack_dual(d.exp()).tangent.data,
                                   np.exp(primal.data) * tangent.data, rtol=1e-14)
    finally:
        fwAD.exit_dual_level()


def test_a_primal_that_requires_grad_gives_a_differentiable_tangent(torch):
    """Forward over reverse: d/dp sum(3 p^2 v) = 6 p v, as in PyTorch."""
    rng = np.random.default_rng(3)
    p_np, v_np = rng.standard_normal(5), rng.standard_normal(5)
    grads = []
    for T, fw in ((ag, fwAD), (torch, torch.autograd.forward_ad)):
        p = T.tensor(p_np, requires_grad=True)
        with fw.dual_level():
            unpacked = fw.unpack_dual((fw.make_dual(p, T.tensor(v_np)) ** 3).sum())
            assert unpacked.primal.requires_grad and unpacked.tangent.requires_grad
            unpacked.tangent.backward()
        grads.append(np.asarray(p.grad))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
    np.testing.assert_allclose(grads[0], 6 * p_np * v_np, rtol=1e-12)


def test_duals_in_a_module_as_the_tutorial_places_them(torch):
    """Duals by functional_call and by the tutorial's delattr / setattr give PyTorch's
    tangent, and ours is func.jvp's."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 5))
    weights = [rng.standard_normal(s) for s in ((4, 5), (4,), (3, 4), (3,))]
    vs = [rng.standard_normal(w.shape) for w in weights]
    jvps = []
    for T, lib, fw, call in ((ag, nn, fwAD, ag.func.functional_call),
                             (torch, torch.nn, torch.autograd.forward_ad,
                              torch.func.functional_call)):
        model = lib.Sequential(lib.Linear(5, 4), lib.Tanh(), lib.Linear(4, 3))
        model.load_state_dict({k: T.tensor(w) for k, w in zip(model.state_dict(), weights)})
        tangents = {k: T.tensor(v) for k, v in zip(model.state_dict(), vs)}
        with fw.dual_level():
            duals = {k: fw.make_dual(p, tangents[k]) for k, p in model.named_parameters()}
            jvp = fw.unpack_dual(call(model, duals, T.tensor(x))).tangent
            layer = model[0]
            for name in ("weight", "bias"):  # the tutorial's delattr / setattr
                delattr(layer, name)
                setattr(layer, name, duals["0." + name])
            jvp_layer = fw.unpack_dual(layer(T.tensor(x))).tangent
        jvps.append((np.asarray(jvp.detach()), np.asarray(jvp_layer.detach())))
    for ours, theirs in zip(*jvps):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    model = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3))
    names = list(model.state_dict())
    _, func_jvp = ag.func.jvp(
        lambda *ps: ag.func.functional_call(model, dict(zip(names, ps)), ag.tensor(x)),
        tuple(ag.tensor(w) for w in weights), tuple(ag.tensor(v) for v in vs))
    np.testing.assert_allclose(func_jvp.data, jvps[0][0], rtol=1e-12, atol=1e-14)


def test_pytorchs_errors_are_named():
    x, v = ag.randn(3), ag.randn(3)
    with pytest.raises(RuntimeError, match="no dual level.*dual_level"):
        fwAD.make_dual(x, v)
    with pytest.raises(RuntimeError, match="exit_dual_level: no dual level"):
        fwAD.exit_dual_level()
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="nested forward-mode AD"):
            fwAD.enter_dual_level()
        d = fwAD.make_dual(x, v)
        for primal in (d, d * 2):
            with pytest.raises(RuntimeError, match="already has a tangent.*detach"):
                fwAD.make_dual(primal, v)
        with pytest.raises(ValueError, match="tangent has shape \\(4,\\).*\\(3,\\)"):
            fwAD.make_dual(x, ag.randn(4))
        with pytest.raises(ValueError, match="floating point"):
            fwAD.make_dual(ag.tensor([1, 2, 3]), v)
        with ag.no_grad():
            with pytest.raises(RuntimeError, match="make_dual under no_grad"):
                fwAD.make_dual(x, v)
            with pytest.raises(RuntimeError, match="unpack_dual under no_grad"):
                fwAD.unpack_dual(d.sin())


def test_a_custom_function_gets_its_tangent_from_its_backward():
    class Exp(ag.Function):
        @staticmethod
        def forward(ctx, foo):
            result = foo.exp()
            ctx.result = result
            return result

        @staticmethod
        def backward(ctx, g):
            return g * ctx.result

        @staticmethod
        def jvp(ctx, gI):  # not used here
            raise AssertionError("called")

    x, v = ag.randn(3), ag.randn(3)
    with fwAD.dual_level():
        tangent = fwAD.unpack_dual(Exp.apply(fwAD.make_dual(x, v))).tangent
    np.testing.assert_allclose(tangent.data, np.exp(x.data) * v.data, rtol=1e-14)



def test_dual_level_decorates_a_function_as_in_pytorch(torch):
    """PyTorch's dual_level is also a decorator; ours was only a context manager."""
    rng = np.random.default_rng(5)
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    results = []
    for T, fw in ((ag, fwAD), (torch, torch.autograd.forward_ad)):

        @fw.dual_level()
        def tangent_of_sin(x, v):
            return fw.unpack_dual(fw.make_dual(x, v).sin()).tangent

        results.append(np.asarray(tangent_of_sin(T.tensor(x), T.tensor(v))))
        with pytest.raises(RuntimeError):
            fw.make_dual(T.tensor(x), T.tensor(v))  # the level ended with the call
    np.testing.assert_allclose(results[0], results[1], rtol=1e-14)


def test_a_tangent_after_backward_released_the_graph_is_a_named_error():
    """PyTorch computes tangents in the forward pass, so a backward() before unpack_dual
    is harmless there; here the tangent comes from the graph, which the backward
    released: unpack_dual said None (no tangent), silently."""
    p = ag.randn(3, requires_grad=True)
    with fwAD.dual_level():
        loss = (fwAD.make_dual(p, ag.randn(3)).sin() ** 2).sum()
        loss.backward()
        with pytest.raises(ag.GraphFreedError, match="unpack_dual.*retain_graph=True"):
            fwAD.unpack_dual(loss)
        kept = (fwAD.make_dual(p.detach(), ag.ones(3)) ** 2).sum()
        kept.backward(retain_graph=True)
        np.testing.assert_allclose(fwAD.unpack_dual(kept).tangent.item(),
                                   2 * p.data.sum(), rtol=1e-14)
        h = p * 2
        h.sum().backward()  # a released primal may still become a dual, as in PyTorch
        np.testing.assert_allclose(fwAD.unpack_dual(fwAD.make_dual(h, ag.ones(3)).exp())
                                   .tangent.data, np.exp(h.data), rtol=1e-14)
