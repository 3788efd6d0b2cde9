"""The README's Python examples run as written (in order, sharing one namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    """Every ```python block except the excerpts of library source (marked so)."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [b for b in blocks if not b.startswith("# excerpt")]


def test_readme_has_examples() -> None:
    assert len(python_blocks()) >= 5


def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("hypothesis")
    monkeypatch.chdir(tmp_path)  # the examples write files (a checkpoint, a picture)
    namespace: dict = {}
    for i, block in enumerate(python_blocks()):
        if "from autograd import viz" in block:
            pytest.importorskip("graphviz")
        exec(compile(block, f"README block {i}", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "checkpoint.npz").exists()
