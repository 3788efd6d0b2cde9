"""A pointer network sorting integer sequences of different lengths, as ast0414/
pointer-networks-pytorch writes it, ported as its readers run it: a bidirectional LSTM
encoder over packed sequences (``pack_padded_sequence``/``pad_packed_sequence``), an
``LSTMCell`` decoder, additive attention turned into the output distribution by
AllenNLP's ``masked_log_softmax``, the next input gathered at ``masked_max``'s argmax,
``F.nll_loss(..., ignore_index=-1)`` over the padded targets and ``masked_select``
accuracy. Written once for a library ``torch``, it runs step for step next to PyTorch
from the same weights (float64): losses, pointers, accuracies, gradients and parameters
agree to 1e-10.

Lines written differently here, and why:
- ``masked_max``'s ``(1.0 - mask).byte()``: ``.bool()`` in both (PyTorch 2's
  ``masked_fill`` takes boolean masks only, as here);
- ``torch.nn.functional.log_softmax``, ``torch.nn.init.zeros_``: ``F.`` and ``nn.init.``
  (``nn`` is a package of its own here, ``torch.nn`` there);
- the data set is a short list of generated sequences and the loader a fixed batching
  (``shuffle=False``: the two libraries' generators differ).
"""

import numpy as np

from test_pytorch_ports_nlp_tutorial import Printed, assert_records, libraries, weight_sync


