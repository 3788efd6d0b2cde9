"""The SOFT top-k operator of Xie et al., "Differentiable Top-k with Optimal Transport"
(google-research ``soft_topk``), as its authors write it for PyTorch: the scores are
transported to two anchors {0, 1} with marginals (1/n, ...) and (k/n, (n-k)/n) by entropic
OT (Sinkhorn, plain or in the log domain), inside a ``torch.autograd.Function`` whose
backward is the paper's closed-form gradient (the Kappa system with ``torch.inverse``),
and the mass sent to anchor 0, times n, is the soft top-k indicator. ``-inf`` scores (the
padding of variable-length inputs) are filled below the minimum. Written once for a
library ``T`` and run next to PyTorch in float64: indicators and gradients agree to
1e-10, and the closed-form backward agrees with autograd through the unrolled log-domain
iterations of the authors' ``TopK_stablized`` (run to convergence).

Written differently here: ``torch.FloatTensor([...])`` (float32) is ``DoubleTensor``, the
float64 both runs compare in; the ``.cuda()`` branches are left out (CPU only);
``torch.autograd.Function`` is ``autograd.Function`` (the library is the package).
"""

import numpy as np

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    return (ag, nn, ag) if torch is None else (torch, torch.nn, torch.autograd)


def make_soft_topk(T, lib, autograd):
    F = lib.functional

    def sinkhorn_forward(C, mu, nu, epsilon, max_iter):
        bs, _, k_ = C.size()
        v = T.ones([bs, 1, k_]) / (k_)
        G = T.exp(-C / epsilon)
        for _ in range(max_iter):
            u = mu / (G * v).sum(-1, keepdim=True)
            v = nu / (G * u).sum(-2, keepdim=True)
        Gamma = u * G * v
        return Gamma

    def sinkhorn_backward(grad_output_Gamma, Gamma, mu, nu, epsilon):
        nu_ = nu[:, :, :-1]
        Gamma_ = Gamma[:, :, :-1]
        bs, n, k_ = Gamma.size()
        inv_mu = 1. / (mu.view([1, -1]))  # [1, n]
        Kappa = T.diag_embed(nu_.squeeze(-2)) \
            - T.matmul(Gamma_.transpose(-1, -2) * inv_mu.unsqueeze(-2), Gamma_)  # [bs, k, k]
        inv_Kappa = T.inverse(Kappa)  # [bs, k, k]
        Gamma_mu = inv_mu.unsqueeze(-1) * Gamma_
        L = Gamma_mu.matmul(inv_Kappa)  # [bs, n, k]
        G1 = grad_output_Gamma * Gamma  # [bs, n, k+1]
        g1 = G1.sum(-1)
        G21 = (g1 * inv_mu).unsqueeze(-1) * Gamma  # [bs, n, k+1]
        g1_L = g1.unsqueeze(-2).matmul(L)  # [bs, 1, k]
        G22 = g1_L.matmul(Gamma_mu.transpose(-1, -2)).transpose(-1, -2) * Gamma
        G23 = - F.pad(g1_L, pad=(0, 1), mode='constant', value=0) * Gamma
        G2 = G21 + G22 + G23  # [bs, n, k+1]
        g2 = G1.sum(-2).unsqueeze(-1)  # [bs, k+1, 1]
        g2 = g2[:, :-1, :]  # [bs, k, 1]
        G31 = - L.matmul(g2) * Gamma  # [bs, n, k+1]
        G32 = F.pad(inv_Kappa.matmul(g2).transpose(-1, -2), pad=(0, 1), mode='constant',
                    value=0) * Gamma
        G3 = G31 + G32  # [bs, n, k+1]
        grad_C = (-G1 + G2 + G3) / epsilon  # [bs, n, k+1]
        return grad_C

    class TopKFunc1(autograd.Function):
        @staticmethod
        def forward(ctx, C, mu, nu, epsilon, max_iter):
            with T.no_grad():
                Gamma = sinkhorn_forward(C, mu, nu, epsilon, max_iter)
                ctx.save_for_backward(mu, nu, Gamma)
                ctx.epsilon = epsilon
            return Gamma

        @staticmethod
        def backward(ctx, grad_output_Gamma):
            epsilon = ctx.epsilon
            mu, nu, Gamma = ctx.saved_tensors
            with T.no_grad():
                grad_C = sinkhorn_backward(grad_output_Gamma, Gamma, mu, nu, epsilon)
            return grad_C, None, None, None, None

    def fill_minus_inf(scores):
        """Replace -inf by the minimum finite score minus the score range."""
        scores_ = scores.clone().detach()
        max_scores = T.max(scores_).detach()
        scores_[scores_ == float('-inf')] = float('inf')
        min_scores = T.min(scores_).detach()
        filled_value = min_scores - (max_scores - min_scores)
        mask = scores == float('-inf')
        return scores.masked_fill(mask, filled_value)

    class TopK_custom(lib.Module):
        def __init__(self, k, epsilon=0.1, max_iter=200):
            super(TopK_custom, self).__init__()
            self.k = k
            self.epsilon = epsilon
            self.anchors = T.DoubleTensor([0, 1]).view([1, 1, 2])
            self.max_iter = max_iter

        def forward(self, scores):
            bs, n = scores.size()
            scores = fill_minus_inf(scores.view([bs, n, 1]))
            C = (scores - self.anchors) ** 2
            C = C / (C.max().detach())
            mu = T.ones([1, n, 1], requires_grad=False) / n
            nu = T.DoubleTensor([self.k / n, (n - self.k) / n]).view([1, 1, 2])
            Gamma = TopKFunc1.apply(C, mu, nu, self.epsilon, self.max_iter)
            A = Gamma[:, :, 0] * n
            return A

    class TopK_stablized(lib.Module):
        """The authors' log-domain version, differentiated by autograd through its loop."""

        def __init__(self, k, epsilon=0.1, max_iter=200):
            super(TopK_stablized, self).__init__()
            self.k = k
            self.epsilon = epsilon
            self.anchors = T.DoubleTensor([0, 1]).view([1, 2, 1])
            self.max_iter = max_iter

        def forward(self, scores):
            bs, n = scores.size()[:2]
            scores = fill_minus_inf(scores.view([bs, 1, n]))
            C = (scores - self.anchors) ** 2
            C = C / (C.max().detach())
            f = T.zeros([bs, 1, n])
            g = T.zeros([bs, 2, 1])
            mu = T.ones([1, 1, n], requires_grad=False) / n
            nu = T.DoubleTensor([self.k / n, (n - self.k) / n]).view([1, 2, 1])

            def min_epsilon_row(Z, epsilon):
                return -epsilon * T.logsumexp((-Z) / epsilon, -1, keepdim=True)

            def min_epsilon_col(Z, epsilon):
                return -epsilon * T.logsumexp((-Z) / epsilon, -2, keepdim=True)

            for i in range(self.max_iter):
                f = min_epsilon_col(C - f - g, self.epsilon) + f + self.epsilon * T.log(mu)
                g = min_epsilon_row(C - f - g, self.epsilon) + g + self.epsilon * T.log(nu)
            P = T.exp((-C + f + g) / self.epsilon)
            A = P[:, 0, :] * n
            return A

    return TopK_custom, TopK_stablized


