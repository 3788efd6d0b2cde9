"""Influence functions and TracIn as people write them in PyTorch, on a small tanh MLP
trained briefly on generated blobs (a few labels flipped), run step for step next to
PyTorch from the same weights (float64): every Hessian-vector product, inverse-HVP
estimate, influence and TracIn score agrees to 1e-10.

Programs: nimarb/pytorch_influence_functions' ``s_test`` (LiSSA: ``h_estimate = [_v +
(1 - damp) * _h_e - _hv / scale ...]``), ``grad_z`` (``grad(loss, params,
create_graph=True)``), ``hvp`` (double backward through ``elemwise_products +=
torch.sum(grad_elem * v_elem)``), ``calc_loss`` (``F.log_softmax(y)`` without ``dim``,
PyTorch's deprecated implicit axis, then ``F.nll_loss``) and the influence ``-sum([
torch.sum(k * j) ...]) / train_dataset_size``; the same inverse-HVP by conjugate gradient
over flat vectors (``parameters_to_vector``, ``torch.autograd.functional.hvp`` of a loss
written with ``torch.func.functional_call`` and ``vector_to_parameters``-style
unflattening by ``split`` and ``view_as``), checked against the explicit Hessian
(``torch.autograd.functional.hessian``) and ``torch.linalg.solve``; TracIn over
checkpoints kept as ``copy.deepcopy(model.state_dict())`` during SGD (the per-example
gradient dot products ``lr * torch.dot(train_grad, test_grad)``, looped and through
``torch.func.vmap(torch.func.grad(...))``), and the self-influence ranking that finds the
flipped labels.

Lines written differently here, and why:
- ``torch.sum(k * j).data`` is ``torch.sum(k * j).detach()``: ``.data`` is NumPy's array
  here (summing them would run, but the ``.cpu()`` that follows would not);
- ``torch.autograd.grad`` / ``torch.autograd.functional`` are ``autograd.grad`` /
  ``autograd.functional`` (this library is the autograd package), ``torch.func`` is
  ``autograd.func``;
- the test's glue: PyTorch's initial weights.
"""

import copy

import numpy as np
import pytest

import autograd as ag
import nn
from interpret_helpers import numpy_of
from test_pytorch_ports_pinn import assert_same

# F.log_softmax(y) without dim: PyTorch's deprecated implicit axis warns in both
pytestmark = pytest.mark.filterwarnings("ignore:Implicit dimension choice")


def make_model(nn):
    return nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 3))


