"""pytorch/examples' ``word_language_model/main.py``, ported as its readers write it:
``batchify``/``get_batch``/``repackage_hidden``, the train loop (``clip_grad_norm_``, the
hand-written update, the learning rate divided by 4 when the validation loss does not
improve), ``evaluate`` under ``no_grad`` and the best model saved and loaded back for the
test loss, on ``test_pytorch_ports_word_lm.py``'s corpus and models. It runs step for step
next to PyTorch from the same weights (float64): every loss, gradient norm, gradient,
validation and test loss and the final parameters agree to 1e-10, for the LSTM (tied), the
GRU (whose validation loss rises once, so the rate is annealed), the Transformer and the
two plain RNNs.

Lines written differently here (and the mask's, listed in ``test_pytorch_ports_word_lm.py``):
- ``p.data.add_(p.grad, alpha=-lr)``: ``.data`` is NumPy's array here (no ``add_``; its
  AttributeError says so), so the update is ``with torch.no_grad(): p.add_(p.grad,
  alpha=-lr)`` (the same in both runs);
- ``torch.save(model, f)`` / ``model = torch.load(f)`` pickle the whole module; here the
  file holds its state (``nn.save(f, model=model)``, NumPy's format, never pickle) and the
  best model is loaded back into ``model`` with ``load_state_dict``; so does PyTorch's run
  (its classes are local to the test, which pickle cannot name);
- ``model.rnn.flatten_parameters()`` after loading is a cuDNN memory layout: it is there
  and does nothing, in both;
- ``torch.nn.utils.clip_grad_norm_`` is ``nn.utils.clip_grad_norm_`` (``nn`` is a package
  of its own: ``autograd`` never imports it; ``autograd.nn``'s MissingNameError says so);
- for the steps to match, dropout is 0 (``--dropout 0``; ``nn.Transformer``'s own 0.1,
  which ``TransformerModel`` does not pass on, is set to 0 by the test's glue): masks
  come from each library's own generator. Dropout 0.2 runs once on its own.
"""

import argparse
import math
import os
import time
from io import open

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_gpt_lecture import assert_records
from test_pytorch_ports_word_lm import data_program, model_program, write_corpus


