"""GetConsoleOutput: the instance's boot console (console.py) instead of moto's fixed 2006 Xen log."""

from __future__ import annotations

import base64

from moto.core.responses import ActionResult

from ...core.registry import patch
from ...core.timestamps import to_dt
from .console import console_output, user_data_kind


@patch("moto.ec2.responses.general", "General", "get_console_output")
def get_console_output(engine, _original):
    def get_console_output(self):
        instance = self.ec2_backend.get_instance(self._get_param("InstanceId"))
        sim = engine.instances.sim_for(instance)
        now = engine.now()
        plan = sim.script
        text = console_output(
            instance.id, sim.launched_at, now, sim.running_at, sim.boot_done_at, sim.user_data,
            plan.stdout if plan else "", plan.exit_code if plan else 0, user_data_kind(sim.user_data))
        result = {"InstanceId": instance.id, "Timestamp": to_dt(now)}
        if text is not None and instance.state not in ("terminated",):
            result["Output"] = base64.b64encode(text.encode()).decode()
        return ActionResult(result)

    return get_console_output
