"""``nn.optim.SparseAdam``: PyTorch's lazy Adam for ``Embedding(..., sparse=True)``. Only
the rows a step's gradient touches (the looked-up rows) move, and only their moments
decay; the step count is the parameter's. Compared step for step with PyTorch's, whose
gradients are sparse where ours are dense with zero rows."""
import numpy as np
import pytest

import autograd
import nn
from nn.errors import ConfigError


def train(library, optim_cls, batches, start, **kwargs):
    """Steps of ``sum((E(idx) * target))`` with an ``Embedding(sparse=True)``; the weights
    after each step."""
    emb = library.nn.Embedding(start.shape[0], start.shape[1], sparse=True)
    emb.load_state_dict({"weight": library.tensor(start)})
    optimizer = optim_cls(list(emb.parameters()), **kwargs)
    weights = []
    for idx, target in batches:
        optimizer.zero_grad()
        loss = (emb(library.tensor(idx)) * library.tensor(target)).sum()
        loss.backward()
        optimizer.step()
        weights.append(emb.weight.detach().numpy().copy())
    return weights


def problem(rows=7, dim=3, steps=5, seed=0):
    rng = np.random.default_rng(seed)
    start = rng.normal(size=(rows, dim))
    batches = [(rng.integers(0, rows // 2 if s % 2 else rows, size=(4, 2)),
                rng.normal(size=(4, 2, dim))) for s in range(steps)]
    return start, batches


@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.1, "betas": (0.8, 0.9), "eps": 1e-6},
                                    {"lr": 0.05, "maximize": True}])
def test_sparse_adam_moves_the_looked_up_rows_as_torch(torch, kwargs):
    start, batches = problem()
    ours = train(autograd_namespace(), nn.optim.SparseAdam, batches, start, **kwargs)
    theirs = train(torch, torch.optim.SparseAdam, batches, start, **kwargs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step}")
    untouched = sorted(set(range(7)) - {int(i) for idx, _ in batches for i in idx.ravel()})
    for row in untouched:
        np.testing.assert_array_equal(ours[-1][row], start[row])


def test_sparse_adam_state_is_torch_s():
    start, batches = problem()
    emb = nn.Embedding(7, 3, sparse=True)
    optimizer = nn.optim.SparseAdam(emb.parameters())
    emb(autograd.tensor([1, 2])).sum().backward()
    optimizer.step()
    state = optimizer.state_dict()["state"][0]
    assert sorted(state) == ["exp_avg", "exp_avg_sq", "step"] and state["step"] == 1
    assert not np.asarray(state["exp_avg"])[[0, 3, 4, 5, 6]].any()
    assert optimizer.defaults == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                  "maximize": False}


@pytest.mark.parametrize("kwargs, match", [({"lr": 0.0}, "lr"), ({"eps": 0.0}, "eps"),
                                           ({"betas": (1.0, 0.9)}, "betas")])
def test_sparse_adam_refuses_what_torch_refuses(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        nn.optim.SparseAdam([autograd.zeros(3, requires_grad=True)], **kwargs)


def autograd_namespace():
    """``autograd`` with ``nn`` beside it, as ``torch`` has ``torch.nn``."""
    class Namespace:
        tensor = staticmethod(autograd.tensor)
    Namespace.nn = nn
    return Namespace
