"""GetConsoleOutput: the instance's boot console (console.py) instead of moto's fixed 2006 Xen log.

On instance types that are not on the Nitro hypervisor (moto's ``Hypervisor``: ``xen``) the output
is buffered: what was written up to the latest state transition (running, stopping/shutting-down),
posted then, and ``Latest=true`` is refused (``UnsupportedOperation``), as AWS documents: "By
default, the console output returns buffered information that was posted shortly after an instance
transition state (start, stop, reboot, or terminate) ... You can optionally retrieve the latest
serial console output at any time during the instance lifecycle. This option is supported on
instance types that use the Nitro hypervisor." (GetConsoleOutput, EC2 API reference). Switch:
``xen_console_at_transitions``."""

from __future__ import annotations

import base64

from moto.core.responses import ActionResult

from ...core.registry import patch
from ...core.timestamps import to_dt
from .console import console_output, user_data_kind


@patch("moto.ec2.responses.general", "General", "get_console_output")
def get_console_output(engine, _original):
    def get_console_output(self):
        from moto.ec2.exceptions import EC2ClientError

        instance = self.ec2_backend.get_instance(self._get_param("InstanceId"))
        sim = engine.instances.sim_for(instance)
        now = engine.now()
        posted = now
        if engine.delays.xen_console_at_transitions and hypervisor(instance.instance_type) == "xen":
            if str(self._get_param("Latest")).lower() == "true":
                raise EC2ClientError("UnsupportedOperation", f"The instance type {instance.instance_type} does not support "
                                                             "retrieving the latest console output: only Nitro instance types do.")
            posted = last_transition(sim, now)
        plan = sim.script
        text = None if posted is None else console_output(
            instance.id, sim.launched_at, posted, sim.running_at, sim.boot_done_at, sim.user_data,
            plan.stdout if plan else "", plan.exit_code if plan else 0, user_data_kind(sim.user_data))
        result = {"InstanceId": instance.id, "Timestamp": to_dt(now)}
        if text is not None and instance.state not in ("terminated",):
            result["Output"] = base64.b64encode(text.encode()).decode()
        return ActionResult(result)

    return get_console_output


def hypervisor(instance_type: str) -> str:
    from moto.ec2.models.instance_types import INSTANCE_TYPES

    return (INSTANCE_TYPES.get(instance_type) or {}).get("Hypervisor") or "nitro"


def last_transition(sim, now: float):
    """When the console was last posted on a Xen instance: its latest state transition by now
    (running, then the start of stopping or shutting down), or None before any."""
    moments = [t for t in (sim.running_at, sim.stopped_at) if t is not None and t <= now]
    return max(moments) if moments else None
