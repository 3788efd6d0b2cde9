"""nn.optim.LBFGS against torch.optim.LBFGS, step by step: the parameters, the returned
loss and the state after every step, with and without the strong-Wolfe line search, in
float64 and float32, on least squares, Rosenbrock and a tiny nn.Linear regression."""
import inspect

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F

torch = pytest.importorskip("torch")

STEPS = 6
RNG = np.random.default_rng(0)
A, B = RNG.standard_normal((8, 3)), RNG.standard_normal(8)
X, Y = RNG.standard_normal((10, 3)), RNG.standard_normal((10, 2))
TORCH_HAS_MAXIMIZE = "maximize" in inspect.signature(torch.optim.LBFGS).parameters


def least_squares(lib, params, dtype):
    (x,) = params
    a, b = lib(A.astype(dtype)), lib(B.astype(dtype))
    return ((a @ x - b) ** 2).mean()


def flat_least_squares(lib, params, dtype):
    """|g|_1 < 1 at the start: the first step is t = lr, not lr / |g|_1."""
    return least_squares(lib, params, dtype) * 1e-3


def rosenbrock(lib, params, dtype):
    (x,) = params
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def linear_regression(lib, params, dtype):
    weight, bias = params
    out = lib(X.astype(dtype)) @ weight.T + bias
    return ((out - lib(Y.astype(dtype))) ** 2).mean()


PROBLEMS = {
    "least_squares": (least_squares, [np.array([0.5, -1.0, 2.0])]),
    "flat_least_squares": (flat_least_squares, [np.array([0.5, -1.0, 2.0])]),
    "rosenbrock": (rosenbrock, [np.array([-1.5, 2.0])]),
    "linear": (linear_regression, [np.asfortranarray(RNG.standard_normal((2, 3))),
                                   RNG.standard_normal(2)]),
}


def ours(problem, dtype, **kwargs):
    loss_fn, start = PROBLEMS[problem]
    params = [autograd.Tensor(np.array(s, dtype=dtype, order="K"), requires_grad=True)
              for s in start]
    opt = nn.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn(autograd.Tensor, params, dtype)
        loss.backward()
        return loss
    return params, opt, closure


def theirs(problem, dtype, **kwargs):
    loss_fn, start = PROBLEMS[problem]
    params = [torch.tensor(np.ascontiguousarray(s, dtype=dtype), requires_grad=True)
              for s in start]
    opt = torch.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn(torch.tensor, params, dtype)
        loss.backward()
        return loss
    return params, opt, closure


def tolerances(dtype, reference=1.0):
    """Rounding differs (sums in another order) and ill-conditioned problems amplify it;
    ``reference``: the scale of a vector, for its entries near 0."""
    rtol = 1e-7 if dtype == np.float64 else 1e-4
    return dict(rtol=rtol, atol=rtol * np.abs(reference).max())


def assert_same_state(ours_state, torch_state, dtype):
    assert set(ours_state) == set(torch_state) - {"al"}  # "al" is torch's scratch buffer
    for key in ("func_evals", "n_iter"):
        assert ours_state[key] == torch_state[key], key
    for key in ("t", "H_diag", "prev_loss"):
        np.testing.assert_allclose(float(ours_state[key]), float(torch_state[key]),
                                   **tolerances(dtype), err_msg=key)
    for key in ("d", "prev_flat_grad"):
        reference = torch_state[key].numpy()
        np.testing.assert_allclose(ours_state[key], reference, **tolerances(dtype, reference),
                                   err_msg=key)
    for key in ("old_dirs", "old_stps", "ro"):
        assert len(ours_state[key]) == len(torch_state[key]), key
        for mine, reference in zip(ours_state[key], torch_state[key]):
            reference = np.asarray(reference)
            np.testing.assert_allclose(mine, reference, **tolerances(dtype, reference),
                                       err_msg=key)


def compare(problem, dtype, steps=STEPS, **kwargs):
    params, opt, closure = ours(problem, dtype, **kwargs)
    tparams, topt, tclosure = theirs(problem, dtype, **kwargs)
    for _ in range(steps):
        loss, tloss = opt.step(closure), topt.step(tclosure)
        np.testing.assert_allclose(float(loss), tloss.item(), **tolerances(dtype))
        for p, q in zip(params, tparams):
            assert p.data.dtype == dtype
            reference = q.detach().numpy()
            np.testing.assert_allclose(p.data, reference, **tolerances(dtype, reference))
        assert_same_state(opt.state[params[0]], topt.state[tparams[0]], dtype)
    return params, opt


