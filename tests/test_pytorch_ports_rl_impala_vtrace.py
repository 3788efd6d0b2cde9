"""TorchBeast's IMPALA learner (``monobeast.py`` with ``core/vtrace.py``) as its readers write
it, step for step next to PyTorch (float64) from the same initial weights, on rollouts of a
small generated environment: ``AtariNet`` (conv torso on ``[T, B, C, H, W]`` frames merged
with ``torch.flatten(x, 0, 1)``, the clipped reward and the one-hot last action into an
``nn.LSTM`` core whose state is reset by ``notdone``), V-trace targets computed under
``@torch.no_grad()`` with the reverse loop, the policy-gradient, baseline and entropy losses,
``clip_grad_norm_``, RMSprop with momentum and the ``LambdaLR`` linear decay. Losses,
V-trace returns, gradients and parameters agree to 1e-10.

Lines written differently here: the rollouts come from a generated environment (no Atari),
and the learner's ``torch.multinomial`` action draw is replaced by the argmax (the learner
throws those actions away; the actors' draws are made once with NumPy and replayed);
``torch.optim`` is ``nn.optim`` here; ``x.float() / 255.0`` is ``x.double()``: float32 is
float64 in the ports (PyTorch refuses a float32 input to float64 conv weights).
"""

import collections

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_dqn import assert_same_runs, snapshot

VTraceReturns = collections.namedtuple("VTraceReturns", "vs pg_advantages")
VTraceFromLogitsReturns = collections.namedtuple(
    "VTraceFromLogitsReturns",
    ["vs", "pg_advantages", "log_rhos", "behavior_action_log_probs",
     "target_action_log_probs"])


def vtrace_module(torch, F):
    """core/vtrace.py (TorchBeast), as a namespace over ``torch``."""

    def action_log_probs(policy_logits, actions):
        return -F.nll_loss(
            F.log_softmax(torch.flatten(policy_logits, 0, -2), dim=-1),
            torch.flatten(actions),
            reduction="none",
        ).view_as(actions)

    def from_logits(behavior_policy_logits, target_policy_logits, actions, discounts,
                    rewards, values, bootstrap_value, clip_rho_threshold=1.0,
                    clip_pg_rho_threshold=1.0):
        """V-trace for softmax policies."""
        target_action_log_probs = action_log_probs(target_policy_logits, actions)
        behavior_action_log_probs = action_log_probs(behavior_policy_logits, actions)
        log_rhos = target_action_log_probs - behavior_action_log_probs
        vtrace_returns = from_importance_weights(
            log_rhos=log_rhos, discounts=discounts, rewards=rewards, values=values,
            bootstrap_value=bootstrap_value, clip_rho_threshold=clip_rho_threshold,
            clip_pg_rho_threshold=clip_pg_rho_threshold)
        return VTraceFromLogitsReturns(
            log_rhos=log_rhos, behavior_action_log_probs=behavior_action_log_probs,
            target_action_log_probs=target_action_log_probs, **vtrace_returns._asdict())

    @torch.no_grad()
    def from_importance_weights(log_rhos, discounts, rewards, values, bootstrap_value,
                                clip_rho_threshold=1.0, clip_pg_rho_threshold=1.0):
        """V-trace from log importance weights."""
        with torch.no_grad():
            rhos = torch.exp(log_rhos)
            if clip_rho_threshold is not None:
                clipped_rhos = torch.clamp(rhos, max=clip_rho_threshold)
            else:
                clipped_rhos = rhos
            cs = torch.clamp(rhos, max=1.0)
            # Append bootstrapped value to get [v1, ..., v_t+1]
            values_t_plus_1 = torch.cat(
                [values[1:], torch.unsqueeze(bootstrap_value, 0)], dim=0)
            deltas = clipped_rhos * (rewards + discounts * values_t_plus_1 - values)

            acc = torch.zeros_like(bootstrap_value)
            result = []
            for t in range(discounts.shape[0] - 1, -1, -1):
                acc = deltas[t] + discounts[t] * cs[t] * acc
                result.append(acc)
            result.reverse()
            vs_minus_v_xs = torch.stack(result)

            # Add V(x_s) to get v_s.
            vs = torch.add(vs_minus_v_xs, values)

            # Advantage for policy gradient.
            broadcasted_bootstrap_values = torch.ones_like(vs[0]) * bootstrap_value
            vs_t_plus_1 = torch.cat(
                [vs[1:], broadcasted_bootstrap_values.unsqueeze(0)], dim=0)
            if clip_pg_rho_threshold is not None:
                clipped_pg_rhos = torch.clamp(rhos, max=clip_pg_rho_threshold)
            else:
                clipped_pg_rhos = rhos
            pg_advantages = clipped_pg_rhos * (rewards + discounts * vs_t_plus_1 - values)

        # Make sure no gradients backpropagated through the returned values.
        return VTraceReturns(vs=vs, pg_advantages=pg_advantages)

    return collections.namedtuple("vtrace", "from_logits from_importance_weights")(
        from_logits, from_importance_weights)


