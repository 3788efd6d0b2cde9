"""The benchmark harness runs end to end on tiny workloads and refuses to time
candidates that compute different things. No timing is asserted."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import __main__ as cli
from benchmarks import (breakdown, cnn, collector, deep, fit, harness, lstm, mlp, mlp_phases,
                        moons, per_op, transformer, transformer_numpy, vae)

TINY = harness.Settings(rounds=1, warmup=0, block=1, quick=True, torch=False)


def test_every_workload_runs_and_reports_the_baseline_first() -> None:
    cases = (mlp.run(TINY, sizes=(12, 8, 3), batches=(4,)) + per_op.run(TINY, links=3)
             + vae.run(TINY) + moons.run(TINY) + lstm.run(TINY, length=3)
             + cnn.run(TINY, batch=4) + transformer.run(TINY, batch=2, length=4)
             + fit.run(TINY, rows=64) + collector.run(TINY, steps=20)
             + deep.run(TINY, sizes=(20_000,)))  # megabytes: more than the heap has spare
    assert {case.benchmark for case in cases} == {"mlp", "per-op", "vae", "moons", "lstm",
                                                  "cnn", "transformer", "fit", "gc", "deep"}
    for case in cases:
        assert case.rows and all(row.min <= row.median <= row.max for row in case.rows)
        if case.benchmark == "fit":  # its baseline is the bare loop with nn's parts
            assert case.rows[0].name.startswith("bare loop") and case.rows[0].ratio == 1.0
        elif case.benchmark == "gc":  # and this one the same build without the collector
            assert case.rows[0].name == "collector off" and case.rows[0].ratio == 1.0
        elif case.benchmark != "deep":
            assert case.rows[0].name.startswith("numpy") and case.rows[0].ratio == 1.0
    depth = cases[-1].rows[0].extra
    assert depth["bytes/node"] > 0 and depth["build s"] > 0
    for case in cases:
        if case.benchmark in ("mlp", "per-op", "vae", "moons", "lstm", "cnn", "transformer"):
            names = [row.name.strip() for row in case.rows]  # the engine's row, then
            at = names.index("forward only")  # where its time goes
            assert names[at - 1].startswith("autograd")
            assert names[at:at + 3] == ["forward only", "VJPs alone", "ops alone"]
            assert breakdown.NOTE in case.notes


def test_breakdown_replays_every_recorded_op_inputs_first() -> None:
    """graph_nodes lists each op's output once, after the outputs it was computed from;
    the bare VJP loop visits them newest first."""
    import autograd as ag
    x = ag.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    h = (x * 2.0).tanh()
    loss = (h * h + h).sum()
    nodes = breakdown.graph_nodes(loss)
    names = [n.grad_fn.name() for n in nodes]
    assert len(nodes) == len({id(n) for n in nodes}) == 5 and names[-1] == "Sum"
    position = {id(n): i for i, n in enumerate(nodes)}
    for i, node in enumerate(nodes):
        assert all(position[id(p)] < i for p in node.grad_fn.parents if p.grad_fn)
    forwards, vjps = breakdown.replays(nodes)
    forwards()
    vjps()  # on plain arrays: nothing recorded, nothing stored
    assert x.grad is None


def test_mlp_phases_times_every_phase_of_each_row() -> None:
    rows = mlp_phases.phase_rows(4, 2, sizes=(12, 8, 3))
    assert list(rows) == ["autograd + nn", "numpy (by hand)", "ops alone"]
    assert list(rows["autograd + nn"]) == ["forward", "zero_grad", "backward", "update",
                                           "total"]
    assert all(list(r)[-1] == "total" and min(r.values()) >= 0 for r in rows.values())


def test_cnn_baseline_windows_match_the_library_and_are_adjoint() -> None:
    """The hand-written im2col has the library's layout (N, C, k, k, H', W'), and its
    col2im is its adjoint: <col2im(g), x> = <g, im2col(x)>."""
    from nn.functional.windows import im2col
    rng = np.random.default_rng(1)
    for kernel, stride in ((3, 1), (2, 2)):
        x = rng.standard_normal((2, 3, 6, 6))
        cols = cnn.im2col(x, kernel, stride)
        np.testing.assert_array_equal(
            cols, im2col(x, (kernel,) * 2, (stride,) * 2, (1, 1)).numpy())
        g = rng.standard_normal(cols.shape)
        assert np.isclose(np.vdot(cnn.col2im(g, x.shape, stride), x), np.vdot(g, cols))


def test_cnn_pytorch_computes_the_baselines_loss_and_gradients() -> None:
    """With torch installed its candidate passes the check (the case would stop with
    MismatchError otherwise) and gets a row."""
    pytest.importorskip("torch")
    settings = harness.Settings(rounds=1, warmup=0, block=1, quick=True, torch=True)
    (case,) = cnn.run(settings, batch=4)
    assert case.rows[-1].name.startswith("torch")


def test_transformer_pytorch_computes_the_baselines_loss_and_gradients() -> None:
    """PyTorch's TinyGPT (AdamW) passes the check against the NumPy baseline too."""
    pytest.importorskip("torch")
    settings = harness.Settings(rounds=1, warmup=0, block=1, quick=True, torch=True)
    (case,) = transformer.run(settings, batch=2, length=4)
    assert case.rows[-1].name.startswith("torch")


