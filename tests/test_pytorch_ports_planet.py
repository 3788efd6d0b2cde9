"""PlaNet (Kaixhin/PlaNet; program in ``planet_program.py``) step for step next to PyTorch
from the same weights (float64): ``main.py``'s model fitting (the transition model over a
chunk with posteriors from the encoded observations, ``bottle``-d observation and reward
losses, ``torch.max(kl_divergence(Normal, Normal).sum(dim=2), free_nats)`` plus the global
prior's KL, ``clip_grad_norm_(..., norm_type=2)``, Adam with ``eps``, the learning rate
warmed up through ``param_groups``), then the CEM planner's action from the last belief
(no gradient). Losses, gradients, parameters and the planned actions agree to 1e-10.

Lines written differently here, and why: the modules subclass ``nn.Module``, not
``jit.ScriptModule`` (no compiler here); the noise (``torch.randn_like``, ``torch.randn``)
is drawn, its values replaced by one NumPy generator's in both runs."""

import numpy as np

import autograd as ag
import nn
from planet_program import bottle, planet_modules
from world_models_helpers import Noise, assert_records, copy_weights

OBS, ACTION, BELIEF, STATE, HIDDEN, EMBED, CHUNK, BATCH = 5, 2, 8, 4, 8, 6, 4, 3
FREE_NATS, GLOBAL_KL_BETA, LR, LR_SCHEDULE = 0.5, 0.1, 1e-3, 2


def build(torch, nn_, noise):
    Transition, Observation, Reward, Encoder, Planner = planet_modules(torch, nn_, noise)
    return dict(transition_model=Transition(BELIEF, STATE, ACTION, HIDDEN, EMBED),
                observation_model=Observation(OBS, BELIEF, STATE, EMBED),
                reward_model=Reward(BELIEF, STATE, HIDDEN),
                encoder=Encoder(OBS, EMBED)), Planner


def experience(seed: int = 0):
    """``D.sample(batch_size, chunk_size)``: observations (digit pixels), actions, rewards
    and nonterminals, time first."""
    from sklearn.datasets import load_digits
    rng = np.random.default_rng(seed)
    observations = load_digits().data[rng.integers(0, 1797, (CHUNK, BATCH)), 27:27 + OBS] / 16
    actions = rng.uniform(-1, 1, (CHUNK, BATCH, ACTION))
    rewards = rng.standard_normal((CHUNK, BATCH))
    nonterminals = (rng.uniform(size=(CHUNK, BATCH, 1)) > 0.1).astype(np.float64)
    return observations, actions, rewards, nonterminals


def fit_and_plan(torch, nn_, optim, models, Planner, steps: int = 3) -> list:
    Normal, kl_divergence = torch.distributions.Normal, torch.distributions.kl_divergence
    F = nn_.functional
    transition_model, observation_model = models["transition_model"], models["observation_model"]
    reward_model, encoder = models["reward_model"], models["encoder"]
    param_list = (list(transition_model.parameters()) + list(observation_model.parameters())
                  + list(reward_model.parameters()) + list(encoder.parameters()))
    optimiser = optim.Adam(param_list, lr=0 if LR_SCHEDULE != 0 else LR, eps=1e-4)
    free_nats = torch.full((1, ), FREE_NATS)
    global_prior = Normal(torch.zeros(BATCH, STATE), torch.ones(BATCH, STATE))
    observations, actions, rewards, nonterminals = (torch.tensor(x) for x in experience())
    record = []
    for _ in range(steps):
        init_belief, init_state = torch.zeros(BATCH, BELIEF), torch.zeros(BATCH, STATE)
        beliefs, prior_states, prior_means, prior_std_devs, posterior_states, \
            posterior_means, posterior_std_devs = transition_model(
                init_state, actions[:-1], init_belief, bottle(encoder, (observations[1:], )),
                nonterminals[:-1])
        observation_loss = F.mse_loss(
            bottle(observation_model, (beliefs, posterior_states)), observations[1:],
            reduction='none').sum(dim=2).mean(dim=(0, 1))
        reward_loss = F.mse_loss(bottle(reward_model, (beliefs, posterior_states)),
                                 rewards[:-1], reduction='none').mean(dim=(0, 1))
        kl_loss = torch.max(kl_divergence(Normal(posterior_means, posterior_std_devs),
                                          Normal(prior_means, prior_std_devs)).sum(dim=2),
                            free_nats).mean(dim=(0, 1))
        kl_loss += GLOBAL_KL_BETA * kl_divergence(
            Normal(posterior_means, posterior_std_devs), global_prior).sum(dim=2).mean(
            dim=(0, 1))
        # Apply linearly ramping learning rate schedule
        for group in optimiser.param_groups:
            group['lr'] = min(group['lr'] + LR / LR_SCHEDULE, LR)
        optimiser.zero_grad()
        (observation_loss + reward_loss + kl_loss).backward()
        total = nn_.utils.clip_grad_norm_(param_list, 1000, norm_type=2)
        record.append([np.asarray(x.item()) for x in (observation_loss, reward_loss, kl_loss,
                                                      total)]
                      + [p.grad.numpy().copy() for p in param_list])
        optimiser.step()
    record.append([p.detach().numpy().copy() for p in param_list])
    planner = Planner(ACTION, 3, 2, 10, 4, transition_model, reward_model, -1.0, 1.0)
    with torch.no_grad():
        action = planner(beliefs[-1], posterior_states[-1])
    record.append([action.numpy()])
    return record


def test_planet_model_fitting_and_cem_planning(torch):
    torch.manual_seed(0)
    theirs, planner_class = build(torch, torch.nn, Noise(0))
    ours, our_planner_class = build(ag, nn, Noise(0))
    for name in theirs:
        copy_weights(ours[name], theirs[name])
    want = fit_and_plan(torch, torch.nn, torch.optim, theirs, planner_class)
    got = fit_and_plan(ag, nn, nn.optim, ours, our_planner_class)
    assert_records(got, want)
