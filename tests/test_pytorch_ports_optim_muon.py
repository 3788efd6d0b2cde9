"""Muon (Keller Jordan, 2024) as ``KellerJordan/Muon``'s ``muon.py`` writes it: the quintic
Newton-Schulz orthogonalization ``zeropower_via_newtonschulz5`` (``X.mT``, a Frobenius
norm over ``dim=(-2, -1)``), ``muon_update`` (Nesterov momentum by ``lerp_``, conv filters
viewed as matrices) and ``SingleDeviceMuonWithAuxAdam``, whose ``use_muon`` groups take
Muon and the others an Adam written with ``lerp_``. The parameters are split as its
docstring shows (hidden matrices to Muon; the head, embeddings and scalars to Adam) on a
small conv + MLP, trained next to PyTorch (float64) from the same weights: losses,
parameters and optimizer states agree to 1e-10, also after a ``state_dict`` round trip.

Lines written differently here, and why:
- ``X = G.bfloat16()``: NumPy has no bfloat16 (``autograd.bfloat16`` is an error saying
  so), and the comparison runs in float64, so the iteration runs in ``G``'s own dtype;
- ``torch.optim.Optimizer`` is ``nn.optim.Optimizer`` here (``autograd`` does not import
  ``nn``; ``autograd.optim``'s error says so): the program takes the library's ``optim``;
- ``from torch.optim.optimizer import ParamsT`` (a typing alias) is left out.
"""

import numpy as np

import nn
from optim_port_helpers import assert_records, libraries, task


def muon(torch, optim):
    """``muon.py``'s functions and ``SingleDeviceMuonWithAuxAdam`` for library ``torch``."""

    def zeropower_via_newtonschulz5(G, steps):
        assert G.ndim >= 2
        a, b, c = (3.4445, -4.7750, 2.0315)
        X = G.clone()  # muon.py: G.bfloat16(), see the docstring
        if G.size(-2) > G.size(-1):
            X = X.mT
        # Ensure spectral norm is at most 1
        X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
        # Perform the NS iterations
        for _ in range(steps):
            A = X @ X.mT
            B = b * A + c * A @ A
            X = a * X + B @ X
        if G.size(-2) > G.size(-1):
            X = X.mT
        return X

    def muon_update(grad, momentum, beta=0.95, ns_steps=5, nesterov=True):
        momentum.lerp_(grad, 1 - beta)
        update = grad.lerp_(momentum, beta) if nesterov else momentum
        if update.ndim == 4:  # for the case of conv filters
            update = update.view(len(update), -1)
        update = zeropower_via_newtonschulz5(update, steps=ns_steps)
        update *= max(1, grad.size(-2) / grad.size(-1)) ** 0.5
        return update

    def adam_update(grad, buf1, buf2, step, betas, eps):
        buf1.lerp_(grad, 1 - betas[0])
        buf2.lerp_(grad.square(), 1 - betas[1])
        buf1c = buf1 / (1 - betas[0] ** step)
        buf2c = buf2 / (1 - betas[1] ** step)
        return buf1c / (buf2c.sqrt() + eps)

    class SingleDeviceMuonWithAuxAdam(optim.Optimizer):  # torch.optim.Optimizer
        def __init__(self, param_groups):
            for group in param_groups:
                assert "use_muon" in group
                if group["use_muon"]:
                    group["lr"] = group.get("lr", 0.02)
                    group["momentum"] = group.get("momentum", 0.95)
                    group["weight_decay"] = group.get("weight_decay", 0)
                    assert set(group.keys()) == {"params", "lr", "momentum", "weight_decay",
                                                 "use_muon"}
                else:
                    group["lr"] = group.get("lr", 3e-4)
                    group["betas"] = group.get("betas", (0.9, 0.95))
                    group["eps"] = group.get("eps", 1e-10)
                    group["weight_decay"] = group.get("weight_decay", 0)
                    assert set(group.keys()) == {"params", "lr", "betas", "eps",
                                                 "weight_decay", "use_muon"}
            super().__init__(param_groups, dict())

        @torch.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                if group["use_muon"]:
                    for p in group["params"]:
                        if p.grad is None:
                            p.grad = torch.zeros_like(p)  # Force synchronization
                        state = self.state[p]
                        if len(state) == 0:
                            state["momentum_buffer"] = torch.zeros_like(p)
                        update = muon_update(p.grad, state["momentum_buffer"],
                                             beta=group["momentum"])
                        p.mul_(1 - group["lr"] * group["weight_decay"])
                        p.add_(update.reshape(p.shape), alpha=-group["lr"])
                else:
                    for p in group["params"]:
                        if p.grad is None:
                            p.grad = torch.zeros_like(p)  # Force synchronization
                        state = self.state[p]
                        if len(state) == 0:
                            state["exp_avg"] = torch.zeros_like(p)
                            state["exp_avg_sq"] = torch.zeros_like(p)
                            state["step"] = 0
                        state["step"] += 1
                        update = adam_update(p.grad, state["exp_avg"], state["exp_avg_sq"],
                                             state["step"], group["betas"], group["eps"])
                        p.mul_(1 - group["lr"] * group["weight_decay"])
                        p.add_(update, alpha=-group["lr"])
            return loss

    return SingleDeviceMuonWithAuxAdam


