"""An OptNet layer (Amos and Kolter, "OptNet: Differentiable Optimization as a Layer in
Neural Networks"; locuslab/qpth) as its readers write it for PyTorch, written once for a
library ``T`` (``autograd`` here, ``torch`` there).

The layer solves the batched quadratic program

    z* = argmin_z 1/2 z^T Q z + p^T z   subject to   G z <= h,  A z = b

by a primal-dual interior point method (Mehrotra predictor-corrector) on the KKT system

    [Q  0  G^T A^T] [dx]   [-rx]
    [0  D  I   0  ] [ds] = [-rs]      D = diag(lambda / s)
    [G  I  0   0  ] [dl]   [-rz]
    [A  0  0   0  ] [dy]   [-ry]

solved by LU (``torch.linalg.lu_factor`` / ``lu_solve``), inside a
``torch.autograd.Function`` whose backward differentiates the KKT conditions at the
solution (OptNet's implicit differentiation): one more solve of the same matrix with the
right-hand side (dl/dz*, 0, 0, 0) gives (dz, ds, dlambda, dnu), and then

    dl/dp = dz,  dl/dQ = (dz z^T + z dz^T) / 2,  dl/dG = dlambda z^T + lambda dz^T,
    dl/dh = -dlambda,  dl/dA = dnu z^T + nu dz^T,  dl/db = -dnu.

Written differently here: ``torch.autograd.Function`` is ``autograd.Function`` (the library
is the autograd package), see ``autograd_of``.
"""

import numpy as np


def autograd_of(T):
    """``torch.autograd`` there; this library's top level here (``autograd.Function``)."""
    return T if T.__name__ == "autograd" else T.autograd


def get_step(v, dv):
    """The largest step a <= 1 keeping v + a dv >= 0, per batch row (qpth's ``get_step``)."""
    a = -v / dv
    a[dv >= 0] = 1.0
    return a.min(dim=1)[0].clamp(max=1.0)


def kkt_matrix(T, Q, G, A, d):
    """The batched KKT matrix above, for the slack scaling d = lambda / s."""
    nbatch, nineq, nz = G.size()
    neq = A.size(1)
    eye = T.eye(nineq).expand(nbatch, nineq, nineq)
    zeros = T.zeros
    rows = [
        T.cat([Q, zeros(nbatch, nz, nineq), G.transpose(1, 2), A.transpose(1, 2)], 2),
        T.cat([zeros(nbatch, nineq, nz), T.diag_embed(d), eye, zeros(nbatch, nineq, neq)], 2),
        T.cat([G, eye, zeros(nbatch, nineq, nineq + neq)], 2),
        T.cat([A, zeros(nbatch, neq, 2 * nineq + neq)], 2),
    ]
    return T.cat(rows, 1)


def solve_kkt(T, K_LU, pivots, rx, rs, rz, ry):
    """(dx, ds, dl, dy) from the factorised KKT matrix and the residuals (all negated)."""
    rhs = -T.cat([rx, rs, rz, ry], 1).unsqueeze(2)
    sol = T.linalg.lu_solve(K_LU, pivots, rhs).squeeze(2)
    nz, nineq = rx.size(1), rs.size(1)
    return T.split(sol, [nz, nineq, nineq, ry.size(1)], dim=1)


