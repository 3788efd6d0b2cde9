"""Synaptic Intelligence ("Continual Learning Through Synaptic Intelligence", Zenke et al.
2017) as ``GMvandeVen/continual-learning`` writes it: while a task is learned, ``W[n]``
sums ``-grad * (p - p_old)`` after every step (the path integral of the loss change); at
the task's end ``update_omega`` turns it into importances ``omega += W / (dp**2 + eps)``
kept with the task's parameters as buffers (``register_buffer('..._SI_prev_task')``,
read back by ``getattr``, an ``AttributeError`` before the first task), and
``surrogate_loss`` adds ``sum omega (p - p_prev)**2`` to the next task's loss. Then
PackNet ("Adding Multiple Tasks to a Single Network by Iterative Pruning", Mallya and
Lazebnik 2018) as ``arunmallya/packnet`` writes it: ``ByteTensor`` masks holding the task
that owns each weight, magnitude pruning of the current task's weights at the
``kthvalue`` cutoff, gradients of other tasks' weights zeroed before each step, pruned
weights kept at zero, and evaluation of task t with the later tasks' weights masked out.
Tasks: scikit-learn's digits 0-4, then 5-9. Each program is written once for a library
``torch`` (``autograd`` here, PyTorch there) and runs step for step next to PyTorch's from
the same weights (float64): losses, importances, masks and accuracies agree to 1e-10.

Lines written differently here, and why (``.data`` is NumPy's array here, by design):
- ``p.data.clone().zero_()`` is ``p.detach().clone().zero_()``; ``module.weight.data``
  read as a tensor (``.abs()``, ``.size()``) is ``module.weight.detach()``;
- ``module.weight.grad.data[mask.ne(t)] = 0`` is ``module.weight.grad[mask.ne(t)] = 0``
  (a gradient is no Parameter); writes into ``module.weight.data[mask.eq(0)] = 0.0`` stay
  as written: NumPy's array takes the boolean Tensor as its index;
- ``kthvalue(k)[0][0]`` (PyTorch 0.2's one-element result) is ``kthvalue(k)[0]``.
"""

import numpy as np

from test_pytorch_ports_continual_agem import (assert_records, initial_state, libraries,
                                               split_digits)


def si_program(torch, state: dict) -> list:
    """Two tasks; the second with SI's surrogate loss (c = 0.5, epsilon = 0.1)."""
    T, nn, F, optim = libraries(torch)
    record = []

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
            self.si_c = 0.5
            self.epsilon = 0.1

        def forward(self, x):
            return self.fc(x)

        def update_omega(self, W, epsilon):
            for n, p in self.named_parameters():
                if p.requires_grad:
                    n = n.replace('.', '__')
                    p_prev = getattr(self, '{}_SI_prev_task'.format(n))
                    p_current = p.detach().clone()
                    p_change = p_current - p_prev
                    omega_add = W[n] / (p_change ** 2 + epsilon)
                    try:
                        omega = getattr(self, '{}_SI_omega'.format(n))
                    except AttributeError:
                        omega = p.detach().clone().zero_()
                    omega_new = omega + omega_add
                    self.register_buffer('{}_SI_prev_task'.format(n), p_current)
                    self.register_buffer('{}_SI_omega'.format(n), omega_new)

        def surrogate_loss(self):
            try:
                losses = []
                for n, p in self.named_parameters():
                    if p.requires_grad:
                        n = n.replace('.', '__')
                        prev_values = getattr(self, '{}_SI_prev_task'.format(n))
                        omega = getattr(self, '{}_SI_omega'.format(n))
                        losses.append((omega * (p - prev_values) ** 2).sum())
                return sum(losses)
            except AttributeError:
                return T.tensor(0., device=T.device('cpu'))

    model = Classifier()
    model.fc.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    for n, p in model.named_parameters():
        if p.requires_grad:
            n = n.replace('.', '__')
            model.register_buffer('{}_SI_prev_task'.format(n), p.detach().clone())
    optimizer = optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.999))
    tasks = [(T.tensor(x), T.tensor(y)) for x, y in split_digits()]
    for task, (x, y) in enumerate(tasks):
        W, p_old = {}, {}
        for n, p in model.named_parameters():
            if p.requires_grad:
                n = n.replace('.', '__')
                W[n] = p.detach().clone().zero_()  # repository: p.data.clone().zero_()
                p_old[n] = p.detach().clone()
        for epoch in range(4):
            for i in range(0, len(y), 25):
                model.train()
                optimizer.zero_grad()
                loss_cur = F.cross_entropy(model(x[i:i + 25]), y[i:i + 25])
                loss_si = model.surrogate_loss()
                loss_total = loss_cur + model.si_c * loss_si
                loss_total.backward()
                optimizer.step()
                record += [loss_cur.item(), loss_si.item()]
                for n, p in model.named_parameters():
                    if p.requires_grad:
                        n = n.replace('.', '__')
                        if p.grad is not None:
                            W[n].add_(-p.grad * (p.detach() - p_old[n]))
                        p_old[n] = p.detach().clone()
        model.update_omega(W, model.epsilon)
        # cloned: PyTorch's state_dict values are views that training changes (ours are
        # read-only copies, by design)
        record += [v.clone() for v in model.state_dict().values()]
        model.eval()
        with T.no_grad():
            for xs, ys in tasks[:task + 1]:
                record.append((model(xs).argmax(1) == ys).float().mean())
    return record


