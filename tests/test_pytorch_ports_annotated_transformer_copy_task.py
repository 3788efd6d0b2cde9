"""The Annotated Transformer's "A First Example" (the copy task) and its untrained
``inference_test``, run next to PyTorch as in ``test_pytorch_ports_annotated_transformer.py``:
``data_gen`` batches, ``run_epoch`` with Adam (betas 0.9/0.98, eps 1e-9) and the Noam
``rate`` in ``LambdaLR``, label smoothing, ``DummyOptimizer``/``DummyScheduler`` for the
evaluation epochs, gradient accumulation (``accum_iter=2``), and ``greedy_decode``: every
step's loss and learning rate, the epoch losses, the trained weights and the decoded
sequence agree.

Written differently: a few short epochs of 4 batches of 8 (the tutorial: 20 epochs of 20
batches of 80), ``N=2`` layers of width 16 with warmup 8 so the rate climbs and falls
within them; dropout 0 (see ``sync``).
"""

import numpy as np

import autograd as ag
from test_pytorch_ports_annotated_transformer import SIZES, V, close, programs, sync


def example_simple_model(torch, program, model, epochs=3, accum_iter=1):
    """The tutorial's training cell for ``model`` (built by ``program.make_model``)."""
    criterion = program.LabelSmoothing(size=V, padding_idx=0, smoothing=0.0)
    optimizer = program.optim.Adam(model.parameters(), lr=0.5, betas=(0.9, 0.98), eps=1e-9)
    lr_scheduler = program.LambdaLR(
        optimizer=optimizer,
        lr_lambda=lambda step: program.rate(step, model_size=model.src_embed[0].d_model,
                                            factor=1.0, warmup=8))
    batch_size = 8
    log, losses = [], []
    for epoch in range(epochs):
        model.train()
        program.run_epoch(program.data_gen(V, batch_size, 4), model,
                          program.SimpleLossCompute(model.generator, criterion),
                          optimizer, lr_scheduler, mode="train", accum_iter=accum_iter,
                          train_state=program.TrainState(), log=log)
        model.eval()
        losses.append(program.run_epoch(program.data_gen(V, batch_size, 2), model,
                                        program.SimpleLossCompute(model.generator, criterion),
                                        program.DummyOptimizer(), program.DummyScheduler(),
                                        mode="eval")[0])
    model.eval()
    src = torch.LongTensor([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]])
    max_len = src.shape[1]
    src_mask = torch.ones(1, 1, max_len)
    decoded = program.greedy_decode(model, src, src_mask, max_len=max_len, start_symbol=0)
    return log, losses, decoded


def run_both(torch, accum_iter):
    ours, theirs = programs(torch, seed=5)
    model_theirs = theirs.make_model(V, V, **SIZES)
    model_ours = ours.make_model(V, V, **SIZES)
    sync(model_ours, model_theirs)
    got = example_simple_model(ag, ours, model_ours, accum_iter=accum_iter)
    want = example_simple_model(torch, theirs, model_theirs, accum_iter=accum_iter)
    return (got, model_ours), (want, model_theirs)


def check(got, want, model_ours, model_theirs) -> None:
    (log_o, losses_o, decoded_o), (log_t, losses_t, decoded_t) = got, want
    assert len(log_o) == len(log_t)
    for a, b in zip(log_o, log_t):
        assert a[:2] == b[:2]
        close(np.array(a[2:]), np.array(b[2:]), rtol=1e-9)
    close(np.array([float(x) for x in losses_o]), np.array([float(x) for x in losses_t]),
          rtol=1e-9)
    theirs = model_theirs.state_dict()
    for name, value in model_ours.state_dict().items():
        # a key projection's bias adds one number to a query's every score, which the
        # softmax takes out: its gradient is 0 but for rounding, which Adam (eps 1e-9)
        # turns into steps of the learning rate's size, different in each library
        key_bias = name.endswith("attn.linears.1.bias")
        close(value, theirs[name], rtol=1e-10, atol=1e-8 if key_bias else 1e-12)
    np.testing.assert_array_equal(decoded_o.numpy(), decoded_t.numpy())
    assert decoded_o.dtype == np.int64


def test_copy_task_trains_as_pytorch(torch) -> None:
    (got, model_ours), (want, model_theirs) = run_both(torch, accum_iter=1)
    check(got, want, model_ours, model_theirs)
    assert float(got[1][-1]) < float(got[1][0])  # it learns


def test_copy_task_with_gradient_accumulation(torch) -> None:
    (got, model_ours), (want, model_theirs) = run_both(torch, accum_iter=2)
    check(got, want, model_ours, model_theirs)


def inference_test(torch, program, test_model):
    test_model.eval()
    src = torch.LongTensor([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]])
    src_mask = torch.ones(1, 1, 10)
    memory = test_model.encode(src, src_mask)
    ys = torch.zeros(1, 1).type_as(src)
    for i in range(9):
        out = test_model.decode(memory, src_mask, ys,
                                program.subsequent_mask(ys.size(1)).type_as(src.data))
        prob = test_model.generator(out[:, -1])
        _, next_word = torch.max(prob, dim=1)
        next_word = next_word.data[0]
        ys = torch.cat([ys, torch.empty(1, 1).type_as(src.data).fill_(next_word)], dim=1)
    return ys


def test_untrained_inference_as_pytorch(torch) -> None:
    ours, theirs = programs(torch)
    model_theirs = theirs.make_model(11, 11, 2, d_model=64, d_ff=128)  # tutorial: 512, 2048
    model_ours = ours.make_model(11, 11, 2, d_model=64, d_ff=128)
    sync(model_ours, model_theirs)
    got, want = inference_test(ag, ours, model_ours), inference_test(torch, theirs,
                                                                     model_theirs)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
