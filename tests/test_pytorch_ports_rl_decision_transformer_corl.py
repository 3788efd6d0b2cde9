"""CORL's single-file Decision Transformer (``algorithms/offline/dt.py``), ported as its
readers write it, step for step next to PyTorch (float64) from the same initial weights:
a pre-norm ``TransformerBlock`` on ``nn.MultiheadAttention(..., batch_first=True)`` with a
boolean causal mask registered as a buffer (``~torch.tril(torch.ones(n, n)).to(bool)``)
and a ``key_padding_mask``, ``need_weights=False``; the ``DecisionTransformer`` with
``self.apply(self._init_weights)`` (``torch.nn.init.normal_``/``zeros_``/``ones_``),
returns, states and actions interleaved by ``torch.stack(...).permute(0, 2, 1, 3)``, the
padding mask stacked alike, and actions read from ``out[:, 1::3]``; the
``SequenceDataset`` (an ``IterableDataset`` sampling trajectories by length with
``np.random.choice(..., p=...)``, windows padded by ``pad_along_axis``) in a
``DataLoader``; the training step ``padding_mask = ~mask.to(torch.bool)``,
``F.mse_loss(..., reduction="none")`` weighted by ``mask.unsqueeze(-1)``, AdamW with
``betas``, ``clip_grad_norm_`` and a ``LambdaLR`` warm-up.

Lines written differently here: ``torch.nn.init``, ``torch.nn.utils`` and ``torch.optim``
are ``nn.init``, ``nn.utils`` and ``optim`` (``nn`` is a package of its own here, and
``autograd.nn``/``autograd.optim`` raise ``MissingNameError`` saying so); the D4RL
trajectories are the generated point-mass ones of ``tests/offline_rl_data.py``, cut into
episodes by their ``timeouts``; ``float32`` is float64; the sizes shrink; ``pyrallis`` and
``wandb`` are left out.
"""

import random

import numpy as np
import pytest

from offline_rl_data import point_mass_dataset
from test_pytorch_ports_dqn import assert_same_runs, libraries, share_start, snapshot


def discounted_cumsum(x, gamma):
    cumsum = np.zeros_like(x)
    cumsum[-1] = x[-1]
    for t in reversed(range(x.shape[0] - 1)):
        cumsum[t] = x[t] + gamma * cumsum[t + 1]
    return cumsum


def load_trajectories(gamma=1.0):
    """CORL's ``load_d4rl_trajectories`` on the generated data set."""
    dataset = point_mass_dataset()
    traj, traj_len = [], []
    data_ = {"observations": [], "actions": [], "rewards": []}
    for i in range(dataset["rewards"].shape[0]):
        data_["observations"].append(dataset["observations"][i])
        data_["actions"].append(dataset["actions"][i])
        data_["rewards"].append(dataset["rewards"][i])
        if dataset["terminals"][i] or dataset["timeouts"][i]:
            episode_data = {k: np.array(v, dtype=np.float64) for k, v in data_.items()}
            # return-to-go if gamma=1.0, just discounted returns else
            episode_data["returns"] = discounted_cumsum(episode_data["rewards"], gamma=gamma)
            traj.append(episode_data)
            traj_len.append(episode_data["actions"].shape[0])
            # reset trajectory buffer
            data_ = {"observations": [], "actions": [], "rewards": []}
    info = {
        "obs_mean": dataset["observations"].mean(0, keepdims=True),
        "obs_std": dataset["observations"].std(0, keepdims=True) + 1e-6,
        "traj_lens": np.array(traj_len),
    }
    return traj, info


def pad_along_axis(arr, pad_to, axis=0, fill_value=0.0):
    pad_size = pad_to - arr.shape[axis]
    if pad_size <= 0:
        return arr
    npad = [(0, 0)] * arr.ndim
    npad[axis] = (0, pad_size)
    return np.pad(arr, pad_width=npad, mode="constant", constant_values=fill_value)


