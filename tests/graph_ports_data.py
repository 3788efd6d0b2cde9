"""Generated graphs for the graph ports (``test_pytorch_ports_graphs_*.py``), as NumPy
arrays in the layout plain-PyTorch graph code reads: ``edge_index`` (2 x E int64, source
row first, both directions of each undirected edge), node features ``x``, a ``batch``
vector naming each node's graph."""

import numpy as np


def two_communities(n=24, features=6, seed=0) -> dict:
    """One graph of two communities (a stochastic block model: edges inside a community
    with probability 0.35, across it 0.05), features that hint at the community, labels
    the community, and train/test masks of the nodes."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    same = y[:, None] == y[None, :]
    upper = np.triu(rng.random((n, n)) < np.where(same, 0.35, 0.05), 1)
    src, dst = np.nonzero(upper)
    edge_index = np.stack([np.concatenate([src, dst]), np.concatenate([dst, src])])
    x = rng.standard_normal((n, features)) + 0.8 * y[:, None]
    train = np.zeros(n, dtype=bool)
    train[rng.permutation(n)[: n // 2]] = True
    return {"x": x, "edge_index": edge_index.astype(np.int64), "y": y.astype(np.int64),
            "train_mask": train, "test_mask": ~train}


def graph_batch(graphs=6, seed=0, edge_features=3) -> dict:
    """A batch of small graphs, as a loader collates them: rings (class 0) and rings with
    chords (class 1) of 4 to 7 nodes, their nodes numbered one after the other; node
    features (the degree and noise), edge features, a graph-level regression target."""
    rng = np.random.default_rng(seed)
    edges, xs, batch, y, start = [], [], [], [], 0
    for g in range(graphs):
        n, label = int(rng.integers(4, 8)), g % 2
        pairs = [(i, (i + 1) % n) for i in range(n)]
        if label:
            pairs += [(0, n // 2), (1, n - 1)]
        pairs = np.array(pairs).T
        both = np.concatenate([pairs, pairs[::-1]], axis=1) + start
        edges.append(both)
        degree = np.bincount(both[0] - start, minlength=n)
        xs.append(np.stack([degree / 3.0, rng.standard_normal(n), np.ones(n)], axis=1))
        batch += [g] * n
        y.append(label)
        start += n
    edge_index = np.concatenate(edges, axis=1).astype(np.int64)
    return {"x": np.concatenate(xs), "edge_index": edge_index,
            "edge_attr": rng.standard_normal((edge_index.shape[1], edge_features)),
            "batch": np.array(batch, dtype=np.int64), "y": np.array(y, dtype=np.int64),
            "target": rng.standard_normal(graphs), "num_graphs": graphs}
