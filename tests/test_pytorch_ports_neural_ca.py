"""Growing Neural Cellular Automata (Mordvintsev et al., Distill 2020) as its PyTorch
readers write it (the reimplementation in chenmingxiang110/Growing-Neural-Cellular-Automata,
shrunk), ported: the ``CAModel`` on NHWC states (``x.transpose(1,3)``), the alive mask
``F.max_pool2d(x[:, 3:4, :, :], kernel_size=3, stride=1, padding=1) > 0.1``, perception by
rotated Sobel filters built with ``np.outer`` and applied as a depthwise
``F.conv2d(x, conv_weights, padding=1, groups=self.channel_n)`` of
``torch.from_numpy(weight).view(1,1,3,3).repeat(self.channel_n, 1, 1, 1)``, the per-cell
update by two ``nn.Linear`` layers on the channels (``fc1.weight.zero_()`` under
``torch.no_grad()``), the stochastic update ``torch.rand([...]) > fire_rate`` and the life
mask ``(pre_life_mask & post_life_mask).float()``; trained with the sample pool
(``SamplePool.sample``/``commit``, NumPy), the pool sorted by ``loss_f`` with
``argsort()[::-1]``, the seed put back, circle damage (``make_circle_masks``), a random
number of CA steps per batch, ``F.mse_loss`` on the RGBA channels, each gradient
normalised in place (``p.grad /= (p.grad.norm() + 1e-8)``, as the paper's notebook), Adam
and ``ExponentialLR``. The target is a scikit-learn digit coloured as an RGBA image. Written
once for a library ``torch``, it runs step for step next to PyTorch (float64): losses,
gradients, parameters and the pool agree to 1e-10.

Lines written differently here, in both runs: the Sobel weights and the pool's arrays are
made float64 (``astype(np.float64)``, the repository's float32), the comparison's dtype;
``F.mse_loss(x[:, :, :, :4], target)`` expands the one target over the batch
(``target.expand_as(...)``): losses never broadcast here (PyTorch warns and broadcasts),
and the ShapeError now says so.
The test's glue (marked): our ``torch.rand`` draws replayed in PyTorch's run, NumPy's
global generator seeded before each run, each optimizer step recorded.
"""

import numpy as np

from pytorch_examples_helpers import assert_steps, digits, record_steps
from test_pytorch_ports_resnet import libraries
from test_pytorch_ports_resnet_blocks import RandDraws


def ca_program(torch, nn, F):
    """The repository's definitions for the library ``torch``."""
    class CAModel(nn.Module):
        def __init__(self, channel_n, fire_rate, device, hidden_size=128):
            super(CAModel, self).__init__()

            self.device = device
            self.channel_n = channel_n

            self.fc0 = nn.Linear(channel_n*3, hidden_size)
            self.fc1 = nn.Linear(hidden_size, channel_n, bias=False)
            with torch.no_grad():
                self.fc1.weight.zero_()

            self.fire_rate = fire_rate
            self.to(self.device)

        def alive(self, x):
            return F.max_pool2d(x[:, 3:4, :, :], kernel_size=3, stride=1, padding=1) > 0.1

        def perceive(self, x, angle):

            def _perceive_with(x, weight):
                conv_weights = torch.from_numpy(weight.astype(np.float64)).to(self.device)
                conv_weights = conv_weights.view(1, 1, 3, 3).repeat(self.channel_n, 1, 1, 1)
                return F.conv2d(x, conv_weights, padding=1, groups=self.channel_n)

            dx = np.outer([1, 2, 1], [-1, 0, 1]) / 8.0  # Sobel filter
            dy = dx.T
            c = np.cos(angle*np.pi/180)
            s = np.sin(angle*np.pi/180)
            w1 = c*dx-s*dy
            w2 = s*dx+c*dy

            y1 = _perceive_with(x, w1)
            y2 = _perceive_with(x, w2)
            y = torch.cat((x, y1, y2), 1)
            return y

        def update(self, x, fire_rate, angle):
            x = x.transpose(1, 3)
            pre_life_mask = self.alive(x)

            dx = self.perceive(x, angle)
            dx = dx.transpose(1, 3)
            dx = self.fc0(dx)
            dx = F.relu(dx)
            dx = self.fc1(dx)

            if fire_rate is None:
                fire_rate = self.fire_rate
            stochastic = torch.rand([dx.size(0), dx.size(1), dx.size(2), 1]) > fire_rate
            stochastic = stochastic.float().to(self.device)
            dx = dx * stochastic

            x = x+dx.transpose(1, 3)

            post_life_mask = self.alive(x)
            life_mask = (pre_life_mask & post_life_mask).float()
            x = x * life_mask
            return x.transpose(1, 3)

        def forward(self, x, steps=1, fire_rate=None, angle=0.0):
            for step in range(steps):
                x = self.update(x, fire_rate, angle)
            return x

    class SamplePool:
        def __init__(self, *, _parent=None, _parent_idx=None, **slots):
            self._parent = _parent
            self._parent_idx = _parent_idx
            self._slot_names = slots.keys()
            self._size = None
            for k, v in slots.items():
                if self._size is None:
                    self._size = len(v)
                assert self._size == len(v)
                setattr(self, k, np.asarray(v))

        def sample(self, n):
            idx = np.random.choice(self._size, n, False)
            batch = {k: getattr(self, k)[idx] for k in self._slot_names}
            batch = SamplePool(**batch, _parent=self, _parent_idx=idx)
            return batch

        def commit(self):
            for k in self._slot_names:
                getattr(self._parent, k)[self._parent_idx] = getattr(self, k)

    def make_circle_masks(n, h, w):
        x = np.linspace(-1.0, 1.0, w)[None, None, :]
        y = np.linspace(-1.0, 1.0, h)[None, :, None]
        center = np.random.random([2, n, 1, 1])*1.0-0.5
        r = np.random.random([n, 1, 1]) * 0.3 + 0.1
        x, y = (x-center[0])/r, (y-center[1])/r
        mask = (x*x+y*y < 1.0).astype(np.float64)
        return mask

    return CAModel, SamplePool, make_circle_masks


