"""DreamerV2's world model as RajGhugare19/dreamerv2 writes it in PyTorch
(``dreamerv2/models/rssm.py``, ``utils/rssm.py``, ``models/dense.py``, ``training/trainer.py``):
an RSSM with a deterministic GRU state and a stochastic state that is either continuous
(a Normal, std = softplus + min_std) or discrete (32 categoricals, one-hot draws with the
straight-through gradient ``stoch += probs - probs.detach()``), dense decoders returning
``td.Independent`` distributions, and the KL-balanced, free-nats representation loss.
Written once for a library ``torch`` (``autograd`` here); sizes shrunk."""

from collections import namedtuple

import numpy as np

RSSMDiscState = namedtuple('RSSMDiscState', ['logit', 'stoch', 'deter'])
RSSMContState = namedtuple('RSSMContState', ['mean', 'std', 'stoch', 'deter'])


def dreamer_modules(torch, nn, replay):
    td = torch.distributions
    F = nn.functional

    class RSSMUtils(object):
        '''utility functions for dealing with rssm states'''
        def __init__(self, rssm_type, info):
            self.rssm_type = rssm_type
            if rssm_type == 'continuous':
                self.deter_size = info['deter_size']
                self.stoch_size = info['stoch_size']
                self.min_std = info['min_std']
            elif rssm_type == 'discrete':
                self.deter_size = info['deter_size']
                self.class_size = info['class_size']
                self.category_size = info['category_size']
                self.stoch_size = self.class_size * self.category_size
            else:
                raise NotImplementedError

        def get_model_state(self, rssm_state):
            if self.rssm_type == 'discrete':
                return torch.cat((rssm_state.deter, rssm_state.stoch), dim=-1)
            elif self.rssm_type == 'continuous':
                return torch.cat((rssm_state.deter, rssm_state.stoch), dim=-1)

        def rssm_detach(self, rssm_state):
            if self.rssm_type == 'discrete':
                return RSSMDiscState(
                    rssm_state.logit.detach(),
                    rssm_state.stoch.detach(),
                    rssm_state.deter.detach(),
                )
            elif self.rssm_type == 'continuous':
                return RSSMContState(
                    rssm_state.mean.detach(),
                    rssm_state.std.detach(),
                    rssm_state.stoch.detach(),
                    rssm_state.deter.detach()
                )

        def get_dist(self, rssm_state):
            if self.rssm_type == 'discrete':
                shape = rssm_state.logit.shape
                logit = torch.reshape(rssm_state.logit,
                                      shape=(*shape[:-1], self.category_size, self.class_size))
                return td.Independent(td.OneHotCategoricalStraightThrough(logits=logit), 1)
            elif self.rssm_type == 'continuous':
                return td.independent.Independent(
                    td.Normal(rssm_state.mean, rssm_state.std), 1)

        def get_stoch_state(self, stats):
            if self.rssm_type == 'discrete':
                logit = stats['logit']
                shape = logit.shape
                logit = torch.reshape(logit, shape=(*shape[:-1], self.category_size,
                                                    self.class_size))
                dist = torch.distributions.OneHotCategorical(logits=logit)
                stoch = replay(torch, dist.sample())
                stoch += dist.probs - dist.probs.detach()
                return torch.flatten(stoch, start_dim=-2, end_dim=-1)

            elif self.rssm_type == 'continuous':
                mean = stats['mean']
                std = stats['std']
                std = F.softplus(std) + self.min_std
                return mean + std * replay(torch, torch.randn_like(mean)), std

        def rssm_stack_states(self, rssm_states, dim):
            if self.rssm_type == 'discrete':
                return RSSMDiscState(
                    torch.stack([state.logit for state in rssm_states], dim=dim),
                    torch.stack([state.stoch for state in rssm_states], dim=dim),
                    torch.stack([state.deter for state in rssm_states], dim=dim),
                )
            elif self.rssm_type == 'continuous':
                return RSSMContState(
                    torch.stack([state.mean for state in rssm_states], dim=dim),
                    torch.stack([state.std for state in rssm_states], dim=dim),
                    torch.stack([state.stoch for state in rssm_states], dim=dim),
                    torch.stack([state.deter for state in rssm_states], dim=dim),
                )

        def _init_rssm_state(self, batch_size, **kwargs):
            if self.rssm_type == 'discrete':
                return RSSMDiscState(
                    torch.zeros(batch_size, self.stoch_size, **kwargs).to(self.device),
                    torch.zeros(batch_size, self.stoch_size, **kwargs).to(self.device),
                    torch.zeros(batch_size, self.deter_size, **kwargs).to(self.device),
                )
            elif self.rssm_type == 'continuous':
                return RSSMContState(
                    torch.zeros(batch_size, self.stoch_size, **kwargs).to(self.device),
                    torch.zeros(batch_size, self.stoch_size, **kwargs).to(self.device),
                    torch.zeros(batch_size, self.stoch_size, **kwargs).to(self.device),
                    torch.zeros(batch_size, self.deter_size, **kwargs).to(self.device),
                )

    class RSSM(nn.Module, RSSMUtils):
        def __init__(self, action_size, rssm_node_size, embedding_size, device, rssm_type,
                     info, act_fn=nn.ELU):
            nn.Module.__init__(self)
            RSSMUtils.__init__(self, rssm_type=rssm_type, info=info)
            self.device = device
            self.action_size = action_size
            self.node_size = rssm_node_size
            self.embedding_size = embedding_size
            self.act_fn = act_fn
            self.rnn = nn.GRUCell(self.deter_size, self.deter_size)
            self.fc_embed_state_action = self._build_embed_state_action()
            self.fc_prior = self._build_temporal_prior()
            self.fc_posterior = self._build_temporal_posterior()

        def _build_embed_state_action(self):
            fc_embed_state_action = [nn.Linear(self.stoch_size + self.action_size,
                                               self.deter_size)]
            fc_embed_state_action += [self.act_fn()]
            return nn.Sequential(*fc_embed_state_action)

        def _build_temporal_prior(self):
            temporal_prior = [nn.Linear(self.deter_size, self.node_size)]
            temporal_prior += [self.act_fn()]
            if self.rssm_type == 'discrete':
                temporal_prior += [nn.Linear(self.node_size, self.stoch_size)]
            elif self.rssm_type == 'continuous':
                temporal_prior += [nn.Linear(self.node_size, 2 * self.stoch_size)]
            return nn.Sequential(*temporal_prior)

        def _build_temporal_posterior(self):
            temporal_posterior = [nn.Linear(self.deter_size + self.embedding_size,
                                            self.node_size)]
            temporal_posterior += [self.act_fn()]
            if self.rssm_type == 'discrete':
                temporal_posterior += [nn.Linear(self.node_size, self.stoch_size)]
            elif self.rssm_type == 'continuous':
                temporal_posterior += [nn.Linear(self.node_size, 2 * self.stoch_size)]
            return nn.Sequential(*temporal_posterior)

        def rssm_imagine(self, prev_action, prev_rssm_state, nonterms=True):
            state_action_embed = self.fc_embed_state_action(
                torch.cat([prev_rssm_state.stoch * nonterms, prev_action], dim=-1))
            deter_state = self.rnn(state_action_embed, prev_rssm_state.deter * nonterms)
            if self.rssm_type == 'discrete':
                prior_logit = self.fc_prior(deter_state)
                stats = {'logit': prior_logit}
                prior_stoch_state = self.get_stoch_state(stats)
                prior_rssm_state = RSSMDiscState(prior_logit, prior_stoch_state, deter_state)

            elif self.rssm_type == 'continuous':
                prior_mean, prior_std = torch.chunk(self.fc_prior(deter_state), 2, dim=-1)
                stats = {'mean': prior_mean, 'std': prior_std}
                prior_stoch_state, std = self.get_stoch_state(stats)
                prior_rssm_state = RSSMContState(prior_mean, std, prior_stoch_state,
                                                 deter_state)
            return prior_rssm_state

        def rssm_observe(self, obs_embed, prev_action, prev_nonterm, prev_rssm_state):
            prior_rssm_state = self.rssm_imagine(prev_action, prev_rssm_state, prev_nonterm)
            deter_state = prior_rssm_state.deter
            x = torch.cat([deter_state, obs_embed], dim=-1)
            if self.rssm_type == 'discrete':
                posterior_logit = self.fc_posterior(x)
                stats = {'logit': posterior_logit}
                posterior_stoch_state = self.get_stoch_state(stats)
                posterior_rssm_state = RSSMDiscState(posterior_logit, posterior_stoch_state,
                                                     deter_state)

            elif self.rssm_type == 'continuous':
                posterior_mean, posterior_std = torch.chunk(self.fc_posterior(x), 2, dim=-1)
                stats = {'mean': posterior_mean, 'std': posterior_std}
                posterior_stoch_state, std = self.get_stoch_state(stats)
                posterior_rssm_state = RSSMContState(posterior_mean, std,
                                                     posterior_stoch_state, deter_state)
            return prior_rssm_state, posterior_rssm_state

        def rollout_observation(self, seq_len, obs_embed, action, nonterms, prev_rssm_state):
            priors = []
            posteriors = []
            for t in range(seq_len):
                prev_action = action[t] * nonterms[t]
                prior_rssm_state, posterior_rssm_state = self.rssm_observe(
                    obs_embed[t], prev_action, nonterms[t], prev_rssm_state)
                priors.append(prior_rssm_state)
                posteriors.append(posterior_rssm_state)
                prev_rssm_state = posterior_rssm_state
            prior = self.rssm_stack_states(priors, dim=0)
            post = self.rssm_stack_states(posteriors, dim=0)
            return prior, post

    class DenseModel(nn.Module):
        def __init__(self, output_shape, input_size, info):
            super().__init__()
            self._output_shape = output_shape
            self._input_size = input_size
            self._layers = info['layers']
            self._node_size = info['node_size']
            self.activation = info['activation']
            self.dist = info['dist']
            self.model = self.build_model()

        def build_model(self):
            model = [nn.Linear(self._input_size, self._node_size)]
            model += [self.activation()]
            for i in range(1, self._layers):
                model += [nn.Linear(self._node_size, self._node_size)]
                model += [self.activation()]
            model += [nn.Linear(self._node_size, int(np.prod(self._output_shape)))]
            return nn.Sequential(*model)

        def forward(self, input):
            dist_inputs = self.model(input)
            if self.dist == 'normal':
                return td.independent.Independent(td.Normal(dist_inputs, 1),
                                                  len(self._output_shape))
            if self.dist == 'binary':
                return td.independent.Independent(td.Bernoulli(logits=dist_inputs),
                                                  len(self._output_shape))
            if self.dist is None:
                return dist_inputs

            raise NotImplementedError(self._dist)

    return RSSM, DenseModel