def influence_program(torch, nn, optim, autograd, func, x_train, y_train, x_test, y_test,
                      start):
    F = nn.functional
    grad = autograd.grad
    record = {}
    model = make_model(nn)
    model.load_state_dict({k: torch.tensor(v) for k, v in start.items()})

    # training, with TracIn's checkpoints
    lr = 0.5
    optimizer = optim.SGD(model.parameters(), lr=lr)
    checkpoints = []
    for epoch in range(30):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x_train), y_train)
        loss.backward()
        optimizer.step()
        if epoch % 10 == 9:
            checkpoints.append(copy.deepcopy(model.state_dict()))
    record["loss"] = loss.item()

    def calc_loss(y, t):
        y = F.log_softmax(y)
        loss = F.nll_loss(y, t, weight=None, reduction='mean')
        return loss

    def grad_z(z, t, model):
        model.eval()
        y = model(z)
        loss = calc_loss(y, t)
        params = [p for p in model.parameters() if p.requires_grad]
        return list(grad(loss, params, create_graph=True))

    def hvp(y, w, v):
        if len(w) != len(v):
            raise (ValueError("w and v must have the same length."))
        # First backprop
        first_grads = grad(y, w, retain_graph=True, create_graph=True)
        # Elementwise products
        elemwise_products = 0
        for grad_elem, v_elem in zip(first_grads, v):
            elemwise_products += torch.sum(grad_elem * v_elem)
        # Second backprop
        return_grads = grad(elemwise_products, w, create_graph=True)
        return return_grads

    def s_test(z_test, t_test, model, z_loader, damp=0.01, scale=25.0, recursion_depth=3):
        v = grad_z(z_test, t_test, model)
        h_estimate = v.copy()
        for i in range(recursion_depth):
            for x, t in z_loader:
                y = model(x)
                loss = calc_loss(y, t)
                params = [p for p in model.parameters() if p.requires_grad]
                hv = hvp(loss, params, h_estimate)
                # Recursively caclulate h_estimate
                h_estimate = [
                    _v + (1 - damp) * _h_e - _hv / scale
                    for _v, _h_e, _hv in zip(v, h_estimate, hv)]
                break
        return [h / scale for h in h_estimate]

    z_loader = [(x_train[i:i + 8], y_train[i:i + 8]) for i in range(0, 24, 8)]
    s_test_vec = s_test(x_test[:1], y_test[:1], model, z_loader)
    record["s_test"] = [numpy_of(s) for s in s_test_vec]
    influences = []
    for i in range(6):
        grad_z_vec = grad_z(x_train[i:i + 1], y_train[i:i + 1], model)
        tmp_influence = -sum([torch.sum(k * j).detach()  # .data: see the top
                              for k, j in zip(grad_z_vec, s_test_vec)]) / len(x_train)
        influences.append(tmp_influence.cpu())
    record["influences"] = [numpy_of(v) for v in influences]

    # the inverse HVP by conjugate gradient over flat vectors
    params = {k: v.detach() for k, v in model.named_parameters()}
    names = list(params)

    def unflatten(vec):
        chunks = vec.split([p.numel() for p in params.values()])
        return {k: c.view_as(params[k]) for k, c in zip(names, chunks)}

    def train_loss(flat):
        return F.cross_entropy(func.functional_call(model, unflatten(flat), (x_train,)),
                               y_train)

    theta = nn.utils.parameters_to_vector(model.parameters()).detach()
    damp = 0.1

    def hvp_fn(v):
        return autograd.functional.hvp(train_loss, theta, v)[1] + damp * v

    def conjugate_gradient(hvp_fn, b, max_iter=40, tol=1e-10):
        x = torch.zeros_like(b)
        r = b.clone()
        p = r.clone()
        rs_old = torch.dot(r, r)
        for i in range(max_iter):
            Ap = hvp_fn(p)
            alpha = rs_old / torch.dot(p, Ap)
            x += alpha * p
            r -= alpha * Ap
            rs_new = torch.dot(r, r)
            trace.append(numpy_of(x))
            if torch.sqrt(rs_new) < tol:
                break
            p = r + (rs_new / rs_old) * p
            rs_old = rs_new
        return x, i

    test_loss = F.cross_entropy(model(x_test), y_test)
    b = torch.cat([g.reshape(-1) for g in grad(test_loss, list(model.parameters()))])
    trace = []
    inverse_hvp, iterations = conjugate_gradient(hvp_fn, b)
    H = autograd.functional.hessian(train_loss, theta)
    exact = torch.linalg.solve(H + damp * torch.eye(len(theta)), b)
    # CG's first iterates agree step for step; once the residual is near roundoff the two
    # libraries' last bits steer the rest, so the answer is checked against the exact solve
    record["cg"] = [trace[:8], numpy_of(exact)]
    np.testing.assert_allclose(numpy_of(inverse_hvp), numpy_of(exact), rtol=1e-7, atol=1e-9)

    # TracIn over the checkpoints
    def flat_grad(model, x, y):
        loss = F.cross_entropy(model(x), y)
        return torch.cat([g.view(-1) for g in grad(loss, list(model.parameters()))])

    scores = torch.zeros(len(x_train))
    self_influence = torch.zeros(len(x_train))
    probe = make_model(nn)
    for checkpoint in checkpoints:
        probe.load_state_dict(checkpoint)
        test_grad = flat_grad(probe, x_test[:1], y_test[:1])
        for i in range(len(x_train)):
            train_grad = flat_grad(probe, x_train[i:i + 1], y_train[i:i + 1])
            scores[i] += lr * torch.dot(train_grad, test_grad)
            self_influence[i] += lr * torch.dot(train_grad, train_grad)

    def loss_one(p, x, y):
        out = func.functional_call(probe, p, (x.unsqueeze(0),))
        return F.cross_entropy(out, y.unsqueeze(0))

    per_example = func.vmap(func.grad(loss_one), in_dims=(None, 0, 0))(
        dict(probe.named_parameters()), x_train, y_train)
    flat = torch.cat([g.flatten(1) for g in per_example.values()], dim=1)
    record["tracin"] = [numpy_of(scores), numpy_of(self_influence), numpy_of(flat)]
    record["ranking"] = numpy_of(torch.argsort(self_influence, descending=True))
    return record


def test_influence_functions_and_tracin_run_step_for_step_as_pytorch(torch):
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    y = rng.integers(0, 3, size=48)
    x = centres[y] + 0.6 * rng.normal(size=(48, 2))
    flipped = np.array([3, 11, 20])
    y[flipped] = (y[flipped] + 1) % 3
    torch.manual_seed(0)
    start = {k: v.detach().numpy().copy() for k, v in make_model(torch.nn).state_dict().items()}
    runs = []
    for T, lib, optim, autograd, func in ((ag, nn, nn.optim, ag, ag.func),
                                          (torch, torch.nn, torch.optim, torch.autograd,
                                           torch.func)):
        runs.append(influence_program(T, lib, optim, autograd, func, T.tensor(x[:40]),
                                      T.tensor(y[:40]), T.tensor(x[40:]), T.tensor(y[40:]),
                                      start))
    got, want = runs
    assert_same(got, want)
    assert set(flipped) <= set(got["ranking"][:6].tolist())
