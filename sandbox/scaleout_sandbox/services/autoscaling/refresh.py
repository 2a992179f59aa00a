"""Instance refresh: batches of max(1, floor(desired x (100 - MinHealthyPercentage) / 100))
(terminate, then launch; with MaxHealthyPercentage > 100 launch first); each batch waits until its
replacements are InService, past InstanceWarmup and healthy in the target groups; a refresh
without progress for ``refresh_stall_s`` fails."""

from __future__ import annotations

import math
import uuid
from typing import Optional

from ...core.timestamps import at, to_dt
from ..elbv2 import targets
from .groups import LIVE_STATES, GroupSim, current_version
from .launches import launch


class InstanceRefresh:
    def __init__(self, group, preferences: dict, desired_configuration: Optional[dict], strategy: str, now: float,
                 to_update: list):
        self.instance_refresh_id = str(uuid.uuid4())
        self.auto_scaling_group_name = group.name
        self.status = "Pending"
        self.status_reason = None
        self.start_time = to_dt(now)
        self.end_time = None
        self.percentage_complete = 0
        self.preferences = preferences
        self.desired_configuration = desired_configuration
        self.strategy = strategy
        self.to_update = list(to_update)
        self.total = len(to_update)
        self.replaced = 0
        self.in_flight: list = []  # instance ids being replaced in the current batch
        self.batch_replaced = 0
        self.last_progress = now

    @property
    def instances_to_update(self) -> int:
        return max(0, self.total - self.replaced)

    @property
    def progress_details(self) -> dict:
        return {"LivePoolProgress": {"PercentageComplete": self.percentage_complete,
                                     "InstancesToUpdate": self.instances_to_update}}

    @property
    def active(self) -> bool:
        return self.status in ("Pending", "InProgress", "Cancelling")


def _desired_version(group, desired_configuration: Optional[dict]) -> Optional[str]:
    spec = (desired_configuration or {}).get("LaunchTemplate")
    ec2 = group.ec2_backend
    if spec:
        lt = ec2.get_launch_template(spec["LaunchTemplateId"]) if spec.get("LaunchTemplateId") else \
            ec2.get_launch_template_by_name(spec["LaunchTemplateName"])
        return str(lt.get_version(spec.get("Version") or "$Default").number)
    return current_version(group)


def _warmup(group, refresh: InstanceRefresh) -> float:
    pref = refresh.preferences.get("InstanceWarmup")
    if pref is not None:
        return float(pref)
    if getattr(group, "default_instance_warmup", None) is not None:
        return float(group.default_instance_warmup)
    return float(group.health_check_grace_period or 0)


