"""golbin/WaveNet (van den Oord et al.'s WaveNet, a popular plain-PyTorch version), ported
as its readers write it: ``CausalConv1d`` (padding 1, last sample cut), kernel-2
``DilatedCausalConv1d`` stacks with dilations 1, 2, 4..., the PixelCNN gate
``tanh * sigmoid``, residual ``output += input_cut`` and skip connections cut to the
output size, summed by ``torch.sum(torch.stack(skips), dim=0)``, the 1x1 "DensNet" with
``Softmax(dim=1)``, and its training step (``CrossEntropyLoss`` on
``outputs.view(-1, channels)``, Adam). Audio is quantized by torchaudio's
``mu_law_encoding`` (``torch.sign * torch.log1p(mu * torch.abs(x)) / torch.log1p(mu)``,
``.to(torch.int64)``), one-hot encoded with ``F.one_hot``, and a generated tone decodes
back through ``mu_law_decoding``. Shrunk to 16 quantization channels, 3 layers x 2 stacks.
Written once for a library ``torch`` and run step for step next to PyTorch's from the
same weights (float64): losses, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- ``ResidualStack.res_blocks`` is an ``nn.ModuleList`` in both runs: the original keeps
  the blocks in a plain list, which PyTorch does not register (so that WaveNet never
  trains its residual stack), while this library finds modules held in lists (by
  design) and would train them;
- ``torch.nn.Conv1d`` is ``nn.Conv1d`` (``nn`` is a package of its own here);
- the one-hot inputs are made ``.double()``, not ``.float()`` (float32 in both libraries):
  the comparison runs in float64. PyTorch refuses a float32 input to a float64 ``Conv1d``;
  this library computes it in float64 (NumPy's promotion);
- ``m.weight.data.fill_(1)`` is ``with torch.no_grad(): m.weight.fill_(1)`` (``.data`` is a
  NumPy array here, by design).
"""

import numpy as np

from ctc_port_helpers import assert_same_state, copy_weights, libraries, to_numpy


def mu_law_functions(library):
    """torchaudio's ``functional.mu_law_encoding`` and ``mu_law_decoding``."""
    torch = libraries(library)[0]

    def mu_law_encoding(x, quantization_channels):
        mu = quantization_channels - 1.0
        if not x.is_floating_point():
            x = x.to(torch.float)
        mu = torch.tensor(mu, dtype=x.dtype)
        x_mu = torch.sign(x) * torch.log1p(mu * torch.abs(x)) / torch.log1p(mu)
        x_mu = ((x_mu + 1) / 2 * mu + 0.5).to(torch.int64)
        return x_mu

    def mu_law_decoding(x_mu, quantization_channels):
        mu = quantization_channels - 1.0
        if not x_mu.is_floating_point():
            x_mu = x_mu.to(torch.float)
        mu = torch.tensor(mu, dtype=x_mu.dtype)
        x = ((x_mu) / mu) * 2 - 1.0
        x = torch.sign(x) * (torch.exp(torch.abs(x) * torch.log1p(mu)) - 1.0) / mu
        return x

    return mu_law_encoding, mu_law_decoding


