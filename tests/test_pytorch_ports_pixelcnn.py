"""PixelCNN as its readers write it (the models in ``pixelcnn_models.py``), run step for
step next to PyTorch from the same weights on scikit-learn's 8x8 digits (float64):
- jzbontar/pixelcnn-pytorch: 'A'/'B' masked 7x7 convolutions whose mask is written
  into the weight (``self.weight.data *= self.mask``), 256-way ``F.cross_entropy`` on
  the pixels, SGD with Nesterov momentum, sampling pixel by pixel (``F.softmax`` of a
  2-d slice without ``dim``, ``torch.multinomial``, ``sample[:, :, i, j] = ...``);
- Phillip Lippe's gated PixelCNN (UvA DL tutorial 12): vertical and horizontal stacks,
  dilated gated blocks, the receptive field read from ``img.grad`` after
  ``backward(retain_graph=True)`` and ``img.grad.fill_(0)``, bits per dimension from
  ``F.cross_entropy`` over (N, classes, C, H, W), Adam with ``StepLR``, and ``sample``
  (a ``@torch.no_grad()`` method filling a long image of -1s, also completing one);
- a residual PixelCNN whose ``MaskedConv2d`` calls ``self._conv_forward`` with
  ``self.padding = 'same'`` set after construction, on binarised digits.
Losses, gradients, parameters and samples agree to 1e-10.

Lines written differently here, and why:
- ``input.data[:, 0]`` and ``F.softmax(...).data`` are ``.detach()``: ``.data`` is a
  NumPy array here, without a Tensor's methods (``.long()``, ``.numpy()``);
- ``self.weight.data.clone()`` is ``self.weight.detach().clone()``: ``.data`` is NumPy's
  array here (``self.weight.data *= self.mask`` runs as written: NumPy multiplies in);
- ``vert_conv.conv.weight.data.fill_(1)`` is ``fill_`` on the parameter under
  ``no_grad()``, for the same reason;
- ``Variable(...)``, ``volatile=True`` and ``loss.data[0]`` (PyTorch 0.3) are the
  tensor, ``no_grad()`` and ``loss.item()`` in both; ``torch.Tensor(144, 1, 28, 28)`` is
  ``torch.zeros`` (it is filled with 0 next);
- the tutorial's ``PixelCNN`` is an ``nn.Module`` (no Lightning), with 3 gated blocks and
  17 grey levels (the digits' 0..16) instead of 7 and 256; its ``x.float()`` is
  ``x.double()`` (the comparison runs in float64: PyTorch refuses a float32 input to
  float64 weights), and ``sample`` takes the replayed ``multinomial`` (below);
- the test's glue: both libraries draw, then PyTorch's ``torch.multinomial`` draws are
  used in both (``Replay``), as in the makemore ports; our models load PyTorch's weights.
"""

import numpy as np
import pytest
from flows_helpers import assert_records
from pixelcnn_models import jzbontar, lippe, residual

import autograd as ag
import nn

pytestmark = pytest.mark.filterwarnings("ignore:Implicit dimension choice for softmax")


def digits(n: int) -> np.ndarray:
    """The first ``n`` 8x8 digits, (n, 1, 8, 8), integer grey levels 0..16 as floats."""
    datasets = pytest.importorskip("sklearn.datasets")
    return datasets.load_digits().images[:n, None].copy()


class Replay:
    """``torch.multinomial`` for both runs: PyTorch's draws recorded, then replayed."""

    def __init__(self) -> None:
        self.draws: list = []
        self.position = 0

    def __call__(self, torch, probs, num_samples):
        drawn = torch.multinomial(probs, num_samples)
        if torch is not ag:
            self.draws.append(drawn.numpy().copy())
            return drawn
        assert drawn.shape == self.draws[self.position].shape
        self.position += 1
        return ag.tensor(self.draws[self.position - 1])


def copy_weights(ours, theirs) -> None:
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})


def run_jzbontar(torch, nn, optim, net, images, replay, record: list) -> None:
    F = nn.functional
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    for input in images:
        input = torch.tensor(input)
        target = (input.detach()[:, 0] * 255).long()  # input.data: NumPy's array here
        loss = F.cross_entropy(net(input), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in net.parameters()])
    sample = torch.zeros(2, 1, 8, 8)
    sample.fill_(0)
    for i in range(8):
        for j in range(8):
            with torch.no_grad():
                out = net(sample)
            probs = F.softmax(out[:, :, i, j]).detach()  # .data: NumPy's array here
            record.append([probs.numpy().copy()])
            sample[:, :, i, j] = replay(torch, probs, 1).float() / 255.
    record.append([sample.numpy()] + [p.detach().numpy() for p in net.parameters()])


def test_jzbontar_pixelcnn(torch):
    images = [x / 16.0 for x in np.split(digits(16), 2)]
    torch.manual_seed(0)
    theirs = jzbontar(torch, torch.nn)(fm=4, layers=3)
    ours = jzbontar(ag, nn)(fm=4, layers=3)
    copy_weights(ours, theirs)
    runs, replay = ([], []), Replay()
    run_jzbontar(torch, torch.nn, torch.optim, theirs, images, replay, runs[1])
    run_jzbontar(ag, nn, nn.optim, ours, images, replay, runs[0])
    assert_records(*runs)


