"""Speculative sampling (Leviathan et al.; Chen et al.'s Algorithm 2) as
``feifeibear/LLMSpeculativeSampling`` writes it (``sampling/speculative_sampling.py``'s
``speculative_sampling_v2`` and ``sampling/utils.py``), with a small draft model and a
larger target (``tiny_lm_program``), next to PyTorch (float64, the same weights):
- ``norm_logits`` with ``top_k_top_p_filter`` (``torch.topk``, ``logits[logits <
  filter[:, [-1]]] = -inf``, ``torch.sort(descending=True)``, ``cumsum``, the shift
  ``filter[..., 1:] = filter[..., :-1].clone()``, ``filter.scatter(1, sorted_indices,
  filter)``), rows of the logits normalised in place (``q[:, i, :] = norm_logits(...)``);
- acceptance by ``r < torch.min(torch.tensor([1]), p[:, n, j] / q[:, n, j])`` (an int64
  one against a float ratio) and resampling from ``max_fn(p - q)``;
- the ``autoregressive_sampling`` baseline, and ``speculative_sampling`` with its
  ``KVCacheModel`` (caches grown by ``torch.cat``, cut back by ``rollback``'s slicing,
  probabilities written row by row into ``_prob_history``).
The same draws give the same tokens in both libraries; with ``top_k=1`` the speculative
output is the target's greedy output; and the acceptance rule reproduces the target's
distribution exactly: ``q min(1, p/q) + (1 - sum(q min(1, p/q))) max_fn(p - q) = p``.

Written differently here: ``torch.multinomial`` and ``torch.rand`` draw from one NumPy
generator in both runs (``SharedDraws``: the libraries' generators differ); ``sample``'s
``if idx_next.item() == 0: raise RuntimeError`` (a guard for a tokenizer's pad id) is left
out, and the progress bar (``tqdm``) too.
"""

import numpy as np
import pytest

import autograd as ag
from hf_generation_program import SharedMultinomial
from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_gpt_lecture import libraries
from tiny_lm_program import TinyConfig, tiny_lm_program


class SharedDraws(SharedMultinomial):
    """``SharedMultinomial`` with ``rand(*size)`` from the same NumPy generator."""

    def rand(self, *size, device=None):
        return self.library.tensor(self.rng.random(size))


