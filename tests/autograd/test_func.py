"""``autograd.func``'s differentiating transforms (``grad``, ``grad_and_value``, ``vjp``,
``jvp``, ``jacrev``, ``jacfwd``, ``hessian``): derivatives against central differences
with random directions, nesting, PyTorch's result structures, ``vjp`` and ``jvp``
against ``torch.autograd.functional`` (``torch.func`` would pull in torch._dynamo, seconds
to import; the tutorial ports compare with it), and the named errors."""

import numpy as np
import pytest

import autograd as ag
from autograd import functional as AF
from autograd.errors import ShapeError, UsageError
from autograd.func import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp

RNG = np.random.default_rng(0)
EPS = 1e-6


def f2(x, y):
    """A scalar function of two tensors."""
    return (x.sin() * (y @ x)).sum() + (y ** 2).sum() * x[0]


def directional(fn, args, k, v):
    """Central difference of a scalar ``fn(*args)`` along ``v`` in argument ``k``."""
    def at(step):
        moved = list(args)
        moved[k] = ag.tensor(args[k].data + step * v)
        return fn(*moved).data
    return (at(EPS) - at(-EPS)) / (2 * EPS)


def test_grad_of_each_argument_matches_finite_differences():
    x, y = ag.tensor(RNG.standard_normal(3)), ag.tensor(RNG.standard_normal((3, 3)))
    gx, gy = grad(f2, argnums=(0, 1))(x, y)
    assert gx.shape == (3,) and gy.shape == (3, 3) and not gx.requires_grad
    np.testing.assert_allclose(grad(f2)(x, y).data, gx.data, rtol=0, atol=0)
    np.testing.assert_allclose(grad(f2, argnums=-1)(x, y).data, gy.data, rtol=0, atol=0)
    for k, g in enumerate((gx, gy)):
        v = RNG.standard_normal(g.shape)
        np.testing.assert_allclose((g.data * v).sum(), directional(f2, (x, y), k, v),
                                   rtol=1e-6, atol=1e-8)


def test_grad_of_a_dict_is_a_dict_and_grad_and_value_gives_the_value():
    params = {"w": ag.tensor(RNG.standard_normal(3)), "b": ag.tensor(0.5)}
    x = ag.tensor(RNG.standard_normal(3))

    def loss(p, x):
        return ((p["w"] * x).sum() + p["b"]).tanh()

    g, value = grad_and_value(loss)(params, x)
    assert list(g) == ["w", "b"] and g["b"].shape == ()
    np.testing.assert_allclose(value.data, loss(params, x).data, rtol=0, atol=0)
    s = 1 - np.tanh((params["w"].data * x.data).sum() + 0.5) ** 2
    np.testing.assert_allclose(g["w"].data, s * x.data, rtol=1e-12)
    np.testing.assert_allclose(g["b"].data, s, rtol=1e-12)


def test_nested_grad_gives_higher_derivatives():
    x = ag.tensor(0.7)
    d1, d2, d3 = grad(ag.sin), grad(grad(ag.sin)), grad(grad(grad(ag.sin)))
    np.testing.assert_allclose([d1(x).data, d2(x).data, d3(x).data],
                               [np.cos(0.7), -np.sin(0.7), -np.cos(0.7)], rtol=1e-12)
    # grad of a function that itself calls grad, of another argument (mixed partials)
    y = ag.tensor(1.3)
    mixed = grad(lambda a, b: grad(lambda u, v: (u * u * v.exp()), argnums=1)(a, b),
                 argnums=0)(x, y)
    np.testing.assert_allclose(mixed.data, 2 * 0.7 * np.exp(1.3), rtol=1e-12)


def test_grad_reaches_inputs_that_require_grad_and_works_under_no_grad():
    x = ag.tensor([0.2, -0.4], requires_grad=True)
    g = grad(lambda t: (t ** 3).sum())(x)
    assert g.requires_grad  # as PyTorch: the result is a function of x
    g.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data, rtol=1e-12)
    with ag.no_grad():
        np.testing.assert_allclose(grad(lambda t: (t ** 2).sum())(ag.tensor([3.0])).data, 6.0)


