"""t-SNE by gradient descent, as readers write it from ``tsne_torch.py`` (Xiao Li's
PyTorch port of van der Maaten's ``tsne.py``): ``x2p_torch`` finds each point's Gaussian
precision by bisection on the entropy (``beta[i] *= 2.``, ``beta[i] = (beta[i] +
betamax) / 2.`` in place), P is symmetrised, normalised and exaggerated 4x for the first
100 iterations, and Y moves by momentum (0.5, then 0.8) with per-coordinate gains. The
program is written once for a library ``torch`` (``autograd`` here, PyTorch there) on 60
of scikit-learn's digits; every KL cost and the final embedding agree to 1e-10.

Lines written differently here, and why:
- the hand-written gradient loop (``dY[i, :] = ((PQ[:, i] * num[:, i]).repeat(k, 1).T *
  (Y[i, :] - Y)).sum(0)``) is the KL's autograd gradient, divided by 4 (the paper's
  gradient 4 sum_j (p_ij - q_ij) (y_i - y_j) / (1 + |y_i - y_j|^2) drops that factor);
  the whole point of the port is to run it through the engine;
- Y starts from a seeded NumPy draw (``torch.randn`` streams differ), PCA is left out
  (the digits have 64 features) and there are 120 iterations instead of 1000.
"""

import numpy as np
import pytest

import autograd as ag


def program(torch) -> list:
    """Embed 60 digits in 2-D; returns the KL cost of every iteration, then Y."""
    T = torch if torch is not None else ag

    def Hbeta_torch(D, beta=1.0):
        P = T.exp(-D.clone() * beta)
        sumP = T.sum(P)
        H = T.log(sumP) + beta * T.sum(D * P) / sumP
        P /= sumP
        return H, P

    def x2p_torch(X, tol=1e-5, perplexity=30.0):
        """Binary search for the precisions giving every conditional the same perplexity."""
        M = X.size(0)
        SSX = (X**2).sum(1)
        D = ((X @ X.T) * -2 + SSX).T + SSX
        P = X.new_zeros(M, M)
        beta = X.new_ones(M, 1)
        logU = T.tensor([perplexity]).log()
        indices = T.arange(M)
        for i in range(M):
            betamin = None
            betamax = None
            Di = D[i, T.cat([indices[:i], indices[i+1:M]])]
            H, thisP = Hbeta_torch(Di, beta[i])
            Hdiff = H - logU
            tries = 0
            while T.abs(Hdiff) > tol and tries < 50:
                if Hdiff > 0:
                    betamin = beta[i].clone()
                    if betamax is None:
                        beta[i] *= 2.
                    else:
                        beta[i] = (beta[i] + betamax) / 2.
                else:
                    betamax = beta[i].clone()
                    if betamin is None:
                        beta[i] /= 2.
                    else:
                        beta[i] = (beta[i] + betamin) / 2.
                H, thisP = Hbeta_torch(Di, beta[i])
                Hdiff = H - logU
                tries += 1
            P[i, T.cat([indices[:i], indices[i+1:M]])] = thisP
        return P

    def tsne(X, k=2, perplexity=30.0, max_iter=1000, initial_momentum=0.5,
             final_momentum=0.8, eta=500, min_gain=0.01, eps=1e-12):
        M = X.size(0)
        Y = T.tensor(np.random.default_rng(0).standard_normal((M, k)) * 1e-2)
        iY = T.zeros_like(Y)
        gains = T.ones_like(Y)
        P = x2p_torch(X, 1e-5, perplexity)
        P += P.T.clone()
        P /= P.sum()
        P *= 4      # early exaggeration
        P = T.max(P, T.tensor([eps]))
        for iter in range(1, max_iter + 1):
            Yv = Y.clone().requires_grad_(True)
            SSY = (Yv ** 2).sum(1)
            num = -2. * (Yv @ Yv.T)
            num = (1 + (num + SSY).T + SSY) ** -1
            num[T.arange(M), T.arange(M)] = 0.  # in place, inside the graph
            Q = num / num.sum()
            Q = T.max(Q, T.tensor([eps]))
            C = (P * (P / Q).log()).sum()
            C.backward()
            dY = Yv.grad / 4  # (see the top)
            momentum = initial_momentum if iter <= 20 else final_momentum
            with T.no_grad():
                mask = (dY > 0) == (iY > 0)
                gains = (gains * 0.2) * (~mask).float() + (gains * 0.8) * mask.float()
                gains[gains < min_gain] = min_gain
                iY = momentum * iY - eta * gains * dY
                Y += iY
                Y -= Y.mean(0)
            record.append(C.item())
            if iter == 100:
                P /= 4  # stop lying about P-values
        return Y

    record = []
    datasets = pytest.importorskip("sklearn.datasets")
    X = T.tensor(datasets.load_digits().data[:60] / 16.0)
    Y = tsne(X, 2, perplexity=10.0, max_iter=120)
    record.append(Y.numpy().copy())
    return record


def test_tsne_embeds_digits_as_pytorch_does(torch):
    want = program(torch)
    got = program(None)
    assert len(got) == len(want) == 121
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    assert want[119] < want[100] < want[0]  # the KL falls, also after the exaggeration
