"""A name a buffer, parameter or module cannot take (empty, or dotted) is a ``KeyError``,
as PyTorch's (``except KeyError`` around ``register_buffer`` caught nothing: it was only a
``ValueError``); it stays a ``ConfigError``, and its message prints without KeyError's
quotes."""

import pytest

import nn
from nn.errors import ConfigError, MemberNameError


@pytest.mark.parametrize("register", [
    lambda m, name: m.register_buffer(name, None),
    lambda m, name: m.register_parameter(name, None),
    lambda m, name: m.add_module(name, None)])
@pytest.mark.parametrize("name", ["a.b", ""])
def test_a_bad_member_name_is_a_key_error_as_in_pytorch(torch, register, name) -> None:
    with pytest.raises(KeyError):
        register(torch.nn.Module(), name)
    with pytest.raises(MemberNameError, match="non-empty str without '.'") as caught:
        register(nn.Module(), name)
    assert isinstance(caught.value, (KeyError, ConfigError))
    assert str(caught.value).startswith(("a buffer", "register_parameter", "add_module"))
