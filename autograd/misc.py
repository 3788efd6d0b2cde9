"""HIPS autograd's ``autograd.misc`` (flatten, optimizers) has no counterpart
here: importing this module raises ImportError saying what to write instead (see
``_missing.HIPS_MODULES``). It exists for that message: Python's own would say only
"No module named"."""

from ._missing import hips_module_error

__all__: list[str] = []

raise hips_module_error(__name__)
