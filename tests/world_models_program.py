"""World Models (Ha & Schmidhuber 2018) as ctallec/world-models writes it in PyTorch: the
convolutional VAE (``models/vae.py``), the MDN-RNN (``models/mdrnn.py``: an LSTM whose
output parameterises a Gaussian mixture over the next latent, plus reward and terminal
heads, and its one-step ``MDRNNCell``), the linear controller and the glue of
``trainvae.py``, ``trainmdrnn.py`` and ``utils/misc.py``. Written once for a library
``torch`` (``autograd`` here); sizes shrunk (16x16 frames, 4 latents, 8 hidden units)."""

import numpy as np


def vae_modules(torch, nn, img_channels: int = 1, latent_size: int = 4):
    F = nn.functional

    class Decoder(nn.Module):
        """ VAE decoder """
        def __init__(self, img_channels, latent_size):
            super(Decoder, self).__init__()
            self.latent_size = latent_size
            self.img_channels = img_channels

            self.fc1 = nn.Linear(latent_size, 32)
            self.deconv1 = nn.ConvTranspose2d(32, 16, 4, stride=2)
            self.deconv2 = nn.ConvTranspose2d(16, 8, 4, stride=2)
            self.deconv3 = nn.ConvTranspose2d(8, img_channels, 7, stride=1)

        def forward(self, x):  # pylint: disable=arguments-differ
            x = F.relu(self.fc1(x))
            x = x.unsqueeze(-1).unsqueeze(-1)
            x = F.relu(self.deconv1(x))
            x = F.relu(self.deconv2(x))
            reconstruction = F.sigmoid(self.deconv3(x))
            return reconstruction

    class Encoder(nn.Module):  # pylint: disable=too-many-instance-attributes
        """ VAE encoder """
        def __init__(self, img_channels, latent_size):
            super(Encoder, self).__init__()
            self.latent_size = latent_size
            self.img_channels = img_channels

            self.conv1 = nn.Conv2d(img_channels, 8, 4, stride=2)
            self.conv2 = nn.Conv2d(8, 16, 4, stride=2)

            self.fc_mu = nn.Linear(2 * 2 * 16, latent_size)
            self.fc_logsigma = nn.Linear(2 * 2 * 16, latent_size)

        def forward(self, x):  # pylint: disable=arguments-differ
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = x.view(x.size(0), -1)

            mu = self.fc_mu(x)
            logsigma = self.fc_logsigma(x)

            return mu, logsigma

    class VAE(nn.Module):
        """ Variational Autoencoder """
        def __init__(self, img_channels, latent_size, noise):
            super(VAE, self).__init__()
            self.encoder = Encoder(img_channels, latent_size)
            self.decoder = Decoder(img_channels, latent_size)
            self.noise = noise  # the test's glue: the same eps in both runs

        def forward(self, x):  # pylint: disable=arguments-differ
            mu, logsigma = self.encoder(x)
            sigma = logsigma.exp()
            eps = self.noise(torch, torch.randn_like(sigma))
            z = eps.mul(sigma).add_(mu)

            recon_x = self.decoder(z)
            return recon_x, mu, logsigma

    return VAE, img_channels, latent_size


def vae_loss_function(torch, F, recon_x, x, mu, logsigma):
    """ VAE loss function """
    BCE = F.mse_loss(recon_x, x, size_average=False)

    # see Appendix B from VAE paper:
    # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    # https://arxiv.org/abs/1312.6114
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
    KLD = -0.5 * torch.sum(1 + 2 * logsigma - mu.pow(2) - (2 * logsigma).exp())
    return BCE + KLD


def gmm_loss(torch, batch, mus, sigmas, logpi, reduce=True):  # pylint: disable=too-many-arguments
    """ Computes the gmm loss: -log sum_k pi_k N(batch; mu_k, sigma_k), averaged. """
    Normal = torch.distributions.Normal
    batch = batch.unsqueeze(-2)
    normal_dist = Normal(mus, sigmas)
    g_log_probs = normal_dist.log_prob(batch)
    g_log_probs = logpi + torch.sum(g_log_probs, dim=-1)
    max_log_probs = torch.max(g_log_probs, dim=-1, keepdim=True)[0]
    g_log_probs = g_log_probs - max_log_probs

    g_probs = torch.exp(g_log_probs)
    probs = torch.sum(g_probs, dim=-1)

    log_prob = max_log_probs.squeeze() + torch.log(probs)
    if reduce:
        return - torch.mean(log_prob)
    return - log_prob


