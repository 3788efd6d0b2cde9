"""The PyTorch-shaped modules (``cuda``, ``backends``, ``accelerator``, ``jit``) answer a
missing name the same way: Python's own dunder look-ups get a plain AttributeError (so
``hasattr``, ``copy`` and ``inspect`` behave), any other name a ``MissingNameError``
that quotes the module and the name, as Python's own message does."""

import importlib

import pytest

import autograd as ag

MODULES = ["autograd.cuda", "autograd.backends", "autograd.accelerator", "autograd.jit"]


@pytest.mark.parametrize("module", MODULES)
def test_a_missing_name_is_a_missing_name_error_quoting_module_and_name(module):
    with pytest.raises(ag.MissingNameError) as caught:
        getattr(importlib.import_module(module), "no_such_thing")
    assert str(caught.value).startswith(f"module '{module}' has no attribute 'no_such_thing': ")


@pytest.mark.parametrize("module", MODULES)
def test_python_own_lookups_get_a_plain_attribute_error(module):
    namespace = importlib.import_module(module)
    with pytest.raises(AttributeError) as caught:
        namespace.__wrapped__
    assert not isinstance(caught.value, ag.MissingNameError)
    assert not hasattr(namespace, "__path__")
