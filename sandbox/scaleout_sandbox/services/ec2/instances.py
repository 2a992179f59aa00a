"""EC2 instance lifecycle on the simulated clock: pending -> running (``instance_pending_s``),
booted (``instance_boot_s``: cloud-init done, Auto Scaling InService; the SSM agent registers later, ssm/agent.py), shutting-down ->
terminated and stopping -> stopped (``instance_shutdown_s``)."""

from __future__ import annotations

from typing import Optional

from ... import shellsim
from ...core.backends import each_backend, ec2_backend
from ...core.records import InstanceSim
from ...core.timestamps import to_dt, to_epoch
from .console import user_data_kind


class Instances:
    def __init__(self, engine):
        self.engine = engine
        self.records: dict[str, InstanceSim] = {}

    def get(self, instance_id: str) -> Optional[InstanceSim]:
        return self.records.get(instance_id)

    @staticmethod
    def vcpus_of(instance_type: str) -> int:
        from moto.ec2.models.instance_types import INSTANCE_TYPES

        info = INSTANCE_TYPES.get(instance_type) or {}
        return int((info.get("VCpuInfo") or {}).get("DefaultVCpus") or 1)

    def register(self, instance, account: str, region: str, user_data: Optional[str]) -> InstanceSim:
        """Called for every instance RunInstances creates: it starts pending."""
        from moto.ec2.models.instances import InstanceState

        now = self.engine.now()
        d = self.engine.delays
        sim = InstanceSim(
            instance_id=instance.id, account=account, region=region, launched_at=now,
            running_at=now + d.instance_pending_s, boot_done_at=now + max(d.instance_boot_s, d.instance_pending_s),
            vcpus=self.vcpus_of(instance.instance_type), user_data=user_data,
        )
        sim.state_change_at = sim.running_at
        if user_data_kind(user_data) == "shell":
            sim.script = shellsim.plan_script(user_data)
        instance._state = InstanceState("pending", 0)
        instance.launch_time = to_dt(now)
        self.records[instance.id] = sim
        return sim

    def sim_for(self, instance) -> InstanceSim:
        """The simulation record of an instance (created lazily for instances moto made elsewhere)."""
        sim = self.records.get(instance.id)
        if sim is None:
            launched = to_epoch(instance.launch_time)
            sim = InstanceSim(instance.id, instance.ec2_backend.account_id, instance.ec2_backend.region_name,
                              launched, launched, launched, vcpus=self.vcpus_of(instance.instance_type))
            self.records[instance.id] = sim
        return sim

    def stopping(self, instance, terminating: bool) -> None:
        """TerminateInstances/StopInstances: moto has already done its part; add the transition."""
        from moto.ec2.models.instances import InstanceState

        sim = self.sim_for(instance)
        now = self.engine.now()
        if sim.stopped_at is None:
            sim.stopped_at = now
        for load in sim.loads:
            if load[1] is None or load[1] > now:
                load[1] = now
        sim.state_change_at = now + self.engine.delays.instance_shutdown_s
        instance._state = InstanceState("shutting-down", 32) if terminating else InstanceState("stopping", 64)

    def starting(self, instance) -> None:
        from moto.ec2.models.instances import InstanceState

        sim = self.sim_for(instance)
        now = self.engine.now()
        delays = self.engine.delays
        sim.stopped_at = None
        sim.running_at = now + delays.instance_pending_s
        sim.boot_done_at = now + max(delays.instance_boot_s, delays.instance_pending_s)
        sim.state_change_at = sim.running_at
        instance._state = InstanceState("pending", 0)
        if sim.credit_mode:
            self.engine.credits.start(sim, instance.instance_type, sim.credit_mode)  # a T2 gets new launch credits

    def step(self, now: float) -> None:
        from moto.ec2.models import ec2_backends
        from moto.ec2.models.instances import InstanceState

        for _account, _region, ec2 in each_backend(ec2_backends):
            for instance in ec2.all_instances():
                sim = self.records.get(instance.id)
                if sim is None or sim.state_change_at is None or now < sim.state_change_at:
                    continue
                state = instance.state
                if state == "pending":
                    instance._state = InstanceState("running", 16)
                elif state == "shutting-down":
                    instance._state = InstanceState("terminated", 48)
                    for interface in list(instance.nics.values()):
                        if getattr(interface, "sandbox_delete_on_termination", False):
                            ec2.enis.pop(interface.id, None)
                elif state == "stopping":
                    instance._state = InstanceState("stopped", 80)
                sim.state_change_at = None

    @staticmethod
    def find(account, region, instance_id):
        """The moto instance, or None."""
        try:
            return ec2_backend(account, region).get_instance_by_id(instance_id)
        except Exception:  # noqa: BLE001
            return None

    def describe(self) -> dict:
        return {"instances": len(self.records)}