def test_grad_has_aux_and_unused_inputs():
    x, y = ag.tensor([1.0, 2.0]), ag.tensor([5.0])
    g, aux = grad(lambda a, b: ((a * a).sum(), {"n": a.sum()}), has_aux=True)(x, y)
    np.testing.assert_allclose(g.data, [2.0, 4.0])
    assert aux["n"].item() == 3.0 and not aux["n"].requires_grad
    g2, (value, aux2) = grad_and_value(lambda a: (a.sum(), ag.tensor(7)), has_aux=True)(x)
    assert value.item() == 3.0 and aux2.item() == 7
    assert grad(lambda a, b: (a * a).sum(), argnums=1)(x, y).data.tolist() == [0.0]
    assert grad(lambda a: ag.tensor(1.0))(x).data.tolist() == [0.0, 0.0]


def test_grad_named_errors():
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(ShapeError, match=r"one element.*shape \(2,\)"):
        grad(lambda a: a * 2)(x)
    with pytest.raises(ShapeError, match="a float"):
        grad(lambda a: 1.0)(x)
    with pytest.raises(UsageError, match="pair"):
        grad(lambda a: a.sum(), has_aux=True)(x)
    for argnums in (2, (0, 0), (), True, [0]):
        with pytest.raises(UsageError, match="argnums"):
            grad(lambda a, b: a.sum(), argnums=argnums)(x, x)
    with pytest.raises(UsageError, match="function"):
        grad(3)


def test_vjp_matches_pytorch_and_finite_differences(torch):
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal(3)
    ct = (RNG.standard_normal(2), RNG.standard_normal(3))
    def f(m, v):
        return (m @ v).tanh(), (v * v).sum() * v

    out, fn = vjp(f, ag.tensor(a), ag.tensor(b))
    ours = [out[0], out[1], *fn(tuple(ag.tensor(c) for c in ct))]
    t_out, t_grads = torch.autograd.functional.vjp(  # torch.func pulls in torch._dynamo
        f, (torch.tensor(a), torch.tensor(b)), tuple(torch.tensor(c) for c in ct))
    for got, want in zip(ours, [*t_out, *t_grads]):
        np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-12)
    results = [ours]
    dm, dv = results[0][2:]
    v = RNG.standard_normal(3)

    def project(m, x):
        y1, y2 = (m @ x).tanh(), (x * x).sum() * x
        return (y1 * ag.tensor(ct[0])).sum() + (y2 * ag.tensor(ct[1])).sum()

    np.testing.assert_allclose((dv.data * v).sum(),
                               directional(project, (ag.tensor(a), ag.tensor(b)), 1, v),
                               rtol=1e-6)


def test_vjp_errors_and_has_aux():
    out, fn, aux = vjp(lambda x: (x * 2, x * 3), ag.tensor([1.0]), has_aux=True)
    assert aux.tolist() == [3.0] and fn(ag.tensor([1.0]))[0].data.tolist() == [2.0]
    with pytest.raises(UsageError, match="structure"):
        fn((ag.tensor([1.0]),))
    with pytest.raises(ShapeError, match="shape"):
        fn(ag.tensor([1.0, 2.0]))
    with pytest.raises(UsageError, match="aux must be Tensors"):
        vjp(lambda x: (x * 2, "note"), ag.tensor([1.0]), has_aux=True)


