"""Preference learning on a tiny GPT (``tiny_lm_program``), next to PyTorch (float64, the
same weights):
- DPO as Eric Mitchell's reference ``direct-preference-optimization`` writes it
  (``trainers.py``): ``concatenated_inputs`` padding chosen and rejected answers by
  ``pad_to_length`` (``torch.cat`` with ``pad_value * torch.ones(*pad_size, dtype=...)``),
  ``_get_batch_logps`` (``labels[:, 1:].clone()``, ``labels[labels == -100] = 0``,
  ``torch.gather(logits.log_softmax(-1), dim=2, index=labels.unsqueeze(2))``), and
  ``preference_loss`` with its IPO, conservative (label smoothing) and reference-free
  variants; the frozen reference by ``copy.deepcopy``, RMSprop with the ``LambdaLR``
  warm-up and ``clip_grad_norm_``, the reward accuracies by ``(a > b).float()``;
- a Bradley-Terry reward model as TRL's ``RewardTrainer.compute_loss`` writes it
  (``-logsigmoid(r_chosen - r_rejected - margin).mean()`` plus the
  ``center_rewards_coefficient`` term), its score read at the last non-pad token as Hugging
  Face's ``GPT2ForSequenceClassification`` does (``(token_indices * non_pad_mask)
  .argmax(-1)`` of int32 tensors, then ``logits[torch.arange(batch_size), last]``).
Losses, gradients, rewards and parameters agree with PyTorch to 1e-10.

Lines written differently here: ``all_logits.to(torch.float32)`` (a cast of bfloat16
logits) is dropped: float32 log-softmaxes round differently in the last place.
"""

import copy

import numpy as np
import pytest

from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_gpt_lecture import assert_records, libraries
from tiny_lm_program import TinyConfig, tiny_lm_program


def dpo_program(torch, F):
    def pad_to_length(tensor, length, pad_value, dim=-1):
        if tensor.size(dim) >= length:
            return tensor
        pad_size = list(tensor.shape)
        pad_size[dim] = length - tensor.size(dim)
        return torch.cat([tensor, pad_value * torch.ones(*pad_size, dtype=tensor.dtype)],
                         dim=dim)

    def concatenated_inputs(batch):
        max_length = max(batch['chosen_input_ids'].shape[1],
                         batch['rejected_input_ids'].shape[1])
        concatenated_batch = {}
        for k in batch:
            if k.startswith('chosen') and isinstance(batch[k], torch.Tensor):
                pad_value = -100 if 'labels' in k else 0
                concatenated_key = k.replace('chosen', 'concatenated')
                concatenated_batch[concatenated_key] = pad_to_length(batch[k], max_length,
                                                                     pad_value=pad_value)
        for k in batch:
            if k.startswith('rejected') and isinstance(batch[k], torch.Tensor):
                pad_value = -100 if 'labels' in k else 0
                concatenated_key = k.replace('rejected', 'concatenated')
                concatenated_batch[concatenated_key] = torch.cat((
                    concatenated_batch[concatenated_key],
                    pad_to_length(batch[k], max_length, pad_value=pad_value)), dim=0)
        return concatenated_batch

    def _get_batch_logps(logits, labels, average_log_prob=False):
        assert logits.shape[:-1] == labels.shape
        labels = labels[:, 1:].clone()
        logits = logits[:, :-1, :]
        loss_mask = (labels != -100)
        # dummy token; we'll ignore the losses on these tokens later
        labels[labels == -100] = 0
        per_token_logps = torch.gather(logits.log_softmax(-1), dim=2,
                                       index=labels.unsqueeze(2)).squeeze(2)
        if average_log_prob:
            return (per_token_logps * loss_mask).sum(-1) / loss_mask.sum(-1)
        return (per_token_logps * loss_mask).sum(-1)

    def preference_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps,
                        reference_rejected_logps, beta, label_smoothing=0.0, ipo=False,
                        reference_free=False):
        pi_logratios = policy_chosen_logps - policy_rejected_logps
        ref_logratios = reference_chosen_logps - reference_rejected_logps
        if reference_free:
            ref_logratios = 0
        logits = pi_logratios - ref_logratios  # also known as h_{\pi_\theta}^{y_w,y_l}
        if ipo:
            losses = (logits - 1 / (2 * beta)) ** 2  # Eq. 17 of the IPO paper
        else:  # Eq. 3 of the cDPO note; label_smoothing=0 gives the original DPO loss
            losses = (-F.logsigmoid(beta * logits) * (1 - label_smoothing)
                      - F.logsigmoid(-beta * logits) * label_smoothing)
        chosen_rewards = beta * (policy_chosen_logps - reference_chosen_logps).detach()
        rejected_rewards = beta * (policy_rejected_logps - reference_rejected_logps).detach()
        return losses, chosen_rewards, rejected_rewards

    def concatenated_forward(model, batch, average_log_prob=False):
        concatenated_batch = concatenated_inputs(batch)
        all_logits = model(concatenated_batch['concatenated_input_ids'],
                           attention_mask=concatenated_batch['concatenated_attention_mask'])
        all_logps = _get_batch_logps(all_logits, concatenated_batch['concatenated_labels'],
                                     average_log_prob=average_log_prob)
        chosen_logps = all_logps[:batch['chosen_input_ids'].shape[0]]
        rejected_logps = all_logps[batch['chosen_input_ids'].shape[0]:]
        return chosen_logps, rejected_logps

    return concatenated_forward, preference_loss


