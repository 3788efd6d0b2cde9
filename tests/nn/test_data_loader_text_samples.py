"""``DataLoader(list_of_(label, text)_pairs, collate_fn=...)``, as PyTorch's torchtext
text-classification tutorial feeds it (``to_map_style_dataset`` gives such a list): each
sample reaches ``collate_fn`` as the pair it is. NumPy joined the pairs into one array
of strings, so the samples became 1-tuples of a string row and ``for _label, _text in
batch`` failed to unpack (with ``shuffle=True`` too)."""

import numpy as np

import nn.data

DATA = [(1, "a b c"), (2, "b c"), (3, "c d e f"), (1, "f e")]


def loaded(data_module, **options) -> list:
    loader = data_module.DataLoader(DATA, batch_size=3, collate_fn=lambda batch: batch,
                                    **options)
    return list(loader)


def test_text_pairs_reach_collate_fn_as_torchs(torch) -> None:
    ours, theirs = loaded(nn.data), loaded(torch.utils.data)
    assert ours == theirs == [DATA[:3], DATA[3:]]
    shuffled = [pair for batch in loaded(nn.data, shuffle=True) for pair in batch]
    assert sorted(shuffled) == sorted(DATA)


def test_default_collate_of_text_pairs_matches_torch(torch) -> None:
    ours = next(iter(nn.data.DataLoader(DATA, batch_size=3)))
    theirs = next(iter(torch.utils.data.DataLoader(DATA, batch_size=3)))
    np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())
    assert list(ours[1]) == list(theirs[1]) == ["a b c", "b c", "c d e f"]


def test_tuples_of_numbers_stay_one_array() -> None:
    batch = next(iter(nn.data.DataLoader([(1.0, 2.0), (3.0, 4.0)], batch_size=2)))
    assert batch.shape == (2, 2)
