"""Prototypical networks (Snell et al. 2017) as PyTorch readers write them (orobix's
"Prototypical-Networks-for-Few-shot-Learning-PyTorch", shrunk to scikit-learn's 8x8
digits): the ``PrototypicalBatchSampler`` (a NaN-filled ``torch.Tensor`` of indexes per
class, ``torch.LongTensor(batch_size)``, ``torch.randperm`` of a 0-d count,
``np.argwhere(self.classes == label).item()``) handed to
``DataLoader(dataset, batch_sampler=sampler)``; ``ProtoNet``'s conv-bn-relu-pool blocks;
``prototypical_loss`` (``torch.unique``, ``target_cpu.eq(c).nonzero()[:n_support]``,
prototypes as ``torch.stack`` of means, ``euclidean_dist`` by ``unsqueeze/expand``,
``log_softmax(-dists).view(n_classes, n_query, -1)``, ``gather``, accuracy by ``max``);
and ``train``/``test`` with Adam, ``StepLR``, a validation pass in ``eval()`` mode, the best
state saved with ``torch.save`` and loaded back. Written once for a library ``T``
(``autograd`` here, ``torch`` there) and run step for step next to PyTorch's from the same
weights (float64): losses, accuracies, parameters and running statistics agree to 1e-10.

Lines written differently here, and why:
- ``x.nonzero()`` is ``x.nonzero(as_tuple=False)`` and ``log_p_y.max(2)`` is
  ``log_p_y.max(dim=2)``: NumPy's and PyTorch's spellings mean different things here, so
  the library asks which one is meant (the message says how);
- ``torch.randperm`` draws its order from one NumPy generator fed to both runs
  (``SharedRandom``: the libraries' generators differ); the library's own ``randperm``
  still checks the argument (a 0-d count) and gives the size;
- ``torch.save``/``torch.load`` are ``nn.save``/``nn.load``, ``torch.utils.data`` is
  ``nn.data``;
- the test's glue keeps the conv biases (right before a BatchNorm) fixed in both runs
  (``freeze_conv_biases``: their gradients are rounding noise, each library's own).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same

# np.argwhere(torch_tensor) warns from PyTorch's own __array_wrap__ under NumPy 2
pytestmark = pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")


class SharedRandom:
    """A library's namespace whose ``randperm(n)`` orders from a NumPy generator."""

    def __init__(self, library) -> None:
        self.library, self.rng = library, np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def randperm(self, n):
        size = len(self.library.randperm(n))
        return self.library.tensor(self.rng.permutation(size))


def libraries(torch=None) -> tuple:
    if torch is None:
        return SharedRandom(ag), nn, nn.functional, nn.optim, nn.data, nn.save, nn.load
    return (SharedRandom(torch), torch.nn, torch.nn.functional, torch.optim, torch.utils.data,
            torch.save, torch.load)