def test_transformer_baseline_erf_is_float32_accurate() -> None:
    """The baseline's GELU rests on a float32 erf approximation: within 5e-7 of
    math.erf over [-6, 6], and in float32."""
    x = np.linspace(-6, 6, 20001).astype(np.float32)
    got = transformer_numpy.erf32(x)
    want = np.array([math.erf(float(v)) for v in x])
    assert got.dtype == np.float32 and np.max(np.abs(got - want)) < 5e-7


def test_numpy_adamw_takes_the_engines_adamw_steps() -> None:
    """The baselines' AdamW (decoupled decay, then Adam) moves parameters as
    nn.optim.AdamW does, to float32 rounding, over a few steps."""
    import autograd as ag
    import nn
    rng = np.random.default_rng(3)
    start = [rng.standard_normal(shape).astype(np.float32) for shape in ((5, 3), (3,))]
    grads = [[rng.standard_normal(a.shape).astype(np.float32) for a in start]
             for _ in range(3)]
    options = dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    by_hand = harness.NumpyAdamW([a.copy() for a in start], **options)
    params = [ag.Tensor(a.copy(), requires_grad=True) for a in start]
    engine = nn.optim.AdamW(params, **options)
    for step_grads in grads:
        by_hand.step([g.copy() for g in step_grads])
        for p, g in zip(params, step_grads):
            p.grad = ag.Tensor(g)
        engine.step()
    for mine, theirs in zip(by_hand.params, params):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_a_candidate_with_a_wrong_gradient_is_refused() -> None:
    x0 = np.random.default_rng(0).random(8)
    right = harness.Candidate("numpy", lambda: per_op.numpy_chain(x0, 3), lambda: None)
    loss, (grad,) = per_op.numpy_chain(x0, 3)
    wrong = harness.Candidate("off", lambda: (loss, [grad * 1.001]), lambda: None)
    with pytest.raises(harness.MismatchError, match="gradient 0"):
        harness.check_candidates([right, wrong], rtol=1e-6, atol=0)


def test_command_line_writes_json_with_the_machine(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    cli.main(["--quick", "--no-torch", "--rounds", "1", "--only", "per-op,moons",
              "--json", str(out)])
    record = json.loads(out.read_text())
    assert record["machine"]["numpy"] == np.__version__
    assert record["machine"]["cores"] and record["machine"]["blas"]
    assert {case["benchmark"] for case in record["cases"]} == {"per-op", "moons"}


def test_unknown_benchmark_is_a_usage_error(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--only", "nonesuch"])
    assert exit_info.value.code == 2  # argparse's usage error, not a clean exit
    assert "unknown benchmark nonesuch; choose from" in capsys.readouterr().err


def test_blas_threads_trains_both_models_with_either_setting() -> None:
    pytest.importorskip("threadpoolctl")
    from benchmarks import blas_threads
    for kind in ("mlp", "vae"):
        for threads in (1, None):
            assert blas_threads.train_once(kind, threads, rows=128, epochs=1) > 0


def test_versions_loads_two_copies_side_by_side_and_reports_ratios(capsys) -> None:
    """``benchmarks.versions``: two copies of the working tree (a checkout may come without
    git history), each under its own package names, both run the step; the first one's
    ratio to itself is 1."""
    from benchmarks import versions
    versions.main([".", ".", "--cases", "vector", "--rounds", "2", "--calls", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["vector", ".#0"], ["vector", ".#1"]]
    assert "1.000x" in lines[0] and float(lines[1].split()[4].rstrip("x")) > 0
    assert sys.modules["autograd_v0"] is not sys.modules["autograd_v1"]
    assert sys.modules["nn_v1.optim"].SGD.__module__.startswith("nn_v1.")


def test_every_versions_step_trains_the_library() -> None:
    """Each step ``benchmarks.versions`` can time runs forward and backward on this
    library and leaves gradients behind (its leaves' ``.grad`` set, finite)."""
    import autograd
    import nn

    from benchmarks import versions
    for name, make in versions.STEPS.items():
        grad = make(autograd, nn)()  # the gradient of one of the step's leaves
        assert isinstance(grad, autograd.Tensor) and np.isfinite(grad.numpy()).all(), name
        assert np.abs(grad.numpy()).sum() > 0, name


def test_op_costs_runs_every_op_and_reports_each_version(capsys) -> None:
    """``benchmarks.op_costs``: each op of the table runs forward and backward on the
    library (x gets a gradient of its shape), and the command line reports one line per
    op and version."""
    import autograd
    import nn

    from benchmarks import op_costs
    for name in op_costs.OPS:
        grad = op_costs.op_step(autograd, nn, name, (6, 8), np.float64)()
        assert grad.shape == (6, 8) and np.isfinite(grad.numpy()).all(), name
    op_costs.main([".", "--only", "sigmoid,mse", "--shape", "6,8", "--rounds", "2",
                   "--calls", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("forward + backward on x of shape (6, 8), float32")
    assert [line.split()[:2] for line in lines[1:]] == [["sigmoid", "."], ["mse", "."]]
    assert all("1.000x" in line for line in lines[1:])