def sequence_dataset(data):
    class SequenceDataset(data.IterableDataset):
        def __init__(self, seq_len=10, reward_scale=1.0):
            self.dataset, info = load_trajectories(gamma=1.0)
            self.reward_scale = reward_scale
            self.seq_len = seq_len
            self.state_mean = info["obs_mean"]
            self.state_std = info["obs_std"]
            self.sample_prob = info["traj_lens"] / info["traj_lens"].sum()

        def __prepare_sample(self, traj_idx, start_idx):
            traj = self.dataset[traj_idx]
            states = traj["observations"][start_idx: start_idx + self.seq_len]
            actions = traj["actions"][start_idx: start_idx + self.seq_len]
            returns = traj["returns"][start_idx: start_idx + self.seq_len]
            time_steps = np.arange(start_idx, start_idx + self.seq_len)

            states = (states - self.state_mean) / self.state_std
            returns = returns * self.reward_scale
            # pad up to seq_len if needed
            mask = np.hstack(
                [np.ones(states.shape[0]), np.zeros(self.seq_len - states.shape[0])])
            if states.shape[0] < self.seq_len:
                states = pad_along_axis(states, pad_to=self.seq_len)
                actions = pad_along_axis(actions, pad_to=self.seq_len)
                returns = pad_along_axis(returns, pad_to=self.seq_len)

            return states, actions, returns, time_steps, mask

        def __iter__(self):
            while True:
                traj_idx = np.random.choice(len(self.dataset), p=self.sample_prob)
                start_idx = random.randint(0, self.dataset[traj_idx]["rewards"].shape[0] - 1)
                yield self.__prepare_sample(traj_idx, start_idx)

    return SequenceDataset


def modules(torch, nn):
    """CORL's ``TransformerBlock`` and ``DecisionTransformer`` for the run's library."""

    class TransformerBlock(nn.Module):
        def __init__(self, seq_len, embedding_dim, num_heads, attention_dropout,
                     residual_dropout):
            super().__init__()
            self.norm1 = nn.LayerNorm(embedding_dim)
            self.norm2 = nn.LayerNorm(embedding_dim)
            self.drop = nn.Dropout(residual_dropout)
            self.attention = nn.MultiheadAttention(
                embedding_dim, num_heads, attention_dropout, batch_first=True)
            self.mlp = nn.Sequential(
                nn.Linear(embedding_dim, 4 * embedding_dim),
                nn.GELU(),
                nn.Linear(4 * embedding_dim, embedding_dim),
                nn.Dropout(residual_dropout),
            )
            # True value indicates that the corresponding position is not allowed to attend
            self.register_buffer(
                "causal_mask", ~torch.tril(torch.ones(seq_len, seq_len)).to(bool))
            self.seq_len = seq_len

        # [batch_size, seq_len, emb_dim] -> [batch_size, seq_len, emb_dim]
        def forward(self, x, padding_mask=None):
            causal_mask = self.causal_mask[: x.shape[1], : x.shape[1]]

            norm_x = self.norm1(x)
            attention_out = self.attention(
                query=norm_x, key=norm_x, value=norm_x, attn_mask=causal_mask,
                key_padding_mask=padding_mask, need_weights=False,
            )[0]
            # by default pytorch attention does not use dropout after final attention layer
            x = x + self.drop(attention_out)
            x = x + self.mlp(self.norm2(x))
            return x

    class DecisionTransformer(nn.Module):
        def __init__(self, state_dim, action_dim, seq_len=10, episode_len=1000,
                     embedding_dim=128, num_layers=4, num_heads=8, attention_dropout=0.0,
                     residual_dropout=0.0, embedding_dropout=0.0, max_action=1.0):
            super().__init__()
            self.emb_drop = nn.Dropout(embedding_dropout)
            self.emb_norm = nn.LayerNorm(embedding_dim)

            self.out_norm = nn.LayerNorm(embedding_dim)
            # additional seq_len embeddings for padding timesteps
            self.timestep_emb = nn.Embedding(episode_len + seq_len, embedding_dim)
            self.state_emb = nn.Linear(state_dim, embedding_dim)
            self.action_emb = nn.Linear(action_dim, embedding_dim)
            self.return_emb = nn.Linear(1, embedding_dim)

            self.blocks = nn.ModuleList([
                TransformerBlock(seq_len=3 * seq_len, embedding_dim=embedding_dim,
                                 num_heads=num_heads, attention_dropout=attention_dropout,
                                 residual_dropout=residual_dropout)
                for _ in range(num_layers)
            ])
            self.action_head = nn.Sequential(nn.Linear(embedding_dim, action_dim), nn.Tanh())
            self.seq_len = seq_len
            self.embedding_dim = embedding_dim
            self.state_dim = state_dim
            self.action_dim = action_dim
            self.episode_len = episode_len
            self.max_action = max_action

            self.apply(self._init_weights)

        @staticmethod
        def _init_weights(module):
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if isinstance(module, nn.Linear) and module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.zeros_(module.bias)
                nn.init.ones_(module.weight)

        def forward(self, states, actions, returns_to_go, time_steps, padding_mask=None):
            batch_size, seq_len = states.shape[0], states.shape[1]
            # [batch_size, seq_len, emb_dim]
            time_emb = self.timestep_emb(time_steps)
            state_emb = self.state_emb(states) + time_emb
            act_emb = self.action_emb(actions) + time_emb
            returns_emb = self.return_emb(returns_to_go.unsqueeze(-1)) + time_emb

            # [batch_size, seq_len * 3, emb_dim], (r_0, s_0, a_0, r_1, s_1, a_1, ...)
            sequence = (
                torch.stack([returns_emb, state_emb, act_emb], dim=1)
                .permute(0, 2, 1, 3)
                .reshape(batch_size, 3 * seq_len, self.embedding_dim)
            )
            if padding_mask is not None:
                # [batch_size, seq_len * 3], stack mask identically to fit the sequence
                padding_mask = (
                    torch.stack([padding_mask, padding_mask, padding_mask], dim=1)
                    .permute(0, 2, 1)
                    .reshape(batch_size, 3 * seq_len)
                )
            # LayerNorm and Dropout (!!!) as in original implementation,
            # while minGPT & huggingface uses only embedding dropout
            out = self.emb_norm(sequence)
            out = self.emb_drop(out)

            for block in self.blocks:
                out = block(out, padding_mask=padding_mask)

            out = self.out_norm(out)
            # [batch_size, seq_len, action_dim]
            # predict actions only from state embeddings
            out = self.action_head(out[:, 1::3]) * self.max_action
            return out

    return DecisionTransformer


