"""The simulation: AWS's control loops, run on the simulated clock inside the server process.

One Engine per server. Its state sits beside moto's backends and is guarded by ``engine.lock``, the
same re-entrant lock the WSGI middleware holds while moto serves a request, so the background
thread and the API never see each other half-way.

Every ``step()`` (a background tick, and once after every request) moves things whose time has come:

* EC2 instances: pending -> running, shutting-down -> terminated, stopping -> stopped;
* Auto Scaling: Pending -> InService (boot delay), target group registration, health replacement,
  termination with connection draining, launches/terminations towards the desired capacity
  (balanced across zones, failed launches recorded), instance refreshes, activity history;
* images pending -> available, SSM command invocations finishing;
* at each simulated minute boundary: CPU datapoints for every running instance, group aggregates,
  AWS/AutoScaling group metrics, and target-tracking alarm evaluation and scaling.
"""

from __future__ import annotations

import calendar
import copy
import datetime as _dt
import json
import math
import os
import sys
import threading
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Optional

from . import model, shellsim, targettracking as tt
from .clock import SimClock, iso

DELAYS_ENV = "SCALEOUT_SANDBOX_DELAYS"

ALL_GROUP_METRICS = [
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
    "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances",
    "GroupInServiceCapacity", "GroupPendingCapacity", "GroupStandbyCapacity", "GroupTerminatingCapacity",
    "GroupTotalCapacity",
]
LIVE_STATES = ("Pending", "Pending:Wait", "Pending:Proceed", "InService")


@dataclass
class Delays:
    """Simulated seconds (the defaults are what AWS typically shows)."""

    instance_pending_s: float = 30.0  # RunInstances: pending -> running
    instance_boot_s: float = 75.0  # launch -> booted (cloud-init done, SSM online, ASG InService)
    instance_shutdown_s: float = 20.0  # shutting-down -> terminated, stopping -> stopped
    image_pending_s: float = 240.0  # CreateImage: pending -> available
    lb_provisioning_s: float = 150.0  # CreateLoadBalancer: provisioning -> active
    startup_seconds: float = 180.0  # after running: CPU of boot and application start
    startup_cpu: float = 70.0  # percent during startup_seconds
    zone_retry_s: float = 300.0  # a zone where a launch failed is tried again after this
    refresh_stall_s: float = 3600.0  # an instance refresh without progress for this long fails

    @classmethod
    def from_env(cls, environ=os.environ) -> "Delays":
        delays = cls()
        raw = environ.get(DELAYS_ENV, "").strip()
        if raw:
            try:
                values = json.loads(raw)
            except ValueError:
                raise ValueError(f"{DELAYS_ENV} must be a JSON object of simulated seconds, got {raw!r}") from None
            delays.update(values)
        return delays

    def update(self, values: dict) -> None:
        if not isinstance(values, dict):
            raise ValueError("delays must be a JSON object")
        for key, value in values.items():
            if not hasattr(self, key):
                raise ValueError(f"unknown delay {key!r}; known: {sorted(self.__dict__)}")
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"delay {key} must be a non-negative number of simulated seconds")
            setattr(self, key, float(value))

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def to_dt(epoch: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).replace(tzinfo=None)


