"""``python -m benchmarks.blas_threads``: wall time of ``nn.train.fit`` with BLAS held
at one thread (``blas_threads=1``) against BLAS left alone (``None``: OpenBLAS then uses
every core), interleaved runs, medians. The models are the size a course trains: a
64-128-64-10 MLP and the 64-32-(2+2)-32-64 VAE, float64, Adam, batches of 64, on 1,797
random digit-sized rows. Run it on an idle machine and once more while another program
keeps a core busy (``--busy`` starts one for the duration): multi-threaded BLAS waits
for a core that is not free, one thread does not. Needs threadpoolctl (the dev extra)."""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

import numpy as np

__all__ = ["main", "train_once"]

ROWS, FEATURES, CLASSES, EPOCHS, BATCH = 1797, 64, 10, 5, 64


def train_once(kind: str, blas_threads: int | None, rows: int = ROWS,
               epochs: int = EPOCHS) -> float:
    """Seconds of wall time for one ``fit`` of ``epochs`` epochs on ``rows`` rows."""
    import nn
    from nn.models import MLP, VAE
    from nn.train import fit

    rng = np.random.default_rng(0)
    x = rng.random((rows, FEATURES))
    if kind == "mlp":
        model = MLP([FEATURES, 128, 64, CLASSES], output="softmax", rng=0)
        train = (x, rng.integers(0, CLASSES, rows))
    else:
        model, train = VAE(FEATURES, 32, 2, rng=0), x
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    fit(model, None, optimizer, train, epochs=epochs, batch_size=BATCH, progress=False,
        generator=1, blas_threads=blas_threads)
    return time.perf_counter() - start


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.blas_threads",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--busy", action="store_true",
                        help="keep one core busy with another process meanwhile")
    args = parser.parse_args(argv)
    busy = None
    if args.busy:
        busy = multiprocessing.Process(target=_spin, args=(3600.0,), daemon=True)
        busy.start()
    figures = {}
    try:
        for kind in ("mlp", "vae"):
            times: dict[int | None, list[float]] = {1: [], None: []}
            for _ in range(args.runs):
                for threads in times:
                    times[threads].append(train_once(kind, threads))
            one, alone = statistics.median(times[1]), statistics.median(times[None])
            figures[kind] = (one, alone)
            print(f"{kind}: fit, {EPOCHS} epochs: blas_threads=1 {one:.3f} s, BLAS left "
                  f"alone {alone:.3f} s ({alone / one:.2f}x)"
                  + (", one core kept busy" if busy else ""))
    finally:
        if busy is not None:
            busy.terminate()
    return figures


if __name__ == "__main__":
    main()
