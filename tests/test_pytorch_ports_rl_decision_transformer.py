"""The Decision Transformer (Chen et al. 2021), ported as readers write it from
``min-decision-transformer`` (Nikhil Barhate): ``MaskedCausalAttention`` with a
``register_buffer('mask', torch.tril(ones).view(1, 1, max_T, max_T))`` and
``weights.masked_fill(self.mask[..., :T, :T] == 0, float('-inf'))``, post-norm ``Block``s
in an ``nn.Sequential``, timestep ``nn.Embedding``, return/state/action embeddings
interleaved with ``torch.stack((r, s, a), dim=1).permute(0, 2, 1, 3).reshape(B, 3 * T, h)``,
a ``Tanh`` action head; the ``D4RLTrajectoryDataset`` (``discount_cumsum`` returns-to-go,
state normalisation, random windows, zero padding with ``torch.cat`` and a ``traj_mask``),
a ``DataLoader``, ``AdamW``, ``LambdaLR`` warm-up, ``clip_grad_norm_(..., 0.25)`` and the
loss on the unpadded steps ``action_preds.view(-1, act_dim)[traj_mask.view(-1,) > 0]``;
then ``evaluate_on_env``'s rollout in place-holder tensors filled step by step under
``no_grad()``. The program is written once for a library ``torch`` and runs next to PyTorch
(float64) from the same initial weights: losses, gradients, parameters and the rollout's
actions agree to 1e-10.

Lines written differently here: the D4RL pickle is a generated data set (noisy
proportional controllers of the point mass of ``tests/point_mass_env.py``, some episodes
cut short so that windows are padded); ``torch.utils.data`` is ``nn.data`` (``nn`` is a
package of its own here); ``float32`` is ``float64``; the sizes shrink; the loader does not
shuffle (the two libraries' generators differ; the windows' starts come from ``random``,
seeded alike); ``env.step`` returns gym's five-tuple.
"""

import math
import random

import numpy as np
import pytest

from decision_transformer_data import generated_trajectories, trajectory_dataset
from point_mass_env import PointMass
from test_pytorch_ports_dqn import libraries, share_start, snapshot


