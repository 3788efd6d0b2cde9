"""PlaNet (Hafner et al. 2019) as Kaixhin/PlaNet writes it in PyTorch (``models.py``,
``planner.py``, ``main.py``): the recurrent state-space model's ``TransitionModel`` (a GRU
cell's deterministic belief, prior and posterior Normal states with std = softplus +
min_std), the symbolic encoder / observation / reward models, ``bottle`` (time and batch
merged for a module), and the cross-entropy-method ``MPCPlanner`` (candidates drawn from
a Normal, ``topk(..., sorted=False)``, refitted with ``std(unbiased=False)``). Written once
for a library ``torch`` (``autograd`` here). The original's modules subclass
``jit.ScriptModule`` with ``@jit.script_method``: there is no compiler here (``autograd.jit``
says so and what to write), so they subclass ``nn.Module`` and the decorators are dropped
(the only lines written differently)."""

from typing import List, Optional


def bottle(f, x_tuple):
    """Wraps the input for a function to process a (time, batch, feature) sequence in
    (time * batch, feature)"""
    x_sizes = tuple(map(lambda x: x.size(), x_tuple))
    y = f(*map(lambda x: x[0].view(x[1][0] * x[1][1], *x[1][2:]), zip(x_tuple, x_sizes)))
    y_size = y.size()
    return y.view(x_sizes[0][0], x_sizes[0][1], *y_size[1:])


