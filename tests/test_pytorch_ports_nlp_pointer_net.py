"""The pointer network (Vinyals et al. 2015) as shirgur/PointerNet writes it, ported as its
readers run it, on the task of sorting numbers: an LSTM encoder over ``Conv1d``-embedded
inputs, a hand-written LSTM-cell decoder whose attention over the encoder outputs *is*
the output distribution (``nn.Softmax()`` of ``V . tanh(W1 h + W2 e)``), a mask of the
positions already pointed at, and the next decoder input picked by a boolean mask of the
embedded inputs. Written once for a library ``torch``, it runs step for step next to
PyTorch from the same weights (float64) with ``Train.py``'s loop (``CrossEntropyLoss`` of
the attention rows, Adam over ``filter(lambda p: p.requires_grad, ...)``): losses,
pointers, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- ``torch.FloatTensor(hidden_dim)``: ``torch.DoubleTensor``, in both: FloatTensor is
  float32 in both libraries and the port runs in float64;
- ``torch.cat(encoder_hidden[0][-2:], dim=-1)`` (the bidirectional branch): PyTorch 2
  wants a tuple of tensors there, so ``tuple(...)`` in both;
- ``masked_outs.max(1)``: ``max(dim=1)``; a bare positional axis means NumPy's values as
  well as PyTorch's pair here, so it is refused (``UsageError``);
- ``embedded_inputs[embedding_mask.data]`` of a ``.byte()`` mask: ``.bool()`` and the
  tensor itself. PyTorch reads a uint8 index as a mask (deprecated), NumPy as positions,
  so a uint8 index is refused here, naming both (``.data`` is NumPy's array here);
- ``torch.nn.CrossEntropyLoss()``: ``nn.CrossEntropyLoss()`` (``nn`` is its own package).
The decoder's ``self.mask.repeat(input_length)`` of a one-element parameter runs as
written (both readings of ``repeat`` agree on one element).
"""

import numpy as np
import pytest

from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync

# shirgur's nn.init.uniform (deprecated) and nn.Softmax() without dim warn in both
pytestmark = pytest.mark.filterwarnings("ignore:.*(deprecated|Implicit dimension)")


