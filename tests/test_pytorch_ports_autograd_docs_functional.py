"""PyTorch's tutorial "Jacobians, Hessians, hvp, vhp, and more" as far as
``torch.autograd.functional`` goes, and the options of ``torch.autograd.gradcheck`` /
``gradgradcheck`` from their docs, ported as readers write them: each program is written
once for a library ``T`` (``autograd`` here, ``torch`` there), runs next to PyTorch's from
the same data (float64), and the results agree.

Tutorial parts: the Jacobian row by row (``compute_jac``: one ``grad`` per unit vector,
stacked), the same with ``jacobian`` (``vectorize``, ``strategy``) and with respect to the
weights; the batch Jacobian through the sum trick (``.movedim(1, 0)``); ``hessian``,
``hvp``, ``vhp``, ``vjp``, ``jvp`` with ``create_graph=True`` and a derivative of
their result.

Lines written differently here, and why:
- the tutorial's ``torch.func`` parts (``vmap``, ``jacrev``, ``jacfwd``, ``torch.func.hessian``
  of a vector output, ``jvp(grad(f), ...)``) have no counterpart here: the same
  quantities come from ``autograd.functional`` (PyTorch's own older API);
- ``torch.manual_seed(0)`` + ``torch.randn``: the data come from one NumPy generator;
- ``vectorize=True`` and ``strategy="forward-mode"`` are accepted and change nothing here
  (one reverse pass per output element);
- gradcheck's ``check_batched_forward_grad=True`` raises ``UsageError`` (forward mode
  here is ``autograd.forward_ad``, computed from the VJPs and unbatched;
  ``check_forward_ad=True`` checks its tangents, gradgradcheck's
  ``check_fwd_over_rev=True`` those of the first derivative); PyTorch's default tolerances are
  ``atol=1e-5, rtol=1e-3``, ours ``1e-7, 1e-5``, so both are given explicitly.
"""

import numpy as np
import pytest

import autograd as ag
import nn.functional

# torch's check_batched_grad goes through its vmap, which warns about torch.jit.script
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")

rng = np.random.default_rng(0)
D = 6
W, B, X = rng.standard_normal((D, D)), rng.standard_normal(D), rng.standard_normal(D)


def libraries(torch=None):
    if torch is None:
        return ag, nn.functional, ag.functional, ag.grad
    import torch.autograd.functional as TAF
    return torch, torch.nn.functional, TAF, torch.autograd.grad


def jacobian_program(T, F, AF, grad):
    def predict(weight, bias, x):
        return F.linear(x, weight, bias).tanh()

    weight, bias, x = T.tensor(W), T.tensor(B), T.tensor(X)

    def compute_jac(xp):
        jacobian_rows = [grad(predict(weight, bias, xp), xp, vec)[0]
                         for vec in unit_vectors]
        return T.stack(jacobian_rows)

    xp = x.clone().requires_grad_()
    unit_vectors = T.eye(D)
    jacobian = compute_jac(xp)
    results = [jacobian, jacobian[0]]
    for options in ({}, {"vectorize": True}, {"vectorize": True, "strategy": "forward-mode"}):
        results.append(AF.jacobian(lambda x: predict(weight, bias, x), x, **options))
    ft_jac_weight, ft_jac_bias = AF.jacobian(lambda w, b: predict(w, b, x), (weight, bias))
    results += [ft_jac_weight, ft_jac_bias]
    batch = T.tensor(rng.standard_normal((4, D)) if T is ag else BATCH)

    def predict_with_output_summed(x):
        return predict(weight, bias, x).sum(0)
    batch_jacobian = AF.jacobian(predict_with_output_summed, batch).movedim(1, 0)
    results.append(batch_jacobian)
    return results, batch


BATCH = None


def test_jacobians_as_the_tutorial_computes_them(torch):
    global BATCH
    ours, BATCH = jacobian_program(*libraries())
    BATCH = BATCH.numpy()
    theirs, _ = jacobian_program(*libraries(torch))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
    assert ours[-1].shape == (4, D, D)
    per_sample = [ag.functional.jacobian(
        lambda x: nn.functional.linear(x, ag.tensor(W), ag.tensor(B)).tanh(),
        ag.tensor(row)) for row in BATCH]
    np.testing.assert_allclose(ours[-1].numpy(), np.stack([j.numpy() for j in per_sample]))


