"""Weight averaging as PyTorch's documentation and timm write it, next to PyTorch (float64):
SWA with ``torch.optim.swa_utils`` (``AveragedModel``, ``SWALR`` after a
``CosineAnnealingLR``, ``update_bn`` over the loader, the docs' loop), an EMA through
``AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9), use_buffers=True)``, and a
hand-written EMA of parameters and buffers (timm's ``ModelEmaV2``: ``deepcopy(model)``,
``ema_v.copy_(update_fn(ema_v, model_v))`` over ``state_dict().values()``). Losses,
averaged weights, BatchNorm statistics and predictions agree to 1e-10.

Lines written differently here, and why:
- ``self.module.state_dict().values()`` in ``ModelEmaV2._update`` is
  ``state_dict(keep_vars=True)``: a state dict's values are read-only copies here (by
  design: training does not change a saved state dict), and writing into one raises a
  ``UsageError`` that names this spelling, whose values are the tensors themselves.
The models start from PyTorch's weights (the test's glue, marked), and the loader does
not shuffle (the two libraries' generators differ).
"""

from copy import deepcopy

from optim_port_helpers import assert_records, libraries, task, weights_of


def bn_model(nn):
    """An MLP with a BatchNorm1d, so ``update_bn`` and the buffers matter."""
    return nn.Sequential(nn.Linear(64, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 10))


def loader_of(torch, data):
    X, y = task()
    dataset = data.TensorDataset(torch.tensor(X), torch.tensor(y))
    return data.DataLoader(dataset, batch_size=32, shuffle=False)


def swa(libs, data, model) -> list:
    """The loop of PyTorch's "Stochastic Weight Averaging" docs, shrunk."""
    torch, nn, F, optim = libs
    AveragedModel, SWALR = optim.swa_utils.AveragedModel, optim.swa_utils.SWALR
    CosineAnnealingLR = optim.lr_scheduler.CosineAnnealingLR
    loader = loader_of(torch, data)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2) if hasattr(torch, "optim") \
        else optim.SGD(model.parameters(), lr=0.2)
    swa_model = AveragedModel(model)
    scheduler = CosineAnnealingLR(optimizer, T_max=10)
    swa_start = 3
    swa_scheduler = SWALR(optimizer, swa_lr=0.05, anneal_epochs=2)
    records = []
    for epoch in range(7):
        for input, target in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(input), target)
            loss.backward()
            optimizer.step()
            records.append(loss.item())
        if epoch > swa_start:
            swa_model.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
        records.append(optimizer.param_groups[0]["lr"])
    optim.swa_utils.update_bn(loader, swa_model)
    X, _ = task()
    records.append(swa_model(torch.tensor(X[:8])))
    records.append(swa_model.n_averaged)
    records.extend(v for v in swa_model.module.state_dict().values())
    return records


def ema(libs, data, model) -> list:
    """AveragedModel as an EMA of parameters and buffers, and timm's ModelEmaV2."""
    torch, nn, F, optim = libs
    swa_utils = optim.swa_utils
    loader = loader_of(torch, data)
    ema_model = swa_utils.AveragedModel(
        model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9), use_buffers=True)

    class ModelEmaV2(nn.Module):
        def __init__(self, model, decay=0.9999, device=None):
            super(ModelEmaV2, self).__init__()
            self.module = deepcopy(model)
            self.module.eval()
            self.decay = decay
            self.device = device
            if self.device is not None:
                self.module.to(device=device)

        def _update(self, model, update_fn):
            with torch.no_grad():
                for ema_v, model_v in zip(self.module.state_dict(keep_vars=True).values(),
                                          model.state_dict().values()):
                    if self.device is not None:
                        model_v = model_v.to(device=self.device)
                    ema_v.copy_(update_fn(ema_v, model_v))

        def update(self, model):
            self._update(model, update_fn=lambda e, m: self.decay * e + (1. - self.decay) * m)

        def set(self, model):
            self._update(model, update_fn=lambda e, m: m)

    model_ema = ModelEmaV2(model, decay=0.8)
    optimizer = optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    records = []
    for epoch in range(3):
        for input, target in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(input), target)
            loss.backward()
            optimizer.step()
            ema_model.update_parameters(model)
            model_ema.update(model)
            records.append(loss.item())
    X, _ = task()
    ema_model.eval()
    records.append(ema_model(torch.tensor(X[:8])))
    records.append(model_ema.module(torch.tensor(X[:8])))
    records.extend(ema_model.module.state_dict().values())
    # clones: PyTorch's state dict values are views, which set() below would change
    records.extend(v.clone() for v in model_ema.module.state_dict().values())
    model_ema.set(model)
    records.extend(model_ema.module.state_dict().values())
    return records


def run_both(program, torch) -> tuple[list, list]:
    torch.manual_seed(0)
    theirs_model = bn_model(torch.nn)
    start = weights_of(theirs_model)
    theirs = program(libraries(torch), torch.utils.data, theirs_model)
    import nn
    import nn.data

    ours_model = bn_model(nn)
    ours_model.load_state_dict(start)  # the test's glue: the generators differ
    ours = program(libraries(), nn.data, ours_model)
    return ours, theirs


def test_swa(torch):
    assert_records(*run_both(swa, torch))


def test_ema(torch):
    assert_records(*run_both(ema, torch))
