"""MuZero's fully connected network and training step as werner-duvaud/muzero-general
writes them in PyTorch (``models.py``, ``trainer.py``): representation, dynamics and
prediction networks (each wrapped in ``DataParallel``), hidden states min-max scaled to
[0, 1], values and rewards as categorical distributions over a support with the h(x)
scaling of Pohlen et al. (``scalar_to_support`` by two ``scatter_``,
``support_to_scalar``), the K-step unroll with ``hidden_state.register_hook(lambda grad:
grad * 0.5)``, per-step loss hooks dividing by the gradient scale, and PER weights.
Written once for a library ``torch`` (``autograd`` here)."""

from abc import ABC, abstractmethod

import numpy


def support_to_scalar(torch, logits, support_size):
    """
    Transform a categorical representation to a scalar
    See paper appendix Network Architecture
    """
    # Decode to a scalar
    probabilities = torch.softmax(logits, dim=1)
    support = (
        torch.tensor([x for x in range(-support_size, support_size + 1)])
        .expand(probabilities.shape)
        .double()  # .float() in the float32 original
        .to(device=probabilities.device)
    )
    x = torch.sum(support * probabilities, dim=1, keepdim=True)

    # Invert the scaling (defined in https://arxiv.org/abs/1805.11593)
    x = torch.sign(x) * (
        ((torch.sqrt(1 + 4 * 0.001 * (torch.abs(x) + 1 + 0.001)) - 1) / (2 * 0.001))
        ** 2
        - 1
    )
    return x


def scalar_to_support(torch, x, support_size):
    """
    Transform a scalar to a categorical representation with (2 * support_size + 1) categories
    See paper appendix Network Architecture
    """
    # Reduce the scale (defined in https://arxiv.org/abs/1805.11593)
    x = torch.sign(x) * (torch.sqrt(torch.abs(x) + 1) - 1) + 0.001 * x

    # Encode on a vector
    x = torch.clamp(x, -support_size, support_size)
    floor = x.floor()
    prob = x - floor
    logits = torch.zeros(x.shape[0], x.shape[1], 2 * support_size + 1).to(x.device)
    logits.scatter_(
        2, (floor + support_size).long().unsqueeze(-1), (1 - prob).unsqueeze(-1)
    )
    indexes = floor + support_size + 1
    prob = prob.masked_fill_(2 * support_size < indexes, 0.0)
    indexes = indexes.masked_fill_(2 * support_size < indexes, 0.0)
    logits.scatter_(2, indexes.long().unsqueeze(-1), prob.unsqueeze(-1))
    return logits