def program(torch, images, labels, opt, best_model_path, sync) -> list:
    torch, lib, F, optim, data, save, load = libraries(torch)
    record = []

    class DigitsDataset(data.Dataset):
        def __init__(self, x, y):
            super(DigitsDataset, self).__init__()
            self.x = torch.tensor(x)
            self.y = y

        def __getitem__(self, idx):
            return self.x[idx], self.y[idx]

        def __len__(self):
            return len(self.y)

    class PrototypicalBatchSampler(object):
        def __init__(self, labels, classes_per_it, num_samples, iterations):
            super(PrototypicalBatchSampler, self).__init__()
            self.labels = labels
            self.classes_per_it = classes_per_it
            self.sample_per_class = num_samples
            self.iterations = iterations
            self.classes, self.counts = np.unique(self.labels, return_counts=True)
            self.classes = torch.LongTensor(self.classes)
            self.idxs = range(len(self.labels))
            self.indexes = np.empty((len(self.classes), max(self.counts)), dtype=int) * np.nan
            self.indexes = torch.Tensor(self.indexes)
            self.numel_per_class = torch.zeros_like(self.classes)
            for idx, label in enumerate(self.labels):
                label_idx = np.argwhere(self.classes == label).item()
                self.indexes[label_idx, np.where(np.isnan(self.indexes[label_idx]))[0][0]] = idx
                self.numel_per_class[label_idx] += 1

        def __iter__(self):
            spc = self.sample_per_class
            cpi = self.classes_per_it
            for it in range(self.iterations):
                batch_size = spc * cpi
                batch = torch.LongTensor(batch_size)
                c_idxs = torch.randperm(len(self.classes))[:cpi]
                for i, c in enumerate(self.classes[c_idxs]):
                    s = slice(i * spc, (i + 1) * spc)
                    label_idx = torch.arange(len(self.classes)).long()[self.classes == c].item()
                    sample_idxs = torch.randperm(self.numel_per_class[label_idx])[:spc]
                    batch[s] = self.indexes[label_idx][sample_idxs]
                batch = batch[torch.randperm(len(batch))]
                yield batch

        def __len__(self):
            return self.iterations

    def conv_block(in_channels, out_channels):
        return lib.Sequential(
            lib.Conv2d(in_channels, out_channels, 3, padding=1),
            lib.BatchNorm2d(out_channels),
            lib.ReLU(),
            lib.MaxPool2d(2))

    class ProtoNet(lib.Module):
        def __init__(self, x_dim=1, hid_dim=6, z_dim=8):
            super(ProtoNet, self).__init__()
            self.encoder = lib.Sequential(conv_block(x_dim, hid_dim), conv_block(hid_dim, z_dim))

        def forward(self, x):
            x = self.encoder(x)
            return x.view(x.size(0), -1)

    def euclidean_dist(x, y):
        n = x.size(0)
        m = y.size(0)
        d = x.size(1)
        if d != y.size(1):
            raise Exception
        x = x.unsqueeze(1).expand(n, m, d)
        y = y.unsqueeze(0).expand(n, m, d)
        return torch.pow(x - y, 2).sum(2)

    def prototypical_loss(input, target, n_support):
        target_cpu = target.to('cpu')
        input_cpu = input.to('cpu')

        def supp_idxs(c):
            return target_cpu.eq(c).nonzero(as_tuple=False)[:n_support].squeeze(1)

        classes = torch.unique(target_cpu)
        n_classes = len(classes)
        n_query = target_cpu.eq(classes[0].item()).sum().item() - n_support
        support_idxs = list(map(supp_idxs, classes))
        prototypes = torch.stack([input_cpu[idx_list].mean(0) for idx_list in support_idxs])
        query_idxs = torch.stack(list(map(lambda c: target_cpu.eq(c).nonzero(
            as_tuple=False)[n_support:], classes))).view(-1)
        query_samples = input.to('cpu')[query_idxs]
        dists = euclidean_dist(query_samples, prototypes)
        log_p_y = F.log_softmax(-dists, dim=1).view(n_classes, n_query, -1)
        target_inds = torch.arange(0, n_classes)
        target_inds = target_inds.view(n_classes, 1, 1)
        target_inds = target_inds.expand(n_classes, n_query, 1).long()
        loss_val = -log_p_y.gather(2, target_inds).squeeze().view(-1).mean()
        _, y_hat = log_p_y.max(dim=2)
        acc_val = y_hat.eq(target_inds.squeeze(2)).float().mean()
        return loss_val, acc_val

    def init_dataloader(mode):
        dataset = DigitsDataset(images[mode], labels[mode])
        if mode == 'train':
            classes_per_it, num_samples = opt['classes_per_it_tr'], opt['num_samples_tr']
        else:
            classes_per_it, num_samples = opt['classes_per_it_val'], opt['num_samples_val']
        sampler = PrototypicalBatchSampler(labels=dataset.y, classes_per_it=classes_per_it,
                                           num_samples=num_samples,
                                           iterations=opt['iterations'])
        return data.DataLoader(dataset, batch_sampler=sampler)

    def train(tr_dataloader, model, optim, lr_scheduler, val_dataloader=None):
        best_state = None
        train_loss, train_acc, val_loss, val_acc = [], [], [], []
        best_acc = 0
        for epoch in range(opt['epochs']):
            tr_iter = iter(tr_dataloader)
            model.train()
            for batch in tr_iter:
                optim.zero_grad()
                x, y = batch
                x, y = x.to('cpu'), y.to('cpu')
                model_output = model(x)
                loss, acc = prototypical_loss(model_output, target=y,
                                              n_support=opt['num_support_tr'])
                loss.backward()
                optim.step()
                train_loss.append(loss.item())
                train_acc.append(acc.item())
            record.append([np.mean(train_loss[-opt['iterations']:]),
                           np.mean(train_acc[-opt['iterations']:])])
            lr_scheduler.step()
            if val_dataloader is None:
                continue
            val_iter = iter(val_dataloader)
            model.eval()
            for batch in val_iter:
                x, y = batch
                model_output = model(x)
                loss, acc = prototypical_loss(model_output, target=y,
                                              n_support=opt['num_support_val'])
                val_loss.append(loss.item())
                val_acc.append(acc.item())
            avg_acc = np.mean(val_acc[-opt['iterations']:])
            record.append([np.mean(val_loss[-opt['iterations']:]), avg_acc])
            if avg_acc >= best_acc:
                save(model.state_dict(), best_model_path)
                best_acc = avg_acc
                best_state = model.state_dict()
        return best_state, best_acc, train_loss, train_acc, val_loss, val_acc

    def test(test_dataloader, model):
        avg_acc = list()
        for epoch in range(2):
            test_iter = iter(test_dataloader)
            for batch in test_iter:
                x, y = batch
                model_output = model(x)
                _, acc = prototypical_loss(model_output, target=y,
                                           n_support=opt['num_support_val'])
                avg_acc.append(acc.item())
        return np.mean(avg_acc)

    torch.manual_seed(7)
    tr_dataloader = init_dataloader('train')
    val_dataloader = init_dataloader('val')
    test_dataloader = init_dataloader('test')
    model = ProtoNet()
    sync(model)
    optimizer = optim.Adam(params=model.parameters(), lr=opt['learning_rate'])
    lr_scheduler = optim.lr_scheduler.StepLR(optimizer=optimizer, gamma=0.5, step_size=1)
    res = train(tr_dataloader, model, optimizer, lr_scheduler, val_dataloader)
    best_state, best_acc, train_loss, train_acc, val_loss, val_acc = res
    record += [train_loss, train_acc, val_loss, val_acc, best_acc, state(model)]
    record.append(test(test_dataloader, model))
    model.load_state_dict(load(best_model_path))
    record += [test(test_dataloader, model), state(model)]
    return record


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def freeze_conv_biases(model) -> None:
    """A conv's bias right before a BatchNorm has a gradient of 0 up to rounding (each
    library's own), which Adam scales into steps of about 1e-9 that the running means (and
    so the eval-mode losses) then show: the test's glue keeps those biases fixed."""
    for block in model.encoder:
        block[0].bias.requires_grad_(False)