def second_order_program(T, AF):
    def f(x):
        return x.sin().sum()

    x = T.tensor(X, requires_grad=True)
    tangent = T.tensor(B)
    results = [AF.hessian(f, x)]
    for name in ("hvp", "vhp", "vjp", "jvp"):
        g = f if name in ("hvp", "vhp") else (lambda x: x.sin() * x)
        value, product = getattr(AF, name)(g, x, tangent, create_graph=True)
        (product * T.tensor(W[0])).sum().backward()  # a derivative of the result
        results += [value, product, x.grad.clone()]
        x.grad = None
    results.append(AF.hessian(lambda a, b: (a * b.exp()).sum(), (x, tangent),
                              vectorize=True, outer_jacobian_strategy="reverse-mode")[0][1])
    return results


def test_hessians_and_products_with_create_graph(torch):
    ours = second_order_program(ag, ag.functional)
    import torch.autograd.functional as TAF
    theirs = second_order_program(torch, TAF)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12,
                                   atol=1e-14)


GRADCHECK_OPTIONS = [
    dict(eps=1e-6, atol=1e-5, rtol=1e-3),
    dict(eps=1e-7, atol=1e-8, rtol=1e-6, raise_exception=False),
    dict(atol=1e-5, rtol=1e-3, nondet_tol=1e-12),
    dict(atol=1e-5, rtol=1e-3, check_undefined_grad=False),
    dict(atol=1e-5, rtol=1e-3, check_grad_dtypes=True),
    dict(atol=1e-5, rtol=1e-3, check_batched_grad=True),
    dict(atol=1e-5, rtol=1e-3, check_backward_ad=True, fast_mode=True),
    dict(atol=1e-5, rtol=1e-3, masked=None),
]


def cube_function(base, scale):
    class Cube(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * scale * x ** 2
    return Cube.apply


@pytest.mark.parametrize("options", GRADCHECK_OPTIONS)
def test_gradcheck_options_give_pytorchs_verdict(torch, options):
    data = np.array([0.5, -1.2, 0.8])
    for scale in (3.0, 3.01):  # the right derivative, and a wrong one
        verdicts = []
        for T, Function, check in ((ag, ag.Function, ag.gradcheck),
                                   (torch, torch.autograd.Function,
                                    torch.autograd.gradcheck)):
            x = T.tensor(data, requires_grad=True)
            try:
                verdicts.append(check(cube_function(Function, scale), (x,), **options))
            except RuntimeError:  # GradcheckError, in both
                verdicts.append("raised")
        assert verdicts[0] == verdicts[1], (scale, verdicts)
    x = ag.tensor(data, requires_grad=True)
    assert ag.gradcheck(cube_function(ag.Function, 3.0), (x,), check_forward_ad=True)
    with pytest.raises(ag.UsageError, match="forward"):
        ag.gradcheck(cube_function(ag.Function, 3.0), (x,), check_batched_forward_grad=True)


@pytest.mark.parametrize("options", [dict(atol=1e-5, rtol=1e-3),
                                     dict(atol=1e-5, rtol=1e-3, raise_exception=False,
                                          gen_non_contig_grad_outputs=True),
                                     dict(atol=1e-5, rtol=1e-3, check_rev_over_rev=True,
                                          check_undefined_grad=False)])
def test_gradgradcheck_options_give_pytorchs_verdict(torch, options):
    data = np.array([0.5, -1.2, 0.8])
    grad_outputs = [np.array([0.3, -0.7, 1.1])]
    verdicts = []
    for T, check in ((ag, ag.gradgradcheck), (torch, torch.autograd.gradgradcheck)):
        x = T.tensor(data, requires_grad=True)
        g = [T.tensor(v) for v in grad_outputs]
        verdicts.append(check(lambda x: x.sin() * x, (x,), grad_outputs=g, **options))
    assert verdicts == [True, True]
    theirs = torch.autograd.gradgradcheck(torch.sin, (torch.tensor(data, requires_grad=True),),
                                          check_fwd_over_rev=True)
    assert ag.gradgradcheck(ag.sin, (ag.tensor(data, requires_grad=True),),
                            check_fwd_over_rev=True) == theirs
