"""Target-tracking scaling policies: the two alarms AWS creates for each (AlarmHigh, AlarmLow), their
evaluation at every period boundary, and the scaling the policy then decides (targettracking.py)."""

from __future__ import annotations

import uuid

from ...core.backends import cloudwatch_backend, each_backend
from ...core.clock import iso
from ...core.timestamps import at
from ..cloudwatch.alarms import state_reason
from . import targettracking as tt
from .groups import group_period, suspended_processes

METRICS = {  # PredefinedMetricType -> (namespace, metric, statistic)
    "ASGAverageCPUUtilization": ("AWS/EC2", "CPUUtilization", "Average"),
    "ASGAverageNetworkIn": ("AWS/EC2", "NetworkIn", "Average"),
    "ASGAverageNetworkOut": ("AWS/EC2", "NetworkOut", "Average"),
    "ALBRequestCountPerTarget": ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
}


def warmup_of(backend, group) -> int:
    policy_warmup = None
    for policy in backend.policies.values():
        if policy.auto_scaling_group_name == group.name and policy.policy_type == "TargetTrackingScaling":
            if policy.estimated_instance_warmup is not None:
                policy_warmup = int(policy.estimated_instance_warmup)
                break
    return tt.effective_warmup(policy_warmup, getattr(group, "default_instance_warmup", None), group.default_cooldown)


def _scale_in_disabled(config) -> bool:
    return str(getattr(config, "DisableScaleIn", False)).lower() == "true"


class TargetTracking:
    def __init__(self, engine):
        self.engine = engine

    def ensure_alarms(self, backend, policy) -> None:
        """Create or update the two alarms of a target-tracking policy, as AWS names them."""
        config = policy.target_tracking_configuration
        if config is None:
            return
        target = float(getattr(config, "TargetValue", 0) or 0)
        high_t, low_t = tt.alarm_thresholds(target)
        group = backend.autoscaling_groups.get(policy.auto_scaling_group_name)
        period = group_period(group) if group is not None else 60
        predefined = getattr(config, "PredefinedMetricSpecification", None) or {}
        metric_type = predefined.get("PredefinedMetricType", "ASGAverageCPUUtilization")
        metric = METRICS.get(metric_type, METRICS["ASGAverageCPUUtilization"])
        cw = cloudwatch_backend(backend.account_id, backend.region_name)
        names = getattr(policy, "sandbox_alarm_names", None)
        if not names:
            group_name = policy.auto_scaling_group_name
            names = (f"TargetTracking-{group_name}-AlarmHigh-{uuid.uuid4()}",
                     f"TargetTracking-{group_name}-AlarmLow-{uuid.uuid4()}")
            policy.sandbox_alarm_names = names
        description = f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy.arn}."
        dimensions = [{"Name": "AutoScalingGroupName", "Value": policy.auto_scaling_group_name}]
        specs = [(names[0], "GreaterThanThreshold", tt.HIGH_EVALUATION_PERIODS, high_t)]
        if _scale_in_disabled(config):
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

    @staticmethod
    def delete_alarms(backend, policy) -> None:
        names = getattr(policy, "sandbox_alarm_names", None)
        if names:
            cloudwatch_backend(backend.account_id, backend.region_name).delete_alarms(list(names))

    def evaluate(self, boundary: float) -> None:
        """At a minute boundary: every group whose period ends here, with target-tracking policies."""
        from moto.autoscaling.models import autoscaling_backends

        for account, region, backend in each_backend(autoscaling_backends):
            cw = cloudwatch_backend(account, region)
            for group in list(backend.autoscaling_groups.values()):
                period = group_period(group)
                if int(boundary) % period:
                    continue
                policies = [p for p in backend.policies.values()
                            if p.auto_scaling_group_name == group.name and p.policy_type == "TargetTrackingScaling"]
                if not policies:
                    continue
                self._evaluate_group(backend, cw, group, policies, period, boundary)

    def _group_view(self, backend, group, boundary: float, period: int) -> tt.GroupView:
        warmup = warmup_of(backend, group)
        live = self.engine.groups.live_states(group)
        latest_start = boundary - period
        ready = 0
        for state in live:
            sim = self.engine.instances.get(state.instance.id)
            if state.lifecycle_state == "InService" and sim and sim.in_service_at is not None \
                    and sim.in_service_at + warmup <= latest_start:
                ready += 1
        return tt.GroupView(min_size=int(group.min_size or 0), max_size=int(group.max_size or 0),
                            desired=int(group.desired_capacity or 0), ready=ready, warming=len(live) - ready)

    def _evaluate_alarms(self, cw, names, gs, target: float, period: int, boundary: float) -> tuple:
        """Evaluate AlarmHigh and AlarmLow (M of N); returns ({name: state}, high values, low values)."""
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
            reason = state_reason(values, starts, threshold, operator, state, periods)
            reason_data = {
                "version": "1.0", "queryDate": iso(boundary).replace("Z", "+0000"),
                "startDate": iso(starts[0]).replace("Z", "+0000"), "statistic": "Average", "period": period,
                "recentDatapoints": [v for v in values if v is not None], "threshold": threshold,
                "evaluatedDatapoints": [{"timestamp": iso(s).replace("Z", "+0000"), "value": v}
                                        for v, s in zip(values, starts) if v is not None][::-1],
            }
            self.engine.alarms.set_state(alarm, state, reason, reason_data, boundary)
        return states, high_values, low_values

    def _evaluate_group(self, backend, cw, group, policies: list, period: int, boundary: float) -> None:
        gs = self.engine.groups.gsim(group)
        view = self._group_view(backend, group, boundary, period)
        decisions = []
        for policy in policies:
            self.ensure_alarms(backend, policy)
            names = policy.sandbox_alarm_names
            config = policy.target_tracking_configuration
            target = float(getattr(config, "TargetValue", 0) or 0)
            if target <= 0:
                continue
            states, high_values, low_values = self._evaluate_alarms(cw, names, gs, target, period, boundary)
            if "AlarmNotification" in suspended_processes(group):
                continue
            decision = tt.decide(view, target, states[names[0]], states.get(names[1], tt.INSUFFICIENT_DATA),
                                 high_values, low_values, _scale_in_disabled(config))
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
        self.engine.alarms.record(backend.account_id, backend.region_name, alarm_name, "Action",
                                  f"Successfully executed action {policy.arn}",
                                  {"actionState": "Succeeded", "stateUpdateTimestamp": int(boundary * 1000),
                                   "notificationResource": policy.arn, "stateUpdateTimestamp_readable": iso(boundary),
                                   "error": None}, boundary)
        self.engine.groups.reconcile(group, gs, boundary)
