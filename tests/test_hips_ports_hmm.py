"""HIPS autograd's EM for a hidden Markov model by differentiation (``hmm_em.py``): the
gradient of the log partition function with respect to the natural parameters (log pi,
log A, log B) is the expected sufficient statistics (the E step); normalising them is
the M step. Ported as its readers write it: NumPy code on Tensors (``np.log`` mapped
over the parameters, ``np.where``, ``np.allclose``, a forward recursion with
``logsumexp``), run next to the same program in PyTorch (float64, the same data).
See ``test_hips_ports_basics.py`` for the conventions. Written differently here:
``logsumexp`` from ``autograd.scipy.misc`` is ``autograd.logsumexp``, and
``value_and_grad`` is ``func.grad_and_value`` (which gives (grad, value)).
"""

from functools import partial

import numpy as np

import autograd as ag
from autograd import func


def normalize(a):
    def replace_zeros(a):
        return np.where(a > 0.0, a, 1.0)
    return a / replace_zeros(a.sum(-1, keepdims=True))


def log_partition_function(natural_params, data, logsumexp=ag.logsumexp):
    """log p(data) by the forward recursion in log space; a list of sequences adds up."""
    if isinstance(data, list):
        return sum(map(partial(log_partition_function, natural_params,
                               logsumexp=logsumexp), data))
    log_pi, log_A, log_B = natural_params
    log_alpha = log_pi
    for y in data:
        log_alpha = logsumexp(log_alpha[:, None] + log_A, axis=0) + log_B[:, y]
    return logsumexp(log_alpha, axis=0)


def EM(init_params, data, num_steps, value_and_grad, log=np.log):
    """num_steps EM updates; the log-likelihood of each and the parameters after them."""
    params, loglikes = init_params, []
    for step in range(num_steps):
        natural_params = list(map(log, params))
        E_stats, loglike = value_and_grad(natural_params, data)  # E step
        loglikes.append(float(loglike))
        params = list(map(normalize, E_stats))  # M step
    return params, loglikes


def different(params1, params2):
    allclose = partial(np.allclose, atol=1e-3, rtol=1e-3)
    return not all(map(allclose, params1, params2))


def dataset(rs, num_outputs, lines=4, length=12):
    """Generated sequences of symbols in place of HIPS's lines of source code."""
    return [rs.randint(num_outputs, size=length) for _ in range(lines)]


def test_em_by_differentiation(torch):
    rs = np.random.RandomState(0)
    num_states, num_outputs = 3, 5
    init = [normalize(rs.rand(num_states)), normalize(rs.rand(num_states, num_states)),
            normalize(rs.rand(num_states, num_outputs))]
    data = dataset(rs, num_outputs)
    ours = func.grad_and_value(log_partition_function)

    def theirs(natural_params, data):
        natural_params = [p.detach().requires_grad_() for p in natural_params]
        value = log_partition_function(natural_params, data, torch.logsumexp)
        return torch.autograd.grad(value, natural_params), value.item()

    params, loglikes = EM(init, data, 6, ours)
    params_t, loglikes_t = EM([torch.tensor(p) for p in init], data, 6, theirs, torch.log)
    np.testing.assert_allclose(loglikes, loglikes_t, rtol=1e-11)
    assert all(b >= a - 1e-9 for a, b in zip(loglikes, loglikes[1:]))  # EM never descends
    for p, p_t in zip(params, params_t):
        np.testing.assert_allclose(p.data, p_t.numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(p.data.sum(-1), 1.0)  # each row a distribution
    # HIPS's fixed_point loop compares successive parameters with np.allclose
    assert different(init, params)
    assert not different(params, [p.data for p in params])


def test_expected_counts_are_the_gradient(torch):
    """d log Z / d log B sums, over time, the posterior of each state emitting y."""
    rs = np.random.RandomState(1)
    init = [normalize(rs.rand(2)), normalize(rs.rand(2, 2)), normalize(rs.rand(2, 3))]
    data = dataset(rs, 3, lines=1, length=5)
    E_stats, _ = func.grad_and_value(log_partition_function)(list(map(np.log, init)), data)
    assert isinstance(E_stats, list) and len(E_stats) == 3
    np.testing.assert_allclose(E_stats[2].data.sum(), 5.0, rtol=1e-12)  # one per step
    np.testing.assert_allclose(E_stats[0].data.sum(), 1.0, rtol=1e-12)
