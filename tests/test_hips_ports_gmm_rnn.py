"""HIPS autograd's Gaussian mixture (``gmm.py``: a log-likelihood through logsumexp, fit
by Newton-CG with Hessian-vector products) and character RNN (``rnn.py``: ``np.hstack``
and ``np.dot`` per step), ported as their readers write them: NumPy code on Tensors, run
next to the same program in PyTorch (float64, same data). See
``test_hips_ports_basics.py`` for the conventions. Written differently here:
- ``autograd.scipy.special.logsumexp`` is ``autograd.logsumexp`` and
  ``autograd.scipy.stats.multivariate_normal.logpdf`` is written out with
  ``np.linalg.solve``/``slogdet`` (SciPy's own would cut a Tensor out of the graph);
- ``autograd.misc.flatten``'s (flat, unflatten) pair is ``np.concatenate`` of the
  ravelled parameters and slicing back; HIPS's ``hessian_vector_product(f)(x, v)`` is
  ``autograd.functional.hvp(f, x, v)[1]``.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import func, functional

LOG_2PI = np.log(2 * np.pi)


def assert_close(got, want, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    got = got.data if isinstance(got, ag.Tensor) else got
    want = want.detach().numpy() if hasattr(want, "detach") else want
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol, atol=atol)


# ------------------------------------------------------------------------ gmm.py
def make_pinwheel(num_classes=3, num_per_class=20, rs=np.random.RandomState(0)):
    """Generated 2-d data: arms of a pinwheel (stretched, rotated Gaussian blobs)."""
    features = rs.randn(num_classes * num_per_class, 2) * np.array([0.3, 0.05])
    features[:, 0] += 1.0
    labels = np.repeat(np.arange(num_classes), num_per_class)
    angles = labels * 2 * np.pi / num_classes + 0.4 * np.exp(features[:, 0])
    rotations = np.stack([np.cos(angles), -np.sin(angles), np.sin(angles), np.cos(angles)])
    rotations = rotations.T.reshape((-1, 2, 2))
    return np.einsum("ti,tij->tj", features, rotations)


def init_gmm_params(num_components, D, scale, rs):
    return {"log proportions": rs.randn(num_components) * scale,
            "means": rs.randn(num_components, D) * scale,
            "lower triangles": np.zeros((num_components, D, D)) + np.eye(D)}


def log_normalize(x):
    return x - ag.logsumexp(x)


def mvn_logpdf(data, mean, cov):
    diff = data - mean
    mahalanobis = np.sum(diff * np.linalg.solve(cov, diff.T).T, axis=1)
    return -0.5 * (mahalanobis + np.linalg.slogdet(cov)[1] + data.shape[1] * LOG_2PI)


def gmm_log_likelihood(params, data):
    cluster_lls = []
    for log_proportion, mean, cov_sqrt in zip(log_normalize(params["log proportions"]),
                                              params["means"], params["lower triangles"]):
        cov = np.dot(cov_sqrt.T, cov_sqrt)
        cluster_lls.append(log_proportion + mvn_logpdf(data, mean, cov))
    return np.sum(ag.logsumexp(np.vstack(cluster_lls), axis=0))


def torch_gmm_log_likelihood(torch, params, data):
    log_props = params["log proportions"] - torch.logsumexp(params["log proportions"], 0)
    covs = params["lower triangles"].transpose(1, 2) @ params["lower triangles"]
    mixture = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=log_props),
        torch.distributions.MultivariateNormal(params["means"], covs))
    return mixture.log_prob(data).sum()


KEYS = ("log proportions", "means", "lower triangles")


def flatten(params):
    """HIPS's autograd.misc.flatten: one vector, and the function that undoes it."""
    shapes = [np.shape(params[k]) for k in KEYS]
    sizes = np.cumsum([0] + [int(np.prod(s)) for s in shapes])

    def unflatten(vector):
        return {k: np.reshape(vector[a:b], s)
                for k, s, a, b in zip(KEYS, shapes, sizes[:-1], sizes[1:])}

    return np.concatenate([np.ravel(params[k]) for k in KEYS]), unflatten


def test_gmm_log_likelihood_gradient_of_a_dict(torch):
    data = make_pinwheel()
    init = init_gmm_params(4, 2, 0.5, np.random.RandomState(0))
    gradient, value = func.grad_and_value(lambda p: gmm_log_likelihood(p, data))(init)
    init_t = {k: torch.tensor(v, requires_grad=True) for k, v in init.items()}
    value_t = torch_gmm_log_likelihood(torch, init_t, torch.tensor(data))
    value_t.backward()
    assert_close(value, value_t)
    assert set(gradient) == set(KEYS)
    for k in KEYS:
        assert_close(gradient[k], init_t[k].grad)