def planet_modules(torch, nn, noise):
    F = nn.functional

    class TransitionModel(nn.Module):  # jit.ScriptModule in the original
        __constants__ = ['min_std_dev']

        def __init__(self, belief_size, state_size, action_size, hidden_size, embedding_size,
                     activation_function='relu', min_std_dev=0.1):
            super().__init__()
            self.act_fn = getattr(F, activation_function)
            self.min_std_dev = min_std_dev
            self.fc_embed_state_action = nn.Linear(state_size + action_size, belief_size)
            self.rnn = nn.GRUCell(belief_size, belief_size)
            self.fc_embed_belief_prior = nn.Linear(belief_size, hidden_size)
            self.fc_state_prior = nn.Linear(hidden_size, 2 * state_size)
            self.fc_embed_belief_posterior = nn.Linear(belief_size + embedding_size,
                                                       hidden_size)
            self.fc_state_posterior = nn.Linear(hidden_size, 2 * state_size)

        # Operates over (previous) state, (previous) actions, (previous) belief,
        # (previous) nonterminals (mask), and (current) observations
        def forward(self, prev_state: torch.Tensor, actions: torch.Tensor,
                    prev_belief: torch.Tensor, observations: Optional[torch.Tensor] = None,
                    nonterminals: Optional[torch.Tensor] = None) -> List[torch.Tensor]:
            # Create lists for hidden states (cannot use single tensor as buffer because
            # autograd won't work with inplace writes)
            T = actions.size(0) + 1
            beliefs, prior_states, prior_means, prior_std_devs, posterior_states, \
                posterior_means, posterior_std_devs = \
                [torch.empty(0)] * T, [torch.empty(0)] * T, [torch.empty(0)] * T, \
                [torch.empty(0)] * T, [torch.empty(0)] * T, [torch.empty(0)] * T, \
                [torch.empty(0)] * T
            beliefs[0], prior_states[0], posterior_states[0] = \
                prev_belief, prev_state, prev_state
            # Loop over time sequence
            for t in range(T - 1):
                # Select appropriate previous state
                _state = prior_states[t] if observations is None else posterior_states[t]
                # Mask if previous transition was terminal
                _state = _state if nonterminals is None else _state * nonterminals[t]
                # Compute belief (deterministic hidden state)
                hidden = self.act_fn(self.fc_embed_state_action(
                    torch.cat([_state, actions[t]], dim=1)))
                beliefs[t + 1] = self.rnn(hidden, beliefs[t])
                # Compute state prior by applying transition dynamics
                hidden = self.act_fn(self.fc_embed_belief_prior(beliefs[t + 1]))
                prior_means[t + 1], _prior_std_dev = torch.chunk(
                    self.fc_state_prior(hidden), 2, dim=1)
                prior_std_devs[t + 1] = F.softplus(_prior_std_dev) + self.min_std_dev
                prior_states[t + 1] = prior_means[t + 1] + prior_std_devs[t + 1] * noise(
                    torch, torch.randn_like(prior_means[t + 1]))
                if observations is not None:
                    # Compute state posterior by applying transition dynamics and using
                    # current observation
                    t_ = t - 1  # Use t_ to deal with different time indexing for obs
                    hidden = self.act_fn(self.fc_embed_belief_posterior(
                        torch.cat([beliefs[t + 1], observations[t_ + 1]], dim=1)))
                    posterior_means[t + 1], _posterior_std_dev = torch.chunk(
                        self.fc_state_posterior(hidden), 2, dim=1)
                    posterior_std_devs[t + 1] = (F.softplus(_posterior_std_dev)
                                                 + self.min_std_dev)
                    posterior_states[t + 1] = (posterior_means[t + 1]
                                               + posterior_std_devs[t + 1] * noise(
                                                   torch,
                                                   torch.randn_like(posterior_means[t + 1])))
            # Return new hidden states
            hidden = [torch.stack(beliefs[1:], dim=0), torch.stack(prior_states[1:], dim=0),
                      torch.stack(prior_means[1:], dim=0),
                      torch.stack(prior_std_devs[1:], dim=0)]
            if observations is not None:
                hidden += [torch.stack(posterior_states[1:], dim=0),
                           torch.stack(posterior_means[1:], dim=0),
                           torch.stack(posterior_std_devs[1:], dim=0)]
            return hidden

    class SymbolicObservationModel(nn.Module):  # jit.ScriptModule in the original
        def __init__(self, observation_size, belief_size, state_size, embedding_size,
                     activation_function='relu'):
            super().__init__()
            self.act_fn = getattr(F, activation_function)
            self.fc1 = nn.Linear(belief_size + state_size, embedding_size)
            self.fc2 = nn.Linear(embedding_size, embedding_size)
            self.fc3 = nn.Linear(embedding_size, observation_size)

        def forward(self, belief, state):
            hidden = self.act_fn(self.fc1(torch.cat([belief, state], dim=1)))
            hidden = self.act_fn(self.fc2(hidden))
            observation = self.fc3(hidden)
            return observation

    class RewardModel(nn.Module):  # jit.ScriptModule in the original
        def __init__(self, belief_size, state_size, hidden_size, activation_function='relu'):
            super().__init__()
            self.act_fn = getattr(F, activation_function)
            self.fc1 = nn.Linear(belief_size + state_size, hidden_size)
            self.fc2 = nn.Linear(hidden_size, hidden_size)
            self.fc3 = nn.Linear(hidden_size, 1)

        def forward(self, belief, state):
            hidden = self.act_fn(self.fc1(torch.cat([belief, state], dim=1)))
            hidden = self.act_fn(self.fc2(hidden))
            reward = self.fc3(hidden).squeeze(dim=1)
            return reward

    class SymbolicEncoder(nn.Module):  # jit.ScriptModule in the original
        def __init__(self, observation_size, embedding_size, activation_function='relu'):
            super().__init__()
            self.act_fn = getattr(F, activation_function)
            self.fc1 = nn.Linear(observation_size, embedding_size)
            self.fc2 = nn.Linear(embedding_size, embedding_size)
            self.fc3 = nn.Linear(embedding_size, embedding_size)

        def forward(self, observation):
            hidden = self.act_fn(self.fc1(observation))
            hidden = self.act_fn(self.fc2(hidden))
            hidden = self.fc3(hidden)
            return hidden

    # Model-predictive control planner with cross-entropy method and learned transition model
    class MPCPlanner(nn.Module):  # jit.ScriptModule in the original
        __constants__ = ['action_size', 'planning_horizon', 'optimisation_iters',
                         'candidates', 'top_candidates', 'min_action', 'max_action']

        def __init__(self, action_size, planning_horizon, optimisation_iters, candidates,
                     top_candidates, transition_model, reward_model,
                     min_action=-float('inf'), max_action=float('inf')):
            super().__init__()
            self.transition_model, self.reward_model = transition_model, reward_model
            self.action_size, self.min_action, self.max_action = \
                action_size, min_action, max_action
            self.planning_horizon = planning_horizon
            self.optimisation_iters = optimisation_iters
            self.candidates, self.top_candidates = candidates, top_candidates

        def forward(self, belief, state):
            B, H, Z = belief.size(0), belief.size(1), state.size(1)
            belief, state = belief.unsqueeze(dim=1).expand(B, self.candidates, H).reshape(
                -1, H), state.unsqueeze(dim=1).expand(B, self.candidates, Z).reshape(-1, Z)
            # Initialize factorized belief over action sequences q(a_t:t+H) ~ N(0, I)
            action_mean, action_std_dev = torch.zeros(
                self.planning_horizon, B, 1, self.action_size, device=belief.device), \
                torch.ones(self.planning_horizon, B, 1, self.action_size,
                           device=belief.device)
            for _ in range(self.optimisation_iters):
                # Evaluate J action sequences from the current belief (over entire sequence
                # at once, batched over particles)
                # Sample actions (time x (batch x candidates) x actions)
                actions = (action_mean + action_std_dev * noise(torch, torch.randn(
                    self.planning_horizon, B, self.candidates, self.action_size,
                    device=action_mean.device))).view(
                    self.planning_horizon, B * self.candidates, self.action_size)
                actions.clamp_(min=self.min_action, max=self.max_action)  # Clip action range
                # Sample next states
                beliefs, states, _, _ = self.transition_model(state, actions, belief)
                # Calculate expected returns (technically sum of rewards over planning
                # horizon)
                returns = self.reward_model(beliefs.view(-1, H), states.view(-1, Z)).view(
                    self.planning_horizon, -1).sum(dim=0)
                # Re-fit belief to the K best action sequences
                _, topk = returns.reshape(B, self.candidates).topk(
                    self.top_candidates, dim=1, largest=True, sorted=False)
                # Fix indices for unrolled actions
                topk += self.candidates * torch.arange(
                    0, B, dtype=torch.int64, device=topk.device).unsqueeze(dim=1)
                best_actions = actions[:, topk.view(-1)].reshape(
                    self.planning_horizon, B, self.top_candidates, self.action_size)
                # Update belief with new means and standard deviations
                action_mean, action_std_dev = best_actions.mean(dim=2, keepdim=True), \
                    best_actions.std(dim=2, unbiased=False, keepdim=True)
            # Return first action mean µ_t
            return action_mean[0].squeeze(dim=1)

    return (TransitionModel, SymbolicObservationModel, RewardModel, SymbolicEncoder,
            MPCPlanner)
