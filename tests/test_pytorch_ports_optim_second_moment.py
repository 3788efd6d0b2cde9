"""Optimizers with factored, multi-tensor or curvature statistics, as their reference code
writes them, each subclassing ``torch.optim.Optimizer`` for a library ``torch`` and
training the MLP on a generated task next to PyTorch (float64): losses, parameters and
states agree to 1e-10.

- Adafactor, as Hugging Face's ``transformers.optimization.Adafactor`` writes it (row and
  column second moments, ``.rsqrt_()``, relative step sizes, update clipping);
- a multi-tensor AdamW written with ``torch._foreach_*`` (``_foreach_lerp_``,
  ``_foreach_addcmul_``, ``_foreach_sqrt``, ``_foreach_addcdiv_``), as hand-written
  "foreach" optimizers are;
- SophiaH: Sophia's clipped update (the paper's Algorithm 3, ``clip(m / max(rho * h,
  eps), 1)``) with a diagonal Hessian h from Hutchinson's estimator
  (``loss.backward(create_graph=True)``, then ``torch.autograd.grad(grads, params,
  grad_outputs=u)`` with Rademacher ``u``, as AdaHessian's reference code draws them).

Lines written differently here, and why:
- ``if grad.dtype in {torch.float16, torch.bfloat16}``: NumPy has no bfloat16, and
  ``autograd.bfloat16`` is an error saying so, so the set names float16 only;
- ``torch.autograd.grad`` is ``autograd.grad`` here (``autograd.autograd``'s error says
  so): the program takes the library's ``grad`` function;
- ``torch.randint_like(p, high=2)``: the Rademacher signs are drawn by one NumPy
  generator for both runs (the two libraries' generators differ).
"""

import math

import numpy as np
import pytest

from optim_port_helpers import assert_records, both, task


