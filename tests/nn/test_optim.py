"""Optimizers against independent NumPy transcriptions of their documented update rules."""
import math

import numpy as np
import pytest

import autograd
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop

SHAPES = [(3, 4), (5,), ()]
STEPS = 6


# ---------------------------------------------------------------- references
# Each reference follows the formula in the PyTorch docs for one parameter array p,
# given the list of gradients of successive steps; it returns p after every step.

def ref_sgd(p, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    out, b = [], None
    for t, g in enumerate(grads, start=1):
        if weight_decay != 0:
            g = g + weight_decay * p
        if momentum != 0:
            if t == 1:
                b = g
            else:
                b = momentum * b + (1 - dampening) * g
            if nesterov:
                g = g + momentum * b
            else:
                g = b
        p = p - lr * g
        out.append(p)
    return out


def ref_adagrad(p, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10):
    out = []
    state_sum = np.full_like(p, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        clr = lr / (1 + (t - 1) * lr_decay)
        if weight_decay != 0:
            g = g + weight_decay * p
        state_sum = state_sum + g * g
        p = p - clr * g / (np.sqrt(state_sum) + eps)
        out.append(p)
    return out


def ref_rmsprop(p, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False):
    out = []
    v = np.zeros_like(p)
    g_ave = np.zeros_like(p)
    b = np.zeros_like(p)
    for g in grads:
        if weight_decay != 0:
            g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g ** 2
        v_tilde = v
        if centered:
            g_ave = alpha * g_ave + (1 - alpha) * g
            v_tilde = v_tilde - g_ave ** 2
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            p = p - lr * b
        else:
            p = p - lr * g / (np.sqrt(v_tilde) + eps)
        out.append(p)
    return out


def ref_adam(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, decoupled=False):
    beta1, beta2 = betas
    out = []
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    v_max = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay != 0:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m_hat = m / (1 - beta1 ** t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - beta2 ** t)
        else:
            v_hat = v / (1 - beta2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


def ref_adamw(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
              amsgrad=False):
    return ref_adam(p, grads, lr, betas, eps, weight_decay, amsgrad, decoupled=True)


CASES = [
    (SGD, ref_sgd, dict(lr=0.1)),
    (SGD, ref_sgd, dict(lr=0.05, momentum=0.9)),
    (SGD, ref_sgd, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    (SGD, ref_sgd, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (SGD, ref_sgd, dict(lr=0.05, momentum=0.7, nesterov=True, weight_decay=0.1)),
    (Adagrad, ref_adagrad, dict()),
    (Adagrad, ref_adagrad, dict(lr=0.1, lr_decay=0.05, weight_decay=0.02,
                                initial_accumulator_value=0.3, eps=1e-6)),
    (RMSprop, ref_rmsprop, dict()),
    (RMSprop, ref_rmsprop, dict(lr=0.01, alpha=0.9, momentum=0.5)),
    (RMSprop, ref_rmsprop, dict(centered=True, weight_decay=0.1)),
    (RMSprop, ref_rmsprop, dict(lr=0.003, centered=True, momentum=0.9, eps=1e-4)),
    (Adam, ref_adam, dict()),
    (Adam, ref_adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    (Adam, ref_adam, dict(lr=0.01, amsgrad=True)),
    (Adam, ref_adam, dict(lr=0.02, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.05,
                          amsgrad=True)),
    (AdamW, ref_adamw, dict()),
    (AdamW, ref_adamw, dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    (AdamW, ref_adamw, dict(lr=0.01, betas=(0.0, 0.5), weight_decay=0.0)),
]


def _ids(case):
    cls, _, kwargs = case
    return cls.__name__ + "(" + ",".join(f"{k}={v}" for k, v in kwargs.items()) + ")"


def random_problem(seed, shapes=SHAPES, steps=STEPS, dtype=np.float64):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s).astype(dtype) for s in shapes]
    # gradients of varied scale; some steps with sign changes, so amsgrad's max matters
    grads = [[(rng.standard_normal(s) * rng.uniform(0.1, 3.0)).astype(dtype) for s in shapes]
             for _ in range(steps)]
    return start, grads


def make_params(start):
    return [autograd.Tensor(x.copy(), requires_grad=True) for x in start]


def run(opt, params, grads_per_step):
    history = []
    for grads in grads_per_step:
        for p, g in zip(params, grads):
            p.grad = None if g is None else autograd.Tensor(g.copy())
        opt.step()
        history.append([p.data.copy() for p in params])
    return history


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_matches_documented_update_rule(case):
    cls, ref, kwargs = case
    start, grads = random_problem(seed=len(_ids(case)))
    params = make_params(start)
    history = run(cls(params, **kwargs), params, grads)
    for j, x0 in enumerate(start):
        expected = ref(x0, [g[j] for g in grads], **kwargs)
        for t in range(STEPS):
            np.testing.assert_allclose(history[t][j], expected[t], rtol=1e-12, atol=1e-15,
                                       err_msg=f"param {j}, step {t + 1}")


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_param_groups_use_their_own_hyper_parameters(case):
    cls, ref, kwargs = case
    start, grads = random_problem(seed=7, shapes=[(4,), (2, 3)])
    params = make_params(start)
    group_lr = kwargs.get("lr", 1e-2) * 3
    opt = cls([{"params": [params[0]]}, {"params": [params[1]], "lr": group_lr}], **kwargs)
    history = run(opt, params, grads)
    expected0 = ref(start[0], [g[0] for g in grads], **kwargs)
    expected1 = ref(start[1], [g[1] for g in grads], **{**kwargs, "lr": group_lr})
    np.testing.assert_allclose(history[-1][0], expected0[-1], rtol=1e-12)
    np.testing.assert_allclose(history[-1][1], expected1[-1], rtol=1e-12)


def test_sgd_groups_with_and_without_momentum_in_one_optimizer():
    """Plain SGD groups take the stateless loop, the others the general update."""
    start, grads = random_problem(seed=11, shapes=[(4,), (2, 3)])
    params = make_params(start)
    opt = SGD([{"params": [params[0]]}, {"params": [params[1]], "momentum": 0.9}], lr=0.1)
    history = run(opt, params, grads)
    expected0 = ref_sgd(start[0], [g[0] for g in grads], lr=0.1)
    expected1 = ref_sgd(start[1], [g[1] for g in grads], lr=0.1, momentum=0.9)
    np.testing.assert_allclose(history[-1][0], expected0[-1], rtol=1e-12)
    np.testing.assert_allclose(history[-1][1], expected1[-1], rtol=1e-12)
    assert opt.state[params[0]] == {}  # plain SGD keeps no state (as PyTorch)
    assert set(opt.state[params[1]]) == {"momentum_buffer"}
    assert list(opt.state_dict()["state"]) == [1]


@pytest.mark.parametrize("case", CASES[::2], ids=[_ids(c) for c in CASES[::2]])
def test_float32_stays_float32(case):
    cls, ref, kwargs = case
    start, grads = random_problem(seed=3, dtype=np.float32)
    params = make_params(start)
    opt = cls(params, **kwargs)
    history = run(opt, params, grads)
    for p in params:
        assert p.data.dtype == np.float32
        for value in opt.state[p].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32
    expected = ref(start[0].astype(np.float64), [g[0].astype(np.float64) for g in grads],
                   **kwargs)
    np.testing.assert_allclose(history[-1][0], expected[-1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_params_without_grad_are_untouched(case):
    cls, ref, kwargs = case
    start, grads = random_problem(seed=11, shapes=[(3,), (2, 2)])
    params = make_params(start)
    opt = cls(params, **kwargs)
    history = run(opt, params, [[g[0], None] for g in grads])
    np.testing.assert_array_equal(params[1].data, start[1])
    state = opt.state.get(params[1])  # none, or (Adagrad's, as PyTorch's) still at step 0
    assert not state or float(state["step"]) == 0
    expected = ref(start[0], [g[0] for g in grads], **kwargs)
    np.testing.assert_allclose(history[-1][0], expected[-1], rtol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_state_dict_round_trip_continues_identically(case):
    cls, _, kwargs = case
    start, grads = random_problem(seed=5, steps=6)
    params = make_params(start)
    opt = cls(params, **kwargs)
    run(opt, params, grads[:3])
    saved = opt.state_dict()
    snapshot = {k: {n: np.copy(v) for n, v in s.items()} for k, s in saved["state"].items()}

    clones = make_params([p.data for p in params])
    other = cls(clones, lr=0.123456)  # wrong lr on purpose: load_state_dict restores it
    other.load_state_dict(saved)
    assert other.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    expected = run(opt, params, grads[3:])
    got = run(other, clones, grads[3:])
    for a, b in zip(expected, got):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    for key, entry in saved["state"].items():  # the saved dict is a snapshot
        for name, value in entry.items():
            np.testing.assert_array_equal(value, snapshot[key][name])


def test_state_dict_format_is_plain_data():
    params = make_params(random_problem(0)[0])
    opt = Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.1}], amsgrad=True)
    run(opt, params, random_problem(0)[1][:2])
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sorted(sd["state"]) == [0, 1, 2]  # int keys, as PyTorch

    def check(x):
        if isinstance(x, dict):
            assert all(isinstance(k, int if x is sd["state"] else str) for k in x)
            for v in x.values():
                check(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                check(v)
        else:
            # state entries are Tensors, as PyTorch's (nn.save writes them as arrays)
            assert x is None or isinstance(x, (autograd.Tensor, bool, int, float, str)), type(x)
    check(sd)


def test_load_state_dict_rejects_mismatch():
    params = make_params([np.zeros((2, 3))])
    opt = Adam(params)
    run(opt, params, [[np.ones((2, 3))]])
    other = Adam(make_params([np.zeros((3, 2))]))
    with pytest.raises(ValueError, match=r"exp_avg.*shape \(2, 3\).*\(3, 2\)"):
        other.load_state_dict(opt.state_dict())
    two = Adam(make_params([np.zeros((2, 3)), np.zeros(1)]))
    with pytest.raises(ValueError, match="1 parameters, this optimizer has 2"):
        two.load_state_dict(opt.state_dict())


def test_zero_grad():
    params = make_params([np.ones(3), np.ones(2)])
    opt = SGD(params, lr=0.1)
    for p in params:
        p.grad = autograd.Tensor(np.full(p.shape, 5.0))
    opt.zero_grad(set_to_none=False)
    for p in params:
        np.testing.assert_array_equal(p.grad.data, np.zeros(p.shape))
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_step_with_closure_and_backward():
    w = autograd.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(w.data, np.array([1.0, -2.0]) * (1 - 2 * 0.25), rtol=1e-15)
    assert w.grad_fn is None  # the update recorded nothing


BAD = [
    (SGD, dict(lr=-0.1), r"^SGD: lr must be a finite number >= 0; got -0\.1\.$"),
    (SGD, dict(lr=float("nan")), r"SGD: lr must be .*; got nan"),
    (SGD, dict(lr=0.1, momentum=-0.5), r"SGD: momentum must be .*; got -0\.5"),
    (SGD, dict(lr=0.1, weight_decay=-1), r"SGD: weight_decay must be .*; got -1"),
    (SGD, dict(lr=0.1, nesterov=True), r"Invalid nesterov.*momentum > 0.*momentum=0"),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     r"Invalid nesterov.*dampening == 0"),
    (Adagrad, dict(lr_decay=-1e-3), r"Adagrad: lr_decay must be"),
    (Adagrad, dict(initial_accumulator_value=-1), r"initial_accumulator_value must be"),
    (Adagrad, dict(eps=-1e-10), r"Adagrad: eps must be"),
    (RMSprop, dict(alpha=1.5), r"RMSprop: alpha must be a number in \[0, 1\]; got 1\.5"),
    (RMSprop, dict(momentum=-0.1), r"RMSprop: momentum must be"),
    (Adam, dict(betas=(1.0, 0.999)), r"Adam: betas\[0\] must be a number in \[0, 1\); got 1\.0"),
    (Adam, dict(betas=(0.9, -0.1)), r"betas\[1\] must be .*; got -0\.1"),
    (Adam, dict(betas=(0.9,)), r"Invalid betas"),
    (Adam, dict(lr=-1e-3), r"Adam: lr must be .*; got -0\.001"),
    (AdamW, dict(weight_decay=-0.01), r"AdamW: weight_decay must be .*; got -0\.01"),
    (AdamW, dict(eps=-1.0), r"AdamW: eps must be .*; got -1\.0"),
]


@pytest.mark.parametrize("cls, kwargs, match", BAD)
def test_bad_hyper_parameters_raise(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(make_params([np.zeros(2)]), **kwargs)


def test_bad_hyper_parameter_in_a_group_raises():
    with pytest.raises(ValueError, match=r"SGD: lr must be .*; got -1"):
        SGD([{"params": make_params([np.zeros(2)]), "lr": -1}], lr=0.1)


def test_bad_params_raise():
    p = make_params([np.zeros(2)])[0]
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="ndarray"):
        SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


# ------------------------------------------------------------ torch, if present
TORCH_CASES = [(SGD, "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
               (Adagrad, "Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
               (RMSprop, "RMSprop", dict(centered=True, momentum=0.5, weight_decay=0.1)),
               (Adam, "Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
               (AdamW, "AdamW", dict(lr=0.01, weight_decay=0.1))]


@pytest.mark.parametrize("cls, torch_name, kwargs", TORCH_CASES,
                         ids=[c[1] for c in TORCH_CASES])
def test_matches_torch(cls, torch_name, kwargs):
    torch = pytest.importorskip("torch")
    start, grads = random_problem(seed=1)
    params = make_params(start)
    history = run(cls(params, **kwargs), params, grads)
    tparams = [torch.tensor(x, requires_grad=True) for x in start]
    topt = getattr(torch.optim, torch_name)(tparams, **kwargs)
    for step_grads, ours in zip(grads, history):
        for tp, g in zip(tparams, step_grads):
            tp.grad = torch.tensor(g)
        topt.step()
        for tp, x in zip(tparams, ours):
            np.testing.assert_allclose(x, tp.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert math.isfinite(float(history[-1][0].sum()))
