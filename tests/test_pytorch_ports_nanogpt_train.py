"""nanoGPT's ``train.py`` (with ``data/shakespeare_char/prepare.py``), ported as written:
``get_batch`` over an ``np.memmap`` of uint16 ids, ``meta.pkl``'s vocabulary,
``estimate_loss``, the warmup + cosine ``get_lr`` written into each
``param_group['lr']``, gradient accumulation with ``loss / gradient_accumulation_steps``,
``clip_grad_norm_``, ``estimate_mfu``, the checkpoint dict saved at each evaluation and
training resumed from it (``init_from = 'resume'``). It runs step for step next to
PyTorch from the same initial weights and batches (float64, dropout 0), from scratch and
resumed; the model is ``test_pytorch_ports_nanogpt_model.py``'s.

Lines written differently here (the ones of ``model.py`` are listed there):
- ``torch.save`` / ``torch.load`` are ``nn.save`` / ``nn.load``, called the same way
  (NumPy's format, never pickle; the file is ``ckpt.npz``);
- ``ptdtype``'s dict has no ``'bfloat16': torch.bfloat16`` (NumPy has none; the name's
  ``MissingNameError`` says to compute in float32), and the two
  ``torch.backends.cuda.matmul.allow_tf32 = True`` lines are dropped (their error says so);
- ``ctx = nullcontext() if device_type == 'cpu' else torch.amp.autocast(...)`` and the
  ``GradScaler`` lines are as written (``torch.cuda.amp.GradScaler(enabled=False)``: a
  pass-through, in both);
- ``torch.randint`` in ``get_batch`` draws from a NumPy generator both runs seed alike, and
  the model starts from PyTorch's initial weights (``start=``, the test's glue);
- DDP, wandb and ``torch.compile`` (``compile = False``) are left out.
"""

import math
import os
import pickle
import time
from contextlib import nullcontext

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_gpt_lecture import (TEXT, assert_records, libraries, shared_randint,
                                            to_numpy)
from test_pytorch_ports_nanogpt_model import GPTConfig, nanogpt

# PyTorch 2.13 calls train.py's torch.cuda.amp.GradScaler(...) deprecated
pytestmark = pytest.mark.filterwarnings("ignore:`torch.cuda.amp.GradScaler:FutureWarning")



def prepare(data_dir) -> None:
    """shakespeare_char/prepare.py on the test's text."""
    data = TEXT
    chars = sorted(list(set(data)))
    vocab_size = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}

    def encode(s):
        return [stoi[c] for c in s]  # encoder: take a string, output a list of integers

    n = len(data)
    train_data = data[:int(n * 0.9)]
    val_data = data[int(n * 0.9):]
    train_ids = np.array(encode(train_data), dtype=np.uint16)
    val_ids = np.array(encode(val_data), dtype=np.uint16)
    train_ids.tofile(os.path.join(data_dir, 'train.bin'))
    val_ids.tofile(os.path.join(data_dir, 'val.bin'))
    meta = {'vocab_size': vocab_size, 'itos': itos, 'stoi': stoi}
    with open(os.path.join(data_dir, 'meta.pkl'), 'wb') as f:
        pickle.dump(meta, f)


