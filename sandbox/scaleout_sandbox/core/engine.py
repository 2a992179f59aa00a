"""The engine: runs every service's control loop on the simulated clock, inside the server process.

One Engine per server. The services' state sits beside moto's backends and is guarded by
``engine.lock``, the same re-entrant lock the WSGI layer holds while moto serves a request, so the
background thread and the API never see each other half-way.

The services (``services.attach``) give the engine their control loops: ``add_step`` loops run, in
the order added, at every ``step()`` (a background tick, and once after every request);
``every_minute`` and ``every_hour`` hooks run at each simulated minute (hour) boundary that has
passed. A service the others call is reachable as an attribute (``add_service``), e.g.
``engine.instances``.
"""

from __future__ import annotations

import math
import sys
import threading
import traceback
from typing import Callable, Optional

from .clock import SimClock, iso
from .delays import Delays

Loop = Callable[[float], None]


class Engine:
    def __init__(self, clock: SimClock, faults, delays: Optional[Delays] = None, tick_real_s: float = 0.05):
        self.clock = clock
        self.faults = faults
        self.delays = delays or Delays()
        self.lock = threading.RLock()
        self.next_minute = math.floor(clock.now() / 60.0) * 60.0 + 60.0
        self.tick_real_s = tick_real_s
        self.errors: list[str] = []
        self.services: dict[str, object] = {}
        self._steps: list[tuple[str, Loop]] = []
        self._minute_hooks: list[Loop] = []
        self._hour_hooks: list[Loop] = []
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    # ------------------------------------------------------------------ services

    def add_service(self, name: str, service) -> None:
        """Make `service` reachable as ``engine.<name>``; its ``describe()`` (if any) feeds /_sandbox/state."""
        if hasattr(self, name):
            raise ValueError(f"the engine already has an attribute {name!r}")
        self.services[name] = service
        setattr(self, name, service)

    def add_step(self, name: str, loop: Loop) -> None:
        self._steps.append((name, loop))

    def every_minute(self, hook: Loop) -> None:
        self._minute_hooks.append(hook)

    def every_hour(self, hook: Loop) -> None:
        self._hour_hooks.append(hook)

    # ------------------------------------------------------------------ running

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sandbox-simulation", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick_real_s):
            with self.lock:
                self.step()

    def now(self) -> float:
        return self.clock.now()

    def step(self, now: Optional[float] = None) -> None:
        """Advance everything due by `now`. Errors are logged, never fatal to the thread."""
        now = self.clock.now() if now is None else now
        for name, loop in self._steps + [("minutes", self._step_minutes)]:
            try:
                loop(now)
            except Exception:  # noqa: BLE001 - the simulation must keep running
                text = f"{iso(now)} {name}: {traceback.format_exc()}"
                self.errors.append(text)
                del self.errors[:-50]
                print(text, file=sys.stderr, flush=True)

    def _step_minutes(self, now: float) -> None:
        if now - self.next_minute > 3600:
            self.next_minute = math.floor(now / 60.0) * 60.0 - 60 * 30  # long pause: catch up 30 minutes only
        while self.next_minute <= now:
            boundary = self.next_minute
            for hook in self._minute_hooks:
                hook(boundary)
            self.next_minute += 60.0
            if int(boundary) % 3600 == 0:
                for hook in self._hour_hooks:
                    hook(boundary)

    # ------------------------------------------------------------------ introspection

    def describe(self) -> dict:
        with self.lock:
            summary = {"delays": self.delays.as_dict()}
            for service in self.services.values():
                if hasattr(service, "describe"):
                    summary.update(service.describe())
            summary.update({"next_minute": iso(self.next_minute), "recent_errors": list(self.errors[-5:])})
            return summary
