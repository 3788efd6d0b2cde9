"""BYOL as lucidrains/byol-pytorch's readers write it (simplified: one file, its names),
shrunk to scikit-learn's 8x8 digits (sthalles/PyTorch-BYOL's trainer:
``test_pytorch_ports_contrastive_byol_trainer.py``): ``singleton`` caching the lazily
built projector and target encoder on attributes first set to ``None``, ``NetWrapper``
taking the hidden layer by a forward hook on ``children[self.layer]``
(``self.hidden[input[0].device] = flatten(output)``), the projector built on first use
(``MLP(dim, ...)`` with ``.to(hidden)``), ``copy.deepcopy(self.online_encoder)`` with
``p.requires_grad = val`` for every parameter, ``EMA.update_average`` ``old * beta +
(1 - beta) * new`` assigned by ``ma_params.data = ...``, a mock forward of
``torch.randn(2, 1, image_size, image_size, device=device)`` in the constructor,
``loss_fn`` ``2 - 2 * (x * y).sum(dim=-1)`` after ``F.normalize(x, dim=-1, p=2)``,
``chunk(2, dim=0)``, the target under ``torch.no_grad()`` with ``.detach()``, the
symmetric loss; Adam over ``learner.parameters()`` (the target's included: they get no
gradient) and ``learner.update_moving_average()`` after each step.

Written once for a library ``T`` and run step for step next to PyTorch's from the same
weights (float64): losses, gradients, parameters and buffers, online and target, agree;
Adam moves the biases before a BatchNorm by round-off / eps, so those agree to 1e-7 and,
through the target's copy of the projection's bias, the rest to 1e-8. (The learner's
parameters were listed in another order than PyTorch's: the target encoder, set on first
use where ``self.target_encoder = None`` stood, now comes last, as PyTorch registers it.)

Lines written differently here: kornia's augmentations are hand-written (batched: one
crop for the batch, a flip per image by ``torch.where``); ``torchvision.models.resnet18``
is a small stand-in.
"""

import copy
import random
from functools import wraps

from contrastive_helpers import assert_same_up_to_adam_noise, digits, grads, libraries, state


