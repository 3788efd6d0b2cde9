"""DreamerV2's behaviour learning (RajGhugare19/dreamerv2 ``Trainer.train_batch``; program
in ``dreamer_actor_critic_program.py``) step for step next to PyTorch from the same weights
(float64), after the representation step of ``test_pytorch_ports_dreamer_rssm.py``: the
posteriors detached and batched (``seq_to_batch``), a 4-step imagination with the one-hot
actor under ``FreezeParameters`` (REINFORCE and dynamics-backprop objectives), reward,
target value and discount read from the frozen decoders, lambda returns, the value model's
loss, both ``backward()`` calls, ``clip_grad_norm_`` and Adam, and the target network's
``load_state_dict``. Losses, gradients (the frozen world model's untouched) and parameters
agree to 1e-10.

Lines written differently here, and why: as in ``test_pytorch_ports_dreamer_rssm.py``
(float64 data, PyTorch's draws replayed in ours)."""

import numpy as np
import pytest

import autograd as ag
import nn
from dreamer_actor_critic_program import (FreezeParameters, actor_module, compute_return,
                                          get_parameters, rollout_imagination, seq_to_batch)
from dreamer_program import RSSMDiscState
from test_pytorch_ports_dreamer_rssm import (ACTION, BATCH, DETER, NODE, SEQ, buffer,
                                             representation_loss, world_model)
from world_models_helpers import Replay, assert_records, copy_weights

HORIZON, LAMBDA, DISCOUNT, ENTROPY_SCALE = 4, 0.95, 0.99, 1e-3
KL_INFO = {'use_kl_balance': True, 'kl_balance_scale': 0.8, 'use_free_nats': False,
           'free_nats': 0.0}


def build(torch, nn_, replay):
    models = world_model(torch, nn_, replay, "discrete")
    stoch = models["RSSM"].stoch_size
    DenseModel = type(models["RewardDecoder"])
    dense = {'layers': 2, 'node_size': NODE, 'activation': nn_.ELU, 'dist': 'normal'}
    models["ValueModel"] = DenseModel((1,), DETER + stoch, dense)
    models["TargetValueModel"] = DenseModel((1,), DETER + stoch, dense)
    models["ActionModel"] = actor_module(torch, nn_, replay)(
        ACTION, DETER, stoch, 8, {'layers': 2, 'node_size': NODE, 'activation': nn_.ELU,
                                  'dist': 'one_hot'},
        {'train_noise': 0.4, 'eval_noise': 0.0, 'expl_min': 0.05, 'expl_decay': 7000.0,
         'expl_type': 'epsilon_greedy'})
    return models


def actor_loss_fn(torch, actor_grad, imag_reward, imag_value, discount_arr, imag_log_prob,
                  policy_entropy):
    lambda_returns = compute_return(torch, imag_reward[:-1], imag_value[:-1],
                                    discount_arr[:-1], bootstrap=imag_value[-1],
                                    lambda_=LAMBDA)
    if actor_grad == 'reinforce':
        advantage = (lambda_returns - imag_value[:-1]).detach()
        objective = imag_log_prob[1:].unsqueeze(-1) * advantage
    elif actor_grad == 'dynamics':
        objective = lambda_returns
    discount_arr = torch.cat([torch.ones_like(discount_arr[:1]), discount_arr[1:]])
    discount = torch.cumprod(discount_arr[:-1], 0)
    policy_entropy = policy_entropy[1:].unsqueeze(-1)
    actor_loss = -torch.sum(torch.mean(
        discount * (objective + ENTROPY_SCALE * policy_entropy), dim=1))
    return actor_loss, discount, lambda_returns


