"""The implicit-layers tutorial (implicit-layers-tutorial.org), chapter 4 "Deep
Equilibrium Models", ported as its readers write it: a residual block f(z, x) whose
fixed point z* = f(z*, x) is found by plain forward iteration or Anderson acceleration
(preallocated X/F histories written by slicing, ``torch.bmm``, a batched
``torch.linalg.solve``) under ``torch.no_grad()``; the DEQ layer re-engages autograd with
one call f(z*, x) and a hook on z solves the adjoint fixed point g = J^T g + grad with
``autograd.grad(f0, z0, y, retain_graph=True)``. It runs next to PyTorch from the same
weights and data (float64): solver residuals, outputs, gradients, a DEQ model's training
on digits with Adam and a cosine schedule, and the tutorial's gradcheck. Chapter 1:
``test_pytorch_ports_implicit_layers_tanh.py``.

Lines written differently here, and why:
- ``torch.solve(y, H)[0]`` (removed from PyTorch, which now raises) is
  ``torch.linalg.solve(H, y)``, as PyTorch's error says, in both runs (here
  ``autograd.solve`` with the right-hand side first says the same);
- ``self.conv1.weight.data.normal_(0, 0.01)``: ``.data`` is NumPy's array here, so the
  draw is written on the weight under ``torch.no_grad()``, and each model then starts from
  PyTorch's weights (``sync``, the test's glue); ``torch.randn`` draws from one NumPy
  generator in both runs (``Library``);
- sizes shrink: 8 channels of 6x6 for 64 of 32x32; MNIST is scikit-learn's 8x8 digits.
"""

import numpy as np
import pytest

import nn.data
from implicit_ports_helpers import Library, Records, assert_records, weight_sync


