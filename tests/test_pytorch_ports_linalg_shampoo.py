"""torch_optimizer's ``Shampoo`` (jettify/pytorch-optimizer, after Gupta, Koren and
Singer 2018), as its readers copy it: a ``torch.optim.Optimizer`` subclass that keeps
one preconditioner per axis of each gradient (``epsilon * torch.eye(dim,
out=grad.new(dim, dim))``), folds the gradient into each axis in turn
(``transpose_``, ``view``), and inverts the preconditioners' (1/order)-th roots by the
older ``u, s, v = torch.svd(matrix)``; trained on a small convolutional net (4-d
weights: four preconditioners) with momentum and weight decay. Written once for a
library ``T``, run step for step next to PyTorch in float64: losses and parameters agree
to about 1e-9.

Lines written differently here: ``grad = p.grad.data`` is ``grad = p.grad.detach()``
and ``p.data.add_(grad, alpha=-lr)`` is ``p.add_(grad, alpha=-lr)`` under
``no_grad()``: ``.data`` is the NumPy array itself in this library (by design), and
the two spellings are what ``.data`` means in PyTorch (an untracked view of the same
memory).
"""

import numpy as np
import pytest

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    return (ag, nn, nn.optim) if torch is None else (torch, torch.nn, torch.optim)


def make_shampoo(T, optim):
    def _matrix_power(matrix, power: float):
        # use CPU for svd for speed up
        device = matrix.device
        matrix = matrix.cpu()
        u, s, v = T.svd(matrix)
        return (u @ s.pow_(power).diag() @ v.t()).to(device)

    class Shampoo(optim.Optimizer):
        def __init__(self, params, lr=1e-1, momentum=0.0, weight_decay=0.0, epsilon=1e-4,
                     update_freq=1):
            if lr <= 0.0:
                raise ValueError("Invalid learning rate: {}".format(lr))
            defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay,
                            epsilon=epsilon, update_freq=update_freq)
            super(Shampoo, self).__init__(params, defaults)

        def step(self, closure=None):
            loss = None
            if closure is not None:
                loss = closure()

            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad.detach()  # PyTorch: p.grad.data
                    order = grad.ndimension()
                    original_size = grad.size()
                    state = self.state[p]
                    momentum = group["momentum"]
                    weight_decay = group["weight_decay"]
                    if len(state) == 0:
                        state["step"] = 0
                        if momentum > 0:
                            state["momentum_buffer"] = grad.clone()
                        for dim_id, dim in enumerate(grad.size()):
                            # precondition matrices
                            state["precond_{}".format(dim_id)] = group[
                                "epsilon"] * T.eye(dim, out=grad.new(dim, dim))
                            state["inv_precond_{dim_id}".format(dim_id=dim_id)] = grad.new(
                                dim, dim).zero_()

                    if momentum > 0:
                        grad.mul_(1 - momentum).add_(state["momentum_buffer"], alpha=momentum)

                    if weight_decay > 0:
                        grad.add_(p.detach(), alpha=group["weight_decay"])  # p.data

                    # See Algorithm 2 for detail
                    for dim_id, dim in enumerate(grad.size()):
                        precond = state["precond_{}".format(dim_id)]
                        inv_precond = state["inv_precond_{}".format(dim_id)]

                        # mat_{dim_id}(grad)
                        grad = grad.transpose_(0, dim_id).contiguous()
                        transposed_size = grad.size()
                        grad = grad.view(dim, -1)

                        grad_t = grad.t()
                        precond.add_(grad @ grad_t)
                        if state["step"] % group["update_freq"] == 0:
                            inv_precond.copy_(_matrix_power(precond, -1 / order))

                        if dim_id == order - 1:
                            # finally
                            grad = grad_t @ inv_precond
                            # grad: (-1, last_dim)
                            grad = grad.view(original_size)
                        else:
                            # if not final
                            grad = inv_precond @ grad
                            # grad (dim, -1)
                            grad = grad.view(transposed_size)

                    state["step"] += 1
                    state["momentum_buffer"] = grad
                    with T.no_grad():  # PyTorch: p.data.add_(grad, alpha=-group["lr"])
                        p.add_(grad, alpha=-group["lr"])

            return loss

    return Shampoo


def train(T, lib, optim, momentum: float, weight_decay: float, steps: int = 4) -> dict:
    rng = np.random.default_rng(0)
    x = T.tensor(rng.standard_normal((8, 2, 6, 6)))
    y = T.tensor(rng.integers(0, 3, 8))
    model = lib.Sequential(lib.Conv2d(2, 3, 3), lib.Tanh(), lib.Flatten(), lib.Linear(48, 3))
    with T.no_grad():
        for p in model.parameters():
            p.copy_(T.tensor(rng.standard_normal(tuple(p.shape)) * 0.3))
    opt = make_shampoo(T, optim)(model.parameters(), lr=0.05, momentum=momentum,
                                 weight_decay=weight_decay)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"losses": losses, "params": [np.array(p.detach().numpy())
                                         for p in model.parameters()]}


@pytest.mark.parametrize("momentum,weight_decay", [(0.0, 0.0), (0.5, 1e-2)])
def test_torch_optimizer_shampoo_matches_torch(torch, momentum, weight_decay) -> None:
    ours = train(*libraries(), momentum, weight_decay)
    theirs = train(*libraries(torch), momentum, weight_decay)
    assert theirs["losses"][-1] < theirs["losses"][0]
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-9)
    for got, want in zip(ours["params"], theirs["params"]):
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)
