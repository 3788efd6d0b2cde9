"""d2l.ai's DenseNet (chapter 8.7, PyTorch edition), ported as its readers write it: every
layer lazy (``nn.LazyBatchNorm2d()``, ``nn.LazyConv2d(num_channels, kernel_size=3,
padding=1)``, ``nn.LazyLinear(num_classes)``: the lazy convolution and batch norm were
missing, fixed), ``conv_block``, ``DenseBlock`` concatenating each block's output along
the channels (``torch.cat((X, Y), dim=1)``), ``transition_block`` halving the channels
and the size, ``self.net.add_module(f'dense_blk{i+1}', ...)``, the ``last`` head with
``nn.AdaptiveAvgPool2d((1, 1))`` and ``nn.Flatten()``; d2l's ``apply_init`` (a dummy
forward that gives the lazy layers their shapes, then ``self.net.apply(d2l.init_cnn)``,
``type(module) == nn.Conv2d`` being true of a materialised ``LazyConv2d``), and d2l's
``Trainer.fit_epoch`` (``loss.backward()`` and ``self.optim.step()`` inside
``torch.no_grad()``) with the ``Classifier``'s loss and accuracy. Written once for a
library ``torch``, it runs step for step next to PyTorch (float64) on scikit-learn's
digits: losses, accuracies, gradients, parameters and running statistics agree to 1e-10.

Lines written differently here: none in the program (d2l's ``d2l.Classifier`` base and
``d2l.init_cnn`` are written out), which reads ``torch.optim`` (``nn.optim`` here: our
run's ``torch`` is autograd with it added). The test's glue (marked) loads our weights
into PyTorch's model after ``apply_init`` and records each optimizer step.
"""

import numpy as np

from pytorch_examples_helpers import assert_steps, digits, record_steps
from test_pytorch_ports_d2l import libraries
from test_pytorch_ports_efficientnet import WithPackages


def d2l_densenet(torch, nn, F):
    """d2l's definitions for the library ``torch``."""
    def init_cnn(module):
        """Initialize weights for CNNs."""
        if type(module) == nn.Linear or type(module) == nn.Conv2d:  # noqa: E721
            nn.init.xavier_uniform_(module.weight)

    class Classifier(nn.Module):
        """The base class of classification models (d2l.Classifier, trimmed)."""
        def forward(self, X):
            return self.net(X)

        def apply_init(self, inputs, init=None):
            self.forward(*inputs)
            if init is not None:
                self.net.apply(init)

        def loss(self, Y_hat, Y, averaged=True):
            Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
            Y = Y.reshape((-1,))
            return F.cross_entropy(Y_hat, Y, reduction='mean' if averaged else 'none')

        def accuracy(self, Y_hat, Y, averaged=True):
            """Compute the number of correct predictions."""
            Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
            preds = Y_hat.argmax(axis=1).type(Y.dtype)
            compare = (preds == Y.reshape(-1)).type(torch.float32)
            return compare.mean() if averaged else compare

        def training_step(self, batch):
            return self.loss(self(*batch[:-1]), batch[-1])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=self.lr)

    def conv_block(num_channels):
        return nn.Sequential(
            nn.LazyBatchNorm2d(), nn.ReLU(),
            nn.LazyConv2d(num_channels, kernel_size=3, padding=1))

    class DenseBlock(nn.Module):
        def __init__(self, num_convs, num_channels):
            super(DenseBlock, self).__init__()
            layer = []
            for i in range(num_convs):
                layer.append(conv_block(num_channels))
            self.net = nn.Sequential(*layer)

        def forward(self, X):
            for blk in self.net:
                Y = blk(X)
                # Concatenate input and output of each block along the channels
                X = torch.cat((X, Y), dim=1)
            return X

    def transition_block(num_channels):
        return nn.Sequential(
            nn.LazyBatchNorm2d(), nn.ReLU(),
            nn.LazyConv2d(num_channels, kernel_size=1),
            nn.AvgPool2d(kernel_size=2, stride=2))

    class DenseNet(Classifier):
        def b1(self):  # shrunk: a 3x3 stride-1 stem for 8x8 digits
            return nn.Sequential(
                nn.LazyConv2d(self.num_channels, kernel_size=3, stride=1, padding=1),
                nn.LazyBatchNorm2d(), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=1, padding=1))

        def __init__(self, num_channels=64, growth_rate=32, arch=(4, 4, 4, 4),
                     lr=0.1, num_classes=10):
            super(DenseNet, self).__init__()
            self.num_channels, self.lr = num_channels, lr  # d2l: self.save_hyperparameters()
            self.net = nn.Sequential(self.b1())
            for i, num_convs in enumerate(arch):
                self.net.add_module(f'dense_blk{i+1}', DenseBlock(num_convs,
                                                                  growth_rate))
                # The number of output channels in the previous dense block
                num_channels += num_convs * growth_rate
                # A transition layer that halves the number of channels is added
                # between the dense blocks
                if i != len(arch) - 1:
                    num_channels //= 2
                    self.net.add_module(f'tran_blk{i+1}', transition_block(
                        num_channels))
            self.net.add_module('last', nn.Sequential(
                nn.LazyBatchNorm2d(), nn.ReLU(),
                nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                nn.LazyLinear(num_classes)))

    return DenseNet, init_cnn


def run(torch, images, labels, sync, record):
    """d2l's ``model.apply_init`` and ``Trainer.fit`` for the library ``torch``."""
    ours = torch is None
    torch, nn, optim, data = libraries(torch)
    F = nn.functional
    if ours:  # d2l's configure_optimizers reads torch.optim: nn.optim here
        torch = WithPackages(torch, optim=optim)
    DenseNet, init_cnn = d2l_densenet(torch, nn, F)
    model = DenseNet(num_channels=8, growth_rate=4, arch=(2, 2), lr=0.1)
    model.apply_init([torch.zeros((1, 1, 8, 8))], init_cnn)
    record.append([type(m).__name__ for m in model.modules()])
    sync(model)  # the test's glue: our weights in both
    loader = data.DataLoader(data.TensorDataset(torch.tensor(images), torch.tensor(labels)),
                             batch_size=12)
    optim_ = model.configure_optimizers()
    steps = []
    record_steps(optim_, steps)  # the test's glue
    for epoch in range(2):  # d2l's Trainer.fit_epoch
        model.train()
        for batch in loader:
            loss = model.training_step(batch)
            optim_.zero_grad()
            with torch.no_grad():
                loss.backward()
                optim_.step()
            record.append(loss.item())
        model.eval()
        with torch.no_grad():
            X, Y = torch.tensor(images), torch.tensor(labels)
            record.append(model.accuracy(model(X), Y).item())
    record.append(steps)
    record.append({k: v.numpy().copy() for k, v in model.state_dict().items()})


def test_d2l_densenet_trains_step_for_step_as_torch(torch):
    images, labels = digits(36, lambda x: x)
    states, want, got = [], [], []
    run(None, images, labels, lambda m: states.append(
        {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}), got)
    run(torch, images, labels, lambda m: m.load_state_dict(
        {k: torch.tensor(v) for k, v in states.pop().items()}), want)
    assert not states and len(got) == len(want)
    assert got[0] == want[0] and "LazyConv2d" not in got[0] and "Conv2d" in got[0]
    for i, (a, b) in enumerate(zip(got[1:], want[1:])):
        if isinstance(a, dict):
            assert list(a) == list(b)
            for key in a:
                np.testing.assert_allclose(a[key], b[key], rtol=1e-10, atol=1e-12,
                                           err_msg=key)
        elif isinstance(a, list):
            assert_steps(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
