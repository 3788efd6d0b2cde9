"""karpathy/pytorch-normalizing-flows' ``nflib`` (made.py, nets.py, flows.py) written once
for a library ``torch`` (``autograd`` here, PyTorch there): the classes that
``test_pytorch_ports_flows_nflib.py`` and ``..._spline.py`` build their models from. The
lines written differently here are listed in ``test_pytorch_ports_flows_nflib.py``."""

import numpy as np


def nflib(torch, nn, init):
    """The classes of nflib/made.py, nets.py and flows.py for the library ``torch``."""
    F = nn.functional

    class MaskedLinear(nn.Linear):
        def __init__(self, in_features, out_features, bias=True):
            super().__init__(in_features, out_features, bias)
            self.register_buffer('mask', torch.ones(out_features, in_features))

        def set_mask(self, mask):
            with torch.no_grad():  # self.mask.data.copy_(...): .data is NumPy's here
                self.mask.copy_(torch.from_numpy(mask.astype(np.uint8).T))

        def forward(self, input):
            return F.linear(input, self.mask * self.weight, self.bias)

    class MADE(nn.Module):
        def __init__(self, nin, hidden_sizes, nout, num_masks=1, natural_ordering=False):
            super().__init__()
            self.nin, self.nout, self.hidden_sizes = nin, nout, hidden_sizes
            self.net = []
            hs = [nin] + hidden_sizes + [nout]
            for h0, h1 in zip(hs, hs[1:]):
                self.net.extend([MaskedLinear(h0, h1), nn.ReLU()])
            self.net.pop()
            self.net = nn.Sequential(*self.net)
            self.natural_ordering, self.num_masks, self.seed = natural_ordering, num_masks, 0
            self.m = {}
            self.update_masks()

        def update_masks(self):
            if self.m and self.num_masks == 1:
                return
            L = len(self.hidden_sizes)
            rng = np.random.RandomState(self.seed)
            self.seed = (self.seed + 1) % self.num_masks
            self.m[-1] = np.arange(self.nin) if self.natural_ordering else rng.permutation(
                self.nin)
            for l in range(L):  # noqa: E741 (MADE's names)
                self.m[l] = rng.randint(self.m[l-1].min(), self.nin-1, size=self.hidden_sizes[l])
            masks = [self.m[l-1][:, None] <= self.m[l][None, :] for l in range(L)]  # noqa: E741
            masks.append(self.m[L-1][:, None] < self.m[-1][None, :])
            if self.nout > self.nin:
                k = int(self.nout / self.nin)
                masks[-1] = np.concatenate([masks[-1]]*k, axis=1)
            layers = [l for l in self.net.modules() if isinstance(l, MaskedLinear)]  # noqa: E741
            for l, m in zip(layers, masks):  # noqa: E741
                l.set_mask(m)

        def forward(self, x):
            return self.net(x)

    class MLP(nn.Module):
        def __init__(self, nin, nout, nh):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(nin, nh), nn.LeakyReLU(0.2), nn.Linear(nh, nh),
                                     nn.LeakyReLU(0.2), nn.Linear(nh, nout))

        def forward(self, x):
            return self.net(x)

    class ARMLP(nn.Module):
        def __init__(self, nin, nout, nh):
            super().__init__()
            self.net = MADE(nin, [nh, nh], nout, num_masks=1, natural_ordering=True)

        def forward(self, x):
            return self.net(x)

    class AffineConstantFlow(nn.Module):
        def __init__(self, dim, scale=True, shift=True):
            super().__init__()
            self.s = nn.Parameter(torch.randn(1, dim, requires_grad=True)) if scale else None
            self.t = nn.Parameter(torch.randn(1, dim, requires_grad=True)) if shift else None

        def forward(self, x):
            s = self.s if self.s is not None else x.new_zeros(x.size())
            t = self.t if self.t is not None else x.new_zeros(x.size())
            z = x * torch.exp(s) + t
            log_det = torch.sum(s, dim=1)
            return z, log_det

        def backward(self, z):
            s = self.s if self.s is not None else z.new_zeros(z.size())
            t = self.t if self.t is not None else z.new_zeros(z.size())
            x = (z - t) * torch.exp(-s)
            log_det = torch.sum(-s, dim=1)
            return x, log_det

    class ActNorm(AffineConstantFlow):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.data_dep_init_done = False

        def forward(self, x):
            if not self.data_dep_init_done:
                assert self.s is not None and self.t is not None
                self.s.data = (-torch.log(x.std(dim=0, keepdim=True))).detach()
                self.t.data = (-(x * torch.exp(self.s)).mean(dim=0, keepdim=True)).detach()
                self.data_dep_init_done = True
            return super().forward(x)

    class AffineHalfFlow(nn.Module):
        def __init__(self, dim, parity, net_class=MLP, nh=24, scale=True, shift=True):
            super().__init__()
            self.dim = dim
            self.parity = parity
            self.s_cond = lambda x: x.new_zeros(x.size(0), self.dim // 2)
            self.t_cond = lambda x: x.new_zeros(x.size(0), self.dim // 2)
            if scale:
                self.s_cond = net_class(self.dim // 2, self.dim // 2, nh)
            if shift:
                self.t_cond = net_class(self.dim // 2, self.dim // 2, nh)

        def forward(self, x):
            x0, x1 = x[:, ::2], x[:, 1::2]
            if self.parity:
                x0, x1 = x1, x0
            s = self.s_cond(x0)
            t = self.t_cond(x0)
            z0 = x0
            z1 = torch.exp(s) * x1 + t
            if self.parity:
                z0, z1 = z1, z0
            z = torch.zeros((x.shape[0], self.dim))
            z[:, ::2] = z0
            z[:, 1::2] = z1
            log_det = torch.sum(s, dim=1)
            return z, log_det

        def backward(self, z):
            z0, z1 = z[:, ::2], z[:, 1::2]
            if self.parity:
                z0, z1 = z1, z0
            s = self.s_cond(z0)
            t = self.t_cond(z0)
            x0 = z0
            x1 = (z1 - t) * torch.exp(-s)
            if self.parity:
                x0, x1 = x1, x0
            x = torch.zeros((z.shape[0], self.dim))
            x[:, ::2] = x0
            x[:, 1::2] = x1
            log_det = torch.sum(-s, dim=1)
            return x, log_det

    class MAF(nn.Module):
        def __init__(self, dim, parity, net_class=ARMLP, nh=24):
            super().__init__()
            self.dim = dim
            self.net = net_class(dim, dim*2, nh)
            self.parity = parity

        def forward(self, x):
            st = self.net(x)
            s, t = st.split(self.dim, dim=1)
            z = x * torch.exp(s) + t
            z = z.flip(dims=(1,)) if self.parity else z
            log_det = torch.sum(s, dim=1)
            return z, log_det

        def backward(self, z):
            x = torch.zeros_like(z)
            log_det = torch.zeros(z.size(0))
            z = z.flip(dims=(1,)) if self.parity else z
            for i in range(self.dim):
                st = self.net(x.clone())
                s, t = st.split(self.dim, dim=1)
                x[:, i] = (z[:, i] - t[:, i]) * torch.exp(-s[:, i])
                log_det += -s[:, i]
            return x, log_det

    class IAF(MAF):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.forward, self.backward = self.backward, self.forward

    class Invertible1x1Conv(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.dim = dim
            Q = init.orthogonal_(torch.randn(dim, dim))  # torch.nn.init.orthogonal_
            P, L, U = torch.lu_unpack(*Q.lu())
            self.P = P
            self.L = nn.Parameter(L)
            self.S = nn.Parameter(U.diag())
            self.U = nn.Parameter(torch.triu(U, diagonal=1))

        def _assemble_W(self):
            L = torch.tril(self.L, diagonal=-1) + torch.diag(torch.ones(self.dim))
            U = torch.triu(self.U, diagonal=1)
            W = self.P @ L @ (U + torch.diag(self.S))
            return W

        def forward(self, x):
            W = self._assemble_W()
            z = x @ W
            log_det = torch.sum(torch.log(torch.abs(self.S)))
            return z, log_det

        def backward(self, z):
            W = self._assemble_W()
            W_inv = torch.inverse(W)
            x = z @ W_inv
            log_det = -torch.sum(torch.log(torch.abs(self.S)))
            return x, log_det

    class NormalizingFlow(nn.Module):
        def __init__(self, flows):
            super().__init__()
            self.flows = nn.ModuleList(flows)

        def forward(self, x):
            m, _ = x.shape
            log_det = torch.zeros(m)
            zs = [x]
            for flow in self.flows:
                x, ld = flow.forward(x)
                log_det += ld
                zs.append(x)
            return zs, log_det

        def backward(self, z):
            m, _ = z.shape
            log_det = torch.zeros(m)
            xs = [z]
            for flow in self.flows[::-1]:
                z, ld = flow.backward(z)
                log_det += ld
                xs.append(z)
            return xs, log_det

    class NormalizingFlowModel(nn.Module):
        def __init__(self, prior, flows):
            super().__init__()
            self.prior = prior
            self.flow = NormalizingFlow(flows)

        def forward(self, x):
            zs, log_det = self.flow.forward(x)
            prior_logprob = self.prior.log_prob(zs[-1]).view(x.size(0), -1).sum(1)
            return zs, prior_logprob, log_det

        def backward(self, z):
            xs, log_det = self.flow.backward(z)
            return xs, log_det

        def sample(self, num_samples):
            z = self.prior.sample((num_samples,))
            xs, _ = self.flow.backward(z)
            return xs

    return dict(MLP=MLP, AffineHalfFlow=AffineHalfFlow, ActNorm=ActNorm, MAF=MAF, IAF=IAF,
                AffineConstantFlow=AffineConstantFlow, Invertible1x1Conv=Invertible1x1Conv,
                NormalizingFlowModel=NormalizingFlowModel)
