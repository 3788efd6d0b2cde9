"""Hugging Face ``generate`` habits, ported as readers write them (``hf_generation_program``):
the logits processors (repetition penalty, min length, temperature, top-k, top-p and the
older in-place ``top_k_top_p_filtering``), sampling and greedy decoding of a left-padded
batch (``pad_sequence`` over flipped prompts, ``attention_mask``, ``position_ids`` from its
cumulative sum, finished rows padded), and beam search with length penalty. PyTorch runs
the same program from the same weights (float64): token ids agree exactly, scores to 1e-10.

Written differently here: the sampling draws come from one NumPy generator in both runs
(``SharedMultinomial``), and the model starts from PyTorch's weights (``load_state_dict``).
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from hf_generation_program import SharedMultinomial, generation_program

PAD, EOS = 0, 1
PROMPTS = [[5, 3, 7, 2], [4, 9], [8, 6, 10]]


def both(torch):
    """(ours, theirs): the program for each library, our model holding PyTorch's weights."""
    torch.manual_seed(0)
    theirs = generation_program(SharedMultinomial(torch), torch.nn, torch.nn.functional)
    theirs.model = theirs.TinyGPT().eval()
    ours = generation_program(SharedMultinomial(ag), nn, nn_F)
    ours.model = ours.TinyGPT().eval()
    ours.model.load_state_dict({k: v.detach().numpy().copy()
                                for k, v in theirs.model.state_dict().items()})
    return ours, theirs


def left_padded(torch, pad_sequence):
    """Left padding as readers write it with ``pad_sequence``: flip, pad right, flip back."""
    seqs = [torch.tensor(p) for p in PROMPTS]
    input_ids = pad_sequence([s.flip(0) for s in seqs], batch_first=True,
                             padding_value=PAD).flip(1)
    attention_mask = (input_ids != PAD).long()
    return input_ids, attention_mask


def assert_same(a, b, rtol=1e-10) -> None:
    a, b = np.asarray(a.detach().numpy()), np.asarray(b.detach().numpy())
    assert a.shape == b.shape and a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12)


def test_logits_processors(torch):
    ours, theirs = both(torch)
    rng = np.random.default_rng(3)
    scores = rng.standard_normal((3, 12))
    ids = np.array([[2, 5, 5], [7, 0, 3], [11, 11, 11]])
    for prog, lib in ((ours, ag), (theirs, torch)):
        s, i = lib.tensor(scores), lib.tensor(ids)
        prog.out = [prog.RepetitionPenaltyLogitsProcessor(1.3)(i, s),
                    prog.MinLengthLogitsProcessor(5, EOS)(i, s),
                    prog.MinLengthLogitsProcessor(3, EOS)(i, s),
                    prog.TemperatureLogitsWarper(0.7)(i, s),
                    prog.TopKLogitsWarper(4)(i, s),
                    prog.TopPLogitsWarper(0.8)(i, s),
                    prog.TopPLogitsWarper(0.3, min_tokens_to_keep=2)(i, s),
                    prog.top_k_top_p_filtering(s.clone(), top_k=6, top_p=0.7),
                    prog.top_k_top_p_filtering(s.clone(), top_p=0.5, min_tokens_to_keep=3)]
    for a, b in zip(ours.out, theirs.out):
        assert_same(a, b)


def decode(torch, pad_sequence, prog, do_sample: bool):
    input_ids, attention_mask = left_padded(torch, pad_sequence)
    processors = [prog.RepetitionPenaltyLogitsProcessor(1.2),
                  prog.MinLengthLogitsProcessor(6, EOS)]
    if do_sample:
        processors += [prog.TemperatureLogitsWarper(0.8), prog.TopKLogitsWarper(8),
                       prog.TopPLogitsWarper(0.9)]
    return prog.sample(prog.model, input_ids, attention_mask, processors, max_length=12,
                       pad_token_id=PAD, eos_token_id=EOS, do_sample=do_sample)


def test_sample_and_greedy_left_padded(torch):
    ours, theirs = both(torch)
    for do_sample in (True, False):
        got_ids, got_scores = decode(ag, nn.utils.rnn.pad_sequence, ours, do_sample)
        want_ids, want_scores = decode(torch, torch.nn.utils.rnn.pad_sequence, theirs,
                                          do_sample)
        assert_same(got_ids, want_ids)
        assert_same(got_scores, want_scores)


def test_beam_search(torch):
    ours, theirs = both(torch)
    prompt = [[5, 3, 7], [4, 9, 2]]
    eos = 11  # the token this untrained model likes: hypotheses finish before max_length
    for length_penalty, early_stopping in ((1.0, False), (0.5, True)):
        got = ours.beam_search(ours.model, ag.tensor(prompt), num_beams=3, max_length=9,
                               eos_token_id=eos, pad_token_id=PAD,
                               length_penalty=length_penalty, early_stopping=early_stopping)
        want = theirs.beam_search(theirs.model, torch.tensor(prompt), num_beams=3,
                                  max_length=9, eos_token_id=eos, pad_token_id=PAD,
                                  length_penalty=length_penalty, early_stopping=early_stopping)
        assert_same(got[0], want[0])
        assert_same(got[1], want[1])