class Refreshes:
    def __init__(self, engine):
        self.engine = engine

    def start(self, group, preferences: dict, desired_configuration: Optional[dict], strategy: str) -> InstanceRefresh:
        from moto.autoscaling.exceptions import AutoscalingClientError

        gs = self.engine.groups.gsim(group)
        if any(r.active for r in gs.refreshes):
            raise AutoscalingClientError("InstanceRefreshInProgress",
                                         "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.")
        now = self.engine.now()
        live = self.engine.groups.live_states(group)
        skip_matching = bool(preferences.get("SkipMatching"))
        target_version = _desired_version(group, desired_configuration)
        to_update = []
        for state in live:
            if state.protected_from_scale_in and preferences.get("ScaleInProtectedInstances", "Ignore") == "Ignore":
                continue
            if skip_matching and self.engine.instances.sim_for(state.instance).version == target_version:
                continue
            to_update.append(state.instance.id)
        refresh = InstanceRefresh(group, preferences, desired_configuration, strategy, now, to_update)
        gs.refreshes.append(refresh)
        return refresh

    def cancel(self, group) -> InstanceRefresh:
        from moto.autoscaling.exceptions import AutoscalingClientError

        gs = self.engine.groups.gsim(group)
        active = [r for r in gs.refreshes if r.active]
        if not active:
            raise AutoscalingClientError("ActiveInstanceRefreshNotFound",
                                         f"No in progress or pending Instance Refresh found for Auto Scaling group {group.name}")
        refresh = active[-1]
        refresh.status = "Cancelling"
        return refresh

    def _ready(self, group, iid: str, now: float, warmup: float) -> bool:
        state = next((s for s in group.instance_states if s.instance.id == iid), None)
        if state is None or state.lifecycle_state != "InService":
            return False
        sim = self.engine.instances.sim_for(state.instance)
        if sim.in_service_at is None or now < sim.in_service_at + warmup:
            return False
        if group.target_group_arns and group.health_check_type == "ELB" and not targets.all_healthy(group, iid):
            return False
        return True

    def step(self, group, gs: GroupSim, now: float) -> None:
        """Move the group's active refresh on (called by the group's step)."""
        refresh = next((r for r in gs.refreshes if r.active), None)
        if refresh is None:
            return
        if refresh.status == "Cancelling":
            refresh.status = "Cancelled"
            refresh.status_reason = "The instance refresh was cancelled by a user request."
            refresh.end_time = to_dt(now)
            return
        if refresh.status == "Pending":
            refresh.status = "InProgress"
        warmup = _warmup(group, refresh)
        # The current batch: wait for its replacements to be InService, warmed up and healthy.
        if refresh.in_flight:
            waiting = [i for i in refresh.in_flight if not self._ready(group, i, now, warmup)]
            if waiting:
                stall = self.engine.delays.refresh_stall_s
                if now - refresh.last_progress > stall:
                    refresh.status = "Failed"
                    refresh.status_reason = (f"The instance refresh made no progress for {int(stall)} "
                                             f"seconds: replacement instances did not become healthy.")
                    refresh.end_time = to_dt(now)
                return
            refresh.replaced += refresh.batch_replaced
            refresh.in_flight = []
            refresh.last_progress = now
            refresh.percentage_complete = int(100 * refresh.replaced / refresh.total) if refresh.total else 100
        remaining = [i for i in refresh.to_update
                     if any(s.instance.id == i and s.lifecycle_state in LIVE_STATES for s in group.instance_states)]
        refresh.to_update = remaining
        if not remaining:
            refresh.percentage_complete = 100
            refresh.replaced = refresh.total
            refresh.status = "Successful"
            refresh.end_time = to_dt(now)
            if refresh.desired_configuration and refresh.desired_configuration.get("LaunchTemplate"):
                spec = refresh.desired_configuration["LaunchTemplate"]
                group._set_launch_configuration(None, spec, None)
            return
        self._next_batch(group, gs, refresh, remaining, now)

    def _next_batch(self, group, gs: GroupSim, refresh: InstanceRefresh, remaining: list, now: float) -> None:
        desired = int(group.desired_capacity or 0)
        min_healthy = float(refresh.preferences.get("MinHealthyPercentage", 90))
        max_healthy = float(refresh.preferences.get("MaxHealthyPercentage", 100))
        if max_healthy > 100:
            batch = max(1, math.floor(desired * (max_healthy - 100) / 100))
        else:
            batch = max(1, math.floor(desired * (100 - min_healthy) / 100))
        batch_ids = remaining[:batch]
        live = self.engine.groups.live_states(group)
        start_n = len(live)
        launched_before = {s.instance.id for s in group.instance_states}
        spec = (refresh.desired_configuration or {}).get("LaunchTemplate")
        if max_healthy > 100:
            # Launch before terminating: new capacity first, then take the old ones out.
            self._launch(group, gs, len(batch_ids), start_n, now, spec)
        for iid in batch_ids:
            state = next(s for s in group.instance_states if s.instance.id == iid)
            cause = (f"At {at(now)} an instance was taken out of service in response to an instance refresh.  "
                     f"At {at(now)} instance {iid} was selected for termination.")
            self.engine.groups.begin_termination(group, gs, state, now, cause)
        if max_healthy <= 100:
            self._launch(group, gs, len(batch_ids), start_n - len(batch_ids), now, spec)
        new_ids = [s.instance.id for s in group.instance_states if s.instance.id not in launched_before]
        refresh.in_flight = new_ids
        refresh.batch_replaced = len(batch_ids)
        refresh.to_update = [i for i in remaining if i not in batch_ids]
        refresh.last_progress = now

    def _launch(self, group, gs: GroupSim, count: int, start_n: int, now: float, spec) -> None:
        reason = f"At {at(now)} an instance was launched in response to an instance refresh."
        launch(self.engine, group, gs, count, start_n, now, None, reason=reason, template=spec)