def monobeast(torch, nn, F, optim, learner_steps, glue):
    """monobeast.py's AtariNet and learn() on generated rollouts (sizes shrunk)."""
    record = glue['record']
    vtrace = vtrace_module(torch, F)
    T, B, num_actions = 5, 3, 4
    flags = collections.namedtuple("Flags", [
        "discounting", "baseline_cost", "entropy_cost", "grad_norm_clipping",
        "reward_clipping", "learning_rate", "momentum", "epsilon", "alpha", "total_steps",
        "use_lstm"])(0.99, 0.5, 0.0006, 40.0, "abs_one", 0.00048, 0, 0.01, 0.99,
                     T * B * learner_steps, True)

    class AtariNet(nn.Module):
        def __init__(self, observation_shape, num_actions, use_lstm=False):
            super(AtariNet, self).__init__()
            self.observation_shape = observation_shape
            self.num_actions = num_actions
            # Feature extraction.
            self.conv1 = nn.Conv2d(in_channels=self.observation_shape[0], out_channels=4,
                                   kernel_size=3, stride=2)
            self.conv2 = nn.Conv2d(4, 8, kernel_size=2, stride=1)
            # Fully connected layer.
            self.fc = nn.Linear(8 * 2 * 2, 16)
            # FC output size + one-hot of last action + last reward.
            core_output_size = self.fc.out_features + num_actions + 1
            self.use_lstm = use_lstm
            if use_lstm:
                self.core = nn.LSTM(core_output_size, core_output_size, 2)
            self.policy = nn.Linear(core_output_size, self.num_actions)
            self.baseline = nn.Linear(core_output_size, 1)

        def initial_state(self, batch_size):
            if not self.use_lstm:
                return tuple()
            return tuple(torch.zeros(self.core.num_layers, batch_size, self.core.hidden_size)
                         for _ in range(2))

        def forward(self, inputs, core_state=()):
            x = inputs["frame"]  # [T, B, C, H, W].
            T, B, *_ = x.shape
            x = torch.flatten(x, 0, 1)  # Merge time and batch.
            x = x.double() / 255.0  # monobeast: x.float() (float32 is float64 here)
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = x.view(T * B, -1)
            x = F.relu(self.fc(x))
            one_hot_last_action = F.one_hot(
                inputs["last_action"].view(T * B), self.num_actions).float()
            clipped_reward = torch.clamp(inputs["reward"], -1, 1).view(T * B, 1)
            core_input = torch.cat([x, clipped_reward, one_hot_last_action], dim=-1)
            if self.use_lstm:
                core_input = core_input.view(T, B, -1)
                core_output_list = []
                notdone = (~inputs["done"]).float()
                for input, nd in zip(core_input.unbind(), notdone.unbind()):
                    # Reset core state to zero whenever an episode ended.
                    # Make `done` broadcastable with (num_layers, B, hidden_size)
                    # states:
                    nd = nd.view(1, -1, 1)
                    core_state = tuple(nd * s for s in core_state)
                    output, core_state = self.core(input.unsqueeze(0), core_state)
                    core_output_list.append(output)
                core_output = torch.flatten(torch.cat(core_output_list), 0, 1)
            else:
                core_output = core_input
                core_state = tuple()
            policy_logits = self.policy(core_output)
            baseline = self.baseline(core_output)
            # monobeast: torch.multinomial(F.softmax(policy_logits, dim=1), num_samples=1)
            # while training; the learner discards it, so both runs take the argmax.
            action = torch.argmax(policy_logits, dim=1)
            policy_logits = policy_logits.view(T, B, self.num_actions)
            baseline = baseline.view(T, B)
            action = action.view(T, B)
            return (dict(policy_logits=policy_logits, baseline=baseline, action=action),
                    core_state)

    def compute_baseline_loss(advantages):
        return 0.5 * torch.sum(advantages ** 2)

    def compute_entropy_loss(logits):
        """Return the entropy loss, i.e., the negative entropy of the policy."""
        policy = F.softmax(logits, dim=-1)
        log_policy = F.log_softmax(logits, dim=-1)
        return torch.sum(policy * log_policy)

    def compute_policy_gradient_loss(logits, actions, advantages):
        cross_entropy = F.nll_loss(
            F.log_softmax(torch.flatten(logits, 0, 1), dim=-1),
            target=torch.flatten(actions, 0, 1),
            reduction="none",
        )
        cross_entropy = cross_entropy.view_as(advantages)
        return torch.sum(cross_entropy * advantages.detach())

    def learn(flags, actor_model, model, batch, initial_agent_state, optimizer, scheduler):
        """Performs a learning (optimization) step."""
        learner_outputs, unused_state = model(batch, initial_agent_state)

        # Take final value function slice for bootstrapping.
        bootstrap_value = learner_outputs["baseline"][-1]

        # Move from obs[t] -> action[t] to action[t] -> obs[t].
        batch = {key: tensor[1:] for key, tensor in batch.items()}
        learner_outputs = {key: tensor[:-1] for key, tensor in learner_outputs.items()}

        rewards = batch["reward"]
        if flags.reward_clipping == "abs_one":
            clipped_rewards = torch.clamp(rewards, -1, 1)
        elif flags.reward_clipping == "none":
            clipped_rewards = rewards

        discounts = (~batch["done"]).float() * flags.discounting

        vtrace_returns = vtrace.from_logits(
            behavior_policy_logits=batch["policy_logits"],
            target_policy_logits=learner_outputs["policy_logits"],
            actions=batch["action"],
            discounts=discounts,
            rewards=clipped_rewards,
            values=learner_outputs["baseline"],
            bootstrap_value=bootstrap_value,
        )

        pg_loss = compute_policy_gradient_loss(
            learner_outputs["policy_logits"], batch["action"], vtrace_returns.pg_advantages)
        baseline_loss = flags.baseline_cost * compute_baseline_loss(
            vtrace_returns.vs - learner_outputs["baseline"])
        entropy_loss = flags.entropy_cost * compute_entropy_loss(
            learner_outputs["policy_logits"])

        total_loss = pg_loss + baseline_loss + entropy_loss

        episode_returns = batch["episode_return"][batch["done"]]
        stats = {
            "episode_returns": tuple(episode_returns.cpu().numpy()),
            "mean_episode_return": torch.mean(episode_returns).item(),
            "total_loss": total_loss.item(),
            "pg_loss": pg_loss.item(),
            "baseline_loss": baseline_loss.item(),
            "entropy_loss": entropy_loss.item(),
        }

        optimizer.zero_grad()
        total_loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), flags.grad_norm_clipping)
        optimizer.step()
        scheduler.step()

        actor_model.load_state_dict(model.state_dict())
        record.append((total_loss.item(), snapshot(model)))
        record.append(([stats[k] for k in sorted(stats) if k != "episode_returns"],
                       [("vs", vtrace_returns.vs.numpy().copy(), None),
                        ("pg_advantages", vtrace_returns.pg_advantages.numpy().copy(),
                         None)]))
        glue.setdefault('episode_returns', []).append(stats["episode_returns"])
        return stats

    observation_shape = (1, 8, 8)
    model = AtariNet(observation_shape, num_actions, flags.use_lstm)
    actor_model = AtariNet(observation_shape, num_actions, flags.use_lstm)
    if torch is ag:
        glue['start'] = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict({k: torch.tensor(v) for k, v in glue['start'].items()})
    actor_model.load_state_dict(model.state_dict())
    optimizer = optim.RMSprop(
        model.parameters(), lr=flags.learning_rate, momentum=flags.momentum,
        eps=flags.epsilon, alpha=flags.alpha)

    def lr_lambda(epoch):
        return 1 - min(epoch * T * B, flags.total_steps) / flags.total_steps

    scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

    rng = np.random.default_rng(0)
    for step in range(learner_steps):
        batch = rollout(torch, actor_model, rng, T, B, num_actions, observation_shape)
        initial_agent_state = model.initial_state(batch_size=B)
        learn(flags, actor_model, model, batch, initial_agent_state, optimizer, scheduler)
        record.append((scheduler.get_last_lr()[0], []))
    return record