def speculative_program(torch, F):
    def top_k_top_p_filter(logits, top_k: int = 0, top_p: float = 0.0):
        if top_k > 0:
            filter = torch.topk(logits, min(top_k, logits.size(-1)))[0]
            logits[logits < filter[:, [-1]]] = float('-inf')
        if top_p > 0.0:
            sorted_logits, sorted_indices = torch.sort(logits, descending=True)
            cumulative_probs = torch.cumsum(F.softmax(sorted_logits, dim=-1), dim=-1)
            filter = cumulative_probs > top_p
            filter[..., 1:] = filter[..., :-1].clone()
            filter[..., 0] = 0
            indices_to_remove = filter.scatter(1, sorted_indices, filter)
            logits[indices_to_remove] = float('-inf')
        return logits

    def norm_logits(logits, temperature: float, top_k: float, top_p: float):
        assert logits.dim() == 2
        logits = logits / temperature
        logits = top_k_top_p_filter(logits, top_k=top_k, top_p=top_p)
        return F.softmax(logits, dim=1)

    def sample(probs, num_samples: int = 1):
        return torch.multinomial(probs, num_samples=num_samples)

    def max_fn(x):
        """norm(max (x, 0))"""
        x_max = torch.where(x > 0, x, torch.zeros_like(x))
        x_max_sum = torch.sum(x_max, dim=1, keepdim=True)
        return x_max / x_max_sum

    @torch.no_grad()
    def autoregressive_sampling(x, model, N, temperature=1, top_k=0, top_p=0):
        n = len(x)
        T = len(x) + N
        while n < T:
            outputs = model(x)
            last_p = norm_logits(outputs[::, -1, :], temperature, top_k, top_p)
            idx_next = sample(last_p)
            x = torch.cat((x, idx_next), dim=1)
            n += 1
        return x

    @torch.no_grad()
    def speculative_sampling_v2(prefix, approx_model, target_model, max_len, gamma=4,
                                temperature=1, top_k=0, top_p=0, stats=None):
        seq_len = prefix.shape[1]
        T = seq_len + max_len
        assert prefix.shape[0] == 1, "input batch size must be 1"
        while prefix.shape[1] < T:
            # q = M_q[prefix + x_0, x_1, .., x_(gamma-2)]
            x = prefix
            prefix_len = prefix.shape[1]
            for _ in range(gamma):
                # p.logits shape (batch, seq, vocab)
                q = approx_model(x)
                next_tok = sample(norm_logits(q[:, -1, :], temperature, top_k, top_p))
                x = torch.cat((x, next_tok), dim=1)
            # normalize the logits
            for i in range(q.shape[1]):
                q[:, i, :] = norm_logits(q[:, i, :], temperature, top_k, top_p)
            # p  = M_p[prefix + x_0, x_0, .., x_(gamma-1)]
            p = target_model(x)
            for i in range(p.shape[1]):
                p[:, i, :] = norm_logits(p[:, i, :], temperature, top_k, top_p)
            # n the end position of the valid prefix
            # x = x_[:prefix_len-1] + x_0, ... x_(gamma-1)
            is_all_accept = True
            n = prefix_len - 1
            for i in range(gamma):
                r = torch.rand(1)
                j = x[:, prefix_len + i]
                if r < torch.min(torch.tensor([1]),
                                 p[:, prefix_len + i - 1, j] / q[:, prefix_len + i - 1, j]):
                    # accept, and update n
                    n += 1
                else:
                    # reject
                    t = sample(max_fn(p[:, n, :] - q[:, n, :]))
                    is_all_accept = False
                    break
            prefix = x[:, :n + 1]
            if is_all_accept:
                t = sample(p[:, -1, :])
            if stats is not None:
                stats.append(n + 1 - prefix_len)  # the draft tokens accepted this round
            prefix = torch.cat((prefix, t), dim=1)
        return prefix

    class KVCacheModel():
        def __init__(self, model, temperature=1, top_k=0, top_p=0):
            self._model = model
            self._past_key_values = None
            self._prob_history = None
            self._temperature = temperature
            self._top_k = top_k
            self._top_p = top_p

        def _forward_with_kvcache(self, input_ids):
            if self._past_key_values is None:
                outputs = self._model(input_ids, use_cache=True)
                self._prob_history = outputs.logits
                for i in range(self._prob_history.shape[-2]):
                    self._prob_history[:, i, :] = norm_logits(
                        self._prob_history[:, i, :], self._temperature, self._top_k,
                        self._top_p)
                self._past_key_values = outputs.past_key_values
                last_q = self._prob_history[:, -1, :]
            else:
                # return the last token's logits
                cached_len = self._past_key_values[0][0].shape[2]
                last_input_id = input_ids[:, cached_len:]
                if last_input_id.dim() == 1:
                    last_input_id = torch.unsqueeze(last_input_id, 0)
                outputs = self._model(last_input_id, past_key_values=self._past_key_values,
                                      use_cache=True)
                not_cached_q = outputs.logits
                if not_cached_q.dim() == 2:
                    not_cached_q = torch.unsqueeze(not_cached_q, 0)
                for i in range(not_cached_q.shape[-2]):
                    not_cached_q[:, i, :] = norm_logits(
                        not_cached_q[:, i, :], self._temperature, self._top_k, self._top_p)
                self._prob_history = torch.cat([self._prob_history, not_cached_q], dim=1)
                last_q = not_cached_q[:, -1, :]
                self._past_key_values = outputs.past_key_values
            return last_q

        def _generate_with_kvcache(self, prefix, gamma):
            x = prefix
            for _ in range(gamma):
                q = self._forward_with_kvcache(x)
                next_tok = sample(q)
                x = torch.cat((x, next_tok), dim=1)
            return x

        @torch.no_grad()
        def generate(self, input, gamma):
            return self._generate_with_kvcache(input, gamma)

        @torch.no_grad()
        def rollback(self, end_pos):
            past_key_values_trimmed = []
            assert self._past_key_values
            for kv in self._past_key_values:
                k, v = kv
                k = k[:, :, :end_pos, :]
                v = v[:, :, :end_pos, :]
                kv_trimmed = (k, v)
                past_key_values_trimmed.append(kv_trimmed)
            self._past_key_values = past_key_values_trimmed
            self._prob_history = self._prob_history[:, :end_pos, :]

    @torch.no_grad()
    def speculative_sampling(prefix, approx_model, target_model, max_len, gamma=4,
                             temperature=1, top_k=0, top_p=0):
        seq_len = prefix.shape[1]
        T = seq_len + max_len
        assert prefix.shape[0] == 1, "input batch size must be 1"
        approx_model_cache = KVCacheModel(approx_model, temperature, top_k, top_p)
        target_model_cache = KVCacheModel(target_model, temperature, top_k, top_p)
        while prefix.shape[1] < T:
            prefix_len = prefix.shape[1]
            x = approx_model_cache.generate(prefix, gamma)
            _ = target_model_cache.generate(x, 1)
            n = prefix_len + gamma - 1
            for i in range(gamma):
                r = torch.rand(1)
                j = x[:, prefix_len + i]
                if r > (target_model_cache._prob_history[:, prefix_len + i - 1, j]) / (
                        approx_model_cache._prob_history[:, prefix_len + i - 1, j]):
                    # reject
                    n = prefix_len + i - 1
                    break
            assert n >= prefix_len - 1, f"n {n}, prefix_len {prefix_len}"
            prefix = x[:, :n + 1]
            approx_model_cache.rollback(n + 1)
            assert approx_model_cache._prob_history.shape[-2] <= n + 1
            if n < prefix_len + gamma - 1:
                # reject someone, sample from the pos n
                t = sample(max_fn(target_model_cache._prob_history[:, n, :]
                                  - approx_model_cache._prob_history[:, n, :]))
                target_model_cache.rollback(n + 1)
            else:
                # all approx model decoding accepted
                assert n == target_model_cache._prob_history.shape[1] - 1
                t = sample(target_model_cache._prob_history[:, -1, :])
                target_model_cache.rollback(n + 2)
            prefix = torch.cat((prefix, t), dim=1)
        return prefix

    return (norm_logits, max_fn, autoregressive_sampling, speculative_sampling_v2,
            speculative_sampling)