def actorcritic_loss(torch, models, actor_grad, posterior):
    RSSM = models["RSSM"]
    world_list = [models[k] for k in ("ObsEncoder", "RSSM", "RewardDecoder", "ObsDecoder",
                                      "DiscountModel")]
    with torch.no_grad():
        batched_posterior = RSSM.rssm_detach(RSSMDiscState(
            *(seq_to_batch(torch, x[:SEQ - 1], BATCH, SEQ - 1) for x in posterior)))

    with FreezeParameters(world_list):
        imag_rssm_states, imag_log_prob, policy_entropy = rollout_imagination(
            torch, RSSM, HORIZON, models["ActionModel"], batched_posterior)

    imag_modelstates = RSSM.get_model_state(imag_rssm_states)
    with FreezeParameters(world_list + [models["ValueModel"], models["TargetValueModel"],
                                        models["DiscountModel"]]):
        imag_reward_dist = models["RewardDecoder"](imag_modelstates)
        imag_reward = imag_reward_dist.mean
        imag_value_dist = models["TargetValueModel"](imag_modelstates)
        imag_value = imag_value_dist.mean
        discount_dist = models["DiscountModel"](imag_modelstates)
        discount_arr = DISCOUNT * torch.round(discount_dist.base_dist.probs)

    actor_loss, discount, lambda_returns = actor_loss_fn(
        torch, actor_grad, imag_reward, imag_value, discount_arr, imag_log_prob,
        policy_entropy)

    with torch.no_grad():
        value_modelstates = imag_modelstates[:-1].detach()
        value_discount = discount.detach()
        value_target = lambda_returns.detach()
    value_dist = models["ValueModel"](value_modelstates)
    value_loss = -torch.mean(value_discount * value_dist.log_prob(value_target).unsqueeze(-1))
    return actor_loss, value_loss


def train(torch, nn_, optim, models, actor_grad, steps: int = 2) -> list:
    world_list = [models[k] for k in ("ObsEncoder", "RSSM", "RewardDecoder", "ObsDecoder",
                                      "DiscountModel")]
    actor_list, value_list = [models["ActionModel"]], [models["ValueModel"]]
    model_optimizer = optim.Adam(get_parameters(world_list), 2e-3)
    actor_optimizer = optim.Adam(get_parameters(actor_list), 4e-4)
    value_optimizer = optim.Adam(get_parameters(value_list), 1e-3)
    obs, actions, rewards, terms = (torch.tensor(x) for x in buffer())
    nonterms = (1 - terms).unsqueeze(-1)
    record = []
    for _ in range(steps):
        model_loss, *_, posterior = representation_loss(
            torch, models, KL_INFO, obs, actions, rewards, nonterms, keep_posterior=True)
        model_optimizer.zero_grad()
        model_loss.backward()
        nn_.utils.clip_grad_norm_(get_parameters(world_list), 100.0)
        model_optimizer.step()

        actor_loss, value_loss = actorcritic_loss(torch, models, actor_grad, posterior)
        actor_optimizer.zero_grad()
        value_optimizer.zero_grad()
        model_optimizer.zero_grad()
        actor_loss.backward()
        value_loss.backward()
        assert all(p.grad is None or not p.grad.any() for p in get_parameters(world_list))
        grad_norm_actor = nn_.utils.clip_grad_norm_(get_parameters(actor_list), 100.0)
        grad_norm_value = nn_.utils.clip_grad_norm_(get_parameters(value_list), 100.0)
        record.append([np.asarray(x.item()) for x in (actor_loss, value_loss,
                                                      grad_norm_actor, grad_norm_value)]
                      + [p.grad.numpy().copy() for p in get_parameters(actor_list + value_list)])
        actor_optimizer.step()
        value_optimizer.step()
        models["TargetValueModel"].load_state_dict(models["ValueModel"].state_dict())
    record.append([p.detach().numpy().copy() for p in
                   get_parameters(world_list + actor_list + value_list)])
    return record


@pytest.mark.parametrize("actor_grad", ["reinforce", "dynamics"])
def test_actor_critic_in_imagination(torch, actor_grad):
    torch.manual_seed(0)
    replay = Replay()
    theirs, ours = build(torch, torch.nn, replay), build(ag, nn, replay)
    for name in theirs:
        copy_weights(ours[name], theirs[name])
    want = train(torch, torch.nn, torch.optim, theirs, actor_grad)
    assert_records(train(ag, nn, nn.optim, ours, actor_grad), want)
