"""HIPS autograd's habits that fail here say what to write instead: ``grad(f)(x)`` (its
function transform) is ``autograd.func.grad(f)(x)``; ``autograd.grad`` is PyTorch's
``grad(outputs, inputs)``. ``autograd.elementwise_grad`` and HIPS's other transform
names name their equivalents."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import MissingNameError, UsageError, func, functional


def test_grad_of_a_function_names_the_transform() -> None:
    def f(x):
        return np.sum(np.tanh(x))

    with pytest.raises(UsageError, match=r"autograd\.func\.grad\(f\)\(x\)"):
        ag.grad(f)
    with pytest.raises(UsageError, match="grad_and_value"):
        ag.grad(f)
    x = np.array([0.3, -1.2])  # what the message says to write, against finite differences
    eps = 1e-6 * np.eye(2)
    numeric = [(f(x + e).item() - f(x - e).item()) / 2e-6 for e in eps]
    np.testing.assert_allclose(func.grad(f)(x).data, numeric, rtol=1e-7)


def test_grad_without_inputs_says_what_is_missing() -> None:
    loss = (ag.tensor([1.0, 2.0], requires_grad=True) ** 2).sum()
    with pytest.raises(UsageError, match="missing inputs"):
        ag.grad(loss)


@pytest.mark.parametrize("name,alternative", [
    ("elementwise_grad", "np.sum"), ("value_and_grad", "grad_and_value"),
    ("jacobian", "jacrev"), ("hessian", "func.hessian"),
    ("hessian_vector_product", "functional.hvp")])
def test_hips_transform_names_name_their_equivalent(name: str, alternative: str) -> None:
    with pytest.raises(MissingNameError, match=alternative):
        getattr(ag, name)


def test_vmap_of_an_array_says_to_wrap_it() -> None:
    """HIPS's elementwise_grad(f)(x) on an array becomes vmap(grad(f)): vmap batches Tensors
    only (as PyTorch's), and its error says how to pass the array."""
    with pytest.raises(UsageError, match=r"vmap\(f\)\(autograd\.tensor\(x\)\)"):
        func.vmap(func.grad(np.sin))(np.linspace(0.0, 1.0, 3))


@pytest.mark.parametrize("line,alternative", [
    ("import autograd.numpy as np", "import numpy as np"),
    ("import autograd.numpy as np", r"elementwise_grad.*primitive/defvjp.*autograd\.Function"),
    ("import autograd.numpy.random as npr", "import numpy.random as npr"),
    ("from autograd.scipy.special import logsumexp", r"autograd\.logsumexp"),
    ("import autograd.scipy.stats.norm as norm", r"Normal\(loc, scale\)\.log_prob"),
    ("from autograd.misc.optimizers import adam", r"nn\.optim\.Adam"),
    ("from autograd.misc.flatten import flatten", r"np\.concatenate"),
    ("from autograd.builtins import tuple", "Python's own"),
    ("from autograd.test_util import check_grads", r"autograd\.gradcheck\(f, \[x\]\)"),
    ("from autograd.scipy.signal import convolve", r"nn\.functional\.conv2d")])
def test_hips_modules_say_what_to_import(line: str, alternative: str) -> None:
    """A HIPS program's first lines: an ImportError saying what to write instead (Python's
    own said only "No module named 'autograd.numpy'")."""
    with pytest.raises(ImportError, match=alternative):
        exec(line, {})


def test_a_silent_cut_inside_a_transform_warns() -> None:
    """SciPy's logsumexp (HIPS's autograd.scipy.special.logsumexp) reads a Tensor as a plain
    array: the gradient misses that term. Inside a transform that read warns; the same
    function with autograd.logsumexp gives the right gradient and no warning."""
    special = pytest.importorskip("scipy.special")
    x = np.array([0.5, -1.0, 2.0])

    def with_scipy(x):
        return np.sum(x - special.logsumexp(x))

    def with_ours(x):
        return np.sum(x - ag.logsumexp(x))

    with pytest.warns(UserWarning, match=r"requires grad as a plain NumPy array.*"
                                         r"autograd\.logsumexp"):
        wrong = func.grad(with_scipy)(x)
    with pytest.warns(UserWarning, match=r"autograd\.stack"):
        func.grad(lambda t: np.sum(t * np.array([t[0], t[1], t[2]])))(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        right = func.grad(with_ours)(x)
    numeric = [(with_ours(x + e).item() - with_ours(x - e).item()) / 2e-6
               for e in 1e-6 * np.eye(3)]
    np.testing.assert_allclose(right.data, numeric, atol=1e-8)
    assert not np.allclose(wrong.data, numeric, atol=1e-3)  # why it warns


def test_a_silent_cut_inside_autograd_functional_warns() -> None:
    """autograd.functional (PyTorch's torch.autograd.functional) evaluates the function
    too: HIPS's jacobian(f)(x) ported as functional.jacobian(f, x) warns the same."""
    special = pytest.importorskip("scipy.special")
    x = ag.tensor([0.5, -1.0, 2.0])
    with pytest.warns(UserWarning, match="requires grad as a plain NumPy array"):
        functional.jacobian(lambda t: t - special.logsumexp(t), x)
    with pytest.warns(UserWarning, match="autograd.stack"):
        functional.hvp(lambda t: np.sum(t * np.array([t[0], t[1], t[2]])), x, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        functional.jacobian(lambda t: t - ag.logsumexp(t), x)
