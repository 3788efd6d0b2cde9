"""`.ci/run` against stub programs: it installs graphviz only when `dot` is missing, runs
the README's test command verbatim under HYPOTHESIS_PROFILE=ci, and leaves no virtual
environment behind, whether the tests pass or fail."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "run"
TOOLS = ("bash", "dirname", "mktemp", "rm", "mkdir", "ln", "cat")  # what script and stubs use

pytestmark = pytest.mark.skipif(os.name != "posix" or shutil.which("bash") is None,
                                reason="a bash script")


def readme_test_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"Run the tests.*?```bash\n(.*?)\n```", text, re.S).group(1)


def stub(path: Path, body: str) -> None:
    path.write_text(f"#!{shutil.which('bash')}\n{body}\n")
    path.chmod(0o755)


def run_ci(tmp_path: Path, with_dot: bool, pytest_status: int) -> tuple[int, list[str]]:
    """Run .ci/run with PATH = stubs only; returns its exit status and the stubs' log."""
    bin_dir, venv_bin, scratch = tmp_path / "bin", tmp_path / "venv-bin", tmp_path / "tmp"
    for folder in (bin_dir, venv_bin, scratch):
        folder.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    log = tmp_path / "log"
    record = f'echo "${{0##*/}} $* [profile=${{HYPOTHESIS_PROFILE:-}}]" >> {log}'
    stub(bin_dir / "apt-get", record)
    if with_dot:
        stub(bin_dir / "dot", record)
    # python3 -m venv DIR: DIR/bin is the folder of the venv's python and pip stubs
    stub(bin_dir / "python3", f'{record}\nmkdir -p "$3" && ln -s {venv_bin} "$3/bin"')
    (venv_bin / "activate").write_text(f'PATH="{venv_bin}:$PATH"\n')
    stub(venv_bin / "pip", record)
    stub(venv_bin / "python", f'{record}\n[ "$2" = pytest ] && exit {pytest_status}\nexit 0')
    env = {"PATH": str(bin_dir), "TMPDIR": str(scratch), "HOME": str(tmp_path)}
    status = subprocess.run([str(SCRIPT)], env=env, cwd=tmp_path).returncode
    assert list(scratch.iterdir()) == [], "the virtual environment was left behind"
    return status, log.read_text().splitlines()


@pytest.mark.parametrize("pytest_status", [0, 1])
def test_ci_runs_the_readme_command_and_removes_its_venv(tmp_path, pytest_status):
    status, log = run_ci(tmp_path, with_dot=False, pytest_status=pytest_status)
    assert status == pytest_status
    assert log[:2] == ["apt-get update -qq [profile=]",
                       "apt-get install -y -qq graphviz [profile=]"]
    assert log[2].startswith(f"python3 -m venv {tmp_path / 'tmp'}/")  # under TMPDIR
    assert log[3:] == ["python -m pip install -q --upgrade pip [profile=]",
                       "pip install -q -e .[dev] [profile=ci]",
                       "pip install -q torch==2.13.0 [profile=ci]",  # the PyTorch comparisons
                       "python -m benchmarks --quick [profile=ci]",
                       "pip install -e .[dev] [profile=ci]",
                       "python -m pytest -n auto [profile=ci]"]  # last: the summary ends the run
    command = readme_test_command()
    assert command == 'pip install -e ".[dev]" && python -m pytest -n auto'
    assert command in SCRIPT.read_text().splitlines()  # verbatim, as the README says


def test_ci_installs_no_graphviz_when_dot_is_there(tmp_path):
    status, log = run_ci(tmp_path, with_dot=True, pytest_status=0)
    assert status == 0 and not any(line.startswith("apt-get") for line in log)