def test_prototypical_networks_train_and_test_as_torch(torch, tmp_path):
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    x = (x / 16.0).reshape(-1, 1, 8, 8)
    splits = {"train": y < 6, "val": (y >= 6) & (y < 8), "test": y >= 8}
    # 20 images a class keep the sampler's loops short
    keep = {m: np.flatnonzero(s)[np.argsort(y[s], kind="stable")] for m, s in splits.items()}
    keep = {m: np.concatenate([i[y[i] == c][:20] for c in np.unique(y[i])])
            for m, i in keep.items()}
    images = {m: x[i] for m, i in keep.items()}
    labels = {m: y[i] for m, i in keep.items()}
    opt = dict(classes_per_it_tr=4, num_samples_tr=5, num_support_tr=2, classes_per_it_val=2,
               num_samples_val=4, num_support_val=1, iterations=3, epochs=2,
               learning_rate=0.01)
    starts = []

    def theirs(model):
        starts.append(state(model))
        freeze_conv_biases(model)

    def ours(model):
        model.load_state_dict(starts.pop())
        freeze_conv_biases(model)

    want = program(torch, images, labels, opt, tmp_path / "theirs.pth", theirs)
    got = program(None, images, labels, opt, tmp_path / "ours.pth", ours)
    assert_same(got, want)
    assert got[5][-1] >= 0.5 and got[10] >= 0.5  # accuracy: training, test (2 ways)
