"""What a resumed ``fit`` restores: the trainer's state (epoch, history, callbacks, every
random generator) and the checkpoint of model, optimizer and trainer in one file.

``ResumeMethods`` is a base class of ``Trainer`` kept in its own file; it reads the
trainer's ``model``, ``optimizer``, ``generator``, ``callbacks``, ``history``, ``epoch``
and ``stop_training``. ``model_generators`` finds the generators a model's modules hold
(Dropout masks, a VAE's noise), so that a resume restores them too.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._random import default_generator
from ..checkpoint import PathLike, load, load_into, save
from ..errors import ResumeError
from ..module import Module

__all__ = ["ResumeMethods", "model_generators", "loader_generators"]

_DEFAULT_NAME = "nn.default_generator"  # absent from checkpoints of older versions


def model_generators(model: Module) -> dict[str, np.random.Generator]:
    """Every ``numpy.random.Generator`` held by the model's modules (Dropout masks, a
    VAE's noise...), by ``"<module>.<attribute>"``, each object once."""
    found: dict[str, np.random.Generator] = {}
    seen: set[int] = set()
    for name, module in model.named_modules():
        for attr, value in vars(module).items():
            if isinstance(value, np.random.Generator) and id(value) not in seen:
                seen.add(id(value))
                found[f"{name}.{attr}" if name else attr] = value
    return found


def loader_generators(loader: Any) -> list[tuple[str, np.random.Generator]]:
    """A DataLoader's generators: its own (shuffling), its sampler's or batch sampler's,
    and a BatchSampler's sampler's, where they hold one (``nn.data.RandomSampler``...).
    The samplers the loader made to describe its order (``made_samplers``) draw from its
    own generator, listed once as the loader's."""
    batch_sampler = getattr(loader, "batch_sampler", None)
    holders = {"loader": loader, "loader.sampler": getattr(loader, "sampler", None),
               "loader.batch_sampler": batch_sampler,
               "loader.batch_sampler.sampler": getattr(batch_sampler, "sampler", None)}
    made = getattr(loader, "made_samplers", ())
    return [(f"{name}.generator", holder.generator) for name, holder in holders.items()
            if isinstance(getattr(holder, "generator", None), np.random.Generator)
            and not any(holder is m for m in made)]


class ResumeMethods:
    """The state and checkpoint methods of ``Trainer``."""

    def generators(self) -> dict[str, np.random.Generator]:
        """The generators a resume restores: the model's, the shuffling ones and the
        process-wide default one, ``autograd.default_generator`` (``F.dropout(x, p,
        self.training)`` or ``autograd.randn_like(h)`` in a forward draws from it)."""
        found = model_generators(self.model)
        extra = [("fit.generator", self.generator)]
        if self._loader is not None:  # a DataLoader given to fit shuffles with its own
            extra += loader_generators(self._loader)
        extra.append((_DEFAULT_NAME, default_generator()))
        for name, generator in extra:
            if all(g is not generator for g in found.values()):
                found[name] = generator
        return found

    def state_dict(self) -> dict[str, Any]:
        """Epoch, history, callback states and generator states (plain values)."""
        return {"epoch": self.epoch, "stop_training": self.stop_training,
                "history": self.history.state_dict(),
                "callbacks": [{"class": type(cb).__name__, "state": cb.state_dict()}
                              for cb in self.callbacks],
                "generators": {k: g.bit_generator.state for k, g in self.generators().items()}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        saved = state["callbacks"]
        names = [type(cb).__name__ for cb in self.callbacks]
        if [s["class"] for s in saved] != names:
            raise ResumeError(f"the checkpoint was written with callbacks "
                              f"{[s['class'] for s in saved]}, this run has {names}; resume "
                              f"with the same callbacks in the same order")
        current, stored = self.generators(), state["generators"]
        if _DEFAULT_NAME not in stored:  # written before the default generator was saved
            current.pop(_DEFAULT_NAME, None)
        if set(current) != set(stored):
            raise ResumeError(f"the checkpoint holds random generators {sorted(stored)}, "
                              f"this run has {sorted(current)}; resume with the same model "
                              f"and fit arguments")
        for name, gen in current.items():
            gen.bit_generator.state = stored[name]
        for cb, s in zip(self.callbacks, saved):
            cb.load_state_dict(s["state"])
        self.history.load_state_dict(state["history"])
        self.epoch, self.stop_training = int(state["epoch"]), bool(state["stop_training"])

    def save_checkpoint(self, path: PathLike) -> None:
        """Everything a resume needs, in one file through ``nn.save`` (atomic)."""
        save(path, model=self.model, optimizer=self.optimizer, trainer=self.state_dict())

    def load_checkpoint(self, path: PathLike) -> None:
        """Restore the state written by :meth:`save_checkpoint`."""
        values = load(path)
        for key in ("model", "optimizer", "trainer"):
            if key not in values:
                raise ResumeError(f"{path} holds {sorted(values)}, not a training checkpoint "
                                  f"(written by ModelCheckpoint without save_weights_only, "
                                  f"or Trainer.save_checkpoint)")
        self.load_state_dict(values["trainer"])  # checks callbacks and generators first
        load_into(path, optimizer=self.optimizer, model=self.model)  # the model last
