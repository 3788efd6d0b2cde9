"""Every exception the engine raises, in one place.

Each class also subclasses the built-in exception a Python user would already catch
(``ValueError``, ``TypeError``, ``RuntimeError``...), so ``except ValueError`` keeps
working. Messages say what was expected, what was given and what to do.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "AutogradError",
    "DataError",
    "DTypeError",
    "ShapeError",
    "AxisError",
    "TensorIndexError",
    "IntegerDivisionError",
    "ZeroWeightsError",
    "BackwardError",
    "GraphFreedError",
    "InplaceError",
    "VJPError",
    "AnomalyError",
    "GradcheckError",
    "NotCloseError",
    "UsageError",
    "UnknownOpError",
    "EinsumError",
    "NormOrderError",
    "GeneratorError",
    "SingularMatrixError",
    "NaNMatrixError",
    "GraphvizNotFoundError",
    "IndependentError",
    "MissingDependencyError",
    "MissingNameError",
    "UnsupportedError",
    "SizeOrDataWarning",
    "NonLeafGradWarning",
]


class AutogradError(Exception):
    """Base class of every error raised by ``autograd``."""


class DataError(AutogradError, ValueError):
    """Data that cannot become a tensor: ragged nested lists, object arrays."""


class DTypeError(AutogradError, TypeError):
    """A dtype the operation cannot use (e.g. ``requires_grad`` on an integer tensor)."""


class ShapeError(AutogradError, ValueError):
    """Shapes that do not fit: no broadcast, matmul inner dimensions, reshape sizes."""


class AxisError(AutogradError, ValueError, IndexError):
    """An axis outside ``[-ndim, ndim)`` or repeated."""


class TensorIndexError(AutogradError, IndexError):
    """An index that selects nothing valid: out of bounds, too many indices, or an index
    array of floats."""


class IntegerDivisionError(AutogradError, ZeroDivisionError, RuntimeError):
    """An integer ``//``, ``%`` or ``fmod`` by zero (PyTorch raises a RuntimeError saying
    ZeroDivisionError; NumPy would give 0 with a warning)."""


class BackwardError(AutogradError, RuntimeError):
    """``backward()``/``grad()`` called in a way that has no answer."""


class GraphFreedError(BackwardError):
    """A second backward through a graph that the first backward already released."""


class InplaceError(AutogradError, RuntimeError):
    """An in-place change to a tensor that the graph still needs."""


class VJPError(AutogradError, RuntimeError):
    """A vector-Jacobian product returned a gradient of the wrong count, shape or dtype."""


class AnomalyError(AutogradError, FloatingPointError):
    """Under ``detect_anomaly()``: an op produced NaN or Inf."""


class GradcheckError(AutogradError, AssertionError, RuntimeError):
    """Analytic and numerical gradients disagree (a RuntimeError, as PyTorch's)."""


class NotCloseError(AutogradError, AssertionError):
    """``autograd.testing.assert_close``: the values (or their shapes or dtypes) differ."""


class UsageError(AutogradError, TypeError, ValueError, RuntimeError):
    """A call the library cannot honour as written: ``retain_grad()`` on a tensor that
    records nothing, a NumPy function with no differentiable version, a Tensor as a
    NumPy ``out=``, an empty list to join. ``except TypeError``, ``except ValueError``
    and ``except RuntimeError`` all catch it."""


class ZeroWeightsError(UsageError, ZeroDivisionError):
    """Weights that sum to zero, which cannot be normalized (``np.average``): also
    NumPy's ``ZeroDivisionError`` there."""


class UnknownOpError(AutogradError, KeyError):
    """A name that is not one of the engine's ops (e.g. ``autograd.testing.domain``)."""

    def __str__(self) -> str:  # KeyError's own shows the message in quotes, escaped
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class MissingNameError(AutogradError, AttributeError):
    """A name ``autograd`` does not have, such as PyTorch's ``autograd.unsqueeze``: the
    message names the Tensor method, the NumPy-named function or the NumPy function that
    does it here."""


def module_attribute_error(module: str, name: str, advice: str) -> AttributeError:
    """What a PyTorch-shaped module's ``__getattr__`` raises for a name it lacks: Python's
    own look-ups (``__path__``, ``__wrapped__``...) get a plain AttributeError, anything
    else a ``MissingNameError`` that ends with ``advice``."""
    message = f"module {module!r} has no attribute {name!r}"
    if name.startswith("_"):
        return AttributeError(message)
    return MissingNameError(f"{message}: {advice}")


class EinsumError(AutogradError, ValueError):
    """Subscripts ``einsum`` cannot take."""


class NormOrderError(AutogradError, ValueError):
    """``norm`` asked for an order it does not compute."""


class GeneratorError(AutogradError, TypeError):
    """``generator=`` is not a ``numpy.random.Generator``."""


class SingularMatrixError(AutogradError, np.linalg.LinAlgError, RuntimeError):
    """A matrix that the operation needs invertible (or positive definite) is not. Also a
    ``RuntimeError``, as PyTorch's ``torch.linalg.LinAlgError``: code that adds jitter
    ``except RuntimeError`` catches it (``linalg.LinAlgError`` is NumPy's, its base)."""


class NaNMatrixError(DataError, np.linalg.LinAlgError, RuntimeError):
    """A matrix holding NaN given to a decomposition (SVD, eigh, cholesky), which fails on it:
    a ``DataError``, and NumPy's ``LinAlgError`` as NumPy's own raises (and a
    ``RuntimeError``, as PyTorch's ``LinAlgError``)."""


class IndependentError(AutogradError, RuntimeError):
    """``autograd.functional`` with ``strict=True``: an output does not depend on an
    input."""


class GraphvizNotFoundError(AutogradError, RuntimeError):
    """Graphviz's ``dot`` program is not on PATH, so ``autograd.viz`` cannot render a graph
    (its DOT source, ``graph.source``, is still available)."""


class MissingDependencyError(AutogradError, ImportError):
    """An optional package that a feature needs is not installed (graphviz for
    ``autograd.viz``, hypothesis for ``autograd.testing``; nn's scikit-learn, tqdm,
    matplotlib): the message says what to install."""


class UnsupportedError(AutogradError, NotImplementedError):
    """A computation the library has no formula for with these arguments, where PyTorch
    raises ``NotImplementedError`` (``kl_divergence`` between two distribution types with
    no registered formula, ``rsample`` of a discrete distribution): the message says what
    exists."""


class SizeOrDataWarning(UserWarning):
    """``Tensor(16)``: one Python int as the data, the number 16.0 here (``Tensor`` takes
    data, as ``torch.tensor``), where PyTorch's ``torch.Tensor(16)`` makes 16 uninitialised
    elements (``nn.Parameter(torch.Tensor(out_features))`` in older code): the message
    says what to write for either meaning."""


class NonLeafGradWarning(UserWarning):
    """``h.grad`` read on a tensor an op made (not a leaf) that did not ``retain_grad()``:
    ``backward()`` leaves it None, as PyTorch's does (and warns). The message says to call
    ``h.retain_grad()`` before the backward, or to read the leaf's ``.grad``."""
