"""kmeans_pytorch (subhadarship/kmeans_pytorch), Lloyd's k-means as many PyTorch
projects vendor it: squared Euclidean or cosine distances by broadcasting
(``unsqueeze``), ``torch.argmin``, each centre the mean of ``torch.index_select(X, 0,
torch.nonzero(choice_cluster == index).squeeze())`` (a 0-d index when one point is
selected), written into ``initial_state[index]``, until the centres stop moving; then
``kmeans_predict``. Written once for a library ``T``, run next to PyTorch from the same
NumPy-chosen initial points (the package's ``np.random.choice``): labels, centres and
the number of iterations agree (in float32, the package's ``X.float()``).

Lines written differently here: ``torch.nonzero(mask)`` is ``nonzero(mask,
as_tuple=False)`` (``autograd.nonzero`` alone is refused as ambiguous: NumPy's gives a
tuple of index arrays), and the progress-bar branch (``tqdm_flag``) and the soft-DTW
distance (a CUDA kernel) are left out.
"""

from functools import partial

import numpy as np
import pytest

import autograd as ag


def make_kmeans(T):
    def initialize(X, num_clusters):
        num_samples = len(X)
        indices = np.random.choice(num_samples, num_clusters, replace=False)
        initial_state = X[indices]
        return initial_state

    def pairwise_distance(data1, data2, device=T.device("cpu")):
        data1, data2 = data1.to(device), data2.to(device)
        A = data1.unsqueeze(dim=1)  # N*1*M
        B = data2.unsqueeze(dim=0)  # 1*N*M
        dis = (A - B) ** 2.0
        dis = dis.sum(dim=-1).squeeze()  # N*N matrix for pairwise distance
        return dis

    def pairwise_cosine(data1, data2, device=T.device("cpu")):
        data1, data2 = data1.to(device), data2.to(device)
        A = data1.unsqueeze(dim=1)
        B = data2.unsqueeze(dim=0)
        A_normalized = A / A.norm(dim=-1, keepdim=True)
        B_normalized = B / B.norm(dim=-1, keepdim=True)
        cosine = A_normalized * B_normalized
        cosine_dis = 1 - cosine.sum(dim=-1).squeeze()
        return cosine_dis

    def kmeans(X, num_clusters, distance="euclidean", tol=1e-4, iter_limit=0,
               device=T.device("cpu")):
        if distance == "euclidean":
            pairwise_distance_function = partial(pairwise_distance, device=device)
        elif distance == "cosine":
            pairwise_distance_function = partial(pairwise_cosine, device=device)
        else:
            raise NotImplementedError
        X = X.float()  # convert to float
        X = X.to(device)
        initial_state = initialize(X, num_clusters)
        iteration = 0
        while True:
            dis = pairwise_distance_function(X, initial_state)
            choice_cluster = T.argmin(dis, dim=1)
            initial_state_pre = initial_state.clone()
            for index in range(num_clusters):
                # as_tuple=False: autograd.nonzero has NumPy's meaning too (see docstring)
                selected = T.nonzero(choice_cluster == index, as_tuple=False).squeeze().to(
                    device)
                selected = T.index_select(X, 0, selected)
                if selected.shape[0] == 0:
                    selected = X[T.randint(len(X), (1,))]
                initial_state[index] = selected.mean(dim=0)
            center_shift = T.sum(
                T.sqrt(T.sum((initial_state - initial_state_pre) ** 2, dim=1)))
            iteration = iteration + 1
            if center_shift ** 2 < tol:
                break
            if iter_limit != 0 and iteration >= iter_limit:
                break
        return choice_cluster.cpu(), initial_state.cpu(), iteration

    def kmeans_predict(X, cluster_centers, distance="euclidean", device=T.device("cpu")):
        pairwise_distance_function = (pairwise_distance if distance == "euclidean"
                                      else pairwise_cosine)
        X = X.float().to(device)
        dis = pairwise_distance_function(X, cluster_centers, device=device)
        return T.argmin(dis, dim=1).cpu()

    return kmeans, kmeans_predict


def blobs() -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [5.0, 1.0], [1.0, 5.0]])
    X = np.concatenate([c + rng.standard_normal((12, 2)) for c in centres])
    return np.concatenate([X, [[12.0, 12.0]]])  # a lone point: one cluster of one


@pytest.mark.parametrize("distance", ["euclidean", "cosine"])
def test_kmeans_pytorch_matches_torch(torch, distance: str) -> None:
    X = blobs() + (3.0 if distance == "cosine" else 0.0)
    records = []
    for T in (ag, torch):
        kmeans, kmeans_predict = make_kmeans(T)
        np.random.seed(3)  # the package draws its initial points from NumPy
        labels, centres, iterations = kmeans(T.tensor(X), 4, distance=distance)
        predicted = kmeans_predict(T.tensor(X[:5] + 0.01), centres, distance=distance)
        records.append((labels.numpy(), centres.numpy(), iterations, predicted.numpy()))
    ours, theirs = records
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5, atol=1e-6)
    assert ours[2] == theirs[2] and ours[1].dtype == np.float32
    np.testing.assert_array_equal(ours[3], theirs[3])
    if distance == "euclidean":  # the lone point's cluster: index_select by a 0-d index
        assert 1 in np.bincount(ours[0])
