"""Every example program runs with ``--quick`` into a temporary folder: it writes valid
PNG images and a summary.json with its keys, and where a number has a known answer
(the normal equation's w, the notes' cross-entropies) the answer is checked."""

from __future__ import annotations

import importlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
pytest.importorskip("sklearn")

from examples.__main__ import PROGRAMS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The summary keys the issue names for each program (more may be present).
KEYS = {
    "perceptron": {"truth_tables", "xor_one_layer_accuracy", "xor_two_layer_accuracy"},
    "backprop_by_hand": {"max_abs_gradient_error"},
    "regression": {"normal_equation_w", "gradient_descent_w", "logistic_accuracy"},
    "losses": {"cross_entropy_m1", "cross_entropy_m2", "mse_m1", "mse_m2"},
    "optimizers": {"final_loss"},
    "gradients": {"first_layer_grad_norm"},
    "regularization": {"l1_zero_fraction", "l2_zero_fraction", "best_epoch"},
    "digits": {"test_accuracy", "cv_accuracy_mean", "cv_accuracy_std"},
    "autoencoders": {"denoising_mse", "identity_mse"},
    "vae": {"first_epoch_val_elbo", "final_val_elbo"},
    "xor": {"truth_tables", "final_loss", "rows_correct"},
    "visualize_graph": {"pictures", "scalar_expression_gradients"},
}
AVAILABLE = list(KEYS)
EXTRA_ARGS = {"vae": ["--compare"]}   # the beta-VAE and KL-annealing runs too
# visualize_graph renders with Graphviz: the graphviz package and the `dot` program
RENDERING = shutil.which("dot") is not None and importlib.util.find_spec("graphviz") is not None


# (program, figure name) -> what each matplotlib figure held when it was saved
FIGURES: dict[tuple[str, str], list[dict]] = {}


def describe(figure) -> list[dict]:
    """Each axes of a figure: title, labels, scales, limits and its data lines (the
    points of every line drawn in data coordinates, in drawing order, and their styles)."""
    axes = []
    for ax in figure.axes:
        drawn = sorted((line for line in ax.get_lines() if line.get_transform() is ax.transData),
                       key=lambda line: line.get_zorder())   # stable: same z, call order
        axes.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(),
                     "ylabel": ax.get_ylabel(), "xscale": ax.get_xscale(),
                     "yscale": ax.get_yscale(),
                     "xlim": sorted(ax.get_xlim()), "ylim": sorted(ax.get_ylim()),
                     "lines": [np.column_stack(line.get_data()).astype(float) for line in drawn],
                     "styles": [line.get_linestyle() for line in drawn],
                     "labels": [line.get_label() for line in drawn]})
    return axes


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    """Run each program once with --quick (shared by the tests of this module); every
    matplotlib figure they save is described in FIGURES."""
    from matplotlib.figure import Figure
    results, save = {}, Figure.savefig
    for name in AVAILABLE:
        if name == "visualize_graph" and not RENDERING:
            continue
        out = tmp_path_factory.mktemp(name)
        module = importlib.import_module(f"examples.{name}")

        def recording_savefig(figure, path, *args, name=name, **kwargs):
            FIGURES[name, Path(path).stem] = describe(figure)
            return save(figure, path, *args, **kwargs)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Figure, "savefig", recording_savefig)
            module.main(["--quick", "--seed", "0", "--out", str(out),
                         *EXTRA_ARGS.get(name, [])])
        results[name] = (out, json.loads((out / "summary.json").read_text()))
    return results


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("name", AVAILABLE)
def test_quick_run_writes_pngs_and_summary_keys(runs, name: str) -> None:
    if name not in runs:
        pytest.skip(f"{name} needs Graphviz (the graphviz package and the `dot` program)")
    out, summary = runs[name]
    assert KEYS[name] <= summary.keys()
    pngs = sorted(out.glob("*.png"))
    assert pngs, f"{name} wrote no PNG"
    import matplotlib.image as mpimg
    for path in pngs:
        width, height = png_size(path)
        assert 100 <= width <= 5000 and 100 <= height <= 5000
        assert mpimg.imread(path).shape[:2] == (height, width)   # decodes completely