def preference_batch(torch, seed: int = 0, batch_size: int = 3) -> dict:
    """Prompts of 3 tokens, then chosen answers of 4 and rejected ones of 2 tokens; the
    prompt's labels are -100, as the reference's tokenize_batch_element sets them."""
    rng = np.random.default_rng(seed)
    prompt = rng.integers(1, 12, (batch_size, 3))
    batch = {}
    for name, length in (("chosen", 4), ("rejected", 2)):
        ids = np.concatenate([prompt, rng.integers(1, 12, (batch_size, length))], axis=1)
        labels = ids.copy()
        labels[:, :3] = -100
        batch[f"{name}_input_ids"] = torch.tensor(ids)
        batch[f"{name}_attention_mask"] = torch.ones(ids.shape, dtype=torch.long)
        batch[f"{name}_labels"] = torch.tensor(labels)
    return batch


def dpo_records(torch, policy, loss_config: dict, average_log_prob=False, steps=3) -> list:
    torch_, nn, F, optim = libraries(torch)
    concatenated_forward, preference_loss = dpo_program(torch_, F)
    reference_model = copy.deepcopy(policy)
    reference_model.eval()
    optimizer = optim.RMSprop(policy.parameters(), lr=1e-2)
    warmup_steps = 2
    scheduler = optim.lr_scheduler.LambdaLR(
        optimizer, lr_lambda=lambda step: min(1.0, (step + 1) / (warmup_steps + 1)))
    records = []
    for step in range(steps):
        batch = preference_batch(torch_, seed=step)
        policy.train()
        chosen_logps, rejected_logps = concatenated_forward(policy, batch, average_log_prob)
        with torch_.no_grad():
            reference_chosen_logps, reference_rejected_logps = concatenated_forward(
                reference_model, batch, average_log_prob)
        losses, chosen_rewards, rejected_rewards = preference_loss(
            chosen_logps, rejected_logps, reference_chosen_logps, reference_rejected_logps,
            **loss_config)
        reward_accuracies = (chosen_rewards > rejected_rewards).float()
        loss = losses.mean()
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(policy.parameters(), 0.5)
        records += [loss.item(), grad_norm.item(), chosen_rewards.numpy().copy(),
                    rejected_rewards.numpy().copy(), reward_accuracies.numpy().copy()]
        records += [p.grad.numpy().copy() for p in policy.parameters()]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
    return records + [p.detach().numpy() for p in policy.parameters()]


