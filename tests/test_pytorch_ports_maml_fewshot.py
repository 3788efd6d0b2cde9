"""Few-shot MAML classification as PyTorch readers write it (dragen1860's MAML-Pytorch,
shrunk to 3-way 2-shot tasks on scikit-learn's 8x8 digits): a ``Learner`` whose weights
are an ``nn.ParameterList`` built from a config list (``kaiming_normal_`` conv and linear
weights), a ``forward(x, vars=None, bn_training=True)`` of ``F.conv2d``,
``F.batch_norm`` with running statistics held as ``nn.Parameter(requires_grad=False)``
in a second ``ParameterList``, ``F.relu(inplace=True)``, ``F.max_pool2d``, ``F.linear``;
an overridden ``parameters()``; the ``Meta`` module's inner loop
``grad = torch.autograd.grad(loss, fast_weights)`` and
``fast_weights = list(map(lambda p: p[1] - lr * p[0], zip(grad, fast_weights)))``, query
losses summed into ``losses_q = [0 for _ in ...]``, accuracies counted under ``no_grad``
with ``torch.eq(pred_q, y).sum().item()``, ``meta_optim`` Adam; and the fine-tuning on a
``deepcopy`` of the net. Written once for a library ``T`` (``autograd`` here, ``torch``
there) and run step for step next to PyTorch's from the same weights (float64): losses,
accuracies, gradients, parameters and running statistics agree to 1e-10.

Tasks are drawn with NumPy and fed to both. Time, this loaded 2-core machine,
2026-12-01, noted, not asserted: the run (3 meta-steps of 2 tasks, fine-tuning) about
0.17 s here, 0.09 s in PyTorch.
"""

from copy import deepcopy

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim, ag.grad
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.autograd.grad


# the Omniglot config's order, conv2d, relu, bn (with bn right after the conv the conv's
# bias would have a gradient of 0 up to rounding, each library's own)
CONFIG = [("conv2d", [4, 1, 3, 3, 1, 0]), ("relu", [True]), ("bn", [4]),
          ("max_pool2d", [2, 2, 0]), ("flatten", []), ("linear", [3, 4 * 3 * 3])]


