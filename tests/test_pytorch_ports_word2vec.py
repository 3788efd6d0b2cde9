"""Word2vec, skip-gram with negative sampling, as the Udacity deep-learning course's
notebook writes it, ported as its readers write it: ``SkipGramNeg`` (two ``nn.Embedding``
tables, ``forward_noise`` drawing noise words with ``torch.multinomial`` from the
unigram^0.75 distribution, ``torch.from_numpy``), ``NegativeSamplingLoss`` (``torch.bmm`` of
the center and context vectors, ``.sigmoid().log()``, ``.squeeze().sum(1)``), training
with ``optim.Adam`` on ``torch.LongTensor`` batches moved ``.to(device)``, and the
validation's cosine similarity (``embedding.weight.pow(2).sum(dim=1).sqrt()``,
``torch.mm``, ``.topk(6)``, ``idx.item()``) printed as nearest words. Written once for a
library ``torch`` (``autograd`` here), it runs step for step next to PyTorch (float64) on a
generated corpus (``word2vec_corpus.py``): the printed lines, every step's loss,
gradients and parameters agree to 1e-10. The sparse-embedding programs (``sparse=True``,
``SparseAdam``, ``F.logsigmoid``, ``F.cosine_similarity``):
``test_pytorch_ports_word2vec_sparse.py``.

Lines written differently here, and why:
- ``self.in_embed.weight.data.uniform_(-1, 1)``: ``.data`` is NumPy's array here, so the
  draw is written on the weight under ``torch.no_grad()`` (the same in both);
- ``forward_noise``'s device test reads ``self.out_embed`` (the notebook reads the global
  ``model``);
- the test's glue (marked): both runs start from the same weights drawn with NumPy, the
  noise words our ``torch.multinomial`` drew are replayed in PyTorch's run (the two
  generators differ), and hooks record each optimizer step.
"""

import contextlib
import io
import random

import numpy as np

import autograd as ag
import nn
from pytorch_examples_helpers import Draws, assert_printed, assert_steps, record_steps
from word2vec_corpus import (create_lookup_tables, generate_text, get_batches, preprocess,
                             subsample, unigram_noise)


class NoiseDraws(Draws):
    """``Draws`` with ``torch.multinomial`` recorded (ours) or replayed (PyTorch's)."""

    def multinomial(self, *args, **kwargs):
        return self._draw("multinomial", *args, **kwargs)


