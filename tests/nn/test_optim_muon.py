"""``nn.optim.Muon``: PyTorch's ``torch.optim.Muon`` (it was missing here) for 2-D
parameters: momentum by ``lerp``, Nesterov, the quintic Newton-Schulz orthogonalization,
decoupled weight decay and the ``adjust_lr_fn`` scalings. PyTorch runs the iteration in
bfloat16, which NumPy lacks: here it runs in the parameter's dtype. So the parameters
are compared exactly with PyTorch's run with its ``Tensor.bfloat16`` cast made a copy
(monkeypatched for the test), and to bfloat16's precision with PyTorch as it is; the
orthogonalization is checked by its singular values (NumPy's SVD)."""
import numpy as np
import pytest

import autograd
from nn.errors import ConfigError
from nn.optim import Muon

SHAPES = [(3, 5), (6, 2), (4, 4)]
SETTINGS = [dict(lr=0.02), dict(lr=0.02, nesterov=False, weight_decay=0.0),
            dict(lr=0.01, adjust_lr_fn="match_rms_adamw", momentum=0.9),
            dict(lr=0.01, adjust_lr_fn="original", ns_steps=3)]


def run(make_param, make_grad, optimizer_class, kwargs, steps=4):
    rng = np.random.default_rng(0)
    params = [make_param(rng.normal(size=s)) for s in SHAPES]
    opt = optimizer_class(params, **kwargs)
    for _ in range(steps):
        for p in params:
            p.grad = make_grad(rng.normal(size=tuple(p.shape)))
        opt.step()
    return ([p.detach().numpy().copy() for p in params],
            [opt.state[p]["momentum_buffer"].detach().numpy().copy() for p in params])


def both(torch, kwargs):
    ours = run(lambda x: autograd.tensor(x, requires_grad=True), autograd.tensor, Muon,
               kwargs)
    theirs = run(lambda x: torch.nn.Parameter(torch.tensor(x)), torch.tensor,
                 torch.optim.Muon, kwargs)
    return ours, theirs


@pytest.mark.parametrize("kwargs", SETTINGS, ids=[str(s) for s in SETTINGS])
def test_muon_matches_torch_in_float64(torch, kwargs, monkeypatch):
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self: self.clone())
    (got, got_buffers), (want, want_buffers) = both(torch, kwargs)
    for a, b in zip(got + got_buffers, want + want_buffers):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kwargs", SETTINGS[:2], ids=[str(s) for s in SETTINGS[:2]])
def test_muon_matches_torch_to_bfloat16_precision(torch, kwargs):
    (got, got_buffers), (want, want_buffers) = both(torch, kwargs)
    for a, b in zip(got_buffers, want_buffers):  # the momentum never meets bfloat16
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    for a, b in zip(got, want):  # 4 steps, each through bfloat16's 8 bits in 5 iterations
        np.testing.assert_allclose(a, b, rtol=0, atol=4 * kwargs["lr"] * 2.0 ** -4)


def test_one_step_is_an_orthogonalized_update():
    rng = np.random.default_rng(1)
    start = rng.normal(size=(4, 7))
    p = autograd.tensor(start.copy(), requires_grad=True)
    p.grad = autograd.tensor(rng.normal(size=(4, 7)))
    Muon([p], lr=1.0, weight_decay=0.0, nesterov=False).step()
    singular = np.linalg.svd(start - p.detach().numpy(), compute_uv=False)
    assert np.all((singular > 0.5) & (singular < 1.5))  # ~U V^T, as Keller Jordan's notes


def test_muon_refuses_what_torch_refuses(torch):
    for kwargs in (dict(lr=-1.0), dict(momentum=-0.1), dict(weight_decay=-0.1),
                   dict(adjust_lr_fn="rms")):
        with pytest.raises(ValueError):
            torch.optim.Muon([torch.nn.Parameter(torch.zeros(2, 2))], **kwargs)
        with pytest.raises(ConfigError):
            Muon([autograd.zeros(2, 2, requires_grad=True)], **kwargs)
    with pytest.raises(ConfigError, match="Muon only supports 2-D parameters.*AdamW"):
        Muon([autograd.zeros(3, requires_grad=True)])
