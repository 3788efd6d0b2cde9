"""deepspeech.pytorch's DeepSpeech2 model (SeanNaren), shrunk, as its readers write it:
``MaskConv`` (``torch.BoolTensor(x.size()).fill_(0)`` and ``narrow(...).fill_(1)`` zero the
padded frames after each conv), ``SequenceWise`` (``x.view(t * n, -1)`` around a module),
``BatchRNN`` (``pack_padded_sequence`` of the sorted batch into a bidirectional GRU, the
two directions summed with ``view(..., 2, -1).sum(2)``), ``get_seq_lens`` (the conv
arithmetic on the lengths, ``type(m) == nn.modules.conv.Conv2d``), and its training step:
``out.transpose(0, 1).log_softmax(-1)`` into ``CTCLoss(blank, reduction='sum',
zero_infinity=True)`` divided by the batch size. On generated spectrogram-like frames;
written once for a library ``torch`` and run step for step next to PyTorch's from the
same weights (float64): losses, gradients, parameters and running statistics agree.

Lines written differently here: ``torch.nn.utils.clip_grad_norm_`` is
``nn.utils.clip_grad_norm_`` (``nn`` is a package of its own here); sizes are shrunk (2
conv channels, hidden size 8, 16 frequencies).
"""

import math

import numpy as np

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)

LABELS = "_abc"  # index 0, "_", is the blank