def modules(torch, nn, F):
    """min-decision-transformer's ``model.py`` for the run's library."""

    class MaskedCausalAttention(nn.Module):
        def __init__(self, h_dim, max_T, n_heads, drop_p):
            super().__init__()

            self.n_heads = n_heads
            self.max_T = max_T

            self.q_net = nn.Linear(h_dim, h_dim)
            self.k_net = nn.Linear(h_dim, h_dim)
            self.v_net = nn.Linear(h_dim, h_dim)

            self.proj_net = nn.Linear(h_dim, h_dim)

            self.att_drop = nn.Dropout(drop_p)
            self.proj_drop = nn.Dropout(drop_p)

            ones = torch.ones((max_T, max_T))
            mask = torch.tril(ones).view(1, 1, max_T, max_T)

            # register buffer makes sure mask does not get updated
            # during backpropagation
            self.register_buffer('mask', mask)

        def forward(self, x):
            B, T, C = x.shape  # batch size, seq length, h_dim * n_heads

            N, D = self.n_heads, C // self.n_heads  # N = num heads, D = attention dim

            # rearrange q, k, v as (B, N, T, D)
            q = self.q_net(x).view(B, T, N, D).transpose(1, 2)
            k = self.k_net(x).view(B, T, N, D).transpose(1, 2)
            v = self.v_net(x).view(B, T, N, D).transpose(1, 2)

            # weights (B, N, T, T)
            weights = q @ k.transpose(2, 3) / math.sqrt(D)
            # causal mask applied to weights
            weights = weights.masked_fill(self.mask[..., :T, :T] == 0, float('-inf'))
            # normalize weights, all -inf -> 0 after softmax
            normalized_weights = F.softmax(weights, dim=-1)

            # attention (B, N, T, D)
            attention = self.att_drop(normalized_weights @ v)

            # gather heads and project (B, N, T, D) -> (B, T, N*D)
            attention = attention.transpose(1, 2).contiguous().view(B, T, N*D)

            out = self.proj_drop(self.proj_net(attention))
            return out

    class Block(nn.Module):
        def __init__(self, h_dim, max_T, n_heads, drop_p):
            super().__init__()
            self.attention = MaskedCausalAttention(h_dim, max_T, n_heads, drop_p)
            self.mlp = nn.Sequential(
                nn.Linear(h_dim, 4*h_dim),
                nn.GELU(),
                nn.Linear(4*h_dim, h_dim),
                nn.Dropout(drop_p),
            )
            self.ln1 = nn.LayerNorm(h_dim)
            self.ln2 = nn.LayerNorm(h_dim)

        def forward(self, x):
            # Attention -> LayerNorm -> MLP -> LayerNorm
            x = x + self.attention(x)  # residual
            x = self.ln1(x)
            x = x + self.mlp(x)  # residual
            x = self.ln2(x)
            return x

    class DecisionTransformer(nn.Module):
        def __init__(self, state_dim, act_dim, n_blocks, h_dim, context_len,
                     n_heads, drop_p, max_timestep=4096):
            super().__init__()

            self.state_dim = state_dim
            self.act_dim = act_dim
            self.h_dim = h_dim

            # transformer blocks
            input_seq_len = 3 * context_len
            blocks = [Block(h_dim, input_seq_len, n_heads, drop_p) for _ in range(n_blocks)]
            self.transformer = nn.Sequential(*blocks)

            # projection heads (project to embedding)
            self.embed_ln = nn.LayerNorm(h_dim)
            self.embed_timestep = nn.Embedding(max_timestep, h_dim)
            self.embed_rtg = nn.Linear(1, h_dim)
            self.embed_state = nn.Linear(state_dim, h_dim)

            # continuous actions
            self.embed_action = nn.Linear(act_dim, h_dim)
            use_action_tanh = True  # True for continuous actions

            # prediction heads
            self.predict_rtg = nn.Linear(h_dim, 1)
            self.predict_state = nn.Linear(h_dim, state_dim)
            self.predict_action = nn.Sequential(
                *([nn.Linear(h_dim, act_dim)] + ([nn.Tanh()] if use_action_tanh else []))
            )

        def forward(self, timesteps, states, actions, returns_to_go):

            B, T, _ = states.shape

            time_embeddings = self.embed_timestep(timesteps)

            # time embeddings are treated similar to positional embeddings
            state_embeddings = self.embed_state(states) + time_embeddings
            action_embeddings = self.embed_action(actions) + time_embeddings
            returns_embeddings = self.embed_rtg(returns_to_go) + time_embeddings

            # stack rtg, states and actions and reshape sequence as
            # (r_0, s_0, a_0, r_1, s_1, a_1, r_2, s_2, a_2 ...)
            h = torch.stack(
                (returns_embeddings, state_embeddings, action_embeddings), dim=1
            ).permute(0, 2, 1, 3).reshape(B, 3 * T, self.h_dim)

            h = self.embed_ln(h)

            # transformer and prediction
            h = self.transformer(h)

            # h[:, 1, t] is conditioned on r_0, s_0, a_0 ... r_t, s_t
            h = h.reshape(B, T, 3, self.h_dim).permute(0, 2, 1, 3)

            # get predictions
            return_preds = self.predict_rtg(h[:, 2])     # predict next rtg given r, s, a
            state_preds = self.predict_state(h[:, 2])    # predict next state given r, s, a
            action_preds = self.predict_action(h[:, 1])  # predict action given r, s

            return state_preds, action_preds, return_preds

    return DecisionTransformer


def decision_transformer(torch, nn, F, optim, data, glue):
    """``train.py``, then ``evaluate_on_env`` for one episode; ``glue`` holds the record."""
    record = glue['record']
    random.seed(0)
    torch.manual_seed(0)
    device = torch.device('cpu')
    context_len, n_blocks, embed_dim, n_heads, dropout_p = 5, 2, 16, 2, 0.0
    batch_size, lr, wt_decay, warmup_steps, rtg_scale = 4, 1e-3, 1e-4, 4, 10
    max_train_iters, num_updates_per_iter = 2, 5

    traj_dataset = trajectory_dataset(torch, data)(generated_trajectories(), context_len,
                                                   rtg_scale)
    traj_data_loader = data.DataLoader(traj_dataset, batch_size=batch_size, shuffle=False,
                                       pin_memory=True, drop_last=True)
    data_iter = iter(traj_data_loader)
    state_mean, state_std = traj_dataset.get_state_stats()
    state_dim, act_dim = 4, 2

    model = modules(torch, nn, F)(
        state_dim=state_dim, act_dim=act_dim, n_blocks=n_blocks, h_dim=embed_dim,
        context_len=context_len, n_heads=n_heads, drop_p=dropout_p, max_timestep=128,
    ).to(device)
    share_start(torch, model, glue)
    optimizer = optim.AdamW(model.parameters(), lr=lr, weight_decay=wt_decay)
    scheduler = optim.lr_scheduler.LambdaLR(
        optimizer, lambda steps: min((steps+1)/warmup_steps, 1))

    for i_train_iter in range(max_train_iters):
        log_action_losses = []
        model.train()
        for _ in range(num_updates_per_iter):
            try:
                timesteps, states, actions, returns_to_go, traj_mask = next(data_iter)
            except StopIteration:
                data_iter = iter(traj_data_loader)
                timesteps, states, actions, returns_to_go, traj_mask = next(data_iter)

            timesteps = timesteps.to(device)  # B x T
            states = states.to(device)  # B x T x state_dim
            actions = actions.to(device)  # B x T x act_dim
            returns_to_go = returns_to_go.to(device).unsqueeze(dim=-1)  # B x T x 1
            traj_mask = traj_mask.to(device)  # B x T
            action_target = torch.clone(actions).detach().to(device)

            state_preds, action_preds, return_preds = model.forward(
                timesteps=timesteps, states=states, actions=actions,
                returns_to_go=returns_to_go)
            # only consider non padded elements
            action_preds = action_preds.view(-1, act_dim)[traj_mask.view(-1,) > 0]
            action_target = action_target.view(-1, act_dim)[traj_mask.view(-1,) > 0]

            action_loss = F.mse_loss(action_preds, action_target, reduction='mean')

            optimizer.zero_grad()
            action_loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            optimizer.step()
            scheduler.step()

            log_action_losses.append(action_loss.detach().cpu().item())
            record.append((action_loss.item(), snapshot(model)))
        record.append([float(np.mean(log_action_losses)), scheduler.get_last_lr()[0]])

    glue['actions'] = evaluate_on_env(torch, model, device, context_len, rtg_target=-2.0,
                                      rtg_scale=rtg_scale, state_mean=state_mean,
                                      state_std=state_std)
    glue['draws'] = random.random()
    return record


