"""DreamerV3's discrete latents and two-hot heads (NM512/dreamerv3-torch; program in
``dreamerv3_program.py``) trained step for step next to PyTorch from the same weights
(float64): a layer-normed GRU over a short sequence, prior and posterior logits as 4
categoricals of 5 classes, ``Independent(OneHotDist(logits, unimix_ratio=0.01), 1)`` with
straight-through draws, the dynamics/representation KL with free bits, a reward head whose
``DiscDist.log_prob`` is the two-hot cross-entropy over symlog buckets, and Adam. Losses,
gradients, parameters, ``mode()`` and the reward head's ``mean()`` agree to 1e-10.

Lines written differently here, and why:
- ``m.bias.data.fill_(0.0)`` in ``weight_init`` is ``m.bias.data[...] = 0.0``: ``.data`` is
  the NumPy array here (by design); ``nn.init.trunc_normal_(m.weight.data, ...)`` works as
  written (our init functions take the array);
- ``torch.split(parts, [size] * 3, -1)`` is ``parts.split(...)``: ``autograd.split`` would
  read as NumPy's ``np.split`` (sections, not sizes), so it stays a method here;
- the draws of ``OneHotDist.sample`` are PyTorch's, replayed in ours.
"""

import numpy as np

import autograd as ag
import nn
from dreamerv3_program import dreamerv3_tools, kl_loss
from world_models_helpers import Replay, assert_records, copy_weights

OBS, ACTION, DETER, STOCH, DISCRETE, T, B = 6, 2, 8, 4, 5, 4, 3


def build(torch, nn_, replay):
    OneHotDist, DiscDist, GRUCell, weight_init, symlog, _ = dreamerv3_tools(torch, nn_, replay)

    class TinyWorldModel(nn_.Module):
        def __init__(self):
            super().__init__()
            self._img_in = nn_.Linear(STOCH * DISCRETE + ACTION, DETER)
            self._cell = GRUCell(DETER, DETER)
            self._prior = nn_.Linear(DETER, STOCH * DISCRETE)
            self._post = nn_.Linear(DETER + OBS, STOCH * DISCRETE)
            self._reward = nn_.Linear(DETER + STOCH * DISCRETE, 255)
            self.apply(weight_init)

        def get_dist(self, state):
            logit = state["logit"]
            return torch.distributions.independent.Independent(
                OneHotDist(logit, unimix_ratio=0.01), 1)

        def forward(self, obs, action):
            deter = torch.zeros(B, DETER)
            stoch = torch.zeros(B, STOCH, DISCRETE)
            posts, priors, feats = [], [], []
            for t in range(T):
                x = torch.cat([stoch.reshape(B, -1), action[t]], -1)
                deter, _ = self._cell(nn_.functional.silu(self._img_in(x)), [deter])
                prior = {"logit": self._prior(deter).reshape(B, STOCH, DISCRETE)}
                post = {"logit": self._post(torch.cat([deter, symlog(obs[t])], -1)).reshape(
                    B, STOCH, DISCRETE)}
                stoch = self.get_dist(post).sample()
                posts.append(post)
                priors.append(prior)
                feats.append(torch.cat([deter, stoch.reshape(B, -1)], -1))
            stack = lambda states: {"logit": torch.stack([s["logit"] for s in states])}  # noqa
            return stack(posts), stack(priors), torch.stack(feats)

    return TinyWorldModel(), DiscDist


def data(seed: int = 0):
    from sklearn.datasets import load_digits
    rng = np.random.default_rng(seed)
    obs = load_digits().data[rng.integers(0, 1797, (T, B)), 20:20 + OBS]
    action = np.eye(ACTION)[rng.integers(0, ACTION, (T, B))]
    reward = rng.standard_normal((T, B)) * [[0.1], [1.0], [10.0], [100.0]]
    return obs, action, reward


def train(torch, optim, model, DiscDist, steps: int = 3) -> list:
    opt = optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    obs, action, reward = (torch.tensor(x) for x in data())
    record = []
    for _ in range(steps):
        post, prior, feat = model(obs, action)
        kl, value, dyn_loss, rep_loss = kl_loss(torch, model.get_dist, post, prior, 1.0,
                                                0.5, 0.1)
        reward_dist = DiscDist(model._reward(feat))
        reward_loss = -reward_dist.log_prob(reward[..., None])
        loss = torch.mean(kl + reward_loss)
        opt.zero_grad()
        loss.backward()
        record.append([np.asarray(loss.item()), value.detach().numpy(),
                       reward_dist.mean().detach().numpy(),
                       model.get_dist(post).base_dist.mode().detach().numpy()]
                      + [p.grad.numpy().copy() for p in model.parameters()])
        opt.step()
    record.append([p.detach().numpy().copy() for p in model.parameters()])
    return record


def test_dreamerv3_discrete_latents_and_two_hot_rewards(torch):
    torch.manual_seed(0)
    replay = Replay()
    theirs, their_disc = build(torch, torch.nn, replay)
    ours, our_disc = build(ag, nn, replay)
    copy_weights(ours, theirs)
    want = train(torch, torch.optim, theirs, their_disc)
    assert_records(train(ag, nn.optim, ours, our_disc), want)
