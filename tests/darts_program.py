"""DARTS (Liu, Simonyan and Yang, 2019) as its reference code writes it
(``quark0/darts``: ``cnn/operations.py``, ``cnn/model_search.py``, ``cnn/architect.py``),
written once for a library ``torch`` and shrunk (3 cells of 2 steps, 2 channels, 8x8
images). ``programs(libs)`` returns the search ``Network`` and the ``Architect`` for the
library's ``(torch, nn, F, optim, grad, Variable)``.

Lines written differently here, and why:
- ``.cuda()`` / ``.cuda(async=True)`` are left out: both runs are on the CPU (and
  ``async`` is a keyword since Python 3.7);
- ``torch.autograd.grad`` / ``torch.autograd.Variable`` and ``torch.optim`` are taken
  from ``libs``: ``autograd.grad``, ``autograd.Variable`` and ``nn.optim`` are this
  library's own (``autograd.optim``'s error says so);
- ``_concat(...).data``, ``p.data.add_(R, v)``, ``g.data.sub_(eta, ig.data)`` and
  ``v.grad.data.copy_(g.data)``: ``.data`` is the NumPy array here (by design), so the
  writes go on the tensors themselves under ``no_grad()`` and ``.data`` becomes
  ``.detach()``; the number-first ``add_(R, v)`` overload stays (both libraries take it);
- ``genotype``'s ``F.softmax(...).data.cpu().numpy()`` is ``.detach().cpu().numpy()``.
"""

from collections import namedtuple

import numpy as np

Genotype = namedtuple('Genotype', 'normal normal_concat reduce reduce_concat')

PRIMITIVES = [
    'none',
    'max_pool_3x3',
    'avg_pool_3x3',
    'skip_connect',
    'sep_conv_3x3',
    'sep_conv_5x5',
    'dil_conv_3x3',
    'dil_conv_5x5'
]


