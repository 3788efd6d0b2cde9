"""OptNet's differentiable QP layer (``optnet_qp_program.py``) run step for step next to
PyTorch in float64: the interior point solution, the implicit-differentiation gradients
of all six QP inputs (also against central finite differences), and a few Adam steps of
the OptNet classifier on scikit-learn's digits agree to 1e-10. The equality-constrained
layer factors its symmetric indefinite KKT matrix once with ``linalg.ldl_factor`` and
reuses it in the backward (``ldl_solve``): its gradients match PyTorch's run and those of
a plainly differentiated ``linalg.solve``.

Written differently here: PyTorch's ``a.min(1)[0]`` in ``get_step`` is
``a.min(dim=1)[0]`` (``x.min(1)`` is ambiguous here: NumPy's ``min`` returns the values,
PyTorch's the pair; the library asks which one); the models start from PyTorch's
initial weights (``copy_weights``: the two generators differ).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from optnet_qp_program import (make_equality_qp_function, make_optnet, make_qp_function,
                               random_qp)


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def qp_solution_and_grads(T, seed: int = 0):
    inputs = random_qp(T, seed=seed)
    for t in inputs:
        t.requires_grad_(True)
    z = make_qp_function(T).apply(*inputs)
    weights = T.tensor(np.random.default_rng(seed + 1).standard_normal(tuple(z.shape)))
    (z * weights).sum().backward()
    return numpy_of(z), [numpy_of(t.grad) for t in inputs]


@pytest.mark.parametrize("seed", [0, 1])
def test_qp_layer_solution_and_gradients_match_pytorch(torch, seed):
    z, grads = qp_solution_and_grads(ag, seed)
    z_ref, grads_ref = qp_solution_and_grads(torch, seed)
    np.testing.assert_allclose(z, z_ref, rtol=1e-10, atol=1e-10)
    for g, g_ref in zip(grads, grads_ref):
        np.testing.assert_allclose(g, g_ref, rtol=1e-8, atol=1e-9)


def test_qp_layer_solution_satisfies_the_kkt_conditions():
    Q, p, G, h, A, b = (numpy_of(t) for t in random_qp(ag))
    z = numpy_of(make_qp_function(ag).apply(*random_qp(ag)))
    assert np.all(np.einsum("bij,bj->bi", G, z) <= h + 1e-9)
    np.testing.assert_allclose(np.einsum("bij,bj->bi", A, z), b, atol=1e-9)


def test_qp_layer_gradients_match_finite_differences():
    """dl/dp and dl/dh by implicit differentiation against central differences of the
    solver itself (which converges to 1e-12)."""
    QPFunction = make_qp_function(ag)
    Q, p, G, h, A, b = random_qp(ag, nbatch=1)
    weights = np.random.default_rng(5).standard_normal((1, 4))

    def loss(p_arr, h_arr):
        z = QPFunction.apply(Q, ag.tensor(p_arr), G, ag.tensor(h_arr), A, b)
        return float((numpy_of(z) * weights).sum())

    p_leaf, h_leaf = p.detach().requires_grad_(True), h.detach().requires_grad_(True)
    (QPFunction.apply(Q, p_leaf, G, h_leaf, A, b) * ag.tensor(weights)).sum().backward()
    for leaf, position in ((p_leaf, 0), (h_leaf, 1)):
        base = [numpy_of(p), numpy_of(h)]
        expected = np.zeros(base[position].shape)
        for index in np.ndindex(*expected.shape):
            plus, minus = [a.copy() for a in base], [a.copy() for a in base]
            plus[position][index] += 1e-6
            minus[position][index] -= 1e-6
            expected[index] = (loss(*plus) - loss(*minus)) / 2e-6
        np.testing.assert_allclose(numpy_of(leaf.grad), expected, rtol=1e-5, atol=1e-6)


def copy_weights(model, reference) -> None:
    """Start ``model`` from ``reference``'s (PyTorch's) initial parameters."""
    ours = dict(model.named_parameters())
    for name, param in reference.named_parameters():
        with ag.no_grad():
            ours[name].data = numpy_of(param).copy()


def train_optnet(T, lib, X, y, reference=None, steps: int = 3):
    """The qpth classifier example's loop: OptNet head, NLL loss, Adam."""
    T.manual_seed(0)
    model = make_optnet(T, lib)(nFeatures=X.shape[1], nCls=4, nineq=6)
    if reference is not None:
        copy_weights(model, reference)
    optimizer = T.optim.Adam(model.parameters(), lr=1e-2) if T is not ag \
        else nn.optim.Adam(model.parameters(), lr=1e-2)
    data, target = T.tensor(X), T.tensor(y)
    losses = []
    for step in range(steps):
        optimizer.zero_grad()
        output = model(data)
        loss = lib.functional.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


def test_optnet_classifier_trains_like_pytorch(torch):
    from sklearn.datasets import load_digits

    digits = load_digits(n_class=4)
    X = digits.data[:24] / 16.0
    y = digits.target[:24]
    torch.manual_seed(0)
    reference_init = make_optnet(torch, torch.nn)(nFeatures=64, nCls=4, nineq=6)
    ref_model, ref_losses = train_optnet(torch, torch.nn, X, y)
    model, losses = train_optnet(ag, nn, X, y, reference=reference_init)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-9)
    ref_params = dict(ref_model.named_parameters())
    for name, param in model.named_parameters():
        np.testing.assert_allclose(numpy_of(param), numpy_of(ref_params[name]),
                                   rtol=1e-8, atol=1e-10)


def equality_qp_gradients(T, layer: bool):
    """z* of the equality-constrained QP and the gradients of a weighted sum of it w.r.t.
    (L, p, A, b), Q = L L^T + I: by the LDL layer, or by differentiating a plain
    ``linalg.solve`` of the KKT system (``layer=False``)."""
    rng = np.random.default_rng(7)
    L, p, A, b = (T.tensor(rng.standard_normal(shape), requires_grad=True)
                  for shape in ((2, 4, 4), (2, 4), (2, 2, 4), (2, 2)))
    Q = L @ L.transpose(-2, -1) + T.eye(4)
    if layer:
        z = make_equality_qp_function(T).apply(Q, p, A, b)
    else:
        K = T.cat([T.cat([Q, A.transpose(-2, -1)], -1), T.cat([A, T.zeros(2, 2, 2)], -1)], -2)
        z = T.linalg.solve(K, T.cat([-p, b], -1).unsqueeze(-1)).squeeze(-1)[..., :4]
    (z * T.tensor(rng.standard_normal((2, 4)))).sum().backward()
    return [numpy_of(z)] + [numpy_of(t.grad) for t in (L, p, A, b)]


def test_equality_qp_layer_by_ldl_matches_pytorch_and_a_differentiated_solve(torch):
    ours = equality_qp_gradients(ag, layer=True)
    for want in (equality_qp_gradients(torch, layer=True), equality_qp_gradients(ag, False)):
        for got, expected in zip(ours, want):
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-11)
