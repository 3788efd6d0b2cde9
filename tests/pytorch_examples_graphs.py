"""The stand-in for the Cora citation graph that pytorch/examples' ``gcn/main.py`` and
``gat/main.py`` download: a small graph drawn from a stochastic block model, written in
Cora's two files (``cora.content``: paper id, binary word features, class name;
``cora.cites``: cited id, citing id), so each program's ``load_cora`` reads it as written.

Nodes of one class cite each other more often (``p_in``) than across classes
(``p_out``); a class's words are likelier in its papers. Some pairs cite twice (Cora's
file has repeats: ``sparse_coo_tensor`` sums them) and one paper has no words (the
``1 / scale_vector`` of 0 that ``load_cora`` sets to 0)."""

from __future__ import annotations

import os

import numpy as np

CLASSES = ("Neural_Networks", "Probabilistic_Methods", "Theory")


def write_generated_cora(path: str, nodes: int = 48, words: int = 12, p_in: float = 0.25,
                         p_out: float = 0.02, seed: int = 0) -> None:
    """Write ``cora.content`` and ``cora.cites`` for a generated graph into ``path``."""
    rng = np.random.default_rng(seed)
    classes = np.arange(nodes) % len(CLASSES)
    rng.shuffle(classes)
    ids = rng.choice(np.arange(1000, 100000), size=nodes, replace=False)
    likely = rng.integers(0, len(CLASSES), words)  # each word's class
    chance = np.where(likely[None, :] == classes[:, None], 0.6, 0.1)
    features = (rng.random((nodes, words)) < chance).astype(int)
    features[0] = 0  # a paper without words
    same = classes[:, None] == classes[None, :]
    cites = np.triu(rng.random((nodes, nodes)) < np.where(same, p_in, p_out), 1)
    pairs = np.argwhere(cites)
    flip = rng.random(len(pairs)) < 0.5  # who cites whom
    pairs[flip] = pairs[flip][:, ::-1]
    pairs = np.concatenate([pairs, pairs[:3]])  # cited twice
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "cora.content"), "w") as content:
        for i in range(nodes):
            row = [str(ids[i]), *map(str, features[i]), CLASSES[classes[i]]]
            content.write("\t".join(row) + "\n")
    with open(os.path.join(path, "cora.cites"), "w") as cites_file:
        for cited, citing in pairs:
            cites_file.write(f"{ids[cited]}\t{ids[citing]}\n")
