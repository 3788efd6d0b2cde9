"""A Hugging Face ``Trainer``-like loop, ported as readers write it, on a generated toy
corpus (counting sequences of varied length) with the tiny GPT of
``hf_generation_program``: ``get_train_dataloader``'s ``dataloader_params``
(``worker_init_fn=seed_worker``, ``prefetch_factor=None``) over a list of ragged token
lists, a collator padding with ``pad_sequence`` (labels -100 on the padding,
``attention_mask``), ``get_parameter_names`` over the LayerNorm layers for the decay /
no-decay ``AdamW`` groups, ``get_cosine_schedule_with_warmup`` and
``get_polynomial_decay_schedule_with_warmup`` as ``LambdaLR`` over ``functools.partial``,
gradient accumulation with the loss summed and divided by ``num_items_in_batch``,
``LabelSmoother``, ``clip_grad_norm_``, an EMA of the weights (``AveragedModel`` with
``get_ema_multi_avg_fn``), evaluation, and a checkpoint (model, optimizer, scheduler, EMA)
that a fresh trainer resumes from. PyTorch runs the same program from the same weights
(float64): losses, learning rates, gradient norms and parameters agree to 1e-10, and the
resumed run equals the uninterrupted one.

Written differently here: the model starts from PyTorch's weights (``load_state_dict``);
``LabelSmoother``'s ``sum(..., dtype=torch.float32)`` keeps float64 (its point is upcasting
half precision; in float32 the two libraries' sums would round differently); the
checkpoint is ``nn.save``/``nn.load`` for ``torch.save``/``torch.load``.
"""

import functools
import math

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from hf_generation_program import generation_program

PAD = 0


def toy_corpus(n: int = 12, seed: int = 0) -> list:
    """Counting sequences [a, a+1, ...] (mod 10, shifted past PAD) of length 3 to 7."""
    rng = np.random.default_rng(seed)
    return [[1 + (a + i) % 10 for i in range(length)]
            for a, length in zip(rng.integers(0, 10, n), rng.integers(3, 8, n))]


