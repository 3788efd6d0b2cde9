""""Deep Learning with PyTorch" (Stevens, Antiga, Viehmann; code: dlwpt-code), ported as
its readers type it: each program is written once for a library ``T`` (``autograd`` here,
``torch`` there) with its ``lib`` (``nn`` / ``torch.nn``) and ``optim``, and runs step for
step next to PyTorch's from the same values: losses, gradients and parameters agree to
1e-10 (float64).

Here: chapter 3's tensors (storage, ``storage_offset``, ``stride``, views and copies,
``contiguous``, in-place ``_`` methods) and chapter 5's thermometer (the gradient by hand,
then by autograd, then with optimizers and a train/validation split by ``randperm``).
Chapter 6 (``nn.Linear``, ``nn.Sequential`` of an ``OrderedDict``): ``..._dlwpt_nn.py``;
chapters 7-8 (the birds-vs-airplanes convnets): ``..._dlwpt_convnets.py``.

Where a line is written differently here, it says so:
- PyTorch runs with float64 as its default dtype (``torch.set_default_dtype``), ours;
- ``torch.randperm`` draws from each library's own generator: the split drawn here is
  handed to both runs;
- ``torch.save(points, path)`` of a tensor is ``nn.save`` here (NumPy's format).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.optim

# PyTorch 2 warns that TypedStorage (t.storage(), the book's) is deprecated
pytestmark = pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")

T_C = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
T_U = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]


def libraries(torch=None) -> tuple:
    """(T, lib, optim) for this library, or for PyTorch when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim
    return torch, torch.nn, torch.optim


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


# ------------------------------------------------------------------ chapter 3: tensors
def _tensors(T, record) -> None:
    points = T.zeros(6)
    points[0] = 1.0
    points[1] = 4.0
    record.append(points.numpy().copy())
    points = T.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]])
    record += [float(points[0, 1]), points[0].numpy().copy(), tuple(points.shape)]
    points_storage = points.storage()
    record += [points_storage[0], points.storage()[1], points_storage.tolist()]
    points_storage[0] = 2.0
    record.append(points.numpy().copy())
    second_point = points[1]
    record += [second_point.storage_offset(), tuple(second_point.size()),
               second_point.stride(), points.stride()]
    second_point[0] = 10.0  # a view: points changes too
    record.append(points.numpy().copy())
    second_point = points[1].clone()
    second_point[0] = 20.0  # a copy: points does not
    record.append(points.numpy().copy())
    points_t = points.t()
    record += [points_t.numpy().copy(), points_t.stride(), points_t.is_contiguous(),
               points.is_contiguous(),
               points_t.untyped_storage().data_ptr() == points.untyped_storage().data_ptr()]
    some_tensor = T.ones(3, 4, 5)
    some_tensor_t = some_tensor.transpose(0, 2)
    record += [tuple(some_tensor_t.shape), some_tensor.stride(), some_tensor_t.stride()]
    points_t_cont = points_t.contiguous()
    record += [points_t_cont.stride(), points_t_cont.storage().tolist(),
               points_t_cont.is_contiguous()]
    points[1:, 0] = 3.0  # sliced assignment, through the strided view
    record += [points[1:].numpy().copy(), points[1:, 0].storage_offset(),
               points[1:, 0].stride(), points[None].shape]
    double_points = T.ones(10, 2, dtype=T.double)
    short_points = T.tensor([[1, 2], [3, 4]], dtype=T.short)
    record += [str(short_points.dtype).split(".")[-1], str(double_points.dtype).split(".")[-1],
               str(T.zeros(10, 2).to(dtype=T.short).dtype).split(".")[-1],
               str(points.type(T.short).dtype).split(".")[-1], points.short().numpy()]
    a = T.ones(3, 2)
    a_t = T.transpose(a, 0, 1)
    record += [tuple(a_t.shape), a.transpose(0, 1).shape == a_t.shape]
    a.zero_()
    a.add_(2.0).mul_(points[:, :1])
    record.append(a.numpy().copy())


def test_chapter3_tensors_and_storage(torch) -> None:
    got, want = [], []
    _tensors(ag, got)
    _tensors(torch, want)
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f"record {i}")
        else:
            assert tuple(a) == tuple(b) if isinstance(a, tuple) else a == b, f"record {i}"