def optimizers(torch, optim, grad, signs) -> dict:
    """The three optimizers for library ``torch``; ``grad`` is its ``autograd.grad`` and
    ``signs(p)`` a tensor of Rademacher draws shaped like ``p``."""

    class Adafactor(optim.Optimizer):
        def __init__(self, params, lr=None, eps=(1e-30, 1e-3), clip_threshold=1.0,
                     decay_rate=-0.8, beta1=None, weight_decay=0.0, scale_parameter=True,
                     relative_step=True, warmup_init=False):
            if lr is not None and relative_step:
                raise ValueError("Cannot combine manual `lr` and `relative_step=True` options")
            if warmup_init and not relative_step:
                raise ValueError("`warmup_init=True` requires `relative_step=True`")
            defaults = {"lr": lr, "eps": eps, "clip_threshold": clip_threshold,
                        "decay_rate": decay_rate, "beta1": beta1,
                        "weight_decay": weight_decay, "scale_parameter": scale_parameter,
                        "relative_step": relative_step, "warmup_init": warmup_init}
            super().__init__(params, defaults)

        @staticmethod
        def _get_lr(param_group, param_state):
            rel_step_sz = param_group["lr"]
            if param_group["relative_step"]:
                min_step = 1e-6 * param_state["step"] if param_group["warmup_init"] else 1e-2
                rel_step_sz = min(min_step, 1.0 / math.sqrt(param_state["step"]))
            param_scale = 1.0
            if param_group["scale_parameter"]:
                param_scale = max(param_group["eps"][1], param_state["RMS"])
            return param_scale * rel_step_sz

        @staticmethod
        def _get_options(param_group, param_shape):
            factored = len(param_shape) >= 2
            use_first_moment = param_group["beta1"] is not None
            return factored, use_first_moment

        @staticmethod
        def _rms(tensor):
            return tensor.norm(2) / (tensor.numel() ** 0.5)

        @staticmethod
        def _approx_sq_grad(exp_avg_sq_row, exp_avg_sq_col):
            r_factor = (exp_avg_sq_row / exp_avg_sq_row.mean(dim=-1, keepdim=True)
                        ).rsqrt_().unsqueeze(-1)
            c_factor = exp_avg_sq_col.unsqueeze(-2).rsqrt()
            return torch.mul(r_factor, c_factor)

        @torch.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad
                    if grad.dtype in {torch.float16}:  # HF: {torch.float16, torch.bfloat16}
                        grad = grad.float()
                    if grad.is_sparse:
                        raise RuntimeError("Adafactor does not support sparse gradients.")
                    state = self.state[p]
                    grad_shape = grad.shape
                    factored, use_first_moment = self._get_options(group, grad_shape)
                    if len(state) == 0:
                        state["step"] = 0
                        if use_first_moment:
                            state["exp_avg"] = torch.zeros_like(grad)
                        if factored:
                            state["exp_avg_sq_row"] = torch.zeros(grad_shape[:-1]).to(grad)
                            state["exp_avg_sq_col"] = torch.zeros(
                                grad_shape[:-2] + grad_shape[-1:]).to(grad)
                        else:
                            state["exp_avg_sq"] = torch.zeros_like(grad)
                        state["RMS"] = 0
                    p_data_fp32 = p
                    state["step"] += 1
                    state["RMS"] = self._rms(p_data_fp32)
                    lr = self._get_lr(group, state)
                    beta2t = 1.0 - math.pow(state["step"], group["decay_rate"])
                    update = (grad**2) + group["eps"][0]
                    if factored:
                        exp_avg_sq_row = state["exp_avg_sq_row"]
                        exp_avg_sq_col = state["exp_avg_sq_col"]
                        exp_avg_sq_row.mul_(beta2t).add_(update.mean(dim=-1), alpha=(1.0 - beta2t))
                        exp_avg_sq_col.mul_(beta2t).add_(update.mean(dim=-2), alpha=(1.0 - beta2t))
                        update = self._approx_sq_grad(exp_avg_sq_row, exp_avg_sq_col)
                        update.mul_(grad)
                    else:
                        exp_avg_sq = state["exp_avg_sq"]
                        exp_avg_sq.mul_(beta2t).add_(update, alpha=(1.0 - beta2t))
                        update = exp_avg_sq.rsqrt().mul_(grad)
                    update.div_((self._rms(update) / group["clip_threshold"]).clamp_(min=1.0))
                    update.mul_(lr)
                    if use_first_moment:
                        exp_avg = state["exp_avg"]
                        exp_avg.mul_(group["beta1"]).add_(update, alpha=(1 - group["beta1"]))
                        update = exp_avg
                    if group["weight_decay"] != 0:
                        p_data_fp32.add_(p_data_fp32, alpha=(-group["weight_decay"] * lr))
                    p_data_fp32.add_(-update)
            return loss

    class ForeachAdamW(optim.Optimizer):
        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
            defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
            super().__init__(params, defaults)

        @torch.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                params = [p for p in group["params"] if p.grad is not None]
                grads = [p.grad for p in params]
                for p in params:
                    state = self.state[p]
                    if not state:
                        state["step"] = torch.tensor(0.0)
                        state["exp_avg"] = torch.zeros_like(p)
                        state["exp_avg_sq"] = torch.zeros_like(p)
                exp_avgs = [self.state[p]["exp_avg"] for p in params]
                exp_avg_sqs = [self.state[p]["exp_avg_sq"] for p in params]
                steps = [self.state[p]["step"] for p in params]
                beta1, beta2 = group["betas"]
                torch._foreach_add_(steps, 1)
                torch._foreach_mul_(params, 1 - group["lr"] * group["weight_decay"])
                torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
                torch._foreach_mul_(exp_avg_sqs, beta2)
                torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
                step = steps[0].item()
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = group["lr"] / bias_correction1
                denom = torch._foreach_sqrt(exp_avg_sqs)
                torch._foreach_div_(denom, math.sqrt(bias_correction2))
                torch._foreach_add_(denom, group["eps"])
                torch._foreach_addcdiv_(params, exp_avgs, denom, value=-step_size)
            return loss

    class SophiaH(optim.Optimizer):
        def __init__(self, params, lr=1e-4, betas=(0.965, 0.99), rho=0.04,
                     weight_decay=1e-1, eps=1e-12):
            defaults = dict(lr=lr, betas=betas, rho=rho, weight_decay=weight_decay, eps=eps)
            super().__init__(params, defaults)

        def update_hessian(self):
            """Hutchinson: diag(H) ~ u * (H u), u Rademacher; the grads hold a graph."""
            params = [p for g in self.param_groups for p in g["params"] if p.grad is not None]
            grads = [p.grad for p in params]
            v = [signs(p) for p in params]  # AdaHessian: torch.randint_like(p, high=2)
            for v_i in v:
                v_i[v_i == 0] = -1
            hvs = grad(grads, params, grad_outputs=v, only_inputs=True, retain_graph=False)
            with torch.no_grad():
                for group in self.param_groups:
                    beta2 = group["betas"][1]
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        state = self.state[p]
                        if "hessian" not in state:
                            state["hessian"] = torch.zeros_like(p)
                        i = next(j for j, q in enumerate(params) if q is p)
                        state["hessian"].mul_(beta2).addcmul_(v[i], hvs[i], value=1 - beta2)

        @torch.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                beta1, _ = group["betas"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if "exp_avg" not in state:
                        state["step"] = torch.zeros((1,), dtype=torch.float)
                        state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if "hessian" not in state:
                        state["hessian"] = torch.zeros_like(p)
                    state["step"] += 1
                    exp_avg, hess = state["exp_avg"], state["hessian"]
                    p.mul_(1 - group["lr"] * group["weight_decay"])
                    exp_avg.mul_(beta1).add_(p.grad, alpha=1 - beta1)
                    # the paper's Algorithm 3: clip(m / max(rho * h, eps), 1), elementwise
                    ratio = (exp_avg / torch.clamp(group["rho"] * hess, min=group["eps"])
                             ).clamp(-1, 1)
                    p.add_(ratio, alpha=-group["lr"])
            return loss

    return {"Adafactor": Adafactor, "ForeachAdamW": ForeachAdamW, "SophiaH": SophiaH}


SETTINGS = {"Adafactor": dict(beta1=0.9, weight_decay=1e-3),
            "Adafactor-lr": dict(lr=0.05, relative_step=False, scale_parameter=False),
            "ForeachAdamW": dict(lr=0.02),
            "SophiaH": dict(lr=0.02, rho=0.05, weight_decay=1e-3)}


def train(libs, model, name: str) -> list:
    """Eight full-batch steps (SophiaH refreshes its Hessian estimate every other step
    from a ``backward(create_graph=True)``), a state-dict round trip, four more steps."""
    torch, nn, F, optim = libs
    library_grad = torch.autograd.grad if hasattr(torch, "nn") else torch.grad
    X, y = task()
    X, y = torch.tensor(X), torch.tensor(y)
    draws = np.random.default_rng(11)

    def signs(p):
        return torch.tensor(draws.integers(0, 2, size=tuple(p.shape)).astype(float))

    opt_class = optimizers(torch, optim, library_grad, signs)[name.split("-")[0]]
    optimizer = opt_class(model.parameters(), **SETTINGS[name])
    records = []

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        return loss

    for step in range(12):
        if step == 8:
            saved = optimizer.state_dict()
            optimizer = opt_class(model.parameters(), **SETTINGS[name])
            optimizer.load_state_dict(saved)
        if name == "SophiaH" and step % 2 == 0:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X), y)
            loss.backward(create_graph=True)
            optimizer.update_hessian()
            optimizer.zero_grad(set_to_none=True)
        if name.startswith("Adafactor"):  # its step calls the closure under no_grad
            loss = closure()
            optimizer.step()
        else:
            loss = optimizer.step(closure)
        records.append(loss.item())
    records.extend(p.detach() for p in model.parameters())
    for p in model.parameters():
        state = optimizer.state[p]
        records.extend(state[k] for k in sorted(state))
    return records


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("name", list(SETTINGS))
def test_optimizer(torch, name):
    assert_records(*both(train, torch, name))