def to_epoch(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return calendar.timegm(value.timetuple()) + value.microsecond / 1e6


def at(epoch: float) -> str:
    """Timestamp as Auto Scaling writes it in causes: 2026-11-30T23:05:08Z."""
    return iso(epoch, millis=False)


@dataclass
class InstanceSim:
    instance_id: str
    account: str
    region: str
    launched_at: float
    running_at: float
    boot_done_at: float
    vcpus: int = 1
    loads: list = field(default_factory=list)  # [start, end|None, threads, command_id, background]
    stopped_at: Optional[float] = None
    state_change_at: Optional[float] = None  # when shutting-down/stopping/pending completes
    in_service_at: Optional[float] = None
    user_data: Optional[str] = None
    script: Optional[shellsim.Plan] = None
    version: Optional[str] = None  # launch template version used


class SimActivity:
    """One scaling activity, serialized by moto from these attributes."""

    def __init__(self, group, description: str, cause: str, start: float, status_code: str = "InProgress",
                 progress: int = 0, details: Optional[dict] = None):
        self.activity_id = str(uuid.uuid4())
        self.auto_scaling_group_name = group.name
        self.auto_scaling_group_arn = group.arn
        self.description = description
        self.cause = cause
        self.start_epoch = start
        self.start_time = to_dt(start)
        self.end_time = None
        self.status_code = status_code
        self.status_message = None
        self.progress = progress
        self.details = json.dumps(details or {}, separators=(",", ":"))

    def finish(self, when: float, status_code: str = "Successful", message: Optional[str] = None) -> None:
        self.end_time = to_dt(when)
        self.status_code = status_code
        self.status_message = message
        self.progress = 100


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


@dataclass
class Invocation:
    account: str
    region: str
    command: object
    instance_id: str
    plan: shellsim.Plan
    started: float
    deadline: Optional[float]  # when the script ends by itself
    timeout_at: float  # executionTimeout
    status: str = "InProgress"


class Engine:
    def __init__(self, clock: SimClock, faults, delays: Optional[Delays] = None, tick_real_s: float = 0.05):
        self.clock = clock
        self.faults = faults
        self.delays = delays or Delays()
        self.lock = threading.RLock()
        self.instances: dict[str, InstanceSim] = {}
        self.groups: dict[tuple, GroupSim] = {}
        self.invocations: list[Invocation] = []
        self.images: dict[str, tuple] = {}  # ami id -> (ec2 backend, available_at, snapshots)
        self.alarm_history: dict[tuple, list] = {}  # (account, region) -> history items
        self.next_minute = math.floor(clock.now() / 60.0) * 60.0 + 60.0
        self.tick_real_s = tick_real_s
        self.errors: list[str] = []
        self.history_time: Optional[float] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    # ------------------------------------------------------------------ lifecycle

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
        for name, part in (("instances", self._step_instances), ("images", self._step_images),
                           ("commands", self._step_invocations), ("groups", self._step_groups),
                           ("minutes", self._step_minutes)):
            try:
                part(now)
            except Exception:  # noqa: BLE001 - the simulation must keep running
                text = f"{iso(now)} {name}: {traceback.format_exc()}"
                self.errors.append(text)
                del self.errors[:-50]
                print(text, file=sys.stderr, flush=True)

    # ------------------------------------------------------------------ backends

    @staticmethod
    def _iter(backend_dict):
        for account, regions in list(backend_dict.items()):
            for region, backend in list(regions.items()):
                yield account, region, backend

    @staticmethod
    def ec2(account, region):
        from moto.ec2.models import ec2_backends

        return ec2_backends[account][region]

    @staticmethod
    def cloudwatch(account, region):
        from moto.cloudwatch.models import cloudwatch_backends

        return cloudwatch_backends[account][region]

    @staticmethod
    def elbv2(account, region):
        from moto.elbv2.models import elbv2_backends

        return elbv2_backends[account][region]

    @staticmethod
    def autoscaling(account, region):
        from moto.autoscaling.models import autoscaling_backends

        return autoscaling_backends[account][region]

    # ------------------------------------------------------------------ instances

    def vcpus_of(self, instance_type: str) -> int:
        from moto.ec2.models.instance_types import INSTANCE_TYPES

        info = INSTANCE_TYPES.get(instance_type) or {}
        return int((info.get("VCpuInfo") or {}).get("DefaultVCpus") or 1)

    def register_instance(self, instance, account: str, region: str, user_data: Optional[str]) -> InstanceSim:
        """Called for every instance RunInstances creates: it starts pending."""
        from moto.ec2.models.instances import InstanceState

        now = self.now()
        d = self.delays
        sim = InstanceSim(
            instance_id=instance.id, account=account, region=region, launched_at=now,
            running_at=now + d.instance_pending_s, boot_done_at=now + max(d.instance_boot_s, d.instance_pending_s),
            vcpus=self.vcpus_of(instance.instance_type), user_data=user_data,
        )
        sim.state_change_at = sim.running_at
        if model.user_data_kind(user_data) == "shell":
            sim.script = shellsim.plan_script(user_data)
        instance._state = InstanceState("pending", 0)
        instance.launch_time = to_dt(now)
        self.instances[instance.id] = sim
        return sim

    def sim_for(self, instance) -> InstanceSim:
        """The simulation record of an instance (created lazily for instances moto made elsewhere)."""
        sim = self.instances.get(instance.id)
        if sim is None:
            launched = to_epoch(instance.launch_time)
            sim = InstanceSim(instance.id, instance.ec2_backend.account_id, instance.ec2_backend.region_name,
                              launched, launched, launched, vcpus=self.vcpus_of(instance.instance_type))
            self.instances[instance.id] = sim
        return sim

    def instance_stopping(self, instance, terminating: bool) -> None:
        """TerminateInstances/StopInstances: moto has already done its part; add the transition."""
        from moto.ec2.models.instances import InstanceState

        sim = self.sim_for(instance)
        now = self.now()
        if sim.stopped_at is None:
            sim.stopped_at = now
        for load in sim.loads:
            if load[1] is None or load[1] > now:
                load[1] = now
        sim.state_change_at = now + self.delays.instance_shutdown_s
        instance._state = InstanceState("shutting-down", 32) if terminating else InstanceState("stopping", 64)

    def instance_starting(self, instance) -> None:
        from moto.ec2.models.instances import InstanceState

        sim = self.sim_for(instance)
        now = self.now()
        sim.stopped_at = None
        sim.running_at = now + self.delays.instance_pending_s
        sim.boot_done_at = now + max(self.delays.instance_boot_s, self.delays.instance_pending_s)
        sim.state_change_at = sim.running_at
        instance._state = InstanceState("pending", 0)

    def _step_instances(self, now: float) -> None:
        from moto.ec2.models import ec2_backends
        from moto.ec2.models.instances import InstanceState

        for account, region, ec2 in self._iter(ec2_backends):
            for instance in ec2.all_instances():
                sim = self.instances.get(instance.id)
                if sim is None or sim.state_change_at is None or now < sim.state_change_at:
                    continue
                state = instance.state
                if state == "pending":
                    instance._state = InstanceState("running", 16)
                elif state == "shutting-down":
                    instance._state = InstanceState("terminated", 48)
                elif state == "stopping":
                    instance._state = InstanceState("stopped", 80)
                sim.state_change_at = None

    def ssm_online(self, instance) -> bool:
        if instance.state != "running":
            return False
        sim = self.sim_for(instance)
        return self.now() >= sim.boot_done_at

    # ------------------------------------------------------------------ images

    def image_created(self, ec2, ami, snapshots) -> None:
        ami.state = "pending"
        for snapshot in snapshots:
            snapshot.status = "pending"
        self.images[ami.id] = (ec2, self.now() + self.delays.image_pending_s, snapshots)

    def _step_images(self, now: float) -> None:
        for ami_id, (ec2, ready_at, snapshots) in list(self.images.items()):
            if now < ready_at:
                continue
            ami = ec2.amis.get(ami_id)
            if ami is not None and ami.state == "pending":
                ami.state = "available"
            for snapshot in snapshots:
                if snapshot.status == "pending":
                    snapshot.status = "completed"
            del self.images[ami_id]

    # ------------------------------------------------------------------ SSM Run Command

    def start_command(self, account: str, region: str, command) -> None:
        """SendCommand for AWS-RunShellScript: plan each instance's script and start its loads."""
        params = command.parameters or {}
        commands = params.get("commands") or []
        if isinstance(commands, str):
            commands = [commands]
        timeout = params.get("executionTimeout") or ["3600"]
        try:
            exec_timeout = float(timeout[0] if isinstance(timeout, list) else timeout)
        except ValueError:
            exec_timeout = 3600.0
        plan = shellsim.plan_script("\n".join(commands))
        now = self.now()
        stamp = iso(now)
        for invocation in command.invocations:
            instance_id = invocation["InstanceId"]
            sim = self.instances.get(instance_id)
            deadline = None if plan.duration is None else now + plan.duration
            if sim is not None:
                for load in plan.loads:
                    end = None if load.end is None else now + load.end
                    sim.loads.append([now + load.start, end, load.threads, command.command_id, load.background])
            invocation.update({
                "Status": "InProgress", "StatusDetails": "InProgress", "ResponseCode": -1,
                "ExecutionStartDateTime": stamp, "ExecutionEndDateTime": "", "ExecutionElapsedTime": "PT0S",
                "StandardOutputContent": "", "StandardErrorContent": "",
            })
            self.invocations.append(Invocation(account, region, command, instance_id, plan, now, deadline,
                                               now + exec_timeout))
        command.status = "InProgress"
        command.status_details = "InProgress"
        command.completed_count = 0
        command.error_count = 0
        self._step_invocations(now)

    def cancel_command(self, command, instance_ids: Optional[list]) -> None:
        now = self.now()
        for inv in self.invocations:
            if inv.command is command and inv.status == "InProgress" and (not instance_ids or inv.instance_id in instance_ids):
                self._finish_invocation(inv, now, "Cancelled", "Cancelled", -1, kill_background=True)
        self._update_command(command)

    def _finish_invocation(self, inv: Invocation, when: float, status: str, details: str, code: int,
                           kill_background: bool) -> None:
        inv.status = status
        sim = self.instances.get(inv.instance_id)
        if sim is not None:
            for load in sim.loads:
                if load[3] == inv.command.command_id and (kill_background or not load[4]):
                    if load[1] is None or load[1] > when:
                        load[1] = when
        for record in inv.command.invocations:
            if record["InstanceId"] == inv.instance_id:
                elapsed = max(0.0, when - inv.started)
                record.update({
                    "Status": status, "StatusDetails": details, "ResponseCode": code,
                    "ExecutionEndDateTime": iso(when), "ExecutionElapsedTime": f"PT{elapsed:.3f}S",
                    "StandardOutputContent": inv.plan.stdout if status in ("Success", "Failed") else "",
                    "_end_epoch": when,
                })

    def _update_command(self, command) -> None:
        statuses = [r["Status"] for r in command.invocations]
        done = [s for s in statuses if s not in ("Pending", "InProgress", "Delayed", "Cancelling")]
        command.completed_count = len(done)
        command.error_count = sum(1 for s in statuses if s in ("Failed", "TimedOut"))
        if len(done) < len(statuses):
            command.status = command.status_details = "InProgress"
        elif any(s == "Cancelled" for s in statuses):
            command.status = command.status_details = "Cancelled"
        elif any(s == "TimedOut" for s in statuses):
            command.status, command.status_details = "TimedOut", "TimedOut"
        elif any(s == "Failed" for s in statuses):
            command.status = command.status_details = "Failed"
        else:
            command.status = command.status_details = "Success"

    def _step_invocations(self, now: float) -> None:
        touched = set()
        for inv in self.invocations:
            if inv.status != "InProgress":
                continue
            if inv.deadline is not None and inv.deadline <= inv.timeout_at and now >= inv.deadline:
                ok = inv.plan.exit_code == 0
                self._finish_invocation(inv, inv.deadline, "Success" if ok else "Failed",
                                        "Success" if ok else "Failed", inv.plan.exit_code, kill_background=False)
                touched.add(id(inv.command))
            elif now >= inv.timeout_at and (inv.deadline is None or inv.deadline > inv.timeout_at):
                self._finish_invocation(inv, inv.timeout_at, "TimedOut", "ExecutionTimedOut", -1, kill_background=True)
                touched.add(id(inv.command))
            else:
                instance = self._find_instance(inv.account, inv.region, inv.instance_id)
                if instance is None or instance.state in ("shutting-down", "terminated", "stopping", "stopped"):
                    self._finish_invocation(inv, now, "Failed", "Failed", -1, kill_background=True)
                    touched.add(id(inv.command))
        for inv in self.invocations:
            if id(inv.command) in touched:
                self._update_command(inv.command)
        self.invocations = [inv for inv in self.invocations if inv.status == "InProgress"]

    def _find_instance(self, account, region, instance_id):
        try:
            return self.ec2(account, region).get_instance_by_id(instance_id)
        except Exception:  # noqa: BLE001
            return None

    # ------------------------------------------------------------------ target groups

    def tg_health(self, account, region, tg, instance_id) -> str:
        ec2 = self.ec2(account, region)
        return tg.health_for({"Id": instance_id}, ec2).status

    def register_in_target_groups(self, group, instance_ids: list) -> None:
        if not group.target_group_arns or not instance_ids:
            return
        elbv2 = self.elbv2(group.account_id, group.region)
        for arn in group.target_group_arns:
            tg = elbv2.target_groups.get(arn)
            if tg is None:
                continue
            targets = [{"Id": i, "Port": tg.port} for i in instance_ids if i not in tg.targets]
            if targets:
                tg.register(targets)

    def deregister_from_target_groups(self, group, instance_id: str) -> float:
        """Deregister; returns the connection-draining time (deregistration delay) to wait."""
        drain = 0.0
        elbv2 = self.elbv2(group.account_id, group.region)
        for arn in group.target_group_arns:
            tg = elbv2.target_groups.get(arn)
            if tg is None or instance_id not in tg.targets:
                continue
            tg.deregister([{"Id": instance_id}])
            drain = max(drain, float(tg.attributes.get("deregistration_delay.timeout_seconds", 300)))
        return drain

    # ------------------------------------------------------------------ Auto Scaling groups

    def gsim(self, group) -> GroupSim:
        key = (group.account_id, group.region, group.name)
        gs = self.groups.get(key)
        if gs is None or gs.arn != group.arn:
            gs = GroupSim(group.account_id, group.region, group.name, group.arn)
            self.groups[key] = gs
        return gs

    def note_cause(self, group, cause: str) -> None:
        self.gsim(group).pending_cause = cause

    def add_activity(self, gs: GroupSim, activity: SimActivity) -> SimActivity:
        gs.activities.append(activity)
        return activity

    def activities(self, account, region, group_name: Optional[str], include_deleted: bool) -> list:
        found = []
        for (acct, reg, name), gs in self.groups.items():
            if acct != account or reg != region:
                continue
            if group_name and name != group_name:
                continue
            if gs.deleted and not include_deleted:
                continue
            found.extend(gs.activities)
        order = {id(a): i for i, a in enumerate(found)}
        found.sort(key=lambda a: (a.start_epoch, order[id(a)]), reverse=True)
        return found

    def _step_groups(self, now: float) -> None:
        from moto.autoscaling.models import autoscaling_backends

        for account, region, backend in self._iter(autoscaling_backends):
            for name, group in list(backend.autoscaling_groups.items()):
                self._step_group(backend, group, now)

    def _step_group(self, backend, group, now: float) -> None:
        gs = self.gsim(group)
        ec2 = group.ec2_backend
        suspended = {p["ProcessName"] for p in group.suspended_processes}
        # Pending -> InService; notice instances gone or stopped underneath the group.
        for state in list(group.instance_states):
            instance = state.instance
            sim = self.sim_for(instance)
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
                        self.register_in_target_groups(group, [iid])
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
                    if now >= sim.in_service_at + grace and self._elb_unhealthy(group, iid):
                        state.health_status = "Unhealthy"
                        if "ReplaceUnhealthy" not in suspended:
                            self._replace(group, gs, state, now, "an ELB system health check failure")
        # Terminations: draining -> shutting down -> gone.
        for iid, record in list(gs.terminating.items()):
            if now < record["until"]:
                continue
            state = next((s for s in group.instance_states if s.instance.id == iid), None)
            if record["phase"] == "draining":
                instance = state.instance if state else None
                if instance is not None and instance.state not in ("shutting-down", "terminated"):
                    ec2.terminate_instances([iid])
                record["phase"] = "shutting-down"
                record["until"] = max(now, record["until"]) + self.delays.instance_shutdown_s
                record["activity"].progress = 50
                continue
            if state is not None:
                group.instance_states.remove(state)
            record["activity"].finish(record["until"])
            del gs.terminating[iid]
        self._step_refresh(group, gs, now)
        if not gs.deleting:
            self.reconcile(group, gs, now, suspended)
        elif not group.instance_states:
            self._forget_group(backend, group, gs)

    def _elb_unhealthy(self, group, instance_id: str) -> bool:
        if not group.target_group_arns:
            return False
        elbv2 = self.elbv2(group.account_id, group.region)
        for arn in group.target_group_arns:
            tg = elbv2.target_groups.get(arn)
            if tg is not None and instance_id in tg.targets:
                if self.tg_health(group.account_id, group.region, tg, instance_id) == "unhealthy":
                    return True
        return False

    def _replace(self, group, gs: GroupSim, state, now: float, reason: str) -> None:
        cause = f"At {at(now)} an instance was taken out of service in response to {reason}."
        self.begin_termination(group, gs, state, now, cause)

    def begin_termination(self, group, gs: GroupSim, state, now: float, cause: str) -> SimActivity:
        iid = state.instance.id
        state.lifecycle_state = "Terminating"
        activity = self.add_activity(gs, SimActivity(group, f"Terminating EC2 instance: {iid}", cause, now,
                                                     "InProgress", 0, self._details(state.instance)))
        gs.launching.pop(iid, None)
        drain = self.deregister_from_target_groups(group, iid)
        if state.instance.state in ("shutting-down", "terminated"):
            drain = 0.0
        if drain:
            activity.status_code = "WaitingForELBConnectionDraining"
        gs.terminating[iid] = {"activity": activity, "phase": "draining", "until": now + drain}
        return activity

    @staticmethod
    def _details(instance) -> dict:
        return {"Subnet ID": instance.subnet_id, "Availability Zone": instance.placement.zone}

    def live_states(self, group) -> list:
        gs = self.gsim(group)
        return [s for s in group.instance_states if s.lifecycle_state in LIVE_STATES and s.instance.id not in gs.terminating]

    def reconcile(self, group, gs: Optional[GroupSim] = None, now: Optional[float] = None,
                  suspended: Optional[set] = None) -> None:
        gs = gs or self.gsim(group)
        now = self.now() if now is None else now
        suspended = suspended if suspended is not None else {p["ProcessName"] for p in group.suspended_processes}
        live = self.live_states(group)
        desired = int(group.desired_capacity or 0)
        prefix = gs.pending_cause
        if len(live) < desired and "Launch" not in suspended:
            gs.pending_cause = None
            self._launch(group, gs, desired - len(live), len(live), now, prefix)
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
        current = self._current_version(group)
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
                                     self.sim_for(s.instance).version == current,
                                     self.sim_for(s.instance).launched_at))
            victim = pool[0]
            chosen.append(victim)
            candidates.remove(victim)
        return chosen

    def _current_version(self, group) -> Optional[str]:
        lt = group.ec2_launch_template
        if lt is None:
            return None
        return str(lt.get_version(group.launch_template_version).number)

    def _zones(self, group) -> list:
        """[(zone, [subnet ids])] in the group's order."""
        ec2 = group.ec2_backend
        zones: dict = {}
        if group.vpc_zone_identifier:
            for subnet_id in [s.strip() for s in group.vpc_zone_identifier.split(",") if s.strip()]:
                subnet = ec2.get_subnet(subnet_id)
                zones.setdefault(subnet.availability_zone, []).append(subnet_id)
        else:
            for zone in group.availability_zones:
                zones.setdefault(zone, [])
        return list(zones.items())

    def _launch(self, group, gs: GroupSim, count: int, start_n: int, now: float, prefix: Optional[str],
                reason: Optional[str] = None, template: Optional[dict] = None) -> int:
        from moto.core.exceptions import ServiceException

        target_n = start_n + count
        zones = self._zones(group)
        launched = 0
        for _ in range(count):
            tried: set = set()
            while True:
                choice = self._choose_zone(group, gs, zones, tried, now)
                if choice is None:
                    return launched
                zone, subnets = choice
                tried.add(zone)
                subnet_id = self._choose_subnet(group, subnets)
                sentence = reason or (f"At {at(now)} an instance was started in response to a difference between desired "
                                      f"and actual capacity, increasing the capacity from {start_n} to {target_n}.")
                cause = f"{prefix}  {sentence}" if prefix else sentence
                try:
                    instance = self._run_one(group, zone, subnet_id, template)
                except ServiceException as err:
                    message = f"{err.message} Launching EC2 instance failed."
                    activity = self.add_activity(gs, SimActivity(
                        group, f"Launching a new EC2 instance.  Status Reason: {message}", cause, now, "Failed", 100,
                        {"Subnet ID": subnet_id, "Availability Zone": zone}))
                    activity.finish(now, "Failed", message)
                    gs.zone_backoff[zone] = now + self.delays.zone_retry_s
                    continue
                from moto.autoscaling.models import InstanceState as AsgInstanceState

                instance.autoscaling_group = group
                state = AsgInstanceState(instance, lifecycle_state="Pending",
                                         protected_from_scale_in=group.new_instances_protected_from_scale_in,
                                         autoscaling_group=group)
                group.instance_states.append(state)
                activity = self.add_activity(gs, SimActivity(
                    group, f"Launching a new EC2 instance: {instance.id}", cause, now, "PreInService", 30,
                    self._details(instance)))
                gs.launching[instance.id] = activity
                launched += 1
                break
        return launched

    def _choose_zone(self, group, gs: GroupSim, zones: list, tried: set, now: float):
        counts: dict = {}
        for state in self.live_states(group):
            zone = state.instance.placement.zone
            counts[zone] = counts.get(zone, 0) + 1
        candidates = [(zone, subnets) for zone, subnets in zones
                      if zone not in tried and gs.zone_backoff.get(zone, 0) <= now]
        if not candidates:
            return None
        order = {zone: index for index, (zone, _) in enumerate(zones)}
        return min(candidates, key=lambda item: (counts.get(item[0], 0), order[item[0]]))

    def _choose_subnet(self, group, subnets: list) -> Optional[str]:
        if not subnets:
            return None
        counts = {s: 0 for s in subnets}
        for state in self.live_states(group):
            if state.instance.subnet_id in counts:
                counts[state.instance.subnet_id] += 1
        return min(subnets, key=lambda s: (counts[s], subnets.index(s)))

    def _run_one(self, group, zone: str, subnet_id: Optional[str], template_override: Optional[dict] = None):
        ec2 = group.ec2_backend
        tags = group.get_propagated_tags()
        tags["aws:autoscaling:groupName"] = group.name
        kwargs = dict(instance_type=None, is_instance_type_default=False, placement=zone, region_name=group.region,
                      tags={"instance": tags}, associate_public_ip=None)
        lt = group.ec2_launch_template
        version_spec = group.launch_template_version
        if template_override:
            lt_id = template_override.get("LaunchTemplateId")
            lt_name = template_override.get("LaunchTemplateName")
            lt = ec2.get_launch_template(lt_id) if lt_id else ec2.get_launch_template_by_name(lt_name)
            version_spec = template_override.get("Version") or "$Default"
        if lt is not None:
            version = lt.get_version(version_spec)
            data = version.data
            image_id = version.image_id
            kwargs["instance_type"] = version.instance_type or "m1.small"
            user_data = version.user_data
            kwargs["launch_template"] = {"LaunchTemplateId": lt.id, "Version": str(version.number)}
            nics = copy.deepcopy(data.get("NetworkInterfaces") or [])
            if nics:
                primary = next((n for n in nics if int(n.get("DeviceIndex", 0)) == 0), None)
                if primary is not None and subnet_id:
                    primary["SubnetId"] = subnet_id
                kwargs["nics"] = nics
                if not primary or "SubnetId" not in primary:
                    kwargs["subnet_id"] = subnet_id
            else:
                kwargs["subnet_id"] = subnet_id
            security_groups = list(data.get("SecurityGroups") or [])
            version_number = str(version.number)
        else:
            lc = group.launch_config
            image_id = lc.image_id
            kwargs["instance_type"] = lc.instance_type
            user_data = lc.user_data
            kwargs["subnet_id"] = subnet_id
            kwargs["launch_config"] = lc
            kwargs["associate_public_ip"] = lc.associate_public_ip_address
            if lc.block_device_mapping_dict:
                kwargs["block_device_mappings"] = lc.block_device_mapping_dict
            if lc.instance_monitoring_enabled:
                kwargs["monitoring_state"] = "enabled"
            if lc.metadata_options:
                kwargs["metadata_options"] = lc.metadata_options
            security_groups = list(lc.security_groups)
            version_number = None
        if not kwargs.get("subnet_id"):
            kwargs.pop("subnet_id", None)
        reservation = ec2.run_instances(image_id, 1, user_data, security_groups, **kwargs)
        instance = reservation.instances[0]
        self.sim_for(instance).version = version_number
        return instance

    def _forget_group(self, backend, group, gs: GroupSim) -> None:
        backend.autoscaling_groups.pop(group.name, None)
        gs.deleted = True

    # ------------------------------------------------------------------ instance refresh

    def start_refresh(self, group, preferences: dict, desired_configuration: Optional[dict], strategy: str) -> InstanceRefresh:
        from moto.autoscaling.exceptions import AutoscalingClientError

        gs = self.gsim(group)
        if any(r.active for r in gs.refreshes):
            raise AutoscalingClientError("InstanceRefreshInProgress",
                                   "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.")
        now = self.now()
        live = self.live_states(group)
        skip_matching = bool(preferences.get("SkipMatching"))
        target_version = self._desired_version(group, desired_configuration)
        to_update = []
        for state in live:
            if state.protected_from_scale_in and preferences.get("ScaleInProtectedInstances", "Ignore") == "Ignore":
                continue
            if skip_matching and self.sim_for(state.instance).version == target_version:
                continue
            to_update.append(state.instance.id)
        refresh = InstanceRefresh(group, preferences, desired_configuration, strategy, now, to_update)
        gs.refreshes.append(refresh)
        return refresh

    def _desired_version(self, group, desired_configuration: Optional[dict]) -> Optional[str]:
        spec = (desired_configuration or {}).get("LaunchTemplate")
        ec2 = group.ec2_backend
        if spec:
            lt = ec2.get_launch_template(spec["LaunchTemplateId"]) if spec.get("LaunchTemplateId") else \
                ec2.get_launch_template_by_name(spec["LaunchTemplateName"])
            return str(lt.get_version(spec.get("Version") or "$Default").number)
        return self._current_version(group)

    def cancel_refresh(self, group) -> InstanceRefresh:
        from moto.autoscaling.exceptions import AutoscalingClientError

        gs = self.gsim(group)
        active = [r for r in gs.refreshes if r.active]
        if not active:
            raise AutoscalingClientError("ActiveInstanceRefreshNotFound",
                                   f"No in progress or pending Instance Refresh found for Auto Scaling group {group.name}")
        refresh = active[-1]
        refresh.status = "Cancelling"
        return refresh

    def _refresh_warmup(self, group, refresh: InstanceRefresh) -> float:
        pref = refresh.preferences.get("InstanceWarmup")
        if pref is not None:
            return float(pref)
        if getattr(group, "default_instance_warmup", None) is not None:
            return float(group.default_instance_warmup)
        return float(group.health_check_grace_period or 0)

    def _ready_after_refresh(self, group, iid: str, now: float, warmup: float) -> bool:
        state = next((s for s in group.instance_states if s.instance.id == iid), None)
        if state is None or state.lifecycle_state != "InService":
            return False
        sim = self.sim_for(state.instance)
        if sim.in_service_at is None or now < sim.in_service_at + warmup:
            return False
        if group.target_group_arns and group.health_check_type == "ELB":
            elbv2 = self.elbv2(group.account_id, group.region)
            for arn in group.target_group_arns:
                tg = elbv2.target_groups.get(arn)
                if tg is not None and self.tg_health(group.account_id, group.region, tg, iid) != "healthy":
                    return False
        return True

    def _step_refresh(self, group, gs: GroupSim, now: float) -> None:
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
        warmup = self._refresh_warmup(group, refresh)
        # The current batch: wait for its replacements to be InService, warmed up and healthy.
        if refresh.in_flight:
            waiting = [i for i in refresh.in_flight if not self._ready_after_refresh(group, i, now, warmup)]
            if waiting:
                if now - refresh.last_progress > self.delays.refresh_stall_s:
                    refresh.status = "Failed"
                    refresh.status_reason = (f"The instance refresh made no progress for {int(self.delays.refresh_stall_s)} "
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
        desired = int(group.desired_capacity or 0)
        min_healthy = float(refresh.preferences.get("MinHealthyPercentage", 90))
        max_healthy = float(refresh.preferences.get("MaxHealthyPercentage", 100))
        if max_healthy > 100:
            batch = max(1, math.floor(desired * (max_healthy - 100) / 100))
        else:
            batch = max(1, math.floor(desired * (100 - min_healthy) / 100))
        batch_ids = remaining[:batch]
        live = self.live_states(group)
        start_n = len(live)
        launched_before = {s.instance.id for s in group.instance_states}
        spec = (refresh.desired_configuration or {}).get("LaunchTemplate")
        if max_healthy > 100:
            # Launch before terminating: new capacity first, then take the old ones out.
            self._launch_for_refresh(group, gs, len(batch_ids), start_n, now, spec)
        for iid in batch_ids:
            state = next(s for s in group.instance_states if s.instance.id == iid)
            cause = (f"At {at(now)} an instance was taken out of service in response to an instance refresh.  "
                     f"At {at(now)} instance {iid} was selected for termination.")
            self.begin_termination(group, gs, state, now, cause)
        if max_healthy <= 100:
            self._launch_for_refresh(group, gs, len(batch_ids), start_n - len(batch_ids), now, spec)
        new_ids = [s.instance.id for s in group.instance_states if s.instance.id not in launched_before]
        refresh.in_flight = new_ids
        refresh.batch_replaced = len(batch_ids)
        refresh.to_update = [i for i in remaining if i not in batch_ids]
        refresh.last_progress = now

    def _launch_for_refresh(self, group, gs: GroupSim, count: int, start_n: int, now: float, spec) -> None:
        reason = f"At {at(now)} an instance was launched in response to an instance refresh."
        self._launch(group, gs, count, start_n, now, None, reason=reason, template=spec)

    # ------------------------------------------------------------------ metrics and alarms

    def group_period(self, group) -> int:
        """60 s when the group's instances use detailed monitoring, else 300 s (basic monitoring)."""
        lt = group.ec2_launch_template
        if lt is not None:
            data = lt.get_version(group.launch_template_version).data
            enabled = (data.get("Monitoring") or {}).get("Enabled")
            return 60 if str(enabled).lower() == "true" else 300
        if group.launch_config is not None:
            return 60 if group.launch_config.instance_monitoring_enabled else 300
        return 300

    def warmup_of(self, backend, group) -> int:
        policy_warmup = None
        for policy in backend.policies.values():
            if policy.auto_scaling_group_name == group.name and policy.policy_type == "TargetTrackingScaling":
                if policy.estimated_instance_warmup is not None:
                    policy_warmup = int(policy.estimated_instance_warmup)
                    break
        return tt.effective_warmup(policy_warmup, getattr(group, "default_instance_warmup", None), group.default_cooldown)

    def _cpu(self, instance, sim: InstanceSim, t0: float, t1: float) -> Optional[float]:
        running_until = sim.stopped_at
        loads = [(l[0], l[1], l[2]) for l in sim.loads]
        return model.cpu_average(t0, t1, sim.running_at, running_until, loads, sim.vcpus,
                                 model.idle_cpu(instance.id, t0), self.delays.startup_seconds, self.delays.startup_cpu)

    def _step_minutes(self, now: float) -> None:
        if now - self.next_minute > 3600:
            self.next_minute = math.floor(now / 60.0) * 60.0 - 60 * 30  # long pause: catch up 30 minutes only
        while self.next_minute <= now:
            boundary = self.next_minute
            self._publish(boundary)
            self._evaluate_policies(boundary)
            self.next_minute += 60.0
            if int(boundary) % 3600 == 0:
                self._prune(boundary)

    def _put(self, cw, namespace: str, name: str, value: float, dimensions: list, stamp: float, unit: str) -> None:
        from moto.cloudwatch.models import MetricDatum

        cw.metric_data.append(MetricDatum(namespace, name, float(value), dimensions, to_dt(stamp), unit))

    def _publish(self, boundary: float) -> None:
        from moto.autoscaling.models import autoscaling_backends
        from moto.ec2.models import ec2_backends

        for account, region, ec2 in self._iter(ec2_backends):
            cw = None
            for instance in ec2.all_instances():
                sim = self.instances.get(instance.id)
                if sim is None:
                    continue
                detailed = instance.monitoring_state.lower() == "enabled"
                period = 60 if detailed else 300
                if int(boundary) % period:
                    continue
                value = self._cpu(instance, sim, boundary - period, boundary)
                if value is None:
                    continue
                cw = cw or self.cloudwatch(account, region)
                self._put(cw, "AWS/EC2", "CPUUtilization", value, [{"Name": "InstanceId", "Value": instance.id}],
                          boundary - period, "Percent")
        for account, region, backend in self._iter(autoscaling_backends):
            cw = self.cloudwatch(account, region)
            for group in list(backend.autoscaling_groups.values()):
                gs = self.gsim(group)
                period = self.group_period(group)
                if int(boundary) % period == 0:
                    start = boundary - period
                    warmup = self.warmup_of(backend, group)
                    values = []
                    for state in group.instance_states:
                        sim = self.instances.get(state.instance.id)
                        if sim is None or sim.in_service_at is None or state.lifecycle_state not in ("InService", "Terminating"):
                            continue
                        if sim.in_service_at + warmup > start:
                            continue  # still warming up during this period: not aggregated
                        value = self._cpu(state.instance, sim, start, boundary)
                        if value is not None:
                            values.append(value)
                    if values:
                        aggregate = round(sum(values) / len(values), 3)
                        gs.series[start] = aggregate
                        self._put(cw, "AWS/EC2", "CPUUtilization", aggregate,
                                  [{"Name": "AutoScalingGroupName", "Value": group.name}], start, "Percent")
                if group.metrics:
                    self._publish_group_metrics(cw, group, gs, boundary)

    def _publish_group_metrics(self, cw, group, gs: GroupSim, boundary: float) -> None:
        states = group.instance_states
        terminating = {i for i in gs.terminating}
        counts = {
            "GroupMinSize": group.min_size or 0,
            "GroupMaxSize": group.max_size or 0,
            "GroupDesiredCapacity": group.desired_capacity or 0,
            "GroupInServiceInstances": sum(1 for s in states if s.lifecycle_state == "InService" and s.instance.id not in terminating),
            "GroupPendingInstances": sum(1 for s in states if s.lifecycle_state.startswith("Pending")),
            "GroupStandbyInstances": sum(1 for s in states if s.lifecycle_state.startswith("Standby")),
            "GroupTerminatingInstances": sum(1 for s in states if s.instance.id in terminating),
            "GroupTotalInstances": len(states),
        }
        for name in ("InService", "Pending", "Standby", "Terminating", "Total"):
            counts[f"Group{name}Capacity"] = counts[f"Group{name}Instances"]
        for metric in group.metrics:
            if metric in counts:
                self._put(cw, "AWS/AutoScaling", metric, counts[metric],
                          [{"Name": "AutoScalingGroupName", "Value": group.name}], boundary - 60, "None")

    def _prune(self, now: float) -> None:
        """CloudWatch keeps 1-minute data for 15 days."""
        from moto.cloudwatch.models import cloudwatch_backends

        horizon = to_dt(now - 15 * 86400)
        for _, _, cw in self._iter(cloudwatch_backends):
            cw.metric_data = [d for d in cw.metric_data if d.timestamp >= horizon]
        for gs in self.groups.values():
            for key in [k for k in gs.series if k < now - 86400]:
                del gs.series[key]

    # ------------------------------------------------------------------ target tracking

    def policy_alarm_names(self, policy) -> tuple:
        return policy.sandbox_alarm_names

    def ensure_alarms(self, backend, policy) -> None:
        """Create or update the two alarms of a target-tracking policy, as AWS names them."""
        config = policy.target_tracking_configuration
        if config is None:
            return
        target = float(getattr(config, "TargetValue", 0) or 0)
        high_t, low_t = tt.alarm_thresholds(target)
        group = backend.autoscaling_groups.get(policy.auto_scaling_group_name)
        period = self.group_period(group) if group is not None else 60
        predefined = getattr(config, "PredefinedMetricSpecification", None) or {}
        metric_type = predefined.get("PredefinedMetricType", "ASGAverageCPUUtilization")
        metric = {
            "ASGAverageCPUUtilization": ("AWS/EC2", "CPUUtilization", "Average"),
            "ASGAverageNetworkIn": ("AWS/EC2", "NetworkIn", "Average"),
            "ASGAverageNetworkOut": ("AWS/EC2", "NetworkOut", "Average"),
            "ALBRequestCountPerTarget": ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
        }.get(metric_type, ("AWS/EC2", "CPUUtilization", "Average"))
        cw = self.cloudwatch(backend.account_id, backend.region_name)
        names = getattr(policy, "sandbox_alarm_names", None)
        if not names:
            group_name = policy.auto_scaling_group_name
            names = (f"TargetTracking-{group_name}-AlarmHigh-{uuid.uuid4()}",
                     f"TargetTracking-{group_name}-AlarmLow-{uuid.uuid4()}")
            policy.sandbox_alarm_names = names
        description = f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy.arn}."
        dimensions = [{"Name": "AutoScalingGroupName", "Value": policy.auto_scaling_group_name}]
        specs = [(names[0], "GreaterThanThreshold", tt.HIGH_EVALUATION_PERIODS, high_t)]
        if str(getattr(config, "DisableScaleIn", False)).lower() == "true":
            cw.delete_alarms([names[1]])  # AWS keeps no AlarmLow when scale-in is disabled
        else:
            specs.append((names[1], "LessThanThreshold", tt.LOW_EVALUATION_PERIODS, low_t))
        for name, operator, periods, threshold in specs:
            existing = cw.alarms.get(name)
            if existing is not None and existing.threshold == threshold and existing.period == period:
                continue
            alarm = cw.put_metric_alarm(
                name=name, namespace=metric[0], metric_name=metric[1], comparison_operator=operator,
                evaluation_periods=periods, period=period, threshold=threshold, statistic=metric[2],
                description=description, dimensions=dimensions, alarm_actions=[policy.arn],
                datapoints_to_alarm=periods,
            )
            if existing is None:
                alarm.state_value = tt.INSUFFICIENT_DATA
                alarm.state_reason = "Unchecked: Initial alarm creation"
            else:
                alarm.state_value = existing.state_value
                alarm.state_reason = existing.state_reason
                alarm.state_reason_data = existing.state_reason_data
                alarm.state_updated_timestamp = existing.state_updated_timestamp
        policy.alarms = [{"AlarmName": n, "AlarmARN": cw.alarms[n].alarm_arn} for n in names if n in cw.alarms]

    def delete_alarms(self, backend, policy) -> None:
        names = getattr(policy, "sandbox_alarm_names", None)
        if names:
            self.cloudwatch(backend.account_id, backend.region_name).delete_alarms(list(names))

    def record_history(self, account: str, region: str, alarm_name: str, item_type: str, summary: str,
                       data: dict, when: Optional[float] = None) -> None:
        items = self.alarm_history.setdefault((account, region), [])
        items.append({
            "AlarmName": alarm_name, "AlarmType": "MetricAlarm",
            "Timestamp": to_dt(when if when is not None else (self.history_time or self.now())),
            "HistoryItemType": item_type, "HistorySummary": summary,
            "HistoryData": json.dumps(data, separators=(",", ":")),
        })
        del items[:-10000]

    def _set_alarm_state(self, cw, alarm, state: str, reason: str, reason_data: dict, when: float) -> None:
        if alarm.state_value == state:
            return
        self.history_time = when
        try:
            alarm.update_state(reason, json.dumps(reason_data, separators=(",", ":")), state)
        finally:
            self.history_time = None
        alarm.state_updated_timestamp = to_dt(when)

    def _reason(self, values: list, starts: list, threshold: float, operator: str, state: str, count: int) -> str:
        word = "greater than" if operator == "GreaterThanThreshold" else "less than"
        points = [(v, s) for v, s in zip(values, starts) if v is not None]
        if state == tt.INSUFFICIENT_DATA:
            missing = len(values) - len(points)
            return (f"Insufficient Data: {missing} datapoint{'s' if missing != 1 else ''} "
                    f"{'were' if missing != 1 else 'was'} unknown.")
        if state == tt.ALARM:
            shown = ", ".join(f"{v:g} ({to_dt(s):%d/%m/%y %H:%M:%S})" for v, s in reversed(points[-count:]))
            n = len(points[-count:])
            return (f"Threshold Crossed: {n} datapoint{'s' if n != 1 else ''} [{shown}] "
                    f"{'were' if n != 1 else 'was'} {word} the threshold ({threshold:g}).")
        breaching = (lambda v: v > threshold) if operator == "GreaterThanThreshold" else (lambda v: v < threshold)
        calm = [(v, s) for v, s in points if not breaching(v)]
        value, start = calm[-1] if calm else points[-1]
        return (f"Threshold Crossed: 1 datapoint [{value:g} ({to_dt(start):%d/%m/%y %H:%M:%S})] "
                f"was not {word} the threshold ({threshold:g}).")

    def _evaluate_policies(self, boundary: float) -> None:
        from moto.autoscaling.models import autoscaling_backends

        for account, region, backend in self._iter(autoscaling_backends):
            cw = self.cloudwatch(account, region)
            for group in list(backend.autoscaling_groups.values()):
                period = self.group_period(group)
                if int(boundary) % period:
                    continue
                policies = [p for p in backend.policies.values()
                            if p.auto_scaling_group_name == group.name and p.policy_type == "TargetTrackingScaling"]
                if not policies:
                    continue
                self._evaluate_group(backend, cw, group, policies, period, boundary)

    def _evaluate_group(self, backend, cw, group, policies: list, period: int, boundary: float) -> None:
        gs = self.gsim(group)
        warmup = self.warmup_of(backend, group)
        live = self.live_states(group)
        latest_start = boundary - period
        ready = 0
        for state in live:
            sim = self.instances.get(state.instance.id)
            if state.lifecycle_state == "InService" and sim and sim.in_service_at is not None \
                    and sim.in_service_at + warmup <= latest_start:
                ready += 1
        view = tt.GroupView(min_size=int(group.min_size or 0), max_size=int(group.max_size or 0),
                            desired=int(group.desired_capacity or 0), ready=ready, warming=len(live) - ready)
        decisions = []
        for policy in policies:
            self.ensure_alarms(backend, policy)
            names = policy.sandbox_alarm_names
            config = policy.target_tracking_configuration
            target = float(getattr(config, "TargetValue", 0) or 0)
            if target <= 0:
                continue
            high_t, low_t = tt.alarm_thresholds(target)
            high_starts = [boundary - period * (tt.HIGH_EVALUATION_PERIODS - i) for i in range(tt.HIGH_EVALUATION_PERIODS)]
            low_starts = [boundary - period * (tt.LOW_EVALUATION_PERIODS - i) for i in range(tt.LOW_EVALUATION_PERIODS)]
            high_values = [gs.series.get(s) for s in high_starts]
            low_values = [gs.series.get(s) for s in low_starts]
            states = {}
            for name, values, starts, threshold, operator, periods in (
                    (names[0], high_values, high_starts, high_t, "GreaterThanThreshold", tt.HIGH_EVALUATION_PERIODS),
                    (names[1], low_values, low_starts, low_t, "LessThanThreshold", tt.LOW_EVALUATION_PERIODS)):
                alarm = cw.alarms.get(name)
                if alarm is None:
                    states[name] = tt.INSUFFICIENT_DATA
                    continue
                state = tt.evaluate_alarm(values, threshold, operator, periods)
                states[name] = state
                reason = self._reason(values, starts, threshold, operator, state, periods)
                reason_data = {
                    "version": "1.0", "queryDate": iso(boundary).replace("Z", "+0000"),
                    "startDate": iso(starts[0]).replace("Z", "+0000"), "statistic": "Average", "period": period,
                    "recentDatapoints": [v for v in values if v is not None], "threshold": threshold,
                    "evaluatedDatapoints": [{"timestamp": iso(s).replace("Z", "+0000"), "value": v}
                                            for v, s in zip(values, starts) if v is not None][::-1],
                }
                self._set_alarm_state(cw, alarm, state, reason, reason_data, boundary)
            if "AlarmNotification" in {p["ProcessName"] for p in group.suspended_processes}:
                continue
            disable_in = str(getattr(config, "DisableScaleIn", False)).lower() == "true"
            decision = tt.decide(view, target, states[names[0]], states.get(names[1], tt.INSUFFICIENT_DATA),
                                 high_values, low_values, disable_in)
            decisions.append((policy, decision))
        outs = [(p, d) for p, d in decisions if d.direction == "out"]
        ins = [(p, d) for p, d in decisions if d.direction == "in"]
        chosen = None
        if outs:
            chosen = max(outs, key=lambda pd: pd[1].desired)
        elif ins and len(ins) == len(decisions):
            chosen = max(ins, key=lambda pd: pd[1].desired)
        if chosen is None:
            return
        policy, decision = chosen
        alarm_name = policy.sandbox_alarm_names[0 if decision.alarm == "high" else 1]
        old = int(group.desired_capacity or 0)
        group.desired_capacity = decision.desired
        gs.pending_cause = (f"At {at(boundary)} a monitor alarm {alarm_name} in state ALARM triggered policy "
                            f"{policy.name} changing the desired capacity from {old} to {decision.desired}.")
        self.record_history(backend.account_id, backend.region_name, alarm_name, "Action",
                            f"Successfully executed action {policy.arn}",
                            {"actionState": "Succeeded", "stateUpdateTimestamp": int(boundary * 1000),
                             "notificationResource": policy.arn, "stateUpdateTimestamp_readable": iso(boundary),
                             "error": None}, boundary)
        self.reconcile(group, gs, boundary)

    # ------------------------------------------------------------------ introspection

    def describe(self) -> dict:
        with self.lock:
            return {
                "delays": self.delays.as_dict(),
                "instances": len(self.instances),
                "groups": sorted(name for (_, _, name), gs in self.groups.items() if not gs.deleted),
                "running_commands": len(self.invocations),
                "pending_images": len(self.images),
                "next_minute": iso(self.next_minute),
                "recent_errors": list(self.errors[-5:]),
            }
