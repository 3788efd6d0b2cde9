"""Hugging Face ``generate`` as its readers write it, once for a library ``torch`` (with
its ``nn`` and ``F``): a tiny GPT-2-like causal LM that takes ``attention_mask`` and
``position_ids`` (left padding), the logits processors of ``generation/logits_process.py``
(repetition penalty, min length, temperature, top-k, top-p), the sampling/greedy loop of
``_sample`` with its ``unfinished_sequences`` bookkeeping, and ``_beam_search`` with a
``BeamHypotheses`` scorer (length penalty, early stopping). Used by
``test_pytorch_ports_hf_generate.py``.

Written differently here: ``_init_weights``'s ``weight.data.normal_(...)`` is an update
under ``no_grad()`` (``.data`` is a NumPy array here), and ``torch.multinomial`` draws
from one NumPy generator in both runs (``SharedMultinomial``: the libraries' generators
differ).
"""

import math
import types

import numpy as np


class SharedMultinomial:
    """A library namespace whose ``multinomial(probs, num_samples=1)`` picks each row's
    token by inverse CDF from one NumPy generator: the same draws in both runs."""

    def __init__(self, library, seed: int = 0) -> None:
        self.library = library
        self.rng = np.random.default_rng(seed)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def multinomial(self, probs, num_samples: int = 1):
        p = probs.detach().numpy().astype(np.float64)
        p = p / p.sum(-1, keepdims=True)
        u = self.rng.random((p.shape[0], num_samples))
        picks = [np.searchsorted(np.cumsum(row), row_u) for row, row_u in zip(p, u)]
        return self.library.tensor(np.minimum(np.array(picks), p.shape[-1] - 1))