LOSS_CONFIGS = [dict(beta=0.1), dict(beta=0.5, label_smoothing=0.2),
                dict(beta=0.1, ipo=True), dict(beta=0.1, reference_free=True)]


@pytest.mark.parametrize("loss_config", LOSS_CONFIGS, ids=str)
def test_dpo_trains_as_torch(torch, loss_config: dict) -> None:
    ours, theirs = both_layers(torch, tiny_lm_program, TinyConfig())
    assert_records(dpo_records(None, ours, loss_config),
                   dpo_records(torch, theirs, loss_config))


def test_dpo_with_average_log_probs_as_torch(torch) -> None:
    ours, theirs = both_layers(torch, tiny_lm_program, TinyConfig())
    assert_records(dpo_records(None, ours, dict(beta=0.1), average_log_prob=True),
                   dpo_records(torch, theirs, dict(beta=0.1), average_log_prob=True))


# ------------------------------------------------------------------ the reward model
def sequence_scores(torch, model, input_ids, attention_mask):
    """GPT2ForSequenceClassification's pooling: the score at the last non-pad token."""
    logits = model(input_ids, attention_mask=attention_mask)
    batch_size = input_ids.shape[0]
    non_pad_mask = (input_ids != model.config.pad_token_id).to(torch.int32)
    token_indices = torch.arange(input_ids.shape[-1], dtype=torch.int32)
    last_non_pad_token = (token_indices * non_pad_mask).argmax(-1)
    return logits[torch.arange(batch_size), last_non_pad_token]


def reward_batch(torch, seed: int) -> dict:
    """Right-padded pairs (pad id 0) of lengths 3 to 6, and a margin per pair."""
    rng = np.random.default_rng(seed)
    inputs = {}
    for name in ("chosen", "rejected"):
        ids = rng.integers(1, 12, (4, 6))
        for row, length in enumerate(rng.integers(3, 7, 4)):
            ids[row, length:] = 0
        inputs[f"input_ids_{name}"] = torch.tensor(ids)
        inputs[f"attention_mask_{name}"] = torch.tensor((ids != 0).astype(np.int64))
    inputs["margin"] = torch.tensor(rng.uniform(0, 1, (4, 1)))
    return inputs


def reward_records(torch, model, use_margin: bool, center: float | None, steps=3) -> list:
    torch_, nn, _, optim = libraries(torch)
    optimizer = optim.AdamW(model.parameters(), lr=1e-2)
    records = []
    for step in range(steps):
        inputs = reward_batch(torch_, step)
        rewards_chosen = sequence_scores(torch_, model, inputs["input_ids_chosen"],
                                         inputs["attention_mask_chosen"])
        rewards_rejected = sequence_scores(torch_, model, inputs["input_ids_rejected"],
                                           inputs["attention_mask_rejected"])
        if use_margin:
            loss = -nn.functional.logsigmoid(rewards_chosen - rewards_rejected
                                             - inputs["margin"]).mean()
        else:
            loss = -nn.functional.logsigmoid(rewards_chosen - rewards_rejected).mean()
        if center is not None:
            loss += center * torch_.mean((rewards_chosen + rewards_rejected) ** 2)
        accuracy = (rewards_chosen > rewards_rejected).float().mean()
        optimizer.zero_grad()
        loss.backward()
        records += [loss.item(), accuracy.item(), rewards_chosen.detach().numpy().copy()]
        records += [p.grad.numpy().copy() for p in model.parameters()]
        optimizer.step()
    return records + [p.detach().numpy() for p in model.parameters()]


@pytest.mark.parametrize("use_margin, center", [(False, None), (True, 0.01)])
def test_bradley_terry_reward_model_trains_as_torch(torch, use_margin, center) -> None:
    ours, theirs = both_layers(torch, tiny_lm_program, TinyConfig(), True)
    # atol 1e-11: a gradient entry of 7e-3 summed from terms that cancel drifts 3e-12
    assert_records(reward_records(None, ours, use_margin, center),
                   reward_records(torch, theirs, use_margin, center), atol=1e-11)