def sorting_batches(n_batches: int, batch_size: int = 4, seed: int = 0) -> list:
    """ast0414's IntegerSortDataset, batched by its ``sparse_seq_collate_fn``: each batch
    sorted by length (longest first), inputs (B, T, 1) padded with 0, targets (the
    argsort) padded with -1, and the lengths."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_batches):
        seqs = [rng.integers(0, 100, int(rng.integers(3, 7))) for _ in range(batch_size)]
        seqs.sort(key=len, reverse=True)
        longest = len(seqs[0])
        inputs = np.zeros((batch_size, longest, 1))
        targets = np.full((batch_size, longest), -1)
        for row, seq in enumerate(seqs):
            inputs[row, :len(seq), 0] = seq / 100.0
            targets[row, :len(seq)] = np.argsort(seq, kind="stable")
        out.append((inputs, targets, np.array([len(s) for s in seqs])))
    return out


def ast0414_pointer_net(torch, nn, F, optim, sync, record: list) -> None:
    """model.py (masked_log_softmax, masked_max, Encoder, Attention, PointerNet) and
    train.py's loop with masked_accuracy."""

    def masked_log_softmax(vector, mask, dim=-1):
        if mask is not None:
            mask = mask.float()
            while mask.dim() < vector.dim():
                mask = mask.unsqueeze(1)
            vector = vector + (mask + 1e-45).log()
        return F.log_softmax(vector, dim=dim)  # torch.nn.functional.log_softmax

    def masked_max(vector, mask, dim, keepdim=False, min_val=-1e7):
        one_minus_mask = (1.0 - mask).bool()  # .byte() in ast0414's
        replaced_vector = vector.masked_fill(one_minus_mask, min_val)
        max_value, max_index = replaced_vector.max(dim=dim, keepdim=keepdim)
        return max_value, max_index

    class Encoder(nn.Module):
        def __init__(self, embedding_dim, hidden_size, num_layers=1, batch_first=True,
                     bidirectional=True):
            super(Encoder, self).__init__()
            self.batch_first = batch_first
            self.rnn = nn.LSTM(input_size=embedding_dim, hidden_size=hidden_size,
                               num_layers=num_layers, batch_first=batch_first,
                               bidirectional=bidirectional)

        def forward(self, embedded_inputs, input_lengths):
            packed = nn.utils.rnn.pack_padded_sequence(embedded_inputs, input_lengths,
                                                       batch_first=self.batch_first)
            outputs, hidden = self.rnn(packed)
            outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs,
                                                          batch_first=self.batch_first)
            return outputs, hidden

    class Attention(nn.Module):
        def __init__(self, hidden_size):
            super(Attention, self).__init__()
            self.hidden_size = hidden_size
            self.W1 = nn.Linear(hidden_size, hidden_size, bias=False)
            self.W2 = nn.Linear(hidden_size, hidden_size, bias=False)
            self.vt = nn.Linear(hidden_size, 1, bias=False)

        def forward(self, decoder_state, encoder_outputs, mask):
            encoder_transform = self.W1(encoder_outputs)  # (batch_size, max_seq_len, H)
            decoder_transform = self.W2(decoder_state).unsqueeze(1)  # (batch_size, 1, H)
            u_i = self.vt(torch.tanh(encoder_transform + decoder_transform)).squeeze(-1)
            log_score = masked_log_softmax(u_i, mask, dim=-1)
            return log_score

    class PointerNet(nn.Module):
        def __init__(self, input_dim, embedding_dim, hidden_size, bidirectional=True,
                     batch_first=True):
            super(PointerNet, self).__init__()
            self.embedding_dim = embedding_dim
            self.hidden_size = hidden_size
            self.bidirectional = bidirectional
            self.num_directions = 2 if bidirectional else 1
            self.num_layers = 1
            self.batch_first = batch_first
            self.embedding = nn.Linear(in_features=input_dim, out_features=embedding_dim,
                                       bias=False)
            self.encoder = Encoder(embedding_dim=embedding_dim, hidden_size=hidden_size,
                                   num_layers=self.num_layers, bidirectional=bidirectional,
                                   batch_first=batch_first)
            self.decoding_rnn = nn.LSTMCell(input_size=hidden_size, hidden_size=hidden_size)
            self.attn = Attention(hidden_size=hidden_size)
            for m in self.modules():
                if isinstance(m, nn.Linear):
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)  # torch.nn.init.zeros_

        def forward(self, input_seq, input_lengths):
            if self.batch_first:
                batch_size = input_seq.size(0)
                max_seq_len = input_seq.size(1)
            embedded = self.embedding(input_seq)
            encoder_outputs, encoder_hidden = self.encoder(embedded, input_lengths)
            if self.bidirectional:  # sum the two directions
                encoder_outputs = (encoder_outputs[:, :, :self.hidden_size]
                                   + encoder_outputs[:, :, self.hidden_size:])
            encoder_h_n, encoder_c_n = encoder_hidden
            encoder_h_n = encoder_h_n.view(self.num_layers, self.num_directions, batch_size,
                                           self.hidden_size)
            encoder_c_n = encoder_c_n.view(self.num_layers, self.num_directions, batch_size,
                                           self.hidden_size)
            decoder_input = encoder_outputs.new_zeros(torch.Size((batch_size,
                                                                  self.hidden_size)))
            decoder_hidden = (encoder_h_n[-1, 0, :, :].squeeze(),
                              encoder_c_n[-1, 0, :, :].squeeze())
            range_tensor = torch.arange(max_seq_len, device=input_lengths.device,
                                        dtype=input_lengths.dtype).expand(
                batch_size, max_seq_len, max_seq_len)
            each_len_tensor = input_lengths.view(-1, 1, 1).expand(batch_size, max_seq_len,
                                                                  max_seq_len)
            row_mask_tensor = (range_tensor < each_len_tensor)
            col_mask_tensor = row_mask_tensor.transpose(1, 2)
            mask_tensor = row_mask_tensor * col_mask_tensor
            pointer_log_scores = []
            pointer_argmaxs = []
            for i in range(max_seq_len):
                sub_mask = mask_tensor[:, i, :].float()
                h_i, c_i = self.decoding_rnn(decoder_input, decoder_hidden)
                decoder_hidden = (h_i, c_i)
                log_pointer_score = self.attn(h_i, encoder_outputs, sub_mask)
                pointer_log_scores.append(log_pointer_score)
                _, masked_argmax = masked_max(log_pointer_score, sub_mask, dim=1, keepdim=True)
                pointer_argmaxs.append(masked_argmax)
                index_tensor = masked_argmax.unsqueeze(-1).expand(batch_size, 1,
                                                                  self.hidden_size)
                decoder_input = torch.gather(encoder_outputs, dim=1,
                                             index=index_tensor).squeeze(1)
            pointer_log_scores = torch.stack(pointer_log_scores, 1)
            pointer_argmaxs = torch.cat(pointer_argmaxs, 1)
            return pointer_log_scores, pointer_argmaxs, mask_tensor

    def masked_accuracy(output, target, mask):
        with torch.no_grad():
            masked_output = torch.masked_select(output, mask)
            masked_target = torch.masked_select(target, mask)
            accuracy = masked_output.eq(masked_target).float().mean()
            return accuracy

    model = PointerNet(input_dim=1, embedding_dim=6, hidden_size=5)
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-5)
    for epoch in range(2):
        model.train()
        for batch_idx, (seq, target, length) in enumerate(sorting_batches(2, seed=epoch)):
            seq, target, length = torch.tensor(seq), torch.tensor(target), torch.tensor(length)
            optimizer.zero_grad()
            log_pointer_score, argmax_pointer, mask = model(seq, length)
            unrolled = log_pointer_score.view(-1, log_pointer_score.size(-1))
            loss = F.nll_loss(unrolled, target.view(-1), ignore_index=-1)
            assert not np.isnan(loss.item()), 'Model diverged with loss = NaN'
            loss.backward()
            record += [model.attn.vt.weight.grad, model.encoder.rnn.weight_hh_l0_reverse.grad]
            optimizer.step()
            mask = mask[:, 0, :]
            record += [loss.item(), argmax_pointer,
                       masked_accuracy(argmax_pointer, target, mask).item(),
                       mask.int().sum().item()]
    record += list(model.parameters())


def test_ast0414_pointer_net_sorts_padded_integer_sequences(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    ast0414_pointer_net(*libraries(torch), theirs, want)
    ast0414_pointer_net(*libraries(), ours, got)
    assert_records(got, want)
