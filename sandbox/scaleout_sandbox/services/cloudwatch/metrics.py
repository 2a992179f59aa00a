"""Metrics CloudWatch receives, published at each simulated minute boundary: ``AWS/EC2
CPUUtilization`` of every running instance (every minute with detailed monitoring, every five with
basic; cpu.py), its aggregate by ``AutoScalingGroupName`` (InService instances past their warmup),
and the ``AWS/AutoScaling`` group metrics enabled by EnableMetricsCollection."""

from __future__ import annotations

from typing import Optional

from ...core.backends import cloudwatch_backend, each_backend
from ...core.records import InstanceSim
from ...core.timestamps import to_dt
from ..autoscaling.groups import GroupSim, group_period
from ..autoscaling.policies import warmup_of
from ..ec2 import cpu


class Metrics:
    def __init__(self, engine):
        self.engine = engine

    def cpu_of(self, instance, sim: InstanceSim, t0: float, t1: float) -> Optional[float]:
        """What CloudWatch shows: the CPU the loads ask for, as far as CPU credits allow it."""
        return self.engine.credits.capped(instance.id, t0, t1, self.raw_cpu(instance, sim, t0, t1))

    def raw_cpu(self, instance, sim: InstanceSim, t0: float, t1: float) -> Optional[float]:
        running_until = sim.stopped_at
        loads = [(load[0], load[1], load[2]) for load in sim.loads]
        delays = self.engine.delays
        return cpu.cpu_average(t0, t1, sim.running_at, running_until, loads, sim.vcpus,
                               cpu.idle_cpu(instance.id, t0), delays.startup_seconds, delays.startup_cpu)

    @staticmethod
    def put(cw, namespace: str, name: str, value: float, dimensions: list, stamp: float, unit: str) -> None:
        from moto.cloudwatch.models import MetricDatum

        cw.metric_data.append(MetricDatum(namespace, name, float(value), dimensions, to_dt(stamp), unit))

    def publish(self, boundary: float) -> None:
        from moto.autoscaling.models import autoscaling_backends
        from moto.ec2.models import ec2_backends

        instances = self.engine.instances
        for account, region, ec2 in each_backend(ec2_backends):
            cw = None
            for instance in ec2.all_instances():
                sim = instances.get(instance.id)
                if sim is None:
                    continue
                detailed = instance.monitoring_state.lower() == "enabled"
                period = 60 if detailed else 300
                if int(boundary) % period:
                    continue
                value = self.cpu_of(instance, sim, boundary - period, boundary)
                if value is None:
                    continue
                cw = cw or cloudwatch_backend(account, region)
                self.put(cw, "AWS/EC2", "CPUUtilization", value, [{"Name": "InstanceId", "Value": instance.id}],
                         boundary - period, "Percent")
                self._publish_credit_balance(cw, instance, boundary)
        for account, region, backend in each_backend(autoscaling_backends):
            cw = cloudwatch_backend(account, region)
            for group in list(backend.autoscaling_groups.values()):
                gs = self.engine.groups.gsim(group)
                period = group_period(group)
                if int(boundary) % period == 0:
                    self._publish_group_cpu(cw, backend, group, gs, boundary, period)
                if group.metrics:
                    self._publish_group_metrics(cw, group, gs, boundary)

    def _publish_credit_balance(self, cw, instance, boundary: float) -> None:
        """CPUCreditBalance every five minutes (AWS publishes credit metrics at five-minute frequency only)."""
        balance = self.engine.credits.balance(instance.id)
        if balance is None or int(boundary) % 300:
            return
        self.put(cw, "AWS/EC2", "CPUCreditBalance", balance, [{"Name": "InstanceId", "Value": instance.id}], boundary - 300, "Count")
        group = next((t["value"] for t in instance.get_tags() if t["key"] == "aws:autoscaling:groupName"), None)
        if group:
            self.put(cw, "AWS/EC2", "CPUCreditBalance", balance, [{"Name": "AutoScalingGroupName", "Value": group}],
                     boundary - 300, "Count")

    def _publish_group_cpu(self, cw, backend, group, gs: GroupSim, boundary: float, period: int) -> None:
        start = boundary - period
        warmup = warmup_of(backend, group)
        values = []
        for state in group.instance_states:
            sim = self.engine.instances.get(state.instance.id)
            if sim is None or sim.in_service_at is None or state.lifecycle_state not in ("InService", "Terminating"):
                continue
            if sim.in_service_at + warmup > start:
                continue  # still warming up during this period: not aggregated
            value = self.cpu_of(state.instance, sim, start, boundary)
            if value is not None:
                values.append(value)
        if values:
            aggregate = round(sum(values) / len(values), 3)
            gs.series[start] = aggregate
            self.put(cw, "AWS/EC2", "CPUUtilization", aggregate,
                     [{"Name": "AutoScalingGroupName", "Value": group.name}], start, "Percent")

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
                self.put(cw, "AWS/AutoScaling", metric, counts[metric],
                         [{"Name": "AutoScalingGroupName", "Value": group.name}], boundary - 60, "None")

    def prune(self, now: float) -> None:
        """CloudWatch keeps 1-minute data for 15 days."""
        from moto.cloudwatch.models import cloudwatch_backends

        horizon = to_dt(now - 15 * 86400)
        for _, _, cw in each_backend(cloudwatch_backends):
            cw.metric_data = [d for d in cw.metric_data if d.timestamp >= horizon]
        for gs in self.engine.groups.records.values():
            for key in [k for k in gs.series if k < now - 86400]:
                del gs.series[key]