def target_image(image: np.ndarray) -> np.ndarray:
    """A digit as an RGBA image with premultiplied alpha, as the emoji targets are."""
    alpha = np.clip(image * 1.5, 0.0, 1.0)
    rgb = np.stack([alpha * 0.9, alpha * 0.4, alpha * 0.2], -1)
    return np.concatenate([rgb, alpha[..., None]], -1)


def run(torch, target_img, draws, sync, record):
    """The notebook's training loop for the library ``torch``."""
    ours = torch is None
    torch_, nn, F, optim, data, _, _ = libraries(torch)
    torch = RandDraws(torch_, draws=draws) if ours else RandDraws(torch_, replay=draws)
    np.random.seed(0)  # the test's glue: both runs sample the same pool entries
    CAModel, SamplePool, make_circle_masks = ca_program(torch, nn, F)

    device = torch.device("cpu")
    CHANNEL_N, TARGET_PADDING, CELL_FIRE_RATE = 8, 2, 0.5
    POOL_SIZE, BATCH_SIZE, DAMAGE_N = 16, 4, 1
    lr, lr_gamma, betas = 2e-3, 0.9999, (0.5, 0.5)

    p = TARGET_PADDING
    pad_target = np.pad(target_img, [(p, p), (p, p), (0, 0)])
    h, w = pad_target.shape[:2]
    pad_target = np.expand_dims(pad_target, axis=0)
    pad_target = torch.from_numpy(pad_target.astype(np.float64)).to(device)

    seed = np.zeros([h, w, CHANNEL_N], np.float64)
    seed[h//2, w//2, 3:] = 1.0

    def loss_f(x, target):
        return torch.mean(torch.pow(x[..., :4]-target, 2), [-2, -3, -1])

    ca = CAModel(CHANNEL_N, CELL_FIRE_RATE, device, hidden_size=32).to(device)
    sync(ca)  # the test's glue: our initial weights in both
    optimizer = optim.Adam(ca.parameters(), lr=lr, betas=betas)
    scheduler = optim.lr_scheduler.ExponentialLR(optimizer, lr_gamma)
    steps = []
    record_steps(optimizer, steps)  # the test's glue

    def train(x, target, steps, optimizer, scheduler):
        x = ca(x, steps=steps)
        # the repository's F.mse_loss(x[:, :, :, :4], target): losses never broadcast here
        # (PyTorch warns), so the one target is expanded over the batch
        loss = F.mse_loss(x[:, :, :, :4], target.expand_as(x[:, :, :, :4]))
        optimizer.zero_grad()
        loss.backward()
        for p in ca.parameters():  # the paper's per-variable gradient normalisation
            p.grad /= (p.grad.norm() + 1e-8)
        optimizer.step()
        scheduler.step()
        return x, loss

    pool = SamplePool(x=np.repeat(seed[None, ...], POOL_SIZE, 0))
    for i in range(4):
        batch = pool.sample(BATCH_SIZE)
        x0 = torch.from_numpy(batch.x.astype(np.float64)).to(device)
        loss_rank = loss_f(x0, pad_target).detach().cpu().numpy().argsort()[::-1]
        x0 = batch.x[loss_rank]
        x0[:1] = seed
        if DAMAGE_N:
            damage = 1.0-make_circle_masks(DAMAGE_N, h, w)[..., None]
            x0[-DAMAGE_N:] *= damage
        x0 = torch.from_numpy(x0.astype(np.float64)).to(device)
        x, loss = train(x0, pad_target, np.random.randint(6, 10), optimizer, scheduler)
        batch.x[:] = x.detach().cpu().numpy()
        batch.commit()
        record.append(loss.item())
    record.append(steps)
    record.append(pool.x.copy())
    with torch.no_grad():
        grown = ca(torch.from_numpy(seed[None, ...]), steps=8, fire_rate=0.0)
    record.append(grown.numpy().copy())


def test_neural_cellular_automaton_trains_step_for_step_as_torch(torch):
    images, _ = digits(1, lambda x: x)
    target = target_image(images[0, 0])
    states, draws, want, got = [], [], [], []
    run(None, target, draws, lambda m: states.append(
        {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}), got)
    assert draws
    run(torch, target, list(draws), lambda m: m.load_state_dict(
        {k: torch.tensor(v) for k, v in states.pop().items()}), want)
    assert not states and len(got) == len(want)
    assert got[0] != got[3] and np.abs(got[-1]).max() > 0
    for i, (a, b) in enumerate(zip(got, want)):
        if isinstance(a, list):
            assert_steps(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
