"""K-FAC (Martens and Grosse, 2015) as ``alecwangcq/KFAC-Pytorch`` writes it
(``optimizers/kfac.py``, ``utils/kfac_utils.py`` and ``main.py``'s training step), next to
PyTorch (float64) from the same weights: the Kronecker factors A = E[a a^T] of each layer's
input (a ``register_forward_pre_hook``) and G = E[g g^T] of its output gradient (a backward
hook, fed by a backward of the loss at labels sampled from the model,
the "true Fisher"), their eigendecompositions every ``TInv`` steps, the preconditioned
gradient Q_g ((Q_g^T grad Q_a) / (d_g d_a^T + damping)) Q_a^T, the KL clip and SGD with
momentum. The model has a convolution (``_extract_patches``: ``F.pad``, ``unfold``,
``transpose_``, ``einsum``-free patch covariances) and two linear layers. Losses, factors,
parameters and momentum buffers agree to 1e-10.

Lines written differently here, and why:
- ``torch.symeig(m, eigenvectors=True)`` (removed from PyTorch 2; ours raises saying so) is
  ``torch.linalg.eigh(m)`` in both runs; the eigenvectors' signs may differ between the two
  LAPACK calls, but the preconditioned gradient does not depend on them, so the records
  hold that, not ``Q_a``/``Q_g``;
- ``input[0].data``, ``grad_output[0].data``, ``m.weight.grad.data.copy_(v[0])``,
  ``d_p = p.grad.data`` and ``p.data.add_(-group['lr'], d_p)``: ``.data`` is the NumPy
  array here (by design), so the program uses ``.detach()`` for the hooks' values and
  writes on ``p`` and ``p.grad`` under ``no_grad()`` (``step`` here runs under it);
- ``torch.multinomial(F.softmax(outputs.cpu().data, dim=1), 1)``: the sampled labels come
  from one NumPy generator for both runs (the libraries' generators differ);
- ``module.register_backward_hook`` (PyTorch's deprecated hook, whose ``grad_input`` is
  the last operation's) is refused here on a module with parameters, with an error naming
  ``register_full_backward_hook``: the program takes that one, whose ``grad_output`` (all
  K-FAC reads) is the same in both libraries;
- ``.cuda()`` and the ``print`` calls of ``_prepare_model`` are left out.
"""

import math

import numpy as np

import autograd
import nn
import nn.functional


