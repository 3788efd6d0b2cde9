"""Adam and AdamW update a group as one flat vector (``nn.optim.flat_params``) where they
can: the same numbers, bit for bit, as the parameter-by-parameter update, whatever the
options, dtypes and memory layouts; the per-parameter state stays PyTorch's (Tensors one
can read and edit, saved and loaded); and where the flat form does not apply (a parameter
without a gradient, mixed dtypes, unequal step counts, a subclass's own update, an array
stored as state) the parameter-by-parameter update runs."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn.optim import Adam, AdamW


class PerParameterAdam(Adam):
    """The reference: Adam that never takes the flat path."""

    def _flat_step(self, group):
        return False


class PerParameterAdamW(AdamW):
    def _flat_step(self, group):
        return False


def _model(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(5, 4, rng=rng, dtype=dtype), nn.Tanh(),
                         nn.Linear(4, 3, rng=rng, dtype=dtype))


def _train(optimizer_class, dtype=np.float32, steps=6, between=None, **options):
    model = _model(dtype)
    optimizer = optimizer_class(model.parameters(), lr=0.05, **options)
    x = ag.Tensor(np.random.default_rng(1).standard_normal((7, 5)).astype(dtype))
    for step in range(steps):
        optimizer.zero_grad()
        ((model(x) - 0.5) ** 2).sum().backward()
        if between is not None:
            between(step, model, optimizer)
        optimizer.step()
    return model, optimizer


def _same(a, b):
    for p, q in zip(a[0].parameters(), b[0].parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    for p, q in zip(a[0].parameters(), b[0].parameters()):
        ours, theirs = a[1].state[p], b[1].state[q]
        assert ours.keys() == theirs.keys()
        for key in ours:
            np.testing.assert_array_equal(_values(ours[key]), _values(theirs[key]),
                                          err_msg=key)


def _values(entry):
    """A state entry's numbers (a Tensor's, or a plain number a user stored)."""
    return np.asarray(entry.numpy() if isinstance(entry, ag.Tensor) else entry)


OPTIONS = [{}, {"amsgrad": True}, {"maximize": True}, {"weight_decay": 0.1},
           {"weight_decay": 0.1, "decoupled_weight_decay": True},
           {"betas": (0.5, 0.9), "eps": 1e-3, "amsgrad": True, "maximize": True}]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_the_flat_update_is_the_per_parameter_update_bit_for_bit(dtype, options):
    flat = _train(Adam, dtype, **options)
    assert flat[1]._flat, "the flat path was not taken"
    _same(flat, _train(PerParameterAdam, dtype, **options))


def test_adamw_too():
    _same(_train(AdamW, weight_decay=0.3), _train(PerParameterAdamW, weight_decay=0.3))


def test_a_gradient_laid_out_unlike_its_parameter_lines_up():
    """Linear's weight is F-ordered; a C-ordered gradient set by hand is joined in the
    weight's element order."""
    def c_ordered(step, model, optimizer):
        weight = model[0].weight
        assert weight.data.flags.f_contiguous and not weight.data.flags.c_contiguous
        weight.grad = ag.Tensor(np.ascontiguousarray(weight.grad.numpy()))
    _same(_train(Adam, between=c_ordered), _train(PerParameterAdam, between=c_ordered))


def test_the_state_is_pytorchs_tensors_on_the_flat_vectors():
    model, optimizer = _train(Adam)
    weight = model[0].weight
    state = optimizer.state[weight]
    assert isinstance(state["exp_avg"], ag.Tensor) and state["exp_avg"].shape == weight.shape
    assert state["step"].item() == 6.0
    state["exp_avg"].mul_(0)  # a PyTorch habit: editing the state in place
    reference = _train(PerParameterAdam)
    reference[1].state[reference[0][0].weight]["exp_avg"].mul_(0)
    for pair in ((model, optimizer), reference):
        pair[1].step()
    _same((model, optimizer), reference)


def test_a_loaded_state_dict_continues_as_the_uninterrupted_run():
    uninterrupted = _train(Adam, steps=8, amsgrad=True)

    def reload(step, model, optimizer):
        if step == 4:
            saved = optimizer.state_dict()
            fresh = Adam(model.parameters(), lr=0.05, amsgrad=True)
            fresh.load_state_dict(saved)
            optimizer.__dict__.update(fresh.__dict__)  # the same object from now on
    _same(_train(Adam, steps=8, between=reload, amsgrad=True), uninterrupted)