def test_chapter3_numpy_interop_and_serialization(tmp_path) -> None:
    points = ag.ones(3, 4)
    points_np = points.numpy()
    points = ag.from_numpy(points_np)
    points_np[0, 0] = 5.0  # the same memory, as in PyTorch
    assert points[0, 0].item() == 5.0
    # the book: torch.save(points, path) and torch.load(path); nn.save keeps NumPy's format
    nn.save(points, tmp_path / "ourpoints.t")
    np.testing.assert_array_equal(np.asarray(nn.load(tmp_path / "ourpoints.t")), points_np)


# ------------------------------------------------------------------ chapter 5: thermometer
def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    squared_diffs = (t_p - t_c) ** 2
    return squared_diffs.mean()


def dloss_fn(t_p, t_c):
    dsq_diffs = 2 * (t_p - t_c) / t_p.size(0)
    return dsq_diffs


def dmodel_dw(t_u, w, b):
    return t_u


def dmodel_db(t_u, w, b):
    return 1.0


def grad_fn(T, t_u, t_c, t_p, w, b):
    dloss_dtp = dloss_fn(t_p, t_c)
    dloss_dw = dloss_dtp * dmodel_dw(t_u, w, b)
    dloss_db = dloss_dtp * dmodel_db(t_u, w, b)
    return T.stack([dloss_dw.sum(), dloss_db.sum()])


def training_loop_by_hand(T, n_epochs, learning_rate, params, t_u, t_c, record):
    for epoch in range(1, n_epochs + 1):
        w, b = params
        t_p = model(t_u, w, b)
        loss = loss_fn(t_p, t_c)
        grad = grad_fn(T, t_u, t_c, t_p, w, b)
        params = params - learning_rate * grad
        record.append(float(loss))
    return params


def _gradient_by_hand(T, record) -> None:
    t_c, t_u = T.tensor(T_C), T.tensor(T_U)
    w = T.ones(())
    b = T.zeros(())
    loss = loss_fn(model(t_u, w, b), t_c)
    delta = 0.1
    loss_rate_of_change_w = (loss_fn(model(t_u, w + delta, b), t_c) -
                             loss_fn(model(t_u, w - delta, b), t_c)) / (2.0 * delta)
    learning_rate = 1e-2
    w = w - learning_rate * loss_rate_of_change_w
    record += [loss.item(), w.item()]
    with np.errstate(over="ignore", invalid="ignore"):  # it diverges, as the book shows
        params = training_loop_by_hand(T, 10, 1e-2, T.tensor([1.0, 0.0]), t_u, t_c, [])
    record.append(bool(T.isinf(params).any() or params.abs().max() > 1e10))
    t_un = 0.1 * t_u
    params = training_loop_by_hand(T, 300, 1e-2, T.tensor([1.0, 0.0]), t_un, t_c, record)
    record.append(params.numpy().copy())


def test_chapter5_gradient_by_hand(torch) -> None:
    got, want = [], []
    _gradient_by_hand(ag, got)
    _gradient_by_hand(torch, want)
    assert got[2] is True and want[2] is True
    assert_records(got, want)


def training_loop_autograd(T, n_epochs, learning_rate, params, t_u, t_c, record):
    for epoch in range(1, n_epochs + 1):
        if params.grad is not None:
            params.grad.zero_()
        t_p = model(t_u, *params)
        loss = loss_fn(t_p, t_c)
        loss.backward()
        with T.no_grad():
            params -= learning_rate * params.grad
        record += [loss.item(), params.grad.numpy().copy()]
    return params


def _gradient_by_autograd(T, record) -> None:
    t_c, t_u = T.tensor(T_C), T.tensor(T_U)
    params = T.tensor([1.0, 0.0], requires_grad=True)
    record.append(params.grad is None)
    loss = loss_fn(model(t_u, *params), t_c)
    loss.backward()
    record.append(params.grad.numpy().copy())
    loss = loss_fn(model(t_u, *params), t_c)
    loss.backward()  # gradients accumulate...
    record.append(params.grad.numpy().copy())
    if params.grad is not None:
        params.grad.zero_()  # ...until zeroed
    record.append(params.grad.numpy().copy())
    params = training_loop_autograd(T, 100, 1e-2, T.tensor([1.0, 0.0], requires_grad=True),
                                    0.1 * t_u, t_c, record)
    record.append(params.detach().numpy().copy())