def skip_gram(torch, nn):
    """The notebook's definitions for the library ``torch``."""
    class SkipGramNeg(nn.Module):
        def __init__(self, n_vocab, n_embed, noise_dist=None):
            super().__init__()

            self.n_vocab = n_vocab
            self.n_embed = n_embed
            self.noise_dist = noise_dist

            # define embedding layers for input and output words
            self.in_embed = nn.Embedding(n_vocab, n_embed)
            self.out_embed = nn.Embedding(n_vocab, n_embed)

            # Initialize embedding tables with uniform distribution
            # I believe this helps with convergence
            with torch.no_grad():  # self.in_embed.weight.data.uniform_(-1, 1): see above
                self.in_embed.weight.uniform_(-1, 1)
                self.out_embed.weight.uniform_(-1, 1)

        def forward_input(self, input_words):
            input_vectors = self.in_embed(input_words)
            return input_vectors

        def forward_output(self, output_words):
            output_vectors = self.out_embed(output_words)
            return output_vectors

        def forward_noise(self, batch_size, n_samples):
            """ Generate noise vectors with shape (batch_size, n_samples, n_embed)"""
            if self.noise_dist is None:
                # Sample words uniformly
                noise_dist = torch.ones(self.n_vocab)
            else:
                noise_dist = self.noise_dist

            # Sample words from our noise distribution
            noise_words = torch.multinomial(noise_dist,
                                            batch_size * n_samples,
                                            replacement=True)

            device = "cuda" if self.out_embed.weight.is_cuda else "cpu"
            noise_words = noise_words.to(device)

            noise_vectors = self.out_embed(noise_words).view(batch_size, n_samples,
                                                             self.n_embed)
            return noise_vectors

    class NegativeSamplingLoss(nn.Module):
        def __init__(self):
            super().__init__()

        def forward(self, input_vectors, output_vectors, noise_vectors):
            batch_size, embed_size = input_vectors.shape

            # Input vectors should be a batch of column vectors
            input_vectors = input_vectors.view(batch_size, embed_size, 1)

            # Output vectors should be a batch of row vectors
            output_vectors = output_vectors.view(batch_size, 1, embed_size)

            # bmm = batch matrix multiplication
            # correct log-sigmoid loss
            out_loss = torch.bmm(output_vectors, input_vectors).sigmoid().log()
            out_loss = out_loss.squeeze()

            # incorrect log-sigmoid loss
            noise_loss = torch.bmm(noise_vectors.neg(), input_vectors).sigmoid().log()
            noise_loss = noise_loss.squeeze().sum(1)  # sum the losses over the noise samples

            # negate and sum correct and noisy log-sigmoid losses
            # return average batch loss
            return -(out_loss + noise_loss).mean()

    def cosine_similarity(embedding, valid_size=8, valid_window=12, device='cpu'):
        """ Returns the cosine similarity of validation words with words in the embedding
            matrix. Here, embedding should be a PyTorch embedding module."""
        # sim = (a . b) / |a||b|
        embed_vectors = embedding.weight

        # magnitude of embedding vectors, |b|
        magnitudes = embed_vectors.pow(2).sum(dim=1).sqrt().unsqueeze(0)

        # pick N words from our ranges (0,window) and (12,12+window). lower id implies
        # more frequent
        valid_examples = np.array(random.sample(range(valid_window), valid_size // 2))
        valid_examples = np.append(valid_examples,
                                   random.sample(range(12, 12 + valid_window),
                                                 valid_size // 2))
        valid_examples = torch.LongTensor(valid_examples).to(device)

        valid_vectors = embedding(valid_examples)
        similarities = torch.mm(valid_vectors, embed_vectors.t()) / magnitudes

        return valid_examples, similarities

    return SkipGramNeg, NegativeSamplingLoss, cosine_similarity


def train(torch, nn, optim, weights, steps, seed=0):
    """The notebook's data preparation and training loop for the library ``torch``."""
    random.seed(seed)
    np.random.seed(seed)
    SkipGramNeg, NegativeSamplingLoss, cosine_similarity = skip_gram(torch, nn)
    words = preprocess(generate_text())
    vocab_to_int, int_to_vocab = create_lookup_tables(words)
    int_words = [vocab_to_int[word] for word in words]
    train_words, freqs = subsample(int_words, 1e-2, random)

    # get our noise distribution
    noise_dist = torch.from_numpy(unigram_noise(freqs))

    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    embedding_dim = 12
    model = SkipGramNeg(len(vocab_to_int), embedding_dim, noise_dist=noise_dist).to(device)
    model.load_state_dict(weights)  # the test's glue: the same start in both
    criterion = NegativeSamplingLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.003)
    record_steps(optimizer, steps)  # the test's glue

    print_every = 8
    step = 0
    epochs = 2
    for e in range(epochs):
        # get our input, target batches
        for input_words, target_words in get_batches(train_words, 128):
            step += 1
            inputs, targets = torch.LongTensor(input_words), torch.LongTensor(target_words)
            inputs, targets = inputs.to(device), targets.to(device)

            # input, output, and noise vectors
            input_vectors = model.forward_input(inputs)
            output_vectors = model.forward_output(targets)
            noise_vectors = model.forward_noise(inputs.shape[0], 5)

            # negative sampling loss
            loss = criterion(input_vectors, output_vectors, noise_vectors)

            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            # loss stats
            if step % print_every == 0:
                print("Epoch: {}/{}".format(e + 1, epochs))
                print("Loss: ", loss.item())  # avg batch loss at this point in training
                valid_examples, valid_similarities = cosine_similarity(model.in_embed,
                                                                       device=device)
                _, closest_idxs = valid_similarities.topk(6)

                valid_examples, closest_idxs = valid_examples.to('cpu'), closest_idxs.to('cpu')
                for ii, valid_idx in enumerate(valid_examples):
                    closest_words = [int_to_vocab[idx.item()] for idx in closest_idxs[ii]][1:]
                    print(int_to_vocab[valid_idx.item()] + " | " + ', '.join(closest_words))
                print("...\n")
    return model


def test_skip_gram_negative_sampling_trains_step_for_step_as_torch(torch):
    rng = np.random.default_rng(0)
    weights = {name: rng.uniform(-1, 1, size=(30, 12))
               for name in ["in_embed.weight", "out_embed.weight"]}
    draws, ours_steps, their_steps = [], [], []
    ours_out, their_out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(ours_out):
        ours = train(NoiseDraws(ag, draws=draws), nn, nn.optim,
                     {k: ag.tensor(v) for k, v in weights.items()}, ours_steps)
    with contextlib.redirect_stdout(their_out):
        theirs = train(NoiseDraws(torch, replay=list(draws)), torch.nn, torch.optim,
                       {k: torch.tensor(v) for k, v in weights.items()}, their_steps)
    assert len(draws) == 20 and draws[0].dtype == np.int64 and draws[0].shape == (
        draws[0].size,)
    assert their_out.getvalue().count("Loss") == 2
    assert_printed(ours_out.getvalue(), their_out.getvalue())
    assert_steps(ours_steps, their_steps)
    np.testing.assert_allclose(ours.in_embed.weight.detach().numpy(),
                               theirs.in_embed.weight.detach().numpy(), rtol=1e-10)


def test_multinomial_draws_follow_the_noise_distribution():
    """Our ``torch.multinomial`` (replayed above) draws from the unigram^0.75 table."""
    noise = unigram_noise({w: f for w, f in enumerate([0.5, 0.25, 0.125, 0.125])})
    ag.manual_seed(0)
    words = ag.multinomial(ag.from_numpy(noise), 40000, replacement=True).numpy()
    np.testing.assert_allclose(np.bincount(words, minlength=4) / 40000, noise, atol=0.01)