def test_amsgrad_switched_on_midway():
    def switch(step, model, optimizer):
        if step == 3:
            optimizer.param_groups[0]["amsgrad"] = True
    _same(_train(Adam, between=switch), _train(PerParameterAdam, between=switch))


def test_a_parameter_without_a_gradient_some_steps():
    """Those steps go parameter by parameter; the step counts then differ, and so do the
    later steps: the results are the reference's."""
    def drop(step, model, optimizer):
        if step in (1, 2):
            model[2].bias.grad = None
    flat = _train(Adam, between=drop)
    _same(flat, _train(PerParameterAdam, between=drop))
    counts = {optimizer_state["step"].item() for optimizer_state in flat[1].state.values()}
    assert counts == {6.0, 4.0}


def test_mixed_dtypes_and_stored_arrays_go_parameter_by_parameter():
    a = ag.Tensor(np.ones(3, np.float32), requires_grad=True)
    b = ag.Tensor(np.ones(2), requires_grad=True)
    optimizer = Adam([a, b], lr=0.1)
    (a.sum() + (b * b).sum()).backward()
    optimizer.step()
    assert not optimizer._flat
    c = ag.Tensor(np.ones(3), requires_grad=True)
    optimizer = Adam([c], lr=0.1)
    (c * c).sum().backward()
    optimizer.step()
    optimizer.state[c]["exp_avg"] = np.zeros(3)  # an array, as a user may store it
    optimizer.step()
    assert isinstance(optimizer.state[c]["exp_avg"], np.ndarray)


def test_a_subclass_with_its_own_update_is_never_flat():
    calls = []

    class Logged(Adam):
        def _update(self, param, grad, state, group):
            calls.append(param.shape)
            super()._update(param, grad, state, group)
    model, optimizer = _train(Logged, steps=2)
    assert len(calls) == 8 and not optimizer._flat


@pytest.mark.parametrize("reset", ["data", "entry", "all state"])
def test_state_replaced_by_the_user_is_taken_up(reset):
    """``state["exp_avg"].data = ...``, ``state["exp_avg"] = ...`` and PyTorch's reset
    habit ``optimizer.state = defaultdict(dict)`` between steps: the flat update reads
    what the user put there, as the parameter-by-parameter one does."""
    from collections import defaultdict

    def replace(step, model, optimizer):
        if step != 3:
            return
        state = optimizer.state[model[0].weight]
        if reset == "data":
            state["exp_avg"].data = np.full_like(state["exp_avg"].numpy(), 0.25)
        elif reset == "entry":
            state["exp_avg_sq"] = ag.Tensor(np.full_like(state["exp_avg_sq"].numpy(), 0.5))
        else:
            optimizer.state = defaultdict(dict)
    _same(_train(Adam, between=replace), _train(PerParameterAdam, between=replace))


def test_the_step_counts_are_one_vector_counted_at_once():
    """Each ``state[p]["step"]`` is a 0-d float64 Tensor (PyTorch's) on one element of
    the group's count vector: one ``+= 1`` counts a step for every parameter."""
    model, optimizer = _train(Adam, steps=3)
    steps = [optimizer.state[p]["step"] for p in model.parameters()]
    assert all(s.shape == () and s.dtype == np.float64 and s.item() == 3.0 for s in steps)
    vector = steps[0].numpy().base
    assert vector is not None and all(s.numpy().base is vector for s in steps)
    optimizer.step()
    assert [s.item() for s in steps] == [4.0] * len(steps)  # the same Tensors, counted


@pytest.mark.parametrize("edit", ["in place", "a number", "a new Tensor", "data"])
def test_a_step_count_changed_by_the_user_is_taken_up(edit):
    """One parameter's count set apart (in place, as a plain number as older code stored
    it, as a new Tensor, or a new ``.data``): that step goes parameter by parameter and
    the bias corrections use each parameter's own count, as the reference's do."""
    def change(step, model, optimizer):
        if step != 3:
            return
        state = optimizer.state[model[2].weight]
        if edit == "in place":
            state["step"].fill_(10.0)
        elif edit == "a number":
            state["step"] = 10
        elif edit == "a new Tensor":
            state["step"] = ag.Tensor(np.array(10.0))
        else:
            state["step"].data = np.array(10.0)
    flat = _train(Adam, between=change)
    _same(flat, _train(PerParameterAdam, between=change))
    counts = sorted(float(_values(s["step"])) for s in flat[1].state.values())
    assert counts == [6.0] * 3 + [13.0]