def build(torch, config=CONFIG):
    T, lib, F, optim, grad_fn = libraries(torch)

    class Learner(lib.Module):
        def __init__(self, config):
            super(Learner, self).__init__()
            self.config = config
            self.vars = lib.ParameterList()
            self.vars_bn = lib.ParameterList()
            for name, param in self.config:
                if name == "conv2d":
                    w = lib.Parameter(T.ones(*param[:4]))
                    T.nn.init.kaiming_normal_(w) if torch else lib.init.kaiming_normal_(w)
                    self.vars.append(w)
                    self.vars.append(lib.Parameter(T.zeros(param[0])))
                elif name == "linear":
                    w = lib.Parameter(T.ones(*param))
                    T.nn.init.kaiming_normal_(w) if torch else lib.init.kaiming_normal_(w)
                    self.vars.append(w)
                    self.vars.append(lib.Parameter(T.zeros(param[0])))
                elif name == "bn":
                    self.vars.append(lib.Parameter(T.ones(param[0])))
                    self.vars.append(lib.Parameter(T.zeros(param[0])))
                    running_mean = lib.Parameter(T.zeros(param[0]), requires_grad=False)
                    running_var = lib.Parameter(T.ones(param[0]), requires_grad=False)
                    self.vars_bn.extend([running_mean, running_var])

        def forward(self, x, vars=None, bn_training=True):
            if vars is None:
                vars = self.vars
            idx = 0
            bn_idx = 0
            for name, param in self.config:
                if name == "conv2d":
                    w, b = vars[idx], vars[idx + 1]
                    x = F.conv2d(x, w, b, stride=param[4], padding=param[5])
                    idx += 2
                elif name == "linear":
                    w, b = vars[idx], vars[idx + 1]
                    x = F.linear(x, w, b)
                    idx += 2
                elif name == "bn":
                    w, b = vars[idx], vars[idx + 1]
                    running_mean = self.vars_bn[bn_idx]
                    running_var = self.vars_bn[bn_idx + 1]
                    x = F.batch_norm(x, running_mean, running_var, weight=w, bias=b,
                                     training=bn_training)
                    idx += 2
                    bn_idx += 2
                elif name == "flatten":
                    x = x.view(x.size(0), -1)
                elif name == "relu":
                    x = F.relu(x, inplace=param[0])
                elif name == "max_pool2d":
                    x = F.max_pool2d(x, param[0], param[1], param[2])
            assert idx == len(vars)
            assert bn_idx == len(self.vars_bn)
            return x

        def parameters(self):
            return self.vars

    class Meta(lib.Module):
        def __init__(self, update_lr=0.4, meta_lr=1e-3, update_step=3, update_step_test=4):
            super(Meta, self).__init__()
            self.update_lr = update_lr
            self.meta_lr = meta_lr
            self.update_step = update_step
            self.update_step_test = update_step_test
            self.net = Learner(config)
            self.meta_optim = optim.Adam(self.net.parameters(), lr=self.meta_lr)

        def forward(self, x_spt, y_spt, x_qry, y_qry):
            task_num = x_spt.size(0)
            querysz = x_qry.size(1)
            losses_q = [0 for _ in range(self.update_step + 1)]
            corrects = [0 for _ in range(self.update_step + 1)]
            for i in range(task_num):
                logits = self.net(x_spt[i], vars=None, bn_training=True)
                loss = F.cross_entropy(logits, y_spt[i])
                grad = grad_fn(loss, self.net.parameters())
                fast_weights = list(map(lambda p: p[1] - self.update_lr * p[0],
                                        zip(grad, self.net.parameters())))
                with T.no_grad():
                    logits_q = self.net(x_qry[i], self.net.parameters(), bn_training=True)
                    loss_q = F.cross_entropy(logits_q, y_qry[i])
                    losses_q[0] += loss_q
                    pred_q = F.softmax(logits_q, dim=1).argmax(dim=1)
                    corrects[0] = corrects[0] + T.eq(pred_q, y_qry[i]).sum().item()
                for k in range(1, self.update_step + 1):
                    logits = self.net(x_spt[i], fast_weights, bn_training=True)
                    loss = F.cross_entropy(logits, y_spt[i])
                    grad = grad_fn(loss, fast_weights)
                    fast_weights = list(map(lambda p: p[1] - self.update_lr * p[0],
                                            zip(grad, fast_weights)))
                    logits_q = self.net(x_qry[i], fast_weights, bn_training=True)
                    loss_q = F.cross_entropy(logits_q, y_qry[i])
                    losses_q[k] += loss_q
                    with T.no_grad():
                        pred_q = F.softmax(logits_q, dim=1).argmax(dim=1)
                        corrects[k] = corrects[k] + T.eq(pred_q, y_qry[i]).sum().item()
            loss_q = losses_q[-1] / task_num
            self.meta_optim.zero_grad()
            loss_q.backward()
            self.meta_optim.step()
            accs = np.array(corrects) / (querysz * task_num)
            return accs, [x.item() for x in losses_q]

        def finetunning(self, x_spt, y_spt, x_qry, y_qry):
            net = deepcopy(self.net)
            logits = net(x_spt)
            loss = F.cross_entropy(logits, y_spt)
            grad = grad_fn(loss, net.parameters())
            fast_weights = list(map(lambda p: p[1] - self.update_lr * p[0],
                                    zip(grad, net.parameters())))
            losses = [loss.item()]
            for k in range(1, self.update_step_test):
                logits = net(x_spt, fast_weights, bn_training=True)
                loss = F.cross_entropy(logits, y_spt)
                grad = grad_fn(loss, fast_weights)
                fast_weights = list(map(lambda p: p[1] - self.update_lr * p[0],
                                        zip(grad, fast_weights)))
                losses.append(loss.item())
            with T.no_grad():
                logits_q = net(x_qry, fast_weights, bn_training=True)
                pred_q = F.softmax(logits_q, dim=1).argmax(dim=1)
                correct = T.eq(pred_q, y_qry).sum().item()
            del net
            return correct / x_qry.size(0), losses

    return Meta()


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def fewshot_tasks(rng, images, labels, task_num, n_way=3, k_spt=2, k_qry=3) -> tuple:
    """task_num n-way tasks: support and query images, labels 0..n_way-1."""
    batches = [[], [], [], []]
    for _ in range(task_num):
        classes = rng.choice(10, n_way, replace=False)
        spt, qry = [], []
        for label, c in enumerate(classes):
            chosen = rng.choice(np.flatnonzero(labels == c), k_spt + k_qry, replace=False)
            spt += [(i, label) for i in chosen[:k_spt]]
            qry += [(i, label) for i in chosen[k_spt:]]
        for j, pairs in ((0, spt), (2, qry)):
            batches[j].append(images[[i for i, _ in pairs]])
            batches[j + 1].append(np.array([label for _, label in pairs]))
    return tuple(np.stack(b) for b in batches)


def run(torch, steps, test_task, start=None) -> list:
    T = libraries(torch)[0]
    maml = build(torch)
    if start is not None:
        maml.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(maml)]
    for step in steps:
        accs, losses_q = maml(*map(T.tensor, step))
        record += [accs.tolist(), losses_q,
                   [p.grad.numpy().copy() for p in maml.net.parameters()], state(maml)]
    acc, losses = maml.finetunning(*map(T.tensor, test_task))
    return record + [acc, losses, state(maml)]


def test_fewshot_maml_learner_trains_as_torch(torch):
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    images = (images / 16.0).reshape(-1, 1, 8, 8)
    rng = np.random.RandomState(0)
    steps = [fewshot_tasks(rng, images, labels, task_num=2) for _ in range(3)]
    test_task = tuple(a[0] for a in fewshot_tasks(rng, images, labels, task_num=1))
    torch.manual_seed(0)
    want = run(torch, steps, test_task)
    got = run(None, steps, test_task, start=want[0])
    assert_same(got[1:], want[1:])
