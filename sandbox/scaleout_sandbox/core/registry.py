"""The registry of every change the sandbox makes to moto, and the only list of them.

Each patch declares its own target where it is written, in a ``*_patches.py`` module of a service::

    @patch("moto.autoscaling.models", "FakeAutoScalingGroup", "set_desired_capacity")
    def set_desired_capacity(engine, original):
        def set_desired_capacity(self, new_capacity):
            ...
        return set_desired_capacity

The decorated function builds the new attribute from the engine and moto's original (``None``
with ``adds=True``: moto lacks the attribute, e.g. an API it does not implement). ``owner`` is a
class name, or ``None`` for an attribute of the module itself. ``apply()`` installs one group of
patches (``DEFAULT``, or ``IAM_ENFORCEMENT`` only when enforcement is on) and fails loudly, before
changing anything, when a target moto should have is gone (or one the sandbox adds exists). Tests:
sandbox/tests/core/test_registry.py checks that the registry names every attribute ``apply()``
changes and nothing else.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Optional

DEFAULT = "default"
IAM_ENFORCEMENT = "iam_enforcement"


@dataclass(frozen=True)
class Patch:
    module: str
    owner: Optional[str]  # class name; None: an attribute of the module
    attribute: str
    build: Callable  # (engine, original) -> the new attribute
    adds: bool  # moto lacks the attribute; the sandbox adds it
    group: str

    @property
    def name(self) -> str:
        return ".".join(part for part in (self.module, self.owner, self.attribute) if part)

    def holder(self):
        """The moto class (or module) the patch changes."""
        module = importlib.import_module(self.module)
        if self.owner is None:
            return module
        holder = getattr(module, self.owner, None)
        if holder is None:
            raise RuntimeError(f"moto changed: {self.module}.{self.owner} is gone; the sandbox patches {self.name}")
        return holder

    def original(self):
        """What moto has there now: the attribute replaced (None for one the sandbox adds)."""
        holder = self.holder()
        if self.adds:
            if hasattr(holder, self.attribute):
                raise RuntimeError(f"moto changed: {self.name} exists now; the sandbox adds its own (review it)")
            return None
        if self.attribute not in vars(holder):
            raise RuntimeError(f"moto changed: {self.name} is gone; the sandbox patches it")
        return vars(holder)[self.attribute]


_patches: list[Patch] = []
_applied: set[str] = set()


def patch(module: str, owner: Optional[str], attribute: str, *, adds: bool = False, group: str = DEFAULT):
    """Declare a patch of moto (see the module docstring)."""

    def register(build: Callable) -> Callable:
        entry = Patch(module, owner, attribute, build, adds, group)
        if any(p.name == entry.name for p in _patches):
            raise RuntimeError(f"{entry.name} is patched twice")
        _patches.append(entry)
        return build

    return register


def entries(group: Optional[str] = None) -> list[Patch]:
    """The patches declared so far (services.load_patches() imports every declaring module)."""
    return [p for p in _patches if group is None or p.group == group]


def apply(engine, group: str = DEFAULT) -> None:
    """Install every patch of `group` (once per process)."""
    if group in _applied:
        return
    chosen = [(p, p.original()) for p in entries(group)]  # every target checked before any change
    for entry, original in chosen:
        setattr(entry.holder(), entry.attribute, entry.build(engine, original))
    _applied.add(group)