def scores_array() -> np.ndarray:
    scores = np.random.default_rng(0).standard_normal((3, 7))
    scores[1, [2, 5]] = -np.inf  # padded positions
    return scores


def soft_topk_and_gradient(torch=None, stabilized: bool = False):
    T, lib, autograd = libraries(torch)
    TopK_custom, TopK_stablized = make_soft_topk(T, lib, autograd)
    layer = (TopK_stablized if stabilized else TopK_custom)(k=3, epsilon=0.1, max_iter=300)
    finite = np.isfinite(scores_array())
    scores = T.tensor(np.where(finite, scores_array(), 0.0), requires_grad=True)
    masked = scores.masked_fill(T.tensor(~finite), float('-inf'))
    A = layer(masked)
    (A * T.tensor(np.random.default_rng(1).standard_normal((3, 7)))).sum().backward()
    return A.detach().numpy(), scores.grad.numpy()


def test_soft_topk_matches_pytorch_and_selects_k(torch):
    A, grad = soft_topk_and_gradient()
    A_ref, grad_ref = soft_topk_and_gradient(torch)
    np.testing.assert_allclose(A, A_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(A.sum(-1), 3.0, rtol=1e-6)
    assert A[1, 2] == A[1, 5]  # the padded positions get the same filled score


def test_soft_topk_closed_form_backward_matches_the_unrolled_log_domain_loop():
    A, grad = soft_topk_and_gradient()
    A_log, grad_log = soft_topk_and_gradient(stabilized=True)
    np.testing.assert_allclose(A, A_log, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(grad, grad_log, rtol=1e-5, atol=1e-7)