def mdrnn_modules(torch, nn):
    f = nn.functional

    class _MDRNNBase(nn.Module):
        def __init__(self, latents, actions, hiddens, gaussians):
            super().__init__()
            self.latents = latents
            self.actions = actions
            self.hiddens = hiddens
            self.gaussians = gaussians

            self.gmm_linear = nn.Linear(
                hiddens, (2 * latents + 1) * gaussians + 2)

        def forward(self, *inputs):
            pass

    class MDRNN(_MDRNNBase):
        """ MDRNN model for multi steps forward """
        def __init__(self, latents, actions, hiddens, gaussians):
            super().__init__(latents, actions, hiddens, gaussians)
            self.rnn = nn.LSTM(latents + actions, hiddens)

        def forward(self, actions, latents):  # pylint: disable=arguments-differ
            seq_len, bs = actions.size(0), actions.size(1)

            ins = torch.cat([actions, latents], dim=-1)
            outs, _ = self.rnn(ins)
            gmm_outs = self.gmm_linear(outs)

            stride = self.gaussians * self.latents

            mus = gmm_outs[:, :, :stride]
            mus = mus.view(seq_len, bs, self.gaussians, self.latents)

            sigmas = gmm_outs[:, :, stride:2 * stride]
            sigmas = sigmas.view(seq_len, bs, self.gaussians, self.latents)
            sigmas = torch.exp(sigmas)

            pi = gmm_outs[:, :, 2 * stride: 2 * stride + self.gaussians]
            pi = pi.view(seq_len, bs, self.gaussians)
            logpi = f.log_softmax(pi, dim=-1)

            rs = gmm_outs[:, :, -2]

            ds = gmm_outs[:, :, -1]

            return mus, sigmas, logpi, rs, ds

    class MDRNNCell(_MDRNNBase):
        """ MDRNN model for one step forward """
        def __init__(self, latents, actions, hiddens, gaussians):
            super().__init__(latents, actions, hiddens, gaussians)
            self.rnn = nn.LSTMCell(latents + actions, hiddens)

        def forward(self, action, latent, hidden):  # pylint: disable=arguments-differ
            in_al = torch.cat([action, latent], dim=1)

            next_hidden = self.rnn(in_al, hidden)
            out_rnn = next_hidden[0]

            out_full = self.gmm_linear(out_rnn)

            stride = self.gaussians * self.latents

            mus = out_full[:, :stride]
            mus = mus.view(-1, self.gaussians, self.latents)

            sigmas = out_full[:, stride:2 * stride]
            sigmas = sigmas.view(-1, self.gaussians, self.latents)
            sigmas = torch.exp(sigmas)

            pi = out_full[:, 2 * stride:2 * stride + self.gaussians]
            pi = pi.view(-1, self.gaussians)
            logpi = f.log_softmax(pi, dim=-1)

            r = out_full[:, -2]

            d = out_full[:, -1]

            return mus, sigmas, logpi, r, d, next_hidden

    class Controller(nn.Module):
        """ Controller """
        def __init__(self, latents, recurrents, actions):
            super().__init__()
            self.fc = nn.Linear(latents + recurrents, actions)

        def forward(self, *inputs):
            cat_in = torch.cat(inputs, dim=1)
            return self.fc(cat_in)

    return MDRNN, MDRNNCell, Controller


def flatten_parameters(torch, params):
    """ Flattening parameters. """
    return torch.cat([p.detach().view(-1) for p in params], dim=0).cpu().numpy()


def unflatten_parameters(torch, params, example, device):
    """ Unflatten parameters. """
    params = torch.Tensor(params).to(device)
    idx = 0
    unflattened = []
    for e_p in example:
        unflattened += [params[idx:idx + e_p.numel()].view(e_p.size())]
        idx += e_p.numel()
    return unflattened


def load_parameters(torch, params, controller):
    """ Load flattened parameters into controller. """
    proc_params = unflatten_parameters(torch, params, controller.parameters(), "cpu")

    for p, p_0 in zip(controller.parameters(), proc_params):
        p.data.copy_(p_0)


def rollouts(seq_len: int = 5, batch: int = 3, seed: int = 0) -> dict:
    """Generated rollouts: frames are scikit-learn digits (8x8, in [0, 1]), actions,
    rewards and terminals drawn at random; next_obs is obs one step later."""
    from sklearn.datasets import load_digits
    rng = np.random.default_rng(seed)
    images = load_digits().images / 16.0
    frames = images[rng.integers(0, len(images), (batch, seq_len + 1))]
    return dict(obs=frames[:, :-1, None], next_obs=frames[:, 1:, None],
                action=rng.uniform(-1, 1, (batch, seq_len, 2)),
                reward=rng.standard_normal((batch, seq_len)),
                terminal=(rng.uniform(size=(batch, seq_len)) < 0.2).astype(np.float64))