def rollout(torch, actor_model, rng, T, B, num_actions, observation_shape):
    """T + 1 steps of B generated episodes: frames, rewards, dones, and the actor's logits
    with actions drawn from its softmax by NumPy (the same draws in both runs)."""
    frames = rng.integers(0, 256, size=(T + 1, B) + observation_shape).astype(np.uint8)
    reward = rng.normal(0.0, 1.5, size=(T + 1, B))
    done = rng.random((T + 1, B)) < 0.2
    episode_return = np.cumsum(reward, axis=0)
    last_action = rng.integers(0, num_actions, size=(T + 1, B))
    batch = {"frame": torch.from_numpy(frames), "reward": torch.from_numpy(reward),
             "done": torch.from_numpy(done), "episode_return": torch.from_numpy(episode_return),
             "last_action": torch.from_numpy(last_action)}
    with torch.no_grad():
        agent_output, _ = actor_model(batch, actor_model.initial_state(B))
    logits = agent_output["policy_logits"].numpy()
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    action = (probs.cumsum(-1) > rng.random(probs.shape[:2] + (1,))).argmax(-1)
    batch["policy_logits"] = agent_output["policy_logits"]
    batch["action"] = torch.from_numpy(action)
    return batch


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim  # torch.optim is nn.optim here
    return torch, torch.nn, torch.nn.functional, torch.optim


