"""Auto Scaling parameter validation as AWS does it, for the calls the pipeline makes (moto accepts
these values): name lengths (XmlStringMaxLen255), non-negative durations, health check types,
subnets of one VPC (CreateAutoScalingGroup, UpdateAutoScalingGroup: called from group_patches.py),
process names (SuspendProcesses) and policy settings (PutScalingPolicy). The wording follows AWS's
constraint messages ("1 validation error detected: ..."); sources in docs/sandbox.md, "Parameter validation"."""

from __future__ import annotations

from ...core.registry import patch

R = "moto.autoscaling.responses"
# SuspendProcesses ScalingProcesses.member.N: "One or more of the following processes" (API reference).
PROCESSES = ("Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification", "AZRebalance", "HealthCheck",
             "InstanceRefresh", "ReplaceUnhealthy", "ScheduledActions")
# CreateAutoScalingGroup HealthCheckType: "The valid values are EC2, EBS, ELB, and VPC_LATTICE".
HEALTH_CHECK_TYPES = ("EC2", "EBS", "ELB", "VPC_LATTICE")


def _constraint(value, member, rule):
    from moto.autoscaling.exceptions import ValidationError

    return ValidationError(f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}")


def _check_name(value, member):
    if value is not None and len(value) > 255:
        raise _constraint(value, member, "Member must have length less than or equal to 255")


def _check_not_negative(value, member, low=0):
    if value is not None and value < low:
        raise _constraint(value, member, f"Member must have value greater than or equal to {low}")


def validate_group_request(response):
    """CreateAutoScalingGroup / UpdateAutoScalingGroup parameters AWS refuses (moto stores them)."""
    from moto.autoscaling.exceptions import ValidationError

    _check_name(response._get_param("AutoScalingGroupName"), "autoScalingGroupName")
    _check_not_negative(response._get_int_param("DefaultCooldown"), "defaultCooldown")
    _check_not_negative(response._get_int_param("HealthCheckGracePeriod"), "healthCheckGracePeriod")
    # -1 clears the default instance warmup (UpdateAutoScalingGroup).
    _check_not_negative(response._get_int_param("DefaultInstanceWarmup"), "defaultInstanceWarmup", low=-1)
    kinds = response._get_param("HealthCheckType")
    if kinds is not None:
        unknown = [k for k in kinds.split(",") if k.strip() not in HEALTH_CHECK_TYPES]
        if unknown:
            raise _constraint(kinds, "healthCheckType", "Member must contain only " + ", ".join(HEALTH_CHECK_TYPES))
    zone_identifier = response._get_param("VPCZoneIdentifier")
    if zone_identifier:
        ec2 = response.autoscaling_backend.ec2_backend
        vpcs = set()
        for subnet_id in [s.strip() for s in zone_identifier.split(",") if s.strip()]:
            try:
                vpcs.add(ec2.get_subnet(subnet_id).vpc_id)
            except Exception:  # noqa: BLE001 - an unknown subnet is moto's own error to give
                continue
        if len(vpcs) > 1:
            raise ValidationError("The subnets specified in VPCZoneIdentifier must all belong to the same VPC")


@patch(R, "AutoScalingResponse", "suspend_processes")
def suspend_processes(_engine, original):
    def suspend_processes(self):
        for name in self._get_param("ScalingProcesses", []) or []:
            if name not in PROCESSES:
                raise _constraint(name, "scalingProcesses", "Member must be one of " + ", ".join(PROCESSES))
        return original(self)

    return suspend_processes


@patch(R, "AutoScalingResponse", "put_scaling_policy")
def put_scaling_policy(_engine, original):
    def put_scaling_policy(self):
        _check_name(self._get_param("PolicyName"), "policyName")
        _check_not_negative(self._get_int_param("EstimatedInstanceWarmup"), "estimatedInstanceWarmup")
        _check_not_negative(self._get_int_param("Cooldown"), "cooldown")
        return original(self)

    return put_scaling_policy
