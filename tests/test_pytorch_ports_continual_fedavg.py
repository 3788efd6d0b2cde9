"""Federated averaging ("Communication-Efficient Learning of Deep Networks from
Decentralized Data", McMahan et al. 2017) as its readers write it from
``shaoxiongji/federated-learning``: ``mnist_iid`` deals the samples to users,
``LocalUpdate.train`` runs SGD on a ``copy.deepcopy`` of the global net and returns its
``state_dict``, ``FedAvg`` averages the state dicts key by key (``w_avg[k] += w[i][k]``,
``torch.div``) and ``net_glob.load_state_dict`` takes the average; ``test_img`` sums the
losses and counts hits. A second program is FedProx (Li et al. 2020) as NIID-Bench writes
it: the local loss adds ``mu / 2 * torch.norm(param - global_param) ** 2`` for each
parameter (a norm at zero on the first step), and the server weights the clients'
``state_dict`` entries by their data sizes (``global_para[key] = net_para[key] * freq``).
Data: scikit-learn's digits split over five users (uneven shards for FedProx).
Each program is written once for a library ``torch`` (``autograd`` here, PyTorch there)
and runs step for step next to PyTorch's from the same weights (float64): losses, averaged
state dicts and accuracies agree to 1e-10.

Lines written differently here, and why:
- ``log_probs.data.max(1, keepdim=True)[1]`` is ``log_probs.detach().max(1, ...)`` and
  ``target.data.view_as(y_pred)`` is ``target.view_as(y_pred)``: ``.data`` is NumPy's
  array here (by design), whose ``max(1)`` is values only and which has no ``view_as``;
- ``torch.optim`` is ``nn.optim`` here (``autograd`` never imports ``nn``), taken with
  the other modules from ``libraries``;
- ``CNNMnist`` is shrunk to 8x8 digits and leaves out its two dropouts (each library
  draws its own masks);
- the users' loaders do not shuffle and the users are drawn with NumPy's generator in
  both libraries (the two libraries' generators differ).
"""

import copy

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data) for this library, or PyTorch's when ``torch`` is
    given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def digits(n: int = 300) -> tuple:
    """n of scikit-learn's digits as 1x8x8 images in [0, 1], and their labels."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return images[:n].reshape(-1, 1, 8, 8) / 16.0, labels[:n]


def mnist_iid(dataset, num_users: int) -> dict:
    """The repository's sampler: each user draws len/num_users samples without
    replacement (NumPy's generator, seeded, in both libraries)."""
    rng = np.random.RandomState(0)
    num_items = int(len(dataset) / num_users)
    dict_users, all_idxs = {}, [i for i in range(len(dataset))]
    for i in range(num_users):
        dict_users[i] = set(rng.choice(all_idxs, num_items, replace=False))
        all_idxs = list(set(all_idxs) - dict_users[i])
    return dict_users


def fedavg_program(torch, state: dict | None) -> tuple[list, dict]:
    """Five users, two drawn per round, three local epochs of SGD with momentum."""
    T, nn, F, optim, data = libraries(torch)
    Dataset, DataLoader = data.Dataset, data.DataLoader
    record = []

    class DatasetSplit(Dataset):
        def __init__(self, dataset, idxs):
            self.dataset = dataset
            self.idxs = list(idxs)

        def __len__(self):
            return len(self.idxs)

        def __getitem__(self, item):
            image, label = self.dataset[self.idxs[item]]
            return image, label

    class LocalUpdate(object):
        def __init__(self, args, dataset=None, idxs=None):
            self.args = args
            self.loss_func = nn.CrossEntropyLoss()
            self.ldr_train = DataLoader(DatasetSplit(dataset, sorted(idxs)),
                                        batch_size=self.args["local_bs"], shuffle=False)

        def train(self, net):
            net.train()
            optimizer = optim.SGD(net.parameters(), lr=self.args["lr"],
                                    momentum=self.args["momentum"])
            epoch_loss = []
            for iter in range(self.args["local_ep"]):
                batch_loss = []
                for batch_idx, (images, labels) in enumerate(self.ldr_train):
                    net.zero_grad()
                    log_probs = net(images)
                    loss = self.loss_func(log_probs, labels)
                    loss.backward()
                    optimizer.step()
                    batch_loss.append(loss.item())
                epoch_loss.append(sum(batch_loss) / len(batch_loss))
            return net.state_dict(), sum(epoch_loss) / len(epoch_loss)

    def FedAvg(w):
        w_avg = copy.deepcopy(w[0])
        for k in w_avg.keys():
            for i in range(1, len(w)):
                w_avg[k] += w[i][k]
            w_avg[k] = T.div(w_avg[k], len(w))
        return w_avg

    class CNNMnist(nn.Module):
        def __init__(self, args):
            super(CNNMnist, self).__init__()
            self.conv1 = nn.Conv2d(1, 4, kernel_size=3)
            self.conv2 = nn.Conv2d(4, 8, kernel_size=3)
            self.fc1 = nn.Linear(32, 16)
            self.fc2 = nn.Linear(16, args["num_classes"])

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(F.max_pool2d(self.conv2(x), 2))
            x = x.view(-1, x.shape[1] * x.shape[2] * x.shape[3])
            x = F.relu(self.fc1(x))
            return self.fc2(x)

    def test_img(net_g, datatest, args):
        net_g.eval()
        test_loss, correct = 0, 0
        data_loader = DataLoader(datatest, batch_size=args["bs"])
        for idx, (data, target) in enumerate(data_loader):
            log_probs = net_g(data)
            test_loss += F.cross_entropy(log_probs, target, reduction='sum').item()
            y_pred = log_probs.detach().max(1, keepdim=True)[1]  # repository: .data
            correct += y_pred.eq(target.view_as(y_pred)).long().cpu().sum()
        test_loss /= len(data_loader.dataset)
        accuracy = 100.00 * correct / len(data_loader.dataset)
        return accuracy, test_loss

    args = dict(num_users=5, frac=0.4, epochs=6, local_ep=3, local_bs=10, lr=0.3,
                momentum=0.5, num_classes=10, bs=50)
    images, labels = digits()
    dataset_train = data.TensorDataset(T.tensor(images[:250]), T.tensor(labels[:250]))
    dataset_test = data.TensorDataset(T.tensor(images[250:]), T.tensor(labels[250:]))
    dict_users = mnist_iid(dataset_train, args["num_users"])
    T.manual_seed(1)
    net_glob = CNNMnist(args=args)
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in net_glob.state_dict().items()}
    net_glob.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    net_glob.train()
    w_glob = net_glob.state_dict()
    rng = np.random.RandomState(1)
    for iter in range(args["epochs"]):
        loss_locals, w_locals = [], []
        m = max(int(args["frac"] * args["num_users"]), 1)
        idxs_users = rng.choice(range(args["num_users"]), m, replace=False)
        for idx in idxs_users:
            local = LocalUpdate(args=args, dataset=dataset_train, idxs=dict_users[idx])
            w, loss = local.train(net=copy.deepcopy(net_glob))
            w_locals.append(copy.deepcopy(w))
            loss_locals.append(copy.deepcopy(loss))
        w_glob = FedAvg(w_locals)
        net_glob.load_state_dict(w_glob)
        loss_avg = sum(loss_locals) / len(loss_locals)
        record += [loss_avg] + list(w_glob.values())
    record += list(test_img(net_glob, dataset_test, args))
    record += list(test_img(net_glob, dataset_train, args))
    return record, state


