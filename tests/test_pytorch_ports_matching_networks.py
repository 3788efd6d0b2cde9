"""Matching networks (Vinyals et al. 2016) as PyTorch readers write them (gitabcworld's
"MatchingNetworks", shrunk to one-shot 3-way episodes of scikit-learn's 8x8 digits): the
``Classifier`` of conv / LeakyReLU / BatchNorm2d / MaxPool2d / Dropout blocks initialised
with ``init.xavier_uniform(m.weight, gain=np.sqrt(2))``, ``init.constant`` and
``m.weight.data.fill_(1)``, ending in ``torch.squeeze``; the full-context-embedding
``BidirectionalLSTM`` started from ``torch.rand`` states; the ``DistanceNetwork``'s cosine
similarity (``bmm`` of unsqueezed embeddings times ``rsqrt`` of the clipped squared norm,
clipped through NumPy so no gradient flows there); the ``AttentionalClassify``
(``nn.Softmax()`` with its implicit dim, then ``bmm`` with one-hot support labels made by
``torch.DoubleTensor(b, n, k).zero_().scatter_(2, y.data, 1)``); the loss summed over the
targets as written (``crossentropy_loss = accuracy + F.cross_entropy(...)`` after the first);
and the builder's epoch: Adam with weight decay, a Lua-style learning-rate decay that keeps
its own ``'step'`` key in each ``param_group``, a validation epoch under ``no_grad``.
Written once for a library ``T`` (``autograd`` here, ``torch`` there) and run step for step
next to PyTorch's from the same weights (float64): losses, accuracies, gradients and
parameters agree to 1e-10.

Lines written differently here, and why:
- the original's float32 (``.float()``, ``torch.FloatTensor``) is float64 (``.double()``,
  ``torch.DoubleTensor``), the comparison's dtype;
- ``Variable(...)`` is dropped and ``volatile=True`` is ``with T.no_grad()`` (what it
  became in PyTorch 0.4); ``c_loss_value.data[0]`` is ``.item()`` (as in PyTorch >= 0.4);
- ``m.weight.data.fill_(1)`` and ``m.bias.data.zero_()`` run under ``no_grad()`` on the
  parameter: ``.data`` is a NumPy array here, by design;
- ``sum_support.data.numpy()`` is ``sum_support.detach().numpy()`` (same reason);
- ``preds.max(1)`` is ``preds.max(dim=1)``: NumPy's and PyTorch's spellings mean
  different things here, so the library asks which one is meant;
- ``torch.rand`` draws from one NumPy generator fed to both runs (``SharedRandom``), and
  the test's glue sets each ``Dropout``'s ``p`` to 0: the libraries' generators differ.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same

# the program's own deprecated spellings: both libraries warn (init.xavier_uniform,
# init.constant), PyTorch for nn.Softmax()'s implicit dim too
pytestmark = [pytest.mark.filterwarnings("ignore:`nn.init.:FutureWarning"),
              pytest.mark.filterwarnings("ignore:Implicit dimension choice:UserWarning")]


class SharedRandom:
    """A library's namespace whose ``rand(*size)`` draws from a NumPy generator."""

    def __init__(self, library) -> None:
        self.library, self.rng = library, np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def rand(self, *size):
        return self.library.tensor(self.rng.random(size))


def libraries(torch=None) -> tuple:
    if torch is None:
        return SharedRandom(ag), nn, nn.functional, nn.optim, nn.init
    return SharedRandom(torch), torch.nn, torch.nn.functional, torch.optim, torch.nn.init


