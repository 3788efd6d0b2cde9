"""World Models (Ha & Schmidhuber 2018) as ctallec/world-models trains it, step for step
next to PyTorch from the same weights (float64; program in ``world_models_program.py``):
- ``trainvae.py``: the convolutional VAE on frames, ``F.mse_loss(..., size_average=False)``
  plus the closed-form KL, Adam;
- ``trainmdrnn.py``: ``to_latent`` (frames ``f.upsample``-d bilinearly, encoded by the VAE
  under ``no_grad``, z = mu + sigma * eps), the MDN-RNN's ``gmm_loss`` with BCE-with-logits
  on terminals and MSE on rewards, RMSprop(alpha=.9);
- ``controller.py``/``utils/misc.py``: the trained LSTM's weights loaded into the one-step
  ``MDRNNCell`` (``k.strip('_l0')`` on the LSTM's keys), a dream rollout driven by the
  linear controller whose weights come from a flat CMA-ES vector (``load_parameters``).
Losses, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- ``p.data.copy_(p_0)`` in ``load_parameters`` stays: ``.data`` is a NumPy array here (by
  design), and NumPy's ``copyto`` is spelt ``p.data[...] = p_0``; the test's copy of
  ``load_parameters`` does that for ours;
- the noise: ``torch.randn_like(sigma)`` is still called, its values replaced by one NumPy
  generator's in both runs (``world_models_helpers.Noise``).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from world_models_helpers import Noise, assert_records, copy_weights, grads_and_params
from world_models_program import (flatten_parameters, gmm_loss, mdrnn_modules, rollouts,
                                  unflatten_parameters, vae_loss_function, vae_modules)

# f.upsample and size_average=False: both libraries warn that they are deprecated, as here
pytestmark = [pytest.mark.filterwarnings("ignore:`nn.functional.upsample` is deprecated"),
              pytest.mark.filterwarnings("ignore:.*size_average and reduce args")]

LSIZE, ASIZE, RSIZE, GAUSSIANS, RED_SIZE = 4, 2, 8, 3, 16


def libraries(torch):
    return ((torch, torch.nn, torch.optim), (ag, nn, nn.optim))


def build(torch, T, nn_, seed_models):
    VAE, img_channels, latent_size = vae_modules(T, nn_)
    MDRNN, MDRNNCell, Controller = mdrnn_modules(T, nn_)
    noise = Noise(1)
    models = dict(vae=VAE(img_channels, latent_size, noise),
                  mdrnn=MDRNN(LSIZE, ASIZE, RSIZE, GAUSSIANS),
                  controller=Controller(LSIZE, RSIZE, ASIZE))
    if seed_models is not None:
        for name, model in models.items():
            copy_weights(model, seed_models[name])
    return models, MDRNNCell, noise


def to_latent(T, f, vae, obs, next_obs, batch, seq_len):
    """ Transform observations to latent space (``trainmdrnn.py``). """
    with T.no_grad():
        obs, next_obs = [
            f.upsample(x.view(-1, 1, 8, 8), size=RED_SIZE,
                       mode='bilinear', align_corners=True)
            for x in (obs, next_obs)]

        (obs_mu, obs_logsigma), (next_obs_mu, next_obs_logsigma) = [
            vae(x)[1:] for x in (obs, next_obs)]

        latent_obs, latent_next_obs = [
            (x_mu + x_logsigma.exp() * vae.noise(T, T.randn_like(x_mu))).view(
                batch, seq_len, LSIZE)
            for x_mu, x_logsigma in
            [(obs_mu, obs_logsigma), (next_obs_mu, next_obs_logsigma)]]
    return latent_obs, latent_next_obs


def get_loss(T, f, mdrnn, latent_obs, action, reward, terminal, latent_next_obs,
             include_reward: bool):
    """ Compute losses (``trainmdrnn.py``). """
    latent_obs, action,\
        reward, terminal,\
        latent_next_obs = [arr.transpose(1, 0)
                           for arr in [latent_obs, action,
                                       reward, terminal,
                                       latent_next_obs]]
    mus, sigmas, logpi, rs, ds = mdrnn(action, latent_obs)
    gmm = gmm_loss(T, latent_next_obs, mus, sigmas, logpi)
    bce = f.binary_cross_entropy_with_logits(ds, terminal)
    if include_reward:
        mse = f.mse_loss(rs, reward)
        scale = LSIZE + 2
    else:
        mse = 0
        scale = LSIZE + 1
    loss = (gmm + bce + mse) / scale
    return dict(gmm=gmm, bce=bce, mse=mse, loss=loss)


def train_world_model(T, nn_, optim, models, record: list):
    vae, mdrnn = models["vae"], models["mdrnn"]
    data = rollouts()
    f = nn_.functional
    batch, seq_len = data["action"].shape[:2]
    obs = T.tensor(data["obs"]).view(-1, 1, 8, 8)
    frames = f.upsample(obs, size=RED_SIZE, mode='bilinear', align_corners=True)

    optimizer = optim.Adam(vae.parameters(), lr=1e-3)
    vae.train()
    for _ in range(3):
        optimizer.zero_grad()
        recon_batch, mu, logvar = vae(frames)
        loss = vae_loss_function(T, f, recon_batch, frames, mu, logvar)
        loss.backward()
        record.append(grads_and_params(loss, vae))
        optimizer.step()

    optimizer = optim.RMSprop(mdrnn.parameters(), lr=1e-3, alpha=.9)
    vae.eval()
    mdrnn.train()
    for include_reward in (True, False, True):
        latent_obs, latent_next_obs = to_latent(
            T, f, vae, T.tensor(data["obs"]), T.tensor(data["next_obs"]), batch, seq_len)
        losses = get_loss(T, f, mdrnn, latent_obs, T.tensor(data["action"]),
                          T.tensor(data["reward"]), T.tensor(data["terminal"]),
                          latent_next_obs, include_reward)
        optimizer.zero_grad()
        losses['loss'].backward()
        record.append(grads_and_params(losses['loss'], mdrnn)
                      + [np.asarray(losses['gmm'].item()), np.asarray(losses['bce'].item())])
        optimizer.step()
    record.append([p.detach().numpy().copy() for p in mdrnn.parameters()])
    return models


def test_vae_and_mdrnn_training(torch):
    torch.manual_seed(0)
    theirs, _, _ = build(torch, torch, torch.nn, None)
    ours, _, _ = build(torch, ag, nn, theirs)
    runs = [], []
    train_world_model(torch, torch.nn, torch.optim, theirs, runs[1])
    train_world_model(ag, nn, nn.optim, ours, runs[0])
    assert_records(*runs)


def load_parameters(T, params, controller):
    """ Load flattened parameters into controller (``utils/misc.py``). """
    proc_params = unflatten_parameters(T, params, controller.parameters(), "cpu")

    for p, p_0 in zip(controller.parameters(), proc_params):
        if T is ag:  # .data is the NumPy array here: NumPy's copy_ is a slice assignment
            p.data[...] = p_0.numpy()
        else:
            p.data.copy_(p_0)


def dream(T, models, MDRNNCell, flat_controller, steps: int = 4):
    """``RolloutGenerator``: the MDRNN's LSTM weights in the one-step cell, the controller
    from a CMA-ES vector, then a rollout in the MDN-RNN's dream."""
    mdrnn = MDRNNCell(LSIZE, ASIZE, RSIZE, GAUSSIANS)
    rnn_state = {"state_dict": models["mdrnn"].state_dict()}
    mdrnn.load_state_dict(
        {k.strip('_l0'): v for k, v in rnn_state["state_dict"].items()})
    controller = models["controller"]
    load_parameters(T, flat_controller, controller)
    hidden = [T.zeros(1, RSIZE) for _ in range(2)]
    latent_mu = T.tensor(rollouts(1, 1)["obs"][0, 0, 0, :1, :LSIZE])
    record = []
    with T.no_grad():
        for _ in range(steps):
            action = controller(latent_mu, hidden[0])
            mus, sigmas, logpi, r, d, next_hidden = mdrnn(action, latent_mu, hidden)
            mixt = logpi.exp().argmax(dim=-1)
            latent_mu = mus[T.arange(1), mixt]
            hidden = next_hidden
            record.append([x.numpy().copy() for x in (action, sigmas, r, d, latent_mu)])
    return record


def test_dream_rollout_with_cell_and_cma_controller(torch):
    torch.manual_seed(0)
    theirs, cell_class, _ = build(torch, torch, torch.nn, None)
    ours, our_cell_class, _ = build(torch, ag, nn, theirs)
    flat = flatten_parameters(torch, theirs["controller"].parameters())
    assert np.array_equal(flat, flatten_parameters(ag, ours["controller"].parameters()))
    candidate = np.random.default_rng(0).standard_normal(flat.shape)  # a CMA-ES ask()
    assert_records(dream(ag, ours, our_cell_class, candidate),
                   dream(torch, theirs, cell_class, candidate))
