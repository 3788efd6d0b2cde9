"""Group-equivariant CNNs on p4 (Cohen & Welling 2016) as PyTorch users write them after
Gabriele Cesa's tutorial (UvA DL2, "Group Equivariant CNNs"): the group C4 acts on an
image by ``rot90`` and on a function over p4 by rotating the pixels and rolling the
rotation axis (``rotate_p4``); a lifting convolution stacks the four rotated copies of
its filters into one ``conv2d`` weight, a group convolution stacks the four
``rotate_p4`` copies, and a C4 CNN (lifting + group convs, ``AvgPool3d`` over the
plane, max over rotations and space) classifies scikit-learn's 8x8 digits (padded to 9x9).

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch from the same weights in float64: losses, gradients and parameters
agree to 1e-10. The equivariance of each layer and the invariance of the classifier are
checked in both libraries.

Lines written differently here: ``torch.nn.Module`` is ``nn.Module`` (``nn`` is a package of
its own here, beside ``autograd``: the programs take both), and ``torch.conv2d`` is
``F.conv2d`` (``autograd`` does not import ``nn``, whose op it is); models start from PyTorch's
initial weights (``sync(model)``, the test's glue after the constructor line).
"""

import math

import numpy as np
import pytest

from equivariant_helpers import assert_records, digits, libraries, numpy_of, weight_sync


def p4_program(torch, nn, F):
    """The tutorial's layers, written against ``torch``, its ``nn`` and ``F`` (either
    library)."""

    def rotate(x, r: int):
        # the action of the rotation by r * 90 degrees on an image x
        return x.rot90(r, dims=(-2, -1))

    def rotate_p4(y, r: int):
        # y is a function over p4: its axis -3 indexes the four rotations
        assert len(y.shape) >= 3
        assert y.shape[-3] == 4
        y = y.rot90(r, dims=(-2, -1))
        y = torch.roll(y, r, dims=-3)
        return y

    class LiftingConv2d(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size, padding=0, bias=True):
            super(LiftingConv2d, self).__init__()
            self.kernel_size = kernel_size
            self.stride = 1
            self.dilation = 1
            self.padding = padding
            self.out_channels = out_channels
            self.in_channels = in_channels
            self.weight = nn.Parameter(
                torch.randn(out_channels, in_channels, kernel_size, kernel_size)
                / math.sqrt(in_channels * kernel_size ** 2), requires_grad=True)
            self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

        def build_filter(self):
            _filter = torch.stack([rotate(self.weight, i) for i in range(4)], dim=-4)
            _bias = None
            if self.bias is not None:
                _bias = torch.stack([self.bias for _ in range(4)], dim=1)
            return _filter, _bias

        def forward(self, x):
            _filter, _bias = self.build_filter()
            assert _filter.shape == (self.out_channels, 4, self.in_channels,
                                     self.kernel_size, self.kernel_size)
            _filter = _filter.reshape(self.out_channels * 4, self.in_channels,
                                      self.kernel_size, self.kernel_size)
            if _bias is not None:
                _bias = _bias.reshape(self.out_channels * 4)
            out = F.conv2d(x, _filter, stride=self.stride, padding=self.padding,
                               dilation=self.dilation, bias=_bias)
            return out.view(-1, self.out_channels, 4, out.shape[-2], out.shape[-1])

    class GroupConv2d(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size, padding=0, bias=True):
            super(GroupConv2d, self).__init__()
            self.kernel_size = kernel_size
            self.stride = 1
            self.dilation = 1
            self.padding = padding
            self.out_channels = out_channels
            self.in_channels = in_channels
            self.weight = nn.Parameter(
                torch.empty(out_channels, in_channels, 4, kernel_size, kernel_size))
            nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

        def build_filter(self):
            _filter = torch.stack([rotate_p4(self.weight, i) for i in range(4)], dim=1)
            _bias = None
            if self.bias is not None:
                _bias = torch.stack([self.bias for _ in range(4)], dim=1)
            return _filter, _bias

        def forward(self, x):
            _filter, _bias = self.build_filter()
            _filter = _filter.reshape(self.out_channels * 4, self.in_channels * 4,
                                      self.kernel_size, self.kernel_size)
            if _bias is not None:
                _bias = _bias.reshape(self.out_channels * 4)
            x = x.view(x.shape[0], self.in_channels * 4, x.shape[-2], x.shape[-1])
            out = F.conv2d(x, _filter, stride=self.stride, padding=self.padding,
                               dilation=self.dilation, bias=_bias)
            return out.view(-1, self.out_channels, 4, out.shape[-2], out.shape[-1])

    class C4CNN(nn.Module):
        def __init__(self, n_classes=10):
            super(C4CNN, self).__init__()
            channels = [4, 6, 8]
            layers = [LiftingConv2d(1, channels[0], kernel_size=3, padding=1, bias=True)]
            for i in range(1, len(channels)):
                layers.append(GroupConv2d(channels[i - 1], channels[i], kernel_size=3,
                                          padding=1, bias=True))
            self.layers = nn.ModuleList(layers)
            self.act = nn.ReLU()
            # pools over the plane only: the rotation axis keeps its 4 entries
            self.pool = nn.AvgPool3d((1, 3, 3), (1, 2, 2), padding=(0, 1, 1))
            self.fc = nn.Linear(channels[-1], n_classes)

        def forward(self, x):
            for i, layer in enumerate(self.layers):
                x = self.act(layer(x))
                if i < len(self.layers) - 1:
                    x = self.pool(x)
            x = torch.amax(x, dim=(2, 3, 4))  # invariant: max over rotations and space
            return self.fc(x)

    return rotate, rotate_p4, LiftingConv2d, GroupConv2d, C4CNN