def build(torch, batch_size, classes_per_set, fce):
    torch, lib, F, optim, init = libraries(torch)

    def convLayer(in_planes, out_planes, stride=1, padding=1, bias=True):
        return lib.Sequential(
            lib.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=padding,
                       bias=bias),
            lib.LeakyReLU(),
            lib.BatchNorm2d(out_planes),
            lib.MaxPool2d(kernel_size=2, stride=2),
            lib.Dropout(0.1))

    class Classifier(lib.Module):
        def __init__(self, layer_size, num_channels=1):
            super(Classifier, self).__init__()
            self.layer1 = convLayer(num_channels, layer_size)
            self.layer2 = convLayer(layer_size, layer_size)
            self.layer3 = convLayer(layer_size, layer_size)
            self.weights_init(self.layer1)
            self.weights_init(self.layer2)
            self.weights_init(self.layer3)
            self.outSize = layer_size

        def weights_init(self, module):
            for m in module.modules():
                if isinstance(m, lib.Conv2d):
                    init.xavier_uniform(m.weight, gain=np.sqrt(2))
                    init.constant(m.bias, 0)
                elif isinstance(m, lib.BatchNorm2d):
                    with torch.no_grad():  # m.weight.data.fill_(1): .data is NumPy here
                        m.weight.fill_(1)
                        m.bias.zero_()

        def forward(self, image_input):
            x = self.layer1(image_input)
            x = self.layer2(x)
            x = self.layer3(x)
            x = torch.squeeze(x)
            return x

    class BidirectionalLSTM(lib.Module):
        def __init__(self, layer_sizes, batch_size, vector_dim):
            super(BidirectionalLSTM, self).__init__()
            self.batch_size = batch_size
            self.hidden_size = layer_sizes[0]
            self.vector_dim = vector_dim
            self.num_layers = len(layer_sizes)
            self.lstm = lib.LSTM(input_size=self.vector_dim, num_layers=self.num_layers,
                                 hidden_size=self.hidden_size, bidirectional=True)

        def forward(self, inputs):
            c0 = torch.rand(self.lstm.num_layers * 2, self.batch_size, self.lstm.hidden_size)
            h0 = torch.rand(self.lstm.num_layers * 2, self.batch_size, self.lstm.hidden_size)
            output, (hn, cn) = self.lstm(inputs, (h0, c0))
            return output, hn, cn

    class DistanceNetwork(lib.Module):
        def forward(self, support_set, input_image):
            eps = 1e-10
            similarities = []
            for support_image in support_set:
                sum_support = torch.sum(torch.pow(support_image, 2), 1)
                sum_support_clipped = torch.from_numpy(
                    sum_support.detach().numpy().clip(eps, float("inf"))).requires_grad_()
                support_magnitude = torch.rsqrt(sum_support_clipped)
                dot_product = input_image.unsqueeze(1).bmm(support_image.unsqueeze(2)).squeeze()
                cosine_similarity = dot_product * support_magnitude
                similarities.append(cosine_similarity)
            similarities = torch.stack(similarities)
            return similarities

    class AttentionalClassify(lib.Module):
        def forward(self, similarities, support_set_y):
            softmax = lib.Softmax()
            softmax_similarities = softmax(similarities)
            preds = softmax_similarities.unsqueeze(1).bmm(support_set_y).squeeze()
            return preds

    class MatchingNetwork(lib.Module):
        def __init__(self, batch_size=4, num_channels=1, fce=False, num_classes_per_set=3):
            super(MatchingNetwork, self).__init__()
            self.batch_size = batch_size
            self.fce = fce
            self.g = Classifier(layer_size=6, num_channels=num_channels)
            if fce:
                self.lstm = BidirectionalLSTM(layer_sizes=[3], batch_size=self.batch_size,
                                              vector_dim=self.g.outSize)
            self.dn = DistanceNetwork()
            self.classify = AttentionalClassify()
            self.num_classes_per_set = num_classes_per_set

        def forward(self, support_set_images, support_set_labels_one_hot, target_image,
                    target_label):
            encoded_images = []
            for i in np.arange(support_set_images.size(1)):
                gen_encode = self.g(support_set_images[:, i, :, :, :])
                encoded_images.append(gen_encode)
            for i in np.arange(target_image.size(1)):
                gen_encode = self.g(target_image[:, i, :, :, :])
                encoded_images.append(gen_encode)
                outputs = torch.stack(encoded_images)
                if self.fce:
                    outputs, hn, cn = self.lstm(outputs)
                similarities = self.dn(support_set=outputs[:-1], input_image=outputs[-1])
                similarities = similarities.t()
                preds = self.classify(similarities, support_set_y=support_set_labels_one_hot)
                values, indices = preds.max(dim=1)
                if i == 0:
                    accuracy = torch.mean((indices.squeeze() == target_label[:, i]).float())
                    crossentropy_loss = F.cross_entropy(preds, target_label[:, i].long())
                else:
                    accuracy = accuracy + torch.mean(
                        (indices.squeeze() == target_label[:, i]).float())
                    crossentropy_loss = accuracy + F.cross_entropy(preds,
                                                                   target_label[:, i].long())
                encoded_images.pop()
            return accuracy / target_image.size(1), crossentropy_loss / target_image.size(1)

    class OneShotBuilder:
        def __init__(self, data):
            self.data = data

        def build_experiment(self, batch_size, classes_per_set, channels, fce):
            self.classes_per_set = classes_per_set
            self.matchingNet = MatchingNetwork(batch_size=batch_size, num_channels=channels,
                                               fce=fce, num_classes_per_set=classes_per_set)
            self.lr = 1e-02
            self.lr_decay = 1e-2
            self.wd = 1e-4

        def episode(self, batch):
            x_support_set, y_support_set, x_target, y_target = batch
            x_support_set = torch.from_numpy(x_support_set).double()
            y_support_set = torch.from_numpy(y_support_set).long()
            x_target = torch.from_numpy(x_target).double()
            y_target = torch.from_numpy(y_target).long()
            y_support_set = torch.unsqueeze(y_support_set, 2)
            sequence_length = y_support_set.size()[1]
            batch_size = y_support_set.size()[0]
            y_support_set_one_hot = torch.DoubleTensor(batch_size, sequence_length,
                                                      self.classes_per_set).zero_()
            y_support_set_one_hot.scatter_(2, y_support_set.data, 1)
            size = x_support_set.size()
            x_support_set = x_support_set.view(size[0], size[1], size[4], size[2], size[3])
            size = x_target.size()
            x_target = x_target.view(size[0], size[1], size[4], size[2], size[3])
            return self.matchingNet(x_support_set, y_support_set_one_hot, x_target, y_target)

        def run_training_epoch(self, total_train_batches, record):
            total_c_loss = 0.
            total_accuracy = 0.
            optimizer = self.__create_optimizer(self.matchingNet, self.lr)
            for i in range(total_train_batches):
                acc, c_loss_value = self.episode(self.data.get_batch('train'))
                optimizer.zero_grad()
                c_loss_value.backward()
                record.append([p.grad.numpy().copy() for p in self.matchingNet.parameters()])
                optimizer.step()
                self.__adjust_learning_rate(optimizer)
                total_c_loss += c_loss_value.item()
                total_accuracy += acc.item()
            return total_c_loss / total_train_batches, total_accuracy / total_train_batches

        def run_validation_epoch(self, total_val_batches):
            total_val_c_loss = 0.
            total_val_accuracy = 0.
            for i in range(total_val_batches):
                with torch.no_grad():  # volatile=True
                    acc, c_loss_value = self.episode(self.data.get_batch('val'))
                total_val_c_loss += c_loss_value.item()
                total_val_accuracy += acc.item()
            return total_val_c_loss / total_val_batches, total_val_accuracy / total_val_batches

        def __adjust_learning_rate(self, optimizer):
            for group in optimizer.param_groups:
                if 'step' not in group:
                    group['step'] = 0
                group['step'] += 1
                group['lr'] = self.lr / (1 + group['step'] * self.lr_decay)

        def __create_optimizer(self, model, new_lr):
            return optim.Adam(model.parameters(), lr=new_lr, weight_decay=self.wd)

    return OneShotBuilder


