"""The CPU model of an instance: what CloudWatch's ``AWS/EC2 CPUUtilization`` shows (percent of
all vCPUs), as a pure function of its loads over time:

* idle: about 0.3 % (a small deterministic jitter per instance and period);
* while starting (the first ``startup_seconds`` after the instance is running: boot, cloud-init,
  the application starting) ``startup_cpu`` percent - the reason AWS has instance warmup;
* each busy thread of a load adds 100 / vCPUs percent (so one ``sha256sum /dev/zero`` is 100 %
  on a 1-vCPU t2.micro and 50 % on a 2-vCPU t3.micro), capped at 100.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Optional

IDLE_CPU = 0.3
IDLE_JITTER = 0.08


def idle_cpu(instance_id: str, period_start: float) -> float:
    digest = hashlib.sha256(f"{instance_id}:{int(period_start)}".encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 0xFFFFFFFF
    return round(IDLE_CPU + (fraction * 2 - 1) * IDLE_JITTER, 3)


def cpu_average(t0: float, t1: float, running_from: float, running_until: Optional[float],
                loads: Iterable[tuple], vcpus: int, idle: float,
                startup_seconds: float = 0.0, startup_cpu: float = 0.0) -> Optional[float]:
    """Average CPU percent over [t0, t1) of an instance, or None if it was not running then.

    ``loads`` are (start, end or None, threads) in absolute seconds; threads 0 means all vCPUs.
    """
    start = max(t0, running_from)
    end = t1 if running_until is None else min(t1, running_until)
    if end <= start:
        return None
    vcpus = max(1, int(vcpus))
    loads = [(s, e, vcpus if th == 0 else th) for s, e, th in loads]
    startup_end = running_from + startup_seconds
    points = {start, end}
    for s, e, _ in loads:
        for p in (s, e):
            if p is not None and start < p < end:
                points.add(p)
    if start < startup_end < end:
        points.add(startup_end)
    ordered = sorted(points)
    total = 0.0
    for a, b in zip(ordered, ordered[1:]):
        mid = (a + b) / 2
        threads = sum(th for s, e, th in loads if s <= mid and (e is None or mid < e))
        util = 100.0 * threads / vcpus
        if mid < startup_end:
            util += startup_cpu
        total += (b - a) * min(100.0, max(idle, util))
    return round(total / (end - start), 3)
