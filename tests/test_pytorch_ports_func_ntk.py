"""PyTorch's tutorial "Neural Tangent Kernels" (torch.func), ported as its readers write
it: the program is written once for a library ``T`` (``autograd`` here, ``torch`` there)
with its ``nn`` and ``func`` (``autograd.func`` / ``torch.func``), and runs next to
PyTorch's from the same weights and data (float64). The empirical NTK
``J(x1) J(x2)^T`` by Jacobian contraction (``vmap(jacrev(fnet_single))`` and einsum over
every parameter) and by NTK-vector products (``vjp`` then ``jvp``, vmapped over the
identity's rows and over both batches), in its ``'full'``, ``'trace'`` and ``'diagonal'``
forms, agrees with PyTorch's to 1e-10, and the two methods agree with each other.

Lines written differently here:
- ``device = 'cuda'`` and ``.to(device)`` are dropped (CPU only); ``device=`` of
  ``torch.eye`` is kept (it takes the output's device, "cpu");
- the sizes are small: 3x8x8 images, 4 channels, 3 outputs, batches of 3 and 2 (the
  tutorial's 32x32, 32 channels, 10 outputs, 20 and 5, scaled down for speed);
- the data are drawn once by NumPy for both libraries (``torch.randn``), and our model
  starts from PyTorch's initial weights (``load_state_dict``).
"""

import numpy as np
import pytest

import autograd as ag
import nn

# torch.func imports torch._dynamo on first use, which calls torch.jit.script (deprecated)
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def libraries(torch=None) -> tuple:
    """(T, nn, func) for this library, or PyTorch's."""
    if torch is None:
        return ag, nn, ag.func
    return torch, torch.nn, torch.func


def program(libs, x_train_np, x_test_np, start=None) -> dict:
    """The tutorial's lines; returns the kernels it computes, by name."""
    T, nn_, func = libs
    functional_call, vmap, vjp, jvp, jacrev = (func.functional_call, func.vmap, func.vjp,
                                               func.jvp, func.jacrev)
    out = {}

    class CNN(nn_.Module):
        def __init__(self):
            super(CNN, self).__init__()
            self.conv1 = nn_.Conv2d(3, 4, (3, 3))
            self.conv2 = nn_.Conv2d(4, 4, (3, 3))
            self.conv3 = nn_.Conv2d(4, 4, (3, 3))
            self.fc = nn_.Linear(16, 3)

        def forward(self, x):
            x = self.conv1(x)
            x = x.relu()
            x = self.conv2(x)
            x = x.relu()
            x = self.conv3(x)
            x = x.flatten(1)
            x = self.fc(x)
            return x

    x_train = T.tensor(x_train_np)  # torch.randn(20, 3, 32, 32, device=device)
    x_test = T.tensor(x_test_np)  # torch.randn(5, 3, 32, 32, device=device)

    net = CNN()
    if start is not None:
        net.load_state_dict(start)
    out["state"] = net.state_dict()

    # Detaching the parameters because we won't be calling Tensor.backward().
    params = {k: v.detach() for k, v in net.named_parameters()}

    def fnet_single(params, x):
        return functional_call(net, params, (x.unsqueeze(0),)).squeeze(0)

    def empirical_ntk_jacobian_contraction(fnet_single, params, x1, x2, compute='full'):
        # Compute J(x1)
        jac1 = vmap(jacrev(fnet_single), (None, 0))(params, x1)
        jac1 = jac1.values()
        jac1 = [j.flatten(2) for j in jac1]

        # Compute J(x2)
        jac2 = vmap(jacrev(fnet_single), (None, 0))(params, x2)
        jac2 = jac2.values()
        jac2 = [j.flatten(2) for j in jac2]

        # Compute J(x1) @ J(x2).T
        einsum_expr = None
        if compute == 'full':
            einsum_expr = 'Naf,Mbf->NMab'
        elif compute == 'trace':
            einsum_expr = 'Naf,Maf->NM'
        elif compute == 'diagonal':
            einsum_expr = 'Naf,Maf->NMa'
        else:
            assert False

        result = T.stack([T.einsum(einsum_expr, j1, j2) for j1, j2 in zip(jac1, jac2)])
        result = result.sum(0)
        return result

    result = empirical_ntk_jacobian_contraction(fnet_single, params, x_train, x_test)
    assert tuple(result.shape) == (3, 2, 3, 3)
    out["contraction_full"] = result
    for compute in ('trace', 'diagonal'):
        out["contraction_" + compute] = empirical_ntk_jacobian_contraction(
            fnet_single, params, x_train, x_test, compute)

    def empirical_ntk_ntk_vps(func, params, x1, x2, compute='full'):
        def get_ntk(x1, x2):
            def func_x1(params):
                return func(params, x1)

            def func_x2(params):
                return func(params, x2)

            output, vjp_fn = vjp(func_x1, params)

            def get_ntk_slice(vec):
                # This computes vec @ J(x2).T
                # `vec` is some unit vector (a single slice of the Identity matrix)
                vjps = vjp_fn(vec)
                # This computes J(X1) @ vjps
                _, jvps = jvp(func_x2, (params,), vjps)
                return jvps

            # Here's our identity matrix
            basis = T.eye(output.numel(), dtype=output.dtype,
                          device=output.device).view(output.numel(), -1)
            return vmap(get_ntk_slice)(basis)

        result = vmap(vmap(get_ntk, (None, 0)), (0, None))(x1, x2)

        if compute == 'full':
            return result
        if compute == 'trace':
            return T.einsum('NMKK->NM', result)
        if compute == 'diagonal':
            return T.einsum('NMKK->NMK', result)

    result_from_jacobian_contraction = empirical_ntk_jacobian_contraction(
        fnet_single, params, x_test, x_train)
    result_from_ntk_vps = empirical_ntk_ntk_vps(fnet_single, params, x_test, x_train)
    assert T.allclose(result_from_jacobian_contraction, result_from_ntk_vps, atol=1e-5)
    out["vps_full"] = result_from_ntk_vps
    for compute in ('trace', 'diagonal'):
        out["vps_" + compute] = empirical_ntk_ntk_vps(fnet_single, params, x_test,
                                                      x_train, compute)
    return out


def numpy_of(t) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def test_neural_tangent_kernels_match_pytorch(torch):
    rng = np.random.default_rng(0)
    x_train_np = rng.standard_normal((3, 3, 8, 8))
    x_test_np = rng.standard_normal((2, 3, 8, 8))
    torch.manual_seed(0)
    theirs = program(libraries(torch), x_train_np, x_test_np)
    start = {k: v.numpy().copy() for k, v in theirs.pop("state").items()}
    ours = program(libraries(), x_train_np, x_test_np, start)
    ours.pop("state")
    assert list(ours) == list(theirs)
    for name in ours:
        assert ours[name].shape == tuple(theirs[name].shape), name
        np.testing.assert_allclose(numpy_of(ours[name]), numpy_of(theirs[name]),
                                   rtol=1e-10, atol=1e-12, err_msg=name)
    # K(x1, x2)[a, b] = K(x2, x1)[b, a]; trace and diagonal are the full kernel's
    full = ours["vps_full"].data
    np.testing.assert_allclose(full, ours["contraction_full"].data.transpose(1, 0, 3, 2),
                               rtol=1e-10)
    np.testing.assert_allclose(ours["vps_trace"].data, np.einsum("nmkk->nm", full),
                               rtol=1e-12)
    np.testing.assert_allclose(ours["vps_diagonal"].data, np.einsum("nmkk->nmk", full),
                               rtol=1e-12)
