"""llama2.c's ``train.py`` loop around the ``Transformer`` of
``test_pytorch_ports_llama2c_model.py``: ``configure_optimizers``, the warmup + cosine
``get_lr`` written into every param group, gradient accumulation over micro-steps with
``model.last_loss``, the (disabled) ``GradScaler``, ``clip_grad_norm_``, ``step`` and
``zero_grad(set_to_none=True)``; next to PyTorch from the same weights and batches, on
both attention paths. The model computes its norms and rotations in float32 as written,
so the runs agree to float32's precision (1e-5), not float64's.

Written differently here: ``torch.nn.utils.clip_grad_norm_`` is ``nn.utils``'s, and
``iter_num`` starts at 1 so that the first step's learning rate is not 0.
"""

import math

import numpy as np
import pytest

from test_pytorch_ports_gpt_lecture import assert_records, libraries, step_records
from test_pytorch_ports_llama2c_model import ARGS, both_models
from test_pytorch_ports_mamba_minimal import token_batches


def train_steps(torch, nn, optim, model, data, grad_clip=1.0, accumulation=2) -> list:
    """train.py's loop: lr from get_lr into every group, accumulated micro-steps, the
    (disabled) GradScaler, clip_grad_norm_, step, zero_grad(set_to_none=True)."""
    learning_rate, min_lr, warmup_iters, lr_decay_iters = 5e-3, 5e-4, 2, 6

    def get_lr(it):
        # 1) linear warmup for warmup_iters steps
        if it < warmup_iters:
            return learning_rate * it / warmup_iters
        # 2) if it > lr_decay_iters, return min learning rate
        if it > lr_decay_iters:
            return min_lr
        # 3) in between, use cosine decay down to min learning rate
        decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
        assert 0 <= decay_ratio <= 1
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))  # coeff ranges 0..1
        return min_lr + coeff * (learning_rate - min_lr)

    optimizer = model.configure_optimizers(0.1, learning_rate, (0.9, 0.95), 'cpu')
    scaler = torch.cuda.amp.GradScaler(enabled=False)  # dtype is not "float16"
    record = [[g['weight_decay'] for g in optimizer.param_groups],
              model.estimate_mfu(4, 0.5)]
    batches = iter(data)
    X, Y = (torch.tensor(a) for a in next(batches))
    for iter_num in range(len(data) // accumulation):
        lr = get_lr(iter_num + 1)
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr
        for micro_step in range(accumulation):
            model(X, Y)
            loss = model.last_loss
            loss = loss / accumulation
            X, Y = (torch.tensor(a) for a in next(batches, (Y.numpy(), X.numpy())))
            scaler.scale(loss).backward()
        record += step_records(model, loss)
        if grad_clip != 0.0:
            scaler.unscale_(optimizer)
            record.append(nn.utils.clip_grad_norm_(model.parameters(), grad_clip).item())
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
    return record + [p.detach().numpy().copy() for p in model.parameters()]



@pytest.mark.filterwarnings("ignore:`torch.cuda.amp.GradScaler")  # PyTorch's deprecation
@pytest.mark.parametrize("flash", [True, False])
def test_llama2c_trains_as_torch(torch, capsys, flash):
    ours, theirs = both_models(torch, **ARGS, flash=flash)
    assert ours.tok_embeddings.weight is ours.output.weight
    assert set(ours.state_dict()) == set(theirs.state_dict())  # no freqs_* in either
    assert ours.freqs_cos.dtype == np.float32 and ours.params.hidden_dim == 48
    assert ours.freqs_cos.shape == tuple(theirs.freqs_cos.shape) == (10, 2)
    np.testing.assert_allclose(ours.freqs_sin.numpy(), theirs.freqs_sin.numpy(), rtol=1e-6)
    capsys.readouterr()
    runs = []
    for lib, model in ((None, ours), (torch, theirs)):
        T, nn_, _, optim = libraries(lib)
        runs.append(train_steps(T, nn_, optim, model, token_batches(6, length=10)))
        runs[-1].append(capsys.readouterr().out)
    assert "using fused AdamW: False" in runs[0][-1]
    assert_records(*runs, rtol=1e-5, atol=1e-7)
