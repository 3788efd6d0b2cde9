"""Meta-Weight-Net (Shu et al. 2019) as PyTorch readers write it (xjtushujun's
"meta-weight-net", shrunk to a three-block ResNet on scikit-learn's 8x8 digits with 40%
uniform label noise and a small clean meta set): the ``MetaModule`` pattern (layers whose
weights are buffers registered with ``requires_grad=True``, ``named_params`` walking
``named_leaves`` or ``_parameters``, ``update_params`` putting ``w - lr * grad`` back with
``setattr``), ``MetaConv2d``/``MetaBatchNorm2d``/``MetaLinear`` over ``F.conv2d``,
``F.batch_norm``, ``F.linear``, the option-A shortcut ``F.pad(x[:, :, ::2, ::2], ...)``,
``init.kaiming_normal`` applied with ``self.apply``; and the training step: a fresh
``meta_model`` loading the model's ``state_dict``, per-example losses
(``F.cross_entropy(..., reduce=False)``) weighted by the ``VNet``, a look-ahead step from
``torch.autograd.grad(l_f_meta, meta_model.params(), create_graph=True)``, the VNet
trained by the clean meta loss through that step, then the model trained (SGD with
momentum and weight decay over ``model.params()``, plain tensors) with weights computed
under ``no_grad``; ``accuracy`` by ``topk``. Written once for a library ``T``
(``autograd`` here, ``torch`` there) and run step for step next to PyTorch's from the same
weights (float64): losses, precisions, both networks' weights agree to 1e-10.

Lines written differently here, and why:
- ``to_var(x.data, requires_grad=True)`` (``Variable``) is
  ``x.detach().requires_grad_(True)``: ``Variable`` is gone from PyTorch and ``.data`` is a
  NumPy array here, by design; ``vnet(cost_v.data)`` and ``y_g_hat.data`` are
  ``.detach()`` (same reason);
- ``outputs.max(1)`` is ``outputs.max(dim=1)``: NumPy's and PyTorch's spellings mean
  different things here, so the library asks which one is meant;
- ``.cuda()`` and ``.to(device)`` are dropped; the loaders' ``shuffle=True`` order is a
  NumPy permutation of the data, fed to both (the libraries' generators differ).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same

# the program's deprecated spellings (init.kaiming_normal, reduce=False): both libraries warn
pytestmark = [pytest.mark.filterwarnings("ignore:`nn.init.kaiming_normal`:FutureWarning"),
              pytest.mark.filterwarnings("ignore:.*size_average and reduce:UserWarning")]


def build(torch):
    T = torch or ag
    lib, F = (nn, nn.functional) if torch is None else (torch.nn, torch.nn.functional)
    init = lib.init

    def to_var(x, requires_grad=True):
        return x.detach().requires_grad_(requires_grad)

    class MetaModule(lib.Module):
        def params(self):
            for name, param in self.named_params(self):
                yield param

        def named_params(self, curr_module=None, memo=None, prefix=''):
            if memo is None:
                memo = set()
            if hasattr(curr_module, 'named_leaves'):
                for name, p in curr_module.named_leaves():
                    if p is not None and p not in memo:
                        memo.add(p)
                        yield prefix + ('.' if prefix else '') + name, p
            else:
                for name, p in curr_module._parameters.items():
                    if p is not None and p not in memo:
                        memo.add(p)
                        yield prefix + ('.' if prefix else '') + name, p
            for mname, module in curr_module.named_children():
                submodule_prefix = prefix + ('.' if prefix else '') + mname
                for name, p in self.named_params(module, memo, submodule_prefix):
                    yield name, p

        def update_params(self, lr_inner, source_params):
            for tgt, src in zip(self.named_params(self), source_params):
                name_t, param_t = tgt
                tmp = param_t - lr_inner * src
                self.set_param(self, name_t, tmp)

        def set_param(self, curr_mod, name, param):
            if '.' in name:
                n = name.split('.')
                module_name = n[0]
                rest = '.'.join(n[1:])
                for name, mod in curr_mod.named_children():
                    if module_name == name:
                        self.set_param(mod, rest, param)
                        break
            else:
                setattr(curr_mod, name, param)

    class MetaLinear(MetaModule):
        def __init__(self, *args, **kwargs):
            super().__init__()
            ignore = lib.Linear(*args, **kwargs)
            self.register_buffer('weight', to_var(ignore.weight, requires_grad=True))
            self.register_buffer('bias', to_var(ignore.bias, requires_grad=True))

        def forward(self, x):
            return F.linear(x, self.weight, self.bias)

        def named_leaves(self):
            return [('weight', self.weight), ('bias', self.bias)]

    class MetaConv2d(MetaModule):
        def __init__(self, *args, **kwargs):
            super().__init__()
            ignore = lib.Conv2d(*args, **kwargs)
            self.stride, self.padding = ignore.stride, ignore.padding
            self.dilation, self.groups = ignore.dilation, ignore.groups
            self.register_buffer('weight', to_var(ignore.weight, requires_grad=True))
            self.register_buffer('bias', None)

        def forward(self, x):
            return F.conv2d(x, self.weight, self.bias, self.stride, self.padding,
                            self.dilation, self.groups)

        def named_leaves(self):
            return [('weight', self.weight), ('bias', self.bias)]

    class MetaBatchNorm2d(MetaModule):
        def __init__(self, *args, **kwargs):
            super().__init__()
            ignore = lib.BatchNorm2d(*args, **kwargs)
            self.num_features, self.eps = ignore.num_features, ignore.eps
            self.momentum = ignore.momentum
            self.track_running_stats = ignore.track_running_stats
            self.register_buffer('weight', to_var(ignore.weight, requires_grad=True))
            self.register_buffer('bias', to_var(ignore.bias, requires_grad=True))
            self.register_buffer('running_mean', T.zeros(self.num_features))
            self.register_buffer('running_var', T.ones(self.num_features))

        def forward(self, x):
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                self.training or not self.track_running_stats, self.momentum,
                                self.eps)

        def named_leaves(self):
            return [('weight', self.weight), ('bias', self.bias)]

    def _weights_init(m):
        if isinstance(m, MetaLinear) or isinstance(m, MetaConv2d):
            init.kaiming_normal(m.weight)

    class LambdaLayer(MetaModule):
        def __init__(self, lambd):
            super(LambdaLayer, self).__init__()
            self.lambd = lambd

        def forward(self, x):
            return self.lambd(x)

    class BasicBlock(MetaModule):
        expansion = 1

        def __init__(self, in_planes, planes, stride=1):
            super(BasicBlock, self).__init__()
            self.conv1 = MetaConv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1,
                                    bias=False)
            self.bn1 = MetaBatchNorm2d(planes)
            self.conv2 = MetaConv2d(planes, planes, kernel_size=3, stride=1, padding=1,
                                    bias=False)
            self.bn2 = MetaBatchNorm2d(planes)
            self.shortcut = lib.Sequential()
            if stride != 1 or in_planes != planes:
                self.shortcut = LambdaLayer(lambda x: F.pad(
                    x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4), "constant", 0))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.shortcut(x)
            out = F.relu(out)
            return out

    class ResNet(MetaModule):
        def __init__(self, num_classes, block=BasicBlock, num_blocks=(1, 1, 1)):
            super(ResNet, self).__init__()
            self.in_planes = 4
            self.conv1 = MetaConv2d(1, 4, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn1 = MetaBatchNorm2d(4)
            self.layer1 = self._make_layer(block, 4, num_blocks[0], stride=1)
            self.layer2 = self._make_layer(block, 8, num_blocks[1], stride=2)
            self.layer3 = self._make_layer(block, 16, num_blocks[2], stride=2)
            self.linear = MetaLinear(16, num_classes)
            self.apply(_weights_init)

        def _make_layer(self, block, planes, num_blocks, stride):
            strides = [stride] + [1] * (num_blocks - 1)
            layers = []
            for stride in strides:
                layers.append(block(self.in_planes, planes, stride))
                self.in_planes = planes * block.expansion
            return lib.Sequential(*layers)

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.layer1(out)
            out = self.layer2(out)
            out = self.layer3(out)
            out = F.avg_pool2d(out, out.size()[3])
            out = out.view(out.size(0), -1)
            return self.linear(out)

    class VNet(MetaModule):
        def __init__(self, input, hidden1, output):
            super(VNet, self).__init__()
            self.linear1 = MetaLinear(input, hidden1)
            self.relu1 = lib.ReLU(inplace=True)
            self.linear2 = MetaLinear(hidden1, output)

        def forward(self, x):
            x = self.linear1(x)
            x = self.relu1(x)
            out = self.linear2(x)
            return F.sigmoid(out)

    return ResNet, VNet, F


def program(torch, loaders, sync, lr=0.1, epochs=2) -> list:
    T = torch or ag
    optim = nn.optim if torch is None else torch.optim
    ResNet, VNet, F = build(torch)
    train_loader, train_meta_loader, test_loader = loaders(T)
    record = []

    def build_model():
        return ResNet(10)

    def accuracy(output, target, topk=(1,)):
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        res = []
        for k in topk:
            correct_k = correct[:k].view(-1).float().sum(0)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res

    def test(model, test_loader):
        model.eval()
        correct = 0
        test_loss = 0
        with T.no_grad():
            for batch_idx, (inputs, targets) in enumerate(test_loader):
                outputs = model(inputs)
                test_loss += F.cross_entropy(outputs, targets).item()
                _, predicted = outputs.max(dim=1)
                correct += predicted.eq(targets).sum().item()
        test_loss /= len(test_loader.dataset)
        return 100. * correct / len(test_loader.dataset), test_loss

    def train(train_loader, train_meta_loader, model, vnet, optimizer_model, optimizer_vnet,
              epoch):
        train_meta_loader_iter = iter(train_meta_loader)
        for batch_idx, (inputs, targets) in enumerate(train_loader):
            model.train()
            meta_model = build_model()
            meta_model.load_state_dict(model.state_dict())
            outputs = meta_model(inputs)
            cost = F.cross_entropy(outputs, targets, reduce=False)
            cost_v = T.reshape(cost, (len(cost), 1))
            v_lambda = vnet(cost_v.detach())
            l_f_meta = T.sum(cost_v * v_lambda) / len(cost_v)
            meta_model.zero_grad()
            grad = T.autograd.grad if torch is not None else ag.grad
            grads = grad(l_f_meta, (meta_model.params()), create_graph=True)
            meta_lr = lr * ((0.1 ** int(epoch >= 80)) * (0.1 ** int(epoch >= 100)))
            meta_model.update_params(lr_inner=meta_lr, source_params=grads)
            del grads
            try:
                inputs_val, targets_val = next(train_meta_loader_iter)
            except StopIteration:
                train_meta_loader_iter = iter(train_meta_loader)
                inputs_val, targets_val = next(train_meta_loader_iter)
            y_g_hat = meta_model(inputs_val)
            l_g_meta = F.cross_entropy(y_g_hat, targets_val)
            prec_meta = accuracy(y_g_hat.detach(), targets_val, topk=(1,))[0]
            optimizer_vnet.zero_grad()
            l_g_meta.backward()
            optimizer_vnet.step()

            outputs = model(inputs)
            cost_w = F.cross_entropy(outputs, targets, reduce=False)
            cost_v = T.reshape(cost_w, (len(cost_w), 1))
            prec_train = accuracy(outputs.detach(), targets, topk=(1,))[0]
            with T.no_grad():
                w_new = vnet(cost_v)
            loss = T.sum(cost_v * w_new) / len(cost_v)
            optimizer_model.zero_grad()
            loss.backward()
            optimizer_model.step()
            record.append([loss.item(), l_g_meta.item(), prec_train.item(), prec_meta.item(),
                           w_new.numpy().copy(), vnet.linear1.weight.grad.numpy().copy()])

    model = build_model()
    vnet = VNet(1, 6, 1)
    sync(model, vnet)
    optimizer_model = optim.SGD(model.params(), lr, momentum=0.9, weight_decay=5e-4)
    optimizer_vnet = optim.Adam(vnet.params(), 1e-3, weight_decay=1e-4)
    for epoch in range(epochs):
        train(train_loader, train_meta_loader, model, vnet, optimizer_model, optimizer_vnet,
              epoch)
        record.append(list(test(model=model, test_loader=test_loader)))
    return record + [state(model), state(vnet)]


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def digits_loaders(rng):
    """Loaders of the digits as the program's: noisy training set, clean meta and test
    sets; each set in one NumPy-shuffled order for both runs."""
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    order = rng.permutation(len(y))
    x, y = (x[order] / 16.0).reshape(-1, 1, 8, 8), y[order]
    noisy = np.where(rng.random(48) < 0.4, rng.integers(0, 10, 48), y[:48])
    parts = [(x[:48], noisy, 16), (x[48:64], y[48:64], 8), (x[64:96], y[64:96], 16)]

    def loaders(T):
        data = nn.data if T is ag else T.utils.data
        return [data.DataLoader(data.TensorDataset(T.tensor(a), T.tensor(b)), batch_size=n,
                                shuffle=False) for a, b, n in parts]

    return loaders


def test_meta_weight_net_trains_as_torch(torch):
    loaders = digits_loaders(np.random.default_rng(0))
    starts = []

    def theirs(model, vnet):
        starts.append((state(model), state(vnet)))

    def ours(model, vnet):
        for net, values in zip((model, vnet), starts.pop()):
            net.load_state_dict(values)

    want = program(torch, loaders, theirs)
    got = program(None, loaders, ours)
    assert_same(got, want)