def packnet_program(torch, state: dict) -> list:
    """PackNet's SparsePruner on two tasks: train, prune half, retrain, next task."""
    T, nn, F, optim = libraries(torch)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    record = []

    class SparsePruner(object):
        def __init__(self, model, prune_perc, previous_masks, train_bias, train_bn):
            self.model = model
            self.prune_perc = prune_perc
            self.train_bias = train_bias
            self.current_masks = None
            self.previous_masks = previous_masks
            valid_key = list(previous_masks.keys())[0]
            self.current_dataset_idx = previous_masks[valid_key].max()

        def pruning_mask(self, weights, previous_mask, layer_idx):
            tensor = weights[previous_mask.eq(self.current_dataset_idx)]
            abs_tensor = tensor.abs()
            cutoff_rank = round(self.prune_perc * tensor.numel())
            cutoff_value = abs_tensor.view(-1).cpu().kthvalue(cutoff_rank)[0]
            remove_mask = weights.abs().le(cutoff_value) * \
                previous_mask.eq(self.current_dataset_idx)
            previous_mask[remove_mask.eq(1)] = 0
            return previous_mask

        def prune(self):
            self.previous_masks = self.current_masks
            for module_idx, module in enumerate(self.model.modules()):
                if isinstance(module, nn.Linear):
                    mask = self.pruning_mask(module.weight.detach(),  # repository: .data
                                             self.previous_masks[module_idx], module_idx)
                    self.current_masks[module_idx] = mask
                    module.weight.data[self.current_masks[module_idx].eq(0)] = 0.0

        def make_grads_zero(self):
            for module_idx, module in enumerate(self.model.modules()):
                if isinstance(module, nn.Linear):
                    layer_mask = self.current_masks[module_idx]
                    if module.weight.grad is not None:
                        module.weight.grad[layer_mask.ne(self.current_dataset_idx)] = 0
                        if not self.train_bias and module.bias is not None:
                            module.bias.grad.fill_(0)

        def make_pruned_zero(self):
            for module_idx, module in enumerate(self.model.modules()):
                if isinstance(module, nn.Linear):
                    layer_mask = self.current_masks[module_idx]
                    module.weight.data[layer_mask.eq(0)] = 0.0

        def apply_mask(self, dataset_idx):
            for module_idx, module in enumerate(self.model.modules()):
                if isinstance(module, nn.Linear):
                    weight = module.weight.data
                    mask = self.current_masks[module_idx]
                    weight[mask.eq(0)] = 0.0
                    weight[mask.gt(dataset_idx)] = 0.0

        def make_finetuning_mask(self):
            self.previous_masks = self.current_masks
            self.current_dataset_idx += 1
            for module_idx, module in enumerate(self.model.modules()):
                if isinstance(module, nn.Linear):
                    mask = self.previous_masks[module_idx]
                    mask[mask.eq(0)] = self.current_dataset_idx
            self.current_masks = self.previous_masks

    def train_epochs(pruner, x, y, epochs):
        optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for epoch in range(epochs):
            for i in range(0, len(y), 25):
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x[i:i + 25]), y[i:i + 25])
                loss.backward()
                pruner.make_grads_zero()
                optimizer.step()
                pruner.make_pruned_zero()
                record.append(loss.item())

    previous_masks = {}
    for module_idx, module in enumerate(model.modules()):
        if isinstance(module, nn.Linear):
            mask = T.ByteTensor(module.weight.size()).fill_(1)  # repository: .data.size()
            previous_masks[module_idx] = mask
    pruner = SparsePruner(model, 0.5, previous_masks, train_bias=True, train_bn=False)
    pruner.current_masks = previous_masks
    tasks = [(T.tensor(x), T.tensor(y)) for x, y in split_digits()]
    for task, (x, y) in enumerate(tasks):
        if task > 0:
            pruner.make_finetuning_mask()
        train_epochs(pruner, x, y, 3)
        pruner.prune()
        train_epochs(pruner, x, y, 2)  # retrain the kept weights
        record += [m.clone() for m in pruner.current_masks.values()]
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    for task, (x, y) in enumerate(tasks):
        model.load_state_dict(weights)
        pruner.apply_mask(task + 1)
        record.append((model(x).argmax(1) == y).double().mean())
    return record


def test_synaptic_intelligence_path_integral_and_surrogate_loss(torch):
    state = initial_state(torch)
    want = si_program(torch, state)
    assert_records(si_program(None, state), want)
    assert float(want[-1]) > 0.5  # B learned, held back by the surrogate loss


def test_packnet_masks_pruning_and_per_task_evaluation(torch):
    state = initial_state(torch)
    want = packnet_program(torch, state)
    assert_records(packnet_program(None, state), want)
    masks = [np.asarray(m) for m in want[-4:-2]]
    assert all(set(np.unique(m)) == {0, 1, 2} for m in masks)
    assert float(want[-2]) > 0.8 and float(want[-1]) > 0.8  # each task keeps its weights