SETTINGS = [
    ("least_squares", dict()),
    ("least_squares", dict(line_search_fn="strong_wolfe")),
    ("least_squares", dict(lr=0.5, max_iter=3, history_size=2)),
    ("flat_least_squares", dict(lr=0.5, max_iter=3)),
    ("rosenbrock", dict(lr=0.1, max_iter=4)),
    ("rosenbrock", dict(line_search_fn="strong_wolfe")),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=5, history_size=2)),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=8, max_eval=9)),
    ("linear", dict(max_iter=5)),
    ("linear", dict(line_search_fn="strong_wolfe", history_size=3)),
]
# float32: fewer iterations, so that neither the stopping tests nor Rosenbrock's
# ill-conditioning act on float32 rounding noise (which both libraries round differently)
SETTINGS32 = [
    ("least_squares", dict(max_iter=2), 2),
    ("least_squares", dict(line_search_fn="strong_wolfe", max_iter=3), 2),
    ("least_squares", dict(lr=0.5, max_iter=3, history_size=2), 3),
    ("rosenbrock", dict(lr=0.1, max_iter=4), 4),
    ("rosenbrock", dict(line_search_fn="strong_wolfe", max_iter=3, history_size=2), 2),
    ("linear", dict(max_iter=3), 2),
    ("linear", dict(line_search_fn="strong_wolfe", max_iter=3, history_size=3), 2),
]


@pytest.mark.parametrize("problem, kwargs", SETTINGS, ids=[f"{p}-{k}" for p, k in SETTINGS])
def test_matches_torch_step_by_step(problem, kwargs):
    compare(problem, np.float64, **kwargs)


@pytest.mark.parametrize("problem, kwargs, steps", SETTINGS32,
                         ids=[f"{p}-{k}" for p, k, _ in SETTINGS32])
def test_matches_torch_step_by_step_in_float32(problem, kwargs, steps):
    compare(problem, np.float32, steps=steps, **kwargs)


def test_defaults_are_torchs():
    ours_sig = inspect.signature(nn.optim.LBFGS).parameters
    for name, parameter in inspect.signature(torch.optim.LBFGS).parameters.items():
        if name != "params":
            assert ours_sig[name].default == parameter.default, name
            assert ours_sig[name].kind == parameter.kind, name
    mine = nn.optim.LBFGS([autograd.Tensor([0.0], requires_grad=True)]).defaults
    theirs = torch.optim.LBFGS([torch.zeros(1, requires_grad=True)]).defaults
    shared = set(mine) & set(theirs)  # torch 2.13 has no maximize
    assert len(shared) >= 7 and {k: mine[k] for k in shared} == {k: theirs[k] for k in shared}


def test_converges_as_torch_on_rosenbrock():
    params, _ = compare("rosenbrock", np.float64, steps=3, line_search_fn="strong_wolfe")
    np.testing.assert_allclose(params[0].data, [1.0, 1.0], atol=1e-4)


def test_stops_when_the_gradient_is_small_as_torch():
    """A loose tolerance_grad / tolerance_change ends a step early: as many evaluations."""
    compare("least_squares", np.float64, steps=3, tolerance_grad=1e-2)
    compare("least_squares", np.float64, steps=3, tolerance_change=1e-3)
    compare("rosenbrock", np.float64, steps=3, line_search_fn="strong_wolfe",
            tolerance_change=1e-4)


def test_parameter_without_gradient_counts_as_zero_as_torch():
    def loss_fn(lib, params, dtype):
        return least_squares(lib, params[:1], dtype)
    PROBLEMS["unused"] = (loss_fn, [np.array([0.5, -1.0, 2.0]), np.array([3.0, 4.0])])
    try:
        params, _ = compare("unused", np.float64, steps=2, max_iter=4)
    finally:
        del PROBLEMS["unused"]
    np.testing.assert_array_equal(params[1].data, [3.0, 4.0])


@pytest.mark.skipif(not TORCH_HAS_MAXIMIZE, reason="this torch's LBFGS has no maximize")
@pytest.mark.parametrize("search", [None, "strong_wolfe"])
def test_maximize_matches_torch(search):
    def loss_fn(lib, params, dtype):
        return -least_squares(lib, params, dtype)
    PROBLEMS["negated"] = (loss_fn, PROBLEMS["least_squares"][1])
    try:
        compare("negated", np.float64, steps=3, max_iter=5, line_search_fn=search,
                maximize=True)
    finally:
        del PROBLEMS["negated"]


def test_trains_a_linear_layer_as_torch():
    """The PyTorch tutorial loop, with nn.Linear and F.mse_loss on both sides."""
    model, tmodel = nn.Linear(3, 2, rng=1), torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        tmodel.weight.copy_(torch.tensor(model.weight.data))
        tmodel.bias.copy_(torch.tensor(model.bias.data))
    opt = nn.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe", max_iter=10)
    topt = torch.optim.LBFGS(tmodel.parameters(), line_search_fn="strong_wolfe", max_iter=10)
    x, y, tx, ty = autograd.Tensor(X), autograd.Tensor(Y), torch.tensor(X), torch.tensor(Y)

    def closure():
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = torch.nn.functional.mse_loss(tmodel(tx), ty)
        loss.backward()
        return loss

    for _ in range(3):
        np.testing.assert_allclose(float(opt.step(closure)), topt.step(tclosure).item(),
                                   rtol=1e-9)
        np.testing.assert_allclose(model.weight.data, tmodel.weight.detach().numpy(),
                                   rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(model.bias.data, tmodel.bias.detach().numpy(),
                                   rtol=1e-9, atol=1e-12)