def deq_program(torch):
    nn, F, autograd = torch.nn, torch.nn.functional, torch.autograd

    def forward_iteration(f, x0, max_iter=50, tol=1e-2):
        f0 = f(x0)
        res = []
        for k in range(max_iter):
            x = f0
            f0 = f(x)
            res.append((f0 - x).norm().item() / (1e-5 + f0.norm().item()))
            if (res[-1] < tol):
                break
        return f0, res

    def anderson(f, x0, m=5, lam=1e-4, max_iter=50, tol=1e-2, beta = 1.0):
        """ Anderson acceleration for fixed point iteration. """
        bsz, d, H, W = x0.shape
        X = torch.zeros(bsz, m, d*H*W, dtype=x0.dtype, device=x0.device)
        F = torch.zeros(bsz, m, d*H*W, dtype=x0.dtype, device=x0.device)
        X[:,0], F[:,0] = x0.view(bsz, -1), f(x0).view(bsz, -1)
        X[:,1], F[:,1] = F[:,0], f(F[:,0].view_as(x0)).view(bsz, -1)

        H = torch.zeros(bsz, m+1, m+1, dtype=x0.dtype, device=x0.device)
        H[:,0,1:] = H[:,1:,0] = 1
        y = torch.zeros(bsz, m+1, 1, dtype=x0.dtype, device=x0.device)
        y[:,0] = 1

        res = []
        for k in range(2, max_iter):
            n = min(k, m)
            G = F[:,:n]-X[:,:n]
            H[:,1:n+1,1:n+1] = torch.bmm(G,G.transpose(1,2)) + \
                lam*torch.eye(n, dtype=x0.dtype,device=x0.device)[None]
            alpha = torch.linalg.solve(H[:,:n+1,:n+1], y[:,:n+1])[:, 1:n+1, 0]   # (bsz x n)

            X[:,k%m] = beta * (alpha[:,None] @ F[:,:n])[:,0] + \
                (1-beta)*(alpha[:,None] @ X[:,:n])[:,0]
            F[:,k%m] = f(X[:,k%m].view_as(x0)).view(bsz, -1)
            res.append((F[:,k%m] - X[:,k%m]).norm().item()/(1e-5 + F[:,k%m].norm().item()))
            if (res[-1] < tol):
                break
        return X[:,k%m].view_as(x0), res

    class ResNetLayer(nn.Module):
        def __init__(self, n_channels, n_inner_channels, kernel_size=3, num_groups=8):
            super().__init__()
            self.conv1 = nn.Conv2d(n_channels, n_inner_channels, kernel_size,
                                   padding=kernel_size//2, bias=False)
            self.conv2 = nn.Conv2d(n_inner_channels, n_channels, kernel_size,
                                   padding=kernel_size//2, bias=False)
            self.norm1 = nn.GroupNorm(num_groups, n_inner_channels)
            self.norm2 = nn.GroupNorm(num_groups, n_channels)
            self.norm3 = nn.GroupNorm(num_groups, n_channels)
            with torch.no_grad():  # the tutorial: self.conv1.weight.data.normal_(0, 0.01)
                self.conv1.weight.normal_(0, 0.01)
                self.conv2.weight.normal_(0, 0.01)

        def forward(self, z, x):
            y = self.norm1(F.relu(self.conv1(z)))
            return self.norm3(F.relu(z + self.norm2(x + self.conv2(y))))

    class DEQFixedPoint(nn.Module):
        def __init__(self, f, solver, **kwargs):
            super().__init__()
            self.f = f
            self.solver = solver
            self.kwargs = kwargs

        def forward(self, x):
            # compute forward pass and re-engage autograd tape
            with torch.no_grad():
                z, self.forward_res = self.solver(lambda z : self.f(z, x), torch.zeros_like(x),
                                                  **self.kwargs)
            z = self.f(z,x)

            # set up Jacobian vector product (without additional forward calls)
            z0 = z.clone().detach().requires_grad_()
            f0 = self.f(z0,x)
            def backward_hook(grad):
                g, self.backward_res = self.solver(
                    lambda y : autograd.grad(f0, z0, y, retain_graph=True)[0] + grad,
                    grad, **self.kwargs)
                return g

            z.register_hook(backward_hook)
            return z

    return forward_iteration, anderson, ResNetLayer, DEQFixedPoint


def solvers(torch, sync, record: list) -> None:
    forward_iteration, anderson, ResNetLayer, DEQFixedPoint = deq_program(torch)
    torch.manual_seed(0)
    X = torch.randn(4,8,6,6)
    f = ResNetLayer(8,16)
    sync(f)
    Z, res = forward_iteration(lambda Z : f(Z,X), torch.zeros_like(X), tol=1e-4)
    record += [Z, res]
    Z, res = anderson(lambda Z : f(Z,X), torch.zeros_like(X), tol=1e-4, beta=1.0)
    record += [Z, res]

    deq = DEQFixedPoint(f, anderson, tol=1e-4, max_iter=100, beta=2.0)
    X = torch.randn(4,8,6,6, requires_grad=True)
    out = deq(X)
    (out*torch.randn_like(out)).sum().backward()
    record += [out, deq.forward_res, deq.backward_res, X.grad, f.conv1.weight.grad]


def epoch(torch, loader, model, opt=None, lr_scheduler=None):
    nn = torch.nn
    total_loss, total_err = 0.,0.
    model.eval() if opt is None else model.train()
    for X,y in loader:
        yp = model(X)
        loss = nn.CrossEntropyLoss()(yp,y)
        if opt:
            opt.zero_grad()
            loss.backward()
            opt.step()
            lr_scheduler.step()

        total_err += (yp.max(dim=1)[1] != y).sum().item()
        total_loss += loss.item() * X.shape[0]

    return total_err / len(loader.dataset), total_loss / len(loader.dataset)


def training(torch, data, sync, record: list) -> None:
    nn, optim = torch.nn, torch.optim
    _, anderson, ResNetLayer, DEQFixedPoint = deq_program(torch)
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    train = data.TensorDataset(torch.tensor(images[:32] / 16.0).reshape(32, 1, 8, 8),
                               torch.tensor(labels[:32]))
    test = data.TensorDataset(torch.tensor(images[32:48] / 16.0).reshape(16, 1, 8, 8),
                              torch.tensor(labels[32:48]))
    train_loader = data.DataLoader(train, batch_size=16, shuffle=False)
    test_loader = data.DataLoader(test, batch_size=16, shuffle=False)

    torch.manual_seed(0)
    chan = 8
    f = ResNetLayer(chan, 16, kernel_size=3, num_groups=4)
    model = nn.Sequential(nn.Conv2d(1,chan, kernel_size=3, bias=True, padding=1),
                          nn.BatchNorm2d(chan),
                          DEQFixedPoint(f, anderson, tol=1e-2, max_iter=25, m=5),
                          nn.BatchNorm2d(chan),
                          nn.AvgPool2d(4,4),
                          nn.Flatten(),
                          nn.Linear(chan*2*2,10))
    sync(model)
    max_epochs = 2
    opt = optim.Adam(model.parameters(), lr=1e-3)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, max_epochs*len(train_loader),
                                                     eta_min=1e-6)
    for i in range(max_epochs):
        record += list(epoch(torch, train_loader, model, opt, scheduler))
        record += list(epoch(torch, test_loader, model))
        record += [model[2].forward_res, model[2].backward_res, scheduler.get_last_lr()]
    record += [p for p in model.parameters()] + [b for b in model.buffers()]


def gradcheck(torch) -> bool:
    _, anderson, ResNetLayer, DEQFixedPoint = deq_program(torch)
    torch.manual_seed(0)
    # run a very small network with double precision, iterating to high precision
    f = ResNetLayer(2,2, num_groups=2).double()
    deq = DEQFixedPoint(f, anderson, tol=1e-10, max_iter=500).double()
    return torch.autograd.gradcheck(deq, torch.randn(1,2,2,2).double().requires_grad_(),
                                    eps=1e-5, atol=1e-3, check_undefined_grad=False)


@pytest.mark.parametrize("program", [solvers, training])
def test_deep_equilibrium_model_matches_pytorch(torch, program) -> None:
    ours, theirs = weight_sync()
    want, got = Records(), Records()
    if program is training:
        program(Library(torch), torch.utils.data, theirs, want)
        program(Library(), nn.data, ours, got)
    else:
        program(Library(torch), theirs, want)
        program(Library(), ours, got)
    assert_records(got, want, rtol=1e-9, atol=1e-12)


def test_the_tutorials_gradcheck_of_a_small_deq() -> None:
    """The implicit backward against finite differences (on 2x2 images, not the tutorial's
    3x3: each of its ~100-iteration solves is run twice per input; the gradient itself is
    compared with PyTorch's in ``solvers``)."""
    assert gradcheck(Library())


def test_anderson_reaches_the_fixed_point_forward_iteration_finds() -> None:
    record: list = []
    solvers(Library(), lambda module: None, record)
    iterated, accelerated = record[0], record[2]
    assert record[1][-1] < 1e-4 and record[3][-1] < 1e-4
    # each stops at a relative residual of 1e-4, contracting slowly: 1e-2 apart at most
    np.testing.assert_allclose(accelerated.detach().numpy(), iterated.detach().numpy(), atol=1e-2)
