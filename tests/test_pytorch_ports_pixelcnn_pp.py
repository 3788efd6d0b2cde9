"""PixelCNN++ (pclucas14/pixel-cnn-pp) as its readers write it: the functions and layers of
its utils.py (``pixelcnn_pp.py``) in a small model shaped as its model.py (down- and
down-right-shifted weight-normalised convolutions, gated resnets with a skip from the
vertical to the horizontal stream, ``nin`` out), trained with
``discretized_mix_logistic_loss`` on three-channel 8x8 images made from the digits and
sampled pixel by pixel with ``sample_from_discretized_mix_logistic`` (its Gumbel-max
component choice, ``to_one_hot`` by ``scatter_``), written once for a library ``torch``
(``autograd`` here, PyTorch there) and run step for step next to PyTorch from the same
weights (float64): losses, gradients and parameters agree to 1e-10, the samples to
float32's precision (the sampler's uniforms are ``torch.FloatTensor``'s float32).

Lines written differently here, and why:
- ``Variable(torch.zeros(...).cuda(), requires_grad=False)`` and ``Variable(one_hot)``
  are the tensors themselves, on the CPU; ``if t.is_cuda: t = t.cuda()`` lines dropped;
- the sampling loop's ``Variable(data, volatile=True)`` is ``torch.no_grad()`` and
  ``out_sample.data[:, :, i, j]`` is ``out_sample[:, :, i, j]`` (``.data`` is NumPy's
  array here; the values are the same);
- the test's glue: PyTorch's uniform draws (``temp.uniform_``, ``u.uniform_``) are used
  in both runs (``Draws``); our model loads PyTorch's state dict (weight-normalised
  ``weight_g``/``weight_v``); dropout is off (``model.eval()``) so both runs are
  deterministic; a small model (model.py's first layers, no down/up-sampling).
"""

import numpy as np
import pytest
from flows_helpers import Draws, assert_records
from pixelcnn_pp import pixelcnn_pp

import autograd as ag
import nn

pytestmark = pytest.mark.filterwarnings("ignore:.*weight_norm is deprecated",
                                        "ignore:.*torch.nn.utils.weight_norm")


def model_class(torch, nn, wn, draws):
    u = pixelcnn_pp(torch, nn, wn, draws)

    class PixelCNNpp(nn.Module):
        """model.py's PixelCNN, its first layers: u and ul streams, gated resnets."""

        def __init__(self, nr_filters=4, nr_resnet=1, nr_logistic_mix=2, input_channels=3):
            super().__init__()
            self.u_init = u["down_shifted_conv2d"](input_channels + 1, nr_filters,
                                                   filter_size=(2, 3), shift_output_down=True)
            self.ul_init = nn.ModuleList([
                u["down_shifted_conv2d"](input_channels + 1, nr_filters, filter_size=(1, 3),
                                         shift_output_down=True),
                u["down_right_shifted_conv2d"](input_channels + 1, nr_filters,
                                               filter_size=(2, 1), shift_output_right=True)])
            self.u_stream = nn.ModuleList([
                u["gated_resnet"](nr_filters, u["down_shifted_conv2d"], skip_connection=0)
                for _ in range(nr_resnet)])
            self.ul_stream = nn.ModuleList([
                u["gated_resnet"](nr_filters, u["down_right_shifted_conv2d"],
                                  skip_connection=1) for _ in range(nr_resnet)])
            self.nin_out = u["nin"](nr_filters, 10 * nr_logistic_mix)

        def forward(self, x, sample=False):
            xs = [int(y) for y in x.size()]
            padding = torch.ones(xs[0], 1, xs[2], xs[3])
            x = torch.cat((x, padding), 1)
            u_out = self.u_init(x)
            ul_out = self.ul_init[0](x) + self.ul_init[1](x)
            for u_layer, ul_layer in zip(self.u_stream, self.ul_stream):
                u_out = u_layer(u_out)
                ul_out = ul_layer(ul_out, a=u_out)
            return self.nin_out(nn.functional.elu(ul_out))

    return PixelCNNpp, u


def images() -> np.ndarray:
    """Three-channel 8x8 images in [-1, 1]: a digit, its transpose and its mirror."""
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_digits().images[:12] / 16.0
    rgb = np.stack([d, d.transpose(0, 2, 1), d[:, :, ::-1]], axis=1)
    return np.round(rgb * 255) / 255 * 2 - 1


def run(torch, optim, nn_utils, nn, draws, start, record: list) -> None:
    PixelCNNpp, u = model_class(torch, nn, nn_utils.weight_norm, draws)
    model = PixelCNNpp()
    if start is not None:
        model.load_state_dict({k: ag.tensor(v.numpy()) for k, v in start.items()})
    model.eval()  # the glue: no dropout masks to match
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    for input in np.split(images(), 3):
        input = torch.tensor(input)
        output = model(input)
        loss = u["discretized_mix_logistic_loss"](input, output)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in model.parameters()])
    data = torch.zeros(2, 3, 8, 8)
    for i in range(8):
        for j in range(8):
            with torch.no_grad():
                out = model(data, sample=True)
                out_sample = u["sample_from_discretized_mix_logistic"](out, 2)
            data[:, :, i, j] = out_sample[:, :, i, j]
    record.append([p.detach().numpy() for p in model.parameters()])
    record.append([data.numpy()])


def test_pixelcnn_pp_loss_training_and_sampling(torch):
    torch.manual_seed(0)
    draws, runs = Draws(), ([], [])
    theirs_start = model_class(torch, torch.nn, torch.nn.utils.weight_norm, draws)[0]()
    start = {k: v.clone() for k, v in theirs_start.state_dict().items()}
    torch.manual_seed(0)
    run(torch, torch.optim, torch.nn.utils, torch.nn, draws, None, runs[1])
    run(ag, nn.optim, nn.utils, nn, draws, start, runs[0])
    assert_records(runs[0][:-1], runs[1][:-1])
    # the samples: the uniforms are torch.FloatTensor's float32, whose logs NumPy and
    # PyTorch round apart in the last bits (float32's precision, about 1e-7 of the
    # samples' range [-1, 1], so also absolutely: CI's BLAS kernels moved one by 8e-8)
    assert_records(runs[0][-1:], runs[1][-1:], rtol=1e-5, atol=1e-6)
    assert draws.position == len(draws.recorded)