def test_monobeast_learner_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = monobeast(*libraries(), 3, glue)
    theirs_glue = {'record': [], 'start': glue['start']}
    theirs = monobeast(*libraries(torch), 3, theirs_glue)
    assert_same_runs(ours, theirs)
    for a, b in zip(glue['episode_returns'], theirs_glue['episode_returns'], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert len(ours) == 9


def ground_truth_vtrace(discounts, log_rhos, rewards, values, bootstrap_value,
                        clip_rho_threshold, clip_pg_rho_threshold):
    """vtrace_test.py's _ground_truth_calculation: the V-trace sums written out (NumPy)."""
    vs = []
    seq_len = len(discounts)
    rhos = np.exp(log_rhos)
    cs = np.minimum(rhos, 1.0)
    clipped_rhos = rhos
    if clip_rho_threshold:
        clipped_rhos = np.minimum(rhos, clip_rho_threshold)
    clipped_pg_rhos = rhos
    if clip_pg_rho_threshold:
        clipped_pg_rhos = np.minimum(rhos, clip_pg_rho_threshold)
    values_t_plus_1 = np.concatenate([values[1:], bootstrap_value[None, :]], axis=0)
    for s in range(seq_len):
        v_s = np.copy(values[s])
        for t in range(s, seq_len):
            v_s += (np.prod(discounts[s:t], axis=0) * np.prod(cs[s:t], axis=0)
                    * clipped_rhos[t]
                    * (rewards[t] + discounts[t] * values_t_plus_1[t] - values[t]))
        vs.append(v_s)
    vs = np.stack(vs, axis=0)
    pg_advantages = clipped_pg_rhos * (
        rewards + discounts * np.concatenate([vs[1:], bootstrap_value[None, :]], axis=0)
        - values)
    return VTraceReturns(vs=vs, pg_advantages=pg_advantages)


def test_vtrace_from_importance_weights_is_the_ground_truth_in_both(torch) -> None:
    """vtrace_test.py's VtraceTest.test_vtrace, for both libraries and three clippings."""
    rng = np.random.default_rng(4)
    seq_len, batch_size = 5, 3
    values = {
        "log_rhos": np.log(rng.uniform(0.2, 3.0, (seq_len, batch_size))),
        "discounts": np.array([[0.9, 0.8, 0.0]] * seq_len),
        "rewards": rng.normal(0.0, 1.0, (seq_len, batch_size)),
        "values": rng.normal(0.0, 1.0, (seq_len, batch_size)) / batch_size,
        "bootstrap_value": rng.normal(0.0, 1.0, batch_size) + 1.0,
    }
    for clip_rho_threshold, clip_pg_rho_threshold in ((None, None), (3.7, 2.2), (1.0, 1.0)):
        expected = ground_truth_vtrace(clip_rho_threshold=clip_rho_threshold,
                                       clip_pg_rho_threshold=clip_pg_rho_threshold, **values)
        for library in (libraries(), libraries(torch)):
            vtrace = vtrace_module(library[0], library[2])
            output = vtrace.from_importance_weights(
                clip_rho_threshold=clip_rho_threshold,
                clip_pg_rho_threshold=clip_pg_rho_threshold,
                **{k: library[0].tensor(v) for k, v in values.items()})
            np.testing.assert_allclose(output.vs.numpy(), expected.vs, rtol=1e-12)
            np.testing.assert_allclose(output.pg_advantages.numpy(), expected.pg_advantages,
                                       rtol=1e-12, atol=1e-14)