def train_c4cnn(torch, sync, steps: int = 4) -> list:
    torch, nn, F, optim = libraries(torch)
    rotate, rotate_p4, _, _, C4CNN = p4_program(torch, nn, F)
    images, labels = digits(48)
    # odd image sizes (the tutorial pads MNIST to 29x29): a stride-2 pooling of an even
    # grid samples rotated images at other points, and invariance is lost
    images = F.pad(torch.tensor(images), (0, 1, 0, 1)).numpy()
    torch.manual_seed(0)
    model = C4CNN()
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    records = []
    for step in range(steps):
        batch = slice(16 * (step % 3), 16 * (step % 3) + 16)
        x, y = torch.tensor(images[batch]), torch.tensor(labels[batch])
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        records += [loss.item()] + [p.grad.clone() for p in model.parameters()]
        optimizer.step()
    records += [p.detach().clone() for p in model.parameters()]
    model.eval()
    with torch.no_grad():
        x = torch.tensor(images[:4])
        logits = model(x)
        records += [logits, (model(rotate(x, 1)) - logits).abs().max()]
    return records


def test_c4cnn_trains_on_digits_step_for_step(torch) -> None:
    ours, theirs = weight_sync()
    want = train_c4cnn(torch, theirs)
    got = train_c4cnn(None, ours)
    assert_records(got, want)
    assert want[-1].item() < 1e-12  # the classifier is invariant to rot90 of its input


@pytest.mark.parametrize("r", [1, 2, 3, -1])
def test_lifting_and_group_convs_are_equivariant(torch, r: int) -> None:
    images, _ = digits(3, seed=1)
    ours, theirs = weight_sync()
    outputs = []
    for T, sync in ((torch, theirs), (None, ours)):
        T, nn, F, optim = libraries(T)
        rotate, rotate_p4, LiftingConv2d, GroupConv2d, _ = p4_program(T, nn, F)
        T.manual_seed(1)
        lift, group = LiftingConv2d(1, 3, 3, padding=1), GroupConv2d(3, 2, 3, padding=1)
        sync(lift)
        sync(group)
        x = T.tensor(images)
        y = group(F.relu(lift(x)))
        y_of_rotated = group(F.relu(lift(rotate(x, r))))
        outputs.append([y, y_of_rotated, rotate_p4(y, r)])
    assert_records(outputs[1], outputs[0])
    ours_y, ours_y_of_rotated, ours_rotated_y = (numpy_of(v) for v in outputs[1])
    np.testing.assert_allclose(ours_y_of_rotated, ours_rotated_y, atol=1e-12)
    assert np.abs(ours_y_of_rotated - ours_y).max() > 1e-3  # not trivially invariant
