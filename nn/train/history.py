"""``History``: what ``fit`` records, one entry per epoch."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NoReturn

from .._optional import require
from ..errors import ArgumentTypeError, NameNotFoundError

__all__ = ["History"]


class History:
    """Per-epoch records of a training run, as Keras keeps them.

    ``history.history`` maps each name (``"loss"``, ``"val_loss"``, a metric,
    ``"val_" + metric``, ``"lr"``, a loss part such as ``"kl"``) to its list of values;
    ``history["val_loss"]`` is a shortcut. ``history.epoch`` lists the epochs (counted
    from 0), ``history.grad_norms`` one ``{parameter name: ||g||_2}`` dict per epoch
    (the gradients of the epoch's last batch, of the parameters the model had when the
    ``fit`` call began, for spotting vanishing or exploding gradients layer by layer).
    ``interrupted`` is True when Ctrl-C ended the run, ``terminated_on_nan`` when
    ``TerminateOnNaN`` did (at a NaN or infinite batch loss).
    """

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}
        self.grad_norms: list[dict[str, float]] = []
        self.interrupted = False
        self.terminated_on_nan = False

    def append(self, epoch: int, logs: Mapping[str, float],
               grad_norms: Mapping[str, float]) -> None:
        """Record one finished epoch."""
        for name in logs:
            if name not in self.history:  # a name first seen now: pad the earlier epochs
                self.history[name] = [math.nan] * len(self.epoch)
        for name, values in self.history.items():
            values.append(float(logs.get(name, math.nan)))
        self.epoch.append(int(epoch))
        self.grad_norms.append(dict(grad_norms))

    def __getitem__(self, name: str) -> list[float]:
        if not isinstance(name, str):
            raise ArgumentTypeError(
                f"History is indexed by a logged name, history['val_loss']; got "
                f"{name!r} ({type(name).__name__}). For epochs, index a name's list: "
                f"history['loss'][-1], history['loss'][:5] (history.epoch lists them)")
        if name not in self.history:
            raise NameNotFoundError(f"History has no {name!r}; it records {sorted(self.history)}")
        return self.history[name]

    def __contains__(self, name: object) -> bool:
        return name in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def __iter__(self) -> NoReturn:
        """Not iterable (as Keras's History): ``len(history)`` counts epochs while
        ``history[name]`` takes names, so neither would be the obvious thing to iterate."""
        raise ArgumentTypeError(
            f"History is not iterable: iterate history.history (the names, as in Keras: "
            f"for name, values in history.history.items()) or history.epoch (the epochs); "
            f"it records {sorted(self.history)}")

    def state_dict(self) -> dict[str, Any]:
        """Everything recorded, as plain lists and dicts (``nn.save`` stores it)."""
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in
                                                       self.history.items()},
                "grad_norms": [dict(g) for g in self.grad_norms],
                "interrupted": self.interrupted, "terminated_on_nan": self.terminated_on_nan}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.epoch = [int(e) for e in state["epoch"]]
        self.history = {str(k): [float(x) for x in v] for k, v in state["history"].items()}
        self.grad_norms = [{str(k): float(x) for k, x in g.items()}
                           for g in state["grad_norms"]]
        self.interrupted = bool(state["interrupted"])
        # absent from the checkpoints of older versions
        self.terminated_on_nan = bool(state.get("terminated_on_nan", False))

    def plot(self, names: list[str] | None = None) -> Any:
        """Plot each recorded quantity against the epoch, ``name`` and ``val_name`` on
        one axes (matplotlib, an optional extra); returns the figure."""
        plt = require("matplotlib.pyplot", "History.plot()")
        names = names or sorted({k[4:] if k.startswith("val_") else k for k in self.history})
        fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3), squeeze=False)
        for ax, name in zip(axes[0], names):
            for key in (name, f"val_{name}"):
                if key in self.history:
                    ax.plot(self.epoch, self.history[key], marker=".", label=key)
            ax.set_xlabel("epoch")
            ax.set_title(name)
            ax.legend()
        fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        last = {k: v[-1] for k, v in self.history.items()} if self.epoch else {}
        shown = ", ".join(f"{k}={v:.4g}" for k, v in last.items())
        return f"History({len(self.epoch)} epochs{': ' + shown if shown else ''})"
