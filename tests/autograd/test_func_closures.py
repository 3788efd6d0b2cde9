"""``autograd.func`` transforms of a function that closes over a tensor requiring grad
(a network's parameters), against ``torch.func``: the result stays connected, so a loss
of ``grad(f)(x)``, ``jacrev``/``hessian``, a ``vjp``, ``jvp`` or ``linearize`` trains the
parameters (Lagrangian and Hamiltonian networks, physics-informed losses). Before, the
top-level results were detached whenever the arguments did not require grad, and
``loss.backward()`` raised (nothing recorded) or left the parameters without gradients.
Under ``no_grad()`` and without captured tensors the results stay plain, as PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")

X = np.array([0.3, -0.7, 1.1])
W = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.4]])


def scalar(T, w):
    return lambda x: (T.tanh(w @ x) ** 2).sum() * x.sum()


TRANSFORMS = {
    "grad": lambda T, F, w: F.grad(scalar(T, w))(T.tensor(X)),
    "jacrev": lambda T, F, w: F.jacrev(lambda x: T.tanh(w @ x))(T.tensor(X)),
    "jacfwd": lambda T, F, w: F.jacfwd(lambda x: T.tanh(w @ x))(T.tensor(X)),
    "hessian": lambda T, F, w: F.hessian(scalar(T, w))(T.tensor(X)),
    "vjp": lambda T, F, w: F.vjp(lambda x: T.tanh(w @ x), T.tensor(X))[1](
        T.tensor(np.array([1.0, -2.0])))[0],
    "jvp": lambda T, F, w: F.jvp(lambda x: T.tanh(w @ x), (T.tensor(X),),
                                 (T.tensor(X[::-1].copy()),))[1],
    "vmap of grad": lambda T, F, w: F.vmap(F.grad(scalar(T, w)))(T.tensor(np.stack([X, -X]))),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_closed_over_parameters_get_torch_gradients(torch, name: str) -> None:
    import torch.func  # noqa: PLC0415
    results = []
    for T, F in ((ag, ag.func), (torch, torch.func)):
        w = T.tensor(W, requires_grad=True)
        out = TRANSFORMS[name](T, F, w)
        assert out.requires_grad
        (out * T.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(out.shape))).sum().backward()
        results.append((out.detach().numpy(), w.grad.numpy()))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_results_stay_plain_without_captured_grad_or_under_no_grad(torch, name) -> None:
    import torch.func  # noqa: PLC0415
    for T, F in ((ag, ag.func), (torch, torch.func)):
        assert not TRANSFORMS[name](T, F, T.tensor(W)).requires_grad
        w = T.tensor(W, requires_grad=True)
        with T.no_grad():
            assert not TRANSFORMS[name](T, F, w).requires_grad


def test_linearize_trains_closed_over_parameters_as_jvp_does(torch) -> None:
    """PyTorch 2.13's ``linearize`` result requires grad yet leaves ``w.grad`` None (its
    trace keeps w as a constant); here it gives jvp's gradient, which PyTorch's jvp has."""
    import torch.func  # noqa: PLC0415
    tangent = X[::-1].copy()
    w = ag.tensor(W, requires_grad=True)
    _, jvp_fn = ag.func.linearize(lambda x: ag.tanh(w @ x), ag.tensor(X))
    jvp_fn(ag.tensor(tangent)).sum().backward()
    tw = torch.tensor(W, requires_grad=True)
    torch.func.jvp(lambda x: torch.tanh(tw @ x), (torch.tensor(X),),
                   (torch.tensor(tangent),))[1].sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-12)
