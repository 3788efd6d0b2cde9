"""harvardnlp's "The Annotated Transformer" (2022), ported as its readers write it
(``annotated_transformer_program.py``) and run next to PyTorch's run of the same program,
float64, from the same weights: the masks, the positional encoding buffer, the
hand-written ``LayerNorm`` (``x.std(-1, keepdim=True)``, unbiased as PyTorch's), the
label smoothing examples, a forward/backward of ``make_model``, the copy task trained a
few epochs with Adam and the Noam ``rate`` in ``LambdaLR``, and ``greedy_decode``.

Written differently: sizes shrunk (the tutorial: d_model 512, 80 sequences a batch, 20
epochs); dropout 0 where the runs are compared step for step (the libraries draw
different masks; one test trains with the tutorial's 0.1 for shape and finiteness only);
``data_gen``'s ``torch.randint`` draws from one NumPy generator for both runs
(``SharedRandom``), and each model starts from PyTorch's initial weights (``sync``).
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from annotated_transformer_program import annotated_program

V = 11  # the copy task's vocabulary
SIZES = dict(N=2, d_model=16, d_ff=32, h=4)


class SharedRandom:
    """A library's namespace whose ``randint(low, high, size)`` draws from one NumPy
    generator (seeded by ``manual_seed``): the same batches in both runs."""

    def __init__(self, library, seed: int = 0) -> None:
        self.library = library
        self.rng = np.random.default_rng(seed)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def randint(self, low, high, size):
        return self.library.tensor(self.rng.integers(low, high, size=size))


def programs(torch, seed: int = 0) -> tuple:
    """(ours, theirs): the program built for this library and for PyTorch."""
    ours = annotated_program(SharedRandom(ag, seed), nn, nn_F, nn.optim)
    theirs = annotated_program(SharedRandom(torch, seed), torch.nn, torch.nn.functional,
                               torch.optim)
    return ours, theirs


def sync(ours_model, theirs_model) -> None:
    """ours_model takes theirs_model's state (weights and the ``pe`` buffers), and both
    lose their dropout: ``make_model`` builds ``MultiHeadedAttention(h, d_model)`` with
    its default p=0.1 whatever its ``dropout`` argument, and the libraries draw different
    masks."""
    ours_model.load_state_dict({k: v.detach().numpy().copy()
                                for k, v in theirs_model.state_dict().items()})
    for model in (ours_model, theirs_model):
        for module in model.modules():
            if type(module).__name__ == "Dropout":
                module.p = 0.0


def close(a, b, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def test_masks_positional_encoding_and_layer_norm(torch) -> None:
    ours, theirs = programs(torch)
    close(ours.subsequent_mask(5), theirs.subsequent_mask(5))
    close(ours.PositionalEncoding(20, 0).pe, theirs.PositionalEncoding(20, 0).pe)
    x = np.random.default_rng(1).standard_normal((2, 3, 6))
    norm_ours, norm_theirs = ours.LayerNorm(6), theirs.LayerNorm(6)
    got, want = norm_ours(ag.tensor(x, requires_grad=True)), norm_theirs(torch.tensor(x))
    close(got, want)  # std: unbiased (n - 1) in both
    upstream = np.random.default_rng(2).standard_normal(x.shape)
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    close(norm_ours.a_2.grad, norm_theirs.a_2.grad)
    close(norm_ours.b_2.grad, norm_theirs.b_2.grad)


def label_smoothing_examples(torch, program) -> list:
    """The tutorial's "Label Smoothing" cells: the smoothed targets of five predictions,
    and the loss as the model grows confident (``loss(x, crit)``)."""
    crit = program.LabelSmoothing(5, 0, 0.4)
    predict = torch.FloatTensor(
        [[0, 0.2, 0.7, 0.1, 0], [0, 0.2, 0.7, 0.1, 0], [0, 0.2, 0.7, 0.1, 0],
         [0, 0.2, 0.7, 0.1, 0], [0, 0.2, 0.7, 0.1, 0]])
    crit(x=predict.log(), target=torch.LongTensor([2, 1, 0, 3, 3]))
    record = [crit.true_dist]

    def loss(x, crit):
        d = x + 3 * 1
        predict = torch.FloatTensor([[0, x / d, 1 / d, 1 / d, 1 / d]])
        return crit(predict.log(), torch.LongTensor([1])).data

    crit = program.LabelSmoothing(5, 0, 0.1)
    record += [loss(x, crit) for x in range(1, 100, 20)]
    return record


def test_label_smoothing_examples(torch) -> None:
    ours, theirs = programs(torch)
    got, want = label_smoothing_examples(ag, ours), label_smoothing_examples(torch, theirs)
    for a, b in zip(got, want):
        close(a, b, rtol=1e-6)  # FloatTensor: float32 in both


def test_model_forward_and_backward(torch) -> None:
    ours, theirs = programs(torch)
    model_theirs = theirs.make_model(V, V, dropout=0.0, **SIZES)
    model_ours = ours.make_model(V, V, dropout=0.0, **SIZES)
    sync(model_ours, model_theirs)
    rng = np.random.default_rng(3)
    data = rng.integers(1, V, size=(3, 7))
    data[:, 0] = 1
    data[1, 5:] = 0  # padding, masked out of the source and the targets
    records = []
    for program, library, model in ((ours, ag, model_ours), (theirs, torch, model_theirs)):
        batch = program.Batch(library.tensor(data), library.tensor(data), 0)
        out = model.forward(batch.src, batch.tgt, batch.src_mask, batch.tgt_mask)
        criterion = program.LabelSmoothing(size=V, padding_idx=0, smoothing=0.1)
        loss, loss_node = program.SimpleLossCompute(model.generator, criterion)(
            out, batch.tgt_y, batch.ntokens)
        loss_node.backward()
        records.append((batch, out, loss, loss_node,
                        {k: p.grad for k, p in model.named_parameters()}))
    (b_o, out_o, loss_o, node_o, grads_o), (b_t, out_t, loss_t, node_t, grads_t) = records
    close(b_o.src_mask, b_t.src_mask)
    close(b_o.tgt_mask, b_t.tgt_mask)
    assert int(b_o.ntokens) == int(b_t.ntokens)
    close(out_o, out_t)
    close(float(loss_o), float(loss_t))
    close(node_o, node_t)
    assert grads_o.keys() == grads_t.keys()
    for name in grads_t:
        close(grads_o[name], grads_t[name], atol=1e-11)


def example_learning_schedule(torch, program, steps=100):
    """The tutorial's "Optimizer" cell (it plots 20000 steps of warmups 4000/8000):
    the Noam rate through ``LambdaLR`` over an Adam whose parameter has no gradient."""
    opts = [[512, 1, 20], [512, 1, 40], [256, 1, 20]]
    dummy_model = program.nn.Linear(1, 1)  # torch.nn.Linear: nn is its own package here
    learning_rates = []
    for idx, example in enumerate(opts):
        # run 20000 steps for each example
        optimizer = program.optim.Adam(dummy_model.parameters(), lr=1, betas=(0.9, 0.98),
                                       eps=1e-9)
        lr_scheduler = program.LambdaLR(optimizer=optimizer,
                                        lr_lambda=lambda step: program.rate(step, *example))
        tmp = []
        # take 20K dummy training steps, save the learning rate at each step
        for step in range(steps):
            tmp.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            lr_scheduler.step()
        learning_rates.append(tmp)
    return torch.tensor(learning_rates), dummy_model


def test_learning_schedule_as_pytorch(torch) -> None:
    ours, theirs = programs(torch)
    (got, model_ours), (want, model_theirs) = (example_learning_schedule(ag, ours),
                                               example_learning_schedule(torch, theirs))
    close(got, want, rtol=1e-13)
    assert float(got[0].argmax()) == 20  # the peak at the warmup step
    assert model_ours.weight.grad is None and model_theirs.weight.grad is None


def test_trains_with_the_tutorials_dropout(torch) -> None:
    """The tutorial's dropout (0.1, and attention's): not compared with PyTorch (other
    masks), only that a training step runs, changes the weights and stays finite."""
    ours, _ = programs(torch)
    model = ours.make_model(V, V, **SIZES)
    criterion = ours.LabelSmoothing(size=V, padding_idx=0, smoothing=0.1)
    optimizer = ours.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-9)
    before = model.generator.proj.weight.detach().clone()
    model.train()
    loss, _ = ours.run_epoch(ours.data_gen(V, 4, 2), model,
                             ours.SimpleLossCompute(model.generator, criterion), optimizer,
                             ours.DummyScheduler(), mode="train")
    assert np.isfinite(float(loss))
    assert not np.allclose(model.generator.proj.weight.detach().numpy(), before.numpy())