def deepspeech(torch, n_freq=16, hidden_size=8, hidden_layers=2, channels=2):
    torch, nn, F, _ = libraries(torch)

    class SequenceWise(nn.Module):
        def __init__(self, module):
            """Collapses input of dim T*N*H to (T*N)*H, and applies to a module."""
            super(SequenceWise, self).__init__()
            self.module = module

        def forward(self, x):
            t, n = x.size(0), x.size(1)
            x = x.view(t * n, -1)
            x = self.module(x)
            x = x.view(t, n, -1)
            return x

    class MaskConv(nn.Module):
        def __init__(self, seq_module):
            """Adds padding to the output of the module based on the given lengths."""
            super(MaskConv, self).__init__()
            self.seq_module = seq_module

        def forward(self, x, lengths):
            for module in self.seq_module:
                x = module(x)
                mask = torch.BoolTensor(x.size()).fill_(0)
                if x.is_cuda:
                    mask = mask.cuda()
                for i, length in enumerate(lengths):
                    length = length.item()
                    if (mask[i].size(2) - length) > 0:
                        mask[i].narrow(2, length, mask[i].size(2) - length).fill_(1)
                x = x.masked_fill(mask, 0)
            return x, lengths

    class BatchRNN(nn.Module):
        def __init__(self, input_size, hidden_size, rnn_type=nn.LSTM, bidirectional=False,
                     batch_norm=True):
            super(BatchRNN, self).__init__()
            self.input_size = input_size
            self.hidden_size = hidden_size
            self.bidirectional = bidirectional
            self.batch_norm = SequenceWise(nn.BatchNorm1d(input_size)) if batch_norm else None
            self.rnn = rnn_type(input_size=input_size, hidden_size=hidden_size,
                                bidirectional=bidirectional, bias=True)
            self.num_directions = 2 if bidirectional else 1

        def flatten_parameters(self):
            self.rnn.flatten_parameters()

        def forward(self, x, output_lengths):
            if self.batch_norm is not None:
                x = self.batch_norm(x)
            x = nn.utils.rnn.pack_padded_sequence(x, output_lengths)
            x, h = self.rnn(x)
            x, _ = nn.utils.rnn.pad_packed_sequence(x)
            if self.bidirectional:
                # (TxNxH*2) -> (TxNxH) by sum
                x = x.view(x.size(0), x.size(1), 2, -1).sum(2).view(x.size(0), x.size(1), -1)
            return x

    class DeepSpeech(nn.Module):
        def __init__(self):
            super().__init__()
            self.bidirectional = True
            self.conv = MaskConv(nn.Sequential(
                nn.Conv2d(1, channels, kernel_size=(41, 11), stride=(2, 2), padding=(20, 5)),
                nn.BatchNorm2d(channels),
                nn.Hardtanh(0, 20, inplace=True),
                nn.Conv2d(channels, channels, kernel_size=(21, 11), stride=(2, 1),
                          padding=(10, 5)),
                nn.BatchNorm2d(channels),
                nn.Hardtanh(0, 20, inplace=True)
            ))
            # Based on above convolutions and spectrogram size using conv formula (W - F + 2P)/ S+1
            rnn_input_size = n_freq
            rnn_input_size = int(math.floor(rnn_input_size + 2 * 20 - 41) / 2 + 1)
            rnn_input_size = int(math.floor(rnn_input_size + 2 * 10 - 21) / 2 + 1)
            rnn_input_size *= channels
            self.rnns = nn.Sequential(
                BatchRNN(input_size=rnn_input_size, hidden_size=hidden_size, rnn_type=nn.GRU,
                         bidirectional=self.bidirectional, batch_norm=False),
                *(BatchRNN(input_size=hidden_size, hidden_size=hidden_size, rnn_type=nn.GRU,
                           bidirectional=self.bidirectional)
                  for x in range(hidden_layers - 1)))
            fully_connected = nn.Sequential(nn.BatchNorm1d(hidden_size),
                                            nn.Linear(hidden_size, len(LABELS), bias=False))
            self.fc = nn.Sequential(SequenceWise(fully_connected))

        def forward(self, x, lengths):
            lengths = lengths.cpu().int()
            output_lengths = self.get_seq_lens(lengths)
            x, _ = self.conv(x, output_lengths)
            sizes = x.size()
            x = x.view(sizes[0], sizes[1] * sizes[2], sizes[3])  # Collapse feature dimension
            x = x.transpose(1, 2).transpose(0, 1).contiguous()  # TxNxH
            for rnn in self.rnns:
                x = rnn(x, output_lengths)
            x = self.fc(x)
            x = x.transpose(0, 1)
            return x, output_lengths

        def get_seq_lens(self, input_length):
            """Given a 1D Tensor or Variable containing integer sequence lengths, return a
            1D tensor or variable containing the size sequences that will be output by the
            network."""
            seq_len = input_length
            for m in self.conv.modules():
                if type(m) == nn.modules.conv.Conv2d:  # noqa: E721  (the original's test)
                    seq_len = ((seq_len + 2 * m.padding[1] - m.dilation[1]
                                * (m.kernel_size[1] - 1) - 1) // m.stride[1] + 1)
            return seq_len.int()

    return DeepSpeech()


def spectrogram_batch(seed=0, n=4, n_freq=16):
    """Log-spectrogram-like frames (N, 1, F, T) padded to the longest, longest first (the
    sorted batches deepspeech.pytorch's sampler makes), and concatenated letter targets."""
    rng = np.random.default_rng(seed)
    lengths = np.sort(rng.integers(14, 25, size=n))[::-1].copy()
    inputs = np.zeros((n, 1, n_freq, lengths[0]))
    texts = []
    for i, length in enumerate(lengths):
        inputs[i, 0, :, :length] = rng.normal(size=(n_freq, length))
        texts.append(rng.integers(1, len(LABELS), size=rng.integers(1, 4)))
    targets = np.concatenate(texts)
    return inputs, lengths, targets, np.array([len(t) for t in texts])


def train_steps(torch, model, steps=3):
    T, nn, F, optim = libraries(torch)
    criterion = nn.CTCLoss(blank=LABELS.index("_"), reduction="sum", zero_infinity=True)
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True,
                          weight_decay=1e-5)
    losses, sizes = [], []
    for step in range(steps):
        inputs, input_sizes, targets, target_sizes = (T.tensor(a)
                                                      for a in spectrogram_batch(step))
        out, output_sizes = model(inputs, input_sizes)
        out = out.transpose(0, 1)  # TxNxH
        out = out.log_softmax(-1)
        loss = criterion(out, targets, output_sizes, target_sizes)
        loss = loss / inputs.size(0)  # average the loss by minibatch
        optimizer.zero_grad()
        loss.backward()
        # torch.nn.utils.clip_grad_norm_ in the original: nn is a package of its own here
        nn.utils.clip_grad_norm_(model.parameters(), 400)
        optimizer.step()
        losses.append(loss.item())
        sizes.append(to_numpy(output_sizes).tolist())
    return losses, sizes


def test_deepspeech_trains_step_for_step_as_pytorch(torch):
    torch.manual_seed(0)
    theirs = deepspeech(torch)
    ours = deepspeech(None)
    copy_weights(ours, theirs)
    got, got_sizes = train_steps(None, ours)
    want, want_sizes = train_steps(torch, theirs)
    assert got_sizes == want_sizes
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)


def test_mask_conv_zeroes_the_frames_past_each_length(torch):
    for library in (None, torch):
        T = libraries(library)[0]
        model = deepspeech(library)
        inputs, lengths, _, _ = spectrogram_batch(5)
        x, _ = model.conv(T.tensor(inputs) + 1.0, model.get_seq_lens(T.tensor(lengths)))
        out_lengths = to_numpy(model.get_seq_lens(T.tensor(lengths)))
        x = to_numpy(x)
        for i, length in enumerate(out_lengths):
            assert not x[i, :, :, length:].any()