def kl_loss(torch, RSSM, kl_info, prior, posterior):
    """``Trainer._kl_loss``: KL balancing (the prior learns faster than the posterior is
    regularised) with free nats."""
    kl_divergence = torch.distributions.kl_divergence
    prior_dist = RSSM.get_dist(prior)
    post_dist = RSSM.get_dist(posterior)
    if kl_info['use_kl_balance']:
        alpha = kl_info['kl_balance_scale']
        kl_lhs = torch.mean(kl_divergence(RSSM.get_dist(RSSM.rssm_detach(posterior)),
                                          prior_dist))
        kl_rhs = torch.mean(kl_divergence(post_dist,
                                          RSSM.get_dist(RSSM.rssm_detach(prior))))
        if kl_info['use_free_nats']:
            free_nats = kl_info['free_nats']
            kl_lhs = torch.max(kl_lhs, kl_lhs.new_full(kl_lhs.size(), free_nats))
            kl_rhs = torch.max(kl_rhs, kl_rhs.new_full(kl_rhs.size(), free_nats))
        kl_loss = alpha * kl_rhs + (1 - alpha) * kl_lhs

    else:
        kl_loss = torch.mean(kl_divergence(post_dist, prior_dist))
        if kl_info['use_free_nats']:
            free_nats = kl_info['free_nats']
            kl_loss = torch.max(kl_loss, kl_loss.new_full(kl_loss.size(), free_nats))
    return prior_dist, post_dist, kl_loss
