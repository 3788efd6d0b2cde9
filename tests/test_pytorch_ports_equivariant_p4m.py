"""GrouPy's PyTorch G-convolutions (Cohen & Welling 2016; the ``SplitGConv2D`` of the
``pytorch_gconv`` port, as its readers use it) on p4m, the rotations by 90 degrees and
the mirror: the filters are transformed by one advanced-indexing gather of precomputed
(group, row, column) indices (``trans_filter``), a ``view``/``permute`` and one
``F.conv2d``; ``plane_group_spatial_max_pooling`` pools the plane of each group
channel. A P4M CNN (``P4MConvZ2``, ``P4MConvP4M``) is trained on scikit-learn's digits.

Written once for a library ``torch`` and run step for step next to PyTorch from the same
weights in float64: losses, gradients and parameters agree to 1e-10; each layer's
equivariance under all 8 elements of the group is checked in both libraries.

Lines written differently here: ``torch.nn`` is ``nn`` (a package of its own here);
``Parameter(torch.Tensor(*size))`` is ``Parameter(torch.empty(*size))`` (``Tensor(*size)``
is data here, and its error says so); ``reset_parameters``' ``self.weight.data.uniform_``
is ``nn.init.uniform_`` (``.data`` is a NumPy array here, by design). GrouPy builds the
index arrays with its own NumPy group classes; ``p4m_indices`` builds the same arrays.
"""

import math

import numpy as np
import pytest

from equivariant_helpers import assert_records, digits, libraries, numpy_of, weight_sync


def act_on_array(a: np.ndarray, element: int) -> np.ndarray:
    """The p4m element (mirror m, rotation r), index 4m + r, on an array's last two axes:
    R^r F^m (F flips the columns, R is rot90)."""
    mirror, rotation = divmod(element, 4)
    return np.rot90(np.flip(a, -1) if mirror else a, rotation, axes=(-2, -1))


def inverse(element: int) -> int:
    mirror, rotation = divmod(element, 4)
    return element if mirror else (-rotation) % 4


def product(g: int, h: int) -> int:
    """gh: R^r1 F^m1 R^r2 F^m2 = R^(r1 + (-1)^m1 r2) F^(m1 + m2)."""
    (m1, r1), (m2, r2) = divmod(g, 4), divmod(h, 4)
    return 4 * ((m1 + m2) % 2) + (r1 + (-1) ** m1 * r2) % 4


def act_on_group_function(y: np.ndarray, element: int, size: int) -> np.ndarray:
    """(g y)(h, x) = y(g^-1 h, g^-1 x) for y (..., size, H, W), size 4 (p4) or 8."""
    moved = y[..., [product(inverse(element), h) for h in range(size)], :, :]
    return act_on_array(moved, element)


def p4m_indices(ksize: int, input_size: int, output_size: int) -> np.ndarray:
    """GrouPy's ``inds`` (output_size, input_size, k, k, 3): where filter transformed by
    the t-th element reads (s, u, v) of the stored filter."""
    labels = np.arange(input_size * ksize * ksize).reshape(input_size, ksize, ksize)
    out = []
    for t in range(output_size):
        moved = act_on_group_function(labels, t, input_size) if input_size > 1 else \
            act_on_array(labels, t)
        out.append(np.stack(np.unravel_index(moved, labels.shape), axis=-1))
    return np.stack(out)


