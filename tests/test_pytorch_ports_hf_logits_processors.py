"""The rest of Hugging Face's ``generation/logits_process.py``, ported as readers write
them, and gpt-fast's sampling: typical, epsilon, eta and min-p warpers, no-repeat n-gram,
suppress tokens (with ``isin_mps_friendly``'s spelling too), exponential decay length
penalty, inf/nan removal, logit normalization, and gpt-fast's ``logits_to_probs`` with its
``multinomial_sample_one_no_sync`` (the exponential race, argmax of ``probs / q``). Each
runs on the same scores (some -inf) in both libraries: results agree to 1e-10 and masks
exactly. The processors ``generate`` chains are in ``test_pytorch_ports_hf_generate.py``.

Written differently here: gpt-fast's ``torch.empty_like(probs).exponential_(1)`` draws from
one NumPy generator in both runs (the two libraries' generators differ).
"""

import math

import numpy as np
import pytest

import autograd as ag
import nn.functional as nn_F


def processors_program(torch, F):
    """The processors for library ``torch`` (its ``nn.functional`` as ``F``)."""

    def isin_mps_friendly(elements, test_elements):
        if elements.device.type == "mps":  # the spelling without torch.isin
            return elements.tile(test_elements.shape[0], 1).eq(
                test_elements.unsqueeze(1)).sum(dim=0).bool().squeeze()
        return torch.isin(elements, test_elements)

    def isin_tiled(elements, test_elements):
        return elements.tile(test_elements.shape[0], 1).eq(
            test_elements.unsqueeze(1)).sum(dim=0).bool().squeeze()

    def typical(scores, mass=0.9, filter_value=-float("Inf"), min_tokens_to_keep=1):
        # calculate entropy
        normalized = F.log_softmax(scores, dim=-1)
        p = torch.exp(normalized)
        ent = -(normalized * p).nansum(-1, keepdim=True)
        # shift and sort
        shifted_scores = torch.abs((-normalized) - ent)
        sorted_scores, sorted_indices = torch.sort(shifted_scores, descending=False)
        sorted_logits = scores.gather(-1, sorted_indices)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        # Remove tokens with cumulative mass above the threshold
        last_ind = (cumulative_probs < mass).sum(dim=1)
        last_ind.clamp_(max=sorted_scores.shape[-1] - 1)
        sorted_indices_to_remove = sorted_scores > sorted_scores.gather(1, last_ind.view(-1, 1))
        sorted_indices_to_remove[..., :min_tokens_to_keep] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices,
                                                             sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, filter_value)

    def epsilon(scores, epsilon=0.05, filter_value=-float("Inf"), min_tokens_to_keep=1):
        probabilities = scores.softmax(dim=-1)
        indices_to_remove = probabilities < epsilon
        # Keep the words with the 'min_tokens_to_keep'-highest probabilities
        top_k = min(min_tokens_to_keep, scores.size(-1))  # Safety check
        indices_to_remove = indices_to_remove & (
            scores < torch.topk(scores, top_k)[0][..., -1, None])
        return scores.masked_fill(indices_to_remove, filter_value)

    def eta(scores, epsilon=0.1, filter_value=-float("Inf"), min_tokens_to_keep=1):
        epsilon = torch.tensor(epsilon)
        probabilities = scores.softmax(dim=-1)
        entropy = torch.distributions.Categorical(logits=scores).entropy()
        eta = torch.min(epsilon, torch.sqrt(epsilon) * torch.exp(-entropy))[..., None]
        indices_to_remove = probabilities < eta
        top_k = min(min_tokens_to_keep, scores.size(-1))  # Safety check
        indices_to_remove = indices_to_remove & (
            scores < torch.topk(scores, top_k)[0][..., -1, None])
        return scores.masked_fill(indices_to_remove, filter_value)

    def min_p(scores, min_p=0.2, filter_value=-float("Inf"), min_tokens_to_keep=1):
        # Convert logits to probabilities
        probs = torch.softmax(scores, dim=-1)
        # Get the probability of the top token for each sequence in the batch
        top_probs = probs.amax(dim=-1, keepdim=True)
        # Calculate the actual min_p threshold by scaling min_p with the top token's probability
        scaled_min_p = min_p * top_probs
        # Create a mask for tokens that have a probability less than the scaled min_p
        tokens_to_remove = probs < scaled_min_p
        sorted_indices = torch.argsort(scores, descending=True, dim=-1)
        sorted_indices_to_remove = torch.gather(tokens_to_remove, dim=-1, index=sorted_indices)
        # Keep at least min_tokens_to_keep
        sorted_indices_to_remove[..., :min_tokens_to_keep] = False
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices,
                                                             sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, filter_value)

    def _get_ngrams(ngram_size, prev_input_ids, num_hypos):
        generated_ngrams = [{} for _ in range(num_hypos)]
        for idx in range(num_hypos):
            gen_tokens = prev_input_ids[idx].tolist()
            generated_ngram = generated_ngrams[idx]
            for ngram in zip(*[gen_tokens[i:] for i in range(ngram_size)]):
                prev_ngram_tuple = tuple(ngram[:-1])
                generated_ngram[prev_ngram_tuple] = generated_ngram.get(
                    prev_ngram_tuple, []) + [ngram[-1]]
        return generated_ngrams

    def no_repeat_ngram(input_ids, scores, ngram_size=2):
        num_batch_hypotheses = scores.shape[0]
        cur_len = input_ids.shape[-1]
        scores_processed = scores.clone()
        generated_ngrams = _get_ngrams(ngram_size, input_ids, num_batch_hypotheses)
        for i in range(num_batch_hypotheses):
            start_idx = cur_len + 1 - ngram_size
            ngram_idx = tuple(input_ids[i, start_idx:cur_len].tolist())
            banned_tokens = generated_ngrams[i].get(ngram_idx, [])
            scores_processed[i, banned_tokens] = -float("inf")
        return scores_processed

    def suppress_tokens(scores, suppress, isin=isin_mps_friendly):
        vocab_tensor = torch.arange(scores.shape[-1], device=scores.device)
        suppress_token_mask = isin(vocab_tensor, torch.tensor(suppress))
        return torch.where(suppress_token_mask, -float("inf"), scores)

    def exponential_decay_length_penalty(scores, cur_len, eos_token_id=3, regulation_start=2,
                                         regulation_factor=1.5):
        penalty_idx = cur_len - regulation_start
        scores_processed = scores.clone()
        if penalty_idx > 0:
            penalty_idx = cur_len - regulation_start
            penalties = torch.zeros_like(scores)
            penalty = torch.abs(scores[:, eos_token_id]) * (
                pow(regulation_factor, penalty_idx) - 1)
            penalties[:, eos_token_id] = penalty
            scores_processed = scores_processed + penalties
        return scores_processed

    def inf_nan_remove(scores):
        # set all nan values to 0.0
        scores[scores != scores] = 0.0
        # set all +/-inf values to max/min possible value
        scores[scores == float("inf")] = torch.finfo(scores.dtype).max
        scores[scores == float("-inf")] = torch.finfo(scores.dtype).min
        return scores

    def logit_normalization(scores):
        return scores.log_softmax(dim=-1)

    def logits_to_probs(logits, temperature=1.0, top_k=None):  # gpt-fast
        logits = logits / max(temperature, 1e-5)
        if top_k is not None:
            v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
            pivot = v.select(-1, -1).unsqueeze(-1)
            logits = torch.where(logits < pivot, -float("Inf"), logits)
        probs = F.softmax(logits, dim=-1)  # torch.nn.functional is the package nn.functional
        return probs

    def multinomial_sample_one_no_sync(probs_sort, q):  # q: the shared exponential draws
        return torch.argmax(probs_sort / q, dim=-1, keepdim=True).to(dtype=torch.int)

    return locals()


