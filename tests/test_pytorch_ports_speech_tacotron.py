"""NVIDIA/tacotron2's decoder with location-sensitive attention (Shen et al., Chorowski et
al.), ported as its readers write it: ``LinearNorm``/``ConvNorm`` (Xavier init with
``calculate_gain``), ``LocationLayer`` (a ``Conv1d`` over the previous and cumulative
attention weights, then a dense layer), ``Attention`` (``v(tanh(query + location +
memory))``, the padding masked with ``-inf``, ``softmax``, ``bmm`` for the context), the
``Prenet``, the ``Decoder`` (two ``LSTMCell``s stepped in a ``while`` loop, states kept
on ``self``, ``attention_weights_cum +=``, ``torch.stack`` of the frames), the
``get_mask_from_lengths`` helper and ``Tacotron2Loss`` (MSE + ``BCEWithLogitsLoss``
gate). Memory comes from an ``nn.Embedding`` of generated "text"; targets are generated
mel-like frames. Written once for a library ``torch`` and run step for step next to
PyTorch's from the same weights (float64): losses, alignments, gradients and parameters
agree to 1e-10.

Lines written differently here, and why:
- ``Variable(memory.data.new(B, n).zero_())`` is ``Variable(memory.new(B, n).zero_())``:
  ``.data`` is a NumPy array here (by design), and ``Tensor.new`` is the same call;
- ``alignment.data.masked_fill_(mask, ...)`` is ``with torch.no_grad():
  alignment.masked_fill_(mask, ...)``, the same untracked write, for the same reason;
- ``nn.LSTMCell(..., decoder_rnn_dim, 1)`` passes ``bias=True``: a flag takes True or
  False only here (an int in a flag's place is usually a misplaced argument; the error
  says to write ``bias=True``);
- ``from torch.autograd import Variable`` is ``autograd.Variable`` here (``torch.autograd``'s
  names are ``autograd``'s own), picked per library;
- ``torch.cuda.LongTensor(max_len)`` as ``out=`` is ``torch.LongTensor(max_len)`` (CPU);
- the prenet's always-on dropout has ``p=0.0`` and there is no postnet (the loss's
  ``mel_out_postnet`` is ``mel_out``): random masks cannot agree between libraries.
"""

from types import SimpleNamespace

import numpy as np

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)


