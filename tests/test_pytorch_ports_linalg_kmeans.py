"""k-means by Newton's method, as gradbench's PyTorch k-means eval writes it: the cost
sum_i min_k |p_i - c_k|^2 from all pairwise squared distances and ``torch.min(., dim=0)``,
the gradient by ``torch.autograd.functional.vjp`` and the (diagonal) Hessian by ``vhp``
with a vector of ones, the Newton direction their quotient; iterated, it is Lloyd's
algorithm (each centre moves to its points' mean). Also a soft k-means whose Newton
step uses the full Hessian from ``torch.autograd.functional.hessian`` and
``torch.linalg.solve``. Written once for a library ``T``, run step for step next to
PyTorch in float64: costs, directions and centres agree to about 1e-10.

One line is written differently: ``torch.autograd.functional`` is ``autograd.functional``
here (this package is itself torch.autograd's counterpart).
"""

from functools import partial

import numpy as np

import autograd as ag


def functional_of(T):
    """torch.autograd.functional, or autograd.functional (the package is torch.autograd)."""
    return T.functional if T is ag else T.autograd.functional


def assert_records(got, want, rtol=1e-10, atol=1e-11) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def data(n_per: int = 15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 4.0]])
    points = np.concatenate([c + rng.standard_normal((n_per, 2)) for c in centres])
    return points, points[[0, 1, 2]] + 0.5  # three starting centres in one blob


def all_pairs_norm(T, a, b):
    a_sqr = (a ** 2).sum(1)[None, :]
    b_sqr = (b ** 2).sum(1)[:, None]
    diff = T.matmul(b, a.T)
    return a_sqr + b_sqr - 2 * diff


def costfun(T, points, centers):
    dists = all_pairs_norm(T, points, centers)
    (min_dist, _) = T.min(dists, dim=0)
    return min_dist.sum()


def newton_direction(T, points, centroids):
    F = functional_of(T)
    _, jac = F.vjp(partial(costfun, T, points), centroids, v=T.tensor(1.0))
    _, hes = F.vhp(partial(costfun, T, points), centroids, v=T.ones_like(centroids))
    return jac / hes


def kmeans_newton(T, steps: int = 5) -> dict:
    points, centroids = (T.tensor(a) for a in data())
    costs, directions = [], []
    for _ in range(steps):
        costs.append(costfun(T, points, centroids).item())
        direction = newton_direction(T, points, centroids)
        directions.append(numpy_of(direction))
        centroids = centroids - direction
    return {"costs": costs, "directions": directions, "centroids": numpy_of(centroids)}


def test_kmeans_by_newton_steps_matches_torch_and_lloyd(torch) -> None:
    ours, theirs = kmeans_newton(ag), kmeans_newton(torch)
    assert theirs["costs"][-1] < 0.5 * theirs["costs"][0]
    assert_records(ours["costs"], theirs["costs"])
    assert_records(ours["directions"], theirs["directions"])
    assert_records([ours["centroids"]], [theirs["centroids"]])
    points, centroids = data()
    labels = ((points[:, None] - centroids[None]) ** 2).sum(-1).argmin(1)
    lloyd = np.stack([points[labels == k].mean(0) for k in range(3)])
    np.testing.assert_allclose(centroids - ours["directions"][0], lloyd, atol=1e-12)


def soft_kmeans_newton(T, steps: int = 4, temperature: float = 1.0, damping: float = 100.0
                       ) -> dict:
    """Soft k-means: the cost -t log sum_k exp(-|p - c_k|^2 / t) summed over points,
    a damped Newton step on the flattened centres with the full Hessian."""
    points, start = (T.tensor(a) for a in data(seed=1))

    def cost(flat):
        dists = all_pairs_norm(T, points, flat.reshape(3, 2))
        return -temperature * T.logsumexp(-dists / temperature, dim=0).sum()

    x = start.reshape(-1)
    costs, hessians = [cost(x).item()], []
    for _ in range(steps):
        g = functional_of(T).jacobian(cost, x)
        H = functional_of(T).hessian(cost, x)
        x = x - T.linalg.solve(H + damping * T.eye(6), g)
        costs.append(cost(x).item())
        hessians.append(numpy_of(H))
    return {"costs": costs, "hessians": hessians, "x": numpy_of(x)}


def test_soft_kmeans_with_the_full_hessian_matches_torch(torch) -> None:
    ours, theirs = soft_kmeans_newton(ag), soft_kmeans_newton(torch)
    assert all(b < a for a, b in zip(theirs["costs"], theirs["costs"][1:]))
    assert_records(ours["costs"], theirs["costs"])
    assert_records(ours["hessians"], theirs["hessians"], rtol=1e-9, atol=1e-10)
    assert_records([ours["x"]], [theirs["x"]])
