"""Gumbel-Sinkhorn permutation learning (Mena et al., "Learning Latent Permutations with
Gumbel-Sinkhorn Networks"), as the PyTorch re-implementation perrying/gumbel-sinkhorn
writes it: log-domain Sinkhorn normalisation, Gumbel noise from ``rand_like``, the
Hungarian matching by scipy's ``linear_sum_assignment`` for the hard permutation, and the
number-sorting experiment (a 1x1-convolution network maps each number to a row of
log-alpha; the loss is the MSE between the sorted list and the list permuted by each
Gumbel-Sinkhorn sample; Adam). Written once for a library ``T`` and run step for step
next to PyTorch in float64 from the same weights, noise and data: soft permutations,
losses, parameters and the evaluation's error rates agree.

Written differently here:
- ``torch.rand_like`` draws from a shared NumPy generator (``SharedUniform``), the same
  numbers in both runs (the generators differ);
- ``torch.utils.data`` is ``nn.data``; the loader does not shuffle (``shuffle=True``
  would draw the order from each library's own generator);
- ``assingment_matrix.max(1)[1]`` is ``.max(dim=1)[1]``: ``x.max(1)`` is ambiguous here
  (NumPy's ``max`` gives the values, PyTorch's the pair) and the library asks which;
- ``torch.from_numpy(...).float()`` is ``.double()``, the float64 both runs compare in.
"""

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    """(T, nn, optim, data) for this library, or PyTorch's."""
    if torch is None:
        return ag, nn, nn.optim, nn.data
    return torch, torch.nn, torch.optim, torch.utils.data


class SharedUniform:
    """``rand_like(x)``: uniform [0, 1) numbers of x's shape from a seeded NumPy generator."""

    def __init__(self, T, seed: int = 0) -> None:
        self.T, self.rng = T, np.random.default_rng(seed)

    def rand_like(self, x):
        return self.T.tensor(self.rng.uniform(size=tuple(x.shape)))


def gumbel_sinkhorn_ops(T, noise_source):
    """The repository's ``utils/gumbel_sinkhorn_ops.py`` for library ``T``."""

    def log_sinkhorn_norm(log_alpha, n_iter: int = 20):
        for _ in range(n_iter):
            log_alpha = log_alpha - T.logsumexp(log_alpha, -1, keepdim=True)
            log_alpha = log_alpha - T.logsumexp(log_alpha, -2, keepdim=True)
        return log_alpha.exp()

    def gumbel_sinkhorn(log_alpha, tau: float = 1.0, n_iter: int = 20, noise: bool = True):
        if noise:
            uniform_noise = noise_source.rand_like(log_alpha)
            gumbel_noise = -T.log(-T.log(uniform_noise + 1e-20) + 1e-20)
            log_alpha = (log_alpha + gumbel_noise) / tau
        sampled_perm_mat = log_sinkhorn_norm(log_alpha, n_iter)
        return sampled_perm_mat

    def gen_assignment(cost_matrix):
        row, col = linear_sum_assignment(cost_matrix)
        np_assignment_matrix = coo_matrix((np.ones_like(row), (row, col))).toarray()
        return np_assignment_matrix

    def gumbel_matching(log_alpha, noise: bool = True):
        if noise:
            uniform_noise = noise_source.rand_like(log_alpha)
            gumbel_noise = -T.log(-T.log(uniform_noise + 1e-20) + 1e-20)
            log_alpha = (log_alpha + gumbel_noise)
        np_log_alpha = log_alpha.detach().to("cpu").numpy()
        np_assignment_matrices = [gen_assignment(-x) for x in np_log_alpha]
        np_assignment_matrices = np.stack(np_assignment_matrices, 0)
        return T.from_numpy(np_assignment_matrices).double().to(log_alpha.device)

    def inverse_permutation(X, permutation_matrix):
        return T.einsum("bpq,bp->bq", (permutation_matrix, X))

    return log_sinkhorn_norm, gumbel_sinkhorn, gumbel_matching, inverse_permutation


def make_fc_model(lib):
    class FCModel(lib.Module):
        def __init__(self, hid_c, out_c):
            super().__init__()
            self.g1 = lib.Sequential(lib.Conv1d(1, hid_c, 1), lib.ReLU(True))
            self.g2 = lib.Sequential(lib.Conv1d(hid_c, out_c, 1))
            for m in self.modules():
                if isinstance(m, lib.Conv1d):
                    lib.init.xavier_normal_(m.weight)
                    lib.init.constant_(m.bias, 0)

        def forward(self, x):
            # NOTE: x is 2-dim or 3-dim, i.e., (batch, 1, numbers)
            if x.dim() == 2:
                x = x[:, None]
            h = self.g1(x)
            log_alpha = self.g2(h).transpose(1, 2).contiguous()
            return log_alpha

    return FCModel


