"""Session 36 findings on activation checkpointing and checkpoint files.

The checkpoint's node now has as inputs exactly the tensors the block read (a closure's
non-leaf tensor too), and every run of the block reads stand-ins for them: hooks and
``retain_grad`` on those tensors see their whole gradient once, ``autograd.grad`` reaches
a non-leaf one, and an in-place change of an argument inside the block is refused at
backward instead of being applied twice. ``checkpoint_sequential`` refuses too many
segments and unknown keywords clearly; ``nn.load`` knows ``torch.load``'s ``mmap`` and
its unpickler's options, and ``path`` may name an object. Expected values come from the
plain (uncheckpointed) run of the same block, or by hand."""

import io
import pickle
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import InplaceError, UsageError
from nn.checkpoint import checkpoint, checkpoint_sequential
from nn.errors import ArgumentTypeError

X = np.random.default_rng(36).standard_normal((3, 4))
GLOBAL_W = None  # a module-level tensor a block reads (set by a test)


def ckpt(function, *args, **kwargs):
    return checkpoint(function, *args, use_reentrant=False, **kwargs)


@pytest.fixture(autouse=True)
def no_fallback_warning():
    """Every block here is checkpointed (none runs plainly with a warning) unless the
    test says otherwise."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="checkpoint:")
        yield


# ----------------------------------------------------------------- finding 1


def test_an_in_place_change_of_an_argument_in_the_block_is_refused_at_backward() -> None:
    a = ag.tensor(np.zeros(3))
    p = ag.tensor(np.ones(3), requires_grad=True)
    out = ckpt(lambda a, p: a.add_(1) * p, a, p)
    np.testing.assert_array_equal(out.detach().numpy(), np.ones(3))
    with pytest.raises(InplaceError, match="changed its tensor argument 0"):
        out.sum().backward()
    np.testing.assert_array_equal(a.numpy(), np.ones(3))  # changed once, not twice
    assert p.grad is None


def test_an_in_place_change_of_an_argument_that_requires_grad_names_the_checkpoint() -> None:
    y = ag.tensor(X, requires_grad=True) * 1
    with pytest.raises(InplaceError, match="checkpoint: .*must not change them in place"):
        ckpt(lambda t: t.mul_(2), y)


# ----------------------------------------------------------------- finding 2


def clipped_hook_run(use_checkpoint: bool):
    """x -> y = 3x; out = a * y (a block closing over y) plus y.sum(); a hook on y clips
    its gradient at 1 and records each gradient it sees."""
    x = ag.tensor(np.ones(3), requires_grad=True)
    y = x * 3
    seen = []
    y.register_hook(lambda g: (seen.append(g.numpy().copy()), g.clip(None, 1.0))[1])
    a = ag.tensor(np.ones(3)) * 2

    def block(t):
        return t * y

    out = ckpt(block, a) if use_checkpoint else block(a)
    (out.sum() + y.sum()).backward()
    return seen, x.grad.numpy()


def test_a_hook_on_a_closure_non_leaf_sees_its_whole_gradient_once() -> None:
    seen, x_grad = clipped_hook_run(True)
    want_seen, want_x_grad = clipped_hook_run(False)
    assert len(seen) == len(want_seen) == 1
    np.testing.assert_allclose(seen[0], want_seen[0])  # 2 (the block) + 1 (y.sum())
    np.testing.assert_allclose(seen[0], np.full(3, 3.0))
    np.testing.assert_allclose(x_grad, want_x_grad)  # the clipped 1, times dy/dx = 3
    np.testing.assert_allclose(x_grad, np.full(3, 3.0))


def test_a_hook_on_a_parameter_runs_once_with_its_whole_gradient() -> None:
    results = []
    for use_checkpoint in (False, True):
        lin = nn.Linear(4, 2)
        lin.load_state_dict({"weight": np.ones((2, 4)), "bias": np.zeros(2)})
        seen = []
        lin.weight.register_hook(lambda g: (seen.append(1), g * 2)[1])
        x = ag.tensor(X)
        out = ckpt(lin, x) if use_checkpoint else lin(x)
        (out.sum() + lin.weight.sum()).backward()
        results.append((len(seen), lin.weight.grad.numpy()))
    assert results[0][0] == results[1][0] == 1
    np.testing.assert_allclose(results[1][1], results[0][1])
    np.testing.assert_allclose(results[1][1], 2 * (X.sum(0) + 1) * np.ones((2, 1)))


def test_retain_grad_on_a_closure_non_leaf_equals_the_plain_run() -> None:
    grads = []
    for use_checkpoint in (False, True):
        x = ag.tensor(X, requires_grad=True)
        y = x.tanh()
        y.retain_grad()
        block = lambda t: (t * y).sin()  # noqa: E731
        a = ag.tensor(X * 2)
        out = ckpt(block, a) if use_checkpoint else block(a)
        (out.sum() + y.pow(2).sum()).backward()
        grads.append((y.grad.numpy(), x.grad.numpy()))
    for got, want in zip(*grads[::-1]):
        np.testing.assert_allclose(got, want, rtol=1e-13)


# ----------------------------------------------------------------- finding 3


def test_autograd_grad_reaches_a_non_leaf_in_a_list_argument_and_in_a_closure() -> None:
    x = ag.tensor(np.arange(3.0), requires_grad=True)
    y = x * 3
    (by_list,) = ag.grad(ckpt(lambda items: items[0] ** 2, [y]).sum(), [y])
    (by_closure,) = ag.grad(ckpt(lambda a: a * y ** 2, ag.tensor(np.ones(3))).sum(), [y])
    np.testing.assert_allclose(by_list.numpy(), 2 * y.detach().numpy())
    np.testing.assert_allclose(by_closure.numpy(), 2 * y.detach().numpy())


def test_a_module_level_tensor_the_block_reads_gets_its_gradient() -> None:
    global GLOBAL_W
    GLOBAL_W = ag.tensor(X[0], requires_grad=True)
    try:
        out = ckpt(_reads_the_global, ag.tensor(X))
        out.sum().backward()
        np.testing.assert_allclose(GLOBAL_W.grad.numpy(), (np.cos(X * X[0]) * X).sum(0),
                                   rtol=1e-13)
    finally:
        GLOBAL_W = None


def _reads_the_global(t):
    return (t * GLOBAL_W).sin()


def test_a_double_backward_through_a_closure_non_leaf_equals_the_plain_run() -> None:
    found = []
    for use_checkpoint in (False, True):
        x = ag.tensor(X, requires_grad=True)
        w = ag.tensor(X[1], requires_grad=True)
        scale = w * 2  # a non-leaf the block closes over
        block = lambda t: (t * scale).tanh()  # noqa: E731
        out = ckpt(block, x) if use_checkpoint else block(x)
        (g,) = ag.grad(out.sum(), [x], create_graph=True)
        found.append([t.numpy() for t in ag.grad(g.pow(2).sum(), [x, w])])
    for got, want in zip(found[1], found[0]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_a_checkpoint_inside_a_checkpointed_block_equals_the_plain_run() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2))
    grads = []
    for use_checkpoint in (False, True):
        model.zero_grad()
        x = ag.tensor(X, requires_grad=True)
        if use_checkpoint:
            out = ckpt(lambda t: model[2](ckpt(model[:2], t)), x)
        else:
            out = model(x)
        out.pow(2).sum().backward()
        grads.append([x.grad.numpy()] + [p.grad.numpy().copy() for p in model.parameters()])
    for got, want in zip(*grads[::-1]):
        np.testing.assert_allclose(got, want, rtol=1e-13)


class Holder:
    """A plain object (no Module) holding a tensor the block reads."""

    def __init__(self) -> None:
        self.w = ag.tensor(X[2], requires_grad=True)


def test_a_tensor_read_from_a_plain_object_runs_plainly_with_a_warning() -> None:
    holder = Holder()
    seen = []
    holder.w.register_hook(lambda g: seen.append(g.numpy().copy()))
    x = ag.tensor(X, requires_grad=True)
    with pytest.warns(UserWarning, match="ran without checkpointing"):
        out = ckpt(lambda t: (t * holder.w).sin(), x)
    out.sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(holder.w.grad.numpy(), (np.cos(X * X[2]) * X).sum(0),
                               rtol=1e-13)
    np.testing.assert_allclose(x.grad.numpy(), np.cos(X * X[2]) * X[2], rtol=1e-13)


# ----------------------------------------------------------------- finding 8


def test_a_block_may_return_a_tuple_with_other_items_than_tensors() -> None:
    grads = []
    for use_checkpoint in (False, True):
        x = ag.tensor(X, requires_grad=True)
        block = lambda t: (None, t.sin(), 3, t * 2)  # noqa: E731
        out = ckpt(block, x) if use_checkpoint else block(x)
        assert out[0] is None and out[2] == 3 and len(out) == 4
        (out[1].sum() + out[3].pow(2).sum()).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-14)


# ----------------------------------------------------------------- findings 5, 6


def test_checkpoint_sequential_refuses_more_segments_than_modules() -> None:
    x = ag.tensor(X, requires_grad=True)
    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
    with pytest.raises(UsageError, match=r"segments \(5\) is more than the number of "
                                         r"modules \(2\)"):
        checkpoint_sequential(model, 5, x, use_reentrant=False)
    with pytest.raises(UsageError, match="holds no modules"):
        checkpoint_sequential([], 1, x, use_reentrant=False)


def test_checkpoint_sequential_takes_only_pytorchs_keywords_and_numpy_segments() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2))
    x = ag.tensor(X, requires_grad=True)
    with pytest.raises(UsageError, match="unexpected keyword argument.*foo"):
        checkpoint_sequential(model, 2, x, use_reentrant=False, foo=1)
    out = checkpoint_sequential(model, np.int64(2), x, use_reentrant=False,
                                preserve_rng_state=False)
    np.testing.assert_allclose(out.detach().numpy(), model(x).detach().numpy())


# ----------------------------------------------------------------- findings 7, 11


def test_load_accepts_mmap_and_refuses_the_unpicklers_options(tmp_path) -> None:
    path = str(tmp_path / "k.npz")
    nn.save(path, t=ag.tensor(np.ones(2)))
    for mmap in (True, False, None):
        np.testing.assert_array_equal(nn.load(path, mmap=mmap)["t"].numpy(), np.ones(2))
    with pytest.raises(ArgumentTypeError, match="mmap must be True or False"):
        nn.load(path, mmap="yes")
    for name, value in (("pickle_module", pickle), ("encoding", "latin1")):
        with pytest.raises(UsageError, match=f"{name}=.*never unpickled"):
            nn.load(path, **{name: value})


def test_an_object_may_be_named_path_or_like_a_torch_load_keyword(tmp_path) -> None:
    path = str(tmp_path / "k.npz")
    model = nn.Linear(2, 2)
    nn.save(path, path=3, map_location=model)
    assert nn.load_into(path)["path"] == 3
    other = nn.Linear(2, 2)
    with pytest.raises(UsageError, match="nn.load_into\\(path, map_location=obj\\)"):
        nn.load(path, map_location=other)
    nn.load_into(path, map_location=other)
    np.testing.assert_array_equal(other.weight.detach().numpy(), model.weight.detach().numpy())
    stream = io.BytesIO()
    nn.save(stream, path=model)
    stream.seek(0)
    restored = nn.Linear(2, 2)
    nn.load(stream, path=restored)
    np.testing.assert_array_equal(restored.bias.detach().numpy(),
                                  model.bias.detach().numpy())
