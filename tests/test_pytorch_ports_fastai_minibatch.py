"""fast.ai part 2 (course22p2), lesson 13-14's ``04_minibatch_training`` notebook, ported
as its readers write it: an MLP on scikit-learn's digits trained by hand, then with
``parameters()``, a registered-modules ``Model`` (``add_module``), ``nn.ModuleList``,
``nn.Sequential``, an ``Optimizer`` from scratch, ``optim.SGD``, a ``Dataset`` /
``Sampler`` / ``BatchSampler`` / ``DataLoader`` from scratch (``collate``), PyTorch's
``DataLoader`` with ``SequentialSampler`` and ``BatchSampler``, and ``fit`` with a
validation loop. Ours runs next to PyTorch's from the same weights in float64: every
printed line, loss and parameter agrees to 1e-10.

Lines written differently here, and why:
- the weights are PyTorch's (``sync``, after each model's constructor): the two libraries
  draw different initial weights;
- ``p.grad.data.zero_()`` is ``p.grad.zero_()``: ``.data`` is the NumPy array here;
- ``logsumexp``'s ``x.max(-1)[0]`` is ``x.max(dim=-1)[0]``: a bare positional axis raises
  ``UsageError`` here (NumPy's ``max`` gives values, PyTorch's a pair);
- ``fc.chunked`` is ``chunked`` below; the multiprocessing ``DataLoader`` (``mp.Pool``) is
  left out; the loaders that shuffle with ``RandomSampler`` or ``shuffle=True`` draw from
  different generators, so only their batch counts and shapes are compared;
- ``DataLoader(train_ds, sampler=train_samp)`` (a ``BatchSampler`` as sampler, batches of
  shape (1, bs, 64)) raises ``ConfigError`` here, whose default batch size is 32 rather
  than 1: it is the one line run in PyTorch only.
"""

# ruff: noqa: E701, E741 (fast.ai's one-line `def f(self): ...` and `if x: ...`, and its
# layer variable `l`, kept as written)

import random
from functools import reduce
from itertools import islice

import numpy as np
import pytest

from port_records import assert_same, numpy_of
from test_pytorch_ports_fastai_miniai import digits, libraries


def chunked(it, chunk_sz, drop_last=False):
    """fastcore's ``chunked``: lists of ``chunk_sz`` items of ``it``."""
    it = iter(it)
    while True:
        res = list(islice(it, chunk_sz))
        if not res or (drop_last and len(res) < chunk_sz): return
        yield res


