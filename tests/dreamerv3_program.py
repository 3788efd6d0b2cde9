"""DreamerV3's distributions and world-model losses as NM512/dreamerv3-torch writes them
(``tools.py``, ``networks.py``): ``OneHotDist`` (a subclass of
``torchd.one_hot_categorical.OneHotCategorical`` mixing 1% uniform into the probabilities,
straight-through ``sample`` and ``mode``), ``DiscDist`` (two-hot targets over 255 symlog
buckets), ``symlog``/``symexp``, the layer-normed ``GRUCell``, ``weight_init`` (truncated
normal by fan average), and the dynamics/representation KL with free bits
(``torch.clip(loss, min=free)``). Written once for a library ``torch`` (``autograd``
here); sizes shrunk."""

import numpy as np


def dreamerv3_tools(torch, nn, replay):
    torchd = torch.distributions
    F = nn.functional

    class OneHotDist(torchd.one_hot_categorical.OneHotCategorical):
        def __init__(self, logits=None, probs=None, unimix_ratio=0.0):
            if logits is not None and unimix_ratio > 0.0:
                probs = F.softmax(logits, dim=-1)
                probs = probs * (1.0 - unimix_ratio) + unimix_ratio / probs.shape[-1]
                logits = torch.log(probs)
                super().__init__(logits=logits, probs=None)
            else:
                super().__init__(logits=logits, probs=probs)

        def mode(self):
            _mode = F.one_hot(
                torch.argmax(super().logits, axis=-1), super().logits.shape[-1]
            )
            return _mode.detach() + super().logits - super().logits.detach()

        def sample(self, sample_shape=(), seed=None):
            if seed is not None:
                raise ValueError("need to check")
            sample = replay(torch, super().sample(sample_shape)).detach()  # replay: glue
            probs = super().probs
            while len(probs.shape) < len(sample.shape):
                probs = probs[None]
            sample += probs - probs.detach()
            return sample

    def symlog(x):
        return torch.sign(x) * torch.log(torch.abs(x) + 1.0)

    def symexp(x):
        return torch.sign(x) * (torch.exp(torch.abs(x)) - 1.0)

    class DiscDist:
        def __init__(self, logits, low=-20.0, high=20.0, transfwd=symlog, transbwd=symexp,
                     device="cpu"):
            self.logits = logits
            self.probs = torch.softmax(logits, -1)
            self.buckets = torch.linspace(low, high, steps=255, device=device)
            self.width = (self.buckets[-1] - self.buckets[0]) / 255
            self.transfwd = transfwd
            self.transbwd = transbwd

        def mean(self):
            _mean = self.probs * self.buckets
            return self.transbwd(torch.sum(_mean, dim=-1, keepdim=True))

        def mode(self):
            _mode = self.probs * self.buckets
            return self.transbwd(torch.sum(_mode, dim=-1, keepdim=True))

        # Inside OneHotCategorical, log_prob is calculated using only max element in targets
        def log_prob(self, x):
            x = self.transfwd(x)
            # x(time, batch, 1)
            below = torch.sum((self.buckets <= x[..., None]).to(torch.int32), dim=-1) - 1
            above = len(self.buckets) - torch.sum(
                (self.buckets > x[..., None]).to(torch.int32), dim=-1
            )
            # this is implemented using clip at the original repo as the gradients are not
            # backpropagated for the out of limits.
            below = torch.clip(below, 0, len(self.buckets) - 1)
            above = torch.clip(above, 0, len(self.buckets) - 1)
            equal = below == above

            dist_to_below = torch.where(equal, 1, torch.abs(self.buckets[below] - x))
            dist_to_above = torch.where(equal, 1, torch.abs(self.buckets[above] - x))
            total = dist_to_below + dist_to_above
            weight_below = dist_to_above / total
            weight_above = dist_to_below / total
            target = (
                F.one_hot(below, num_classes=len(self.buckets)) * weight_below[..., None]
                + F.one_hot(above, num_classes=len(self.buckets)) * weight_above[..., None]
            )
            log_pred = self.logits - torch.logsumexp(self.logits, -1, keepdim=True)
            target = target.squeeze(-2)

            return (target * log_pred).sum(-1)

    class GRUCell(nn.Module):
        def __init__(self, inp_size, size, norm=True, act=torch.tanh, update_bias=-1):
            super(GRUCell, self).__init__()
            self._inp_size = inp_size
            self._size = size
            self._act = act
            self._update_bias = update_bias
            self._layers = nn.Sequential()
            self._layers.add_module(
                "GRU_linear", nn.Linear(inp_size + size, 3 * size, bias=False)
            )
            if norm:
                self._layers.add_module("GRU_norm", nn.LayerNorm(3 * size, eps=1e-03))

        @property
        def state_size(self):
            return self._size

        def forward(self, inputs, state):
            state = state[0]  # Keras wraps the state in a list.
            parts = self._layers(torch.cat([inputs, state], -1))
            reset, cand, update = parts.split([self._size] * 3, -1)  # torch.split(parts, ...)
            reset = torch.sigmoid(reset)
            cand = self._act(reset * cand)
            update = torch.sigmoid(update + self._update_bias)
            output = update * cand + (1 - update) * state
            return output, [output]

    def weight_init(m):
        if isinstance(m, nn.Linear):
            in_num = m.in_features
            out_num = m.out_features
            denoms = (in_num + out_num) / 2.0
            scale = 1.0 / denoms
            std = np.sqrt(scale) / 0.87962566103423978
            nn.init.trunc_normal_(
                m.weight.data, mean=0.0, std=std, a=-2.0 * std, b=2.0 * std
            )
            if hasattr(m.bias, "data"):
                m.bias.data[...] = 0.0  # m.bias.data.fill_(0.0): .data is NumPy's here
        elif isinstance(m, nn.LayerNorm):
            m.weight.data[...] = 1.0  # m.weight.data.fill_(1.0)
            if hasattr(m.bias, "data"):
                m.bias.data[...] = 0.0  # m.bias.data.fill_(0.0)

    return OneHotDist, DiscDist, GRUCell, weight_init, symlog, symexp


def kl_loss(torch, get_dist, post, prior, free, dyn_scale, rep_scale):
    """``RSSM.kl_loss`` (discrete latents): the representation loss trains the posterior
    towards the detached prior, the dynamics loss the prior towards the detached posterior,
    each clipped below at ``free`` nats."""
    kld = torch.distributions.kl.kl_divergence
    dist = lambda x: get_dist(x)  # noqa: E731 (the original's spelling)
    sg = lambda x: {k: v.detach() for k, v in x.items()}  # noqa: E731
    rep_loss = value = kld(dist(post), dist(sg(prior)))
    dyn_loss = kld(dist(sg(post)), dist(prior))
    # this is implemented using maximum at the original repo as the gradients are not
    # backpropagated for the out of limits.
    rep_loss = torch.clip(rep_loss, min=free)
    dyn_loss = torch.clip(dyn_loss, min=free)
    loss = dyn_scale * dyn_loss + rep_scale * rep_loss

    return loss, value, dyn_loss, rep_loss