def fedprox_program(torch, state: dict) -> list:
    """NIID-Bench's FedProx round: local SGD with the proximal term, then the
    size-weighted average of the clients' state dicts into the global model."""
    T, nn, F, optim, data = libraries(torch)
    images, labels = digits(240)
    images = images.reshape(len(images), -1)
    shards = [range(0, 30), range(30, 100), range(100, 240)]  # uneven clients

    net_cls = lambda: nn.Sequential(nn.Linear(64, 24), nn.ReLU(), nn.Linear(24, 10))  # noqa: E731
    global_model = net_cls()
    global_model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    nets = {i: net_cls() for i in range(len(shards))}
    record = []

    def train_net_fedprox(net, global_net, train_dataloader, epochs, lr, mu):
        criterion = nn.CrossEntropyLoss()
        optimizer = optim.SGD(filter(lambda p: p.requires_grad, net.parameters()), lr=lr,
                                momentum=0.9, weight_decay=1e-5)
        global_weight_collector = list(global_net.parameters())
        for epoch in range(epochs):
            epoch_loss_collector = []
            for batch_idx, (x, target) in enumerate(train_dataloader):
                optimizer.zero_grad()
                x.requires_grad = False
                target.requires_grad = False
                target = target.long()
                out = net(x)
                loss = criterion(out, target)
                fed_prox_reg = 0.0
                for param_index, param in enumerate(net.parameters()):
                    fed_prox_reg += ((mu / 2) * T.norm(
                        (param - global_weight_collector[param_index])) ** 2)
                loss += fed_prox_reg
                loss.backward()
                optimizer.step()
                epoch_loss_collector.append(loss.item())
            record.append(sum(epoch_loss_collector) / len(epoch_loss_collector))
        return [p.grad for p in net.parameters()]

    for round in range(3):
        global_para = global_model.state_dict()
        for net_id, net in nets.items():
            net.load_state_dict(global_para)
        for net_id, net in nets.items():
            idx = list(shards[net_id])
            ds = data.TensorDataset(T.tensor(images[idx]), T.tensor(labels[idx]))
            loader = data.DataLoader(ds, batch_size=32, shuffle=False)
            record += train_net_fedprox(net, global_model, loader, 2, lr=0.05, mu=0.1)
        total_data_points = sum([len(shards[r]) for r in nets])
        fed_avg_freqs = [len(shards[r]) / total_data_points for r in nets]
        for idx in range(len(nets)):
            net_para = nets[idx].cpu().state_dict()
            if idx == 0:
                for key in net_para:
                    global_para[key] = net_para[key] * fed_avg_freqs[idx]
            else:
                for key in net_para:
                    global_para[key] += net_para[key] * fed_avg_freqs[idx]
        global_model.load_state_dict(global_para)
        # cloned: PyTorch's state_dict values are views that later rounds overwrite
        # (ours are read-only copies, by design)
        record += [v.clone() for v in global_model.state_dict().values()]
    return record


def assert_records(got: list, want: list) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = (v.detach().numpy() if hasattr(v, "detach") else v for v in (a, b))
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-10,
                                   atol=1e-12, err_msg=f"record {i}")


def test_fedavg_state_dict_averaging_over_users(torch):
    want, state = fedavg_program(torch, None)
    got, _ = fedavg_program(None, state)
    assert_records(got, want)
    assert float(want[-2]) > 40  # the averaged model learned the training digits


def test_fedprox_proximal_term_and_weighted_aggregation(torch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 24), torch.nn.ReLU(),
                                torch.nn.Linear(24, 10))
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    assert_records(fedprox_program(None, state), fedprox_program(torch, state))