def test_chapter5_gradient_by_autograd(torch) -> None:
    got, want = [], []
    _gradient_by_autograd(ag, got)
    _gradient_by_autograd(torch, want)
    assert got[0] is True and want[0] is True
    np.testing.assert_allclose(got[2], 2 * got[1])
    assert_records(got, want)


def training_loop_optimizer(n_epochs, optimizer, params, t_u, t_c, record):
    for epoch in range(1, n_epochs + 1):
        t_p = model(t_u, *params)
        loss = loss_fn(t_p, t_c)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss.item(), params.detach().numpy().copy()]
    return params


def training_loop_split(T, n_epochs, optimizer, params, train_t_u, val_t_u, train_t_c,
                        val_t_c, record):
    for epoch in range(1, n_epochs + 1):
        train_t_p = model(train_t_u, *params)
        train_loss = loss_fn(train_t_p, train_t_c)
        with T.no_grad():
            val_t_p = model(val_t_u, *params)
            val_loss = loss_fn(val_t_p, val_t_c)
            assert val_loss.requires_grad is False
        optimizer.zero_grad()
        train_loss.backward()
        optimizer.step()
        record += [f"Epoch {epoch}, Training loss {train_loss.item():.4f},"
                   f" Validation loss {val_loss.item():.4f}"]
    return params


def _optimizers(T, optim, shuffled_indices, record) -> None:
    t_c, t_u = T.tensor(T_C), T.tensor(T_U)
    t_un = 0.1 * t_u
    assert "SGD" in dir(optim) and "Adam" in dir(optim)
    params = T.tensor([1.0, 0.0], requires_grad=True)
    learning_rate = 1e-5
    optimizer = optim.SGD([params], lr=learning_rate)
    t_p = model(t_u, *params)
    loss = loss_fn(t_p, t_c)
    loss.backward()
    optimizer.step()  # without zero_grad first: the book's first try
    record.append(params.detach().numpy().copy())
    params = T.tensor([1.0, 0.0], requires_grad=True)
    optimizer = optim.SGD([params], lr=1e-2)
    training_loop_optimizer(50, optimizer, params, t_un, t_c, record)
    params = T.tensor([1.0, 0.0], requires_grad=True)
    optimizer = optim.Adam([params], lr=1e-1)
    training_loop_optimizer(50, optimizer, params, t_u, t_c, record)

    n_samples = t_u.shape[0]
    n_val = int(0.2 * n_samples)
    # the book: shuffled_indices = torch.randperm(n_samples) (drawn once, for both runs)
    train_indices = shuffled_indices[:-n_val]
    val_indices = shuffled_indices[-n_val:]
    train_t_u, train_t_c = t_u[train_indices], t_c[train_indices]
    val_t_u, val_t_c = t_u[val_indices], t_c[val_indices]
    train_t_un, val_t_un = 0.1 * train_t_u, 0.1 * val_t_u
    params = T.tensor([1.0, 0.0], requires_grad=True)
    optimizer = optim.SGD([params], lr=1e-2)
    training_loop_split(T, 50, optimizer, params, train_t_un, val_t_un, train_t_c, val_t_c,
                        record)
    record.append(params.detach().numpy().copy())

    def calc_forward(t_u, t_c, is_train):
        with T.set_grad_enabled(is_train):
            t_p = model(t_u, *params)
            loss = loss_fn(t_p, t_c)
        return loss

    record += [calc_forward(train_t_un, train_t_c, True).requires_grad,
               calc_forward(val_t_un, val_t_c, False).requires_grad]


def test_chapter5_optimizers_and_validation_split(torch) -> None:
    shuffled_indices = ag.randperm(len(T_U))
    assert sorted(shuffled_indices.tolist()) == list(range(len(T_U)))
    assert str(shuffled_indices.dtype) == "int64"
    got, want = [], []
    _optimizers(ag, nn.optim, shuffled_indices, got)
    _optimizers(torch, torch.optim, torch.tensor(shuffled_indices.numpy()), want)
    assert got[-2:] == want[-2:] == [True, False]
    assert [r for r in got if isinstance(r, str)] == [r for r in want if isinstance(r, str)]
    assert_records([r for r in got if not isinstance(r, str)],
                   [r for r in want if not isinstance(r, str)])
