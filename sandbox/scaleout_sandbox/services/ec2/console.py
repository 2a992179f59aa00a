"""The boot console of an instance (``GetConsoleOutput``), as a pure function of its lifecycle and
user data: a plausible Amazon Linux boot log; once cloud-init has run the user data, each ``echo``
of a shell-script user data appears in order (cloud-init copies script stdout to the console), and
an ``exit N`` with N != 0 ends the script with cloud-init's failure lines."""

from __future__ import annotations

import datetime as _dt
from typing import Optional


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
    lines.append("Amazon Linux 2023.6.20241010")
    lines.append("Kernel 6.1.112-124.190.amzn2023.x86_64 on an x86_64 (-)")
    lines.append("")
    lines.append("ip-172-31-0-10 login: ")
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