def trainer_program(torch, nn, F, optim, data, save, load):
    """The trainer's functions for library ``torch`` with its ``nn``, ``F``, ``optim``,
    ``utils.data`` (``data``) and checkpointing (``save``/``load``)."""
    from_lambda = optim.lr_scheduler.LambdaLR
    pad_sequence = nn.utils.rnn.pad_sequence

    def collate(examples):
        input_ids = pad_sequence([torch.tensor(e) for e in examples], batch_first=True,
                                 padding_value=PAD)
        attention_mask = (input_ids != PAD).long()
        labels = input_ids.masked_fill(attention_mask == 0, -100)
        return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}

    def get_parameter_names(model, forbidden_layer_types):
        result = []
        for name, child in model.named_children():
            result += [f"{name}.{n}" for n in get_parameter_names(child, forbidden_layer_types)
                       if not isinstance(child, tuple(forbidden_layer_types))]
        result += list(model._parameters.keys())
        return result

    def _cosine_lambda(current_step, *, num_warmup_steps, num_training_steps, num_cycles):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        progress = float(current_step - num_warmup_steps) / float(
            max(1, num_training_steps - num_warmup_steps))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))

    def get_cosine_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps,
                                        num_cycles=0.5, last_epoch=-1):
        lr_lambda = functools.partial(_cosine_lambda, num_warmup_steps=num_warmup_steps,
                                      num_training_steps=num_training_steps,
                                      num_cycles=num_cycles)
        return from_lambda(optimizer, lr_lambda, last_epoch)

    def _polynomial_lambda(current_step, *, num_warmup_steps, num_training_steps, lr_end,
                           power, lr_init):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        elif current_step > num_training_steps:
            return lr_end / lr_init  # as LambdaLR multiplies by lr_init
        lr_range = lr_init - lr_end
        decay_steps = num_training_steps - num_warmup_steps
        pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init  # as LambdaLR multiplies by lr_init

    def get_polynomial_decay_schedule_with_warmup(optimizer, num_warmup_steps,
                                                  num_training_steps, lr_end=1e-7, power=1.0):
        lr_init = optimizer.defaults["lr"]
        lr_lambda = functools.partial(_polynomial_lambda, num_warmup_steps=num_warmup_steps,
                                      num_training_steps=num_training_steps, lr_end=lr_end,
                                      power=power, lr_init=lr_init)
        return from_lambda(optimizer, lr_lambda, -1)

    def label_smoother(logits, labels, epsilon=0.1, ignore_index=-100):
        logits = logits[..., :-1, :].contiguous()  # shift_labels=True
        labels = labels[..., 1:].contiguous()
        log_probs = -F.log_softmax(logits, dim=-1)
        if labels.dim() == log_probs.dim() - 1:
            labels = labels.unsqueeze(-1)
        padding_mask = labels.eq(ignore_index)
        labels = torch.clamp(labels, min=0)
        nll_loss = log_probs.gather(dim=-1, index=labels)
        smoothed_loss = log_probs.sum(dim=-1, keepdim=True)
        nll_loss.masked_fill_(padding_mask, 0.0)
        smoothed_loss.masked_fill_(padding_mask, 0.0)
        num_active_elements = padding_mask.numel() - padding_mask.long().sum()
        nll_loss = nll_loss.sum() / num_active_elements
        smoothed_loss = smoothed_loss.sum() / (num_active_elements * log_probs.shape[-1])
        return (1 - epsilon) * nll_loss + epsilon * smoothed_loss

    def causal_lm_loss(logits, labels, vocab_size, num_items_in_batch=None):
        labels = F.pad(labels, (0, 1), value=-100)
        shift_labels = labels[..., 1:].contiguous().view(-1)
        logits = logits.view(-1, vocab_size)
        reduction = "sum" if num_items_in_batch is not None else "mean"
        loss = F.cross_entropy(logits, shift_labels, ignore_index=-100, reduction=reduction)
        if reduction == "sum":
            loss = loss / num_items_in_batch
        return loss

    def seed_worker(worker_id):  # trainer_utils.seed_worker: never called without workers
        worker_seed = torch.initial_seed() % 2**32
        np.random.seed(worker_seed)

    class Trainer:
        def __init__(self, model, train_dataset, eval_dataset, schedule, record,
                     batch_size=2, accumulation=2, epochs=2, save_steps=2, lr=5e-3):
            self.model, self.record, self.schedule = model, record, schedule
            dataloader_params = {"batch_size": batch_size, "collate_fn": collate,
                                 "num_workers": 0, "pin_memory": False,
                                 "persistent_workers": False, "drop_last": False,
                                 "worker_init_fn": seed_worker, "prefetch_factor": None}
            self.train_loader = data.DataLoader(train_dataset, **dataloader_params)
            self.eval_loader = data.DataLoader(eval_dataset, batch_size=4,
                                                  collate_fn=collate)
            self.accumulation, self.epochs, self.save_steps = accumulation, epochs, save_steps
            self.max_steps = epochs * len(self.train_loader) // accumulation
            decay_parameters = [n for n in get_parameter_names(model, [nn.LayerNorm])
                                if "bias" not in n]
            groups = [
                {"params": [p for n, p in model.named_parameters() if n in decay_parameters],
                 "weight_decay": 0.1},
                {"params": [p for n, p in model.named_parameters()
                            if n not in decay_parameters], "weight_decay": 0.0}]
            self.optimizer = optim.AdamW(groups, lr=lr, betas=(0.9, 0.98), eps=1e-8)
            self.lr_scheduler = schedule(self.optimizer, 2, self.max_steps)
            self.ema = optim.swa_utils.AveragedModel(
                model, multi_avg_fn=optim.swa_utils.get_ema_multi_avg_fn(0.9))
            self.global_step = 0

        def evaluate(self):
            self.model.eval()
            losses, smoothed = [], []
            with torch.no_grad():
                for inputs in self.eval_loader:
                    logits = self.ema(inputs["input_ids"], inputs["attention_mask"])
                    losses.append(causal_lm_loss(logits, inputs["labels"], logits.size(-1)))
                    smoothed.append(label_smoother(logits, inputs["labels"]))
            self.model.train()
            return torch.stack(losses).mean().item(), torch.stack(smoothed).mean().item()

        def save_checkpoint(self, path):
            save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                  "scheduler": self.lr_scheduler.state_dict(), "ema": self.ema.state_dict(),
                  "global_step": self.global_step}, path)

        def load_checkpoint(self, path):
            checkpoint = load(path)
            self.model.load_state_dict(checkpoint["model"])
            self.optimizer.load_state_dict(checkpoint["optimizer"])
            self.lr_scheduler.load_state_dict(checkpoint["scheduler"])
            self.ema.load_state_dict(checkpoint["ema"])
            self.global_step = checkpoint["global_step"]

        def train(self, checkpoint_dir, resume=False):
            self.model.train()
            batches = [b for _ in range(self.epochs) for b in self.train_loader]
            start = self.global_step * self.accumulation
            for step in range(start, len(batches), self.accumulation):
                batch_samples = batches[step:step + self.accumulation]
                num_items_in_batch = sum([(b["labels"][..., 1:].ne(-100)).sum()
                                          for b in batch_samples])
                for inputs in batch_samples:
                    logits = self.model(inputs["input_ids"], inputs["attention_mask"])
                    loss = causal_lm_loss(logits, inputs["labels"], logits.size(-1),
                                          num_items_in_batch)
                    loss.backward()
                    self.record.append(loss.detach())
                grad_norm = nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                self.optimizer.step()
                self.lr_scheduler.step()
                self.model.zero_grad()
                self.ema.update_parameters(self.model)
                self.global_step += 1
                self.record += [float(grad_norm), self.lr_scheduler.get_last_lr()]
                if self.global_step % self.save_steps == 0:
                    self.record += list(self.evaluate())
                    self.save_checkpoint(f"{checkpoint_dir}/checkpoint-{self.global_step}")
            return self.global_step

    return Trainer, get_cosine_schedule_with_warmup, get_polynomial_decay_schedule_with_warmup


