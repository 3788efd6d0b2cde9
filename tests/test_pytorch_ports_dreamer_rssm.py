"""DreamerV2's world model (RajGhugare19/dreamerv2, program in ``dreamer_program.py``)
trained step for step next to PyTorch from the same weights (float64), with both of its
RSSMs: the continuous one (a Normal stochastic state, as PlaNet and DreamerV1) and the
discrete one (32 one-hot categoricals with the straight-through gradient), each with KL
balancing and free nats, and the plain KL too: ``Trainer.representation_loss`` (obs,
reward and discount log-likelihoods of ``td.Independent`` decoders, the KL of
``kl_divergence(Independent(OneHotCategoricalStraightThrough), ...)``), then
``clip_grad_norm_`` over ``get_parameters(world_list)`` and Adam. Losses, gradients and
parameters agree to 1e-10.

Lines written differently here, and why:
- ``torch.tensor(obs, dtype=torch.float32)`` becomes float64, so both runs agree to 1e-10;
- ``pcont_target = nonterms.float()`` drops ``.float()``: in float32 it is a no-op; in this
  float64 comparison it would cast the target to float32, and PyTorch's BCE with logits
  (behind ``Bernoulli.log_prob``) then returns float32 (the target's dtype), ours float64
  (the promotion of ``+``);
- the draws (``dist.sample()``, ``torch.randn_like``) are still made, PyTorch's replayed in
  ours (``world_models_helpers.Replay``): the generators differ.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from dreamer_program import dreamer_modules, kl_loss
from world_models_helpers import Replay, assert_records, copy_weights

OBS, ACTION, EMBED, DETER, NODE, SEQ, BATCH = 6, 2, 8, 10, 12, 4, 3
INFOS = {"continuous": {'deter_size': DETER, 'stoch_size': 5, 'min_std': 0.1},
         "discrete": {'deter_size': DETER, 'class_size': 3, 'category_size': 4}}


def get_parameters(modules):
    """Given a list of torch modules, returns a list of their parameters."""
    model_parameters = []
    for module in modules:
        model_parameters += list(module.parameters())
    return model_parameters


def world_model(torch, nn_, replay, rssm_type):
    RSSM, DenseModel = dreamer_modules(torch, nn_, replay)
    rssm = RSSM(ACTION, NODE, EMBED, "cpu", rssm_type, INFOS[rssm_type])
    modelstate = DETER + rssm.stoch_size
    dense = {'layers': 2, 'node_size': NODE, 'activation': nn_.ELU}
    return dict(
        ObsEncoder=DenseModel((EMBED,), OBS, {**dense, 'dist': None}),
        RSSM=rssm,
        RewardDecoder=DenseModel((1,), modelstate, {**dense, 'dist': 'normal'}),
        ObsDecoder=DenseModel((OBS,), modelstate, {**dense, 'dist': 'normal'}),
        DiscountModel=DenseModel((1,), modelstate, {**dense, 'dist': 'binary'}))


def buffer(seed: int = 0):
    """A sampled batch: obs (pixels of scikit-learn digits), actions, rewards, terms."""
    from sklearn.datasets import load_digits
    rng = np.random.default_rng(seed)
    obs = load_digits().data[rng.integers(0, 1797, (SEQ, BATCH)), 26:26 + OBS] / 16
    actions = np.eye(ACTION)[rng.integers(0, ACTION, (SEQ, BATCH))]
    rewards = rng.standard_normal((SEQ, BATCH, 1))
    terms = (rng.uniform(size=(SEQ, BATCH)) < 0.15).astype(np.float64)
    return obs, actions, rewards, terms


def representation_loss(torch, models, kl_info, obs, actions, rewards, nonterms,
                        keep_posterior: bool = False):
    RSSM = models["RSSM"]
    embed = models["ObsEncoder"](obs)
    prev_rssm_state = RSSM._init_rssm_state(BATCH)
    prior, posterior = RSSM.rollout_observation(SEQ, embed, actions, nonterms, prev_rssm_state)
    post_modelstate = RSSM.get_model_state(posterior)
    obs_dist = models["ObsDecoder"](post_modelstate[:-1])
    reward_dist = models["RewardDecoder"](post_modelstate[:-1])
    pcont_dist = models["DiscountModel"](post_modelstate[:-1])

    obs_loss = -torch.mean(obs_dist.log_prob(obs[:-1]))
    reward_loss = -torch.mean(reward_dist.log_prob(rewards[1:]))
    pcont_target = nonterms[1:]  # .float(): a no-op in the float32 original (see above)
    pcont_loss = -torch.mean(pcont_dist.log_prob(pcont_target))
    prior_dist, post_dist, div = kl_loss(torch, RSSM, kl_info, prior, posterior)
    model_loss = 1.0 * div + reward_loss + obs_loss + 1.0 * pcont_loss
    if keep_posterior:  # the actor-critic port's step goes on from the posteriors
        return model_loss, div, obs_loss, reward_loss, pcont_loss, posterior
    return model_loss, div, obs_loss, reward_loss, pcont_loss


def train(torch, nn_, optim, models, kl_info, steps: int = 3) -> list:
    world_list = list(models.values())
    model_optimizer = optim.Adam(get_parameters(world_list), 2e-3)
    obs, actions, rewards, terms = buffer()
    record = []
    for _ in range(steps):
        obs_t = torch.tensor(obs, dtype=torch.float64)
        actions_t = torch.tensor(actions, dtype=torch.float64)
        rewards_t = torch.tensor(rewards, dtype=torch.float64)
        nonterms = torch.tensor(1 - terms, dtype=torch.float64).unsqueeze(-1)
        losses = representation_loss(torch, models, kl_info, obs_t, actions_t, rewards_t,
                                     nonterms)
        model_optimizer.zero_grad()
        losses[0].backward()
        grad_norm_model = nn_.utils.clip_grad_norm_(get_parameters(world_list), 1.0)
        record.append([np.asarray(x.item()) for x in losses + (grad_norm_model,)]
                      + [p.grad.numpy().copy() for p in get_parameters(world_list)])
        model_optimizer.step()
    record.append([p.detach().numpy().copy() for p in get_parameters(world_list)])
    return record


@pytest.mark.parametrize("rssm_type", ["continuous", "discrete"])
@pytest.mark.parametrize("balance", [True, False])
def test_representation_learning(torch, rssm_type, balance):
    kl_info = {'use_kl_balance': balance, 'kl_balance_scale': 0.8, 'use_free_nats': True,
               'free_nats': 0.0 if balance else 0.05}
    torch.manual_seed(0)
    replay = Replay()
    theirs = world_model(torch, torch.nn, replay, rssm_type)
    ours = world_model(ag, nn, replay, rssm_type)
    for name in theirs:
        copy_weights(ours[name], theirs[name])
    want = train(torch, torch.nn, torch.optim, theirs, kl_info)
    assert_records(train(ag, nn, nn.optim, ours, kl_info), want)