def tacotron_program(library, prenet_dropout=0.5):
    """``layers.py``, ``utils.py``, ``model.py`` (decoder part) and ``loss_function.py``."""
    torch, nn, F, _ = libraries(library)
    Variable = torch.autograd.Variable if library is not None else torch.Variable

    class LinearNorm(nn.Module):
        def __init__(self, in_dim, out_dim, bias=True, w_init_gain='linear'):
            super(LinearNorm, self).__init__()
            self.linear_layer = nn.Linear(in_dim, out_dim, bias=bias)
            nn.init.xavier_uniform_(self.linear_layer.weight,
                                    gain=nn.init.calculate_gain(w_init_gain))

        def forward(self, x):
            return self.linear_layer(x)

    class ConvNorm(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size=1, stride=1, padding=None,
                     dilation=1, bias=True, w_init_gain='linear'):
            super(ConvNorm, self).__init__()
            if padding is None:
                assert (kernel_size % 2 == 1)
                padding = int(dilation * (kernel_size - 1) / 2)
            self.conv = nn.Conv1d(in_channels, out_channels, kernel_size=kernel_size,
                                  stride=stride, padding=padding, dilation=dilation, bias=bias)
            nn.init.xavier_uniform_(self.conv.weight, gain=nn.init.calculate_gain(w_init_gain))

        def forward(self, signal):
            conv_signal = self.conv(signal)
            return conv_signal

    def get_mask_from_lengths(lengths):
        max_len = torch.max(lengths).item()
        ids = torch.arange(0, max_len, out=torch.LongTensor(max_len))
        mask = (ids < lengths.unsqueeze(1)).bool()
        return mask

    class LocationLayer(nn.Module):
        def __init__(self, attention_n_filters, attention_kernel_size, attention_dim):
            super(LocationLayer, self).__init__()
            padding = int((attention_kernel_size - 1) / 2)
            self.location_conv = ConvNorm(2, attention_n_filters,
                                          kernel_size=attention_kernel_size, padding=padding,
                                          bias=False, stride=1, dilation=1)
            self.location_dense = LinearNorm(attention_n_filters, attention_dim, bias=False,
                                             w_init_gain='tanh')

        def forward(self, attention_weights_cat):
            processed_attention = self.location_conv(attention_weights_cat)
            processed_attention = processed_attention.transpose(1, 2)
            processed_attention = self.location_dense(processed_attention)
            return processed_attention

    class Attention(nn.Module):
        def __init__(self, attention_rnn_dim, embedding_dim, attention_dim,
                     attention_location_n_filters, attention_location_kernel_size):
            super(Attention, self).__init__()
            self.query_layer = LinearNorm(attention_rnn_dim, attention_dim, bias=False,
                                          w_init_gain='tanh')
            self.memory_layer = LinearNorm(embedding_dim, attention_dim, bias=False,
                                           w_init_gain='tanh')
            self.v = LinearNorm(attention_dim, 1, bias=False)
            self.location_layer = LocationLayer(attention_location_n_filters,
                                                attention_location_kernel_size, attention_dim)
            self.score_mask_value = -float("inf")

        def get_alignment_energies(self, query, processed_memory, attention_weights_cat):
            processed_query = self.query_layer(query.unsqueeze(1))
            processed_attention_weights = self.location_layer(attention_weights_cat)
            energies = self.v(torch.tanh(
                processed_query + processed_attention_weights + processed_memory))
            energies = energies.squeeze(-1)
            return energies

        def forward(self, attention_hidden_state, memory, processed_memory,
                    attention_weights_cat, mask):
            alignment = self.get_alignment_energies(attention_hidden_state, processed_memory,
                                                    attention_weights_cat)
            if mask is not None:
                with torch.no_grad():  # alignment.data.masked_fill_ in the original
                    alignment.masked_fill_(mask, self.score_mask_value)
            attention_weights = F.softmax(alignment, dim=1)
            attention_context = torch.bmm(attention_weights.unsqueeze(1), memory)
            attention_context = attention_context.squeeze(1)
            return attention_context, attention_weights

    class Prenet(nn.Module):
        def __init__(self, in_dim, sizes):
            super(Prenet, self).__init__()
            in_sizes = [in_dim] + sizes[:-1]
            self.layers = nn.ModuleList(
                [LinearNorm(in_size, out_size, bias=False)
                 for (in_size, out_size) in zip(in_sizes, sizes)])

        def forward(self, x):
            for linear in self.layers:
                x = F.dropout(F.relu(linear(x)), p=prenet_dropout, training=True)
            return x

    class Decoder(nn.Module):
        def __init__(self, hparams):
            super(Decoder, self).__init__()
            self.n_mel_channels = hparams.n_mel_channels
            self.n_frames_per_step = hparams.n_frames_per_step
            self.encoder_embedding_dim = hparams.encoder_embedding_dim
            self.attention_rnn_dim = hparams.attention_rnn_dim
            self.decoder_rnn_dim = hparams.decoder_rnn_dim
            self.prenet_dim = hparams.prenet_dim
            self.p_attention_dropout = hparams.p_attention_dropout
            self.p_decoder_dropout = hparams.p_decoder_dropout
            self.prenet = Prenet(hparams.n_mel_channels * hparams.n_frames_per_step,
                                 [hparams.prenet_dim, hparams.prenet_dim])
            self.attention_rnn = nn.LSTMCell(hparams.prenet_dim + hparams.encoder_embedding_dim,
                                             hparams.attention_rnn_dim)
            self.attention_layer = Attention(
                hparams.attention_rnn_dim, hparams.encoder_embedding_dim,
                hparams.attention_dim, hparams.attention_location_n_filters,
                hparams.attention_location_kernel_size)
            self.decoder_rnn = nn.LSTMCell(
                hparams.attention_rnn_dim + hparams.encoder_embedding_dim,
                hparams.decoder_rnn_dim, True)  # 1 in the original: see the docstring
            self.linear_projection = LinearNorm(
                hparams.decoder_rnn_dim + hparams.encoder_embedding_dim,
                hparams.n_mel_channels * hparams.n_frames_per_step)
            self.gate_layer = LinearNorm(hparams.decoder_rnn_dim + hparams.encoder_embedding_dim,
                                         1, bias=True, w_init_gain='sigmoid')

        def get_go_frame(self, memory):
            B = memory.size(0)
            decoder_input = Variable(memory.new(
                B, self.n_mel_channels * self.n_frames_per_step).zero_())
            return decoder_input

        def initialize_decoder_states(self, memory, mask):
            B = memory.size(0)
            MAX_TIME = memory.size(1)
            self.attention_hidden = Variable(memory.new(B, self.attention_rnn_dim).zero_())
            self.attention_cell = Variable(memory.new(B, self.attention_rnn_dim).zero_())
            self.decoder_hidden = Variable(memory.new(B, self.decoder_rnn_dim).zero_())
            self.decoder_cell = Variable(memory.new(B, self.decoder_rnn_dim).zero_())
            self.attention_weights = Variable(memory.new(B, MAX_TIME).zero_())
            self.attention_weights_cum = Variable(memory.new(B, MAX_TIME).zero_())
            self.attention_context = Variable(memory.new(B, self.encoder_embedding_dim).zero_())
            self.memory = memory
            self.processed_memory = self.attention_layer.memory_layer(memory)
            self.mask = mask

        def parse_decoder_inputs(self, decoder_inputs):
            # (B, n_mel_channels, T_out) -> (B, T_out, n_mel_channels)
            decoder_inputs = decoder_inputs.transpose(1, 2)
            decoder_inputs = decoder_inputs.view(
                decoder_inputs.size(0),
                int(decoder_inputs.size(1)/self.n_frames_per_step), -1)
            # (B, T_out, n_mel_channels) -> (T_out, B, n_mel_channels)
            decoder_inputs = decoder_inputs.transpose(0, 1)
            return decoder_inputs

        def parse_decoder_outputs(self, mel_outputs, gate_outputs, alignments):
            alignments = torch.stack(alignments).transpose(0, 1)
            gate_outputs = torch.stack(gate_outputs).transpose(0, 1)
            gate_outputs = gate_outputs.contiguous()
            mel_outputs = torch.stack(mel_outputs).transpose(0, 1).contiguous()
            mel_outputs = mel_outputs.view(mel_outputs.size(0), -1, self.n_mel_channels)
            mel_outputs = mel_outputs.transpose(1, 2)
            return mel_outputs, gate_outputs, alignments

        def decode(self, decoder_input):
            cell_input = torch.cat((decoder_input, self.attention_context), -1)
            self.attention_hidden, self.attention_cell = self.attention_rnn(
                cell_input, (self.attention_hidden, self.attention_cell))
            self.attention_hidden = F.dropout(self.attention_hidden, self.p_attention_dropout,
                                              self.training)
            attention_weights_cat = torch.cat(
                (self.attention_weights.unsqueeze(1),
                 self.attention_weights_cum.unsqueeze(1)), dim=1)
            self.attention_context, self.attention_weights = self.attention_layer(
                self.attention_hidden, self.memory, self.processed_memory,
                attention_weights_cat, self.mask)
            self.attention_weights_cum += self.attention_weights
            decoder_input = torch.cat((self.attention_hidden, self.attention_context), -1)
            self.decoder_hidden, self.decoder_cell = self.decoder_rnn(
                decoder_input, (self.decoder_hidden, self.decoder_cell))
            self.decoder_hidden = F.dropout(self.decoder_hidden, self.p_decoder_dropout,
                                            self.training)
            decoder_hidden_attention_context = torch.cat(
                (self.decoder_hidden, self.attention_context), dim=1)
            decoder_output = self.linear_projection(decoder_hidden_attention_context)
            gate_prediction = self.gate_layer(decoder_hidden_attention_context)
            return decoder_output, gate_prediction, self.attention_weights

        def forward(self, memory, decoder_inputs, memory_lengths):
            decoder_input = self.get_go_frame(memory).unsqueeze(0)
            decoder_inputs = self.parse_decoder_inputs(decoder_inputs)
            decoder_inputs = torch.cat((decoder_input, decoder_inputs), dim=0)
            decoder_inputs = self.prenet(decoder_inputs)
            self.initialize_decoder_states(memory, mask=~get_mask_from_lengths(memory_lengths))
            mel_outputs, gate_outputs, alignments = [], [], []
            while len(mel_outputs) < decoder_inputs.size(0) - 1:
                decoder_input = decoder_inputs[len(mel_outputs)]
                mel_output, gate_output, attention_weights = self.decode(decoder_input)
                mel_outputs += [mel_output.squeeze(1)]
                gate_outputs += [gate_output.squeeze(1)]
                alignments += [attention_weights]
            mel_outputs, gate_outputs, alignments = self.parse_decoder_outputs(
                mel_outputs, gate_outputs, alignments)
            return mel_outputs, gate_outputs, alignments

    class Tacotron2Loss(nn.Module):
        def __init__(self):
            super(Tacotron2Loss, self).__init__()

        def forward(self, model_output, targets):
            mel_target, gate_target = targets[0], targets[1]
            mel_target.requires_grad = False
            gate_target.requires_grad = False
            gate_target = gate_target.view(-1, 1)
            mel_out, mel_out_postnet, gate_out, _ = model_output
            gate_out = gate_out.view(-1, 1)
            mel_loss = nn.MSELoss()(mel_out, mel_target) + \
                nn.MSELoss()(mel_out_postnet, mel_target)
            gate_loss = nn.BCEWithLogitsLoss()(gate_out, gate_target)
            return mel_loss + gate_loss

    return Decoder, Tacotron2Loss, get_mask_from_lengths