def draft_and_target(torch) -> tuple:
    """A 1-layer draft and a 2-layer target over the same 12 tokens, for each library."""
    draft = both_layers(torch, tiny_lm_program, TinyConfig(n_embd=8))
    target = both_layers(torch, tiny_lm_program, TinyConfig(n_layer=2))
    return (draft[0], target[0]), (draft[1], target[1])


SETTINGS = [dict(), dict(temperature=0.7, top_k=5), dict(top_p=0.9), dict(gamma=2)]


@pytest.mark.parametrize("setting", SETTINGS, ids=str)
def test_speculative_sampling_draws_as_torch(torch, setting: dict) -> None:
    runs = []
    for lib, (draft, target) in zip((None, torch), draft_and_target(torch)):
        shared = SharedDraws(libraries(lib)[0], seed=3)
        *_, speculative, _ = speculative_program(shared, libraries(lib)[2])
        stats = []
        out = speculative(shared.tensor([[1, 5, 7]]), draft, target, max_len=10, stats=stats,
                          **setting)
        runs.append((out.numpy(), stats))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    assert runs[0][0].shape[1] >= 13 and sum(runs[0][1]) > 0  # some drafts were accepted


def test_greedy_speculative_decoding_gives_the_target_greedy_output(torch) -> None:
    for lib, (draft, target) in zip((None, torch), draft_and_target(torch)):
        shared = SharedDraws(libraries(lib)[0], seed=0)
        _, _, autoregressive, speculative, _ = speculative_program(shared,
                                                                   libraries(lib)[2])
        prefix = shared.tensor([[2, 3]])
        fast = speculative(prefix, draft, target, max_len=8, top_k=1)
        slow = autoregressive(prefix, target, N=fast.shape[1] - 2, top_k=1)
        np.testing.assert_array_equal(fast.numpy(), slow.numpy())


def test_acceptance_and_resampling_reproduce_the_target_distribution(torch) -> None:
    rng = np.random.default_rng(5)
    logits_p, logits_q = rng.standard_normal((2, 4, 12))
    mixtures = []
    for lib in (ag, torch):
        norm_logits, max_fn, *_ = speculative_program(lib, libraries(
            None if lib is ag else torch)[2])
        p = norm_logits(lib.tensor(logits_p), 0.8, 0, 0.95)
        q = norm_logits(lib.tensor(logits_q), 0.8, 6, 0)
        accept = q * lib.clamp(p / q, max=1).nan_to_num(0.0)  # q min(1, p/q), 0 where q = 0
        mixture = accept + (1 - accept.sum(1, keepdim=True)) * max_fn(p - q)
        np.testing.assert_allclose(mixture.numpy(), p.numpy(), rtol=1e-12, atol=1e-15)
        mixtures.append(mixture.numpy())
    np.testing.assert_allclose(mixtures[0], mixtures[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("setting", SETTINGS[:3], ids=str)
def test_kv_cache_speculative_sampling_draws_as_torch(torch, setting) -> None:
    """The cached loop (caches grown by torch.cat, cut back by slicing on rejection) gives
    the same tokens in both libraries; with top_k=1 the target's greedy output."""
    runs = []
    for lib, (draft, target) in zip((None, torch), draft_and_target(torch)):
        shared = SharedDraws(libraries(lib)[0], seed=3)
        _, _, autoregressive, _, speculative = speculative_program(shared, libraries(lib)[2])
        prefix = shared.tensor([[1, 5, 7]])
        runs.append(speculative(prefix, draft, target, max_len=10, **setting).numpy())
        greedy = speculative(prefix, draft, target, max_len=8, top_k=1)
        slow = autoregressive(prefix, target, N=greedy.shape[1] - 3, top_k=1)
        np.testing.assert_array_equal(greedy.numpy(), slow.numpy())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert runs[0].shape[1] >= 13