def muzero_network(torch):
    def mlp(input_size, layer_sizes, output_size, output_activation=torch.nn.Identity,
            activation=torch.nn.ELU):
        sizes = [input_size] + layer_sizes + [output_size]
        layers = []
        for i in range(len(sizes) - 1):
            act = activation if i < len(sizes) - 2 else output_activation
            layers += [torch.nn.Linear(sizes[i], sizes[i + 1]), act()]
        return torch.nn.Sequential(*layers)

    def dict_to_cpu(dictionary):
        cpu_dict = {}
        for key, value in dictionary.items():
            if isinstance(value, torch.Tensor):
                cpu_dict[key] = value.cpu()
            elif isinstance(value, dict):
                cpu_dict[key] = dict_to_cpu(value)
            else:
                cpu_dict[key] = value
        return cpu_dict

    class AbstractNetwork(ABC, torch.nn.Module):
        def __init__(self):
            super().__init__()
            pass

        @abstractmethod
        def initial_inference(self, observation):
            pass

        @abstractmethod
        def recurrent_inference(self, encoded_state, action):
            pass

        def get_weights(self):
            return dict_to_cpu(self.state_dict())

        def set_weights(self, weights):
            self.load_state_dict(weights)

    class MuZeroFullyConnectedNetwork(AbstractNetwork):
        def __init__(self, observation_shape, stacked_observations, action_space_size,
                     encoding_size, fc_reward_layers, fc_value_layers, fc_policy_layers,
                     fc_representation_layers, fc_dynamics_layers, support_size):
            super().__init__()
            self.action_space_size = action_space_size
            self.full_support_size = 2 * support_size + 1

            self.representation_network = torch.nn.DataParallel(
                mlp(
                    observation_shape[0]
                    * observation_shape[1]
                    * observation_shape[2]
                    * (stacked_observations + 1)
                    + stacked_observations * observation_shape[1] * observation_shape[2],
                    fc_representation_layers,
                    encoding_size,
                )
            )

            self.dynamics_encoded_state_network = torch.nn.DataParallel(
                mlp(
                    encoding_size + self.action_space_size,
                    fc_dynamics_layers,
                    encoding_size,
                )
            )
            self.dynamics_reward_network = torch.nn.DataParallel(
                mlp(encoding_size, fc_reward_layers, self.full_support_size)
            )

            self.prediction_policy_network = torch.nn.DataParallel(
                mlp(encoding_size, fc_policy_layers, self.action_space_size)
            )
            self.prediction_value_network = torch.nn.DataParallel(
                mlp(encoding_size, fc_value_layers, self.full_support_size)
            )

        def prediction(self, encoded_state):
            policy_logits = self.prediction_policy_network(encoded_state)
            value = self.prediction_value_network(encoded_state)
            return policy_logits, value

        def representation(self, observation):
            encoded_state = self.representation_network(
                observation.view(observation.shape[0], -1)
            )
            # Scale encoded state between [0, 1] (See appendix paper Training)
            min_encoded_state = encoded_state.min(1, keepdim=True)[0]
            max_encoded_state = encoded_state.max(1, keepdim=True)[0]
            scale_encoded_state = max_encoded_state - min_encoded_state
            scale_encoded_state[scale_encoded_state < 1e-5] += 1e-5
            encoded_state_normalized = (
                encoded_state - min_encoded_state
            ) / scale_encoded_state
            return encoded_state_normalized

        def dynamics(self, encoded_state, action):
            # Stack encoded_state with a game specific one hot encoded action
            action_one_hot = (
                torch.zeros((action.shape[0], self.action_space_size))
                .to(action.device)
                .double()  # .float() in the float32 original
            )
            action_one_hot.scatter_(1, action.long(), 1.0)
            x = torch.cat((encoded_state, action_one_hot), dim=1)

            next_encoded_state = self.dynamics_encoded_state_network(x)

            reward = self.dynamics_reward_network(next_encoded_state)

            # Scale encoded state between [0, 1] (See paper appendix Training)
            min_next_encoded_state = next_encoded_state.min(1, keepdim=True)[0]
            max_next_encoded_state = next_encoded_state.max(1, keepdim=True)[0]
            scale_next_encoded_state = max_next_encoded_state - min_next_encoded_state
            scale_next_encoded_state[scale_next_encoded_state < 1e-5] += 1e-5
            next_encoded_state_normalized = (
                next_encoded_state - min_next_encoded_state
            ) / scale_next_encoded_state
            return next_encoded_state_normalized, reward

        def initial_inference(self, observation):
            encoded_state = self.representation(observation)
            policy_logits, value = self.prediction(encoded_state)
            # reward equal to 0 for consistency
            reward = torch.log(
                (
                    torch.zeros(1, self.full_support_size)
                    .scatter(1, torch.tensor([[self.full_support_size // 2]]).long(), 1.0)
                    # .repeat(len(observation), 1): ours refuses it on a 2-d tensor
                    # (NumPy's repeat(4, axis=1) or PyTorch's tile?); tile is both's
                    .tile(len(observation), 1)
                    .to(observation.device)
                )
            )

            return (
                value,
                reward,
                policy_logits,
                encoded_state,
            )

        def recurrent_inference(self, encoded_state, action):
            next_encoded_state, reward = self.dynamics(encoded_state, action)
            policy_logits, value = self.prediction(next_encoded_state)
            return value, reward, policy_logits, next_encoded_state

    return MuZeroFullyConnectedNetwork


def loss_function(torch, value, reward, policy_logits, target_value, target_reward,
                  target_policy):
    # Cross-entropy seems to have a better convergence than MSE
    value_loss = (-target_value * torch.nn.LogSoftmax(dim=1)(value)).sum(1)
    reward_loss = (-target_reward * torch.nn.LogSoftmax(dim=1)(reward)).sum(1)
    policy_loss = (-target_policy * torch.nn.LogSoftmax(dim=1)(policy_logits)).sum(1)
    return value_loss, reward_loss, policy_loss


def batch(seed: int = 0, size: int = 4, unroll: int = 3, actions: int = 2):
    """A replay batch: observations (1, 1, 4), actions, value/reward targets (some far
    outside the support: clamped), visit-count policies, gradient scales, PER weights."""
    rng = numpy.random.default_rng(seed)
    policy = rng.dirichlet(numpy.ones(actions), (size, unroll + 1))
    return dict(observation_batch=rng.standard_normal((size, 1, 1, 4)),
                action_batch=rng.integers(0, actions, (size, unroll + 1)),
                target_value=rng.standard_normal((size, unroll + 1)) * [[3, 30, 300, 3]],
                target_reward=rng.standard_normal((size, unroll + 1)) * 2,
                target_policy=policy,
                gradient_scale_batch=numpy.full((size, unroll + 1), float(unroll)),
                weight_batch=rng.uniform(0.5, 1.0, size))