def receptive_fields(torch, classes) -> list:
    """The tutorial's receptive-field cells: gradients of the centre output pixel with
    respect to an image, after the first masked convolutions and after more layers."""
    inp_img = torch.zeros(1, 1, 11, 11)
    inp_img.requires_grad_()
    vert_conv = classes["VerticalStackConvolution"](c_in=1, c_out=1, kernel_size=3,
                                                    mask_center=True)
    horiz_conv = classes["HorizontalStackConvolution"](c_in=1, c_out=1, kernel_size=3,
                                                       mask_center=True)
    vert_noc_conv = classes["VerticalStackConvolution"](c_in=1, c_out=1, kernel_size=3,
                                                        mask_center=False)
    horiz_noc_conv = classes["HorizontalStackConvolution"](c_in=1, c_out=1, kernel_size=3,
                                                           mask_center=False)
    with torch.no_grad():  # conv.weight.data.fill_(1): .data is NumPy's array here
        for conv in (vert_conv, horiz_conv, vert_noc_conv, horiz_noc_conv):
            conv.conv.weight.fill_(1)
            conv.conv.bias.fill_(0)
    grads = []

    def show_center_recep_field(img, out):
        loss = out[0, :, img.shape[2]//2, img.shape[3]//2].sum()
        loss.backward(retain_graph=True)
        img_grads = img.grad.abs()
        img.grad.fill_(0)
        grads.append(img_grads.squeeze().cpu().numpy().copy())

    vert_img = vert_conv(inp_img)
    horiz_img = horiz_conv(inp_img) + vert_img
    show_center_recep_field(inp_img, horiz_img)
    for _ in range(4):
        vert_img = vert_noc_conv(vert_img)
        horiz_img = horiz_noc_conv(horiz_img) + vert_img
        show_center_recep_field(inp_img, horiz_img)
    return grads


def test_lippe_receptive_field(torch):
    ours = receptive_fields(ag, lippe(ag, nn))
    assert_records([ours], [receptive_fields(torch, lippe(torch, torch.nn))])
    centre = ours[-1]
    assert centre[5, 5] == 0 and not centre[6:].any() and not centre[5, 6:].any()
    assert centre[:5].all() and centre[5, :5].all()  # all above, all to the left


def run_lippe(torch, optim, model, batches, replay, record: list) -> None:
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    scheduler = optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.99)
    for epoch in range(2):
        for batch in batches:
            loss = model.calc_likelihood(torch.tensor(batch).long())  # training_step
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record.append([loss.item()] + [p.grad.numpy().copy()
                                           for p in model.parameters()])
        scheduler.step()
    with torch.no_grad():
        record.append([model.calc_likelihood(torch.tensor(batches[0]).long()).item()])

    def multinomial(probs, num_samples):
        return replay(torch, probs, num_samples)
    samples = model.sample(img_shape=(2, 1, 8, 8), multinomial=multinomial)
    img = torch.tensor(batches[0][:2]).long()
    img[:, :, 4:] = -1  # the tutorial's autocompletion: the lower half filled in
    completed = model.sample(img.shape, multinomial=multinomial, img=img)
    record.append([samples.numpy(), completed.numpy()]
                  + [p.detach().numpy() for p in model.parameters()])


def test_lippe_gated_pixelcnn(torch):
    batches = np.split(digits(16), 2)
    torch.manual_seed(0)
    theirs = lippe(torch, torch.nn)["PixelCNN"](c_in=1, c_hidden=4, levels=17)
    ours = lippe(ag, nn)["PixelCNN"](c_in=1, c_hidden=4, levels=17)
    copy_weights(ours, theirs)
    runs, replay = ([], []), Replay()
    run_lippe(torch, torch.optim, theirs, batches, replay, runs[1])
    run_lippe(ag, nn.optim, ours, batches, replay, runs[0])
    assert_records(*runs)
    assert replay.position == len(replay.draws)


def run_residual(torch, F, optim, model, batches, record: list) -> None:
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    for batch in batches:
        x = torch.tensor((batch > 8).astype(np.float64))  # binarised
        loss = F.binary_cross_entropy_with_logits(model(x), x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in model.parameters()])


def test_residual_pixelcnn_with_conv_forward(torch):
    batches = np.split(digits(16), 2)
    torch.manual_seed(0)
    theirs = residual(torch, torch.nn)(channels=4, kernel=5, resblocks=2)
    ours = residual(ag, nn)(channels=4, kernel=5, resblocks=2)
    copy_weights(ours, theirs)
    runs = [], []
    run_residual(torch, torch.nn.functional, torch.optim, theirs, batches, runs[1])
    run_residual(ag, nn.functional, nn.optim, ours, batches, runs[0])
    assert_records(*runs)
