"""Models of the lecture notes: ``MLP``, ``Autoencoder`` (sparse, denoising) and the
reparameterised ``VAE``. Each has a ``loss`` method, so ``nn.train.fit(model, None,
...)`` trains it with the right objective."""
from .autoencoder import Autoencoder, AutoencoderLoss
from .mlp import MLP
from .vae import VAE, VAELoss

__all__ = ["MLP", "Autoencoder", "AutoencoderLoss", "VAE", "VAELoss"]