def test_jvp_matches_pytorch_and_finite_differences(torch):
    x, v = RNG.standard_normal(4), RNG.standard_normal(4)
    w = RNG.standard_normal((3, 4))
    results = [jvp(lambda t: (ag.tensor(w) @ t).sin() * t.sum(), (ag.tensor(x),),
                   (ag.tensor(v),))]
    want = torch.autograd.functional.jvp(  # torch.func pulls in torch._dynamo
        lambda t: (torch.tensor(w) @ t).sin() * t.sum(), torch.tensor(x), torch.tensor(v))
    for ours, theirs in zip(results[0], want):
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)

    def f(t):
        return (ag.tensor(w) @ t).sin() * t.sum()

    numeric = (f(ag.tensor(x + EPS * v)).data - f(ag.tensor(x - EPS * v)).data) / (2 * EPS)
    np.testing.assert_allclose(results[0][1].data, numeric, rtol=1e-6)
    _, jv, aux = jvp(lambda t: (t * 3, t.sum()), (ag.tensor(x),), (ag.tensor(v),),
                     has_aux=True)
    np.testing.assert_allclose(jv.data, 3 * v)
    with pytest.raises(UsageError, match="tuples"):
        jvp(f, ag.tensor(x), ag.tensor(v))
    with pytest.raises(ShapeError, match="tangent 0"):
        jvp(f, (ag.tensor(x),), (ag.tensor(v[:2]),))


@pytest.mark.parametrize("transform", [jacrev, jacfwd])
def test_jacobians_match_functional_and_finite_differences(transform):
    x, y = ag.tensor(RNG.standard_normal(3)), ag.tensor(RNG.standard_normal((2, 3)))

    def f(a, b):
        return {"u": (b @ a).exp(), "s": (a * a).sum()}

    jac = transform(f, argnums=(0, 1))(x, y)
    assert set(jac) == {"u", "s"} and jac["u"][1].shape == (2, 2, 3)
    assert jac["s"][0].shape == (3,) and jac["s"][1].shape == (2, 3)
    want = AF.jacobian(lambda a, b: ((b @ a).exp(), (a * a).sum()), (x, y))
    for got, ref in zip((jac["u"][0], jac["u"][1], jac["s"][0], jac["s"][1]),
                        (want[0][0], want[0][1], want[1][0], want[1][1])):
        np.testing.assert_allclose(got.data, ref.data, rtol=1e-12)
    v = RNG.standard_normal(3)
    numeric = ((f(ag.tensor(x.data + EPS * v), y)["u"].data
                - f(ag.tensor(x.data - EPS * v), y)["u"].data) / (2 * EPS))
    np.testing.assert_allclose(jac["u"][0].data @ v, numeric, rtol=1e-6)


def test_jacobian_has_aux_and_randomness():
    x = ag.tensor([1.0, 2.0])
    jac, aux = jacrev(lambda t: (t * t, t.sum()), has_aux=True)(x)
    np.testing.assert_allclose(jac.data, np.diag([2.0, 4.0]))
    assert aux.item() == 3.0
    with pytest.raises(UsageError, match="random"):
        jacfwd(lambda t: t * ag.randn(2))(x)
    assert jacfwd(lambda t: t * ag.randn(2), randomness="different")(x).shape == (2, 2)
    with pytest.raises(UsageError, match="randomness"):
        jacfwd(lambda t: t, randomness="sometimes")
    np.testing.assert_allclose(jacrev(lambda t: t * t, chunk_size=1)(x).data, jac.data)
    with pytest.raises(UsageError, match="chunk_size"):
        jacrev(lambda t: t, chunk_size=0)


def test_hessian_matches_functional_and_nests_in_blocks():
    x, y = ag.tensor(RNG.standard_normal(3)), ag.tensor(RNG.standard_normal((3, 3)))
    h = hessian(f2)(x, y)
    np.testing.assert_allclose(h.data, AF.hessian(lambda a: f2(a, y), x).data, rtol=1e-12)
    blocks = hessian(f2, argnums=(0, 1))(x, y)
    want = AF.hessian(f2, (x, y))
    assert blocks[0][1].shape == (3, 3, 3) and blocks[1][1].shape == (3, 3, 3, 3)
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(blocks[i][j].data, want[i][j].data, rtol=1e-12,
                                       atol=1e-14)
