"""The generated corpus that the word2vec ports read in place of text8 (nothing is
downloaded): sentences from a small grammar whose words fall in groups (animals, foods,
colours, places) used in the same slots, so that skip-gram neighbours have something to
find; and the tutorials' data preparation (``preprocess``, ``create_lookup_tables``,
subsampling, ``get_target``, ``get_batches``), pure Python and NumPy, the same for both
libraries."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np

__all__ = ["generate_text", "preprocess", "create_lookup_tables", "subsample", "get_target",
           "get_batches", "unigram_noise"]

GROUPS = {"animal": ["cat", "dog", "horse", "mouse", "cow"],
          "food": ["bread", "apple", "cheese", "rice", "soup"],
          "colour": ["red", "green", "blue", "yellow"],
          "place": ["garden", "house", "field", "river"]}
TEMPLATES = ["the {animal} ate the {colour} {food} .",
             "a {colour} {animal} sleeps in the {place} .",
             "the {animal} and the {animal} walk to the {place} .",
             "we cook {food} and {food} in the {place} !"]


def generate_text(n_sentences: int = 300, seed: int = 0) -> str:
    """``n_sentences`` sentences of the grammar, as one string (text8 stands in one line)."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(n_sentences):
        template = rng.choice(TEMPLATES)
        while "{" in template:
            start = template.index("{")
            group = template[start + 1:template.index("}")]
            template = template.replace("{" + group + "}", rng.choice(GROUPS[group]), 1)
        sentences.append(template)
    return " ".join(sentences)


def preprocess(text: str, min_count: int = 5) -> list[str]:
    """The tutorial's ``utils.preprocess``: punctuation as tokens, rare words dropped."""
    text = text.lower()
    text = text.replace('.', ' <PERIOD> ')
    text = text.replace('!', ' <EXCLAMATION_MARK> ')
    words = text.split()
    word_counts = Counter(words)
    trimmed_words = [word for word in words if word_counts[word] > min_count]
    return trimmed_words


def create_lookup_tables(words: list[str]) -> tuple[dict, dict]:
    """``vocab_to_int`` and ``int_to_vocab``, the most frequent word first."""
    word_counts = Counter(words)
    sorted_vocab = sorted(word_counts, key=word_counts.get, reverse=True)
    int_to_vocab = {ii: word for ii, word in enumerate(sorted_vocab)}
    vocab_to_int = {word: ii for ii, word in int_to_vocab.items()}
    return vocab_to_int, int_to_vocab


def subsample(int_words: list[int], threshold: float, rng: random.Random) -> tuple:
    """Mikolov's subsampling: drop word w with p = 1 - sqrt(threshold / freq(w)); the kept
    words and the frequencies."""
    word_counts = Counter(int_words)
    total_count = len(int_words)
    freqs = {word: count / total_count for word, count in word_counts.items()}
    p_drop = {word: 1 - np.sqrt(threshold / freqs[word]) for word in word_counts}
    train_words = [word for word in int_words if rng.random() < (1 - p_drop[word])]
    return train_words, freqs


def unigram_noise(freqs: dict) -> np.ndarray:
    """The unigram distribution raised to 3/4 and renormalised, most frequent first."""
    word_freqs = np.array(sorted(freqs.values(), reverse=True))
    unigram_dist = word_freqs / word_freqs.sum()
    return unigram_dist ** 0.75 / np.sum(unigram_dist ** 0.75)


def get_target(words, idx, window_size=5):
    """The words in a window of random radius R in [1, window_size] around ``idx``."""
    R = np.random.randint(1, window_size + 1)
    start = idx - R if (idx - R) > 0 else 0
    stop = idx + R
    target_words = words[start:idx] + words[idx + 1:stop + 1]
    return list(target_words)


def get_batches(words, batch_size, window_size=5):
    """(inputs, targets) lists: each word of a batch paired with each of its targets."""
    n_batches = len(words) // batch_size
    words = words[:n_batches * batch_size]
    for idx in range(0, len(words), batch_size):
        x, y = [], []
        batch = words[idx:idx + batch_size]
        for ii in range(len(batch)):
            batch_x = batch[ii]
            batch_y = get_target(batch, ii, window_size)
            y.extend(batch_y)
            x.extend([batch_x] * len(batch_y))
        yield x, y
