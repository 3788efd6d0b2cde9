"""Every exception ``nn`` raises that ``autograd.errors`` does not already name.

Like autograd's errors, each class subclasses ``autograd.errors.AutogradError`` (so
``except AutogradError`` catches anything the library raises) and the built-in a Python
user would already catch (``ValueError``, ``TypeError``, ``KeyError``...), so existing
``except ValueError`` code keeps working. ``nn`` also raises autograd's own classes where
they fit: ``ShapeError``, ``DTypeError``, ``DataError`` and ``UsageError`` (a call the
library cannot honour as written, e.g. assigning a Parameter before
``super().__init__()``).
"""

from __future__ import annotations

from autograd.errors import AutogradError, MissingDependencyError, UsageError

__all__ = ["ConfigError", "ArgumentTypeError", "NameNotFoundError", "MemberNotFoundError",
           "MemberNameError", "NameTakenError", "StateDictError",
           "NonFiniteGradientError", "CheckpointError", "ResumeError", "IDXFormatError",
           "DownloadError", "MissingDependencyError"]


class ConfigError(AutogradError, ValueError):
    """An argument value that cannot be used: out of range (a negative learning rate, a
    dropout probability of 1.5) or not one of the listed choices (``reduction="avg"``)."""


class ArgumentTypeError(AutogradError, TypeError):
    """An argument of the wrong kind: a list where a Module is needed, an int for a bool,
    a callback that is not a ``Callback``."""


class _PlainKeyError(AutogradError, KeyError):
    """A KeyError whose ``str()`` is its message as written (KeyError's own shows the
    message in quotes, escaped)."""

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class NameNotFoundError(_PlainKeyError):
    """A name that is not there: a ``Sequential`` layer, a ``History`` entry, a metric a
    callback monitors. The message lists the names that are."""


class MemberNameError(ConfigError, _PlainKeyError):
    """A name a parameter, buffer or module cannot take (empty, or with a '.'): a
    ``KeyError`` too, which PyTorch raises there."""


class NameTakenError(UsageError, _PlainKeyError):
    """A name a module already uses (an attribute, a method, a member of another kind)
    given to a new parameter, buffer or sub-module: a ``UsageError``, and a ``KeyError``
    too, which PyTorch raises there."""


class MemberNotFoundError(NameNotFoundError, AttributeError):
    """A dotted path to a sub-module or parameter (``get_submodule("encoder.0")``) that
    leads nowhere; an ``AttributeError`` too, which PyTorch raises there."""


class StateDictError(AutogradError, ValueError):
    """A state dict that does not fit the module, optimizer or scheduler loading it.

    For modules the problems are kept as attributes: ``missing``, ``unexpected`` and
    ``mismatched`` (``(key, given_shape, expected_shape)`` triples); they are empty when
    the problem is of another kind (a wrong number of parameter groups, say).
    """

    def __init__(self, message: str, missing: list[str] | None = None,
                 unexpected: list[str] | None = None,
                 mismatched: list[tuple[str, tuple, tuple]] | None = None) -> None:
        super().__init__(message)
        self.missing = list(missing or [])
        self.unexpected = list(unexpected or [])
        self.mismatched = list(mismatched or [])


class NonFiniteGradientError(AutogradError, RuntimeError):
    """``clip_grad_norm_(..., error_if_nonfinite=True)`` found a NaN or infinite norm."""


class CheckpointError(AutogradError, ValueError):
    """A file that is not a valid checkpoint, or a checkpoint that does not fit."""


class ResumeError(AutogradError, ValueError):
    """A checkpoint that does not fit this training run (other callbacks, generators)."""


class IDXFormatError(AutogradError, ValueError):
    """A file that is not a valid IDX file: wrong magic number, corrupt header, truncated."""


class DownloadError(AutogradError, OSError):
    """The MNIST files could not be downloaded (offline, or the server refused)."""
