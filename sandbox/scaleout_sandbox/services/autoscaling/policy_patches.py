"""Scaling policies: scoped per group with their own ARN (moto keys them by name only and hard-codes
one UUID in every ARN), target-tracking alarms created, updated and deleted with them (policies.py),
and ExecutePolicy refused for target tracking."""

from __future__ import annotations

import uuid

from moto.core.responses import EmptyResult

from ...core.registry import patch

M = "moto.autoscaling.models"


def _policy_arn(self):
    from moto.utilities.utils import get_partition

    if not getattr(self, "sandbox_uuid", None):
        self.sandbox_uuid = str(uuid.uuid4())
    backend = self.autoscaling_backend
    return (f"arn:{get_partition(backend.region_name)}:autoscaling:{backend.region_name}:{backend.account_id}:"
            f"scalingPolicy:{self.sandbox_uuid}:autoScalingGroupName/{self.auto_scaling_group_name}"
            f":policyName/{self.name}")


@patch(M, "FakeScalingPolicy", "arn")
def policy_arn(_engine, _original):
    return property(_policy_arn)


@patch(M, "FakeScalingPolicy", "policy_arn")
def policy_arn_alias(_engine, _original):
    return property(_policy_arn)


@patch(M, "AutoScalingBackend", "put_scaling_policy")
def put_scaling_policy(engine, original):
    from moto.autoscaling.exceptions import ValidationError

    def put_scaling_policy(self, name, policy_type, metric_aggregation_type, adjustment_type, as_name, *args, **kwargs):
        if as_name not in self.autoscaling_groups:
            raise ValidationError("Group " + str(as_name) + " not found")
        key = (as_name, name)
        previous = self.policies.get(key)
        saved = dict(self.policies)
        self.policies = {}  # moto's version keys by name: let it see no other policy
        policy = original(self, name, policy_type, metric_aggregation_type, adjustment_type, as_name, *args, **kwargs)
        self.policies = saved
        if previous is not None:
            policy.sandbox_uuid = getattr(previous, "sandbox_uuid", None)
            policy.sandbox_alarm_names = getattr(previous, "sandbox_alarm_names", None)
            if previous.policy_type == "TargetTrackingScaling" and policy_type != "TargetTrackingScaling":
                engine.target_tracking.delete_alarms(self, previous)
                policy.sandbox_alarm_names = None
        self.policies[key] = policy
        policy.alarms = []
        if policy_type == "TargetTrackingScaling":
            engine.target_tracking.ensure_alarms(self, policy)
        return policy

    return put_scaling_policy


@patch(M, "AutoScalingBackend", "delete_policy")
def delete_policy(engine, _original):
    def delete_policy(self, policy_name, group_name=None):
        for key, policy in list(self.policies.items()):
            if policy.name == policy_name or policy.arn == policy_name:
                if group_name and policy.auto_scaling_group_name != group_name:
                    continue
                engine.target_tracking.delete_alarms(self, policy)
                del self.policies[key]

    return delete_policy


@patch(M, "AutoScalingBackend", "execute_policy")
def execute_policy(_engine, _original):
    from moto.autoscaling.exceptions import ValidationError

    def execute_policy(self, policy_name, group_name=None):
        for policy in self.policies.values():
            if (policy.name == policy_name or policy.arn == policy_name) and \
                    (not group_name or policy.auto_scaling_group_name == group_name):
                if policy.policy_type == "TargetTrackingScaling":
                    raise ValidationError("Executing a target tracking scaling policy is not supported.")
                policy.execute()
                return
        raise ValidationError(f"No such policy: {policy_name}")

    return execute_policy


@patch("moto.autoscaling.responses", "AutoScalingResponse", "delete_policy")
def delete_policy_response(_engine, _original):
    # DeletePolicy with the group name (moto's response drops it).
    def delete_policy(self):
        self.autoscaling_backend.delete_policy(self._get_param("PolicyName"), self._get_param("AutoScalingGroupName"))
        return EmptyResult()

    return delete_policy