def program(torch, nn, F, optim, data, start: list | None) -> tuple[list, list]:
    """The notebook's cells; returns (printed lines and values, PyTorch's first weights)."""
    record, starts = [], []

    def sync(model):
        if start is None: starts.append({k: v.detach().numpy().copy()
                                         for k, v in model.state_dict().items()})
        else: model.load_state_dict(start.pop(0))
        return model

    x, y = digits(150)
    x_train, y_train = torch.tensor(x[:100].reshape(100, 64)), torch.tensor(y[:100])
    x_valid, y_valid = torch.tensor(x[100:].reshape(50, 64)), torch.tensor(y[100:])
    n, m = x_train.shape
    nh = 20

    class Model(nn.Module):
        def __init__(self, n_in, nh, n_out):
            super().__init__()
            self.layers = [nn.Linear(n_in, nh), nn.ReLU(), nn.Linear(nh, n_out)]
        def __call__(self, x):
            for l in self.layers: x = l(x)
            return x

    torch.manual_seed(1)
    model = Model(m, nh, 10)
    for l in model.layers:
        if hasattr(l, 'weight'): sync(l)  # the test's glue
    pred = model(x_train)
    record.append(tuple(pred.shape))

    def log_softmax(x): return x - x.exp().sum(-1, keepdim=True).log()
    def logsumexp(x):
        m = x.max(dim=-1)[0]  # x.max(-1)[0]: see the docstring
        return m + (x - m[:, None]).exp().sum(-1).log()
    def nll(input, target): return -input[range(target.shape[0]), target].mean()
    sm_pred = log_softmax(pred)
    loss = nll(sm_pred, y_train)
    record += [loss, logsumexp(pred), F.nll_loss(F.log_softmax(pred, -1), y_train),
               F.cross_entropy(pred, y_train)]

    loss_func = F.cross_entropy
    bs, lr, epochs = 25, 0.5, 2
    def accuracy(out, yb): return (out.argmax(dim=1) == yb).float().mean()
    def report(loss, preds, yb): record.append(f'{loss:.2f}, {accuracy(preds, yb):.2f}')

    for epoch in range(epochs):
        for i in range(0, n, bs):
            s = slice(i, min(n, i + bs))
            xb, yb = x_train[s], y_train[s]
            preds = model(xb)
            loss = loss_func(preds, yb)
            loss.backward()
            with torch.no_grad():
                for l in model.layers:
                    if hasattr(l, 'weight'):
                        l.weight -= l.weight.grad * lr
                        l.bias -= l.bias.grad * lr
                        l.weight.grad.zero_()
                        l.bias.grad.zero_()
        report(loss, preds, yb)
    record.append([numpy_of(l.weight) for l in model.layers if hasattr(l, 'weight')])

    # Using parameters and optim
    m1 = nn.Module()
    m1.foo = nn.Linear(3, 4)
    record += [[k for k, _ in m1.named_children()], [tuple(p.shape) for p in m1.parameters()]]

    class MLP(nn.Module):
        def __init__(self, n_in, nh, n_out):
            super().__init__()
            self.l1 = nn.Linear(n_in, nh)
            self.l2 = nn.Linear(nh, n_out)
            self.relu = nn.ReLU()
        def forward(self, x): return self.l2(self.relu(self.l1(x)))

    model = sync(MLP(m, nh, 10))
    record += [repr(model.l1), [f"{name}: {l}" for name, l in model.named_children()],
               [tuple(p.shape) for p in model.parameters()]]

    def fit():
        for epoch in range(epochs):
            for i in range(0, n, bs):
                s = slice(i, min(n, i + bs))
                xb, yb = x_train[s], y_train[s]
                preds = model(xb)
                loss = loss_func(preds, yb)
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters(): p -= p.grad * lr
                    model.zero_grad()
            report(loss, preds, yb)
    fit()

    class MyModule:
        def __init__(self, n_in, nh, n_out):
            self._modules = {}
            self.l1 = nn.Linear(n_in, nh)
            self.l2 = nn.Linear(nh, n_out)
        def __setattr__(self, k, v):
            if not k.startswith("_"): self._modules[k] = v
            super().__setattr__(k, v)
        def __repr__(self): return f'{self._modules}'
        def parameters(self):
            for l in self._modules.values(): yield from l.parameters()

    mdl = MyModule(m, nh, 10)
    record += [repr(mdl), [tuple(o.shape) for o in mdl.parameters()]]

    # Registering modules: a plain list, each layer also added by name
    layers = [nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, 10)]

    class Model(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = layers
            for i, l in enumerate(self.layers): self.add_module(f'layer_{i}', l)
        def forward(self, x): return reduce(lambda val, layer: layer(val), self.layers, x)

    model = sync(Model(layers))
    record += [repr(model), tuple(model(xb).shape)]
    fit()

    class SequentialModel(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = nn.ModuleList(layers)
        def forward(self, x):
            for l in self.layers: x = l(x)
            return x

    model = sync(SequentialModel(layers))
    record.append(repr(model))
    fit()
    model = sync(nn.Sequential(nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, 10)))
    fit()
    record += [loss_func(model(xb), yb), accuracy(model(xb), yb)]

    # optim
    class Optimizer():
        def __init__(self, params, lr=0.5): self.params, self.lr = list(params), lr
        def step(self):
            with torch.no_grad():
                for p in self.params: p -= p.grad * self.lr
        def zero_grad(self):
            for p in self.params: p.grad.zero_()  # p.grad.data.zero_(): see the docstring

    model = sync(nn.Sequential(nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, 10)))
    opt = Optimizer(model.parameters())

    def fit_opt():
        for epoch in range(epochs):
            for i in range(0, n, bs):
                s = slice(i, min(n, i + bs))
                xb, yb = x_train[s], y_train[s]
                preds = model(xb)
                loss = loss_func(preds, yb)
                loss.backward()
                opt.step()
                opt.zero_grad()
            report(loss, preds, yb)
    fit_opt()

    def get_model():
        model = sync(nn.Sequential(nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, 10)))
        return model, optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model()
    fit_opt()

    # Dataset and DataLoader, from scratch
    class Dataset():
        def __init__(self, x, y): self.x, self.y = x, y
        def __len__(self): return len(self.x)
        def __getitem__(self, i): return self.x[i], self.y[i]

    train_ds, valid_ds = Dataset(x_train, y_train), Dataset(x_valid, y_valid)
    xb, yb = train_ds[0:5]
    record += [tuple(xb.shape), yb.tolist()]

    class Sampler():
        def __init__(self, ds, shuffle=False): self.n, self.shuffle = len(ds), shuffle
        def __iter__(self):
            res = list(range(self.n))
            if self.shuffle: random.shuffle(res)
            return iter(res)

    class BatchSampler():
        def __init__(self, sampler, bs, drop_last=False):
            self.sampler, self.bs, self.drop_last = sampler, bs, drop_last
        def __iter__(self): yield from chunked(iter(self.sampler), self.bs,
                                               drop_last=self.drop_last)

    def collate(b):
        xs, ys = zip(*b)
        return torch.stack(xs), torch.stack(ys)

    class DataLoader():
        def __init__(self, ds, batchs, collate_fn=collate):
            self.ds, self.batchs, self.collate_fn = ds, batchs, collate_fn
        def __iter__(self): yield from (self.collate_fn(self.ds[i] for i in b)
                                        for b in self.batchs)

    random.seed(42)
    ss = Sampler(train_ds)
    record.append(list(islice(BatchSampler(ss, 4), 5)))
    train_samp = BatchSampler(Sampler(train_ds, shuffle=True), bs)
    valid_samp = BatchSampler(Sampler(valid_ds, shuffle=False), bs)
    train_dl = DataLoader(train_ds, batchs=train_samp)
    valid_dl = DataLoader(valid_ds, batchs=valid_samp)
    xb, yb = next(iter(valid_dl))
    record += [tuple(xb.shape), yb.tolist()]

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss = loss_func(model(xb), yb)
                loss.backward()
                opt.step()
                opt.zero_grad()
            model.eval()
            with torch.no_grad():
                tot_loss, tot_acc, count = 0., 0., 0
                for xb, yb in valid_dl:
                    pred = model(xb)
                    n = len(xb)
                    count += n
                    tot_loss += loss_func(pred, yb).item() * n
                    tot_acc += accuracy(pred, yb).item() * n
            record.append((epoch, tot_loss / count, tot_acc / count))
        return tot_loss / count, tot_acc / count

    model, opt = get_model()
    record.append(fit(epochs, model, loss_func, opt, train_dl, valid_dl))

    # PyTorch's DataLoader
    train_samp = data.BatchSampler(data.SequentialSampler(train_ds), bs, drop_last=False)
    valid_samp = data.BatchSampler(data.SequentialSampler(valid_ds), bs, drop_last=False)
    train_dl = data.DataLoader(train_ds, batch_sampler=train_samp, collate_fn=collate)
    valid_dl = data.DataLoader(valid_ds, batch_sampler=valid_samp, collate_fn=collate)
    model, opt = get_model()
    record.append(fit(epochs, model, loss_func, opt, train_dl, valid_dl))
    train_dl = data.DataLoader(train_ds, bs, sampler=data.SequentialSampler(train_ds),
                               collate_fn=collate)
    model, opt = get_model()
    record.append(fit(epochs, model, loss_func, opt, train_dl, valid_dl))
    train_dl = data.DataLoader(train_ds, bs, sampler=data.RandomSampler(train_ds),
                               collate_fn=collate)
    record.append([tuple(xb.shape) for xb, _ in train_dl])
    train_dl = data.DataLoader(train_ds, bs, shuffle=True, drop_last=True, num_workers=0)
    record += [len(train_dl), [tuple(yb.shape) for _, yb in train_dl]]
    record.append(train_ds[[4, 6, 7]][1].tolist())

    def get_dls(train_ds, valid_ds, bs, **kwargs):
        return (data.DataLoader(train_ds, batch_size=bs, shuffle=True, **kwargs),
                data.DataLoader(valid_ds, batch_size=bs * 2, **kwargs))

    train_dl, valid_dl = get_dls(train_ds, valid_ds, bs)
    record.append([len(train_dl), len(valid_dl), tuple(next(iter(valid_dl))[0].shape)])
    return [numpy_of(r) if hasattr(r, 'detach') else r for r in record], starts


def test_minibatch_training_matches_pytorch(torch):
    want, start = program(*libraries(torch), None)
    got, _ = program(*libraries(), start)
    assert_same(got, want)


def test_a_batch_sampler_as_sampler_is_refused_with_the_line_to_write(torch):
    """The notebook's ``DataLoader(train_ds, sampler=train_samp)`` gives batches of shape
    (1, bs, 64) in PyTorch (its default batch size is 1); here it raises, naming
    ``batch_sampler=``."""
    import nn.data
    x, y = digits(20)
    for data, T in ((torch.utils.data, torch), (nn.data, None)):
        T = T or __import__("autograd")
        train_ds = data.TensorDataset(T.tensor(x.reshape(20, 64)), T.tensor(y))
        samp = data.BatchSampler(data.SequentialSampler(train_ds), 5, drop_last=False)
        if data is nn.data:
            with pytest.raises(nn.errors.ConfigError, match="batch_sampler="):
                data.DataLoader(train_ds, sampler=samp)
        else:
            xb, yb = next(iter(data.DataLoader(train_ds, sampler=samp)))
            assert tuple(xb.shape) == (1, 5, 64) and tuple(yb.shape) == (1, 5)
    np.testing.assert_array_equal(x.shape, (20, 1, 8, 8))
