"""Activation checkpointing, PyTorch's ``torch.utils.checkpoint`` (``checkpoint(block, x,
use_reentrant=False)``, ``checkpoint_sequential(model, segments, x)``), as
``nn.checkpoint.checkpoint``: it was missing (``nn.checkpoint`` only saved files, and the
error of ``saved_tensors_hooks`` pointed to a checkpoint that did not exist). Gradients
equal the plain run's and PyTorch's, dropout replays its draws, the block's
intermediates are freed after its forward, and ``autograd.grad`` and double backward
work through it, also for a block that closes over its modules."""

import gc
import weakref

import numpy as np
import pytest

import autograd as ag
import nn
import nn.checkpoint
from autograd import UnsupportedError, UsageError
from nn.checkpoint import checkpoint, checkpoint_sequential

X = np.random.default_rng(0).standard_normal((5, 4))


def model_of(nn_lib):
    return nn_lib.Sequential(nn_lib.Linear(4, 6), nn_lib.Tanh(), nn_lib.Linear(6, 6),
                             nn_lib.Sigmoid(), nn_lib.Linear(6, 3), nn_lib.Tanh(),
                             nn_lib.Linear(3, 2))


def twin(torch):
    """(ours, theirs): the same model in both libraries."""
    theirs = model_of(torch.nn)
    ours = model_of(nn)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def grads(model, x) -> list:
    return [x.grad.numpy()] + [p.grad.numpy() for p in model.parameters()]


@pytest.mark.parametrize("reentrant", [False, True])
def test_block_gradients_match_pytorch(torch, reentrant) -> None:
    ours, theirs = twin(torch)
    results = []
    for lib, model, ckpt in ((ag, ours, checkpoint),
                             (torch, theirs, torch.utils.checkpoint.checkpoint)):
        x = lib.tensor(X.copy(), requires_grad=True)
        h = ckpt(model[:4], x, use_reentrant=reentrant)
        loss = ckpt(model[4:], h, use_reentrant=reentrant).pow(2).sum()
        loss.backward()
        results.append([loss.detach().numpy()] + grads(model, x))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_checkpoint_sequential_matches_pytorch(torch) -> None:
    ours, theirs = twin(torch)
    results = []
    for lib, model, seq in ((ag, ours, checkpoint_sequential),
                            (torch, theirs, torch.utils.checkpoint.checkpoint_sequential)):
        x = lib.tensor(X.copy(), requires_grad=True)
        seq(model, 3, x, use_reentrant=False).pow(2).sum().backward()
        results.append(grads(model, x))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_dropout_replays_its_draws_and_gradients_equal_the_plain_run() -> None:
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
    runs = []
    for wrap in (False, True):
        ag.manual_seed(3)
        x = ag.tensor(X, requires_grad=True)
        out = checkpoint(model, x, use_reentrant=False) if wrap else model(x)
        out.pow(2).sum().backward()
        runs.append(grads(model, x) + [ag.randn(3).numpy()])  # the generator after, too
        model.zero_grad()
    for got, want in zip(*runs):
        np.testing.assert_array_equal(got, want)


