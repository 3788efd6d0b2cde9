"""Neural stochastic differential equations integrated by Euler-Maruyama, as PyTorch users
write them: the ``SDE`` module of torchsde's README (``noise_type``, ``sde_type``, drift
``f(t, y)``, diffusion ``g(t, y)``, general noise as a (batch, state, brownian) matrix
and diagonal noise), stepped by a hand-written ``sdeint`` (y += f dt + g dW, what
``torchsde.sdeint(..., method='euler')`` does) and trained by moment matching on sample
paths of an Ornstein-Uhlenbeck process; and pathwise Monte Carlo Greeks: a geometric
Brownian motion stepped by Euler-Maruyama from ``S0`` and ``sigma`` that require grad,
the discounted call payoff's mean differentiated by ``backward`` (delta, vega) and twice
by ``torch.autograd.grad(..., create_graph=True)`` (gamma: 0 pathwise, the payoff being
piecewise linear), against Black-Scholes through ``torch.special.ndtr``. Each program is
written once for a library ``T`` (``autograd`` here, ``torch`` there) and runs step for
step next to PyTorch's from the same weights and noise (float64): paths, losses,
gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- ``torch.randn(...) * dt.sqrt()`` for the Brownian increments draws from a NumPy
  generator shared by both runs (``brownian``): the two libraries' generators differ;
- the modules start from PyTorch's weights (``load_state_dict``), the test's glue;
- ``torch.autograd.grad`` is ``autograd.grad`` (this library is the autograd package).
"""

import numpy as np

import autograd as ag
import nn

from port_records import assert_same, numpy_of


def libraries(torch=None) -> tuple:
    """(T, lib, optim, grad) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim, ag.grad
    return torch, torch.nn, torch.optim, torch.autograd.grad


def brownian(T, rng, steps: int, *shape: int):
    """Standard normal draws, one (shape) per step: the dW of a step is these times
    sqrt(dt)."""
    return T.tensor(rng.standard_normal((steps, *shape)))


def sdeint(T, sde, y0, ts, noise):
    """Euler-Maruyama: y_{k+1} = y_k + f(t_k, y_k) dt + g(t_k, y_k) dW_k."""
    ys = [y0]
    y = y0
    for i, (t0, t1) in enumerate(zip(ts[:-1], ts[1:])):
        dt = t1 - t0
        dW = noise[i] * T.sqrt(dt)
        drift = sde.f(t0, y) * dt
        if sde.noise_type == 'general':
            diffusion = T.bmm(sde.g(t0, y), dW.unsqueeze(-1)).squeeze(-1)
        else:  # 'diagonal'
            diffusion = sde.g(t0, y) * dW
        y = y + drift + diffusion
        ys.append(y)
    return T.stack(ys)


def readme_sde_program(torch=None, start=None) -> list:
    """torchsde's README SDE (general noise), integrated and differentiated once."""
    T, lib, _, _ = libraries(torch)
    batch_size, state_size, brownian_size = 8, 3, 2
    t_size = 6

    class SDE(lib.Module):
        noise_type = 'general'
        sde_type = 'ito'

        def __init__(self):
            super().__init__()
            self.mu = lib.Linear(state_size, state_size)
            self.sigma = lib.Linear(state_size, state_size * brownian_size)

        # Drift
        def f(self, t, y):
            return self.mu(y)  # shape (batch_size, state_size)

        # Diffusion
        def g(self, t, y):
            return self.sigma(y).view(batch_size, state_size, brownian_size)

    sde = SDE()
    if start is not None:
        sde.load_state_dict(start)
    y0 = T.full((batch_size, state_size), 0.1)
    ts = T.linspace(0, 1, t_size)
    noise = brownian(T, np.random.default_rng(0), t_size - 1, batch_size, brownian_size)
    ys = sdeint(T, sde, y0, ts, noise)  # (t_size, batch_size, state_size)
    assert tuple(ys.shape) == (t_size, batch_size, state_size)
    ys.pow(2).mean().backward()
    return [{k: numpy_of(v) for k, v in sde.state_dict().items()}, numpy_of(ys),
            [numpy_of(p.grad) for p in sde.parameters()]]


def test_the_readme_sde_integrates_as_torch(torch):
    torch.manual_seed(0)
    want = readme_sde_program(torch)
    got = readme_sde_program(start=want[0])
    assert_same(got[1:], want[1:])