class DigitsEpisodes:
    """One-shot episodes of the 8x8 digits, [batch, sequence, 8, 8, 1] as the original's
    provider gives them; the same NumPy draws for both runs."""

    def __init__(self, images, labels, batch_size, classes_per_set, targets, seed=0):
        self.images, self.labels = images, labels
        self.batch_size, self.classes_per_set, self.targets = batch_size, classes_per_set, targets
        self.rng = np.random.default_rng(seed)

    def get_batch(self, str_type):
        allowed = np.arange(7) if str_type == 'train' else np.arange(7, 10)
        xs, ys, xt, yt = [], [], [], []
        for _ in range(self.batch_size):
            classes = self.rng.choice(allowed, self.classes_per_set, replace=False)
            picks = [self.rng.choice(np.flatnonzero(self.labels == c), 2, replace=False)
                     for c in classes]
            xs.append(self.images[[p[0] for p in picks]])
            ys.append(np.arange(self.classes_per_set))
            chosen = self.rng.choice(self.classes_per_set, self.targets)
            xt.append(self.images[[picks[c][1] for c in chosen]])
            yt.append(chosen)
        return tuple(np.stack(a) for a in (xs, ys, xt, yt))


def run(torch, images, labels, fce, sync) -> list:
    OneShotBuilder = build(torch, batch_size=4, classes_per_set=3, fce=fce)
    builder = OneShotBuilder(DigitsEpisodes(images, labels, 4, 3, targets=2))
    builder.build_experiment(batch_size=4, classes_per_set=3, channels=1, fce=fce)
    sync(builder.matchingNet)
    record = []
    for epoch in range(2):
        record.append(list(builder.run_training_epoch(3, record)))
        record.append(list(builder.run_validation_epoch(2)))
    state = builder.matchingNet.state_dict()
    return record + [{k: v.detach().numpy().copy() for k, v in state.items()}]


def no_dropout(model) -> None:
    for module in model.modules():
        if type(module).__name__ == "Dropout":
            module.p = 0.0


@pytest.mark.parametrize("fce", [False, True])
def test_matching_networks_train_as_torch(torch, fce):
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    images = (x / 16.0).reshape(-1, 8, 8, 1)
    starts = []

    def theirs(model):
        starts.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
        no_dropout(model)

    def ours(model):
        model.load_state_dict(starts.pop())
        no_dropout(model)

    want = run(torch, images, y, fce, theirs)
    got = run(None, images, y, fce, ours)
    assert_same(got, want)
