"""HIPS autograd's fluid simulation (``fluidsim/fluidsim.py``, after Jos Stam's "Real-Time
Fluid Dynamics for Games"), ported as its readers write it: the velocity field is
projected to be (nearly) divergence-free with ``np.roll`` stencils, and the fields are
advected by bilinear interpolation with integer index arrays; the final smoke's distance
to a target image is differentiated with respect to the initial velocities and
optimised with ``scipy.optimize.minimize``. Run next to the same program in PyTorch
(float64, a 10x10 grid, generated images in place of HIPS's PNGs). See
``test_hips_ports_basics.py`` for the conventions. Written differently here:
- ``np.floor(x).astype(int)`` of a Tensor that requires grad is
  ``np.floor(x.detach()).astype(int)``: an integer array carries no gradient, and this
  library refuses the silent cut (``astype`` says to detach).
"""

import numpy as np
import pytest

import autograd as ag
from autograd import func

ROWS = COLS = 10
STEPS = 4


def project(vx, vy, iterations=6):
    """The velocity made approximately mass-conserving by Jacobi iterations on p."""
    p = np.zeros(vx.shape)
    h = 1.0 / vx.shape[0]
    div = -0.5 * h * (np.roll(vx, -1, axis=0) - np.roll(vx, 1, axis=0)
                      + np.roll(vy, -1, axis=1) - np.roll(vy, 1, axis=1))
    for k in range(iterations):
        p = (div + np.roll(p, 1, axis=0) + np.roll(p, -1, axis=0)
             + np.roll(p, 1, axis=1) + np.roll(p, -1, axis=1)) / 4.0
    vx -= 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0)) / h
    vy -= 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1)) / h
    return vx, vy


def advect(f, vx, vy):
    """f moved along (vx, vy): each cell reads its source point, bilinearly."""
    rows, cols = f.shape
    cell_ys, cell_xs = np.meshgrid(np.arange(rows), np.arange(cols))
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()
    left_ix = np.floor(center_xs.detach()).astype(int)  # integers: no gradient (see above)
    top_ix = np.floor(center_ys.detach()).astype(int)
    rw = center_xs - left_ix  # the weight of the right-hand cells
    bw = center_ys - top_ix  # of the bottom cells
    left_ix = np.mod(left_ix, rows)  # wrap around the edges
    right_ix = np.mod(left_ix + 1, rows)
    top_ix = np.mod(top_ix, cols)
    bot_ix = np.mod(top_ix + 1, cols)
    flat_f = ((1 - rw) * ((1 - bw) * f[left_ix, top_ix] + bw * f[left_ix, bot_ix])
              + rw * ((1 - bw) * f[right_ix, top_ix] + bw * f[right_ix, bot_ix]))
    return np.reshape(flat_f, (rows, cols))


def simulate(vx, vy, smoke, num_time_steps):
    for t in range(num_time_steps):
        vx_updated = advect(vx, vx, vy)
        vy_updated = advect(vy, vx, vy)
        vx, vy = project(vx_updated, vy_updated)
        smoke = advect(smoke, vx, vy)
    return smoke


def torch_simulate(torch, vx, vy, smoke, num_time_steps):
    """The same simulation in PyTorch (torch.roll, integer index tensors)."""
    cell_ys, cell_xs = (torch.tensor(a) for a in np.meshgrid(np.arange(ROWS),
                                                             np.arange(COLS)))

    def advect_t(f, vx, vy):
        cx, cy = (cell_xs - vx).reshape(-1), (cell_ys - vy).reshape(-1)
        left, top = torch.floor(cx).long(), torch.floor(cy).long()
        rw, bw = cx - left, cy - top
        left, top = left % ROWS, top % COLS
        right, bot = (left + 1) % ROWS, (top + 1) % COLS
        flat = ((1 - rw) * ((1 - bw) * f[left, top] + bw * f[left, bot])
                + rw * ((1 - bw) * f[right, top] + bw * f[right, bot]))
        return flat.reshape(ROWS, COLS)

    def project_t(vx, vy):
        p, h = torch.zeros(vx.shape), 1.0 / vx.shape[0]
        div = -0.5 * h * (torch.roll(vx, -1, 0) - torch.roll(vx, 1, 0)
                          + torch.roll(vy, -1, 1) - torch.roll(vy, 1, 1))
        for k in range(6):
            p = (div + torch.roll(p, 1, 0) + torch.roll(p, -1, 0) + torch.roll(p, 1, 1)
                 + torch.roll(p, -1, 1)) / 4.0
        return (vx - 0.5 * (torch.roll(p, -1, 0) - torch.roll(p, 1, 0)) / h,
                vy - 0.5 * (torch.roll(p, -1, 1) - torch.roll(p, 1, 1)) / h)

    for t in range(num_time_steps):
        vx, vy = project_t(advect_t(vx, vx, vy), advect_t(vy, vx, vy))
        smoke = advect_t(smoke, vx, vy)
    return smoke