def wavenet_program(library):
    """``wavenet/networks.py`` of golbin/WaveNet."""
    torch, nn, F, _ = libraries(library)

    class DilatedCausalConv1d(nn.Module):
        """Dilated Causal Convolution for WaveNet"""
        def __init__(self, channels, dilation=1):
            super(DilatedCausalConv1d, self).__init__()
            self.conv = nn.Conv1d(channels, channels, kernel_size=2, stride=1,
                                  dilation=dilation, padding=0, bias=False)

        def init_weights_for_test(self):
            for m in self.modules():
                if isinstance(m, nn.Conv1d):
                    with torch.no_grad():  # m.weight.data.fill_(1) in the original
                        m.weight.fill_(1)

        def forward(self, x):
            output = self.conv(x)
            return output

    class CausalConv1d(nn.Module):
        """Causal Convolution for WaveNet"""
        def __init__(self, in_channels, out_channels):
            super(CausalConv1d, self).__init__()
            # padding=1 for same size(length) between input and output for causal convolution
            self.conv = nn.Conv1d(in_channels, out_channels, kernel_size=2, stride=1,
                                  padding=1, bias=False)

        def forward(self, x):
            output = self.conv(x)
            # remove last value for causal convolution
            return output[:, :, :-1]

    class ResidualBlock(nn.Module):
        def __init__(self, res_channels, skip_channels, dilation):
            super(ResidualBlock, self).__init__()
            self.dilated = DilatedCausalConv1d(res_channels, dilation=dilation)
            self.conv_res = nn.Conv1d(res_channels, res_channels, 1)
            self.conv_skip = nn.Conv1d(res_channels, skip_channels, 1)
            self.gate_tanh = nn.Tanh()
            self.gate_sigmoid = nn.Sigmoid()

        def forward(self, x, skip_size):
            output = self.dilated(x)
            # PixelCNN gate
            gated_tanh = self.gate_tanh(output)
            gated_sigmoid = self.gate_sigmoid(output)
            gated = gated_tanh * gated_sigmoid
            # Residual network
            output = self.conv_res(gated)
            input_cut = x[:, :, -output.size(2):]
            output += input_cut
            # Skip connection
            skip = self.conv_skip(gated)
            skip = skip[:, :, -skip_size:]
            return output, skip

    class ResidualStack(nn.Module):
        def __init__(self, layer_size, stack_size, res_channels, skip_channels):
            super(ResidualStack, self).__init__()
            self.layer_size = layer_size
            self.stack_size = stack_size
            self.res_blocks = self.stack_res_block(res_channels, skip_channels)

        @staticmethod
        def _residual_block(res_channels, skip_channels, dilation):
            block = ResidualBlock(res_channels, skip_channels, dilation)
            if torch.cuda.device_count() > 1:
                block = nn.DataParallel(block)
            if torch.cuda.is_available():
                block.cuda()
            return block

        def build_dilations(self):
            dilations = []
            # 5 = stack[layer1, layer2, layer3, layer4, layer5]
            for s in range(0, self.stack_size):
                # 10 = layer[dilation=1, dilation=2, 4, 8, 16, 32, 64, 128, 256, 512]
                for l in range(0, self.layer_size):  # noqa: E741
                    dilations.append(2 ** l)
            return dilations

        def stack_res_block(self, res_channels, skip_channels):
            res_blocks = nn.ModuleList()  # [] in the original (see the module docstring)
            dilations = self.build_dilations()
            for dilation in dilations:
                block = self._residual_block(res_channels, skip_channels, dilation)
                res_blocks.append(block)
            return res_blocks

        def forward(self, x, skip_size):
            output = x
            skip_connections = []
            for res_block in self.res_blocks:
                # output is the next input
                output, skip = res_block(output, skip_size)
                skip_connections.append(skip)
            return torch.stack(skip_connections)

    class DensNet(nn.Module):
        def __init__(self, channels):
            super(DensNet, self).__init__()
            self.conv1 = nn.Conv1d(channels, channels, 1)
            self.conv2 = nn.Conv1d(channels, channels, 1)
            self.relu = nn.ReLU()
            self.softmax = nn.Softmax(dim=1)

        def forward(self, x):
            output = self.relu(x)
            output = self.conv1(output)
            output = self.relu(output)
            output = self.conv2(output)
            output = self.softmax(output)
            return output

    class WaveNet(nn.Module):
        def __init__(self, layer_size, stack_size, in_channels, res_channels):
            super(WaveNet, self).__init__()
            self.receptive_fields = self.calc_receptive_fields(layer_size, stack_size)
            self.causal = CausalConv1d(in_channels, res_channels)
            self.res_stack = ResidualStack(layer_size, stack_size, res_channels, in_channels)
            self.densnet = DensNet(in_channels)

        @staticmethod
        def calc_receptive_fields(layer_size, stack_size):
            layers = [2 ** i for i in range(0, layer_size)] * stack_size
            num_receptive_fields = np.sum(layers)
            return int(num_receptive_fields)

        def calc_output_size(self, x):
            output_size = int(x.size(2)) - self.receptive_fields
            self.check_input_size(x, output_size)
            return output_size

        def check_input_size(self, x, output_size):
            if output_size < 1:
                raise ValueError(f"input size {int(x.size(2))} <= receptive fields "
                                 f"{self.receptive_fields}")

        def forward(self, x):
            output = x.transpose(1, 2)
            output_size = self.calc_output_size(output)
            output = self.causal(output)
            skip_connections = self.res_stack(output, output_size)
            output = torch.sum(skip_connections, dim=0)
            output = self.densnet(output)
            return output.transpose(1, 2).contiguous()

    return WaveNet, DilatedCausalConv1d


