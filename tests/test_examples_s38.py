"""Session 38 fixes to the example programs: ``--out`` naming a file (or a path through
one) and ``--seed`` above 2**32 - 1 are one-line argparse errors in every program, the
perceptron's summary.json records a learned row decided by rounding noise as undecided
(null), and ``vae --latent N`` (N != 2) says that it skips latent.png and manifold.png."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
pytest.importorskip("sklearn")

from examples import _common  # noqa: E402
from examples.__main__ import PROGRAMS  # noqa: E402

MAX_SEED = 2**32 - 1   # scikit-learn's random_state accepts 0 ... 2**32 - 1


def refused(program: str, argv: list[str], capsys) -> str:
    """Run ``program`` with ``argv``; it must stop with exit status 2 before doing any
    work and print one error line (no traceback). Returns that line."""
    module = importlib.import_module(f"examples.{program}")
    with pytest.raises(SystemExit) as exit_info:
        module.main(["--quick", *argv])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "writing results" not in captured.out
    errors = [line for line in captured.err.splitlines() if "error:" in line]
    assert len(errors) == 1, captured.err
    return errors[0]


# ------------------------------------------------------------------ 1. --out
@pytest.mark.parametrize("program", list(PROGRAMS))
def test_out_naming_an_existing_file_is_an_argparse_error(program: str, tmp_path: Path,
                                                          capsys) -> None:
    file = tmp_path / "results.txt"
    file.write_text("keep me")
    error = refused(program, ["--out", str(file)], capsys)
    assert "argument --out" in error and repr(str(file)) in error and "a file" in error
    assert file.read_text() == "keep me"


@pytest.mark.parametrize("program", list(PROGRAMS))
def test_out_through_a_file_is_an_argparse_error(program: str, tmp_path: Path,
                                                 capsys) -> None:
    file = tmp_path / "results.txt"
    file.write_text("")
    error = refused(program, ["--out", str(file / "sub")], capsys)
    assert "argument --out" in error and repr(str(file)) in error
    assert file.is_file()


def test_default_out_folder_is_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").write_text("")   # out/<name> lies inside a file
    error = refused("xor", [], capsys)
    assert "argument --out" in error and "'out'" in error


def test_out_may_be_an_existing_or_a_new_folder(tmp_path: Path) -> None:
    assert _common.folder_path(str(tmp_path)) == tmp_path
    assert _common.folder_path(str(tmp_path / "a" / "b")) == tmp_path / "a" / "b"


def test_output_folder_that_cannot_be_made_ends_in_one_line(tmp_path: Path, capsys) -> None:
    """Past the command line (a file created after parsing), output_folder still ends the
    program with one line and argparse's exit status instead of an OSError traceback."""
    file = tmp_path / "late"
    file.write_text("")
    with pytest.raises(SystemExit) as exit_info:
        _common.output_folder(file / "sub")
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: argument --out:")
    assert repr(str(file / "sub")) in error


# ------------------------------------------------------------------ 2. --seed
@pytest.mark.parametrize("program", list(PROGRAMS))
@pytest.mark.parametrize("seed", [str(MAX_SEED + 1), str(2**64)])
def test_seed_above_two_to_the_32_is_an_argparse_error(program: str, seed: str,
                                                       tmp_path: Path, capsys) -> None:
    error = refused(program, ["--seed", seed, "--out", str(tmp_path)], capsys)
    assert "argument --seed" in error and repr(seed) in error and str(MAX_SEED) in error
    assert not (tmp_path / "summary.json").exists()


def test_seed_type_accepts_zero_to_the_largest_seed() -> None:
    assert _common.random_seed("0") == 0
    assert _common.random_seed(str(MAX_SEED)) == MAX_SEED
    assert _common.MAX_SEED == MAX_SEED


def test_digits_runs_with_the_largest_seed(tmp_path: Path) -> None:
    """The program whose seed reaches scikit-learn: the largest accepted seed works."""
    from examples import digits
    summary = digits.main(["--quick", "--seed", str(MAX_SEED), "--out", str(tmp_path)])
    assert 0.0 <= summary["test_accuracy"] <= 1.0


# ------------------------------------------------------- 4. perceptron undecided rows
def test_decide_marks_rows_near_one_half_undecided() -> None:
    from examples.perceptron import UNDECIDED_WITHIN, accuracy_of, decide
    p = np.array([0.2, 0.5, 0.5 + UNDECIDED_WITHIN / 10, 0.5 - UNDECIDED_WITHIN / 10,
                  0.5 + 2 * UNDECIDED_WITHIN, 0.9])
    assert decide(p) == [0, None, None, None, 1, 1]
    assert accuracy_of([0, None, 1, 1], [0, 1, 1, 0]) == 0.5      # undecided is not right
    assert accuracy_of([None] * 4, [0, 1, 1, 0]) == 0.0


def test_perceptron_summary_does_not_report_noise_as_a_truth_table(tmp_path: Path) -> None:
    from examples import perceptron
    summary = perceptron.main(["--quick", "--out", str(tmp_path)])
    written = json.loads((tmp_path / "summary.json").read_text())
    p = np.array(written["xor_one_layer_probabilities"])
    close = np.abs(p - 0.5) < perceptron.UNDECIDED_WITHIN
    assert close.all()                       # one neuron ends at p = 0.5 on XOR
    assert written["learned_truth_tables"]["XOR"] == [None] * 4   # null in the JSON
    assert written["xor_one_layer_accuracy"] == 0.0
    assert str(perceptron.UNDECIDED_WITHIN) in written["learned_truth_tables_null_means"]
    for gate in ("AND", "NAND", "OR"):      # the learnable gates are decided and right
        assert written["learned_truth_tables"][gate] == perceptron.TARGETS[gate]
    assert written["learned_truth_tables"]["XOR (2-4-1)"] == perceptron.TARGETS["XOR"]
    assert summary["xor_two_layer_accuracy"] == 1.0


# ------------------------------------------------------------ 5. vae --latent N
def test_vae_help_says_the_plane_figures_need_two_latent_dimensions(capsys) -> None:
    from examples import vae
    with pytest.raises(SystemExit):
        vae.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "latent.png and manifold.png need 2" in text


def test_vae_with_three_latent_dimensions_says_what_it_skipped(tmp_path: Path,
                                                               capsys) -> None:
    from examples import vae
    vae.main(["--quick", "--epochs", "1", "--latent", "3", "--out", str(tmp_path)])
    assert not (tmp_path / "latent.png").exists()
    assert not (tmp_path / "manifold.png").exists()
    assert (tmp_path / "samples.png").exists()
    skipped = [line for line in capsys.readouterr().out.splitlines() if "skipped" in line]
    assert len(skipped) == 1
    assert "latent.png" in skipped[0] and "manifold.png" in skipped[0]
    assert "--latent 2" in skipped[0]