def train(torch, nn, F, optim, data_dir, out_dir, init_from='scratch', start=None,
          max_iters=5) -> list:
    """train.py with its config for a tiny run; the record of every step."""
    GPT = nanogpt(torch, nn, F, optim)
    save, load = (nn.save, nn.load) if torch is ag else (torch.save, torch.load)
    ckpt_name = 'ckpt.npz' if torch is ag else 'ckpt.pt'
    eval_interval, log_interval, eval_iters = 2, 1, 2
    always_save_checkpoint = True
    gradient_accumulation_steps, batch_size, block_size = 2, 2, 8
    n_layer, n_head, n_embd, dropout, bias = 2, 2, 16, 0.0, False
    learning_rate, weight_decay, beta1, beta2, grad_clip = 1e-3, 1e-1, 0.9, 0.95, 1.0
    decay_lr, warmup_iters, lr_decay_iters, min_lr = True, 2, 4, 1e-4
    device, dtype, compile = 'cpu', 'float32', False
    config = {'batch_size': batch_size, 'learning_rate': learning_rate, 'dtype': dtype}
    randint = shared_randint(torch, seed=1 if init_from == 'resume' else 0)
    record = []

    tokens_per_iter = gradient_accumulation_steps * 1 * batch_size * block_size
    record.append(f"tokens per iteration will be: {tokens_per_iter:,}")
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1337)
    device_type = 'cuda' if 'cuda' in device else 'cpu'  # for later use in torch.autocast
    ptdtype = {'float32': torch.float32, 'float16': torch.float16}[dtype]
    ctx = nullcontext() if device_type == 'cpu' else torch.amp.autocast(
        device_type=device_type, dtype=ptdtype)

    def get_batch(split):
        # We recreate np.memmap every batch to avoid a memory leak
        if split == 'train':
            data = np.memmap(os.path.join(data_dir, 'train.bin'), dtype=np.uint16, mode='r')
        else:
            data = np.memmap(os.path.join(data_dir, 'val.bin'), dtype=np.uint16, mode='r')
        ix = randint(len(data) - block_size, (batch_size,))
        x = torch.stack([torch.from_numpy((data[i:i + block_size]).astype(np.int64))
                         for i in ix])
        y = torch.stack([torch.from_numpy((data[i + 1:i + 1 + block_size]).astype(np.int64))
                         for i in ix])
        x, y = x.to(device), y.to(device)
        return x, y

    iter_num = 0
    best_val_loss = 1e9
    meta_path = os.path.join(data_dir, 'meta.pkl')
    meta_vocab_size = None
    if os.path.exists(meta_path):
        with open(meta_path, 'rb') as f:
            meta = pickle.load(f)
        meta_vocab_size = meta['vocab_size']
    model_args = dict(n_layer=n_layer, n_head=n_head, n_embd=n_embd, block_size=block_size,
                      bias=bias, vocab_size=None, dropout=dropout)
    if init_from == 'scratch':
        model_args['vocab_size'] = meta_vocab_size if meta_vocab_size is not None else 50304
        gptconf = GPTConfig(**model_args)
        model = GPT(gptconf)
        if start is not None:  # the test's glue: PyTorch's initial weights
            model.load_state_dict(start)
    elif init_from == 'resume':
        ckpt_path = os.path.join(out_dir, ckpt_name)
        checkpoint = load(ckpt_path, map_location=device)
        checkpoint_model_args = checkpoint['model_args']
        for k in ['n_layer', 'n_head', 'n_embd', 'block_size', 'bias', 'vocab_size']:
            model_args[k] = checkpoint_model_args[k]
        gptconf = GPTConfig(**model_args)
        model = GPT(gptconf)
        state_dict = checkpoint['model']
        unwanted_prefix = '_orig_mod.'
        for k, v in list(state_dict.items()):
            if k.startswith(unwanted_prefix):
                state_dict[k[len(unwanted_prefix):]] = state_dict.pop(k)
        model.load_state_dict(state_dict)
        iter_num = checkpoint['iter_num']
        best_val_loss = checkpoint['best_val_loss']
    if block_size < model.config.block_size:
        model.crop_block_size(block_size)
        model_args['block_size'] = block_size
    model.to(device)

    # initialize a GradScaler. If enabled=False scaler is a no-op
    scaler = torch.cuda.amp.GradScaler(enabled=(dtype == 'float16'))

    optimizer = model.configure_optimizers(weight_decay, learning_rate, (beta1, beta2),
                                           device_type)
    if init_from == 'resume':
        optimizer.load_state_dict(checkpoint['optimizer'])
    checkpoint = None  # free up memory
    if compile:
        model = torch.compile(model)  # requires PyTorch 2.0

    @torch.no_grad()
    def estimate_loss():
        out = {}
        model.eval()
        for split in ['train', 'val']:
            losses = torch.zeros(eval_iters)
            for k in range(eval_iters):
                X, Y = get_batch(split)
                with ctx:
                    logits, loss = model(X, Y)
                losses[k] = loss.item()
            out[split] = losses.mean()
        model.train()
        return out

    # learning rate decay scheduler (cosine with warmup)
    def get_lr(it):
        # 1) linear warmup for warmup_iters steps
        if it < warmup_iters:
            return learning_rate * (it + 1) / (warmup_iters + 1)
        # 2) if it > lr_decay_iters, return min learning rate
        if it > lr_decay_iters:
            return min_lr
        # 3) in between, use cosine decay down to min learning rate
        decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
        assert 0 <= decay_ratio <= 1
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))  # coeff ranges 0..1
        return min_lr + coeff * (learning_rate - min_lr)

    X, Y = get_batch('train')  # fetch the very first batch
    t0 = time.time()
    local_iter_num = 0  # number of iterations in the lifetime of this process
    raw_model = model
    running_mfu = -1.0
    while True:
        # determine and set the learning rate for this iteration
        lr = get_lr(iter_num) if decay_lr else learning_rate
        for param_group in optimizer.param_groups:
            param_group['lr'] = lr
        record.append(lr)

        # evaluate the loss on train/val sets and write checkpoints
        if iter_num % eval_interval == 0:
            losses = estimate_loss()
            record.append(f"step {iter_num}: train loss {losses['train']:.4f}, "
                          f"val loss {losses['val']:.4f}")
            if losses['val'] < best_val_loss or always_save_checkpoint:
                best_val_loss = losses['val']
                if iter_num > 0:
                    checkpoint = {
                        'model': raw_model.state_dict(),
                        'optimizer': optimizer.state_dict(),
                        'model_args': model_args,
                        'iter_num': iter_num,
                        'best_val_loss': best_val_loss,
                        'config': config,
                    }
                    save(checkpoint, os.path.join(out_dir, ckpt_name))

        # forward backward update, with optional gradient accumulation
        for micro_step in range(gradient_accumulation_steps):
            with ctx:
                logits, loss = model(X, Y)
                loss = loss / gradient_accumulation_steps  # scale the loss to account for it
            # immediately async prefetch next batch while model is doing the forward pass
            X, Y = get_batch('train')
            # backward pass, with gradient scaling if training in fp16
            scaler.scale(loss).backward()
        # clip the gradient
        if grad_clip != 0.0:
            scaler.unscale_(optimizer)
            norm = nn.utils.clip_grad_norm_(model.parameters(), grad_clip)  # torch.nn.utils
            record.append(float(norm))
        record += [p.grad.numpy().copy() for p in model.parameters()]
        # step the optimizer and scaler if training in fp16
        scaler.step(optimizer)
        scaler.update()
        # flush the gradients as soon as we can, no need for this memory anymore
        optimizer.zero_grad(set_to_none=True)

        # timing and logging
        t1 = time.time()
        dt = t1 - t0
        t0 = t1
        if iter_num % log_interval == 0:
            lossf = loss.item() * gradient_accumulation_steps
            if local_iter_num >= 2:  # let the training loop settle a bit
                mfu = raw_model.estimate_mfu(batch_size * gradient_accumulation_steps, dt)
                running_mfu = mfu if running_mfu == -1.0 else 0.9 * running_mfu + 0.1 * mfu
            record.append(f"iter {iter_num}: loss {lossf:.4f}")
            assert running_mfu == -1.0 or running_mfu > 0
        iter_num += 1
        local_iter_num += 1

        # termination conditions
        if iter_num > max_iters:
            break
    return record + [p.detach().numpy().copy() for p in model.parameters()]


def test_train_py_as_torch_from_scratch_and_resumed(torch, tmp_path):
    prepare(tmp_path)
    torch.manual_seed(1337)
    vocab_size = pickle.loads((tmp_path / 'meta.pkl').read_bytes())['vocab_size']
    start = nanogpt(*libraries(torch))(GPTConfig(n_layer=2, n_head=2, n_embd=16, block_size=8,
                                                 bias=False, vocab_size=vocab_size))
    want = train(*libraries(torch), tmp_path, tmp_path / 'torch', start=start.state_dict())
    got = train(*libraries(), tmp_path, tmp_path / 'ours', start=to_numpy(start.state_dict()))
    assert_records(got, want)
    saved = nn.load(tmp_path / 'ours' / 'ckpt.npz')
    assert saved['iter_num'] == 4 and saved['model_args']['vocab_size'] == vocab_size
    assert saved['config']['dtype'] == 'float32' and saved['model_args']['bias'] is False

    want = train(*libraries(torch), tmp_path, tmp_path / 'torch', init_from='resume',
                 max_iters=6)
    got = train(*libraries(), tmp_path, tmp_path / 'ours', init_from='resume', max_iters=6)
    assert_records(got, want)
    assert len(got) > 10