def gconv_program(torch, nn, F):
    _pair = nn.modules.utils._pair  # from torch.nn.modules.utils import _pair
    Parameter = nn.Parameter

    def trans_filter(w, inds):
        inds_reshape = inds.reshape((-1, inds.shape[-1])).astype(np.int64)
        w_indexed = w[:, :, inds_reshape[:, 0].tolist(), inds_reshape[:, 1].tolist(),
                      inds_reshape[:, 2].tolist()]
        w_indexed = w_indexed.view(w_indexed.size()[0], w_indexed.size()[1], inds.shape[0],
                                   inds.shape[1], inds.shape[2], inds.shape[3])
        w_transformed = w_indexed.permute(0, 2, 1, 3, 4, 5)
        return w_transformed.contiguous()

    class SplitGConv2D(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=0,
                     bias=True, input_stabilizer_size=1, output_stabilizer_size=8):
            super(SplitGConv2D, self).__init__()
            self.ksize = kernel_size
            self.in_channels, self.out_channels = in_channels, out_channels
            self.kernel_size, self.stride = _pair(kernel_size), _pair(stride)
            self.padding = _pair(padding)
            self.input_stabilizer_size = input_stabilizer_size
            self.output_stabilizer_size = output_stabilizer_size
            self.weight = Parameter(torch.empty(out_channels, in_channels,
                                                self.input_stabilizer_size, *self.kernel_size))
            if bias:
                self.bias = Parameter(torch.empty(out_channels))
            else:
                self.register_parameter('bias', None)
            self.reset_parameters()
            self.inds = p4m_indices(kernel_size, input_stabilizer_size, output_stabilizer_size)

        def reset_parameters(self):
            n = self.in_channels
            for k in self.kernel_size:
                n *= k
            stdv = 1. / math.sqrt(n)
            nn.init.uniform_(self.weight, -stdv, stdv)
            if self.bias is not None:
                nn.init.uniform_(self.bias, -stdv, stdv)

        def forward(self, input):
            tw = trans_filter(self.weight, self.inds)
            tw_shape = (self.out_channels * self.output_stabilizer_size,
                        self.in_channels * self.input_stabilizer_size, self.ksize, self.ksize)
            tw = tw.view(tw_shape)
            input_shape = input.size()
            input = input.view(input_shape[0], self.in_channels * self.input_stabilizer_size,
                               input_shape[-2], input_shape[-1])
            y = F.conv2d(input, weight=tw, bias=None, stride=self.stride, padding=self.padding)
            batch_size, _, ny_out, nx_out = y.size()
            y = y.view(batch_size, self.out_channels, self.output_stabilizer_size, ny_out,
                       nx_out)
            if self.bias is not None:
                y = y + self.bias.view(1, self.out_channels, 1, 1, 1)
            return y

    class P4MConvZ2(SplitGConv2D):
        def __init__(self, *args, **kwargs):
            super(P4MConvZ2, self).__init__(input_stabilizer_size=1, output_stabilizer_size=8,
                                            *args, **kwargs)

    class P4MConvP4M(SplitGConv2D):
        def __init__(self, *args, **kwargs):
            super(P4MConvP4M, self).__init__(input_stabilizer_size=8, output_stabilizer_size=8,
                                             *args, **kwargs)

    def plane_group_spatial_max_pooling(x, ksize, stride=None, pad=0):
        xs = x.size()
        x = x.view(xs[0], xs[1] * xs[2], xs[3], xs[4])
        x = F.max_pool2d(input=x, kernel_size=ksize, stride=stride, padding=pad)
        x = x.view(xs[0], xs[1], xs[2], x.size()[2], x.size()[3])
        return x

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = P4MConvZ2(1, 3, kernel_size=3, padding=1)
            self.conv2 = P4MConvP4M(3, 4, kernel_size=3, padding=1)
            self.fc1 = nn.Linear(4, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = plane_group_spatial_max_pooling(x, 3, 2, 1)
            x = F.relu(self.conv2(x))
            x = x.view(x.size()[0], x.size()[1], -1).max(dim=-1)[0]  # invariant
            return F.log_softmax(self.fc1(x), dim=1)

    return P4MConvZ2, P4MConvP4M, Net


def train_p4m_net(torch, sync, steps: int = 3) -> list:
    torch, nn, F, optim = libraries(torch)
    *_, Net = gconv_program(torch, nn, F)
    images, labels = digits(36, seed=4)
    images = np.pad(images, ((0, 0), (0, 0), (0, 1), (0, 1)))  # odd: pooling equivariant
    model = Net()
    sync(model)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
    records = []
    for step in range(steps):
        data = torch.tensor(images[12 * step:12 * step + 12])
        target = torch.tensor(labels[12 * step:12 * step + 12])
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        records += [loss.item()] + [p.grad.clone() for p in model.parameters()]
        optimizer.step()
    with torch.no_grad():
        x = torch.tensor(images[:4])
        records += [p.detach().clone() for p in model.parameters()]
        records += [model(x), model(torch.flip(x, [-1]).rot90(3, [-2, -1]))]
    return records


def test_p4m_net_trains_step_for_step_and_is_invariant(torch) -> None:
    ours, theirs = weight_sync()
    want = train_p4m_net(torch, theirs)
    got = train_p4m_net(None, ours)
    assert_records(got, want)
    np.testing.assert_allclose(numpy_of(got[-1]), numpy_of(got[-2]), atol=1e-12)


@pytest.mark.parametrize("element", range(8))
def test_p4m_layers_are_equivariant(torch, element: int) -> None:
    images, _ = digits(2, seed=5)
    ours, theirs = weight_sync()
    records = []
    for T, sync in ((torch, theirs), (None, ours)):
        T, nn, F, optim = libraries(T)
        P4MConvZ2, P4MConvP4M, _ = gconv_program(T, nn, F)
        lift, group = P4MConvZ2(1, 2, padding=1), P4MConvP4M(2, 2, padding=1)
        sync(lift)
        sync(group)
        x = T.tensor(images, requires_grad=True)
        y = group(F.relu(lift(x)))
        y_of_moved = group(F.relu(lift(T.tensor(act_on_array(images, element).copy()))))
        y.pow(2).sum().backward()
        records.append([y, y_of_moved, x.grad, lift.weight.grad, group.weight.grad])
    assert_records(records[1], records[0])
    y, y_of_moved = numpy_of(records[1][0]), numpy_of(records[1][1])
    np.testing.assert_allclose(y_of_moved, act_on_group_function(y, element, 8), atol=1e-12)