def programs(libs):
    """The search network and its architect for ``libs``."""
    torch, nn, F, optim, grad, Variable = libs

    class ReLUConvBN(nn.Module):
        def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True):
            super(ReLUConvBN, self).__init__()
            self.op = nn.Sequential(
                nn.ReLU(inplace=False),
                nn.Conv2d(C_in, C_out, kernel_size, stride=stride, padding=padding,
                          bias=False),
                nn.BatchNorm2d(C_out, affine=affine)
            )

        def forward(self, x):
            return self.op(x)

    class DilConv(nn.Module):
        def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation, affine=True):
            super(DilConv, self).__init__()
            self.op = nn.Sequential(
                nn.ReLU(inplace=False),
                nn.Conv2d(C_in, C_in, kernel_size=kernel_size, stride=stride,
                          padding=padding, dilation=dilation, groups=C_in, bias=False),
                nn.Conv2d(C_in, C_out, kernel_size=1, padding=0, bias=False),
                nn.BatchNorm2d(C_out, affine=affine),
            )

        def forward(self, x):
            return self.op(x)

    class SepConv(nn.Module):
        def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True):
            super(SepConv, self).__init__()
            self.op = nn.Sequential(
                nn.ReLU(inplace=False),
                nn.Conv2d(C_in, C_in, kernel_size=kernel_size, stride=stride,
                          padding=padding, groups=C_in, bias=False),
                nn.Conv2d(C_in, C_in, kernel_size=1, padding=0, bias=False),
                nn.BatchNorm2d(C_in, affine=affine),
                nn.ReLU(inplace=False),
                nn.Conv2d(C_in, C_in, kernel_size=kernel_size, stride=1, padding=padding,
                          groups=C_in, bias=False),
                nn.Conv2d(C_in, C_out, kernel_size=1, padding=0, bias=False),
                nn.BatchNorm2d(C_out, affine=affine),
            )

        def forward(self, x):
            return self.op(x)

    class Identity(nn.Module):
        def __init__(self):
            super(Identity, self).__init__()

        def forward(self, x):
            return x

    class Zero(nn.Module):
        def __init__(self, stride):
            super(Zero, self).__init__()
            self.stride = stride

        def forward(self, x):
            if self.stride == 1:
                return x.mul(0.)
            return x[:, :, ::self.stride, ::self.stride].mul(0.)

    class FactorizedReduce(nn.Module):
        def __init__(self, C_in, C_out, affine=True):
            super(FactorizedReduce, self).__init__()
            assert C_out % 2 == 0
            self.relu = nn.ReLU(inplace=False)
            self.conv_1 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
            self.conv_2 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
            self.bn = nn.BatchNorm2d(C_out, affine=affine)

        def forward(self, x):
            x = self.relu(x)
            out = torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1)
            out = self.bn(out)
            return out

    OPS = {
        'none': lambda C, stride, affine: Zero(stride),
        'avg_pool_3x3': lambda C, stride, affine: nn.AvgPool2d(
            3, stride=stride, padding=1, count_include_pad=False),
        'max_pool_3x3': lambda C, stride, affine: nn.MaxPool2d(3, stride=stride, padding=1),
        'skip_connect': lambda C, stride, affine: (
            Identity() if stride == 1 else FactorizedReduce(C, C, affine=affine)),
        'sep_conv_3x3': lambda C, stride, affine: SepConv(C, C, 3, stride, 1, affine=affine),
        'sep_conv_5x5': lambda C, stride, affine: SepConv(C, C, 5, stride, 2, affine=affine),
        'dil_conv_3x3': lambda C, stride, affine: DilConv(C, C, 3, stride, 2, 2,
                                                          affine=affine),
        'dil_conv_5x5': lambda C, stride, affine: DilConv(C, C, 5, stride, 4, 2,
                                                          affine=affine),
    }

    class MixedOp(nn.Module):
        def __init__(self, C, stride):
            super(MixedOp, self).__init__()
            self._ops = nn.ModuleList()
            for primitive in PRIMITIVES:
                op = OPS[primitive](C, stride, False)
                if 'pool' in primitive:
                    op = nn.Sequential(op, nn.BatchNorm2d(C, affine=False))
                self._ops.append(op)

        def forward(self, x, weights):
            return sum(w * op(x) for w, op in zip(weights, self._ops))

    class Cell(nn.Module):
        def __init__(self, steps, multiplier, C_prev_prev, C_prev, C, reduction,
                     reduction_prev):
            super(Cell, self).__init__()
            self.reduction = reduction
            if reduction_prev:
                self.preprocess0 = FactorizedReduce(C_prev_prev, C, affine=False)
            else:
                self.preprocess0 = ReLUConvBN(C_prev_prev, C, 1, 1, 0, affine=False)
            self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0, affine=False)
            self._steps = steps
            self._multiplier = multiplier
            self._ops = nn.ModuleList()
            self._bns = nn.ModuleList()
            for i in range(self._steps):
                for j in range(2 + i):
                    stride = 2 if reduction and j < 2 else 1
                    op = MixedOp(C, stride)
                    self._ops.append(op)

        def forward(self, s0, s1, weights):
            s0 = self.preprocess0(s0)
            s1 = self.preprocess1(s1)
            states = [s0, s1]
            offset = 0
            for i in range(self._steps):
                s = sum(self._ops[offset + j](h, weights[offset + j])
                        for j, h in enumerate(states))
                offset += len(states)
                states.append(s)
            return torch.cat(states[-self._multiplier:], dim=1)

    class Network(nn.Module):
        def __init__(self, C, num_classes, layers, criterion, steps=2, multiplier=2,
                     stem_multiplier=3):
            super(Network, self).__init__()
            self._C = C
            self._num_classes = num_classes
            self._layers = layers
            self._criterion = criterion
            self._steps = steps
            self._multiplier = multiplier
            C_curr = stem_multiplier * C
            self.stem = nn.Sequential(
                nn.Conv2d(3, C_curr, 3, padding=1, bias=False),
                nn.BatchNorm2d(C_curr)
            )
            C_prev_prev, C_prev, C_curr = C_curr, C_curr, C
            self.cells = nn.ModuleList()
            reduction_prev = False
            for i in range(layers):
                if i in [layers // 3, 2 * layers // 3]:
                    C_curr *= 2
                    reduction = True
                else:
                    reduction = False
                cell = Cell(steps, multiplier, C_prev_prev, C_prev, C_curr, reduction,
                            reduction_prev)
                reduction_prev = reduction
                self.cells += [cell]
                C_prev_prev, C_prev = C_prev, multiplier * C_curr
            self.global_pooling = nn.AdaptiveAvgPool2d(1)
            self.classifier = nn.Linear(C_prev, num_classes)
            self._initialize_alphas()

        def forward(self, input):
            s0 = s1 = self.stem(input)
            for i, cell in enumerate(self.cells):
                if cell.reduction:
                    weights = F.softmax(self.alphas_reduce, dim=-1)
                else:
                    weights = F.softmax(self.alphas_normal, dim=-1)
                s0, s1 = s1, cell(s0, s1, weights)
            out = self.global_pooling(s1)
            logits = self.classifier(out.view(out.size(0), -1))
            return logits

        def _loss(self, input, target):
            logits = self(input)
            return self._criterion(logits, target)

        def _initialize_alphas(self):
            k = sum(1 for i in range(self._steps) for n in range(2 + i))
            num_ops = len(PRIMITIVES)
            self.alphas_normal = Variable(1e-3 * torch.randn(k, num_ops), requires_grad=True)
            self.alphas_reduce = Variable(1e-3 * torch.randn(k, num_ops), requires_grad=True)
            self._arch_parameters = [
                self.alphas_normal,
                self.alphas_reduce,
            ]

        def arch_parameters(self):
            return self._arch_parameters

        def genotype(self):
            def _parse(weights):
                gene = []
                n = 2
                start = 0
                for i in range(self._steps):
                    end = start + n
                    W = weights[start:end].copy()
                    edges = sorted(range(i + 2), key=lambda x: -max(
                        W[x][k] for k in range(len(W[x]))
                        if k != PRIMITIVES.index('none')))[:2]
                    for j in edges:
                        k_best = None
                        for k in range(len(W[j])):
                            if k != PRIMITIVES.index('none'):
                                if k_best is None or W[j][k] > W[j][k_best]:
                                    k_best = k
                        gene.append((PRIMITIVES[k_best], j))
                    start = end
                    n += 1
                return gene

            gene_normal = _parse(F.softmax(self.alphas_normal, dim=-1).detach().cpu().numpy())
            gene_reduce = _parse(F.softmax(self.alphas_reduce, dim=-1).detach().cpu().numpy())
            concat = range(2 + self._steps - self._multiplier, self._steps + 2)
            return Genotype(normal=gene_normal, normal_concat=concat,
                            reduce=gene_reduce, reduce_concat=concat)

    def _concat(xs):
        return torch.cat([x.view(-1) for x in xs])

    class Architect(object):
        def __init__(self, model, args):
            self.network_momentum = args.momentum
            self.network_weight_decay = args.weight_decay
            self.model = model
            self.optimizer = optim.Adam(self.model.arch_parameters(),  # torch.optim.Adam
                                        lr=args.arch_learning_rate, betas=(0.5, 0.999),
                                        weight_decay=args.arch_weight_decay)

        def _compute_unrolled_model(self, input, target, eta, network_optimizer):
            loss = self.model._loss(input, target)
            theta = _concat(self.model.parameters()).detach()
            try:
                moment = _concat(network_optimizer.state[v]['momentum_buffer']
                                 for v in self.model.parameters()).mul_(self.network_momentum)
            except:  # noqa: E722 (architect.py's bare except: no momentum buffer yet)
                moment = torch.zeros_like(theta)
            dtheta = (_concat(grad(loss, self.model.parameters())).detach()
                      + self.network_weight_decay * theta)
            model_unrolled = self._construct_model_from_theta(theta.sub(eta, moment + dtheta))
            return model_unrolled

        def step(self, input_train, target_train, input_valid, target_valid, eta,
                 network_optimizer, unrolled):
            self.optimizer.zero_grad()
            if unrolled:
                self._backward_step_unrolled(input_train, target_train, input_valid,
                                             target_valid, eta, network_optimizer)
            else:
                self._backward_step(input_valid, target_valid)
            grad_norm = nn.utils.clip_grad_norm(self.model.arch_parameters(), 10.)
            self.optimizer.step()
            return grad_norm

        def _backward_step(self, input_valid, target_valid):
            loss = self.model._loss(input_valid, target_valid)
            for v in self.model.arch_parameters():
                if v.grad is not None:
                    v.grad.zero_()  # architect.py: v.grad.data.zero_()
            loss.backward()

        def _backward_step_unrolled(self, input_train, target_train, input_valid,
                                    target_valid, eta, network_optimizer):
            model_unrolled = self._compute_unrolled_model(input_train, target_train, eta,
                                                          network_optimizer)
            loss = model_unrolled._loss(input_valid, target_valid)
            grads = grad(loss, model_unrolled.arch_parameters(), retain_graph=True)
            theta = model_unrolled.parameters()
            dtheta = grad(loss, model_unrolled.parameters())
            vector = [dt.add(self.network_weight_decay, t).detach()
                      for dt, t in zip(dtheta, theta)]
            implicit_grads = self._hessian_vector_product(model_unrolled, vector,
                                                          input_train, target_train)
            with torch.no_grad():  # architect.py: g.data.sub_(eta, ig.data)
                for g, ig in zip(grads, implicit_grads):
                    g.sub_(eta, ig)
            for v, g in zip(self.model.arch_parameters(), grads):
                if v.grad is None:
                    v.grad = Variable(g.detach())
                else:
                    v.grad.copy_(g.detach())  # architect.py: v.grad.data.copy_(g.data)

        def _construct_model_from_theta(self, theta):
            model_clone = Network(self.model._C, self.model._num_classes, self.model._layers,
                                  self.model._criterion)
            for x, y in zip(model_clone.arch_parameters(), self.model.arch_parameters()):
                with torch.no_grad():  # architect.py: x.data.copy_(y.data)
                    x.copy_(y)
            model_dict = self.model.state_dict()
            params, offset = {}, 0
            for k, v in self.model.named_parameters():
                v_length = np.prod(v.size())
                params[k] = theta[offset: offset + v_length].view(v.size())
                offset += v_length
            assert offset == len(theta)
            model_dict.update(params)
            model_clone.load_state_dict(model_dict)
            return model_clone

        def _hessian_vector_product(self, model, vector, input, target, r=1e-2):
            R = r / _concat(vector).norm()
            with torch.no_grad():  # architect.py: p.data.add_(R, v)
                for p, v in zip(model.parameters(), vector):
                    p.add_(R, v)
            loss = model._loss(input, target)
            grads_p = grad(loss, model.arch_parameters())
            with torch.no_grad():  # architect.py: p.data.sub_(2*R, v)
                for p, v in zip(model.parameters(), vector):
                    p.sub_(2 * R, v)
            loss = model._loss(input, target)
            grads_n = grad(loss, model.arch_parameters())
            with torch.no_grad():  # architect.py: p.data.add_(R, v)
                for p, v in zip(model.parameters(), vector):
                    p.add_(R, v)
            return [(x - y).div_(2 * R) for x, y in zip(grads_p, grads_n)]

    return Network, Architect