def pdipm(T, Q, p, G, h, A, b, max_iter=30, eps=1e-12):
    """Mehrotra's predictor-corrector method; returns (z, s, lambda, nu)."""
    nbatch, nineq, nz = G.size()
    K_LU, pivots = T.linalg.lu_factor(kkt_matrix(T, Q, G, A, T.ones(nbatch, nineq)))
    x, s, z, y = solve_kkt(T, K_LU, pivots, p, T.zeros(nbatch, nineq), -h, -b)
    # shift the starting slacks and multipliers into the positive orthant
    M = s.min(dim=1, keepdim=True)[0]
    s = T.where(M < 0, s - M + 1, s)
    M = z.min(dim=1, keepdim=True)[0]
    z = T.where(M < 0, z - M + 1, z)

    for i in range(max_iter):
        rx = T.bmm(y.unsqueeze(1), A).squeeze(1) + T.bmm(z.unsqueeze(1), G).squeeze(1) \
            + T.bmm(Q, x.unsqueeze(2)).squeeze(2) + p
        rs = z
        rz = T.bmm(G, x.unsqueeze(2)).squeeze(2) + s - h
        ry = T.bmm(A, x.unsqueeze(2)).squeeze(2) - b
        mu = (s * z).sum(1, keepdim=True) / nineq
        resid = rx.norm(dim=1) + rz.norm(dim=1) + ry.norm(dim=1) + mu.squeeze(1)
        if resid.max().item() < eps:
            break
        d = z / s
        K_LU, pivots = T.linalg.lu_factor(kkt_matrix(T, Q, G, A, d))
        # predictor: the affine scaling direction
        dx_aff, ds_aff, dz_aff, dy_aff = solve_kkt(T, K_LU, pivots, rx, rs, rz, ry)
        alpha = T.minimum(get_step(z, dz_aff), get_step(s, ds_aff)).unsqueeze(1)
        sig = (((s + alpha * ds_aff) * (z + alpha * dz_aff)).sum(1, keepdim=True)
               / (s * z).sum(1, keepdim=True)) ** 3
        # corrector: centring and second-order term
        rs_cor = (-mu * sig + ds_aff * dz_aff) / s
        dx_cor, ds_cor, dz_cor, dy_cor = solve_kkt(
            T, K_LU, pivots, T.zeros_like(x), rs_cor, T.zeros_like(z), T.zeros_like(y))
        dx, ds = dx_aff + dx_cor, ds_aff + ds_cor
        dz, dy = dz_aff + dz_cor, dy_aff + dy_cor
        alpha = (0.999 * T.minimum(get_step(z, dz), get_step(s, ds))).unsqueeze(1)
        x, s, z, y = x + alpha * dx, s + alpha * ds, z + alpha * dz, y + alpha * dy
    return x, s, z, y


def make_qp_function(T):
    class QPFunction(autograd_of(T).Function):
        @staticmethod
        def forward(ctx, Q, p, G, h, A, b):
            zhats, slacks, lams, nus = pdipm(T, Q, p, G, h, A, b)
            ctx.save_for_backward(zhats, Q, G, A, slacks, lams, nus)
            return zhats

        @staticmethod
        def backward(ctx, dl_dzhat):
            zhats, Q, G, A, slacks, lams, nus = ctx.saved_tensors
            K_LU, pivots = T.linalg.lu_factor(kkt_matrix(T, Q, G, A, lams / slacks))
            dx, _, dlam, dnu = solve_kkt(T, K_LU, pivots, dl_dzhat, T.zeros_like(lams),
                                         T.zeros_like(lams), T.zeros_like(nus))
            dQs = 0.5 * (T.einsum("bi,bj->bij", dx, zhats) + T.einsum("bi,bj->bij", zhats, dx))
            dGs = T.einsum("bi,bj->bij", dlam, zhats) + T.einsum("bi,bj->bij", lams, dx)
            dAs = T.einsum("bi,bj->bij", dnu, zhats) + T.einsum("bi,bj->bij", nus, dx)
            return dQs, dx, dGs, -dlam, dAs, -dnu

    return QPFunction


