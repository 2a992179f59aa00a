"""The simulated clock, and the patches that make moto tell simulated time.

The sandbox runs `factor` times faster than real time (default 60: one simulated minute per real
second; set SCALEOUT_SANDBOX_SECONDS_PER_MINUTE to the real seconds one simulated minute takes).
Simulated time starts at the real time when the server starts and only moves forward.

moto reads the time in three ways, and each is handled here:

* ``moto.core.utils.utcnow`` and the copies modules took with ``from moto.core.utils import
  utcnow``: all are replaced by the simulated ``utcnow`` (``unix_time`` and the ISO helpers of
  moto.core.utils call it by its global name, so they follow).
* ``datetime.now()`` / ``datetime.utcnow()`` / ``datetime.today()`` in a module that imported the
  ``datetime`` class or module: the module's binding is replaced by a simulated ``datetime`` class
  (``isinstance`` checks against it still accept every ordinary datetime).
* ``time.time()``: replaced in moto modules that call it, through a proxy of the ``time`` module.

Modules are patched when they are imported (a sweep runs at start-up and before and after every
request). ``patch_report()`` lists what was patched and what could not be.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import sys
import threading
import time as _time
import types
from typing import Optional

SECONDS_PER_MINUTE_ENV = "SCALEOUT_SANDBOX_SECONDS_PER_MINUTE"
DEFAULT_SECONDS_PER_MINUTE = 1.0

_real_datetime = _dt.datetime


def factor_from_env(environ=os.environ) -> float:
    raw = (environ.get(SECONDS_PER_MINUTE_ENV) or "").strip()
    if not raw:
        return 60.0 / DEFAULT_SECONDS_PER_MINUTE
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{SECONDS_PER_MINUTE_ENV}={raw!r} is not a number of seconds") from None
    if not 0.01 <= seconds <= 600:
        raise ValueError(f"{SECONDS_PER_MINUTE_ENV}={raw!r} must be between 0.01 and 600 (real seconds per simulated minute)")
    return 60.0 / seconds


class SimClock:
    """Simulated epoch seconds = start + (real elapsed) * factor."""

    def __init__(self, factor: float = 60.0, start: Optional[float] = None):
        if factor <= 0:
            raise ValueError("factor must be positive")
        self.factor = float(factor)
        self.real_start = _time.time()
        self._mono_start = _time.monotonic()
        self.sim_start = self.real_start if start is None else float(start)

    def now(self) -> float:
        return self.sim_start + (_time.monotonic() - self._mono_start) * self.factor

    def utcnow(self) -> _dt.datetime:
        """Naive UTC datetime, as moto uses."""
        return _real_datetime.fromtimestamp(self.now(), _dt.timezone.utc).replace(tzinfo=None)

    def real_seconds(self, sim_seconds: float) -> float:
        return sim_seconds / self.factor

    def describe(self) -> dict:
        real_now = _time.time()
        sim_now = self.now()
        return {
            "simulated": True,
            "factor": self.factor,
            "seconds_per_simulated_minute": 60.0 / self.factor,
            "real_now": iso(real_now),
            "simulated_now": iso(sim_now),
            "real_epoch": real_now,
            "simulated_epoch": sim_now,
            "started_real": iso(self.real_start),
            "started_simulated": iso(self.sim_start),
        }


def iso(epoch: float, millis: bool = True) -> str:
    value = _real_datetime.fromtimestamp(epoch, _dt.timezone.utc)
    if millis:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(epoch: float) -> str:
    """RFC 7231 date, always in English, for the HTTP Date header."""
    from email.utils import formatdate

    return formatdate(epoch, usegmt=True)


# --------------------------------------------------------------------------- moto patches

_clock: Optional[SimClock] = None
_lock = threading.Lock()
_seen_modules: set[str] = set()
_report: dict[str, list[str]] = {"utcnow": [], "datetime": [], "time": [], "not_patched": []}
_original_utcnow = None


def current() -> SimClock:
    if _clock is None:
        raise RuntimeError("the simulated clock is not installed")
    return _clock


def sim_utcnow() -> _dt.datetime:
    return current().utcnow()


class _SimDatetimeMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _real_datetime)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, _real_datetime)


class SimDatetime(_real_datetime, metaclass=_SimDatetimeMeta):
    """A datetime class whose now()/utcnow()/today() tell simulated time."""

    @classmethod
    def now(cls, tz=None):
        return _real_datetime.fromtimestamp(current().now(), tz)

    @classmethod
    def utcnow(cls):
        return current().utcnow()

    @classmethod
    def today(cls):
        return _real_datetime.fromtimestamp(current().now())


def _datetime_module_proxy() -> types.ModuleType:
    proxy = types.ModuleType("datetime")
    proxy.__dict__.update({k: v for k, v in _dt.__dict__.items() if not k.startswith("__")})
    proxy.datetime = SimDatetime
    return proxy


def _time_module_proxy() -> types.ModuleType:
    proxy = types.ModuleType("time")
    proxy.__dict__.update({k: v for k, v in _time.__dict__.items() if not k.startswith("__")})
    proxy.time = lambda: current().now()
    return proxy


_NOW_CALL = re.compile(r"\bdatetime\.(now|utcnow|today)\(")
_MODULE_NOW_CALL = re.compile(r"\bdatetime\.datetime\.(now|utcnow|today)\(")
_TIME_CALL = re.compile(r"\btime\.time\(\)")
_OTHER_CLOCKS = re.compile(r"\bdate\.today\(\)|\btime\.gmtime\(\)|\btime\.localtime\(\)")


def install(clock: SimClock) -> None:
    """Make every moto module tell simulated time (idempotent; call sweep() after imports)."""
    global _clock, _original_utcnow
    import moto.core.utils as core_utils

    with _lock:
        _clock = clock
        if _original_utcnow is None:
            _original_utcnow = core_utils.utcnow
            core_utils.utcnow = sim_utcnow
    sweep()


def sweep() -> None:
    """Patch the time bindings of moto modules imported since the last sweep."""
    if _original_utcnow is None:
        return
    with _lock:
        for name, module in list(sys.modules.items()):
            if name in _seen_modules or module is None:
                continue
            if not (name == "moto" or name.startswith("moto.")):
                continue
            _seen_modules.add(name)
            _patch_module(name, module)


def _patch_module(name: str, module: types.ModuleType) -> None:
    if getattr(module, "utcnow", None) is _original_utcnow:
        module.utcnow = sim_utcnow
        _report["utcnow"].append(name)
    elif getattr(module, "utcnow", None) is sim_utcnow and name != __name__:
        _report["utcnow"].append(name)  # imported after install(): bound to the simulated one already
    source = _source(module)
    if not source:
        return
    binding = getattr(module, "datetime", None)
    if binding is _real_datetime and _NOW_CALL.search(source):
        module.datetime = SimDatetime
        _report["datetime"].append(name)
    elif binding is _dt and _MODULE_NOW_CALL.search(source):
        module.datetime = _datetime_module_proxy()
        _report["datetime"].append(name)
    elif _NOW_CALL.search(source) and binding not in (SimDatetime, None) and not isinstance(binding, types.ModuleType):
        _report["not_patched"].append(f"{name}: datetime.now() on an unknown binding")
    if _TIME_CALL.search(source):
        if getattr(module, "time", None) is _time:
            module.time = _time_module_proxy()
            _report["time"].append(name)
        else:
            _report["not_patched"].append(f"{name}: time.time() through another binding")
    for match in set(_OTHER_CLOCKS.findall(source)):
        _report["not_patched"].append(f"{name}: {match}")


def _source(module: types.ModuleType) -> str:
    path = getattr(module, "__file__", None)
    if not path or not path.endswith(".py"):
        return ""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def patch_report() -> dict:
    with _lock:
        return {key: sorted(set(values)) for key, values in _report.items()}