def run(torch, nn, F, optim, data, save, load, tmp_path, weights, schedule_name,
        resume_at=None):
    """Train from ``weights`` (or, with ``resume_at``, resume a fresh trainer from that
    checkpoint); returns the record and the final parameters."""
    Trainer, cosine, polynomial = trainer_program(torch, nn, F, optim, data, save, load)
    schedule = {"cosine": cosine, "polynomial": functools.partial(
        polynomial, lr_end=1e-4, power=2.0)}[schedule_name]
    model = generation_program(torch, nn, F).TinyGPT()
    model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    corpus = toy_corpus()
    record = []
    trainer = Trainer(model, corpus[:9], corpus[9:], schedule, record)
    if resume_at is not None:
        trainer.load_checkpoint(f"{tmp_path}/checkpoint-{resume_at}")
    trainer.train(tmp_path)
    params = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    ema = {k: v.detach().numpy().copy() for k, v in trainer.ema.state_dict().items()}
    return [float(np.asarray(r.detach().numpy() if hasattr(r, "detach") else r).ravel()[0])
            for r in record], params, ema


def test_trainer_matches_pytorch_and_resumes(torch, tmp_path):
    torch.manual_seed(0)
    start = generation_program(torch, torch.nn, torch.nn.functional).TinyGPT().state_dict()
    weights = {k: v.detach().numpy().copy() for k, v in start.items()}
    theirs_dir, ours_dir = tmp_path / "theirs", tmp_path / "ours"
    theirs_dir.mkdir()
    ours_dir.mkdir()
    for schedule_name in ("cosine", "polynomial"):
        want = run(torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data,
                   torch.save,
                   functools.partial(torch.load, weights_only=False), theirs_dir, weights,
                   schedule_name)
        ours = (ag, nn, nn_F, nn.optim, nn.data, nn.save, nn.load, ours_dir, weights)
        got = run(*ours, schedule_name)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-10, atol=1e-12)
        for got_part, want_part in zip(got[1:], want[1:]):
            assert got_part.keys() == want_part.keys()
            for k in want_part:
                np.testing.assert_allclose(got_part[k], want_part[k], rtol=1e-10,
                                           atol=1e-12, err_msg=k)
        resumed = run(*ours, schedule_name, resume_at=2)
        np.testing.assert_allclose(resumed[0], got[0][-len(resumed[0]):], rtol=1e-12)
        for got_part, resumed_part in zip(got[1:], resumed[1:]):
            for k in got_part:
                np.testing.assert_allclose(resumed_part[k], got_part[k], rtol=1e-12,
                                           err_msg=k)
