"""Auto Scaling groups on the simulated clock: Pending -> InService (boot delay) and registration
with the target groups, health replacement (EC2 and ELB health checks), termination with
connection draining, and reconciling towards the desired capacity (launches.py; the default
termination policy here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ...core.timestamps import at
from ..elbv2 import targets
from .activities import SimActivity, instance_details
from .launches import launch

LIVE_STATES = ("Pending", "Pending:Wait", "Pending:Proceed", "InService")


@dataclass
class GroupSim:
    account: str
    region: str
    name: str
    arn: str
    activities: list = field(default_factory=list)  # oldest first
    pending_cause: Optional[str] = None
    zone_backoff: dict = field(default_factory=dict)
    series: dict = field(default_factory=dict)  # period start epoch -> aggregate CPU of ready instances
    terminating: dict = field(default_factory=dict)  # instance id -> {"activity", "phase", "until"}
    launching: dict = field(default_factory=dict)  # instance id -> activity
    refreshes: list = field(default_factory=list)
    deleted: bool = False
    deleting: bool = False
    # While a request changes the group through moto (UpdateAutoScalingGroup), moto's own
    # set_desired_capacity must not reconcile: the request reconciles once, with its cause.
    reconcile_on_hold: bool = False


def group_period(group) -> int:
    """60 s when the group's instances use detailed monitoring, else 300 s (basic monitoring)."""
    lt = group.ec2_launch_template
    if lt is not None:
        data = lt.get_version(group.launch_template_version).data
        enabled = (data.get("Monitoring") or {}).get("Enabled")
        return 60 if str(enabled).lower() == "true" else 300
    if group.launch_config is not None:
        return 60 if group.launch_config.instance_monitoring_enabled else 300
    return 300


def current_version(group) -> Optional[str]:
    lt = group.ec2_launch_template
    if lt is None:
        return None
    return str(lt.get_version(group.launch_template_version).number)


def group_named(backend, name):
    from moto.autoscaling.exceptions import ValidationError

    group = backend.autoscaling_groups.get(name)
    if group is None:
        raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup {name} not found")
    return group


def suspended_processes(group) -> set:
    return {p["ProcessName"] for p in group.suspended_processes}