def train(torch, nn, F, optim, data, glue, update_steps=8):
    """CORL's ``train`` loop (no evaluation)."""
    random.seed(3)
    np.random.seed(3)
    torch.manual_seed(3)
    device, batch_size, seq_len = "cpu", 4, 5
    dataset = sequence_dataset(data)(seq_len=seq_len, reward_scale=0.1)
    trainloader_iter = iter(data.DataLoader(dataset, batch_size=batch_size, pin_memory=True,
                                            num_workers=0))
    model = modules(torch, nn)(
        state_dim=4, action_dim=2, embedding_dim=16, seq_len=seq_len, episode_len=12,
        num_layers=2, num_heads=2, max_action=2.0,
    ).to(device)
    share_start(torch, model, glue)
    optim_ = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4, betas=(0.9, 0.999))
    scheduler = optim.lr_scheduler.LambdaLR(optim_, lambda steps: min((steps + 1) / 4, 1))

    for step in range(update_steps):
        batch = next(trainloader_iter)
        states, actions, returns, time_steps, mask = [b.to(device) for b in batch]
        # True value indicates that the corresponding key value will be ignored
        padding_mask = ~mask.to(torch.bool)

        predicted_actions = model(
            states=states, actions=actions, returns_to_go=returns, time_steps=time_steps,
            padding_mask=padding_mask,
        )
        loss = F.mse_loss(predicted_actions, actions.detach(), reduction="none")
        # [batch_size, seq_len, action_dim] * [batch_size, seq_len, 1]
        loss = (loss * mask.unsqueeze(-1)).mean()

        optim_.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        optim_.step()
        scheduler.step()
        glue['record'].append((loss.item(), snapshot(model)))
        glue['padded'] += int((mask == 0).sum())
    glue['draws'] = (random.random(), np.random.random())
    return glue['record']


@pytest.mark.filterwarnings("ignore:'pin_memory' argument")  # PyTorch's, on a CPU
def test_corl_decision_transformer_runs_step_for_step_with_pytorch(torch) -> None:
    import nn.data
    glue = {'record': [], 'padded': 0}
    ours = train(*libraries(), nn.data, glue)
    theirs_glue = {'record': [], 'padded': 0, 'start': glue['start']}
    theirs = train(*libraries(torch), torch.utils.data, theirs_glue)
    assert glue['draws'] == theirs_glue['draws']
    assert glue['padded'] == theirs_glue['padded'] > 0
    assert_same_runs(ours, theirs)
