"""JEM, "Your Classifier is Secretly an Energy Based Model" (wgrathwohl/JEM,
``train_wrn_ebm.py``), ported as its readers write it on 2-D data: the classifier ``F`` /
``CCF`` whose ``logits.logsumexp(1)`` is the negative energy (``t.gather(logits, 1, y[:,
None])`` when conditional), ``init_random`` (``t.FloatTensor(bs, 2).uniform_(-1, 1)``), the
replay buffer of ``sample_p_0`` (``t.randint`` indices, ``(t.rand(bs) <
args.reinit_freq).float()[:, None]`` mixing fresh and kept samples), SGLD in ``sample_q``
(``t.autograd.grad(f(x_k, y=y).sum(), [x_k], retain_graph=True)[0]``, the update written
on ``x_k.data +=``, the buffer refilled by ``replay_buffer[buffer_inds] = final_samples``),
and the training step: learning-rate warm-up through ``optim.param_groups``, ``l_p_x =
-(fp - fq)`` plus ``nn.CrossEntropyLoss()(logits, y_lab)``, the printed lines with
``'{:>14.9f}'.format(fp)`` of 0-d tensors. It runs step for step next to PyTorch from the
same weights, data and noise: the printed numbers, losses, gradients, parameters and the
replay buffer agree to 1e-10.

Shrunk: scikit-learn's two moons (64 points, labelled by moon), an MLP 2-16-16 in place of
the Wide-ResNet, a buffer of 32, batches of 8, 5 SGLD steps, 2 epochs.

Lines written differently here, and why:
- ``t.autograd.Variable(init_sample, requires_grad=True)`` (PyTorch's pre-0.4 wrapper, a
  named error here) is ``init_sample.clone().requires_grad_(True)``, and ``t.autograd.grad``
  is ``autograd.grad`` (``from torch import autograd`` there);
- ``logits.max(1)[1]`` is ``logits.max(dim=1)[1]``: here ``x.max(1)`` is a named error, as
  NumPy's max reads the 1 as an axis and gives the values alone;
- the test's glue: PyTorch's initial weights; our ``rand``/``randint``/``randn_like`` and
  ``uniform_`` draws replayed on PyTorch's side.
"""

import contextlib
import io

import numpy as np
import pytest

from diffusion_helpers import Draws, assert_same, grads, libraries, state
from pytorch_examples_helpers import assert_printed