def programs(torch, nn, F, optim):
    """KFAC-Pytorch's ``KFACOptimizer`` and its helpers for library ``torch``."""

    def try_contiguous(x):
        if not x.is_contiguous():
            x = x.contiguous()
        return x

    def _extract_patches(x, kernel_size, stride, padding):
        if padding[0] + padding[1] > 0:
            x = F.pad(x, (padding[1], padding[1], padding[0], padding[0])).detach()
        x = x.unfold(2, kernel_size[0], stride[0])
        x = x.unfold(3, kernel_size[1], stride[1])
        x = x.transpose_(1, 2).transpose_(2, 3).contiguous()
        x = x.view(x.size(0), x.size(1), x.size(2), x.size(3) * x.size(4) * x.size(5))
        return x

    def update_running_stat(aa, m_aa, stat_decay):
        # using inplace operation to save memory!
        m_aa *= stat_decay / (1 - stat_decay)
        m_aa += aa
        m_aa *= (1 - stat_decay)

    class ComputeCovA:
        @classmethod
        def __call__(cls, a, layer):
            if isinstance(layer, nn.Linear):
                cov_a = cls.linear(a, layer)
            elif isinstance(layer, nn.Conv2d):
                cov_a = cls.conv2d(a, layer)
            else:
                cov_a = None
            return cov_a

        @staticmethod
        def conv2d(a, layer):
            batch_size = a.size(0)
            a = _extract_patches(a, layer.kernel_size, layer.stride, layer.padding)
            spatial_size = a.size(1) * a.size(2)
            a = a.view(-1, a.size(-1))
            if layer.bias is not None:
                a = torch.cat([a, a.new(a.size(0), 1).fill_(1)], 1)
            a = a / spatial_size
            return a.t() @ (a / batch_size)

        @staticmethod
        def linear(a, layer):
            batch_size = a.size(0)
            if layer.bias is not None:
                a = torch.cat([a, a.new(a.size(0), 1).fill_(1)], 1)
            return a.t() @ (a / batch_size)

    class ComputeCovG:
        @classmethod
        def __call__(cls, g, layer, batch_averaged):
            if isinstance(layer, nn.Conv2d):
                cov_g = cls.conv2d(g, layer, batch_averaged)
            elif isinstance(layer, nn.Linear):
                cov_g = cls.linear(g, layer, batch_averaged)
            else:
                cov_g = None
            return cov_g

        @staticmethod
        def conv2d(g, layer, batch_averaged):
            spatial_size = g.size(2) * g.size(3)
            batch_size = g.shape[0]
            g = g.transpose(1, 2).transpose(2, 3)
            g = try_contiguous(g)
            g = g.view(-1, g.size(-1))
            if batch_averaged:
                g = g * batch_size
            g = g * spatial_size
            cov_g = g.t() @ (g / g.size(0))
            return cov_g

        @staticmethod
        def linear(g, layer, batch_averaged):
            batch_size = g.size(0)
            if batch_averaged:
                cov_g = g.t() @ (g * batch_size)
            else:
                cov_g = g.t() @ (g / batch_size)
            return cov_g

    class KFACOptimizer(optim.Optimizer):
        def __init__(self, model, lr=0.001, momentum=0.9, stat_decay=0.95, damping=0.001,
                     kl_clip=0.001, weight_decay=0, TCov=10, TInv=100, batch_averaged=True):
            if lr < 0.0:
                raise ValueError("Invalid learning rate: {}".format(lr))
            defaults = dict(lr=lr, momentum=momentum, damping=damping,
                            weight_decay=weight_decay)
            super(KFACOptimizer, self).__init__(model.parameters(), defaults)
            self.CovAHandler = ComputeCovA()
            self.CovGHandler = ComputeCovG()
            self.batch_averaged = batch_averaged
            self.known_modules = {'Linear', 'Conv2d'}
            self.modules = []
            self.grad_outputs = {}
            self.model = model
            self._prepare_model()
            self.steps = 0
            self.m_aa, self.m_gg = {}, {}
            self.Q_a, self.Q_g = {}, {}
            self.d_a, self.d_g = {}, {}
            self.stat_decay = stat_decay
            self.kl_clip = kl_clip
            self.TCov = TCov
            self.TInv = TInv

        def _save_input(self, module, input):
            if torch.is_grad_enabled() and self.steps % self.TCov == 0:
                aa = self.CovAHandler(input[0].detach(), module)
                if self.steps == 0:
                    self.m_aa[module] = torch.diag(aa.new(aa.size(0)).fill_(1))
                update_running_stat(aa, self.m_aa[module], self.stat_decay)

        def _save_grad_output(self, module, grad_input, grad_output):
            if self.acc_stats and self.steps % self.TCov == 0:
                gg = self.CovGHandler(grad_output[0].detach(), module, self.batch_averaged)
                if self.steps == 0:
                    self.m_gg[module] = torch.diag(gg.new(gg.size(0)).fill_(1))
                update_running_stat(gg, self.m_gg[module], self.stat_decay)

        def _prepare_model(self):
            for module in self.model.modules():
                classname = module.__class__.__name__
                if classname in self.known_modules:
                    self.modules.append(module)
                    module.register_forward_pre_hook(self._save_input)
                    # kfac.py: register_backward_hook, refused here (see the docstring)
                    module.register_full_backward_hook(self._save_grad_output)

        def _update_inv(self, m):
            eps = 1e-10  # for numerical stability
            # kfac.py: torch.symeig(self.m_aa[m], eigenvectors=True), removed in PyTorch 2
            self.d_a[m], self.Q_a[m] = torch.linalg.eigh(self.m_aa[m])
            self.d_g[m], self.Q_g[m] = torch.linalg.eigh(self.m_gg[m])
            self.d_a[m].mul_((self.d_a[m] > eps).float())
            self.d_g[m].mul_((self.d_g[m] > eps).float())

        @staticmethod
        def _get_matrix_form_grad(m, classname):
            if classname == 'Conv2d':
                p_grad_mat = m.weight.grad.view(m.weight.grad.size(0), -1)
            else:
                p_grad_mat = m.weight.grad
            if m.bias is not None:
                p_grad_mat = torch.cat([p_grad_mat, m.bias.grad.view(-1, 1)], 1)
            return p_grad_mat

        def _get_natural_grad(self, m, p_grad_mat, damping):
            v1 = self.Q_g[m].t() @ p_grad_mat @ self.Q_a[m]
            v2 = v1 / (self.d_g[m].unsqueeze(1) * self.d_a[m].unsqueeze(0) + damping)
            v = self.Q_g[m] @ v2 @ self.Q_a[m].t()
            if m.bias is not None:
                v = [v[:, :-1], v[:, -1:]]
                v[0] = v[0].view(m.weight.grad.size())
                v[1] = v[1].view(m.bias.grad.size())
            else:
                v = [v.view(m.weight.grad.size())]
            return v

        def _kl_clip_and_update_grad(self, updates, lr):
            vg_sum = 0
            for m in self.modules:
                v = updates[m]
                vg_sum += (v[0] * m.weight.grad * lr ** 2).sum().item()
                if m.bias is not None:
                    vg_sum += (v[1] * m.bias.grad * lr ** 2).sum().item()
            nu = min(1.0, math.sqrt(self.kl_clip / vg_sum))
            for m in self.modules:
                v = updates[m]
                m.weight.grad.copy_(v[0])  # kfac.py: m.weight.grad.data.copy_(v[0])
                m.weight.grad.mul_(nu)
                if m.bias is not None:
                    m.bias.grad.copy_(v[1])
                    m.bias.grad.mul_(nu)

        def _step(self, closure):
            for group in self.param_groups:
                weight_decay = group['weight_decay']
                momentum = group['momentum']
                for p in group['params']:
                    if p.grad is None:
                        continue
                    d_p = p.grad  # kfac.py: p.grad.data
                    if weight_decay != 0 and self.steps >= 20 * self.TCov:
                        d_p.add_(weight_decay, p)
                    if momentum != 0:
                        param_state = self.state[p]
                        if 'momentum_buffer' not in param_state:
                            buf = param_state['momentum_buffer'] = torch.zeros_like(p)
                            buf.mul_(momentum).add_(d_p)
                        else:
                            buf = param_state['momentum_buffer']
                            buf.mul_(momentum).add_(1, d_p)
                        d_p = buf
                    p.add_(-group['lr'], d_p)  # kfac.py: p.data.add_(-group['lr'], d_p)

        @torch.no_grad()  # not in kfac.py, which writes on .data: see the docstring
        def step(self, closure=None):
            group = self.param_groups[0]
            lr = group['lr']
            damping = group['damping']
            updates = {}
            for m in self.modules:
                classname = m.__class__.__name__
                if self.steps % self.TInv == 0:
                    self._update_inv(m)
                p_grad_mat = self._get_matrix_form_grad(m, classname)
                v = self._get_natural_grad(m, p_grad_mat, damping)
                updates[m] = v
            self._kl_clip_and_update_grad(updates, lr)
            self._step(closure)
            self.steps += 1

    return KFACOptimizer