# ------------------------------------------------------------------ main.py
def main_program(torch, nn, argv, record, start=None, no_dropout=False):
    """main.py with its argument parser; ``record`` gets each step's loss, gradient norm
    and gradients, each validation loss, the test loss and the final parameters."""
    data = argparse.Namespace(Corpus=data_program(torch)[1])
    model = argparse.Namespace(**dict(zip(["RNNModel", "PositionalEncoding",
                                           "TransformerModel"],
                                          model_program(torch, nn, nn.functional))))
    parser = argparse.ArgumentParser(description='PyTorch Wikitext-2 RNN/LSTM Language Model')
    parser.add_argument('--data', type=str, default='./data/wikitext-2')
    parser.add_argument('--model', type=str, default='LSTM')
    parser.add_argument('--emsize', type=int, default=200)
    parser.add_argument('--nhid', type=int, default=200)
    parser.add_argument('--nlayers', type=int, default=2)
    parser.add_argument('--lr', type=float, default=20)
    parser.add_argument('--clip', type=float, default=0.25)
    parser.add_argument('--epochs', type=int, default=40)
    parser.add_argument('--batch_size', type=int, default=20, metavar='N')
    parser.add_argument('--bptt', type=int, default=35)
    parser.add_argument('--dropout', type=float, default=0.2)
    parser.add_argument('--tied', action='store_true')
    parser.add_argument('--seed', type=int, default=1111)
    parser.add_argument('--cuda', action='store_true', default=False)
    parser.add_argument('--log-interval', type=int, default=200, metavar='N')
    parser.add_argument('--save', type=str, default='model.pt')
    parser.add_argument('--nhead', type=int, default=2)
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args(argv)

    # Set the random seed manually for reproducibility.
    torch.manual_seed(args.seed)
    if torch.cuda.is_available():
        if not args.cuda:
            print("WARNING: You have a CUDA device, so you should probably run with --cuda")
    device = torch.device("cuda" if args.cuda else "cpu")

    corpus = data.Corpus(args.data)

    def batchify(data, bsz):
        # Work out how cleanly we can divide the dataset into bsz parts.
        nbatch = data.size(0) // bsz
        # Trim off any extra elements that wouldn't cleanly fit (remainders).
        data = data.narrow(0, 0, nbatch * bsz)
        # Evenly divide the data across the bsz batches.
        data = data.view(bsz, -1).t().contiguous()
        return data.to(device)

    eval_batch_size = 10
    train_data = batchify(corpus.train, args.batch_size)
    val_data = batchify(corpus.valid, eval_batch_size)
    test_data = batchify(corpus.test, eval_batch_size)

    ntokens = len(corpus.dictionary)
    if args.model == 'Transformer':
        model = model.TransformerModel(ntokens, args.emsize, args.nhead, args.nhid,
                                       args.nlayers, args.dropout).to(device)
    else:
        model = model.RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers,
                               args.dropout, args.tied).to(device)
    if no_dropout:  # the test's glue: nn.Transformer's own dropout to 0
        zero_dropout(model)
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    first = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}

    criterion = nn.NLLLoss()

    def repackage_hidden(h):
        """Wraps hidden states in new Tensors, to detach them from their history."""

        if isinstance(h, torch.Tensor):
            return h.detach()
        else:
            return tuple(repackage_hidden(v) for v in h)

    def get_batch(source, i):
        seq_len = min(args.bptt, len(source) - 1 - i)
        data = source[i:i + seq_len]
        target = source[i + 1:i + 1 + seq_len].view(-1)
        return data, target

    def evaluate(data_source):
        # Turn on evaluation mode which disables dropout.
        model.eval()
        total_loss = 0.
        ntokens = len(corpus.dictionary)
        if args.model != 'Transformer':
            hidden = model.init_hidden(eval_batch_size)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, args.bptt):
                data, targets = get_batch(data_source, i)
                if args.model == 'Transformer':
                    output = model(data)
                    output = output.view(-1, ntokens)
                else:
                    output, hidden = model(data, hidden)
                    hidden = repackage_hidden(hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    def train():
        # Turn on training mode which enables dropout.
        model.train()
        total_loss = 0.
        start_time = time.time()
        ntokens = len(corpus.dictionary)
        if args.model != 'Transformer':
            hidden = model.init_hidden(args.batch_size)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
            data, targets = get_batch(train_data, i)
            # Starting each batch, we detach the hidden state from how it was previously
            # produced. If we didn't, the model would try backpropagating all the way to
            # start of the dataset.
            model.zero_grad()
            if args.model == 'Transformer':
                output = model(data)
                output = output.view(-1, ntokens)
            else:
                hidden = repackage_hidden(hidden)
                output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()

            # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
            norm = nn.utils.clip_grad_norm_(model.parameters(), args.clip)  # torch.nn.utils
            record.extend([loss.item(), float(norm)]
                          + [p.grad.numpy().copy() for p in model.parameters()])
            with torch.no_grad():  # for p in model.parameters(): p.data.add_(p.grad, alpha=-lr)
                for p in model.parameters():
                    p.add_(p.grad, alpha=-lr)

            total_loss += loss.item()

            if batch % args.log_interval == 0 and batch > 0:
                cur_loss = total_loss / args.log_interval
                elapsed = time.time() - start_time
                print('| epoch {:3d} | {:5d}/{:5d} batches | lr {:02.2f} | ms/batch {:5.2f} | '
                      'loss {:5.2f} | ppl {:8.2f}'.format(
                          epoch, batch, len(train_data) // args.bptt, lr,
                          elapsed * 1000 / args.log_interval, cur_loss, math.exp(cur_loss)))
                total_loss = 0
                start_time = time.time()
            if args.dry_run:
                break

    # Loop over epochs.
    lr = args.lr
    best_val_loss = None

    # At any point you can hit Ctrl + C to break out of training early.
    try:
        for epoch in range(1, args.epochs + 1):
            epoch_start_time = time.time()
            train()
            val_loss = evaluate(val_data)
            record += [val_loss, lr]
            print('-' * 89)
            print('| end of epoch {:3d} | time: {:5.2f}s | valid loss {:5.2f} | '
                  'valid ppl {:8.2f}'.format(epoch, (time.time() - epoch_start_time),
                                             val_loss, math.exp(val_loss)))
            print('-' * 89)
            # Save the model if the validation loss is the best we've seen so far.
            if not best_val_loss or val_loss < best_val_loss:
                with open(args.save, 'wb') as f:
                    if torch is ag:
                        nn.save(f, model=model)
                    else:  # torch.save(model, f): a local class does not pickle
                        torch.save(model.state_dict(), f)
                best_val_loss = val_loss
            else:
                # Anneal the learning rate if no improvement has been seen in the
                # validation dataset.
                lr /= 4.0
    except KeyboardInterrupt:
        print('-' * 89)
        print('Exiting from training early')

    # Load the best saved model.
    with open(args.save, 'rb') as f:
        if torch is ag:
            model.load_state_dict(nn.load(f)['model'])
        else:  # model = torch.load(f)
            model.load_state_dict(torch.load(f))
        # after load the rnn params are not a continuous chunk of memory
        # this makes them a continuous chunk, and will speed up forward pass
        # Currently, only rnn model supports flatten_parameters function.
        if args.model in ['RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU']:
            model.rnn.flatten_parameters()

    # Run on test data.
    test_loss = evaluate(test_data)
    print('=' * 89)
    print('| End of training | test loss {:5.2f} | test ppl {:8.2f}'.format(
        test_loss, math.exp(test_loss)))
    print('=' * 89)
    record.append(test_loss)
    record += [p.detach().numpy().copy() for p in model.parameters()]
    return model, corpus, first


def zero_dropout(model) -> None:
    """Dropout 0 everywhere, nn.Transformer's own included (the test's glue)."""
    for m in model.modules():
        if type(m).__name__ == 'Dropout':
            m.p = 0.0
        if type(m).__name__ == 'MultiheadAttention':
            m.dropout = 0.0


SMALL = ['--emsize', '8', '--nhid', '8', '--nlayers', '2', '--lr', '5', '--clip', '0.5',
         '--epochs', '3', '--batch_size', '4', '--bptt', '6']


def run_both(torch, tmp_path, argv: list, no_dropout: bool = False) -> tuple[list, list]:
    """main.py in PyTorch, then here from PyTorch's initial weights; the two records."""
    write_corpus(tmp_path / 'data')
    argv = ['--data', str(tmp_path / 'data')] + SMALL + argv
    want, got = [], []
    first = main_program(torch, torch.nn, argv + ['--save', str(tmp_path / 'model.pt')],
                         want, no_dropout=no_dropout)[2]
    main_program(ag, nn, argv + ['--save', str(tmp_path / 'model.npz')], got, start=first,
                 no_dropout=no_dropout)
    return got, want


def scalars(record: list) -> list:
    return [x for x in record if np.ndim(x) == 0]


@pytest.mark.parametrize("argv", [['--model', 'LSTM', '--tied'],
                                  ['--model', 'Transformer', '--nhead', '2']],
                         ids=["LSTM-tied", "Transformer"])
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # PyTorch's Transformer
def test_main_py_trains_as_torch(torch, tmp_path, argv):
    got, want = run_both(torch, tmp_path, argv + ['--dropout', '0'],
                         no_dropout='Transformer' in argv)
    assert_records(got, want)
    assert len(got) > 60


def test_the_learning_rate_is_annealed_and_the_best_model_tested(torch, tmp_path):
    """GRU's validation loss rises in epoch 2: lr 5 -> 1.25, and the test loss is the
    epoch-1 model's (loaded back from its file)."""
    got, want = run_both(torch, tmp_path, ['--model', 'GRU', '--dropout', '0'])
    assert_records(got, want)
    lrs = [x for x in scalars(got) if x in (5.0, 1.25)]
    assert lrs == [5.0, 5.0, 1.25]


@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU"])
def test_rnn_model_steps_as_torch(torch, tmp_path, kind):
    got, want = run_both(torch, tmp_path, ['--model', kind, '--dropout', '0',
                                           '--epochs', '1'])
    assert_records(got, want)


def test_dropout_runs(tmp_path):
    """main.py with its default dropout 0.2 (and nn.Transformer's own 0.1), ours alone:
    the masks change the training losses, not the evaluation (model.eval())."""
    write_corpus(tmp_path / 'data')
    for kind in ['LSTM', 'Transformer']:
        runs = []
        for dropout in ['0.2', '0']:
            record = []
            argv = ['--data', str(tmp_path / 'data')] + SMALL + [
                '--model', kind, '--dropout', dropout, '--epochs', '1',
                '--save', str(tmp_path / 'm.npz')]
            model, corpus, _ = main_program(ag, nn, argv, record,
                                            no_dropout=dropout == '0')
            runs.append(scalars(record))
            assert not model.training and np.isfinite(runs[-1]).all()
        assert runs[0][0] != runs[1][0]
        assert os.path.exists(tmp_path / 'm.npz')
