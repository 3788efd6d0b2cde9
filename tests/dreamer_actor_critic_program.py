"""DreamerV2's behaviour learning as RajGhugare19/dreamerv2 writes it in PyTorch
(``models/actor.py``, ``utils/module.py``, ``utils/algorithm.py``, ``training/trainer.py``):
a one-hot actor with straight-through actions, imagination rollouts in the RSSM under
``FreezeParameters`` (the world model's ``requires_grad`` off, gradients still flowing
through it to the actions), lambda returns (``torch.flip`` of a backwards loop), the
actor's REINFORCE or dynamics-backprop objective with an entropy bonus and cumulative
discounts, and the value model's regression on the detached returns. Written once for a
library ``torch`` (``autograd`` here)."""


def get_parameters(modules):
    """Given a list of torch modules, returns a list of their parameters."""
    model_parameters = []
    for module in modules:
        model_parameters += list(module.parameters())
    return model_parameters


class FreezeParameters:
    def __init__(self, modules):
        """
        Context manager to locally freeze gradients.
        In some cases with can speed up computation because gradients aren't calculated
        for these listed modules.
        """
        self.modules = modules
        self.param_states = [p.requires_grad for p in get_parameters(self.modules)]

    def __enter__(self):
        for param in get_parameters(self.modules):
            param.requires_grad = False

    def __exit__(self, exc_type, exc_val, exc_tb):
        for i, param in enumerate(get_parameters(self.modules)):
            param.requires_grad = self.param_states[i]


def compute_return(torch, reward, value, discount, bootstrap, lambda_):
    """
    Compute the discounted reward for a batch of data.
    reward, value, and discount are all shape [horizon - 1, batch, 1]
    (last element is cut off)
    Bootstrap is [batch, 1]
    """
    next_values = torch.cat([value[1:], bootstrap[None]], 0)
    target = reward + discount * next_values * (1 - lambda_)
    timesteps = list(range(reward.shape[0] - 1, -1, -1))
    outputs = []
    accumulated_reward = bootstrap
    for t in timesteps:
        inp = target[t]
        discount_factor = discount[t]
        accumulated_reward = inp + discount_factor * lambda_ * accumulated_reward
        outputs.append(accumulated_reward)
    returns = torch.flip(torch.stack(outputs), [0])
    return returns


def actor_module(torch, nn, replay):
    class DiscreteActionModel(nn.Module):
        def __init__(self, action_size, deter_size, stoch_size, embedding_size,
                     actor_info, expl_info):
            super().__init__()
            self.action_size = action_size
            self.deter_size = deter_size
            self.stoch_size = stoch_size
            self.embedding_size = embedding_size
            self.layers = actor_info['layers']
            self.node_size = actor_info['node_size']
            self.act_fn = actor_info['activation']
            self.dist = actor_info['dist']
            self.train_noise = expl_info['train_noise']
            self.eval_noise = expl_info['eval_noise']
            self.expl_min = expl_info['expl_min']
            self.expl_decay = expl_info['expl_decay']
            self.expl_type = expl_info['expl_type']
            self.model = self._build_model()

        def _build_model(self):
            model = [nn.Linear(self.deter_size + self.stoch_size, self.node_size)]
            model += [self.act_fn()]
            for i in range(1, self.layers):
                model += [nn.Linear(self.node_size, self.node_size)]
                model += [self.act_fn()]

            if self.dist == 'one_hot':
                model += [nn.Linear(self.node_size, self.action_size)]
            else:
                raise NotImplementedError
            return nn.Sequential(*model)

        def forward(self, model_state):
            action_dist = self.get_action_dist(model_state)
            action = replay(torch, action_dist.sample())
            action = action + action_dist.probs - action_dist.probs.detach()
            return action, action_dist

        def get_action_dist(self, modelstate):
            logits = self.model(modelstate)
            if self.dist == 'one_hot':
                return torch.distributions.OneHotCategorical(logits=logits)
            else:
                raise NotImplementedError

    return DiscreteActionModel


def seq_to_batch(torch, sequence_data, batch_size, seq_len):
    """
    converts a sequence of length L and batch_size B to a single batch of size L*B
    """
    shp = tuple(sequence_data.shape)
    batch_data = torch.reshape(sequence_data, [shp[0] * shp[1], *shp[2:]])
    return batch_data


def rollout_imagination(torch, RSSM, horizon, actor, prev_rssm_state):
    """``RSSM.rollout_imagination``."""
    rssm_state = prev_rssm_state
    next_rssm_states = []
    action_entropy = []
    imag_log_probs = []
    for t in range(horizon):
        action, action_dist = actor((RSSM.get_model_state(rssm_state)).detach())
        rssm_state = RSSM.rssm_imagine(action, rssm_state)
        next_rssm_states.append(rssm_state)
        action_entropy.append(action_dist.entropy())
        imag_log_probs.append(action_dist.log_prob(torch.round(action.detach())))

    next_rssm_states = RSSM.rssm_stack_states(next_rssm_states, dim=0)
    action_entropy = torch.stack(action_entropy, dim=0)
    imag_log_probs = torch.stack(imag_log_probs, dim=0)
    return next_rssm_states, imag_log_probs, action_entropy
