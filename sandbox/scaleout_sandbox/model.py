"""Pure models of what an instance does: its CPU over time and its boot console.

CPU (CloudWatch ``AWS/EC2 CPUUtilization``, percent of all vCPUs):

* idle: about 0.3 % (a small deterministic jitter per instance and period);
* while starting (the first ``startup_seconds`` after the instance is running: boot, cloud-init,
  the application starting) ``startup_cpu`` percent - the reason AWS has instance warmup;
* each busy thread of a load adds 100 / vCPUs percent (so one ``sha256sum /dev/zero`` is 100 %
  on a 1-vCPU t2.micro and 50 % on a 2-vCPU t3.micro), capped at 100.

Console (``GetConsoleOutput``): a plausible Amazon Linux boot log; once cloud-init has run the
user data, each ``echo`` of a shell-script user data appears in order (cloud-init copies script
stdout to the console), and an ``exit N`` with N != 0 ends the script with cloud-init's failure lines.
"""

from __future__ import annotations

import datetime as _dt
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


def _stamp(seconds: float) -> str:
    return f"[{seconds:12.6f}]"


def console_output(instance_id: str, launched_epoch: float, now_epoch: float, running_epoch: float,
                   boot_done_epoch: float, user_data: Optional[str], script_stdout: str,
                   script_exit: int, script_kind: str) -> Optional[str]:
    """The console text at `now_epoch` (None before the instance runs: AWS returns no Output yet)."""
    if now_epoch < running_epoch:
        return None
    when = _dt.datetime.fromtimestamp(launched_epoch, _dt.timezone.utc)
    lines = [
        f"{_stamp(0.0)} Linux version 6.1.112-124.190.amzn2023.x86_64 (mockbuild@ip-10-0-52-47) (gcc (GCC) 11.4.1 20230605 (Red Hat 11.4.1-2), GNU ld version 2.39-6.amzn2023.0.10) #1 SMP PREEMPT_DYNAMIC",
        f"{_stamp(0.0)} Command line: BOOT_IMAGE=(hd0,gpt1)/boot/vmlinuz-6.1.112-124.190.amzn2023.x86_64 root=UUID=2f6d7c3e ro console=tty0 console=ttyS0,115200n8 nvme_core.io_timeout=4294967295",
        f"{_stamp(0.0)} DMI: Xen HVM domU, BIOS 4.11.amazon 08/24/2006",
        f"{_stamp(0.512344)} Run /init as init process",
        f"{_stamp(1.873011)} systemd[1]: Detected virtualization xen.",
        f"{_stamp(1.873422)} systemd[1]: Hostname set to <ip-172-31-0-10.ec2.internal>.",
        f"{_stamp(4.118702)} cloud-init[1502]: Cloud-init v. 22.2.2 running 'init-local' at {when:%a, %d %b %Y %H:%M:%S} +0000. Up 4.10 seconds.",
        f"{_stamp(6.250198)} cloud-init[1610]: Cloud-init v. 22.2.2 running 'init' at {when:%a, %d %b %Y %H:%M:%S} +0000. Up 6.24 seconds.",
        f"{_stamp(6.301117)} cloud-init[1610]: ci-info: ++++++++++++++++++++++++++++++++++++++Net device info++++++++++++++++++++++++++++++++++++++",
    ]
    if now_epoch < boot_done_epoch:
        return "\n".join(lines) + "\n"
    up = max(8.0, boot_done_epoch - running_epoch)
    lines.append(f"{_stamp(up - 2.5)} cloud-init[1805]: Cloud-init v. 22.2.2 running 'modules:final' at {when:%a, %d %b %Y %H:%M:%S} +0000. Up {up - 2.5:.2f} seconds.")
    for text in script_stdout.splitlines():
        lines.append(f"{_stamp(up - 2.0)} cloud-init[1805]: {text}")
    if script_kind == "shell" and script_exit != 0:
        lines.append(f"{_stamp(up - 1.0)} cloud-init[1805]: {when:%Y-%m-%d %H:%M:%S},123 - cc_scripts_user.py[WARNING]: Failed to run module scripts-user (scripts in /var/lib/cloud/instance/scripts)")
        lines.append(f"{_stamp(up - 1.0)} cloud-init[1805]: {when:%Y-%m-%d %H:%M:%S},124 - util.py[WARNING]: Running module scripts-user (<module 'cloudinit.config.cc_scripts_user' from '/usr/lib/python3.9/site-packages/cloudinit/config/cc_scripts_user.py'>) failed")
    done = _dt.datetime.fromtimestamp(boot_done_epoch, _dt.timezone.utc)
    lines.append(f"{_stamp(up)} cloud-init[1805]: Cloud-init v. 22.2.2 finished at {done:%a, %d %b %Y %H:%M:%S} +0000. Datasource DataSourceEc2Local.  Up {up:.2f} seconds")
    lines.append("")
    lines.append(f"Amazon Linux 2023.6.20241010")
    lines.append(f"Kernel 6.1.112-124.190.amzn2023.x86_64 on an x86_64 (-)")
    lines.append("")
    lines.append(f"ip-172-31-0-10 login: ")
    return "\n".join(lines) + "\n"


def user_data_kind(text: Optional[str]) -> str:
    if not text:
        return "none"
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if first.startswith("#!"):
        return "shell"
    if first.startswith("#cloud-config"):
        return "cloud-config"
    if first.startswith("Content-Type: multipart") or "MIME-Version" in text[:200]:
        return "mime"
    return "other"
