"""Hugging Face's vectorized beam search (``generation/utils.py`` ``_beam_search`` since
v4.50: no ``BeamSearchScorer``, every beam kept in tensors), ported as its readers write it:
``_flatten_beam_dim`` / ``_unflatten_beam_dim``, ``_gather_beams`` with
``torch.take_along_dim``, ``_get_top_k_continuations``,
``_get_running_beams_for_next_iteration``, ``_update_finished_beams`` (``torch.all(...,
axis=-1, keepdims=True)``, bool masks times -1e9), the early-stop heuristic and the
length penalty, on the tiny GPT of ``hf_generation_program`` with a batch of prompts.
PyTorch runs the same program from the same weights (float64): sequences, scores and
beam indices agree (scores to 1e-10).

Written differently here: the model starts from PyTorch's weights (``load_state_dict``);
``logits.clone().float()`` and the float32 scores stay float64 (``.float()`` is float32
in both libraries, where the summed log-probabilities would round differently).
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from hf_generation_program import generation_program

PAD = 0


def beam_search_program(torch, F):
    def _flatten_beam_dim(tensor):
        shape = list(tensor.shape)
        return torch.reshape(tensor, [shape[0] * shape[1]] + shape[2:])

    def _unflatten_beam_dim(tensor, batch_size, num_beams):
        shape = list(tensor.shape)
        return torch.reshape(tensor, [batch_size, num_beams] + shape[1:])

    def _gather_beams(tensor, beam_indices):
        while len(beam_indices.shape) < len(tensor.shape):
            beam_indices = beam_indices.unsqueeze(-1)
        return torch.take_along_dim(input=tensor, indices=beam_indices, dim=1)

    def _check_early_stop_heuristic(is_early_stop_heuristic_unsatisfied, running_beam_scores,
                                    beam_scores, is_sent_finished, cur_len, max_length,
                                    decoder_prompt_len, early_stopping, length_penalty):
        # Determine best possible score for running beams
        if early_stopping == "never" and length_penalty > 0.0:
            best_hypothetical_length = max_length - decoder_prompt_len
        else:
            best_hypothetical_length = cur_len - decoder_prompt_len
        best_possible_running_score = running_beam_scores[:, :1] / (
            best_hypothetical_length ** length_penalty)
        worst_finished_score = torch.where(is_sent_finished,
                                           torch.min(beam_scores, dim=1, keepdim=True)[0],
                                           -1.0e9)
        return is_early_stop_heuristic_unsatisfied & torch.any(
            best_possible_running_score > worst_finished_score, dim=-1, keepdim=True)

    def _get_top_k_continuations(accumulated_log_probs, running_sequences,
                                 running_beam_indices, cur_len, decoder_prompt_len,
                                 beams_to_keep, num_beams, vocab_size, batch_size):
        topk_log_probs, topk_indices = torch.topk(accumulated_log_probs, k=beams_to_keep)
        # Gather the top K scores from _all_ beams.
        topk_current_beam_indices = topk_indices // vocab_size
        topk_running_beam_indices = _gather_beams(running_beam_indices,
                                                  topk_current_beam_indices)
        topk_running_sequences = _gather_beams(running_sequences, topk_current_beam_indices)
        topk_ids = topk_indices % vocab_size
        # Update sequences for the top-k new tokens.
        topk_running_sequences[:, :, cur_len] = topk_ids
        # we want to store the beam indices with batch information -> real beam index = beam
        # index % num beams
        batch_offset = torch.arange(batch_size).view(-1, 1) * num_beams
        batch_modified_indices = topk_current_beam_indices + batch_offset
        topk_running_beam_indices[:, :, cur_len - decoder_prompt_len] = batch_modified_indices
        return topk_log_probs, topk_running_sequences, topk_running_beam_indices

    def _get_running_beams_for_next_iteration(topk_log_probs, topk_running_sequences,
                                              next_token_hits_stopping_criteria,
                                              topk_running_beam_indices, num_beams):
        # Finished sequences are no longer running: give them a -1e9 score
        topk_running_log_probs = topk_log_probs + next_token_hits_stopping_criteria.to(
            topk_log_probs.dtype) * -1.0e9
        next_topk_indices = torch.topk(topk_running_log_probs, k=num_beams)[1]
        running_sequences = _gather_beams(topk_running_sequences, next_topk_indices)
        running_beam_scores = _gather_beams(topk_running_log_probs, next_topk_indices)
        running_beam_indices = _gather_beams(topk_running_beam_indices, next_topk_indices)
        return running_sequences, running_beam_scores, running_beam_indices

    def _update_finished_beams(sequences, topk_running_sequences, beam_scores, topk_log_probs,
                               beam_indices, topk_running_beam_indices,
                               is_early_stop_heuristic_unsatisfied, is_sent_finished,
                               next_token_hits_stopping_criteria, top_num_beam_mask,
                               num_beams, cur_len, decoder_prompt_len, length_penalty,
                               early_stopping):
        # Only the top `num_beam` sequences can be considered for the final returned sequences.
        did_top_num_beams_just_finished = (next_token_hits_stopping_criteria
                                           & top_num_beam_mask[None, :])
        # Further process topk logits for the finished beams
        # - add length penalty
        topk_log_probs = topk_log_probs / ((cur_len + 1 - decoder_prompt_len) ** length_penalty)
        # - make sure no scores can be added anymore if beam is full and early stopping is on
        beams_in_batch_are_full = torch.all(is_sent_finished, axis=-1, keepdims=True) & (
            early_stopping is True)
        topk_log_probs += beams_in_batch_are_full.to(topk_log_probs.dtype) * -1.0e9
        # - make sure no scores can be added anymore if improvement is not possible
        topk_log_probs += (~is_early_stop_heuristic_unsatisfied).to(topk_log_probs.dtype) * -1.0e9
        # - make sure still running sequences cannot be chosen as finalized beam
        topk_log_probs += (~did_top_num_beams_just_finished) * -1.0e9
        # Get finalized `num_beam` sequences for the next generation step -- combine the
        # previous finalized data with the new finalized sequences (if any), keep the best.
        merged_sequences = torch.cat((sequences, topk_running_sequences), dim=1)
        merged_scores = torch.cat((beam_scores, topk_log_probs), dim=1)
        merged_beam_indices = torch.cat((beam_indices, topk_running_beam_indices), dim=1)
        merged_is_sent_finished = torch.cat((is_sent_finished, did_top_num_beams_just_finished),
                                            dim=1)
        topk_merged_indices = torch.topk(merged_scores, k=num_beams)[1]
        sequences = _gather_beams(merged_sequences, topk_merged_indices)
        beam_scores = _gather_beams(merged_scores, topk_merged_indices)
        beam_indices = _gather_beams(merged_beam_indices, topk_merged_indices)
        is_sent_finished = _gather_beams(merged_is_sent_finished, topk_merged_indices)
        return sequences, beam_scores, beam_indices, is_sent_finished

    @torch.no_grad()
    def beam_search(model, input_ids, num_beams, max_length, eos_token_id, length_penalty=1.0,
                    early_stopping=False, num_return_sequences=1):
        input_ids = input_ids.repeat_interleave(num_beams, dim=0)  # _expand_inputs_for_gen..
        batch_size_unflattened, cur_len = input_ids.shape[:2]
        batch_size = batch_size_unflattened // num_beams
        decoder_prompt_len = cur_len
        eos_token_id = torch.tensor([eos_token_id])
        n_eos_tokens = eos_token_id.shape[0]
        beams_to_keep = max(2, 1 + n_eos_tokens) * num_beams
        top_num_beam_mask = torch.cat((torch.ones((num_beams), dtype=torch.bool),
                                       torch.zeros((beams_to_keep - num_beams),
                                                   dtype=torch.bool)), dim=0)
        output_fill_value = PAD
        running_sequences = torch.full((batch_size, num_beams, max_length),
                                       fill_value=output_fill_value, dtype=torch.int64)
        running_sequences[:, :, :cur_len] = _unflatten_beam_dim(input_ids, batch_size,
                                                                num_beams)
        sequences = running_sequences.detach().clone()
        running_beam_scores = torch.zeros((batch_size, num_beams))
        running_beam_scores[:, 1:] = -1e9
        beam_scores = torch.full((batch_size, num_beams), fill_value=-1e9)
        is_sent_finished = torch.zeros((batch_size, num_beams), dtype=torch.bool)
        is_early_stop_heuristic_unsatisfied = torch.ones((batch_size, 1), dtype=torch.bool)
        running_beam_indices = torch.full((batch_size, num_beams, max_length - cur_len),
                                          fill_value=-1, dtype=torch.int32)
        beam_indices = running_beam_indices.detach().clone()
        while cur_len < max_length:
            flat_running_sequences = _flatten_beam_dim(running_sequences[:, :, :cur_len])
            logits = model(flat_running_sequences)[:, -1, :].clone()
            log_probs = F.log_softmax(logits, dim=-1)
            log_probs = _unflatten_beam_dim(log_probs, batch_size, num_beams)
            log_probs = log_probs + running_beam_scores[:, :, None]
            vocab_size = log_probs.shape[-1]
            log_probs = torch.reshape(log_probs, (batch_size, num_beams * vocab_size))
            topk_log_probs, topk_running_sequences, topk_running_beam_indices = (
                _get_top_k_continuations(log_probs, running_sequences, running_beam_indices,
                                         cur_len, decoder_prompt_len, beams_to_keep,
                                         num_beams, vocab_size, batch_size))
            next_token_hits_stopping_criteria = torch.isin(
                topk_running_sequences[:, :, cur_len], eos_token_id)
            running_sequences, running_beam_scores, running_beam_indices = (
                _get_running_beams_for_next_iteration(
                    topk_log_probs, topk_running_sequences, next_token_hits_stopping_criteria,
                    topk_running_beam_indices, num_beams))
            sequences, beam_scores, beam_indices, is_sent_finished = _update_finished_beams(
                sequences, topk_running_sequences, beam_scores, topk_log_probs, beam_indices,
                topk_running_beam_indices, is_early_stop_heuristic_unsatisfied,
                is_sent_finished, next_token_hits_stopping_criteria, top_num_beam_mask,
                num_beams, cur_len, decoder_prompt_len, length_penalty, early_stopping)
            cur_len = cur_len + 1
            is_early_stop_heuristic_unsatisfied = _check_early_stop_heuristic(
                is_early_stop_heuristic_unsatisfied, running_beam_scores, beam_scores,
                is_sent_finished, cur_len, max_length, decoder_prompt_len, early_stopping,
                length_penalty)
            if not torch.any(is_early_stop_heuristic_unsatisfied & ~torch.all(
                    is_sent_finished, dim=-1, keepdim=True)):
                break
        # Take best beams for each batch (the score is sorted in descending order)
        sequences = _flatten_beam_dim(sequences[:, :num_return_sequences, :])
        beam_scores = _flatten_beam_dim(beam_scores[:, :num_return_sequences])
        beam_indices = _flatten_beam_dim(beam_indices[:, :num_return_sequences, :])
        return sequences, beam_scores, beam_indices

    return beam_search


def test_vectorized_beam_search_matches_pytorch(torch):
    torch.manual_seed(0)
    theirs_model = generation_program(torch, torch.nn, torch.nn.functional).TinyGPT().eval()
    ours_model = generation_program(ag, nn, nn_F).TinyGPT().eval()
    ours_model.load_state_dict({k: v.detach().numpy().copy()
                                for k, v in theirs_model.state_dict().items()})
    prompts = [[5, 3, 7], [4, 9, 2], [8, 8, 6]]
    cases = [dict(num_beams=3, max_length=9, eos_token_id=11),
             dict(num_beams=3, max_length=9, eos_token_id=11, length_penalty=0.5,
                  early_stopping=True, num_return_sequences=2),
             dict(num_beams=2, max_length=8, eos_token_id=2, length_penalty=2.0,
                  num_return_sequences=2)]
    for case in cases:
        got = beam_search_program(ag, nn_F)(ours_model, ag.tensor(prompts), **case)
        want = beam_search_program(torch, torch.nn.functional)(theirs_model,
                                                               torch.tensor(prompts), **case)
        for a, b in zip(got, want):
            a, b = a.numpy(), b.numpy()
            assert a.shape == b.shape and a.dtype == b.dtype, (a.dtype, b.dtype)
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        assert (want[1].numpy() > -1e8).any()  # some hypotheses finished with eos