def generation_program(torch, nn, F) -> types.SimpleNamespace:
    """The model, the logits processors and the two decoding loops for library ``torch``."""

    class TinyGPT(nn.Module):
        def __init__(self, vocab_size=12, n_embd=16, n_head=2, n_positions=16):
            super().__init__()
            self.n_head = n_head
            self.wte = nn.Embedding(vocab_size, n_embd)
            self.wpe = nn.Embedding(n_positions, n_embd)
            self.ln_1 = nn.LayerNorm(n_embd)
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)
            self.c_proj = nn.Linear(n_embd, n_embd)
            self.ln_2 = nn.LayerNorm(n_embd)
            self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(approximate="tanh"),
                                     nn.Linear(4 * n_embd, n_embd))
            self.ln_f = nn.LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
            self.lm_head.weight = self.wte.weight  # tied, as GPT-2
            self.apply(self._init_weights)

        def _init_weights(self, module):
            # GPT2PreTrainedModel writes module.weight.data.normal_(mean=0.0, std=0.02);
            # ``.data`` is a NumPy array here (by design), so the update runs under no_grad
            with torch.no_grad():
                if isinstance(module, (nn.Linear, nn.Embedding)):
                    module.weight.normal_(mean=0.0, std=0.02)
                if isinstance(module, nn.Linear) and module.bias is not None:
                    module.bias.zero_()

        def forward(self, input_ids, attention_mask=None, position_ids=None):
            B, T = input_ids.shape
            if position_ids is None:
                position_ids = torch.arange(T, dtype=torch.long).unsqueeze(0)
            x = self.wte(input_ids) + self.wpe(position_ids)
            h = self.ln_1(x)
            q, k, v = self.c_attn(h).split(h.size(-1), dim=2)
            q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
            causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
            mask = causal[None, None, :, :]
            if attention_mask is not None:
                mask = mask & attention_mask[:, None, None, :].bool()
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
            att = att.masked_fill(~mask, torch.finfo(att.dtype).min)
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, -1)
            x = x + self.c_proj(y)
            x = x + self.mlp(self.ln_2(x))
            return self.lm_head(self.ln_f(x))

    # ------------------------------------------------ generation/logits_process.py
    class RepetitionPenaltyLogitsProcessor:
        def __init__(self, penalty: float):
            self.penalty = penalty

        def __call__(self, input_ids, scores):
            score = torch.gather(scores, 1, input_ids)
            # if score < 0 then repetition penalty has to be multiplied to reduce the token
            # probabilities
            score = torch.where(score < 0, score * self.penalty, score / self.penalty)
            return scores.scatter(1, input_ids, score)

    class MinLengthLogitsProcessor:
        def __init__(self, min_length: int, eos_token_id: int):
            self.min_length = min_length
            self.eos_token_id = torch.tensor([eos_token_id])

        def __call__(self, input_ids, scores):
            vocab_tensor = torch.arange(scores.shape[-1])
            eos_token_mask = torch.isin(vocab_tensor, self.eos_token_id)
            scores_processed = scores.clone()
            if input_ids.shape[-1] < self.min_length:
                scores_processed = torch.where(eos_token_mask, -math.inf, scores)
            return scores_processed

    class TemperatureLogitsWarper:
        def __init__(self, temperature: float):
            self.temperature = temperature

        def __call__(self, input_ids, scores):
            return scores / self.temperature

    class TopKLogitsWarper:
        def __init__(self, top_k: int, filter_value=-float("Inf"), min_tokens_to_keep=1):
            self.top_k = max(top_k, min_tokens_to_keep)
            self.filter_value = filter_value

        def __call__(self, input_ids, scores):
            top_k = min(self.top_k, scores.size(-1))  # Safety check
            # Remove all tokens with a probability less than the last token of the top-k
            indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]
            return scores.masked_fill(indices_to_remove, self.filter_value)

    class TopPLogitsWarper:
        def __init__(self, top_p: float, filter_value=-float("Inf"), min_tokens_to_keep=1):
            self.top_p = top_p
            self.filter_value = filter_value
            self.min_tokens_to_keep = min_tokens_to_keep

        def __call__(self, input_ids, scores):
            sorted_logits, sorted_indices = torch.sort(scores, descending=False)
            cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
            # Remove tokens with cumulative top_p above the threshold (token with 0 are kept)
            sorted_indices_to_remove = cumulative_probs <= (1 - self.top_p)
            # Keep at least min_tokens_to_keep
            sorted_indices_to_remove[..., -self.min_tokens_to_keep:] = 0
            # scatter sorted tensors to original indexing
            indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices,
                                                                 sorted_indices_to_remove)
            return scores.masked_fill(indices_to_remove, self.filter_value)

    def top_k_top_p_filtering(logits, top_k=0, top_p=1.0, filter_value=-float("Inf"),
                              min_tokens_to_keep=1):
        """The older function (run_generation.py), writing into ``logits`` in place."""
        if top_k > 0:
            top_k = min(max(top_k, min_tokens_to_keep), logits.size(-1))
            indices_to_remove = logits < torch.topk(logits, top_k)[0][..., -1, None]
            logits[indices_to_remove] = filter_value
        if top_p < 1.0:
            sorted_logits, sorted_indices = torch.sort(logits, descending=True)
            cumulative_probs = torch.cumsum(F.softmax(sorted_logits, dim=-1), dim=-1)
            sorted_indices_to_remove = cumulative_probs > top_p
            if min_tokens_to_keep > 1:
                sorted_indices_to_remove[..., :min_tokens_to_keep] = 0
            sorted_indices_to_remove[..., 1:] = sorted_indices_to_remove[..., :-1].clone()
            sorted_indices_to_remove[..., 0] = 0
            indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices,
                                                                 sorted_indices_to_remove)
            logits[indices_to_remove] = filter_value
        return logits

    def logits_processor(processors):
        def apply(input_ids, scores):
            for processor in processors:
                scores = processor(input_ids, scores)
            return scores
        return apply

    def prepare_position_ids(attention_mask):
        position_ids = attention_mask.long().cumsum(-1) - 1
        position_ids.masked_fill_(attention_mask == 0, 1)
        return position_ids

    # ------------------------------------------------ generation/utils.py: _sample
    @torch.no_grad()
    def sample(model, input_ids, attention_mask, processors, max_length, pad_token_id,
               eos_token_id, do_sample=True):
        batch_size = input_ids.shape[0]
        unfinished_sequences = torch.ones(batch_size, dtype=torch.long)
        scores = ()
        while input_ids.shape[-1] < max_length:
            position_ids = prepare_position_ids(attention_mask)
            logits = model(input_ids, attention_mask=attention_mask, position_ids=position_ids)
            next_token_logits = logits[:, -1, :].clone().float()
            next_token_scores = logits_processor(processors)(input_ids, next_token_logits)
            scores += (next_token_scores,)
            if do_sample:
                probs = F.softmax(next_token_scores, dim=-1)
                next_tokens = torch.multinomial(probs, num_samples=1).squeeze(1)
            else:
                next_tokens = torch.argmax(next_token_scores, dim=-1)
            # finished sentences should have their next token be a padding token
            next_tokens = next_tokens * unfinished_sequences + pad_token_id * (
                1 - unfinished_sequences)
            input_ids = torch.cat([input_ids, next_tokens[:, None]], dim=-1)
            attention_mask = torch.cat(
                [attention_mask, attention_mask.new_ones((attention_mask.shape[0], 1))], dim=-1)
            unfinished_sequences = unfinished_sequences & ~(next_tokens == eos_token_id)
            if unfinished_sequences.max() == 0:
                break
        return input_ids, torch.stack(scores, dim=1)

    # ------------------------------------------------ beam search
    class BeamHypotheses:
        def __init__(self, num_beams, length_penalty, early_stopping):
            self.length_penalty = length_penalty
            self.early_stopping = early_stopping
            self.num_beams = num_beams
            self.beams = []
            self.worst_score = 1e9

        def __len__(self):
            return len(self.beams)

        def add(self, hyp, sum_logprobs):
            score = sum_logprobs / (hyp.shape[-1] ** self.length_penalty)
            if len(self) < self.num_beams or score > self.worst_score:
                self.beams.append((score, hyp))
                if len(self) > self.num_beams:
                    sorted_next_scores = sorted([(s, idx) for idx, (s, _) in
                                                 enumerate(self.beams)])
                    del self.beams[sorted_next_scores[0][1]]
                    self.worst_score = sorted_next_scores[1][0]
                else:
                    self.worst_score = min(score, self.worst_score)

        def is_done(self, best_sum_logprobs, cur_len):
            if len(self) < self.num_beams:
                return False
            if self.early_stopping:
                return True
            cur_score = best_sum_logprobs / cur_len ** self.length_penalty
            return self.worst_score >= cur_score

    @torch.no_grad()
    def beam_search(model, input_ids, num_beams, max_length, eos_token_id, pad_token_id,
                    length_penalty=1.0, early_stopping=False):
        batch_size = input_ids.shape[0]
        input_ids = input_ids.repeat_interleave(num_beams, dim=0)
        hyps = [BeamHypotheses(num_beams, length_penalty, early_stopping)
                for _ in range(batch_size)]
        done = [False] * batch_size
        beam_scores = torch.zeros((batch_size, num_beams), dtype=torch.float)
        beam_scores[:, 1:] = -1e9
        beam_scores = beam_scores.view((batch_size * num_beams,))
        while input_ids.shape[-1] < max_length:
            logits = model(input_ids)
            next_token_logits = logits[:, -1, :]
            next_token_scores = F.log_softmax(next_token_logits, dim=-1)
            next_token_scores = next_token_scores + beam_scores[:, None].expand_as(
                next_token_scores)
            vocab_size = next_token_scores.shape[-1]
            next_token_scores = next_token_scores.view(batch_size, num_beams * vocab_size)
            next_token_scores, next_tokens = torch.topk(next_token_scores, 2 * num_beams,
                                                        dim=1, largest=True, sorted=True)
            next_indices = torch.div(next_tokens, vocab_size, rounding_mode="floor")
            next_tokens = next_tokens % vocab_size
            next_beam_scores = torch.zeros((batch_size, num_beams), dtype=next_token_scores.dtype)
            next_beam_tokens = torch.zeros((batch_size, num_beams), dtype=next_tokens.dtype)
            next_beam_indices = torch.zeros((batch_size, num_beams), dtype=next_indices.dtype)
            for batch_idx in range(batch_size):
                if done[batch_idx]:
                    next_beam_tokens[batch_idx, :] = pad_token_id
                    next_beam_indices[batch_idx, :] = 0
                    continue
                beam_idx = 0
                for beam_token_rank, (next_token, next_score, next_index) in enumerate(
                        zip(next_tokens[batch_idx], next_token_scores[batch_idx],
                            next_indices[batch_idx])):
                    batch_beam_idx = batch_idx * num_beams + next_index
                    if next_token.item() == eos_token_id:
                        if beam_token_rank >= num_beams:
                            continue
                        hyps[batch_idx].add(input_ids[batch_beam_idx].clone(), next_score.item())
                    else:
                        next_beam_scores[batch_idx, beam_idx] = next_score
                        next_beam_tokens[batch_idx, beam_idx] = next_token
                        next_beam_indices[batch_idx, beam_idx] = batch_beam_idx
                        beam_idx += 1
                    if beam_idx == num_beams:
                        break
                done[batch_idx] = done[batch_idx] or hyps[batch_idx].is_done(
                    next_token_scores[batch_idx].max().item(), input_ids.shape[-1])
            beam_scores = next_beam_scores.view(-1)
            beam_next_tokens = next_beam_tokens.view(-1)
            beam_idx = next_beam_indices.view(-1)
            input_ids = torch.cat([input_ids[beam_idx, :], beam_next_tokens.unsqueeze(-1)],
                                  dim=-1)
            if all(done):
                break
        best = []
        for batch_idx, beam_hyp in enumerate(hyps):
            if not done[batch_idx]:  # finalize: the open beams join the hypotheses
                for beam_id in range(num_beams):
                    batch_beam_idx = batch_idx * num_beams + beam_id
                    beam_hyp.add(input_ids[batch_beam_idx], beam_scores[batch_beam_idx].item())
            score, hyp = sorted(beam_hyp.beams, key=lambda x: x[0])[-1]
            best.append((score, hyp))
        sent_max_len = max(hyp.shape[-1] for _, hyp in best)
        decoded = torch.full((batch_size, sent_max_len), pad_token_id, dtype=torch.long)
        for i, (_, hyp) in enumerate(best):
            decoded[i, :hyp.shape[-1]] = hyp
        return decoded, torch.tensor([score for score, _ in best])

    return types.SimpleNamespace(**{name: value for name, value in locals().items()
                                    if name not in ("torch", "nn", "F")})
