"""Barlow Twins and VICReg as their readers write them (facebookresearch/barlowtwins'
``main.py`` and facebookresearch/vicreg's ``main_vicreg.py``), shrunk to scikit-learn's
8x8 digits:

- Barlow Twins: the projector built from ``args.projector.split('-')`` (Linear without
  bias, BatchNorm1d, ReLU(inplace=True)), ``nn.BatchNorm1d(sizes[-1], affine=False)`` on
  both views, the cross-correlation ``c = self.bn(z1).T @ self.bn(z2)`` divided in place
  (``c.div_(batch_size)``), ``on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()`` (in
  place on a view of ``c``), ``off_diagonal`` by ``x.flatten()[:-1].view(n - 1, n +
  1)[:, 1:].flatten()`` with ``pow_(2)``, ``lambd``; the weights and the biases/norms in
  two param groups (``param.ndim == 1``) whose lrs ``adjust_learning_rate`` sets each step
  (warm-up then cosine), ``for step, ((y1, y2), _) in enumerate(loader, start=epoch *
  len(loader))``;
- VICReg: ``Projector`` from ``f"{embedding}-{args.mlp}"``, ``FullGatherLayer`` (a
  ``torch.autograd.Function`` whose forward returns a tuple and whose backward stacks the
  gradients, here on one process), ``F.mse_loss``, centring by ``x - x.mean(dim=0)``,
  ``torch.sqrt(x.var(dim=0) + 0.0001)``, ``torch.mean(F.relu(1 - std_x)) / 2``,
  covariances ``(x.T @ x) / (batch_size - 1)``, ``off_diagonal(cov_x).pow_(2).sum()
  .div(num_features)``, the three coefficients; ``exclude_bias_and_norm``.

LARS is replaced by SGD with momentum (Barlow Twins) and AdamW (VICReg). Each program is
written once for a library ``T`` and runs step for step next to PyTorch's from the same
weights (float64): losses, learning rates, gradients, parameters and BatchNorm buffers
agree to 1e-10 (VICReg's biases before a BatchNorm, which AdamW moves by round-off, to
1e-7).

Lines written differently here: ``torchvision.models.resnet50(zero_init_residual=True)``
is a small convolutional stand-in (``fc = nn.Identity()``), ``torch.distributed``'s
``all_reduce``/``all_gather`` are left out (one process: ``FullGatherLayer`` copies ``x``
into its one output), ``torch.utils.data`` is ``nn.data``, the GradScaler and autocast are
left out (float64 on CPU); ``torch.autograd.Function`` is ``autograd.Function``.
"""

import math
from types import SimpleNamespace

import autograd as ag

from contrastive_helpers import (ViewsDataset, assert_same_up_to_adam_noise, augmentations,
                                 digits, grads, libraries, state)
from test_pytorch_ports_pinn import assert_same