class Keeper(nn.Module):
    """A block that keeps a weak reference to one of its intermediates."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.refs = []

    def forward(self, x):
        h = self.lin(x).tanh()
        self.refs.append(weakref.ref(h))
        return h * 2


def test_intermediates_are_freed_after_the_forward() -> None:
    block = Keeper()
    x = ag.tensor(X, requires_grad=True)
    plain = block(x)
    gc.collect()
    assert block.refs[0]() is not None  # the plain graph keeps it for backward
    kept = checkpoint(block, x, use_reentrant=False)
    gc.collect()
    assert block.refs[1]() is None  # the checkpoint's graph does not
    kept.sum().backward()
    want = ag.grad(plain.sum(), [x, block.lin.weight])
    np.testing.assert_allclose(x.grad.numpy(), want[0].numpy(), rtol=1e-14)
    np.testing.assert_allclose(block.lin.weight.grad.numpy(), want[1].numpy(), rtol=1e-14)


def test_autograd_grad_reaches_the_parameters_of_a_checkpointed_module() -> None:
    model = model_of(nn)
    x = ag.tensor(X)  # no input needs to require grad (PyTorch's reentrant one needs one)
    params = list(model.parameters())
    got = ag.grad(checkpoint(model, x, use_reentrant=True).sum(), params)
    want = ag.grad(model(x).sum(), params)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-14)
    assert all(p.grad is None for p in params)


def test_a_closure_over_modules_with_integer_inputs_matches_pytorch(torch) -> None:
    """No input requires grad (token ids), and the block closes over its modules:
    PyTorch's non-reentrant checkpoint still reaches their parameters, and so does ours,
    for backward() and for autograd.grad."""
    results = []
    ids = np.array([[1, 2, 3], [4, 5, 6]])
    their_emb = their_lin = None
    for lib, nn_lib, ckpt, grad in ((torch, torch.nn, torch.utils.checkpoint.checkpoint,
                                     torch.autograd.grad), (ag, nn, checkpoint, ag.grad)):
        emb, lin = nn_lib.Embedding(10, 4), nn_lib.Linear(4, 2)
        if lib is ag:
            emb.load_state_dict(their_emb)
            lin.load_state_dict(their_lin)
        else:
            their_emb = {k: v.numpy().copy() for k, v in emb.state_dict().items()}
            their_lin = {k: v.numpy().copy() for k, v in lin.state_dict().items()}

        def block(i, mask=None):
            h = lin(emb(i)).tanh()
            return h if mask is None else h * mask

        out = ckpt(block, lib.tensor(ids), use_reentrant=False, mask=None)
        params = [emb.weight, lin.weight, lin.bias]
        by_grad = grad(out.pow(2).sum(), params)
        ckpt(block, lib.tensor(ids), use_reentrant=False).pow(2).sum().backward()
        results.append([g.numpy() for g in by_grad] + [p.grad.numpy() for p in params])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_a_closure_over_a_model_matches_pytorch(torch) -> None:
    ours, theirs = twin(torch)
    results = []
    for lib, model, ckpt in ((ag, ours, checkpoint),
                             (torch, theirs, torch.utils.checkpoint.checkpoint)):
        def custom_forward(*inputs, model=model):  # HF's create_custom_forward(module)
            return model(inputs[0])

        x = lib.tensor(X.copy(), requires_grad=True)
        ckpt(custom_forward, x, use_reentrant=False).pow(2).sum().backward()
        results.append(grads(model, x))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_keywords_and_several_outputs(torch) -> None:
    results = []
    for lib, ckpt in ((ag, checkpoint), (torch, torch.utils.checkpoint.checkpoint)):
        def block(x, w, scale=1.0):
            return (x * w).tanh() * scale, x.sin() * w

        x = lib.tensor(X.copy(), requires_grad=True)
        w = lib.tensor(X[0].copy(), requires_grad=True)
        a, b = ckpt(block, x, w, use_reentrant=False, scale=lib.tensor(3.0))
        (a.sum() + b.pow(2).sum()).backward()
        results.append([x.grad.numpy(), w.grad.numpy()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_what_cannot_be_checkpointed_says_so() -> None:
    x = ag.tensor(X, requires_grad=True)
    with pytest.raises(UnsupportedError, match="selective activation checkpointing"):
        checkpoint(ag.tanh, x, use_reentrant=False, context_fn=lambda: None)
    with pytest.raises(UnsupportedError, match="must return a Tensor or a tuple"):
        checkpoint(lambda t: {"out": t.tanh()}, x, use_reentrant=False)
    with pytest.raises(UsageError, match="must be callable"):
        checkpoint(x, x)
    with pytest.raises(UsageError, match="segments must be an int"):
        checkpoint_sequential(model_of(nn), 0, x)


def test_the_names_pytorch_users_reach_for() -> None:
    assert nn.checkpoint.checkpoint is checkpoint
    with pytest.raises(AttributeError, match="torch.utils.checkpoint is nn.checkpoint"):
        ag.utils  # noqa: B018
    with pytest.raises(UsageError, match="nn.checkpoint.checkpoint"):
        ag.graph.saved_tensors_hooks(None, None)


def test_a_gradient_penalty_through_a_checkpoint_matches_pytorch(torch) -> None:
    """Double backward (WGAN-GP's penalty): the gradient's own graph reaches the input and
    the parameters, as PyTorch's non-reentrant checkpoint's does."""
    ours, theirs = twin(torch)
    results = []
    for lib, model, ckpt, grad in ((ag, ours, checkpoint, ag.grad),
                                   (torch, theirs, torch.utils.checkpoint.checkpoint,
                                    torch.autograd.grad)):
        x = lib.tensor(X.copy(), requires_grad=True)
        out = ckpt(model, x, use_reentrant=False)
        (g,) = grad(out.sum(), [x], create_graph=True)
        penalty = (g.norm(2, dim=1) - 1).pow(2).mean()
        found = grad(penalty, [x] + list(model.parameters()), allow_unused=True)
        results.append([None if t is None else t.numpy() for t in found])
    assert [t is None for t in results[0]] == [t is None for t in results[1]]
    results = [[t for t in run if t is not None] for run in results]
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-14)


def test_a_closure_over_a_computed_tensor_matches_pytorch(torch) -> None:
    """A decoder block that closes over the encoder's output (used outside it too): the
    gradient through that tensor reaches the encoder and the input, as PyTorch's."""
    results, start = [], []
    for lib, nn_lib, ckpt in ((torch, torch.nn, torch.utils.checkpoint.checkpoint),
                              (ag, nn, checkpoint)):
        enc, dec = nn_lib.Linear(4, 4), nn_lib.Linear(4, 4)
        if lib is ag:
            enc.load_state_dict(start[0])
            dec.load_state_dict(start[1])
        else:
            start = [{k: v.numpy().copy() for k, v in m.state_dict().items()}
                     for m in (enc, dec)]
        x = lib.tensor(X.copy(), requires_grad=True)
        memory = enc(x).tanh()
        out = ckpt(lambda h: dec(h) * memory, x, use_reentrant=False)
        (out.sum() + memory.pow(2).sum()).backward()
        results.append([x.grad.numpy()] + [p.grad.numpy() for p in
                                           list(enc.parameters()) + list(dec.parameters())])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
