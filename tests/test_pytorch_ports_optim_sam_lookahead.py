"""Optimizers that wrap another one, as their reference code writes them: SAM
(sharpness-aware minimization, davda54's ``sam.py``: two forward/backward passes, the
weights perturbed by ``p.add_(e_w)`` under ``no_grad`` and restored, the base optimizer
built from SAM's own param groups) and Lookahead (michaelrzhang's ``lookahead.py``: slow
weights cached in ``self.state``, pulled towards every k steps, no ``super().__init__``
call, ``param_groups`` a property). Each trains the MLP on a generated task next to PyTorch
(float64): losses, parameters and states agree to 1e-10.

Lines written differently here, and why:
- ``self.state[p]["old_p"] = p.data.clone()`` and ``p.data = self.state[p]["old_p"]``:
  ``.data`` is the NumPy array here (by design), so the copy is ``p.data.copy()`` (and
  assigning the array back to ``.data`` is the same escape hatch as PyTorch's);
- ``p.data.mul_(...)`` and ``param_state['cached_params'].copy_(p.data)``: the update is
  written on ``p`` itself under ``no_grad()``, and the copy from ``p``.
"""

from collections import defaultdict

from optim_port_helpers import assert_records, both, task


def sam_class(torch, optim):
    """davda54's SAM, for library ``torch`` (``torch.optim`` is ``optim``)."""

    class SAM(optim.Optimizer):
        def __init__(self, params, base_optimizer, rho=0.05, adaptive=False, **kwargs):
            assert rho >= 0.0, f"Invalid rho, should be non-negative: {rho}"
            defaults = dict(rho=rho, adaptive=adaptive, **kwargs)
            super(SAM, self).__init__(params, defaults)
            self.base_optimizer = base_optimizer(self.param_groups, **kwargs)
            self.param_groups = self.base_optimizer.param_groups
            self.defaults.update(self.base_optimizer.defaults)

        @torch.no_grad()
        def first_step(self, zero_grad=False):
            grad_norm = self._grad_norm()
            for group in self.param_groups:
                scale = group["rho"] / (grad_norm + 1e-12)
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    self.state[p]["old_p"] = copy_of(p.data)  # sam.py: p.data.clone()
                    e_w = (torch.pow(p, 2) if group["adaptive"] else 1.0) * p.grad * scale.to(p)
                    p.add_(e_w)  # climb to the local maximum "w + e(w)"
            if zero_grad:
                self.zero_grad()

        @torch.no_grad()
        def second_step(self, zero_grad=False):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.data = self.state[p]["old_p"]  # get back to "w" from "w + e(w)"
            self.base_optimizer.step()  # do the actual "sharpness-aware" update
            if zero_grad:
                self.zero_grad()

        @torch.no_grad()
        def step(self, closure=None):
            assert closure is not None, "SAM requires closure, but it was not provided"
            closure = torch.enable_grad()(closure)
            self.first_step(zero_grad=True)
            closure()
            self.second_step()

        def _grad_norm(self):
            shared_device = self.param_groups[0]["params"][0].device
            norm = torch.norm(
                torch.stack([
                    ((torch.abs(p) if group["adaptive"] else 1.0) * p.grad).norm(p=2)
                    .to(shared_device)
                    for group in self.param_groups for p in group["params"]
                    if p.grad is not None
                ]),
                p=2
            )
            return norm

        def load_state_dict(self, state_dict):
            super().load_state_dict(state_dict)
            self.base_optimizer.param_groups = self.param_groups

    return SAM


def copy_of(array):
    """``p.data.clone()``: a NumPy array's copy here, a tensor's clone in PyTorch."""
    return array.copy() if hasattr(array, "copy") and not hasattr(array, "clone") \
        else array.clone()


def train_sam(libs, model, adaptive: bool) -> list:
    """SAM around SGD with momentum: the closure form and the two-step form of the README
    (``first_step(zero_grad=True)``, a second pass, ``second_step(zero_grad=True)``)."""
    torch, nn, F, optim = libs
    X, y = task()
    X, y = torch.tensor(X), torch.tensor(y)
    base_optimizer = optim.SGD
    optimizer = sam_class(torch, optim)(model.parameters(), base_optimizer, rho=0.5,
                                 adaptive=adaptive, lr=0.5, momentum=0.9)
    records = []
    for step in range(8):
        if step % 2 == 0:
            def closure():
                loss = F.cross_entropy(model(X), y)
                loss.backward()
                return loss
            loss = F.cross_entropy(model(X), y)
            loss.backward()
            optimizer.step(closure)
            optimizer.zero_grad()
        else:
            loss = F.cross_entropy(model(X), y)  # first forward-backward pass
            loss.backward()
            optimizer.first_step(zero_grad=True)
            F.cross_entropy(model(X), y).backward()  # second forward-backward pass
            optimizer.second_step(zero_grad=True)
        records.append(loss.item())
    saved = optimizer.state_dict()
    again = sam_class(torch, optim)(model.parameters(), base_optimizer, rho=0.5, adaptive=adaptive,
                             lr=0.5, momentum=0.9)
    again.load_state_dict(saved)
    records.append([g["rho"] for g in again.base_optimizer.param_groups])
    records.extend(p.detach() for p in model.parameters())
    records.extend(optimizer.base_optimizer.state[p]["momentum_buffer"]
                   for p in model.parameters())
    return records