def pointer_net(torch, nn, optim, sync, record: list, bidir: bool, steps: int = 3) -> None:
    """PointerNet.py's modules and Train.py's loop, sorting 5 numbers (as 2-d points)."""
    F = nn.functional
    Parameter = nn.Parameter

    class Encoder(nn.Module):

        def __init__(self, embedding_dim, hidden_dim, n_layers, dropout, bidir):
            super(Encoder, self).__init__()
            self.hidden_dim = hidden_dim//2 if bidir else hidden_dim
            self.n_layers = n_layers*2 if bidir else n_layers
            self.bidir = bidir
            self.lstm = nn.LSTM(embedding_dim, self.hidden_dim, n_layers, dropout=dropout,
                                bidirectional=bidir)
            self.h0 = Parameter(torch.zeros(1), requires_grad=False)
            self.c0 = Parameter(torch.zeros(1), requires_grad=False)

        def forward(self, embedded_inputs, hidden):
            embedded_inputs = embedded_inputs.permute(1, 0, 2)
            outputs, hidden = self.lstm(embedded_inputs, hidden)
            return outputs.permute(1, 0, 2), hidden

        def init_hidden(self, embedded_inputs):
            batch_size = embedded_inputs.size(0)
            h0 = self.h0.unsqueeze(0).unsqueeze(0).repeat(self.n_layers, batch_size,
                                                          self.hidden_dim)
            c0 = self.h0.unsqueeze(0).unsqueeze(0).repeat(self.n_layers, batch_size,
                                                          self.hidden_dim)
            return h0, c0

    class Attention(nn.Module):

        def __init__(self, input_dim, hidden_dim):
            super(Attention, self).__init__()
            self.input_dim = input_dim
            self.hidden_dim = hidden_dim
            self.input_linear = nn.Linear(input_dim, hidden_dim)
            self.context_linear = nn.Conv1d(input_dim, hidden_dim, 1, 1)
            self.V = Parameter(torch.DoubleTensor(hidden_dim), requires_grad=True)
            self.tanh = nn.Tanh()
            self.softmax = nn.Softmax()
            nn.init.uniform(self.V, -1, 1)

        def forward(self, input, context):
            inp = self.input_linear(input).unsqueeze(2).expand(-1, -1, context.size(1))
            context = context.permute(0, 2, 1)
            ctx = self.context_linear(context)
            V = self.V.unsqueeze(0).expand(context.size(0), -1).unsqueeze(1)
            att = torch.bmm(V, self.tanh(inp + ctx)).squeeze(1)
            alpha = self.softmax(att)
            hidden_state = torch.bmm(ctx, alpha.unsqueeze(2)).squeeze(2)
            return hidden_state, alpha

    class Decoder(nn.Module):

        def __init__(self, embedding_dim, hidden_dim):
            super(Decoder, self).__init__()
            self.embedding_dim = embedding_dim
            self.hidden_dim = hidden_dim
            self.input_to_hidden = nn.Linear(embedding_dim, 4 * hidden_dim)
            self.hidden_to_hidden = nn.Linear(hidden_dim, 4 * hidden_dim)
            self.hidden_out = nn.Linear(hidden_dim * 2, hidden_dim)
            self.att = Attention(hidden_dim, hidden_dim)
            self.mask = Parameter(torch.ones(1), requires_grad=False)
            self.runner = Parameter(torch.zeros(1), requires_grad=False)

        def forward(self, embedded_inputs, decoder_input, hidden, context):
            batch_size = embedded_inputs.size(0)
            input_length = embedded_inputs.size(1)
            mask = self.mask.repeat(input_length).unsqueeze(0).expand(batch_size, -1)
            runner = self.runner.repeat(input_length)
            for i in range(input_length):
                runner.data[i] = i
            runner = runner.unsqueeze(0).expand(batch_size, -1).long()
            outputs = []
            pointers = []

            def recurrence(x, hidden):
                h, c = hidden
                gates = self.input_to_hidden(x) + self.hidden_to_hidden(h)
                input, forget, cell, out = gates.chunk(4, 1)
                input = F.sigmoid(input)
                forget = F.sigmoid(forget)
                cell = F.tanh(cell)
                out = F.sigmoid(out)
                c_t = (forget * c) + (input * cell)
                h_t = out * F.tanh(c_t)
                hidden_t, output = self.att(h_t, context)
                hidden_t = F.tanh(self.hidden_out(torch.cat((hidden_t, h_t), 1)))
                return hidden_t, c_t, output
            for _ in range(input_length):
                h_t, c_t, outs = recurrence(decoder_input, hidden)
                hidden = (h_t, c_t)
                masked_outs = outs * mask
                max_probs, indices = masked_outs.max(dim=1)
                one_hot_pointers = (runner == indices.unsqueeze(1).expand(-1, outs.size()[1]))
                one_hot_pointers = one_hot_pointers.float()
                mask  = mask * (1 - one_hot_pointers)
                embedding_mask = one_hot_pointers.unsqueeze(2).expand(-1, -1, self.embedding_dim)
                embedding_mask = embedding_mask.bool()  # .byte() in shirgur's
                decoder_input = embedded_inputs[embedding_mask].view(batch_size, self.embedding_dim)
                outputs.append(outs.unsqueeze(0))
                pointers.append(indices.unsqueeze(1))
            outputs = torch.cat(outputs).permute(1, 0, 2)
            pointers = torch.cat(pointers, 1)
            return (outputs, pointers), hidden

    class PointerNet(nn.Module):

        def __init__(self, embedding_dim, hidden_dim, lstm_layers, dropout, bidir=False):
            super(PointerNet, self).__init__()
            self.embedding_dim = embedding_dim
            self.bidir = bidir
            self.embedding = nn.Conv1d(2, embedding_dim, 1, 1)
            self.encoder = Encoder(embedding_dim, hidden_dim, lstm_layers, dropout, bidir)
            self.decoder = Decoder(embedding_dim, hidden_dim)
            self.decoder_input0 = Parameter(torch.DoubleTensor(embedding_dim), requires_grad=False)
            nn.init.uniform(self.decoder_input0, -1, 1)

        def forward(self, inputs):
            batch_size = inputs.size(0)
            decoder_input0 = self.decoder_input0.unsqueeze(0).expand(batch_size, -1)
            inputs = inputs.permute(0, 2, 1)
            embedded_inputs = self.embedding(inputs).permute(0, 2, 1)
            encoder_hidden0 = self.encoder.init_hidden(embedded_inputs)
            encoder_outputs, encoder_hidden = self.encoder(embedded_inputs, encoder_hidden0)
            if self.bidir:
                decoder_hidden0 = (torch.cat(tuple(encoder_hidden[0][-2:]), dim=-1),
                                   torch.cat(tuple(encoder_hidden[1][-2:]), dim=-1))
            else:
                decoder_hidden0 = (encoder_hidden[0][-1], encoder_hidden[1][-1])
            (outputs, pointers), decoder_hidden = self.decoder(
                embedded_inputs, decoder_input0, decoder_hidden0, encoder_outputs)
            return outputs, pointers

    model = PointerNet(6, 8, 1, 0., bidir=bidir)
    sync(model)
    CCE = nn.CrossEntropyLoss()
    model_optim = optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=1e-2)
    rng = np.random.default_rng(0)
    for step in range(steps):
        points = np.stack([rng.random((4, 5)), np.zeros((4, 5))], axis=2)
        train_batch = torch.tensor(points)
        target_batch = torch.tensor(np.argsort(points[:, :, 0], axis=1))  # sorting
        o, p = model(train_batch)
        record += [o, p]
        o = o.contiguous().view(-1, o.size()[-1])
        target_batch = target_batch.view(-1)
        loss = CCE(o, target_batch)
        model_optim.zero_grad()
        loss.backward()
        record += [model.decoder.att.V.grad, model.encoder.lstm.weight_hh_l0.grad]
        model_optim.step()
        record.append(loss.item())
    record += [p for p in model.parameters() if p.requires_grad]
    record.append(model.decoder_input0)


@pytest.mark.parametrize("bidir", [False, True])
def test_pointer_net_sorting(torch, bidir):
    import autograd
    import nn

    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    pointer_net(torch, torch.nn, torch.optim, theirs, want, bidir)
    pointer_net(autograd, nn, nn.optim, ours, got, bidir)
    assert_records(got, want)
    pointers = got[1]
    assert pointers.shape == (4, 5) and all(sorted(row) == list(range(5)) for row in pointers)