def resnet18(lib, T):
    """A stand-in for ``torchvision.models.resnet18()``: its children, sized for 8x8."""
    class ResNet(lib.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.Conv2d(1, 6, 3, stride=2, padding=1, bias=False)
            self.bn1 = lib.BatchNorm2d(6)
            self.relu = lib.ReLU(inplace=True)
            self.avgpool = lib.AdaptiveAvgPool2d((1, 1))
            self.fc = lib.Linear(6, 10)

        def forward(self, x):
            x = self.avgpool(self.relu(self.bn1(self.conv1(x))))
            return self.fc(T.flatten(x, 1))

    return ResNet()


def lucidrains(torch, images, start=None, steps=4, batch_size=8):
    T, nn, F, optim, data = libraries(torch)
    T.manual_seed(0)
    random.seed(0)

    def default(val, def_val):
        return def_val if val is None else val

    def flatten(t):
        return t.reshape(t.shape[0], -1)

    def singleton(cache_key):
        def inner_fn(fn):
            @wraps(fn)
            def wrapper(self, *args, **kwargs):
                instance = getattr(self, cache_key)
                if instance is not None:
                    return instance
                instance = fn(self, *args, **kwargs)
                setattr(self, cache_key, instance)
                return instance
            return wrapper
        return inner_fn

    def get_module_device(module):
        return next(module.parameters()).device

    def set_requires_grad(model, val):
        for p in model.parameters():
            p.requires_grad = val

    def loss_fn(x, y):
        x = F.normalize(x, dim=-1, p=2)
        y = F.normalize(y, dim=-1, p=2)
        return 2 - 2 * (x * y).sum(dim=-1)

    class RandomApply(nn.Module):
        def __init__(self, fn, p):
            super().__init__()
            self.fn = fn
            self.p = p

        def forward(self, x):
            if random.random() > self.p:
                return x
            return self.fn(x)

    class EMA():
        def __init__(self, beta):
            super().__init__()
            self.beta = beta

        def update_average(self, old, new):
            if old is None:
                return new
            return old * self.beta + (1 - self.beta) * new

    def update_moving_average(ema_updater, ma_model, current_model):
        for current_params, ma_params in zip(current_model.parameters(),
                                             ma_model.parameters()):
            old_weight, up_weight = ma_params.data, current_params.data
            ma_params.data = ema_updater.update_average(old_weight, up_weight)

    def MLP(dim, projection_size, hidden_size=4096):
        return nn.Sequential(nn.Linear(dim, hidden_size), nn.BatchNorm1d(hidden_size),
                             nn.ReLU(inplace=True), nn.Linear(hidden_size, projection_size))

    class NetWrapper(nn.Module):
        def __init__(self, net, projection_size, projection_hidden_size, layer=-2):
            super().__init__()
            self.net = net
            self.layer = layer
            self.projector = None
            self.projection_size = projection_size
            self.projection_hidden_size = projection_hidden_size
            self.hidden = {}
            self.hook_registered = False

        def _find_layer(self):
            if type(self.layer) == str:  # noqa: E721 (lucidrains' line)
                modules = dict([*self.net.named_modules()])
                return modules.get(self.layer, None)
            elif type(self.layer) == int:  # noqa: E721
                children = [*self.net.children()]
                return children[self.layer]
            return None

        def _hook(self, _, input, output):
            device = input[0].device
            self.hidden[device] = flatten(output)

        def _register_hook(self):
            layer = self._find_layer()
            assert layer is not None, f'hidden layer ({self.layer}) not found'
            layer.register_forward_hook(self._hook)
            self.hook_registered = True

        @singleton('projector')
        def _get_projector(self, hidden):
            _, dim = hidden.shape
            projector = MLP(dim, self.projection_size, self.projection_hidden_size)
            return projector.to(hidden)

        def get_representation(self, x):
            if self.layer == -1:
                return self.net(x)
            if not self.hook_registered:
                self._register_hook()
            self.hidden.clear()
            _ = self.net(x)
            hidden = self.hidden[x.device]
            self.hidden.clear()
            assert hidden is not None, f'hidden layer {self.layer} never emitted an output'
            return hidden

        def forward(self, x, return_projection=True):
            representation = self.get_representation(x)
            if not return_projection:
                return representation
            projector = self._get_projector(representation)
            projection = projector(representation)
            return projection, representation

    def default_aug(x):  # kornia's pipeline, by hand: one crop, a flip per image, noise
        x = F.pad(x, (1, 1, 1, 1))
        i, j = T.randint(0, 3, (2,)).tolist()
        x = x[..., i:i + 8, j:j + 8]
        flip = T.rand(x.shape[0], 1, 1, 1) < 0.5
        x = T.where(flip, T.flip(x, dims=[3]), x)
        return x + 0.05 * T.randn_like(x)

    class BYOL(nn.Module):
        def __init__(self, net, image_size, hidden_layer=-2, projection_size=256,
                     projection_hidden_size=4096, augment_fn=None, augment_fn2=None,
                     moving_average_decay=0.99, use_momentum=True):
            super().__init__()
            self.net = net
            DEFAULT_AUG = RandomApply(default_aug, p=0.8)
            self.augment1 = default(augment_fn, DEFAULT_AUG)
            self.augment2 = default(augment_fn2, self.augment1)
            self.online_encoder = NetWrapper(net, projection_size, projection_hidden_size,
                                             layer=hidden_layer)
            self.use_momentum = use_momentum
            self.target_encoder = None
            self.target_ema_updater = EMA(moving_average_decay)
            self.online_predictor = MLP(projection_size, projection_size,
                                        projection_hidden_size)
            # get device of network and make wrapper same device
            device = get_module_device(net)
            self.to(device)
            # send a mock image tensor to instantiate singleton parameters
            self.forward(T.randn(2, 1, image_size, image_size, device=device))

        @singleton('target_encoder')
        def _get_target_encoder(self):
            target_encoder = copy.deepcopy(self.online_encoder)
            set_requires_grad(target_encoder, False)
            return target_encoder

        def reset_moving_average(self):
            del self.target_encoder
            self.target_encoder = None

        def update_moving_average(self):
            assert self.use_momentum, 'you do not need to update the moving average'
            assert self.target_encoder is not None, 'target encoder has not been created yet'
            update_moving_average(self.target_ema_updater, self.target_encoder,
                                  self.online_encoder)

        def forward(self, x, return_embedding=False, return_projection=True):
            assert not (self.training and x.shape[0] == 1), 'you must have greater than 1 sample when training, due to the batchnorm in the projection layer'  # noqa: E501
            if return_embedding:
                return self.online_encoder(x, return_projection=return_projection)
            image_one, image_two = self.augment1(x), self.augment2(x)
            images = T.cat((image_one, image_two), dim=0)
            online_projections, _ = self.online_encoder(images)
            online_predictions = self.online_predictor(online_projections)
            online_pred_one, online_pred_two = online_predictions.chunk(2, dim=0)
            with T.no_grad():
                target_encoder = (self._get_target_encoder() if self.use_momentum
                                  else self.online_encoder)
                target_projections, _ = target_encoder(images)
                target_projections = target_projections.detach()
                target_proj_one, target_proj_two = target_projections.chunk(2, dim=0)
            loss_one = loss_fn(online_pred_one, target_proj_two.detach())
            loss_two = loss_fn(online_pred_two, target_proj_one.detach())
            loss = loss_one + loss_two
            return loss.mean()

    resnet = resnet18(nn, T)
    learner = BYOL(resnet, image_size=8, hidden_layer=-2, projection_size=4,
                   projection_hidden_size=8, moving_average_decay=0.9)
    if start is not None:
        learner.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(learner), [p.requires_grad for p in learner.parameters()]]
    opt = optim.Adam(learner.parameters(), lr=3e-3)
    for i in range(steps):
        images_ = T.tensor(images[i * batch_size:(i + 1) * batch_size])
        loss = learner(images_)
        opt.zero_grad()
        loss.backward()
        opt.step()
        learner.update_moving_average()  # update moving average of target encoder
        record += [loss.item(), grads(learner), state(learner)]
    embedding = learner(T.tensor(images[:4]), return_embedding=True)
    learner.reset_moving_average()
    return record + [[e.detach().numpy() for e in embedding], list(state(learner))]


def test_lucidrains_byol_trains_as_torch(torch):
    images, _ = digits(32)
    want = lucidrains(torch, images)
    got = lucidrains(None, images, start=want[0])
    # the projection's bias too: its shift is the same for every image, which the
    # predictor's BatchNorm removes; but the target's copy of it (by the EMA) shifts the
    # target projections, so that round-off reaches the losses and gradients (1e-10)
    assert_same_up_to_adam_noise(got[1:], want[1:], ("0.bias", "3.bias", "running_mean"),
                                 rtol=1e-8, atol=1e-10)
    assert want[1] == [True] * 17 + [False] * 11  # the target encoder's, made last
