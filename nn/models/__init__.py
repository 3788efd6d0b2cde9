"""Models of the lecture notes: ``MLP``, ``Autoencoder`` (sparse, denoising) and the
reparameterised ``VAE``. Each has a ``loss`` method, so ``nn.train.fit(model, None,
...)`` trains it with the right objective."""
from .mlp import MLP

__all__ = ["MLP"]