def lookahead_class(torch, Optimizer):
    """michaelrzhang's Lookahead, for library ``torch``."""

    class Lookahead(Optimizer):
        def __init__(self, optimizer, la_steps=5, la_alpha=0.8, pullback_momentum="none"):
            self.optimizer = optimizer
            self._la_step = 0  # counter for inner optimizer
            self.la_alpha = la_alpha
            self._total_la_steps = la_steps
            pullback_momentum = pullback_momentum.lower()
            assert pullback_momentum in ["reset", "pullback", "none"]
            self.pullback_momentum = pullback_momentum
            self.state = defaultdict(dict)
            # Cache the current optimizer parameters
            for group in optimizer.param_groups:
                for p in group['params']:
                    param_state = self.state[p]
                    param_state['cached_params'] = torch.zeros_like(p)
                    param_state['cached_params'].copy_(p)  # lookahead.py: (p.data)
                    if self.pullback_momentum == "pullback":
                        param_state['cached_mom'] = torch.zeros_like(p)  # (p.data)

        def zero_grad(self):
            self.optimizer.zero_grad()

        def state_dict(self):
            return self.optimizer.state_dict()

        def load_state_dict(self, state_dict):
            self.optimizer.load_state_dict(state_dict)

        @property
        def param_groups(self):
            return self.optimizer.param_groups

        def step(self, closure=None):
            loss = self.optimizer.step(closure)
            self._la_step += 1
            if self._la_step >= self._total_la_steps:
                self._la_step = 0
                # Lookahead and cache the current optimizer parameters
                for group in self.optimizer.param_groups:
                    for p in group['params']:
                        param_state = self.state[p]
                        with torch.no_grad():  # lookahead.py: p.data.mul_(...)
                            p.mul_(self.la_alpha).add_(param_state['cached_params'],
                                                       alpha=1.0 - self.la_alpha)
                        param_state['cached_params'].copy_(p)
                        if self.pullback_momentum == "pullback":
                            # lookahead.py's add_(1.0 - la_alpha, cached_mom) is torch's
                            # long-deprecated spelling of alpha=; cached_mom then is the
                            # buffer itself, which SGD keeps updating in place (both libs)
                            internal_momentum = self.optimizer.state[p]["momentum_buffer"]
                            self.optimizer.state[p]["momentum_buffer"] = internal_momentum.mul_(
                                self.la_alpha).add_(param_state["cached_mom"],
                                                    alpha=1.0 - self.la_alpha)
                            param_state["cached_mom"] = self.optimizer.state[p]["momentum_buffer"]
                        elif self.pullback_momentum == "reset":
                            self.optimizer.state[p]["momentum_buffer"] = torch.zeros_like(p)
            return loss

    return Lookahead


def train_lookahead(libs, model, pullback: str) -> list:
    """Lookahead around SGD with momentum (a closure each step), k = 3 and alpha = 0.5."""
    torch, nn, F, optim = libs
    X, y = task()
    X, y = torch.tensor(X), torch.tensor(y)
    inner = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    optimizer = lookahead_class(torch, optim.Optimizer)(inner, la_steps=3, la_alpha=0.5,
                                                        pullback_momentum=pullback)
    scheduler = optim.lr_scheduler.StepLR(optimizer.optimizer, step_size=4, gamma=0.5)
    records = []
    for _ in range(9):
        def closure():
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X), y)
            loss.backward()
            return loss
        records.append(optimizer.step(closure).item())
        scheduler.step()
        records.append(optimizer.param_groups[0]["lr"])
    records.extend(p.detach() for p in model.parameters())
    records.extend(optimizer.state[p]['cached_params'] for p in model.parameters())
    records.extend(inner.state[p]["momentum_buffer"] for p in model.parameters())
    return records


def test_sam(torch):
    assert_records(*both(train_sam, torch, False))


def test_adaptive_sam(torch):
    assert_records(*both(train_sam, torch, True))


def test_lookahead(torch):
    assert_records(*both(train_lookahead, torch, "none"))


def test_lookahead_resetting_momentum(torch):
    assert_records(*both(train_lookahead, torch, "reset"))


def test_lookahead_pulling_momentum_back(torch):
    """``pullback_momentum="pullback"`` edits SGD's ``momentum_buffer`` in place
    (``mul_``/``add_``) and keeps that Tensor: the state must be Tensors, as PyTorch's."""
    assert_records(*both(train_lookahead, torch, "pullback"))