HPARAMS = SimpleNamespace(
    n_mel_channels=6, n_frames_per_step=1, encoder_embedding_dim=8, attention_rnn_dim=10,
    decoder_rnn_dim=10, prenet_dim=6, p_attention_dropout=0.0, p_decoder_dropout=0.0,
    attention_dim=7, attention_location_n_filters=4, attention_location_kernel_size=5)


def generated_batch(seed=0, batch=3, text_len=9, frames=7):
    """Text ids (zero-padded past each length), input lengths, mel targets (B, n_mel, T)
    and gate targets (1 from each utterance's last frame on)."""
    rng = np.random.default_rng(seed)
    lengths = np.array([9, 7, 5])
    text = rng.integers(1, 20, size=(batch, text_len))
    text[np.arange(text_len) >= lengths[:, None]] = 0
    t = np.arange(frames)
    mels = np.sin(0.5 * t[None, None] * (1 + np.arange(HPARAMS.n_mel_channels))[None, :, None]
                  + rng.normal(size=(batch, 1, 1)))
    gates = (t[None] >= np.array([6, 5, 4])[:, None]).astype(float)
    return text, lengths, mels, gates


def build(library):
    torch, nn, _, _ = libraries(library)
    torch.manual_seed(0)
    Decoder, Tacotron2Loss, _ = tacotron_program(library, prenet_dropout=0.0)
    model = nn.ModuleDict({"embedding": nn.Embedding(20, HPARAMS.encoder_embedding_dim),
                           "decoder": Decoder(HPARAMS)})
    return model, Tacotron2Loss()


