"""DimeNet (Gasteiger et al. 2020) as PyG's ``dimenet.py`` builds it, in plain PyTorch
(``dimenet_program.py``): a radius graph, its triplets k -> j -> i, the angle at j of each
triplet, radial Bessel features with a smooth envelope and spherical Bessel x zonal
harmonic features of (distance, angle), the embedding block, a bilinear interaction block
and output blocks summed per molecule. It is trained on energies and forces (``-dE/dpos``
by ``torch.autograd.grad(..., create_graph=True)``: a second-order backward through the
angles' ``atan2``, ``cross`` and ``norm``) of generated molecules, with Adam, step for step
next to PyTorch (float64): losses, every step's gradients and parameters agree.

Lines written differently here, and why:
- ``.data`` is the NumPy array here (by design): PyG's ``self.W.data.normal_(...)``,
  ``self.emb.weight.data.uniform_(...)`` and ``glorot_orthogonal``'s ``tensor.data *=
  scale.sqrt()`` are written on the parameter under ``no_grad()`` (the same in both);
- ``torch.nn.init.orthogonal_`` is ``nn.init.orthogonal_``: ``nn`` is a package of its own
  here (``torch.nn`` is a named error saying so);
- ``torch.atan2`` is ``torch.arctan2``, PyTorch's alias, the name it has here;
- ``torch.autograd.grad`` is ``autograd_of(torch).grad``: ``torch.autograd``'s names are
  ``autograd``'s own here;
- ``radius_graph`` (``torch_cluster``), ``SparseTensor`` (``torch_sparse``) and ``scatter``
  (``torch_scatter``) are not PyTorch: their plain-PyTorch lines are written out;
- the sympy expressions PyG lambdifies are written out in sin and cos, and the zeros of the
  spherical Bessel functions found by bisection in NumPy (PyG: scipy's ``brentq``);
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import numpy as np

import autograd as ag
from dimenet_program import bessel_zeros, dimenet_modules, spherical_bessel
from geometric_ports_data import pair_potential_molecules, rotation
from graph_ports_helpers import assert_same_run


def autograd_of(torch):
    """``torch.autograd`` of PyTorch; ``autograd`` itself here."""
    return torch.autograd if hasattr(torch, "autograd") else ag


def dimenet_program(torch, nn, F, optim, glue, steps=2, rho=0.1):
    data = pair_potential_molecules(molecules=3, atoms=4)
    z = torch.tensor(data["z"]) + 1
    pos = torch.tensor(data["pos"]).requires_grad_()
    batch, energy = torch.tensor(data["batch"]), torch.tensor(data["energy"])
    forces = torch.tensor(data["forces"])
    model = dimenet_modules(torch, nn)(hidden_channels=8, out_channels=1, num_blocks=1,
                                       num_bilinear=4, num_spherical=3, num_radial=2,
                                       cutoff=2.5)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    glue(model, optimizer)  # the test's glue
    results = []
    for _ in range(steps):
        optimizer.zero_grad()
        pred_energy = model(z, pos, batch, data["num_graphs"]).squeeze(-1)
        pred_forces = -autograd_of(torch).grad(pred_energy.sum(), pos, create_graph=True)[0]
        loss = rho * F.mse_loss(pred_energy, energy) + (1 - rho) * F.mse_loss(
            pred_forces, forces)
        loss.backward()
        optimizer.step()
        results += [loss.item(), pred_forces.detach()]
    return results


def test_dimenet_energy_and_force_training_runs_step_for_step(torch):
    assert_same_run(torch, dimenet_program)


def test_spherical_bessel_zeros_are_zeros():
    """The bisection's zeros: j_l vanishes there, and j_0's are n pi."""
    zeros = bessel_zeros(4, 3)
    np.testing.assert_allclose(zeros[0], np.pi * np.arange(1, 4), rtol=1e-12)
    for order in range(4):
        np.testing.assert_allclose(spherical_bessel(order, zeros[order], np), 0, atol=1e-12)


def test_dimenet_energy_is_invariant_under_rotation():
    import nn
    ag.manual_seed(0)
    data = pair_potential_molecules(molecules=3, atoms=4)
    model = dimenet_modules(ag, nn)(hidden_channels=8, out_channels=1, num_blocks=1,
                                    num_bilinear=4, num_spherical=3, num_radial=2, cutoff=2.5)
    energies = [model(ag.tensor(data["z"]) + 1, ag.tensor(pos), ag.tensor(data["batch"]), 3)
                for pos in (data["pos"], data["pos"] @ rotation(2).T)]
    np.testing.assert_allclose(energies[1].detach().numpy(), energies[0].detach().numpy(),
                               rtol=1e-10)
