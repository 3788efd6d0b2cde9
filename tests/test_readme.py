"""The README's Python examples run as written (in order, sharing one namespace)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def python_blocks() -> list[str]:
    """Every ```python block except the excerpts of library source (marked so)."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [b for b in blocks if not b.startswith("# excerpt")]


def missing_for_rendering() -> list[str]:
    """What a block that draws a graph lacks: the `dot` program, the graphviz package."""
    missing = [] if shutil.which("dot") else ["Graphviz's `dot` program (not on PATH)"]
    if importlib.util.find_spec("graphviz") is None:
        missing.append('the graphviz package (pip install -e ".[viz]")')
    return missing


def test_readme_has_examples() -> None:
    assert len(python_blocks()) >= 5


def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every block runs; one that draws a graph is left out (and the test reported as
    skipped, with the reason, after the others ran) when rendering is impossible."""
    pytest.importorskip("hypothesis")
    monkeypatch.chdir(tmp_path)  # the examples write files (a checkpoint, a picture)
    namespace: dict = {}
    missing = missing_for_rendering()
    left_out = []
    for i, block in enumerate(python_blocks()):
        if "from autograd import viz" in block and missing:
            left_out.append(i)
            continue
        exec(compile(block, f"README block {i}", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "checkpoint.npz").exists()
    if left_out:
        pytest.skip(f"README blocks {left_out} draw graphs and need {' and '.join(missing)}; "
                    "every other block ran and passed")


def test_readme_test_skips_rendering_without_dot(tmp_path: Path) -> None:
    """On a machine without `dot` (PATH holds only Python), the README test skips the
    drawing blocks with a reason instead of failing with GraphvizNotFoundError."""
    if os.name != "posix":
        pytest.skip("builds a PATH of symlinks")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(tmp_path / "bin")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         f"{Path(__file__)}::test_readme_examples_run"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout and "`dot` program" in result.stdout


def error_classes() -> dict[str, type]:
    """Every AutogradError subclass the packages define, by name."""
    import autograd.functional  # noqa: F401  (IndependentError)
    import autograd.viz  # noqa: F401  (GraphvizNotFoundError)
    import nn  # noqa: F401  (nn.errors)
    from autograd.errors import AutogradError
    found, stack = {}, [AutogradError]
    while stack:
        cls = stack.pop()
        found[cls.__name__] = cls
        stack.extend(cls.__subclasses__())
    return found


def test_readme_error_tree_matches_the_classes() -> None:
    """In the README's tree of errors, "A > B, C" means B and C subclass A (up to a ";" or
    brackets), and a built-in in brackets applies to every class named since the
    previous brackets."""
    import builtins
    text = README.read_text(encoding="utf-8")
    tree = re.search(r"```\nAutogradError\n(.*?)```", text, re.S).group(1)
    tree = re.sub(r"\n[│ ]\s+", " ", tree)           # join the continuation lines
    classes = error_classes()
    checked = 0
    for line in tree.splitlines():
        for segment in line.split(";"):
            if ">" in segment:
                parent, children = segment.split(">")
                parent_name = re.findall(r"\w+Error", parent)[-1]
                for child in re.findall(r"\w+Error", children.split("(")[0]):
                    assert issubclass(classes[child], classes[parent_name]), \
                        f"{child} is not a {parent_name}"
            names: list[str] = []
            for token in re.findall(r"\([^)]*\)|\w+Error", segment):
                if not token.startswith("("):
                    names.append(token)
                    continue
                for base_name in re.findall(r"\w+Error", token):
                    base = getattr(builtins, base_name, None) or getattr(np.linalg, base_name)
                    for name in names:
                        assert issubclass(classes[name], base), f"{name} is not a {base_name}"
                        checked += 1
                names = []
    assert checked >= 20


def quoted_signature(prefix: str) -> list[str]:
    """The parameters the README writes for ``prefix(...)`` (in backquotes)."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"`" + re.escape(prefix) + r"\((.*?)\)`", text, re.S)
    assert match, f"the README no longer quotes {prefix}(...)"
    params = re.sub(r"\s+", " ", match.group(1))
    return [p.strip() for p in params.split(",") if p.strip() not in ("", "*")]


@pytest.mark.parametrize("prefix", ["autograd.Tensor", "t.backward", "autograd.grad",
                                    "autograd.gradcheck", "viz.draw_graph", "fit",
                                    "F.dropout", "huber_loss"])
def test_readme_signatures_match_the_code(prefix: str) -> None:
    """Every parameter the README quotes exists, with the default it states, and the
    parameters come in the code's order."""
    import ast
    import inspect

    import autograd
    import nn.functional as F
    from autograd import viz
    from nn.train import fit
    function = {"autograd.Tensor": autograd.Tensor, "t.backward": autograd.Tensor.backward,
                "autograd.grad": autograd.grad, "autograd.gradcheck": autograd.gradcheck,
                "viz.draw_graph": viz.draw_graph, "fit": fit, "F.dropout": F.dropout,
                "huber_loss": F.huber_loss}[prefix]
    parameters = inspect.signature(function).parameters
    for quoted in quoted_signature(prefix):
        name, _, default = quoted.lstrip("*").partition("=")
        assert name in parameters, f"{prefix} has no parameter {name!r}"
        if default:
            assert parameters[name].default == ast.literal_eval(default), \
                f"{prefix}: {name} defaults to {parameters[name].default!r}, not {default}"
    names = [quoted.lstrip("*").partition("=")[0] for quoted in quoted_signature(prefix)]
    positions = [list(parameters).index(name) for name in names]
    assert positions == sorted(positions), f"{prefix}: the code's order is {list(parameters)}"


@pytest.mark.parametrize("page", ["README.md", "examples/README.md"])
def test_prose_lines_stay_readable_in_the_source(page: str) -> None:
    """Lines of prose, lists and code stay within 100 characters (tables and pictures
    cannot be wrapped)."""
    long = [f"{page}:{number}" for number, line in
            enumerate((ROOT / page).read_text(encoding="utf-8").splitlines(), 1)
            if len(line) > 100 and not line.startswith(("|", "<img", "!["))]
    assert long == []
