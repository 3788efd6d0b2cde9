"""Every layer with parameters warns once, as Linear does, when wider data (float64 into a
float32 model) makes it compute in the wider dtype: Conv and the recurrent layers
computed in float64 silently."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from nn.layers import DTypePromotionWarning

LAYERS = [
    (lambda: nn.Linear(3, 2, dtype=np.float32), (4, 3)),
    (lambda: nn.Conv1d(1, 2, 3, dtype=np.float32), (2, 1, 5)),
    (lambda: nn.Conv2d(1, 2, 3, padding=1, dtype=np.float32), (2, 1, 4, 4)),
    (lambda: nn.LSTM(3, 2, dtype=np.float32), (5, 2, 3)),
    (lambda: nn.GRU(3, 2, dtype=np.float32), (5, 2, 3)),
]


@pytest.mark.parametrize("make, shape", LAYERS)
def test_wider_input_warns_once_per_layer(make, shape) -> None:
    layer = make()
    x = np.random.default_rng(0).standard_normal(shape)  # float64
    with pytest.warns(DTypePromotionWarning, match="holds float32 parameters but got "
                                                   "float64 input"):
        layer(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(x)  # said once
        make()(x.astype(np.float32))  # data of the layer's dtype: nothing to say


def test_the_warning_names_the_users_line_wherever_the_layer_sits() -> None:
    """Inside a Sequential, a model or fit, the warning points at the line that called
    into nn (a fixed stacklevel pointed at nn's own files there)."""
    x = np.random.default_rng(0).standard_normal((8, 3))  # float64
    calls = [lambda: nn.Sequential(nn.Linear(3, 2, dtype=np.float32), nn.Tanh())(x),
             lambda: nn.Sequential(nn.Sequential(nn.Linear(3, 4, dtype=np.float32),
                                                 nn.ReLU()))(x),
             lambda: nn.models.MLP([3, 4, 2], dtype=np.float32)(x),
             lambda: nn.Conv1d(1, 2, 3, dtype=np.float32)(x[:, None, :])]
    for call in calls:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        found = [w for w in caught if issubclass(w.category, DTypePromotionWarning)]
        assert found and {w.filename for w in found} == {__file__}  # once per layer


def test_hook_warnings_name_the_users_line_too() -> None:
    """The other warnings nn gives from inside a module call point at the caller's line
    as well: a backward hook on a module whose output is a list, and a forward hook with
    always_call=True that raises while the forward raised."""

    class Pair(nn.Module):
        def forward(self, x):
            return [x * 2.0, x * 3.0]

    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("the forward's own error")

    pair = Pair()
    pair.register_full_backward_hook(lambda module, grad_input, grad_output: None)
    broken = Broken()

    def failing_hook(module, args, output):
        raise RuntimeError("the hook's error")
    broken.register_forward_hook(failing_hook, always_call=True)
    x = nn.Parameter(np.ones(3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.Sequential(nn.Identity(), pair)(x)
        with pytest.raises(ValueError, match="the forward's own error"):
            nn.Sequential(broken)(x)
    messages = {str(w.message).split(":")[0]: w.filename for w in caught}
    assert messages == {"Pair returned a list": __file__,
                        "forward hook with always_call=True raised an exception that was "
                        "silenced as another error was raised in forward": __file__}
