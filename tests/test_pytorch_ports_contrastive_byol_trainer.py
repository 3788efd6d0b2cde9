"""BYOL as sthalles/PyTorch-BYOL's readers write it (``BYOLTrainer``), shrunk to
scikit-learn's 8x8 digits (lucidrains' version: ``test_pytorch_ports_contrastive_byol.py``):
two separate networks (``ResNet18`` as ``nn.Sequential(*list(resnet.children())[:-1])``
and an ``MLPHead``), the target initialised from the online one and frozen,
``regression_loss`` with ``F.normalize(x, dim=1)``, ``loss += ...``, SGD over
``list(online.parameters()) + list(predictor.parameters())``, the target updated under
``@torch.no_grad()`` in the ways readers write the EMA: sthalles' ``param_k.data =
param_k.data * m + param_q.data * (1. - m)``, in place ``param_k.mul_(m).add_(param_q,
alpha=1 - m)``, fused ``torch._foreach_lerp_(target_params, online_params, 1. - m)``
(ema-pytorch), and timm's ``ModelEmaV2`` over the state dicts' values (``ema_v.copy_(m *
ema_v + (1. - m) * model_v)``, BatchNorm buffers included).

The views come from ``contrastive_helpers``' hand-written augmentations through a
``DataLoader``. Written once for a library ``T`` and run step for step next to PyTorch's
from the same weights (float64): losses, gradients, parameters and buffers, online and
target, agree to 1e-10.

Lines written differently here: ``.data`` is the NumPy array here (by design), so
``param_k.data.copy_(param_q.data)`` is ``param_k.data = param_q.data.copy()`` (PyTorch's
line is kept on its side), and the ``state_dict()`` values are read-only copies here (by
design: writing into them raises, saying so), so timm's ``ModelEmaV2`` loop reads
``state_dict(keep_vars=True)`` (the parameters and buffers themselves, in both
libraries); ``torchvision.models.resnet18`` is a small stand-in; ``torch.utils.data`` is
``nn.data``.
"""

import pytest

from contrastive_helpers import ViewsDataset, augmentations, digits, grads, libraries, state
from test_pytorch_ports_contrastive_byol import resnet18
from test_pytorch_ports_pinn import assert_same