class Groups:
    def __init__(self, engine):
        self.engine = engine
        self.records: dict[tuple, GroupSim] = {}

    def gsim(self, group) -> GroupSim:
        key = (group.account_id, group.region, group.name)
        gs = self.records.get(key)
        if gs is None or gs.arn != group.arn:
            gs = GroupSim(group.account_id, group.region, group.name, group.arn)
            self.records[key] = gs
        return gs

    def note_cause(self, group, cause: str) -> None:
        self.gsim(group).pending_cause = cause

    def live_states(self, group) -> list:
        gs = self.gsim(group)
        return [s for s in group.instance_states if s.lifecycle_state in LIVE_STATES and s.instance.id not in gs.terminating]

    def step(self, now: float) -> None:
        from moto.autoscaling.models import autoscaling_backends

        from ...core.backends import each_backend

        for _account, _region, backend in each_backend(autoscaling_backends):
            for _name, group in list(backend.autoscaling_groups.items()):
                self._step_group(backend, group, now)

    def _step_group(self, backend, group, now: float) -> None:
        gs = self.gsim(group)
        suspended = suspended_processes(group)
        self._check_instances(group, gs, now, suspended)
        self._finish_terminations(group, gs, now)
        self.engine.refreshes.step(group, gs, now)
        if not gs.deleting:
            self.reconcile(group, gs, now, suspended)
        elif not group.instance_states:
            self.forget(backend, group, gs)

    def _check_instances(self, group, gs: GroupSim, now: float, suspended: set) -> None:
        """Pending -> InService; notice instances gone or stopped underneath the group."""
        for state in list(group.instance_states):
            instance = state.instance
            sim = self.engine.instances.sim_for(instance)
            iid = instance.id
            if iid in gs.terminating:
                continue
            if state.lifecycle_state in ("Pending", "Pending:Wait", "Pending:Proceed"):
                if instance.state in ("shutting-down", "terminated", "stopping", "stopped"):
                    self._replace(group, gs, state, now, "an EC2 health check indicating it has been terminated or stopped")
                    continue
                if now >= sim.boot_done_at and instance.state == "running":
                    state.lifecycle_state = "InService"
                    sim.in_service_at = sim.boot_done_at
                    if "AddToLoadBalancer" not in suspended:
                        targets.register(group, [iid])
                    activity = gs.launching.pop(iid, None)
                    if activity is not None:
                        activity.finish(max(sim.boot_done_at, activity.start_epoch))
                continue
            if state.lifecycle_state == "InService":
                if instance.state in ("shutting-down", "terminated", "stopping", "stopped"):
                    if "ReplaceUnhealthy" not in suspended:
                        self._replace(group, gs, state, now, "an EC2 health check indicating it has been terminated or stopped")
                    continue
                if state.health_status == "Unhealthy" and "ReplaceUnhealthy" not in suspended:
                    self._replace(group, gs, state, now, "a user health-check")
                    continue
                if group.health_check_type == "ELB" and "HealthCheck" not in suspended and sim.in_service_at is not None:
                    grace = float(group.health_check_grace_period or 0)
                    if now >= sim.in_service_at + grace and targets.any_unhealthy(group, iid):
                        state.health_status = "Unhealthy"
                        if "ReplaceUnhealthy" not in suspended:
                            self._replace(group, gs, state, now, "an ELB system health check failure")

    def _finish_terminations(self, group, gs: GroupSim, now: float) -> None:
        """Terminations: draining -> shutting down -> gone."""
        for iid, record in list(gs.terminating.items()):
            if now < record["until"]:
                continue
            state = next((s for s in group.instance_states if s.instance.id == iid), None)
            if record["phase"] == "draining":
                instance = state.instance if state else None
                if instance is not None and instance.state not in ("shutting-down", "terminated"):
                    group.ec2_backend.terminate_instances([iid])
                record["phase"] = "shutting-down"
                record["until"] = max(now, record["until"]) + self.engine.delays.instance_shutdown_s
                record["activity"].progress = 50
                continue
            if state is not None:
                group.instance_states.remove(state)
            record["activity"].finish(record["until"])
            del gs.terminating[iid]

    def _replace(self, group, gs: GroupSim, state, now: float, reason: str) -> None:
        cause = f"At {at(now)} an instance was taken out of service in response to {reason}."
        self.begin_termination(group, gs, state, now, cause)

    def begin_termination(self, group, gs: GroupSim, state, now: float, cause: str) -> SimActivity:
        iid = state.instance.id
        state.lifecycle_state = "Terminating"
        activity = SimActivity(group, f"Terminating EC2 instance: {iid}", cause, now, "InProgress", 0,
                               instance_details(state.instance))
        gs.activities.append(activity)
        gs.launching.pop(iid, None)
        drain = targets.deregister(group, iid)
        if state.instance.state in ("shutting-down", "terminated"):
            drain = 0.0
        if drain:
            activity.status_code = "WaitingForELBConnectionDraining"
        gs.terminating[iid] = {"activity": activity, "phase": "draining", "until": now + drain}
        return activity

    def reconcile(self, group, gs: Optional[GroupSim] = None, now: Optional[float] = None,
                  suspended: Optional[set] = None) -> None:
        """Launch or terminate towards the desired capacity."""
        gs = gs or self.gsim(group)
        now = self.engine.now() if now is None else now
        suspended = suspended if suspended is not None else suspended_processes(group)
        live = self.live_states(group)
        desired = int(group.desired_capacity or 0)
        prefix = gs.pending_cause
        if len(live) < desired and "Launch" not in suspended:
            gs.pending_cause = None
            launch(self.engine, group, gs, desired - len(live), len(live), now, prefix)
        elif len(live) > desired and "Terminate" not in suspended:
            gs.pending_cause = None
            victims = self._select_for_termination(group, live, len(live) - desired)
            for state in victims:
                sentence = (f"At {at(now)} an instance was taken out of service in response to a difference between "
                            f"desired and actual capacity, shrinking the capacity from {len(live)} to {desired}.  "
                            f"At {at(now)} instance {state.instance.id} was selected for termination.")
                self.begin_termination(group, gs, state, now, f"{prefix}  {sentence}" if prefix else sentence)
        elif prefix and len(live) == desired:
            gs.pending_cause = None

    def _select_for_termination(self, group, live: list, count: int) -> list:
        """Default termination policy: unprotected first, the zone with most instances, then
        instances not on the current launch template version, then the oldest."""
        current = current_version(group)
        sim_for = self.engine.instances.sim_for
        candidates = [s for s in live if not s.protected_from_scale_in]
        chosen = []
        for _ in range(count):
            if not candidates:
                break
            per_zone: dict = {}
            for s in live:
                if s not in chosen:
                    per_zone[s.instance.placement.zone] = per_zone.get(s.instance.placement.zone, 0) + 1
            busiest = max(per_zone[s.instance.placement.zone] for s in candidates)
            pool = [s for s in candidates if per_zone[s.instance.placement.zone] == busiest]
            pool.sort(key=lambda s: (s.lifecycle_state == "InService",  # pending ones first
                                     sim_for(s.instance).version == current,
                                     sim_for(s.instance).launched_at))
            victim = pool[0]
            chosen.append(victim)
            candidates.remove(victim)
        return chosen

    @staticmethod
    def forget(backend, group, gs: GroupSim) -> None:
        backend.autoscaling_groups.pop(group.name, None)
        gs.deleted = True

    def describe(self) -> dict:
        return {"groups": sorted(name for (_, _, name), gs in self.records.items() if not gs.deleted)}