def images():
    """A smoke blob and a target ring, in place of HIPS's PNGs."""
    ys, xs = np.mgrid[0:ROWS, 0:COLS] - 4.5
    radius = np.sqrt(xs ** 2 + ys ** 2)
    return np.exp(-radius ** 2 / 4.0), np.exp(-(radius - 3.0) ** 2)


def convert_param_vector_to_matrices(params):
    vx = np.reshape(params[:(ROWS * COLS)], (ROWS, COLS))
    vy = np.reshape(params[(ROWS * COLS):], (ROWS, COLS))
    return vx, vy


def objective(params, init_smoke, target):
    init_vx, init_vy = convert_param_vector_to_matrices(params)
    final_smoke = simulate(init_vx, init_vy, init_smoke, STEPS)
    return np.mean((target - final_smoke) ** 2)


def torch_objective(torch, params, init_smoke, target):
    vx, vy = params[:ROWS * COLS].reshape(ROWS, COLS), params[ROWS * COLS:].reshape(ROWS, COLS)
    final = torch_simulate(torch, vx, vy, torch.tensor(init_smoke), STEPS)
    return ((torch.tensor(target) - final) ** 2).mean()


def test_gradient_with_respect_to_the_initial_velocity(torch):
    init_smoke, target = images()
    params = 0.3 * np.random.RandomState(0).randn(2 * ROWS * COLS)
    gradient, value = func.grad_and_value(lambda p: objective(p, init_smoke, target))(params)
    p_t = torch.tensor(params, requires_grad=True)
    value_t = torch_objective(torch, p_t, init_smoke, target)
    value_t.backward()
    np.testing.assert_allclose(value.item(), value_t.item(), rtol=1e-10)
    np.testing.assert_allclose(gradient.data, p_t.grad.numpy(), rtol=1e-9, atol=1e-13)


def test_optimizing_the_initial_velocity(torch):
    """HIPS: minimize(value_and_grad(objective), zeros, jac=True, method='CG')."""
    optimize = pytest.importorskip("scipy.optimize")
    init_smoke, target = images()
    objective_with_grad = func.grad_and_value(lambda p: objective(p, init_smoke, target))

    def ours(p):
        gradient, value = objective_with_grad(p)
        return float(value), np.asarray(gradient)

    def theirs(p):
        p = torch.tensor(p, requires_grad=True)
        value = torch_objective(torch, p, init_smoke, target)
        return value.item(), torch.autograd.grad(value, p)[0].numpy()

    init_dx_and_dy = 0.01 * np.ones(2 * ROWS * COLS)  # HIPS starts at zeros (a kink here)
    options = {"maxiter": 3}
    got = optimize.minimize(ours, init_dx_and_dy, jac=True, method="CG", options=options)
    want = optimize.minimize(theirs, init_dx_and_dy, jac=True, method="CG", options=options)
    np.testing.assert_allclose(got.x, want.x, rtol=1e-7, atol=1e-10)
    assert got.fun < ours(init_dx_and_dy)[0]


def test_the_in_place_update_is_recorded():
    """``vx -= ...`` in ``project`` writes into the advected field (a Tensor in the graph):
    the gradient reaching the initial velocity is the finite differences' one."""
    vx = ag.tensor(np.random.RandomState(1).randn(ROWS, COLS), requires_grad=True)
    vy = ag.tensor(np.random.RandomState(2).randn(ROWS, COLS), requires_grad=True)
    in_place = np.sum(np.concatenate(project(vx * 1.0, vy * 1.0)) ** 2)
    (gx, gy) = ag.grad(in_place, [vx, vy])
    numeric = ag.numerical_grad(lambda a, b: np.sum(np.concatenate(project(a * 1.0, b * 1.0))
                                                    ** 2), [vx, vy], [np.array(1.0)])
    np.testing.assert_allclose(gx.data, numeric[0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(gy.data, numeric[1], rtol=1e-5, atol=1e-7)
