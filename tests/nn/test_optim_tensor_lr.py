"""``lr`` given as a 0-d tensor, as PyTorch accepts it: its value is used."""
import numpy as np
import pytest

import autograd
import nn.optim
from nn.errors import ArgumentTypeError, ConfigError

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam",
         "Adadelta", "Rprop"]


def steps(opt, p, grads, tensor):
    for g in grads:
        p.grad = tensor(g)
        opt.step()


@pytest.mark.parametrize("name", NAMES)
def test_tensor_lr_matches_torch(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start, grads = rng.normal(size=3), [rng.normal(size=3) for _ in range(4)]
    p = autograd.Tensor(start.copy(), requires_grad=True)
    opt = getattr(nn.optim, name)([p], lr=autograd.Tensor(np.float64(0.05)))
    steps(opt, p, grads, autograd.Tensor)
    tp = torch.nn.Parameter(torch.tensor(start))
    topt = getattr(torch.optim, name)([tp], lr=torch.tensor(0.05, dtype=torch.float64))
    steps(topt, tp, grads, torch.tensor)
    np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-7, atol=1e-12)
    assert opt.param_groups[0]["lr"] == 0.05 and type(opt.param_groups[0]["lr"]) is float


def test_tensor_lr_in_a_group_and_with_a_scheduler():
    p, q = (autograd.Tensor(np.ones(2), requires_grad=True) for _ in range(2))
    opt = nn.optim.SGD([{"params": [p]}, {"params": [q], "lr": autograd.Tensor(0.5)}],
                       lr=autograd.Tensor(0.1))
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    sched = nn.optim.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [0.05, 0.25]


def test_a_tensor_lr_of_another_shape_is_a_named_error():
    p = autograd.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ConfigError, match=r"must be 0-d.*shape \(1,\)"):
        nn.optim.Adam([p], lr=autograd.Tensor(np.array([0.1])))
    with pytest.raises(ArgumentTypeError, match="real number.*bool"):
        nn.optim.SGD([p], lr=autograd.Tensor(np.array(True)))
    with pytest.raises(ConfigError, match="lr"):
        nn.optim.SGD([p], lr=autograd.Tensor(-0.1))  # checked as a float lr is