def outputs(torch, F) -> list:
    """Every processor's result on the same scores, for library ``torch``."""
    p = processors_program(torch, F)
    rng = np.random.default_rng(0)
    raw = rng.standard_normal((3, 10)) * 2
    raw[0, 4] = -math.inf  # a token an earlier processor removed
    scores = torch.tensor(raw)
    input_ids = torch.tensor([[1, 2, 1, 2, 5], [3, 3, 3, 4, 3], [0, 9, 8, 9, 8]])
    weird = scores.clone()
    weird[1, 2], weird[2, 7] = float("nan"), float("inf")
    q = torch.tensor(rng.exponential(1.0, (3, 10)))
    probs = p["logits_to_probs"](scores, temperature=0.8, top_k=4)
    return [p["typical"](scores), p["typical"](scores, mass=0.5, min_tokens_to_keep=2),
            p["epsilon"](scores), p["epsilon"](scores, epsilon=0.3, min_tokens_to_keep=2),
            p["eta"](scores), p["min_p"](scores), p["min_p"](scores, 0.6, min_tokens_to_keep=3),
            p["no_repeat_ngram"](input_ids, scores),
            p["no_repeat_ngram"](input_ids, scores, ngram_size=3),
            p["suppress_tokens"](scores, [0, 7]),
            p["suppress_tokens"](scores, [0, 7], isin=p["isin_tiled"]),
            p["exponential_decay_length_penalty"](scores, cur_len=5),
            p["inf_nan_remove"](weird), p["logit_normalization"](scores),
            probs, p["multinomial_sample_one_no_sync"](probs, q)]


# typical's ``normalized * p`` meets -inf * 0 (a removed token): NaN in both libraries, which
# nansum skips; NumPy warns where PyTorch is silent (a quiet Mul would need np.errstate on
# every product, about 45% of a small Mul's time)
@pytest.mark.filterwarnings("ignore:invalid value encountered in multiply:RuntimeWarning")
def test_processors_match_pytorch(torch):
    got = outputs(ag, nn_F)
    want = outputs(torch, torch.nn.functional)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = a.detach().numpy(), b.detach().numpy()
        assert a.shape == b.shape and a.dtype == b.dtype, (i, a.dtype, b.dtype)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"output {i}")