@pytest.mark.parametrize("name", AVAILABLE)
def test_no_curve_lies_outside_its_axes(runs, name: str) -> None:
    """A curve whose every point falls outside fixed axis limits leaves an empty panel
    (the quick runs train less, so their numbers are not the default run's)."""
    for figure, ax in _panels(runs, name):
        (x0, x1), (y0, y1) = ax["xlim"], ax["ylim"]
        for points in ax["lines"]:
            x, y = points[:, 0], points[:, 1]
            finite = np.isfinite(x) & np.isfinite(y)
            if not finite.any():
                continue
            inside = finite & (x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1)
            assert inside.any(), f"{figure}.png, panel {ax['title']!r}: a curve is off scale"


def _panels(runs, name: str):
    """(figure name, recorded axes) of every panel the quick run of ``name`` saved."""
    if name not in runs:
        pytest.skip(f"{name} needs Graphviz")
    for (program, figure), axes in FIGURES.items():
        if program == name:
            yield from ((figure, ax) for ax in axes)


def _in_axis_units(values: np.ndarray, scale: str) -> np.ndarray:
    if scale != "log":
        return values
    with np.errstate(divide="ignore"):
        return np.log10(np.abs(values))


@pytest.mark.parametrize("name", AVAILABLE)
def test_no_curve_is_hidden_under_another(runs, name: str) -> None:
    """A curve that a later solid curve covers point for point (within 1% of the axes)
    cannot be seen: the legend names a line the picture does not show."""
    for figure, ax in _panels(runs, name):
        span = [np.ptp(_in_axis_units(np.array(ax[lim]), ax[f"{axis}scale"]))
                for axis, lim in (("x", "xlim"), ("y", "ylim"))]
        lines = [np.column_stack([_in_axis_units(points[:, 0], ax["xscale"]),
                                  _in_axis_units(points[:, 1], ax["yscale"])])
                 for points in ax["lines"]]
        for i, below in enumerate(lines):
            for j in range(i + 1, len(lines)):
                above = lines[j]
                if above.shape != below.shape or ax["styles"][j] != "-":
                    continue
                close = np.abs(above - below) <= 0.01 * np.array(span)
                assert not np.all(close), (
                    f"{figure}.png, panel {ax['title']!r}: {ax['labels'][i]!r} is hidden "
                    f"under {ax['labels'][j]!r}")