def network(nn):
    """A conv block and a hidden linear layer (Muon's) between an embedding and a head."""

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(4, 64)
            self.blocks = nn.Sequential(nn.Conv2d(1, 3, 3, stride=2), nn.Tanh(),
                                        nn.Flatten(), nn.Linear(27, 12), nn.Tanh())
            self.lm_head = nn.Linear(12, 10)

        def forward(self, x, tokens):
            h = (x + self.embed(tokens)).view(-1, 1, 8, 8)
            return self.lm_head(self.blocks(h))

    return Net()


def train(libs, model) -> list:
    """Parameter groups as muon.py's docstring builds them, then 8 full-batch steps."""
    torch, nn, F, optim = libs
    SingleDeviceMuonWithAuxAdam = muon(torch, optim)
    hidden_matrix_params = [p for n, p in model.blocks.named_parameters()
                            if p.ndim >= 2 and "embed" not in n]
    embed_params = [p for n, p in model.named_parameters() if "embed" in n]
    scalar_params = [p for p in model.parameters() if p.ndim < 2]
    head_params = [model.lm_head.weight]
    adam_groups = [dict(params=head_params, lr=0.02), dict(params=embed_params, lr=0.06),
                   dict(params=scalar_params, lr=0.004)]
    adam_groups = [dict(**g, betas=(0.8, 0.95), eps=1e-10, use_muon=False)
                   for g in adam_groups]
    muon_group = dict(params=hidden_matrix_params, lr=0.05, momentum=0.95, use_muon=True,
                      weight_decay=0.01)
    param_groups = [*adam_groups, muon_group]
    optimizer = SingleDeviceMuonWithAuxAdam(param_groups)
    X, y = task(48)
    X, y = torch.tensor(X), torch.tensor(y)
    tokens = torch.tensor(np.arange(48) % 4)
    records = []
    for step in range(8):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X, tokens), y)
        loss.backward()
        optimizer.step()
        records.append(loss.item())
        if step == 3:
            state = optimizer.state_dict()
            optimizer = SingleDeviceMuonWithAuxAdam(param_groups)
            optimizer.load_state_dict(state)
    records.extend(p.detach() for p in model.parameters())
    for p in model.parameters():
        state = optimizer.state[p]
        records.extend(state[k] for k in sorted(state))
    return records


def test_single_device_muon_with_aux_adam(torch):
    torch.manual_seed(0)
    theirs_model = network(torch.nn)
    start = {k: v.detach().numpy().copy() for k, v in theirs_model.state_dict().items()}
    theirs = train(libraries(torch), theirs_model)
    ours_model = network(nn)
    ours_model.load_state_dict(start)  # the test's glue: the generators differ
    ours = train(libraries(), ours_model)
    assert_records(ours, theirs)