def sthalles(torch, images, labels, ema, start=None, m=0.9):
    T, nn, F, optim, data = libraries(torch)
    T.manual_seed(0)

    class MLPHead(nn.Module):
        def __init__(self, in_channels, mlp_hidden_size, projection_size):
            super(MLPHead, self).__init__()
            self.net = nn.Sequential(nn.Linear(in_channels, mlp_hidden_size),
                                     nn.BatchNorm1d(mlp_hidden_size), nn.ReLU(inplace=True),
                                     nn.Linear(mlp_hidden_size, projection_size))

        def forward(self, x):
            return self.net(x)

    class ResNet18(nn.Module):
        def __init__(self, *args, **kwargs):
            super(ResNet18, self).__init__()
            resnet = resnet18(nn, T)
            self.encoder = nn.Sequential(*list(resnet.children())[:-1])
            self.projetion = MLPHead(in_channels=resnet.fc.in_features,
                                     **kwargs['projection_head'])

        def forward(self, x):
            h = self.encoder(x)
            h = h.view(h.shape[0], h.shape[1])
            return self.projetion(h)

    class BYOLTrainer:
        def __init__(self, online_network, target_network, predictor, optimizer, **params):
            self.online_network = online_network
            self.target_network = target_network
            self.optimizer = optimizer
            self.predictor = predictor
            self.max_epochs = params['max_epochs']
            self.m = params['m']
            self.batch_size = params['batch_size']

        @T.no_grad()
        def _update_target_network_parameters(self):
            """Momentum update of the key encoder"""
            if ema == "data":
                for param_q, param_k in zip(self.online_network.parameters(),
                                            self.target_network.parameters()):
                    param_k.data = param_k.data * self.m + param_q.data * (1. - self.m)
            elif ema == "inplace":
                for param_q, param_k in zip(self.online_network.parameters(),
                                            self.target_network.parameters()):
                    param_k.mul_(self.m).add_(param_q, alpha=1 - self.m)
            elif ema == "foreach":  # ema-pytorch's and timm's ModelEmaV3's fused update
                T._foreach_lerp_(list(self.target_network.parameters()),
                                 list(self.online_network.parameters()), 1. - self.m)
            else:  # timm's ModelEmaV2._update, state_dict(keep_vars=True): see the docstring
                for ema_v, model_v in zip(self.target_network.state_dict(keep_vars=True).values(),
                                          self.online_network.state_dict(keep_vars=True).values()):
                    ema_v.copy_(self.m * ema_v + (1. - self.m) * model_v)

        @staticmethod
        def regression_loss(x, y):
            x = F.normalize(x, dim=1)
            y = F.normalize(y, dim=1)
            return 2 - 2 * (x * y).sum(dim=-1)

        def initializes_target_network(self):
            # init momentum network as encoder net
            for param_q, param_k in zip(self.online_network.parameters(),
                                        self.target_network.parameters()):
                if torch is not None:
                    param_k.data.copy_(param_q.data)  # initialize
                else:  # .data is the NumPy array: assign a copy
                    param_k.data = param_q.data.copy()
                param_k.requires_grad = False  # not update by gradient

        def train(self, train_dataset, record):
            train_loader = data.DataLoader(train_dataset, batch_size=self.batch_size,
                                           num_workers=0, drop_last=False, shuffle=False)
            self.initializes_target_network()
            for epoch_counter in range(self.max_epochs):
                for (batch_view_1, batch_view_2), _ in train_loader:
                    loss = self.update(batch_view_1, batch_view_2)
                    self.optimizer.zero_grad()
                    loss.backward()
                    record += [loss.item(), grads(self.online_network),
                               grads(self.predictor)]
                    self.optimizer.step()
                    self._update_target_network_parameters()  # update the key encoder
                    record += [state(self.online_network), state(self.target_network)]

        def update(self, batch_view_1, batch_view_2):
            # compute query feature
            predictions_from_view_1 = self.predictor(self.online_network(batch_view_1))
            predictions_from_view_2 = self.predictor(self.online_network(batch_view_2))
            # compute key features
            with T.no_grad():
                targets_to_view_2 = self.target_network(batch_view_1)
                targets_to_view_1 = self.target_network(batch_view_2)
            loss = self.regression_loss(predictions_from_view_1, targets_to_view_1)
            loss += self.regression_loss(predictions_from_view_2, targets_to_view_2)
            return loss.mean()

    config = {'projection_head': {'mlp_hidden_size': 8, 'projection_size': 4}}
    online_network = ResNet18(**config)
    predictor = MLPHead(in_channels=online_network.projetion.net[-1].out_features,
                        **config['projection_head'])
    target_network = ResNet18(**config)
    modules = (online_network, predictor, target_network)
    if start is not None:
        for module, weights in zip(modules, start):
            module.load_state_dict({k: T.tensor(v) for k, v in weights.items()})
    record = [[state(module) for module in modules]]
    optimizer = optim.SGD(list(online_network.parameters()) + list(predictor.parameters()),
                          lr=0.03, momentum=0.9, weight_decay=0.0004)
    trainer = BYOLTrainer(online_network=online_network, target_network=target_network,
                          optimizer=optimizer, predictor=predictor, max_epochs=2, m=m,
                          batch_size=8)
    trainer.train(ViewsDataset(T, images, labels, augmentations(T, F)), record)
    return record + [[p.requires_grad for p in target_network.parameters()]]


@pytest.mark.parametrize("ema", ["data", "inplace", "foreach", "state_dict"])
def test_sthalles_byol_trainer_with_each_ema_trains_as_torch(torch, ema):
    images, labels = digits(16)
    want = sthalles(torch, images, labels, ema)
    got = sthalles(None, images, labels, ema, start=want[0])
    assert_same(got[1:], want[1:])
