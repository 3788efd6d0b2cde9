"""``nn`` runs on this project's ``autograd``. Another package of the same name (HIPS
autograd, ``pip install autograd``) installed where Python looks first would make
``import nn`` fail with a bare ``cannot import name 'Tensor'``: say what happened."""

from __future__ import annotations

import autograd

__all__ = ["check_engine"]


def check_engine() -> None:
    """ImportError naming the foreign ``autograd`` and what to do about it."""
    if not hasattr(autograd, "Tensor") or not hasattr(autograd, "extend"):
        where = getattr(autograd, "__file__", None) or "an unknown place"
        raise ImportError(
            f"nn needs this project's autograd engine, but 'import autograd' found another "
            f"package with the same name at {where} (probably HIPS autograd, installed "
            f"with 'pip install autograd'). Uninstall it ('pip uninstall autograd') or use "
            f"a virtual environment without it, then install this project from its "
            f"checkout: pip install -e .")


check_engine()
