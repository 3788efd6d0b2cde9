"""Glue of the graph and set ports (``test_pytorch_ports_graphs_*.py``): run a program
written once for a library ``torch`` with ours, then with PyTorch from our starting
weights, recording each optimizer step of both."""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from pytorch_examples_helpers import (Draws, assert_steps, record_dropout, record_steps,
                                      replay_dropout)


def run_both(program, torch, *args, **kwargs) -> tuple:
    """(our result, PyTorch's result, our steps, PyTorch's steps) of
    ``program(torch, nn, F, optim, glue, *args)``; ``glue(model, optimizer)`` is the
    test's line after the constructors: PyTorch's model loads our starting weights and
    both optimizers record their steps. PyTorch's run replays our random draws
    (``randn``, ``randint``...: ``Draws``, seeded) and keeps what our ``Dropout`` modules
    kept."""
    states, ours_steps, theirs_steps, draws, masks = [], [], [], [], []
    ag.manual_seed(0)  # our draws (replayed by PyTorch) the same on every run

    def ours_glue(*models_and_optimizer):
        *models, optimizer = models_and_optimizer
        states.append([{k: v.numpy().copy() for k, v in m.state_dict().items()}
                       for m in models])
        for model in models:
            record_dropout(model, masks)
        record_steps(optimizer, ours_steps)

    def theirs_glue(*models_and_optimizer):
        *models, optimizer = models_and_optimizer
        for model, state in zip(models, states.pop(0)):
            model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
            replay_dropout(torch, model, masks)
        record_steps(optimizer, theirs_steps)

    ours = program(Draws(ag, draws=draws), nn, nn_F, nn.optim, ours_glue, *args, **kwargs)
    theirs = program(Draws(torch, replay=draws), torch.nn, torch.nn.functional, torch.optim,
                     theirs_glue, *args, **kwargs)
    return ours, theirs, ours_steps, theirs_steps


def assert_same_run(torch, program, *args, rtol=1e-10, atol=1e-11, param_atol=1e-8,
                    **kwargs) -> list:
    """Run ``program`` in both libraries (``run_both``) and assert that what it returns
    (losses, numbers, arrays) and every step's gradients and parameters agree; our
    result is returned. The parameters agree to ``param_atol``: a parameter whose gradient
    is 0 but for rounding (a key's bias under a softmax, a bias before a batch norm: both
    cancel) is moved by Adam by lr * g / eps, which shows its rounding (g ~ 1e-15) at
    1e-10."""
    ours, theirs, ours_steps, theirs_steps = run_both(program, torch, *args, **kwargs)
    assert_steps(ours_steps[0::2], theirs_steps[0::2], rtol=rtol, atol=atol)  # gradients
    assert_steps(ours_steps[1::2], theirs_steps[1::2], rtol=rtol, atol=param_atol)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        a, b = (x.detach().numpy() if hasattr(x, "detach") else x for x in (a, b))
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol,
                                   atol=atol, err_msg=f"result {i}")
    return ours