def evaluate_on_env(torch, model, device, context_len, rtg_target, rtg_scale,
                    max_test_ep_len=9, state_mean=None, state_std=None):
    """``evaluate_on_env`` for one episode: the actions it takes."""
    env = PointMass()
    eval_batch_size = 1  # required for forward pass
    state_dim, act_dim = 4, 2
    state_mean = torch.from_numpy(state_mean).to(device)
    state_std = torch.from_numpy(state_std).to(device)

    # same as timesteps used for training the transformer
    timesteps = torch.arange(start=0, end=max_test_ep_len, step=1)
    timesteps = timesteps.repeat(eval_batch_size, 1).to(device)

    model.eval()
    taken = []
    with torch.no_grad():
        # zeros place holders
        actions = torch.zeros((eval_batch_size, max_test_ep_len, act_dim),
                              dtype=torch.float64, device=device)
        states = torch.zeros((eval_batch_size, max_test_ep_len, state_dim),
                             dtype=torch.float64, device=device)
        rewards_to_go = torch.zeros((eval_batch_size, max_test_ep_len, 1),
                                    dtype=torch.float64, device=device)

        # init episode
        running_state, _ = env.reset(seed=7)
        running_reward = 0
        running_rtg = rtg_target / rtg_scale

        for t in range(max_test_ep_len):
            # add state in placeholder and normalize
            states[0, t] = torch.from_numpy(running_state).to(device)
            states[0, t] = (states[0, t] - state_mean) / state_std

            # calcualate running rtg and add it in placeholder
            running_rtg = running_rtg - (running_reward / rtg_scale)
            rewards_to_go[0, t] = running_rtg

            if t < context_len:
                _, act_preds, _ = model.forward(timesteps[:, :context_len],
                                                states[:, :context_len],
                                                actions[:, :context_len],
                                                rewards_to_go[:, :context_len])
                act = act_preds[0, t].detach()
            else:
                _, act_preds, _ = model.forward(timesteps[:, t-context_len+1:t+1],
                                                states[:, t-context_len+1:t+1],
                                                actions[:, t-context_len+1:t+1],
                                                rewards_to_go[:, t-context_len+1:t+1])
                act = act_preds[0, -1].detach()

            running_state, running_reward, done, truncated, _ = env.step(act.cpu().numpy())

            # add action in placeholder
            actions[0, t] = act
            taken.append(act.cpu().numpy().copy())
            if done or truncated:
                break
    return np.array(taken)


@pytest.mark.filterwarnings("ignore:'pin_memory' argument")  # PyTorch's, on a CPU
def test_decision_transformer_runs_step_for_step_with_pytorch(torch) -> None:
    from test_pytorch_ports_dqn import assert_same_runs
    import nn.data
    glue = {'record': []}
    ours = decision_transformer(*libraries(), nn.data, glue)
    theirs_glue = {'record': [], 'start': glue['start']}
    theirs = decision_transformer(*libraries(torch), torch.utils.data, theirs_glue)
    assert theirs_glue['draws'] == glue['draws']
    for a, b in zip(ours, theirs, strict=True):
        if isinstance(a, list) and not isinstance(a[0], tuple):
            np.testing.assert_allclose(a, b, rtol=1e-10)
    assert_same_runs([r for r in ours if isinstance(r, tuple)],
                     [r for r in theirs if isinstance(r, tuple)])
    np.testing.assert_allclose(glue['actions'], theirs_glue['actions'], rtol=1e-10)
    assert glue['actions'].shape == (9, 2)