def train_steps(library, model, criterion, steps=3):
    torch, nn, F, optim = libraries(library)
    text, lengths, mels, gates = (torch.tensor(a) for a in generated_batch())
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-6)
    losses = []
    for _ in range(steps):
        model.zero_grad()
        memory = model["embedding"](text)
        mel_outputs, gate_outputs, alignments = model["decoder"](memory, mels, lengths)
        loss = criterion((mel_outputs, mel_outputs, gate_outputs, alignments),
                         (mels, gates))
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append((loss.item(), float(grad_norm)))
    return losses, to_numpy(alignments)


def test_tacotron2_decoder_trains_step_for_step_as_pytorch(torch):
    (theirs, their_loss), (ours, our_loss) = build(torch), build(None)
    copy_weights(ours, theirs)
    got, got_alignments = train_steps(None, ours, our_loss)
    want, want_alignments = train_steps(torch, theirs, their_loss)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose(got_alignments, want_alignments, atol=1e-12)
    assert got_alignments.shape == (3, 7, 9)
    assert (got_alignments[1, :, 7:] == 0).all() and (got_alignments[2, :, 5:] == 0).all()
    np.testing.assert_allclose(got_alignments.sum(-1), 1.0)
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)


def test_get_mask_from_lengths_as_pytorch(torch):
    masks = [to_numpy(tacotron_program(library)[2](libraries(library)[0].tensor([3, 1, 4])))
             for library in (None, torch)]
    np.testing.assert_array_equal(masks[0], masks[1])
    assert masks[0].dtype == bool and masks[0].sum(1).tolist() == [3, 1, 4]
