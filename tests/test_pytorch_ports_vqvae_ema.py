"""VQ-VAE with an exponential-moving-average codebook (van den Oord et al., 2017,
appendix; Razavi et al., 2019), as PyTorch readers write it (rosinality's vq-vae-2
quantizer, shrunk, on scikit-learn's 8x8 digits): the codebook, the cluster sizes and the
summed codes are buffers (``register_buffer``), updated under ``torch.no_grad()`` by
``mul_(decay).add_(x, alpha=1 - decay)``, the cluster sizes Laplace-smoothed
``(N + eps) / (n + K eps) * n`` and the codebook copied in with ``copy_``; codes by
``F.one_hot(argmin).type(dtype)``; only the commitment loss trains the encoder, through
the straight-through estimator. Written once for a library ``T`` (``autograd`` here,
``torch`` there) and run step for step next to PyTorch's from the same weights and
buffers (float64): losses, perplexities, code indices, gradients, parameters and
buffers agree to 1e-10. Shared parts are ``test_pytorch_ports_vqvae``'s.
"""

import numpy as np

from test_pytorch_ports_pinn import assert_same
from test_pytorch_ports_vqvae import digits, libraries, state


def build(torch, embedding_dim=4, num_embeddings=16, commitment_cost=0.25, decay=0.9):
    T, lib, F, optim = libraries(torch)

    class QuantizeEMA(lib.Module):
        def __init__(self, dim, n_embed, decay=0.99, eps=1e-5):
            super().__init__()
            self.dim, self.n_embed, self.decay, self.eps = dim, n_embed, decay, eps
            embed = T.empty(n_embed, dim).uniform_(-1 / n_embed, 1 / n_embed)
            self.register_buffer("embed", embed)
            self.register_buffer("cluster_size", T.zeros(n_embed))
            self.register_buffer("embed_avg", embed.clone())

        def forward(self, input):
            flatten = input.reshape(-1, self.dim)
            dist = (flatten.pow(2).sum(1, keepdim=True) + (self.embed ** 2).sum(1)
                    - 2 * flatten @ self.embed.t())
            embed_ind = T.argmin(dist, dim=1)
            embed_onehot = F.one_hot(embed_ind, self.n_embed).type(flatten.dtype)
            quantize = F.embedding(embed_ind, self.embed).view(*input.shape)
            if self.training:
                with T.no_grad():
                    embed_onehot_sum = embed_onehot.sum(0)
                    embed_sum = embed_onehot.t() @ flatten
                    self.cluster_size.mul_(self.decay).add_(embed_onehot_sum,
                                                            alpha=1 - self.decay)
                    self.embed_avg.mul_(self.decay).add_(embed_sum, alpha=1 - self.decay)
                    n = self.cluster_size.sum()
                    cluster_size = ((self.cluster_size + self.eps)
                                    / (n + self.n_embed * self.eps) * n)
                    embed_normalized = self.embed_avg / cluster_size.unsqueeze(1)
                    self.embed.copy_(embed_normalized)
            diff = (quantize.detach() - input).pow(2).mean()
            quantize = input + (quantize - input).detach()
            avg_probs = embed_onehot.mean(0)
            perplexity = T.exp(-T.sum(avg_probs * T.log(avg_probs + 1e-10)))
            return quantize, diff, perplexity, embed_ind

    class VQVAE(lib.Module):
        def __init__(self):
            super().__init__()
            self.enc = lib.Sequential(lib.Conv2d(1, 8, 4, stride=2, padding=1),
                                      lib.ReLU(inplace=True),
                                      lib.Conv2d(8, embedding_dim, 3, padding=1))
            self.quantize = QuantizeEMA(embedding_dim, num_embeddings, decay=decay)
            self.dec = lib.Sequential(lib.ConvTranspose2d(embedding_dim, 8, 3, padding=1),
                                      lib.ReLU(inplace=True),
                                      lib.ConvTranspose2d(8, 1, 4, stride=2, padding=1))

        def forward(self, x):
            z = self.enc(x).permute(0, 2, 3, 1)
            quant, diff, perplexity, ind = self.quantize(z)
            return self.dec(quant.permute(0, 3, 1, 2)), diff, perplexity, ind

    return VQVAE(), commitment_cost


def train(torch, images, start=None, batch_size=16, epochs=4) -> list:
    T, lib, F, optim = libraries(torch)
    model, beta = build(torch)
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [state(model)]
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    criterion = lib.MSELoss()
    model.train()
    for _ in range(epochs):
        for i in range(0, len(images), batch_size):
            img = T.tensor(images[i:i + batch_size])
            model.zero_grad()
            out, latent_loss, perplexity, ind = model(img)
            recon_loss = criterion(out, img)
            loss = recon_loss + beta * latent_loss.mean()
            loss.backward()
            optimizer.step()
            record += [recon_loss.item(), latent_loss.item(), perplexity.item(),
                       ind.numpy().tolist(),
                       [p.grad.numpy().copy() for p in model.parameters()], state(model)]
    model.eval()  # eval: the buffers stay as they are
    with T.no_grad():
        out, latent_loss, perplexity, ind = model(T.tensor(images[:16]))
    return record + [out.numpy(), latent_loss.item(), ind.numpy().tolist(), state(model)]


def test_vq_vae_with_an_ema_codebook_trains_as_torch(torch):
    torch.manual_seed(0)
    images = digits()
    want = train(torch, images)
    got = train(None, images, start=want[0])
    assert_same(got[1:], want[1:])
    assert max(len(set(indices)) for indices in want[4:-4:6]) >= 4