def resnet(lib, T):
    """A stand-in for torchvision's ResNet: (model, embedding size), ``fc`` an Identity."""
    class Backbone(lib.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.Conv2d(1, 6, 3, stride=2, padding=1, bias=False)
            self.bn1 = lib.BatchNorm2d(6)
            self.relu = lib.ReLU(inplace=True)
            self.avgpool = lib.AdaptiveAvgPool2d((1, 1))
            self.fc = lib.Linear(6, 1000)

        def forward(self, x):
            x = self.relu(self.bn1(self.conv1(x)))
            return self.fc(T.flatten(self.avgpool(x), 1))

    model = Backbone()
    model.fc = lib.Identity()
    return model, 6


def off_diagonal(x):
    # return a flattened view of the off-diagonal elements of a square matrix
    n, m = x.shape
    assert n == m
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def barlow_twins(torch, images, labels, start=None):
    T, lib, F, optim, data = libraries(torch)
    T.manual_seed(0)
    args = SimpleNamespace(epochs=3, batch_size=8, learning_rate_weights=0.2,
                           learning_rate_biases=0.0048, weight_decay=1e-6, lambd=0.0051,
                           projector="8-8-8")

    class BarlowTwins(lib.Module):
        def __init__(self, args):
            super().__init__()
            self.args = args
            self.backbone, embedding = resnet(lib, T)
            # projector
            sizes = [embedding] + list(map(int, args.projector.split('-')))
            layers = []
            for i in range(len(sizes) - 2):
                layers.append(lib.Linear(sizes[i], sizes[i + 1], bias=False))
                layers.append(lib.BatchNorm1d(sizes[i + 1]))
                layers.append(lib.ReLU(inplace=True))
            layers.append(lib.Linear(sizes[-2], sizes[-1], bias=False))
            self.projector = lib.Sequential(*layers)
            # normalization layer for the representations z1 and z2
            self.bn = lib.BatchNorm1d(sizes[-1], affine=False)

        def forward(self, y1, y2):
            z1 = self.projector(self.backbone(y1))
            z2 = self.projector(self.backbone(y2))
            # empirical cross-correlation matrix
            c = self.bn(z1).T @ self.bn(z2)
            # sum the cross-correlation matrix between all gpus
            c.div_(self.args.batch_size)
            # torch.distributed.all_reduce(c): one process
            on_diag = T.diagonal(c).add_(-1).pow_(2).sum()
            off_diag = off_diagonal(c).pow_(2).sum()
            loss = on_diag + self.args.lambd * off_diag
            return loss

    def adjust_learning_rate(args, optimizer, loader, step):
        max_steps = args.epochs * len(loader)
        warmup_steps = 1 * len(loader)
        base_lr = args.batch_size / 256
        if step < warmup_steps:
            lr = base_lr * step / warmup_steps
        else:
            step -= warmup_steps
            max_steps -= warmup_steps
            q = 0.5 * (1 + math.cos(math.pi * step / max_steps))
            end_lr = base_lr * 0.001
            lr = base_lr * q + end_lr * (1 - q)
        optimizer.param_groups[0]['lr'] = lr * args.learning_rate_weights
        optimizer.param_groups[1]['lr'] = lr * args.learning_rate_biases

    model = BarlowTwins(args)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    param_weights = []
    param_biases = []
    for param in model.parameters():
        if param.ndim == 1:
            param_biases.append(param)
        else:
            param_weights.append(param)
    parameters = [{'params': param_weights}, {'params': param_biases}]
    optimizer = optim.SGD(parameters, lr=0, momentum=0.9, weight_decay=args.weight_decay)
    dataset = ViewsDataset(T, images, labels, augmentations(T, F))
    loader = data.DataLoader(dataset, batch_size=args.batch_size, drop_last=True)
    for epoch in range(0, args.epochs):
        for step, ((y1, y2), _) in enumerate(loader, start=epoch * len(loader)):
            adjust_learning_rate(args, optimizer, loader, step)
            optimizer.zero_grad()
            loss = model.forward(y1, y2)
            loss.backward()
            record += [loss.item(), [g['lr'] for g in optimizer.param_groups], grads(model)]
            optimizer.step()
    return record + [state(model)]


def vicreg(torch, images, labels, start=None):
    T, lib, F, optim, data = libraries(torch)
    T.manual_seed(1)
    args = SimpleNamespace(epochs=2, batch_size=8, mlp="8-8-8", sim_coeff=25.0,
                           std_coeff=25.0, cov_coeff=1.0, base_lr=0.2, wd=1e-6)

    Function = ag.Function if torch is None else torch.autograd.Function

    class FullGatherLayer(Function):
        """
        Gather tensors from all process and support backward propagation
        for the gradients across processes.
        """

        @staticmethod
        def forward(ctx, x):
            output = [T.zeros_like(x) for _ in range(1)]  # dist.get_world_size()
            output[0].copy_(x)  # dist.all_gather(output, x), one process
            return tuple(output)

        @staticmethod
        def backward(ctx, *grads):
            all_gradients = T.stack(grads)
            # dist.all_reduce(all_gradients): one process
            return all_gradients[0]  # [dist.get_rank()]

    def Projector(args, embedding):
        mlp_spec = f"{embedding}-{args.mlp}"
        layers = []
        f = list(map(int, mlp_spec.split("-")))
        for i in range(len(f) - 2):
            layers.append(lib.Linear(f[i], f[i + 1]))
            layers.append(lib.BatchNorm1d(f[i + 1]))
            layers.append(lib.ReLU(True))
        layers.append(lib.Linear(f[-2], f[-1], bias=False))
        return lib.Sequential(*layers)

    class VICReg(lib.Module):
        def __init__(self, args):
            super().__init__()
            self.args = args
            self.num_features = int(args.mlp.split("-")[-1])
            self.backbone, self.embedding = resnet(lib, T)
            self.projector = Projector(args, self.embedding)

        def forward(self, x, y):
            x = self.projector(self.backbone(x))
            y = self.projector(self.backbone(y))
            repr_loss = F.mse_loss(x, y)
            x = T.cat(FullGatherLayer.apply(x), dim=0)
            y = T.cat(FullGatherLayer.apply(y), dim=0)
            x = x - x.mean(dim=0)
            y = y - y.mean(dim=0)
            std_x = T.sqrt(x.var(dim=0) + 0.0001)
            std_y = T.sqrt(y.var(dim=0) + 0.0001)
            std_loss = T.mean(F.relu(1 - std_x)) / 2 + T.mean(F.relu(1 - std_y)) / 2
            cov_x = (x.T @ x) / (self.args.batch_size - 1)
            cov_y = (y.T @ y) / (self.args.batch_size - 1)
            cov_loss = off_diagonal(cov_x).pow_(2).sum().div(
                self.num_features
            ) + off_diagonal(cov_y).pow_(2).sum().div(self.num_features)
            loss = (
                self.args.sim_coeff * repr_loss
                + self.args.std_coeff * std_loss
                + self.args.cov_coeff * cov_loss
            )
            return loss, repr_loss, std_loss, cov_loss

    def exclude_bias_and_norm(p):
        return p.ndim == 1

    def adjust_learning_rate(args, optimizer, loader, step):
        max_steps = args.epochs * len(loader)
        warmup_steps = 1 * len(loader)
        base_lr = args.base_lr * args.batch_size / 256
        if step < warmup_steps:
            lr = base_lr * step / warmup_steps
        else:
            step -= warmup_steps
            max_steps -= warmup_steps
            q = 0.5 * (1 + math.cos(math.pi * step / max_steps))
            end_lr = base_lr * 0.001
            lr = base_lr * q + end_lr * (1 - q)
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr
        return lr

    model = VICReg(args)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model), [exclude_bias_and_norm(p) for p in model.parameters()]]
    optimizer = optim.AdamW(model.parameters(), lr=0, weight_decay=args.wd)
    loader = data.DataLoader(ViewsDataset(T, images, labels, augmentations(T, F, noise=0.1)),
                             batch_size=args.batch_size, drop_last=True)
    for epoch in range(0, args.epochs):
        for step, ((x, y), _) in enumerate(loader, start=epoch * len(loader)):
            lr = adjust_learning_rate(args, optimizer, loader, step)
            optimizer.zero_grad()
            loss, *terms = model.forward(x, y)
            loss.backward()
            record += [loss.item(), [t.item() for t in terms], lr, grads(model)]
            optimizer.step()
    return record + [state(model)]


def test_barlow_twins_trains_as_torch(torch):
    images, labels = digits(24)
    want = barlow_twins(torch, images, labels)
    got = barlow_twins(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])


def test_vicreg_trains_as_torch(torch):
    images, labels = digits(24)
    want = vicreg(torch, images, labels)
    got = vicreg(None, images, labels, start=want[0])
    assert_same_up_to_adam_noise(got[1:], want[1:], ("0.bias", "1.running_mean",
                                                      "3.bias", "4.running_mean"))