CHANNELS = 16


def tone_batch(library, length=40):
    """Two generated tones, mu-law quantized; one-hot inputs (B, T, C) and the next
    samples' classes as targets for the outputs' positions."""
    torch, _, F, _ = libraries(library)
    mu_law_encoding, _ = mu_law_functions(library)
    t = np.arange(length + 1) / 40.0
    audio = torch.tensor(np.stack([0.8 * np.sin(2 * np.pi * 3 * t),
                                   0.5 * np.sin(2 * np.pi * 5 * t + 1.0)]))
    quantized = mu_law_encoding(audio, CHANNELS)
    inputs = F.one_hot(quantized[:, :-1], CHANNELS).double()  # .float(): see the docstring
    return inputs, quantized


def train_steps(library, net, steps=3):
    """golbin's ``Trainer``: ``loss(outputs.view(-1, in_channels), targets.long().view(-1))``."""
    torch, nn, F, optim = libraries(library)
    inputs, quantized = tone_batch(library)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(net.parameters(), lr=0.01)
    losses = []
    for _ in range(steps):
        outputs = net(inputs)
        targets = quantized[:, -outputs.size(1):].contiguous()  # golbin's data loader's
        loss = loss_fn(outputs.view(-1, CHANNELS), targets.long().view(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def build(library):
    libraries(library)[0].manual_seed(0)
    WaveNet, _ = wavenet_program(library)
    return WaveNet(layer_size=3, stack_size=2, in_channels=CHANNELS, res_channels=6)


def test_wavenet_trains_step_for_step_as_pytorch(torch):
    theirs, ours = build(torch), build(None)
    assert ours.receptive_fields == theirs.receptive_fields == 14
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 35
    copy_weights(ours, theirs)
    got, want = train_steps(None, ours), train_steps(torch, theirs)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    unused = [n for n, p in theirs.named_parameters() if p.grad is None]
    assert unused == [n for n, p in ours.named_parameters() if p.grad is None] == [
        "res_stack.res_blocks.5.conv_res.weight", "res_stack.res_blocks.5.conv_res.bias"]
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        if name not in unused:  # the last block's residual output goes nowhere
            np.testing.assert_allclose(to_numpy(p.grad), to_numpy(q.grad), atol=1e-10)
    assert_same_state(ours, theirs)


def test_mu_law_round_trip_and_test_weights_agree_with_pytorch(torch):
    results = []
    for library in (None, torch):
        T = libraries(library)[0]
        encode, decode = mu_law_functions(library)
        x = T.tensor(np.linspace(-1, 1, 41))  # torch.linspace's 0 is -5.6e-17 on AVX-512
        codes = encode(x, 256)
        ints = encode(T.tensor([0, 1]), 256)  # integers are made float first
        _, DilatedCausalConv1d = wavenet_program(library)
        conv = DilatedCausalConv1d(2, dilation=2)
        conv.init_weights_for_test()
        out = conv(T.ones(1, 2, 5))
        results.append((to_numpy(codes), to_numpy(decode(codes, 256)), to_numpy(ints),
                        str(codes.dtype), to_numpy(out)))
    ours, theirs = results
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert ours[1].dtype == theirs[1].dtype == np.float32  # x_mu.to(torch.float)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    np.testing.assert_array_equal(ours[2], theirs[2])
    assert ours[3] == "int64" and theirs[3] == "torch.int64"
    np.testing.assert_array_equal(ours[4], theirs[4])
    np.testing.assert_allclose(ours[1], np.linspace(-1, 1, 41), atol=0.02)
