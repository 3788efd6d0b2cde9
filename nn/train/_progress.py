"""Progress display for ``fit``: a tqdm bar per epoch in a terminal (when tqdm is
installed), one plain line per epoch otherwise, nothing with ``progress=False``."""
from __future__ import annotations

import sys
from typing import Any

__all__ = ["Progress"]


class Progress:
    def __init__(self, enabled: bool, epochs: int, batches: int) -> None:
        self.enabled, self.epochs, self.batches = bool(enabled), epochs, batches
        self.tqdm: Any = None
        self.bar: Any = None
        if self.enabled and sys.stderr.isatty():
            try:
                from tqdm.auto import tqdm
                self.tqdm = tqdm
            except ImportError:  # optional: fall back to plain lines
                self.tqdm = None

    def start(self, epoch: int) -> Any:
        """The bar for this epoch's batches (or None)."""
        if self.tqdm is None:
            return None
        self.bar = self.tqdm(total=self.batches, desc=f"epoch {epoch + 1}/{self.epochs}",
                             leave=True, file=sys.stderr)
        return self.bar

    def end(self, epoch: int, logs: dict[str, float]) -> None:
        if not self.enabled:
            return
        text = " ".join(f"{k}={v:.4g}" for k, v in logs.items())
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=True)
            self.close()
        else:
            print(f"epoch {epoch + 1}/{self.epochs}: {text}", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