def jem(t, nn, optim_module, data, autograd, points, labels, start=None, n_epochs=2):
    """train_wrn_ebm.py's functions and loop for the library ``t``; returns the record."""
    args = type("Args", (), dict(batch_size=8, buffer_size=32, n_steps=5, sgld_lr=1.0,
                                 sgld_std=1e-2, reinit_freq=0.05, lr=1e-3, warmup_iters=3,
                                 p_x_weight=1.0, p_y_given_x_weight=1.0, print_every=2,
                                 n_classes=2))

    class F(nn.Module):
        def __init__(self, n_classes=10):
            super(F, self).__init__()
            self.f = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16),
                                   nn.ReLU())  # wideresnet.Wide_ResNet(...)
            self.energy_output = nn.Linear(16, 1)
            self.class_output = nn.Linear(16, n_classes)

        def forward(self, x, y=None):
            penult_z = self.f(x)
            return self.energy_output(penult_z).squeeze()

        def classify(self, x):
            penult_z = self.f(x)
            return self.class_output(penult_z).squeeze()

    class CCF(F):
        def forward(self, x, y=None):
            logits = self.classify(x)
            if y is None:
                return logits.logsumexp(1)
            else:
                return t.gather(logits, 1, y[:, None])

    def init_random(args, bs):
        return t.FloatTensor(bs, 2).uniform_(-1, 1)

    def sample_p_0(replay_buffer, bs, y=None):
        if len(replay_buffer) == 0:
            return init_random(args, bs), []
        buffer_size = len(replay_buffer) if y is None else len(replay_buffer) // args.n_classes
        inds = t.randint(0, buffer_size, (bs,))
        buffer_samples = replay_buffer[inds]
        random_samples = init_random(args, bs)
        choose_random = (t.rand(bs) < args.reinit_freq).float()[:, None]
        samples = choose_random * random_samples + (1 - choose_random) * buffer_samples
        return samples, inds

    def sample_q(f, replay_buffer, y=None, n_steps=args.n_steps):
        f.eval()
        bs = args.batch_size if y is None else y.size(0)
        init_sample, buffer_inds = sample_p_0(replay_buffer, bs=bs, y=y)
        # t.autograd.Variable(init_sample, requires_grad=True): see the top
        x_k = init_sample.clone().requires_grad_(True)
        for k in range(n_steps):
            f_prime = autograd.grad(f(x_k, y=y).sum(), [x_k], retain_graph=True)[0]
            x_k.data += args.sgld_lr * f_prime + args.sgld_std * t.randn_like(x_k)
        f.train()
        final_samples = x_k.detach()
        if len(replay_buffer) > 0:
            replay_buffer[buffer_inds] = final_samples.cpu()
        return final_samples

    f = CCF(n_classes=args.n_classes)
    if start is not None:  # the test's glue: PyTorch's initial weights
        f.load_state_dict(start)
    record = {"start": state(f), "losses": [], "grads": []}
    optim = optim_module.Adam(f.parameters(), lr=args.lr, betas=[.9, .999])
    # the float32 buffer of init_random, as JEM's (float64 here: the comparison's float)
    replay_buffer = init_random(args, args.buffer_size).double()
    dataset = data.TensorDataset(t.tensor(points), t.tensor(labels))
    dload_train = data.DataLoader(dataset, batch_size=args.batch_size, shuffle=False)
    dload_train_labeled = iter(data.DataLoader(dataset, batch_size=args.batch_size,
                                               shuffle=False))
    cur_iter = 0
    for epoch in range(n_epochs):
        for i, (x_p_d, _) in enumerate(dload_train):
            if cur_iter <= args.warmup_iters:
                lr = args.lr * cur_iter / float(args.warmup_iters)
                for param_group in optim.param_groups:
                    param_group['lr'] = lr
            x_lab, y_lab = dload_train_labeled.__next__()
            L = 0.
            if args.p_x_weight > 0:  # maximize log p(x)
                x_q = sample_q(f, replay_buffer)  # sample from log-sumexp
                fp_all = f(x_p_d)
                fq_all = f(x_q)
                fp = fp_all.mean()
                fq = fq_all.mean()
                l_p_x = -(fp - fq)
                if cur_iter % args.print_every == 0:
                    print('P(x) | {}:{:>d} f(x_p_d)={:>14.9f} f(x_q)={:>14.9f} d={:>14.9f}'
                          .format(epoch, i, fp, fq, fp - fq))
                L += args.p_x_weight * l_p_x
            if args.p_y_given_x_weight > 0:  # maximize log p(y | x)
                logits = f.classify(x_lab)
                l_p_y_given_x = nn.CrossEntropyLoss()(logits, y_lab)
                if cur_iter % args.print_every == 0:
                    acc = (logits.max(dim=1)[1] == y_lab).float().mean()  # max(1): see top
                    print('P(y|x) {}:{:>d} loss={:>14.9f}, acc={:>14.9f}'.format(
                        epoch, cur_iter, l_p_y_given_x.item(), acc.item()))
                L += args.p_y_given_x_weight * l_p_y_given_x
            if L.abs().item() > 1e8:
                print("BAD BOIIIIIIIIII")
                1/0
            optim.zero_grad()
            L.backward()
            record["losses"].append(L.item())
            record["grads"].append(grads(f))
            optim.step()
            cur_iter += 1
        dload_train_labeled = iter(data.DataLoader(dataset, batch_size=args.batch_size,
                                                   shuffle=False))
    record.update(end=state(f), buffer=replay_buffer.numpy())
    return record


def patch_uniform_(monkeypatch, torch, draws: list) -> None:
    """``Tensor.uniform_`` recorded (our run: ``torch`` None) or replayed (PyTorch's):
    ``init_random`` fills a new tensor in place, where ``Draws`` does not see it (the
    layers' initialisation of their parameters is left alone)."""
    import autograd as ag
    import nn

    Tensor = ag.Tensor if torch is None else torch.Tensor
    Parameter = nn.Parameter if torch is None else torch.nn.Parameter
    original = Tensor.uniform_

    def uniform_(tensor, *args, **kwargs):
        if isinstance(tensor, Parameter):
            return original(tensor, *args, **kwargs)
        if torch is not None:
            return tensor.copy_(torch.tensor(draws.pop(0)))
        original(tensor, *args, **kwargs)
        draws.append(tensor.numpy().copy())
        return tensor

    monkeypatch.setattr(Tensor, "uniform_", uniform_)


def test_jem_sgld_with_replay_buffer(torch, monkeypatch):
    datasets = pytest.importorskip("sklearn.datasets")
    points, labels = datasets.make_moons(64, noise=0.1, random_state=0)
    draws, uniform, printed = [], [], []
    torch.manual_seed(0)
    lib = libraries()
    T, *rest = libraries(torch)
    start = jem(T, *rest, torch.autograd, points, labels, n_epochs=0)["start"]
    runs = []
    for run in ("ours", "theirs"):
        out = io.StringIO()
        with monkeypatch.context() as patch, contextlib.redirect_stdout(out):
            if run == "ours":
                patch_uniform_(patch, None, uniform)
                runs.append(jem(Draws(lib[0], draws=draws), *lib[1:], lib[0], points, labels,
                                start))
            else:
                patch_uniform_(patch, torch, uniform)
                runs.append(jem(Draws(T, replay=draws), *rest, torch.autograd, points,
                                labels, {k: torch.tensor(v) for k, v in start.items()}))
        printed.append(out.getvalue())
    assert not draws and not uniform
    assert_same(*runs)
    assert_printed(*printed)
    assert printed[0].count("P(x)") == 8 and np.isfinite(runs[0]["losses"]).all()