def test_gmm_by_newton_cg_with_hessian_vector_products(torch):
    optimize = pytest.importorskip("scipy.optimize")
    data = make_pinwheel()
    flat_init, unflatten = flatten(init_gmm_params(3, 2, 0.5, np.random.RandomState(1)))
    flat_init = np.asarray(flat_init)

    def objective(flat):
        return -gmm_log_likelihood(unflatten(flat), data)

    def objective_t(flat):
        shapes, sizes = [(3,), (3, 2), (3, 2, 2)], [0, 3, 9, 21]
        params = {k: flat[a:b].reshape(s)
                  for k, s, a, b in zip(KEYS, shapes, sizes[:-1], sizes[1:])}
        return -torch_gmm_log_likelihood(torch, params, torch.tensor(data))

    v = np.random.RandomState(2).randn(flat_init.size)
    hv = functional.hvp(objective, ag.tensor(flat_init), ag.tensor(v))[1]
    hv_t = torch.autograd.functional.hvp(objective_t, torch.tensor(flat_init),
                                         torch.tensor(v))[1]
    assert_close(hv, hv_t, rtol=1e-9)

    def run(value, jac, hessp):
        return optimize.minimize(value, flat_init, jac=jac, hessp=hessp, method="Newton-CG",
                                 options={"maxiter": 4})

    got = run(lambda x: float(objective(x)), lambda x: func.grad(objective)(x).numpy(),
              lambda x, p: functional.hvp(objective, ag.tensor(x), ag.tensor(p))[1].numpy())
    want = run(lambda x: objective_t(torch.tensor(x)).item(),
               lambda x: torch.func.grad(objective_t)(torch.tensor(x)).numpy(),
               lambda x, p: torch.autograd.functional.hvp(
                   objective_t, torch.tensor(x), torch.tensor(p))[1].numpy())
    np.testing.assert_allclose(got.x, want.x, rtol=1e-7, atol=1e-9)
    assert got.fun < float(objective(flat_init))


# ------------------------------------------------------------------------ rnn.py
def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)


def concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def create_rnn_params(input_size, state_size, output_size, param_scale, rs):
    return {"init hiddens": rs.randn(1, state_size) * param_scale,
            "change": rs.randn(input_size + state_size + 1, state_size) * param_scale,
            "predict": rs.randn(state_size + 1, output_size) * param_scale}


def rnn_predict(params, inputs):
    def update_rnn(input, hiddens):
        return np.tanh(concat_and_multiply(params["change"], input, hiddens))

    def hiddens_to_output_probs(hiddens):
        output = concat_and_multiply(params["predict"], hiddens)
        return output - ag.logsumexp(output, axis=1, keepdims=True)

    hiddens = np.repeat(params["init hiddens"], inputs.shape[1], axis=0)
    output = [hiddens_to_output_probs(hiddens)]
    for input in inputs:  # over time steps
        hiddens = update_rnn(input, hiddens)
        output.append(hiddens_to_output_probs(hiddens))
    return output


def rnn_log_likelihood(params, inputs, targets):
    logprobs = rnn_predict(params, inputs)
    num_time_steps, num_examples, _ = inputs.shape
    loglik = 0.0
    for t in range(num_time_steps):
        loglik += np.sum(logprobs[t] * targets[t])
    return loglik / (num_time_steps * num_examples)


def torch_rnn_log_likelihood(torch, params, inputs, targets):
    T, N, _ = inputs.shape
    hiddens = params["init hiddens"].repeat(N, 1)
    ones = torch.ones(N, 1)

    def log_probs(h):
        output = torch.cat([h, ones], 1) @ params["predict"]
        return output - torch.logsumexp(output, 1, keepdim=True)

    outputs = [log_probs(hiddens)]
    for x in inputs:
        hiddens = torch.tanh(torch.cat([x, hiddens, ones], 1) @ params["change"])
        outputs.append(log_probs(hiddens))
    return sum((outputs[t] * targets[t]).sum() for t in range(T)) / (T * N)


def string_to_one_hot(string, maxchar):
    codes = np.array([ord(c) % maxchar for c in string])
    return np.array(codes[:, None] == np.arange(maxchar)[None, :], dtype=int)


def build_dataset(lines, sequence_length, alphabet_size):
    seqs = np.zeros((sequence_length, len(lines), alphabet_size))
    for ix, line in enumerate(lines):
        padded_line = (line + " " * sequence_length)[:sequence_length]
        seqs[:, ix, :] = string_to_one_hot(padded_line, alphabet_size)
    return seqs


def test_rnn_trained_with_adam(torch):
    words = ["abc", "cab", "bca", "aab", "bbc"]
    lines = [" ".join(words[(i + k) % 5] for k in range(3)) for i in range(6)]
    train_inputs = build_dataset(lines, sequence_length=8, alphabet_size=16)
    init = create_rnn_params(16, 6, 16, 0.1, np.random.RandomState(0))
    params = {k: ag.tensor(v, requires_grad=True) for k, v in init.items()}
    params_t = {k: torch.tensor(v, requires_grad=True) for k, v in init.items()}
    optimizer = nn.optim.Adam(list(params.values()), lr=0.05)
    optimizer_t = torch.optim.Adam(list(params_t.values()), lr=0.05)
    inputs_t = torch.tensor(train_inputs)
    for step in range(6):
        loss = -rnn_log_likelihood(params, train_inputs, train_inputs)
        loss_t = -torch_rnn_log_likelihood(torch, params_t, inputs_t, inputs_t)
        assert_close(loss, loss_t)
        for opt, objective in ((optimizer, loss), (optimizer_t, loss_t)):
            opt.zero_grad()
            objective.backward()
            opt.step()
        for k in params:
            assert_close(params[k].grad, params_t[k].grad)
            assert_close(params[k], params_t[k])
    # HIPS's grad(training_loss)(params): a dict of gradients, as the dict of parameters
    gradient = func.grad(lambda p: -rnn_log_likelihood(p, train_inputs, train_inputs))(
        {k: v.detach() for k, v in params.items()})
    assert set(gradient) == set(params)
    logprobs = np.stack(rnn_predict(params, train_inputs))  # HIPS: np.asarray of the list
    assert logprobs.shape == (9, 6, 16)
