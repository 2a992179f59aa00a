"""Run Command (``AWS-RunShellScript``) on the simulated clock: each invocation's script is read by
shellsim.py, its loads run on the instance (they make its CPU), and it ends ``Success``/``Failed``
(the script's exit status), ``TimedOut`` (executionTimeout), ``Cancelled`` (CancelCommand) or
``Failed`` when the instance goes away.

Cancelling and the execution timeout kill the script's process group, as the SSM agent does
(amazon-ssm-agent ``agent/executers/executers_unix.go``: the shell is made a process group leader,
``Setpgid``, and killed with ``kill(-pid, SIGKILL)``): a load in a process group of its own
(GNU ``timeout`` without ``--foreground``, ``setsid``) survives and keeps its CPU until its own bound
(switch ``ssm_kill_process_group_only``). ``outlived`` lists those loads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ... import shellsim
from ...core.clock import iso


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


class RunCommand:
    def __init__(self, engine):
        self.engine = engine
        self.invocations: list[Invocation] = []

    def start(self, account: str, region: str, command) -> None:
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
        now = self.engine.now()
        stamp = iso(now)
        for invocation in command.invocations:
            instance_id = invocation["InstanceId"]
            sim = self.engine.instances.get(instance_id)
            deadline = None if plan.duration is None else now + plan.duration
            if sim is not None:
                for load in plan.loads:
                    end = None if load.end is None else now + load.end
                    sim.loads.append([now + load.start, end, load.threads, command.command_id, load.background,
                                      load.own_group])
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
        self.step(now)

    def cancel(self, command, instance_ids: Optional[list]) -> None:
        now = self.engine.now()
        for inv in self.invocations:
            if inv.command is command and inv.status == "InProgress" and (not instance_ids or inv.instance_id in instance_ids):
                self._finish(inv, now, "Cancelled", "Cancelled", -1, kill_background=True, group_kill=True)
        self._update_command(command)

    def _finish(self, inv: Invocation, when: float, status: str, details: str, code: int, kill_background: bool,
                group_kill: bool = False) -> None:
        """End an invocation. ``group_kill``: the agent kills the script's process group (cancel,
        execution timeout): loads in a group of their own outlive it."""
        inv.status = status
        sim = self.engine.instances.get(inv.instance_id)
        spare_own_groups = group_kill and self.engine.delays.ssm_kill_process_group_only
        if sim is not None:
            for load in sim.loads:
                if load[3] == inv.command.command_id and (kill_background or not load[4]):
                    if spare_own_groups and load[5]:
                        continue
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

    @staticmethod
    def _update_command(command) -> None:
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

    def step(self, now: float) -> None:
        touched = set()
        for inv in self.invocations:
            if inv.status != "InProgress":
                continue
            if inv.deadline is not None and inv.deadline <= inv.timeout_at and now >= inv.deadline:
                ok = inv.plan.exit_code == 0
                self._finish(inv, inv.deadline, "Success" if ok else "Failed",
                             "Success" if ok else "Failed", inv.plan.exit_code, kill_background=False)
                touched.add(id(inv.command))
            elif now >= inv.timeout_at and (inv.deadline is None or inv.deadline > inv.timeout_at):
                self._finish(inv, inv.timeout_at, "TimedOut", "ExecutionTimedOut", -1, kill_background=True,
                             group_kill=True)
                touched.add(id(inv.command))
            else:
                instance = self.engine.instances.find(inv.account, inv.region, inv.instance_id)
                if instance is None or instance.state in ("shutting-down", "terminated", "stopping", "stopped"):
                    self._finish(inv, now, "Failed", "Failed", -1, kill_background=True)
                    touched.add(id(inv.command))
        for inv in self.invocations:
            if id(inv.command) in touched:
                self._update_command(inv.command)
        self.invocations = [inv for inv in self.invocations if inv.status == "InProgress"]

    def outlived(self, now: Optional[float] = None) -> list:
        """Loads still burning CPU whose command has ended: [{instance_id, command_id, until}]."""
        now = self.engine.now() if now is None else now
        ended = {}
        for sim in self.engine.instances.records.values():
            for load in sim.loads:
                if load[0] <= now and (load[1] is None or load[1] > now):
                    ended.setdefault((sim.instance_id, load[3]), load[1])
        running = {(inv.instance_id, inv.command.command_id) for inv in self.invocations if inv.status == "InProgress"}
        return [{"instance_id": i, "command_id": c, "until": None if end is None else iso(end)}
                for (i, c), end in sorted(ended.items()) if (i, c) not in running]

    def describe(self) -> dict:
        return {"running_commands": len(self.invocations), "outlived_loads": self.outlived()}