def make_equality_qp_function(T):
    """The equality-constrained QP min 1/2 z^T Q z + p^T z s.t. A z = b in closed form: its
    KKT matrix K = [[Q, A^T], [A, 0]] is symmetric indefinite, so it is factored once by
    ``torch.linalg.ldl_factor`` (Bunch-Kaufman) and reused by the backward's solve with
    (dl/dz*, 0) (K is symmetric), which gives dl/dp = dz, dl/db = -dnu,
    dl/dQ = (dz z^T + z dz^T) / 2 and dl/dA = dnu z^T + nu dz^T."""

    class EqualityQPFunction(autograd_of(T).Function):
        @staticmethod
        def forward(ctx, Q, p, A, b):
            nz, neq = Q.size(-1), A.size(-2)
            K = T.cat([T.cat([Q, A.transpose(-2, -1)], -1),
                       T.cat([A, T.zeros(*A.shape[:-2], neq, neq)], -1)], -2)
            LD, pivots = T.linalg.ldl_factor(K)
            sol = T.linalg.ldl_solve(LD, pivots, T.cat([-p, b], -1).unsqueeze(-1)).squeeze(-1)
            z, nu = sol[..., :nz], sol[..., nz:]
            ctx.save_for_backward(LD, pivots, z, nu)
            return z

        @staticmethod
        def backward(ctx, grad_z):
            LD, pivots, z, nu = ctx.saved_tensors
            nz = z.size(-1)
            rhs = T.cat([-grad_z, T.zeros_like(nu)], -1).unsqueeze(-1)
            d = T.linalg.ldl_solve(LD, pivots, rhs).squeeze(-1)
            dz, dnu = d[..., :nz], d[..., nz:]
            dQ = 0.5 * (T.einsum("bi,bj->bij", dz, z) + T.einsum("bi,bj->bij", z, dz))
            dA = T.einsum("bi,bj->bij", dnu, z) + T.einsum("bi,bj->bij", nu, dz)
            return dQ, dz, dA, -dnu

    return EqualityQPFunction


def make_optnet(T, lib):
    """OptNet's classifier head (qpth's example): features -> p, then the QP's solution,
    with Q = L L^T + eps I, G and the feasible point (z0, s0) learnt, h = G z0 + s0, and
    one equality constraint sum(z) = 1 (A = 1^T, b = 1)."""
    QPFunction = make_qp_function(T)

    class OptNet(lib.Module):
        def __init__(self, nFeatures, nCls, nineq, eps=1e-4):
            super().__init__()
            self.fc1 = lib.Linear(nFeatures, nCls)
            self.M = T.tril(T.ones(nCls, nCls))
            self.L = lib.Parameter(T.tril(T.rand(nCls, nCls)))
            # qpth's torch.Tensor(nineq, nCls) (the size constructor): T.empty here,
            # where Tensor(...) takes data
            self.G = lib.Parameter(T.empty(nineq, nCls).uniform_(-1, 1))
            self.z0 = lib.Parameter(T.zeros(nCls))
            self.s0 = lib.Parameter(T.ones(nineq))
            self.nCls, self.nineq, self.eps = nCls, nineq, eps

        def forward(self, x):
            nBatch = x.size(0)
            x = self.fc1(x)
            L = self.M * self.L
            Q = L.mm(L.t()) + self.eps * T.eye(self.nCls)
            Q = Q.unsqueeze(0).expand(nBatch, self.nCls, self.nCls)
            G = self.G.unsqueeze(0).expand(nBatch, self.nineq, self.nCls)
            h = (self.G.mv(self.z0) + self.s0).unsqueeze(0).expand(nBatch, self.nineq)
            A = T.ones(nBatch, 1, self.nCls)
            b = T.ones(nBatch, 1)
            x = QPFunction.apply(Q, -x, G, h, A, b)
            return lib.functional.log_softmax(x, dim=1)

    return OptNet


def random_qp(T, nbatch=3, nz=4, nineq=5, neq=1, seed=0):
    """A feasible, strictly convex batched QP (Q, p, G, h, A, b) as float64 tensors."""
    rng = np.random.default_rng(seed)
    L = rng.standard_normal((nbatch, nz, nz))
    Q = L @ L.transpose(0, 2, 1) + 0.5 * np.eye(nz)
    p = rng.standard_normal((nbatch, nz))
    G = rng.standard_normal((nbatch, nineq, nz))
    z0 = rng.standard_normal((nbatch, nz))
    h = np.einsum("bij,bj->bi", G, z0) + rng.uniform(0.1, 1.0, (nbatch, nineq))
    A = rng.standard_normal((nbatch, neq, nz))
    b = np.einsum("bij,bj->bi", A, z0)
    return tuple(T.tensor(a) for a in (Q, p, G, h, A, b))