def make_number_generator(T, data):
    class NumberGenerator(data.Dataset):
        """Lists of uniform numbers, their sorted version and the sorting permutation."""

        def __init__(self, n_numbers, n_lists, min_value, max_value, seed):
            rng = np.random.default_rng(seed)
            self.X = rng.uniform(min_value, max_value, (n_lists, n_numbers))
            self.permutation = np.argsort(self.X, axis=1)
            self.ordered_X = np.take_along_axis(self.X, self.permutation, axis=1)

        def __len__(self):
            return len(self.X)

        def __getitem__(self, item):
            return (T.tensor(self.X[item]), T.tensor(self.ordered_X[item]),
                    T.tensor(self.permutation[item]).double())

    return NumberGenerator


def sort_numbers(torch=None, n_numbers=6, epochs=2, n_samples=3):
    """train() then evaluation() of ``number_sorting/train.py``, shrunk."""
    T, lib, optim, data = libraries(torch)
    ops = gumbel_sinkhorn_ops(T, SharedUniform(T))
    _, gumbel_sinkhorn, gumbel_matching, inverse_permutation = ops
    model = make_fc_model(lib)(16, n_numbers)
    weights = np.random.default_rng(3)
    with T.no_grad():  # the same initial weights (after xavier_normal_) in both runs
        for param in model.parameters():
            param.copy_(T.tensor(weights.normal(0, 0.5, tuple(param.shape))))
    optimizer = optim.Adam(model.parameters(), 0.05)
    dataset = make_number_generator(T, data)(n_numbers, 40, 0, 1, 1)
    train_loader = data.DataLoader(dataset, 10, shuffle=False, drop_last=True)
    losses = []
    for epoch in range(epochs):
        for i, (X, ordered_X, _) in enumerate(train_loader):
            log_alpha = model(X[:, None])
            gumbel_sinkhorn_mat = [gumbel_sinkhorn(log_alpha, 1.0, 20)
                                   for _ in range(n_samples)]
            est_ordered_X = [inverse_permutation(X, gs_mat) for gs_mat in gumbel_sinkhorn_mat]
            loss = sum([lib.functional.mse_loss(X, ordered_X) for X in est_ordered_X])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())

    test_loader = data.DataLoader(make_number_generator(T, data)(n_numbers, 20, 0, 1, 2),
                                  10, shuffle=False, drop_last=True)
    model.eval()
    prop_wrongs, prop_any_wrongs = [], []
    for X, ordered_X, permutation in test_loader:
        assingment_matrix = gumbel_matching(model(X[:, None]), noise=False)
        est_permutation = assingment_matrix.max(dim=1)[1].double()
        prop_wrongs.append((permutation - est_permutation).sign().abs().mean(1))
        prop_any_wrongs.append((permutation - est_permutation).sign().abs().sum(1).sign())
    return (losses, [p.detach().numpy().copy() for p in model.parameters()],
            T.cat(prop_wrongs).mean().item(), T.cat(prop_any_wrongs).mean().item())


def test_number_sorting_trains_and_evaluates_like_pytorch(torch):
    losses, params, wrong, any_wrong = sort_numbers()
    losses_ref, params_ref, wrong_ref, any_wrong_ref = sort_numbers(torch)
    np.testing.assert_allclose(losses, losses_ref, rtol=1e-10)
    assert np.mean(losses[-4:]) < np.mean(losses[:4])
    for param, param_ref in zip(params, params_ref):
        np.testing.assert_allclose(param, param_ref, rtol=1e-9, atol=1e-11)
    assert (wrong, any_wrong) == (wrong_ref, any_wrong_ref)


def test_gumbel_sinkhorn_samples_are_doubly_stochastic_and_match_pytorch(torch):
    log_alpha = np.random.default_rng(4).standard_normal((2, 5, 5))
    results = []
    for T in (ag, torch):
        _, gumbel_sinkhorn, gumbel_matching, _ = gumbel_sinkhorn_ops(T, SharedUniform(T))
        x = T.tensor(log_alpha, requires_grad=True)
        soft = gumbel_sinkhorn(x, tau=0.5, n_iter=50)
        (soft * T.tensor(np.arange(50.0).reshape(2, 5, 5))).sum().backward()
        hard = gumbel_matching(x, noise=False)
        results.append((soft.detach().numpy(), x.grad.numpy(), hard.numpy()))
    (soft, grad, hard), (soft_ref, grad_ref, hard_ref) = results
    np.testing.assert_allclose(soft, soft_ref, rtol=1e-12)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(hard, hard_ref)
    np.testing.assert_allclose(soft.sum(-1), 1.0, atol=1e-4)  # 50 iterations
    np.testing.assert_allclose(soft.sum(-2), 1.0, atol=1e-12)
