"""The SIREN notebook's (``explore_siren.ipynb``) building blocks, written once for a
library ``T`` and its ``lib``: ``SineLayer``, ``Siren``, ``get_mgrid``, ``gradient`` /
``divergence`` / ``laplace``. Used by ``test_pytorch_ports_siren.py`` and
``test_pytorch_ports_siren_more.py`` (which compare records with ``port_records``)."""

from collections import OrderedDict

import numpy as np
import pytest


def digit_image() -> np.ndarray:
    """A digit as the notebook's image tensor: (1, 8, 8), normalised to [-1, 1]."""
    datasets = pytest.importorskip("sklearn.datasets")
    image = datasets.load_digits().images[0] / 16.0
    return ((image - 0.5) / 0.5)[None]


def siren_classes(T, lib):
    """The notebook's ``SineLayer`` and ``Siren``, and its differential operators."""

    class SineLayer(lib.Module):
        def __init__(self, in_features, out_features, bias=True,
                     is_first=False, omega_0=30):
            super().__init__()
            self.omega_0 = omega_0
            self.is_first = is_first
            self.in_features = in_features
            self.linear = lib.Linear(in_features, out_features, bias=bias)
            self.init_weights()

        def init_weights(self):
            with T.no_grad():
                if self.is_first:
                    self.linear.weight.uniform_(-1 / self.in_features,
                                                1 / self.in_features)
                else:
                    self.linear.weight.uniform_(-np.sqrt(6 / self.in_features) / self.omega_0,
                                                np.sqrt(6 / self.in_features) / self.omega_0)

        def forward(self, input):
            return T.sin(self.omega_0 * self.linear(input))

        def forward_with_intermediate(self, input):
            # For visualization of activation distributions
            intermediate = self.omega_0 * self.linear(input)
            return T.sin(intermediate), intermediate

    class Siren(lib.Module):
        def __init__(self, in_features, hidden_features, hidden_layers, out_features,
                     outermost_linear=False, first_omega_0=30, hidden_omega_0=30.):
            super().__init__()
            self.net = []
            self.net.append(SineLayer(in_features, hidden_features,
                                      is_first=True, omega_0=first_omega_0))
            for i in range(hidden_layers):
                self.net.append(SineLayer(hidden_features, hidden_features,
                                          is_first=False, omega_0=hidden_omega_0))
            if outermost_linear:
                final_linear = lib.Linear(hidden_features, out_features)
                with T.no_grad():
                    final_linear.weight.uniform_(-np.sqrt(6 / hidden_features) / hidden_omega_0,
                                                 np.sqrt(6 / hidden_features) / hidden_omega_0)
                self.net.append(final_linear)
            else:
                self.net.append(SineLayer(hidden_features, out_features,
                                          is_first=False, omega_0=hidden_omega_0))
            self.net = lib.Sequential(*self.net)

        def forward(self, coords):
            coords = coords.clone().detach().requires_grad_(True)  # derivative w.r.t. input
            output = self.net(coords)
            return output, coords

        def forward_with_activations(self, coords, retain_grad=False):
            activations = OrderedDict()
            activation_count = 0
            x = coords.clone().detach().requires_grad_(True)
            activations['input'] = x
            for i, layer in enumerate(self.net):
                if isinstance(layer, SineLayer):
                    x, intermed = layer.forward_with_intermediate(x)
                    if retain_grad:
                        x.retain_grad()
                        intermed.retain_grad()
                    activations['_'.join((str(layer.__class__.__name__),
                                          "%d" % activation_count))] = intermed
                    activation_count += 1
                else:
                    x = layer(x)
                    if retain_grad:
                        x.retain_grad()
                activations['_'.join((str(layer.__class__.__name__),
                                      "%d" % activation_count))] = x
                activation_count += 1
            return activations

    return SineLayer, Siren


def operators(T, grad):
    """The notebook's ``gradient``, ``divergence`` and ``laplace``."""

    def gradient(y, x, grad_outputs=None):
        if grad_outputs is None:
            grad_outputs = T.ones_like(y)
        return grad(y, [x], grad_outputs=grad_outputs, create_graph=True)[0]

    def divergence(y, x):
        div = 0.
        for i in range(y.shape[-1]):
            div += grad(y[..., i], x, T.ones_like(y[..., i]),
                        create_graph=True)[0][..., i:i + 1]
        return div

    def laplace(y, x):
        return divergence(gradient(y, x), x)

    return gradient, divergence, laplace


def get_mgrid(T, sidelen, dim=2):
    """A flattened grid of (x1, x2, ...) coordinates in [-1, 1]^dim."""
    tensors = tuple(dim * [T.linspace(-1, 1, steps=sidelen)])
    mgrid = T.stack(T.meshgrid(*tensors, indexing='ij'), dim=-1)
    mgrid = mgrid.reshape(-1, dim)
    return mgrid
