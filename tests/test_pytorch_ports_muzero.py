"""MuZero's training step (werner-duvaud/muzero-general ``Trainer.update_weights``; program
in ``muzero_program.py``) step for step next to PyTorch from the same weights (float64):
targets to categorical supports, initial inference, the K-step unroll through the learned
dynamics with ``hidden_state.register_hook(lambda grad: grad * 0.5)``, cross-entropy losses
(``-target * nn.LogSoftmax(dim=1)(logits)``) whose gradients hooks divide by the gradient
scale, the PER importance weights, priorities from ``support_to_scalar``; then Adam with
weight decay. Losses, priorities, gradients and parameters agree to 1e-10; the weights
travel through ``get_weights``/``set_weights`` (``DataParallel``'s ``module.`` keys).

Lines written differently here, and why:
- ``.float()`` is ``.double()`` (the original runs in float32; this comparison in float64,
  where ``.float()`` would cast to float32);
- ``initial_inference``'s ``.repeat(len(observation), 1)`` of a (1, 21) tensor is
  ``.tile(...)``: ours refuses the ambiguous spelling (NumPy reads repeat(4, axis=1));
- ours warns (NumPy's ``invalid value encountered in multiply``) where the discarded first
  reward loss computes 0 * -inf from ``log`` of the one-hot reward; PyTorch is silent."""

import numpy
import numpy as np
import pytest

import autograd as ag
import nn
from muzero_program import (batch, loss_function, muzero_network, scalar_to_support,
                            support_to_scalar)
from world_models_helpers import assert_records

# the first reward loss's 0 * -inf (see above): NumPy warns, PyTorch does not
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in multiply")

SUPPORT, UNROLL = 10, 3


def as_torch(T):
    """Our library spelt as ``torch`` (``torch.nn``, ``torch.optim``), as the program uses it."""
    if T is not ag:
        return T

    class Torch:
        def __getattr__(self, name):
            return getattr(ag, name)
    torch = Torch()
    torch.nn, torch.optim = nn, nn.optim
    return torch


def network(torch):
    return muzero_network(torch)(
        (1, 1, 4), 0, 2, 8, [16], [16], [16], [16], [16], SUPPORT)


def update_weights(torch, model, optimizer, data, record: list):
    (observation_batch, action_batch, target_value, target_reward, target_policy,
     weight_batch, gradient_scale_batch) = (
        data[k] for k in ("observation_batch", "action_batch", "target_value",
                          "target_reward", "target_policy", "weight_batch",
                          "gradient_scale_batch"))
    target_value_scalar = numpy.array(target_value, dtype="float64")  # float32 originally
    priorities = numpy.zeros_like(target_value_scalar)

    device = next(model.parameters()).device
    weight_batch = torch.tensor(weight_batch.copy()).double().to(device)
    observation_batch = (
        torch.tensor(numpy.array(observation_batch)).double().to(device)
    )
    action_batch = torch.tensor(action_batch).long().to(device).unsqueeze(-1)
    target_value = torch.tensor(target_value).double().to(device)
    target_reward = torch.tensor(target_reward).double().to(device)
    target_policy = torch.tensor(target_policy).double().to(device)
    gradient_scale_batch = torch.tensor(gradient_scale_batch).double().to(device)

    target_value = scalar_to_support(torch, target_value, SUPPORT)
    target_reward = scalar_to_support(torch, target_reward, SUPPORT)

    ## Generate predictions
    value, reward, policy_logits, hidden_state = model.initial_inference(
        observation_batch
    )
    predictions = [(value, reward, policy_logits)]
    for i in range(1, action_batch.shape[1]):
        value, reward, policy_logits, hidden_state = model.recurrent_inference(
            hidden_state, action_batch[:, i]
        )
        # Scale the gradient at the start of the dynamics function (See paper appendix Training)
        hidden_state.register_hook(lambda grad: grad * 0.5)
        predictions.append((value, reward, policy_logits))

    ## Compute losses
    value_loss, reward_loss, policy_loss = (0, 0, 0)
    value, reward, policy_logits = predictions[0]
    # Ignore reward loss for the first batch step
    current_value_loss, _, current_policy_loss = loss_function(
        torch,
        value.squeeze(-1),
        reward.squeeze(-1),
        policy_logits,
        target_value[:, 0],
        target_reward[:, 0],
        target_policy[:, 0],
    )
    value_loss += current_value_loss
    policy_loss += current_policy_loss
    # Compute priorities for the prioritized replay (See paper appendix Training)
    pred_value_scalar = (
        support_to_scalar(torch, value, SUPPORT).detach().cpu().numpy().squeeze()
    )
    priorities[:, 0] = (
        numpy.abs(pred_value_scalar - target_value_scalar[:, 0]) ** 1.0
    )

    for i in range(1, len(predictions)):
        value, reward, policy_logits = predictions[i]
        (
            current_value_loss,
            current_reward_loss,
            current_policy_loss,
        ) = loss_function(
            torch,
            value.squeeze(-1),
            reward.squeeze(-1),
            policy_logits,
            target_value[:, i],
            target_reward[:, i],
            target_policy[:, i],
        )

        # Scale gradient by the number of unroll steps (See paper appendix Training)
        current_value_loss.register_hook(
            lambda grad: grad / gradient_scale_batch[:, i]
        )
        current_reward_loss.register_hook(
            lambda grad: grad / gradient_scale_batch[:, i]
        )
        current_policy_loss.register_hook(
            lambda grad: grad / gradient_scale_batch[:, i]
        )

        value_loss += current_value_loss
        reward_loss += current_reward_loss
        policy_loss += current_policy_loss

        pred_value_scalar = (
            support_to_scalar(torch, value, SUPPORT).detach().cpu().numpy().squeeze()
        )
        priorities[:, i] = (
            numpy.abs(pred_value_scalar - target_value_scalar[:, i]) ** 1.0
        )

    # Scale the value loss, paper recommends by 0.25 (See paper appendix Reanalyze)
    loss = value_loss * 0.25 + reward_loss + policy_loss
    # Correct PER bias by using importance-sampling (IS) correction
    loss *= weight_batch
    # Mean over batch dimension (pseudocode do a sum)
    loss = loss.mean()

    # Optimize
    optimizer.zero_grad()
    loss.backward()
    record.append([np.asarray(loss.item()), priorities.copy()]
                  + [p.grad.numpy().copy() for p in model.parameters()])
    optimizer.step()
    record.append([p.detach().numpy().copy() for p in model.parameters()])


def train(torch, weights, steps: int = 3) -> list:
    model = network(torch)
    model.set_weights(weights)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    record = []
    for step in range(steps):
        update_weights(torch, model, optimizer, batch(step), record)
    return record


def test_muzero_update_weights(torch):
    torch.manual_seed(0)
    weights = network(torch).get_weights()
    assert any(k.startswith("representation_network.module.") for k in weights)
    want = train(torch, weights)
    got = train(as_torch(ag), {k: ag.tensor(v.numpy()) for k, v in weights.items()})
    assert_records(got, want)


def test_support_round_trip(torch):
    """scalar -> support (two scatter_) -> logits -> scalar returns the scalar."""
    x = np.random.default_rng(1).standard_normal((5, 3)) * [[1, 10, 50]]
    for T in (as_torch(ag), torch):
        support = scalar_to_support(T, T.tensor(x), SUPPORT)
        assert np.allclose(support.sum(-1).numpy(), 1)
        logits = T.log(support.view(-1, 2 * SUPPORT + 1))
        back = support_to_scalar(T, logits, SUPPORT).view(5, 3).numpy()
        np.testing.assert_allclose(back, x, rtol=1e-9)
