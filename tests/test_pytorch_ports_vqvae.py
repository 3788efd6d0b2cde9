"""VQ-VAE (van den Oord et al., 2017) on scikit-learn's 8x8 digits as PyTorch readers
write it (the zalandoresearch/pytorch-vq-vae notebook's quantizer, shrunk): an encoder
of Conv2d/ReLU, a codebook ``nn.Embedding(K, D)`` initialised ``uniform_(-1/K, 1/K)``,
squared distances ``(z**2).sum(1, keepdim=True) + (e**2).sum(1) - 2 * z @ e.t()``,
``torch.argmin(dim=1)``, one-hot codes by ``scatter_``, the straight-through estimator
``z_q = z + (z_q - z).detach()``, the codebook and commitment losses with ``.detach()``
and ``F.mse_loss``, the perplexity ``exp(-sum(p log(p + 1e-10)))``, a ConvTranspose2d
decoder, Adam. The EMA-codebook variant is in ``test_pytorch_ports_vqvae_ema.py``.
Written once for a library ``T`` (``autograd`` here, ``torch`` there), each runs step for
step next to PyTorch's from the same weights (float64): losses, perplexities, code
indices, gradients and parameters agree to 1e-10.

PyTorch's initial weights are loaded into ours (``.data`` is a NumPy array here, by
design: the codebook's ``weight.data.uniform_(...)`` is written as an update under
``no_grad``). 32 steps of 16 images, 4x4 latents of 4 dimensions, 16 codes; the start
(seed 1) is one whose codebook leaves the one-code collapse that the tiny ``uniform_``
initialisation often gives, so argmin picks among many codes. Time, this loaded 2-core
machine, 2026-12-01, noted, not asserted: about 2-3 ms per step in each library.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def digits(n: int = 64) -> np.ndarray:
    datasets = pytest.importorskip("sklearn.datasets")
    images, _ = datasets.load_digits(return_X_y=True)
    return (images[:n] / 16.0).reshape(n, 1, 8, 8)


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def build(torch, embedding_dim=4, num_embeddings=16, commitment_cost=0.25):
    T, lib, F, optim = libraries(torch)

    class VectorQuantizer(lib.Module):
        def __init__(self, num_embeddings, embedding_dim, commitment_cost):
            super(VectorQuantizer, self).__init__()
            self._embedding_dim = embedding_dim
            self._num_embeddings = num_embeddings
            self._embedding = lib.Embedding(self._num_embeddings, self._embedding_dim)
            # PyTorch: self._embedding.weight.data.uniform_(-1/K, 1/K); .data is NumPy here
            with T.no_grad():
                self._embedding.weight.uniform_(-1 / self._num_embeddings,
                                                1 / self._num_embeddings)
            self._commitment_cost = commitment_cost

        def forward(self, inputs):
            inputs = inputs.permute(0, 2, 3, 1).contiguous()  # BCHW -> BHWC
            input_shape = inputs.shape
            flat_input = inputs.view(-1, self._embedding_dim)
            distances = (T.sum(flat_input ** 2, dim=1, keepdim=True)
                         + T.sum(self._embedding.weight ** 2, dim=1)
                         - 2 * T.matmul(flat_input, self._embedding.weight.t()))
            encoding_indices = T.argmin(distances, dim=1).unsqueeze(1)
            encodings = T.zeros(encoding_indices.shape[0], self._num_embeddings,
                                device=inputs.device)
            encodings.scatter_(1, encoding_indices, 1)
            quantized = T.matmul(encodings, self._embedding.weight).view(input_shape)
            e_latent_loss = F.mse_loss(quantized.detach(), inputs)
            q_latent_loss = F.mse_loss(quantized, inputs.detach())
            loss = q_latent_loss + self._commitment_cost * e_latent_loss
            quantized = inputs + (quantized - inputs).detach()  # straight through
            avg_probs = T.mean(encodings, dim=0)
            perplexity = T.exp(-T.sum(avg_probs * T.log(avg_probs + 1e-10)))
            return (loss, quantized.permute(0, 3, 1, 2).contiguous(), perplexity,
                    encoding_indices)

    class Model(lib.Module):
        def __init__(self):
            super(Model, self).__init__()
            self._encoder = lib.Sequential(
                lib.Conv2d(1, 8, kernel_size=4, stride=2, padding=1), lib.ReLU(),
                lib.Conv2d(8, 8, kernel_size=3, stride=1, padding=1), lib.ReLU())
            self._pre_vq_conv = lib.Conv2d(8, embedding_dim, kernel_size=1, stride=1)
            self._vq_vae = VectorQuantizer(num_embeddings, embedding_dim, commitment_cost)
            self._decoder = lib.Sequential(
                lib.ConvTranspose2d(embedding_dim, 8, kernel_size=3, stride=1, padding=1),
                lib.ReLU(),
                lib.ConvTranspose2d(8, 1, kernel_size=4, stride=2, padding=1))

        def forward(self, x):
            z = self._pre_vq_conv(self._encoder(x))
            loss, quantized, perplexity, indices = self._vq_vae(z)
            x_recon = self._decoder(quantized)
            return loss, x_recon, perplexity, indices

    return Model()


def train(torch, images, start=None, batch_size=16, epochs=8) -> list:
    T, lib, F, optim = libraries(torch)
    model = build(torch)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    optimizer = optim.Adam(model.parameters(), lr=1e-2, amsgrad=False)
    data_variance = float(np.var(images))
    model.train()
    for _ in range(epochs):
        for i in range(0, len(images), batch_size):
            data = T.tensor(images[i:i + batch_size])
            optimizer.zero_grad()
            vq_loss, data_recon, perplexity, indices = model(data)
            recon_error = F.mse_loss(data_recon, data) / data_variance
            loss = recon_error + vq_loss
            loss.backward()
            optimizer.step()
            record += [recon_error.item(), vq_loss.item(), perplexity.item(),
                       indices.numpy().ravel().tolist(),
                       [p.grad.numpy().copy() for p in model.parameters()]]
    return record + [state(model)]


def test_vq_vae_trains_as_torch(torch):
    torch.manual_seed(1)  # a start whose codebook comes to use 8-12 codes a batch
    images = digits()
    want = train(torch, images)
    got = train(None, images, start=want[0])
    assert_same(got[1:], want[1:])
    assert max(len(set(indices)) for indices in want[4:-1:5]) >= 8


def test_the_straight_through_estimator_passes_the_decoders_gradient_to_the_encoder(torch):
    """d(loss)/dz is d(loss)/dz_q: ``z + (z_q - z).detach()`` is z_q forward, identity
    backward, in both libraries."""
    for T in (torch, ag):
        z = T.tensor(np.random.RandomState(0).rand(6, 4), requires_grad=True)
        z_q = T.tensor(np.random.RandomState(1).rand(6, 4))
        st = z + (z_q - z).detach()
        np.testing.assert_allclose(st.detach().numpy(), z_q.numpy(), rtol=1e-15)
        (st * T.arange(24.0).view(6, 4)).sum().backward()
        np.testing.assert_array_equal(z.grad.numpy(), np.arange(24.0).reshape(6, 4))