def test_every_program_is_listed() -> None:
    files = {p.stem for p in (ROOT / "examples").glob("*.py") if not p.stem.startswith("_")}
    assert files <= set(PROGRAMS)
    listing = subprocess.run([sys.executable, "-m", "examples"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    for name in files:
        assert name in listing


@pytest.mark.parametrize("name", AVAILABLE)
def test_help_names_the_shared_options(name: str, capsys) -> None:
    module = importlib.import_module(f"examples.{name}")
    with pytest.raises(SystemExit) as exit_info:
        module.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--seed", "--out", "--quick"):
        assert option in text


# ------------------------------------------------------------------ known answers
def test_perceptron_truth_tables_and_xor(runs) -> None:
    summary = runs["perceptron"][1]
    rows = [(0, 0), (0, 1), (1, 0), (1, 1)]
    expected = {"AND": [a & b for a, b in rows], "NAND": [1 - (a & b) for a, b in rows],
                "OR": [a | b for a, b in rows], "XOR = AND(NAND, OR)": [a ^ b for a, b in rows]}
    assert summary["truth_tables"] == expected
    assert summary["xor_one_layer_accuracy"] <= 0.75   # not linearly separable
    assert summary["xor_two_layer_accuracy"] == 1.0


def test_backprop_by_hand_matches_finite_differences(runs) -> None:
    summary = runs["backprop_by_hand"][1]
    assert summary["max_abs_gradient_error"] < 1e-7
    assert summary["max_abs_hand_vs_engine"] < 1e-12


def test_backprop_by_hand_draws_the_whole_graph() -> None:
    """The pictures are drawn after a backward that keeps the graph: every op and
    tensor is in them, not only the loss with a note that its inputs were released."""
    pytest.importorskip("graphviz")
    from examples.backprop_by_hand import graphs, network
    for kind, graph in graphs(network(np.random.default_rng(0), batch=2)).items():
        assert "released" not in graph.source, kind
        for name in ("W1", "b1", "W2", "b2", "y_hat", "Sigmoid", "MatMul"):
            assert name in graph.source, (kind, name)


def test_regression_recovers_y_equals_x_plus_one(runs) -> None:
    from examples.regression import notes_data
    x, y = notes_data()
    slope, intercept = np.polyfit(x, y, 1)           # the least-squares line, by NumPy
    summary = runs["regression"][1]
    np.testing.assert_allclose(summary["normal_equation_w"], [intercept, slope], atol=1e-12)
    np.testing.assert_allclose(summary["gradient_descent_w"], [intercept, slope], atol=1e-3)
    assert summary["logistic_accuracy"] > 0.9


def test_losses_reproduce_the_pig_dog_cat_table(runs) -> None:
    from examples.losses import MODELS, TRUTH
    summary = runs["losses"][1]
    for name, probs in MODELS.items():
        key = name.lower()
        expected_ce = -np.mean(np.log(np.sum(probs * TRUTH, axis=1)))
        expected_mse = np.mean(np.sum((probs - TRUTH) ** 2, axis=1))
        assert summary[f"cross_entropy_{key}"] == pytest.approx(expected_ce, rel=1e-12)
        assert summary[f"mse_{key}"] == pytest.approx(expected_mse, rel=1e-12)
    assert round(summary["cross_entropy_m1"], 2) == 1.38   # the notes' printed values
    assert round(summary["cross_entropy_m2"], 2) == 0.64
    assert summary["prices_mse"] == pytest.approx(np.mean(np.square([0.5, -1.0, -0.2])))


def test_optimizers_all_descend(runs) -> None:
    from examples.optimizers import CURVATURE, START
    start = float(np.sum(CURVATURE * START ** 2))
    final = runs["optimizers"][1]["final_loss"]
    assert set(final) == {"SGD", "momentum 0.9", "Nesterov 0.9", "Adagrad", "RMSprop", "Adam"}
    assert all(value < start / 10 for value in final.values())


def test_gradients_vanish_in_the_deep_sigmoid_net(runs) -> None:
    norms = runs["gradients"][1]["first_layer_grad_norm"]
    assert norms["sigmoid, default init"] < 1e-4 * norms["ReLU + He init"]
    assert runs["gradients"][1]["clipped_by_norm_total_weight_grad_norm"] <= 1.0 + 1e-6
    bound = runs["gradients"][1]["sigmoid_slope_bound_10_layers"]   # sigmoid'(0) ** 10
    assert round(bound, 8) == 9.5e-7 and bound == pytest.approx(0.25 ** 10)   # the notes'


def test_regularization_fractions_are_fractions(runs) -> None:
    summary = runs["regularization"][1]
    for key in ("l1_zero_fraction", "l2_zero_fraction"):
        assert 0.0 <= summary[key] <= 1.0
    assert 1 <= summary["best_epoch"] <= summary["epochs"]


def test_regularization_histograms_show_the_zero_fractions(runs) -> None:
    """weights.png shows |w| of every weight on a log axis, where the share below 1e-3
    that the titles and the summary give can be seen (a linear axis of the first layer
    showed neither)."""
    summary = runs["regularization"][1]
    panels = {ax["title"].split("\n")[0]: ax for ax in FIGURES["regularization", "weights"]}
    for name, key in (("L2 (lambda 1e-3)", "l2_zero_fraction"),
                      ("L1 (lambda 1e-4)", "l1_zero_fraction")):
        assert panels[name]["xscale"] == "log" and "every weight" in panels[name]["xlabel"]
        assert f"{summary[key]:.0%} of the weights below 1e-3" in panels[name]["title"]


def test_digits_accuracies_are_fractions(runs) -> None:
    summary = runs["digits"][1]
    for key in ("test_accuracy", "cv_accuracy_mean"):
        assert 0.1 < summary[key] <= 1.0                 # better than chance after a few epochs
    folds = np.array(summary["cv_fold_accuracies"])
    assert len(folds) == 5
    assert summary["cv_accuracy_std"] == pytest.approx(folds.std())
    assert summary["cv_accuracy_mean"] == pytest.approx(folds.mean())


def test_autoencoders_measure_against_the_noisy_input(runs) -> None:
    summary = runs["autoencoders"][1]
    assert summary["identity_mse"] == pytest.approx(0.3 ** 2, rel=0.15)  # Gaussian, std 0.3
    assert 0.0 < summary["denoising_mse"] < 1.0


def test_vae_elbo_is_negative_and_improves(runs) -> None:
    summary = runs["vae"][1]
    # BCE against grey-level pixels and the KL are both positive: the ELBO is below 0
    assert summary["first_epoch_val_elbo"] < summary["final_val_elbo"] < 0.0
    assert summary["final_val_elbo"] == pytest.approx(
        -(summary["final_val_reconstruction"] + summary["final_val_kl"]))
    assert set(summary["compare_final_val_elbo"]) == {
        "VAE (beta 1)", "beta-VAE (beta 4): KL collapse", "KL annealing (10 epochs)"}


def test_vae_compare_draws_the_latent_planes_on_one_scale(runs) -> None:
    """On its own scale the collapsed beta-VAE's codes (all within about 0.05 of the
    origin) look as spread out as the others: the planes must share their limits."""
    planes = [ax for ax in FIGURES["vae", "compare"] if "mu of every digit" in ax["title"]]
    assert len(planes) == 3
    assert all(ax["xlim"] == planes[0]["xlim"] and ax["ylim"] == planes[0]["ylim"]
               for ax in planes)


def test_vae_manifold_names_its_axes(runs) -> None:
    """The decoded grid says which way z1 and z2 run, so it can be read against
    latent.png (same axes, same labels)."""
    (grid,) = FIGURES["vae", "manifold"]
    (plane, _colorbar) = FIGURES["vae", "latent"]
    assert (grid["xlabel"], grid["ylabel"]) == (plane["xlabel"], plane["ylabel"]) == ("z1", "z2")


def test_xor_gates_and_the_learned_network(runs) -> None:
    summary = runs["xor"][1]
    rows = [(0, 0), (0, 1), (1, 0), (1, 1)]
    expected = {"AND": [a & b for a, b in rows], "NAND": [1 - (a & b) for a, b in rows],
                "OR": [a | b for a, b in rows], "XOR = AND(NAND, OR)": [a ^ b for a, b in rows]}
    assert summary["truth_tables"] == expected
    assert summary["rows_correct"] == 4
    assert summary["final_loss"] < summary["first_loss"]


def test_visualize_graph_gradients_match_finite_differences(runs) -> None:
    if "visualize_graph" not in runs:
        pytest.skip("needs Graphviz (the graphviz package and the `dot` program)")
    import autograd as ag
    summary = runs["visualize_graph"][1]
    values = [ag.Tensor(v, requires_grad=True) for v in (2.0, -3.0, 10.0, -2.0)]
    numeric = ag.numerical_grad(lambda a, b, c, f: (a * b + c) * f, values, [np.ones(())])
    expected = dict(zip("abcf", (float(g) for g in numeric)))
    assert summary["scalar_expression_gradients"] == pytest.approx(expected, abs=1e-6)


def test_a_missing_extra_names_the_install_command(monkeypatch, tmp_path: Path) -> None:
    from examples import _common
    real_import = importlib.import_module

    def no_matplotlib(name: str, *args):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args)

    monkeypatch.setattr(_common.importlib, "import_module", no_matplotlib)
    with pytest.raises(_common.MissingExtraError, match=r'pip install -e "\.\[examples\]"'):
        _common.pyplot()
    from examples import optimizers
    with pytest.raises(SystemExit) as exit_info:          # what `python -m` users see
        _common.run(lambda: optimizers.main(["--quick", "--out", str(tmp_path)]))
    assert 'pip install -e ".[examples]"' in str(exit_info.value.code)


@pytest.mark.parametrize("page", ["README.md", "examples/README.md"])
def test_pictures_the_pages_show_exist_and_are_small(page: str) -> None:
    import re
    text = (ROOT / page).read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]+\.png)"', text)
    assert sources
    for source in sources:
        path = (ROOT / page).parent / source
        assert path.exists(), f"{page} shows {source}, which is missing"
        assert path.stat().st_size < 200_000
        png_size(path)
