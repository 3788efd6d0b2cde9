"""wkentaro's pytorch-fcn FCN-8s (``torchfcn/models/fcn8s.py``), its loss and trainer
(``torchfcn/trainer.py``, ``examples/voc/train_fcn8s.py``), ported as their readers write
them, once for a library ``T`` (``autograd`` here, ``torch`` there), run next to PyTorch's
from the same weights in float64 on scikit-learn's digits turned into masks.

Here: the VGG layout with ``padding=100`` in ``conv1_1`` and ``MaxPool2d(2, stride=2,
ceil_mode=True)`` (one narrow convolution per stage instead of two or three: the strides,
hence the crop offsets 5, 9 and 31, are the program's), ``fc6`` as a 7x7 convolution,
the skip fusion of ``score_pool4`` / ``score_pool3`` cropped by slicing and added to the
``ConvTranspose2d(bias=False)`` upsampling, the final ``[..., 31:31 + H, 31:31 + W]
.contiguous()``; ``get_upsampling_weight`` (a bilinear kernel from ``np.ogrid``, fancy
assignment ``weight[range(in), range(out), :, :]``, ``torch.from_numpy(weight).float()``);
``_initialize_weights`` over ``self.modules()``; ``cross_entropy2d`` (``log_softmax``,
``transpose(1, 2).transpose(2, 3).contiguous()``, a mask built by
``target.view(n, h, w, 1).repeat(1, 1, 1, c) >= 0``, ``nll_loss(reduction='sum')``,
``loss /= mask.data.sum()``); ``get_parameters`` yielding weights and biases into two SGD
groups (biases at twice the rate, no weight decay; the upsampling weights stay frozen
outside the optimizer); the trainer's ``loss /= len(data)``, ``loss.data.item()`` and
``np.isnan`` check.

Lines written differently here, and why: ``m.weight.data.zero_()`` /
``m.weight.data.copy_(initial_weight)`` are ``zero_()`` / ``copy_()`` on the parameter
under ``no_grad()``, since ``.data`` is a NumPy array here (by design); the trainer's
``score.data.max(1)[1]`` is ``score.max(dim=1)[1]``: on the NumPy ``.data`` ``max(1)`` is the
row maxima; ``get_upsampling_weight``'s ``.float()`` is ``.double()`` (its ``.float()`` would
copy float32 kernels into float64 weights: exact for these values, but the runs are kept
float64 throughout); ``Dropout2d()`` takes ``p`` from the test, 0, as the two libraries
draw different masks. The zero initialisation of the convolutions would make every
gradient but the biases' zero, so the test draws the convolutions' weights afterwards.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F

from detection_helpers import assert_close


def libraries(torch=None) -> tuple:
    """(T, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def digit_masks(n: int) -> tuple:
    """n digits as float64 images (n, 1, 8, 8) and int64 masks: 0 below 4/16 ink, 1 below
    12/16, else 2; the top row is -1 (ignored by ``cross_entropy2d``)."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, _ = datasets.load_digits(return_X_y=True)
    images = images[:n].reshape(n, 1, 8, 8)
    masks = np.digitize(images[:, 0], [4, 12]).astype(np.int64)
    masks[:, 0, :] = -1
    return images / 16.0, masks


def get_upsampling_weight(T, in_channels, out_channels, kernel_size):
    """Make a 2D bilinear kernel suitable for upsampling"""
    factor = (kernel_size + 1) // 2
    if kernel_size % 2 == 1:
        center = factor - 1
    else:
        center = factor - 0.5
    og = np.ogrid[:kernel_size, :kernel_size]
    filt = (1 - abs(og[0] - center) / factor) * \
           (1 - abs(og[1] - center) / factor)
    weight = np.zeros((in_channels, out_channels, kernel_size, kernel_size),
                      dtype=np.float64)
    weight[range(in_channels), range(out_channels), :, :] = filt
    return T.from_numpy(weight).double()


def fcn8s_class(T, nn, dropout: float):
    class FCN8s(nn.Module):
        def __init__(self, n_class=21):
            super(FCN8s, self).__init__()
            self.conv1_1 = nn.Conv2d(1, 4, 3, padding=100)
            self.relu1_1 = nn.ReLU(inplace=True)
            self.pool1 = nn.MaxPool2d(2, stride=2, ceil_mode=True)  # 1/2
            self.conv2_1 = nn.Conv2d(4, 4, 3, padding=1)
            self.relu2_1 = nn.ReLU(inplace=True)
            self.pool2 = nn.MaxPool2d(2, stride=2, ceil_mode=True)  # 1/4
            self.conv3_1 = nn.Conv2d(4, 6, 3, padding=1)
            self.relu3_1 = nn.ReLU(inplace=True)
            self.pool3 = nn.MaxPool2d(2, stride=2, ceil_mode=True)  # 1/8
            self.conv4_1 = nn.Conv2d(6, 8, 3, padding=1)
            self.relu4_1 = nn.ReLU(inplace=True)
            self.pool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)  # 1/16
            self.conv5_1 = nn.Conv2d(8, 8, 3, padding=1)
            self.relu5_1 = nn.ReLU(inplace=True)
            self.pool5 = nn.MaxPool2d(2, stride=2, ceil_mode=True)  # 1/32

            self.fc6 = nn.Conv2d(8, 16, 7)
            self.relu6 = nn.ReLU(inplace=True)
            self.drop6 = nn.Dropout2d(p=dropout)
            self.fc7 = nn.Conv2d(16, 16, 1)
            self.relu7 = nn.ReLU(inplace=True)
            self.drop7 = nn.Dropout2d(p=dropout)

            self.score_fr = nn.Conv2d(16, n_class, 1)
            self.score_pool3 = nn.Conv2d(6, n_class, 1)
            self.score_pool4 = nn.Conv2d(8, n_class, 1)

            self.upscore2 = nn.ConvTranspose2d(n_class, n_class, 4, stride=2, bias=False)
            self.upscore8 = nn.ConvTranspose2d(n_class, n_class, 16, stride=8, bias=False)
            self.upscore_pool4 = nn.ConvTranspose2d(n_class, n_class, 4, stride=2, bias=False)

            self._initialize_weights()

        def _initialize_weights(self):
            # m.weight.data.zero_() / .copy_(...) in the program: .data is NumPy here
            with T.no_grad():
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        m.weight.zero_()
                        if m.bias is not None:
                            m.bias.zero_()
                    if isinstance(m, nn.ConvTranspose2d):
                        assert m.kernel_size[0] == m.kernel_size[1]
                        initial_weight = get_upsampling_weight(
                            T, m.in_channels, m.out_channels, m.kernel_size[0])
                        m.weight.copy_(initial_weight)

        def forward(self, x):
            h = x
            h = self.pool1(self.relu1_1(self.conv1_1(h)))
            h = self.pool2(self.relu2_1(self.conv2_1(h)))
            h = self.pool3(self.relu3_1(self.conv3_1(h)))
            pool3 = h  # 1/8
            h = self.pool4(self.relu4_1(self.conv4_1(h)))
            pool4 = h  # 1/16
            h = self.pool5(self.relu5_1(self.conv5_1(h)))

            h = self.relu6(self.fc6(h))
            h = self.drop6(h)
            h = self.relu7(self.fc7(h))
            h = self.drop7(h)

            h = self.score_fr(h)
            h = self.upscore2(h)
            upscore2 = h  # 1/16

            h = self.score_pool4(pool4)
            h = h[:, :, 5:5 + upscore2.size()[2], 5:5 + upscore2.size()[3]]
            score_pool4c = h  # 1/16

            h = upscore2 + score_pool4c  # 1/16
            h = self.upscore_pool4(h)
            upscore_pool4 = h  # 1/8

            h = self.score_pool3(pool3)
            h = h[:, :,
                  9:9 + upscore_pool4.size()[2],
                  9:9 + upscore_pool4.size()[3]]
            score_pool3c = h  # 1/8

            h = upscore_pool4 + score_pool3c  # 1/8

            h = self.upscore8(h)
            h = h[:, :, 31:31 + x.size()[2], 31:31 + x.size()[3]].contiguous()
            return h
    return FCN8s


def cross_entropy2d(F, input, target, weight=None, size_average=True):
    # input: (n, c, h, w), target: (n, h, w)
    n, c, h, w = input.size()
    # log_p: (n, c, h, w)
    log_p = F.log_softmax(input, dim=1)
    # log_p: (n*h*w, c)
    log_p = log_p.transpose(1, 2).transpose(2, 3).contiguous()
    log_p = log_p[target.view(n, h, w, 1).repeat(1, 1, 1, c) >= 0]
    log_p = log_p.view(-1, c)
    # target: (n*h*w,)
    mask = target >= 0
    target = target[mask]
    loss = F.nll_loss(log_p, target, weight=weight, reduction='sum')
    if size_average:
        loss /= mask.data.sum()
    return loss


def get_parameters(nn, model, bias=False):
    modules_skipped = (nn.ReLU, nn.MaxPool2d, nn.Dropout2d, nn.Sequential, type(model))
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            if bias:
                yield m.bias
            else:
                yield m.weight
        elif isinstance(m, nn.ConvTranspose2d):
            # weight is frozen because it is just a bilinear upsampling
            if bias:
                assert m.bias is None
        elif isinstance(m, modules_skipped):
            continue
        else:
            raise ValueError('Unexpected module: %s' % str(m))


def train(T, nn, F, optim, images, masks, iterations=3, lr=1.0e-4) -> list:
    model = fcn8s_class(T, nn, dropout=0.0)(n_class=3)
    with T.no_grad():  # after the program's zero init, so that gradients are not all zero
        for k, m in enumerate(model.modules()):
            if isinstance(m, nn.Conv2d):
                draw = np.random.default_rng(k).standard_normal(tuple(m.weight.shape))
                m.weight.copy_(T.tensor(draw * 0.5))
    optim_ = optim.SGD(
        [{'params': get_parameters(nn, model, bias=False)},
         {'params': get_parameters(nn, model, bias=True), 'lr': lr * 2, 'weight_decay': 0}],
        lr=lr, momentum=0.99, weight_decay=0.0005)
    record = []
    model.train()
    for iteration in range(iterations):
        data, target = T.tensor(images[iteration::2]), T.tensor(masks[iteration::2])
        optim_.zero_grad()
        score = model(data)
        loss = cross_entropy2d(F, score, target, size_average=False)
        loss /= len(data)
        loss_data = loss.data.item()
        if np.isnan(loss_data):
            raise ValueError('loss is nan while training')
        loss.backward()
        optim_.step()
        # score.data.max(1)[1] in the program: .data is NumPy here, whose max(1) is the
        # row maxima, so the indices are asked for by dim=
        lbl_pred = score.max(dim=1)[1].cpu().numpy()[:, :, :]
        record += [loss, loss_data, score, lbl_pred]
        record += [p.grad.clone() for p in model.parameters()]
    return record + list(model.parameters())


def test_fcn8s_training(torch):
    images, masks = digit_masks(4)
    assert_close(train(*libraries(), images, masks), train(*libraries(torch), images, masks))


def test_upsampling_weight_and_crops(torch):
    """The bilinear ConvTranspose2d keeps a constant map constant away from its border."""
    outputs = []
    for T, lib, F, _ in (libraries(), libraries(torch)):
        up = lib.ConvTranspose2d(2, 2, 4, stride=2, bias=False)
        with T.no_grad():
            up.weight.copy_(get_upsampling_weight(T, 2, 2, 4))
        outputs.append(up(T.ones((1, 2, 3, 3)))[:, :, 2:-2, 2:-2])
    assert_close(*outputs)
    np.testing.assert_allclose(outputs[0].detach().numpy(), 1.0)