def ou_paths(paths: int, ts: np.ndarray, theta=2.0, mu=0.5, sigma=0.3) -> np.ndarray:
    """Exact samples of dX = theta (mu - X) dt + sigma dW from X_0 = 0: (len(ts), paths)."""
    rng = np.random.default_rng(1)
    xs = [np.zeros(paths)]
    for dt in np.diff(ts):
        decay = np.exp(-theta * dt)
        scale = sigma * np.sqrt((1 - decay ** 2) / (2 * theta))
        xs.append(mu + (xs[-1] - mu) * decay + scale * rng.standard_normal(paths))
    return np.stack(xs)


def moment_matching_program(torch=None, start=None) -> list:
    """A neural SDE (MLP drift of (t, y), diagonal softplus diffusion) fitted to the OU
    paths' mean and standard deviation over time, Adam with gradient clipping."""
    T, lib, optim, _ = libraries(torch)
    ts_data = np.linspace(0, 1, 9)
    data = T.tensor(ou_paths(200, ts_data))

    class NeuralSDE(lib.Module):
        noise_type = 'diagonal'
        sde_type = 'ito'

        def __init__(self, hidden=16):
            super().__init__()
            self.drift = lib.Sequential(lib.Linear(2, hidden), lib.Tanh(),
                                        lib.Linear(hidden, 1))
            self.diffusion = lib.Sequential(lib.Linear(2, hidden), lib.Tanh(),
                                            lib.Linear(hidden, 1), lib.Softplus())

        def f(self, t, y):
            return self.drift(T.cat([t.expand(y.size(0), 1), y], dim=-1))

        def g(self, t, y):
            return self.diffusion(T.cat([t.expand(y.size(0), 1), y], dim=-1))

    sde = NeuralSDE()
    if start is not None:
        sde.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in sde.state_dict().items()}]
    optimizer = optim.Adam(sde.parameters(), lr=0.02)
    ts = T.linspace(0, 1, 9)
    rng = np.random.default_rng(2)
    target_mean, target_std = data.mean(dim=1), data.std(dim=1)
    for step in range(12):
        y0 = T.zeros(64, 1)
        ys = sdeint(T, sde, y0, ts, brownian(T, rng, 8, 64, 1)).squeeze(-1)
        loss = ((ys.mean(dim=1) - target_mean) ** 2).mean() + \
            ((ys.std(dim=1)[1:] - target_std[1:]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        norm = lib.utils.clip_grad_norm_(sde.parameters(), max_norm=1.0)
        optimizer.step()
        record += [loss.item(), float(norm), [numpy_of(p.grad) for p in sde.parameters()]]
    return record + [[numpy_of(p) for p in sde.parameters()]]


def test_a_neural_sde_fits_ou_moments_as_torch(torch):
    torch.manual_seed(0)
    want = moment_matching_program(torch)
    got = moment_matching_program(start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-4] < got[1]  # the last loss is below the first


def greeks_program(torch=None) -> list:
    """Pathwise delta, vega and gamma of a European call by Monte Carlo on Euler-Maruyama
    paths of dS = r S dt + sigma S dW, and the Black-Scholes values."""
    T, _, _, grad = libraries(torch)
    S0 = T.tensor(100.0, requires_grad=True)
    sigma = T.tensor(0.2, requires_grad=True)
    K, r, maturity, steps, paths = 105.0, 0.03, 1.0, 50, 4000
    dt = maturity / steps
    noise = brownian(T, np.random.default_rng(3), steps, paths)
    S = S0 * T.ones(paths)
    for i in range(steps):
        S = S + r * S * dt + sigma * S * noise[i] * np.sqrt(dt)
    payoff = T.clamp(S - K, min=0)
    price = np.exp(-r * maturity) * payoff.mean()
    delta, = grad(price, S0, create_graph=True)
    gamma, = grad(delta, S0, allow_unused=True)
    price.backward()

    d1 = (T.log(S0 / K) + (r + sigma ** 2 / 2) * maturity) / (sigma * np.sqrt(maturity))
    d2 = d1 - sigma * np.sqrt(maturity)
    bs_price = S0 * T.special.ndtr(d1) - K * np.exp(-r * maturity) * T.special.ndtr(d2)
    bs_delta, bs_vega = grad(bs_price, (S0, sigma))
    return [price.item(), S0.grad.item(), sigma.grad.item(), delta.item(),
            None if gamma is None else gamma.item(),
            bs_price.item(), bs_delta.item(), bs_vega.item()]


def test_pathwise_greeks_as_torch_and_near_black_scholes(torch):
    want = greeks_program(torch)
    got = greeks_program()
    assert got[4] == want[4]  # gamma: no path from the kink's slope back to S0
    del got[4], want[4]
    assert_same(got, want)
    price, delta, vega, delta_again, bs_price, bs_delta, bs_vega = got
    assert delta == delta_again
    np.testing.assert_allclose([price, delta, vega], [bs_price, bs_delta, bs_vega], rtol=0.1)