def train(libs, model, steps: int = 6) -> list:
    """main.py's ``train`` for K-FAC: a true-Fisher backward every ``TCov`` steps, then the
    loss's backward and ``optimizer.step()``."""
    torch, nn, F, optim = libs
    KFACOptimizer = programs(*libs)
    optimizer = KFACOptimizer(model, lr=0.05, momentum=0.9, stat_decay=0.95, damping=0.03,
                              kl_clip=0.01, weight_decay=3e-3, TCov=2, TInv=3)
    criterion = nn.CrossEntropyLoss()
    rng = np.random.default_rng(5)
    images = rng.standard_normal((steps, 8, 1, 6, 6))
    teacher = rng.standard_normal((36, 4))
    records = []
    for batch_idx in range(steps):
        inputs = torch.tensor(images[batch_idx])
        targets = torch.tensor((images[batch_idx].reshape(8, 36) @ teacher).argmax(axis=1))
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        if optimizer.steps % optimizer.TCov == 0:
            # compute true fisher
            optimizer.acc_stats = True
            with torch.no_grad():
                probs = F.softmax(outputs.detach(), dim=1).numpy()
                sampled_y = torch.tensor(  # main.py: torch.multinomial(probs, 1).squeeze()
                    [rng.choice(4, p=row / row.sum()) for row in probs])
            loss_sample = criterion(outputs, sampled_y)
            loss_sample.backward(retain_graph=True)
            optimizer.acc_stats = False
            optimizer.zero_grad()  # clear the gradient for computing true-fisher.
        loss.backward()
        optimizer.step()
        records.append(loss.item())
        records.extend(optimizer.m_aa[m].clone() for m in optimizer.modules)
        records.extend(optimizer.m_gg[m].clone() for m in optimizer.modules)
        records.extend(p.grad.clone() for p in model.parameters())
        records.extend(p.detach().clone() for p in model.parameters())
    records.extend(optimizer.state[p]['momentum_buffer'] for p in model.parameters())
    return records


def model_of(nn):
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(72, 8), nn.Tanh(), nn.Linear(8, 4))


def test_kfac_mlp_with_conv(torch):
    torch.manual_seed(0)
    theirs_model = model_of(torch.nn)
    start = {k: v.detach().numpy().copy() for k, v in theirs_model.state_dict().items()}
    theirs = train((torch, torch.nn, torch.nn.functional, torch.optim), theirs_model)
    ours_model = model_of(nn)
    ours_model.load_state_dict(start)  # the test's glue: the generators differ
    ours = train((autograd, nn, nn.functional, nn.optim), ours_model)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        a = a.detach().numpy() if hasattr(a, "detach") else a
        b = b.detach().numpy() if hasattr(b, "detach") else b
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=str(i))
