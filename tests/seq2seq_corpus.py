"""The made-up parallel corpus that the seq2seq ports read in place of the tutorial's
``data/eng-fra.txt`` (nothing is downloaded): English sentences of the forms the tutorial
keeps ("I am ...", "they're ..."), a made-up language translating them word for word
(accents, which ``normalizeString`` strips, and ``not`` after its adjective), and a few
lines ``filterPairs`` drops; and the tutorial's data preparation, pure Python, the same
for both libraries."""

from __future__ import annotations

import random
import re
import unicodedata

__all__ = ["write_corpus", "data_preparation", "ENGLISH", "MADE_UP"]

# The made-up language: one word for each English word ("not" goes after the adjective).
MADE_UP = {"i": "jë", "am": "sõm", "m": "sõm", "he": "lu", "is": "ëst", "s": "ëst",
           "she": "la", "you": "tü", "are": "sõnt", "re": "sõnt", "we": "nö", "they": "ìls",
           "very": "mült", "not": "nàn", "too": "trö", "cold": "frëd", "tired": "lass",
           "happy": "fëlix", "busy": "ocüp", "late": "tàrd", "ready": "prët",
           "hungry": "fàm", "alone": "sõl", "it": "çà", "come": "vën", "here": "ìci",
           "like": "àm", "tea": "thë", "and": "ë", "so": "sì"}
ENGLISH = {"subjects": ["I am", "I'm", "He is", "He's", "She is", "She's", "You are",
                        "You're", "We are", "We're", "They are", "They're"],
           "modifiers": ["", "very ", "not ", "too "],
           "adjectives": ["cold", "tired", "happy", "busy", "late", "ready", "hungry", "alone"]}


def _translate(english: str) -> str:
    """The made-up sentence for an English one, word by word, ``not`` after its adjective."""
    words = re.findall(r"[a-z]+|[.!?]", english.lower())
    if "not" in words:
        at = words.index("not")
        words[at], words[at + 1] = words[at + 1], words[at]
    made_up = " ".join(MADE_UP.get(w, w) for w in words)
    return made_up[0].upper() + made_up[1:]


def write_corpus(path, n_pairs: int = 48, seed: int = 0) -> list[str]:
    """Write ``n_pairs`` "English<TAB>made-up" lines that the tutorial keeps, and four it
    filters out (no "I am"-like start, or too long), to ``path``; the English lines."""
    rng = random.Random(seed)
    kept = rng.sample([f"{s} {m}{a}{p}" for s in ENGLISH["subjects"]
                       for m in ENGLISH["modifiers"] for a in ENGLISH["adjectives"]
                       for p in ".!"], n_pairs)
    dropped = ["It is cold.", "Come here!", "I like tea.",
               "I am very tired and hungry and cold and so late."]
    lines = kept[:n_pairs // 2] + dropped + kept[n_pairs // 2:]
    path.write_text("\n".join(f"{e}\t{_translate(e)}" for e in lines) + "\n",
                    encoding="utf-8")
    return lines


def data_preparation():
    """The tutorial's ``Lang``, ``normalizeString``, ``readLangs``, ``filterPairs``,
    ``prepareData``, ``MAX_LENGTH`` (7 here, the tutorial's 10) and ``eng_prefixes``."""
    class Lang:
        def __init__(self, name):
            self.name = name
            self.word2index = {}
            self.word2count = {}
            self.index2word = {0: "SOS", 1: "EOS"}
            self.n_words = 2  # Count SOS and EOS

        def addSentence(self, sentence):
            for word in sentence.split(' '):
                self.addWord(word)

        def addWord(self, word):
            if word not in self.word2index:
                self.word2index[word] = self.n_words
                self.word2count[word] = 1
                self.index2word[self.n_words] = word
                self.n_words += 1
            else:
                self.word2count[word] += 1

    def unicodeToAscii(s):
        return ''.join(
            c for c in unicodedata.normalize('NFD', s)
            if unicodedata.category(c) != 'Mn'
        )

    def normalizeString(s):  # lowercase, trim, and remove non-letter characters
        s = unicodeToAscii(s.lower().strip())
        s = re.sub(r"([.!?])", r" \1", s)
        s = re.sub(r"[^a-zA-Z!?]+", r" ", s)
        return s.strip()

    def readLangs(lang1, lang2, reverse=False):
        print("Reading lines...")
        # Read the file and split into lines
        lines = open('data/%s-%s.txt' % (lang1, lang2), encoding='utf-8').\
            read().strip().split('\n')
        # Split every line into pairs and normalize
        pairs = [[normalizeString(s) for s in l.split('\t')] for l in lines]  # noqa: E741
        # Reverse pairs, make Lang instances
        if reverse:
            pairs = [list(reversed(p)) for p in pairs]
            input_lang = Lang(lang2)
            output_lang = Lang(lang1)
        else:
            input_lang = Lang(lang1)
            output_lang = Lang(lang2)
        return input_lang, output_lang, pairs

    MAX_LENGTH = 7  # the tutorial's 10

    eng_prefixes = (
        "i am ", "i m ",
        "he is", "he s ",
        "she is", "she s ",
        "you are", "you re ",
        "we are", "we re ",
        "they are", "they re "
    )

    def filterPair(p):
        return len(p[0].split(' ')) < MAX_LENGTH and \
            len(p[1].split(' ')) < MAX_LENGTH and \
            p[1].startswith(eng_prefixes)

    def filterPairs(pairs):
        return [pair for pair in pairs if filterPair(pair)]

    def prepareData(lang1, lang2, reverse=False):
        input_lang, output_lang, pairs = readLangs(lang1, lang2, reverse)
        print("Read %s sentence pairs" % len(pairs))
        pairs = filterPairs(pairs)
        print("Trimmed to %s sentence pairs" % len(pairs))
        print("Counting words...")
        for pair in pairs:
            input_lang.addSentence(pair[0])
            output_lang.addSentence(pair[1])
        print("Counted words:")
        print(input_lang.name, input_lang.n_words)
        print(output_lang.name, output_lang.n_words)
        return input_lang, output_lang, pairs

    return (Lang, normalizeString, readLangs, filterPairs, prepareData, MAX_LENGTH,
            eng_prefixes)
