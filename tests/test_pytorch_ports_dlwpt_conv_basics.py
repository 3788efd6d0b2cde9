""""Deep Learning with PyTorch", chapter 8's first steps with convolutions, as its readers
type them: ``nn.Conv2d`` on one image (``unsqueeze(0)``), its weights set by hand under
``no_grad`` (a blur with ``fill_``, an edge detector with ``weight[:] = ...``),
``nn.MaxPool2d``, and the ``nn.Sequential`` convnet that cannot work without flattening,
next to PyTorch (float64) from the same weights. The notes of
``test_pytorch_ports_dlwpt.py`` apply.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_dlwpt import libraries


def _convolutions(T, lib, start, img_np, record) -> None:
    img = T.tensor(img_np)
    record.append(tuple(img.permute(1, 2, 0).shape))  # the book's plt.imshow layout
    conv = lib.Conv2d(3, 16, kernel_size=3)
    record.append((tuple(conv.weight.shape), tuple(conv.bias.shape)))
    start(conv, 0)
    output = conv(img.unsqueeze(0))
    record += [(tuple(img.unsqueeze(0).shape), tuple(output.shape)), output.detach().numpy()]
    conv = lib.Conv2d(3, 1, kernel_size=3, padding=1)
    with T.no_grad():
        conv.bias.zero_()
    with T.no_grad():
        conv.weight.fill_(1.0 / 9.0)
    output = conv(img.unsqueeze(0))
    record.append(output.detach().numpy())
    conv = lib.Conv2d(3, 1, kernel_size=3, padding=1)
    with T.no_grad():
        conv.weight[:] = T.tensor([[-1.0, 0.0, 1.0],
                                   [-1.0, 0.0, 1.0],
                                   [-1.0, 0.0, 1.0]])
        conv.bias.zero_()
    output = conv(img.unsqueeze(0))
    record.append(output.detach().numpy())
    pool = lib.MaxPool2d(2)
    output = pool(img.unsqueeze(0))
    record += [tuple(output.shape), output.numpy()]
    model = lib.Sequential(
        lib.Conv2d(3, 16, kernel_size=3, padding=1),
        lib.Tanh(),
        lib.MaxPool2d(2),
        lib.Conv2d(16, 8, kernel_size=3, padding=1),
        lib.Tanh(),
        lib.MaxPool2d(2),
        # ... the book leaves out the flattening here, on purpose
        lib.Linear(8 * 8 * 8, 32),
        lib.Tanh(),
        lib.Linear(32, 2))
    numel_list = [p.numel() for p in model.parameters()]
    record += [sum(numel_list), numel_list]
    with pytest.raises((RuntimeError, ValueError)):  # PyTorch: mat1 and mat2 shapes ...
        model(img.unsqueeze(0))


def test_chapter8_convolutions_by_hand(torch) -> None:
    img_np = np.random.default_rng(0).normal(size=(3, 32, 32))
    theirs = [torch.nn.Conv2d(3, 16, kernel_size=3)]

    def start(conv, k):
        if not isinstance(conv, torch.nn.Module):
            conv.load_state_dict({n: v.detach().numpy()
                                  for n, v in theirs[k].state_dict().items()})
        else:
            conv.load_state_dict(theirs[k].state_dict())

    got, want = [], []
    _convolutions(*libraries()[:2], start, img_np, got)
    _convolutions(*libraries(torch)[:2], start, img_np, want)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
        else:
            assert a == b, f"record {i}"


def test_chapter8_missing_flatten_error_says_what_to_do() -> None:
    model = nn.Sequential(nn.Conv2d(3, 8, kernel_size=3, padding=1), nn.MaxPool2d(4),
                          nn.Linear(8 * 8 * 8, 2))
    with pytest.raises(ag.ShapeError, match=r"in_features=512.*\(1, 8, 8, 8\).*Flatten"):
        model(ag.zeros(1, 3, 32, 32))
