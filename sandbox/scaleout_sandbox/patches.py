"""Where the sandbox extends moto: every patch of a moto class is made here, by ``apply()`` (and,
only when IAM enforcement is switched on, by ``apply_iam_enforcement()``).

Each patch fixes a gap between moto and AWS (listed in docs/sandbox.md) or hands a control loop to
the engine. ``TARGETS`` and ``IAM_TARGETS`` name every moto attribute patched; ``apply()`` (and
``apply_iam_enforcement()``) fail loudly when one is missing, and sandbox/tests/test_moto_internals.py
pins the behaviour the patches rely on, so a moto upgrade that moves things breaks the tests instead
of the simulation.
"""

from __future__ import annotations

import base64
import copy
import importlib
import json
from typing import Any, Optional

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult

from . import model
from .engine import ALL_GROUP_METRICS, Engine, SimActivity, at, to_dt, to_epoch

TARGETS = [
    ("moto.autoscaling.models", "FakeAutoScalingGroup", "set_desired_capacity"),
    ("moto.autoscaling.models", "FakeAutoScalingGroup", "enable_metrics_collection"),
    ("moto.autoscaling.models", "FakeScalingPolicy", "arn"),
    ("moto.autoscaling.models", "InstanceState", "launch_template"),
    ("moto.autoscaling.models", "AutoScalingBackend", "notify_terminate_instances"),
    ("moto.autoscaling.models", "AutoScalingBackend", "update_attached_target_groups"),
    ("moto.autoscaling.models", "AutoScalingBackend", "detach_load_balancer_target_groups"),
    ("moto.autoscaling.models", "AutoScalingBackend", "create_auto_scaling_group"),
    ("moto.autoscaling.models", "AutoScalingBackend", "delete_auto_scaling_group"),
    ("moto.autoscaling.models", "AutoScalingBackend", "put_scaling_policy"),
    ("moto.autoscaling.models", "AutoScalingBackend", "delete_policy"),
    ("moto.autoscaling.models", "AutoScalingBackend", "terminate_instance"),
    ("moto.autoscaling.models", "AutoScalingBackend", "execute_policy"),
    ("moto.autoscaling.responses", "AutoScalingResponse", "create_auto_scaling_group"),
    ("moto.autoscaling.responses", "AutoScalingResponse", "update_auto_scaling_group"),
    ("moto.autoscaling.responses", "AutoScalingResponse", "set_desired_capacity"),
    ("moto.autoscaling.responses", "AutoScalingResponse", "delete_auto_scaling_group"),
    ("moto.autoscaling.responses", "AutoScalingResponse", "describe_scaling_activities"),
    ("moto.autoscaling.responses", "AutoScalingResponse", "enable_metrics_collection"),
    ("moto.autoscaling.responses", "AutoScalingResponse", "delete_policy"),
    ("moto.autoscaling.responses", "AutoScalingResponse", "terminate_instance_in_auto_scaling_group"),
    ("moto.ec2.models.instances", "InstanceBackend", "run_instances"),
    ("moto.ec2.models.instances", "InstanceBackend", "terminate_instances"),
    ("moto.ec2.models.instances", "InstanceBackend", "stop_instances"),
    ("moto.ec2.models.instances", "InstanceBackend", "start_instances"),
    ("moto.ec2.models.launch_templates", "LaunchTemplateBackend", "create_launch_template"),
    ("moto.ec2.models.launch_templates", "LaunchTemplateBackend", "describe_launch_template_versions"),
    ("moto.ec2.models.launch_templates", "LaunchTemplateBackend", "get_launch_template"),
    ("moto.ec2.models.launch_templates", "LaunchTemplateBackend", "get_launch_template_by_name"),
    ("moto.ec2.models.amis", "AmiBackend", "create_image"),
    ("moto.ec2.models.amis", "Ami", "block_device_mappings"),
    ("moto.ec2.models.instance_types", "InstanceTypeOfferingBackend", "describe_instance_type_offerings"),
    ("moto.ec2.responses.general", "General", "get_console_output"),
    ("moto.elbv2.models", "FakeTargetGroup", "register"),
    ("moto.elbv2.models", "FakeTargetGroup", "deregister"),
    ("moto.elbv2.models", "FakeTargetGroup", "deregister_terminated_instances"),
    ("moto.elbv2.models", "FakeTargetGroup", "health_for"),
    ("moto.elbv2.models", "FakeLoadBalancer", "activate"),
    ("moto.elbv2.models", "ELBv2Backend", "create_load_balancer"),
    ("moto.elbv2.models", "ELBv2Backend", "describe_target_health"),
    ("moto.cloudwatch.models", "Alarm", "update_state"),
    ("moto.cloudwatch.models", "CloudWatchBackend", "put_metric_alarm"),
    ("moto.ssm.models", "SimpleSystemManagerBackend", "send_command"),
]

# Patched only when IAM enforcement is on (apply_iam_enforcement, iampolicy.py).
IAM_TARGETS = [
    ("moto.core.authorization", "ActionAuthenticatorMixin", "_authenticate_and_authorize_action"),
    ("moto.iam.access_control", "IAMRequestBase", "check_action_permitted"),
    ("moto.iam.access_control", "IAMRequest", "_raise_access_denied"),
    ("moto.iam.access_control", "IAMRequest", "_raise_invalid_access_key"),
    ("moto.iam.access_control", "IAMRequest", "_raise_signature_does_not_match"),
]

_applied = False
_iam_applied = False


def _target(module_name: str, class_name: str, attribute: str):
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if cls is None or attribute not in cls.__dict__:
        raise RuntimeError(f"moto changed: {module_name}.{class_name}.{attribute} is gone; the sandbox patches it")
    return cls, cls.__dict__[attribute]


def _originals() -> dict:
    return {(m, c, a): _target(m, c, a)[1] for m, c, a in TARGETS}


def apply(engine: Engine) -> None:
    """Install every patch (once per process)."""
    global _applied
    if _applied:
        return
    originals = _originals()
    _autoscaling(engine, originals)
    _ec2(engine, originals)
    _elbv2(engine, originals)
    _cloudwatch(engine, originals)
    _ssm(engine, originals)
    _launch_template_versions(originals)
    _applied = True


def _orig(originals, module, cls, attr):
    return originals[(module, cls, attr)]


# ====================================================================== Auto Scaling


def _autoscaling(engine: Engine, originals: dict) -> None:
    from moto.autoscaling import models as m
    from moto.autoscaling import responses as r
    from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError

    A = "moto.autoscaling.models"
    R = "moto.autoscaling.responses"

    # The group never launches or terminates by itself: the engine reconciles towards desired.
    def set_desired_capacity(self, new_capacity):
        self.desired_capacity = self.min_size if new_capacity is None else new_capacity
        if self.name in self.autoscaling_backend.autoscaling_groups:
            engine.reconcile(self)

    m.FakeAutoScalingGroup.set_desired_capacity = set_desired_capacity

    # EnableMetricsCollection without Metrics enables every group metric (as AWS does).
    def enable_metrics_collection(self, metrics):
        wanted = set(self.metrics or []) | set(metrics or ALL_GROUP_METRICS)
        self.metrics = [x for x in ALL_GROUP_METRICS if x in wanted] + sorted(wanted - set(ALL_GROUP_METRICS))

    m.FakeAutoScalingGroup.enable_metrics_collection = enable_metrics_collection

    # Each policy gets its own ARN (moto hard-codes one UUID for all).
    def policy_arn(self):
        if not getattr(self, "sandbox_uuid", None):
            import uuid

            self.sandbox_uuid = str(uuid.uuid4())
        backend = self.autoscaling_backend
        from moto.utilities.utils import get_partition

        return (f"arn:{get_partition(backend.region_name)}:autoscaling:{backend.region_name}:{backend.account_id}:"
                f"scalingPolicy:{self.sandbox_uuid}:autoScalingGroupName/{self.auto_scaling_group_name}"
                f":policyName/{self.name}")

    m.FakeScalingPolicy.arn = property(policy_arn)
    m.FakeScalingPolicy.policy_arn = property(policy_arn)

    # The launch template version an instance was launched from (moto reports the default one).
    def instance_launch_template(self):
        group = self.auto_scaling_group
        if group is None or group.ec2_launch_template is None:
            return None
        sim = engine.instances.get(self.instance.id)
        version = sim.version if sim and sim.version else str(group.ec2_launch_template.default_version_number)
        return {"LaunchTemplateId": group.ec2_launch_template.id,
                "LaunchTemplateName": group.ec2_launch_template.name, "Version": version}

    m.InstanceState.launch_template = property(instance_launch_template)

    # Instances terminated underneath a group: the engine notices and replaces them (with an activity).
    m.AutoScalingBackend.notify_terminate_instances = lambda self, instance_ids: None

    # Only InService, running instances are registered with target groups.
    def update_attached_target_groups(self, group_name):
        group = self.autoscaling_groups[group_name]
        ready = [s.instance.id for s in group.instance_states
                 if s.lifecycle_state == "InService" and s.instance.state == "running"]
        engine.register_in_target_groups(group, ready)

    m.AutoScalingBackend.update_attached_target_groups = update_attached_target_groups

    def detach_load_balancer_target_groups(self, group_name, target_group_arns):
        group = self.autoscaling_groups[group_name]
        for arn in target_group_arns:
            tg = self.elbv2_backend.target_groups.get(arn)
            if tg is None:
                continue
            registered = [{"Id": s.instance.id} for s in group.instance_states if s.instance.id in tg.targets]
            if registered:
                tg.deregister(registered)
        group.target_group_arns = [x for x in group.target_group_arns if x not in target_group_arns]

    m.AutoScalingBackend.detach_load_balancer_target_groups = detach_load_balancer_target_groups

    create_group = _orig(originals, A, "AutoScalingBackend", "create_auto_scaling_group")

    def create_auto_scaling_group(self, name, *args, **kwargs):
        if name in self.autoscaling_groups:
            raise AutoscalingClientError("AlreadyExists", f"AutoScalingGroup by this name already exists - A group with the name {name} already exists")
        return create_group(self, name, *args, **kwargs)

    m.AutoScalingBackend.create_auto_scaling_group = create_auto_scaling_group

    # DeleteAutoScalingGroup: refused while instances remain (unless ForceDelete); then the group
    # shows "Delete in progress" until its instances have terminated.
    def delete_auto_scaling_group(self, group_name, force_delete=True):
        if group_name not in self.autoscaling_groups:
            raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup '{group_name}' not found")
        group = self.autoscaling_groups[group_name]
        gs = engine.gsim(group)
        if gs.deleting:
            return
        if group.instance_states and not force_delete:
            raise AutoscalingClientError("ResourceInUse", "You cannot delete an AutoScalingGroup while there are instances "
                                                    "or pending Spot instance request(s) still in the group.")
        now = engine.now()
        for policy in [p for p in self.policies.values() if p.auto_scaling_group_name == group_name]:
            engine.delete_alarms(self, policy)
            self.policies = {k: v for k, v in self.policies.items() if v is not policy}
        gs.deleting = True
        group.status = "Delete in progress"
        old = group.desired_capacity or 0
        group.desired_capacity = 0
        group.min_size = 0
        group.max_size = 0
        cause = f"At {at(now)} a user request deleted the AutoScalingGroup changing the desired capacity from {old} to 0."
        for state in list(group.instance_states):
            if state.instance.id not in gs.terminating:
                engine.begin_termination(group, gs, state, now, cause)
        if not group.instance_states:
            engine._forget_group(self, group, gs)

    m.AutoScalingBackend.delete_auto_scaling_group = delete_auto_scaling_group

    # Policies are scoped per group (moto keys them by name only); updates keep ARN and alarms.
    put_policy = _orig(originals, A, "AutoScalingBackend", "put_scaling_policy")

    def put_scaling_policy(self, name, policy_type, metric_aggregation_type, adjustment_type, as_name, *args, **kwargs):
        if as_name not in self.autoscaling_groups:
            raise ValidationError("Group " + str(as_name) + " not found")
        key = (as_name, name)
        previous = self.policies.get(key)
        saved = dict(self.policies)
        self.policies = {}
        policy = put_policy(self, name, policy_type, metric_aggregation_type, adjustment_type, as_name, *args, **kwargs)
        self.policies = saved
        if previous is not None:
            policy.sandbox_uuid = getattr(previous, "sandbox_uuid", None)
            policy.sandbox_alarm_names = getattr(previous, "sandbox_alarm_names", None)
            if previous.policy_type == "TargetTrackingScaling" and policy_type != "TargetTrackingScaling":
                engine.delete_alarms(self, previous)
                policy.sandbox_alarm_names = None
        self.policies[key] = policy
        policy.alarms = []
        if policy_type == "TargetTrackingScaling":
            engine.ensure_alarms(self, policy)
        return policy

    m.AutoScalingBackend.put_scaling_policy = put_scaling_policy

    def delete_policy(self, policy_name, group_name=None):
        for key, policy in list(self.policies.items()):
            if policy.name == policy_name or policy.arn == policy_name:
                if group_name and policy.auto_scaling_group_name != group_name:
                    continue
                engine.delete_alarms(self, policy)
                del self.policies[key]

    m.AutoScalingBackend.delete_policy = delete_policy

    def execute_policy(self, policy_name, group_name=None):
        for policy in self.policies.values():
            if (policy.name == policy_name or policy.arn == policy_name) and \
                    (not group_name or policy.auto_scaling_group_name == group_name):
                if policy.policy_type == "TargetTrackingScaling":
                    raise ValidationError("Executing a target tracking scaling policy is not supported.")
                policy.execute()
                return
        raise ValidationError(f"No such policy: {policy_name}")

    m.AutoScalingBackend.execute_policy = execute_policy

    def terminate_instance(self, instance_id, should_decrement):
        state = next((s for g in self.autoscaling_groups.values() for s in g.instance_states
                      if s.instance.id == instance_id), None)
        if state is None:
            raise ValidationError(f"Instance Id not found - No managed instance found for instance ID: {instance_id}")
        group = state.auto_scaling_group
        gs = engine.gsim(group)
        now = engine.now()
        before = len(engine.live_states(group))
        if should_decrement:
            if (group.desired_capacity or 0) - 1 < (group.min_size or 0):
                raise ValidationError(f"Currently, desiredSize equals minSize ({group.min_size}). Terminating instance "
                                      f"without replacement will violate group's min size constraint. Either set "
                                      f"shouldDecrementDesiredCapacity flag to false or lower group's min size.")
            group.desired_capacity -= 1
            cause = (f"At {at(now)} instance {instance_id} was taken out of service in response to a user request, "
                     f"shrinking the capacity from {before} to {group.desired_capacity}.")
        else:
            cause = f"At {at(now)} instance {instance_id} was taken out of service in response to a user request."
        return engine.begin_termination(group, gs, state, now, cause)

    m.AutoScalingBackend.terminate_instance = terminate_instance

    # ---------------------------------------------------------------- responses

    def _validate_sizes(min_size, max_size, desired):
        if min_size is not None and max_size is not None and min_size > max_size:
            raise ValidationError(f"Max bound, {max_size}, must be greater than or equal to min bound, {min_size}")
        if desired is not None and min_size is not None and desired < min_size:
            raise ValidationError(f"Desired capacity:{desired} must be between the specified min size:{min_size} and max size:{max_size}")
        if desired is not None and max_size is not None and desired > max_size:
            raise ValidationError(f"Desired capacity:{desired} must be between the specified min size:{min_size} and max size:{max_size}")

    create_response = _orig(originals, R, "AutoScalingResponse", "create_auto_scaling_group")

    def create_response_patched(self):
        _validate_sizes(self._get_int_param("MinSize"), self._get_int_param("MaxSize"), self._get_int_param("DesiredCapacity"))
        warmup = self._get_int_param("DefaultInstanceWarmup")
        result = create_response(self)
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        group.default_instance_warmup = warmup if warmup is not None and warmup >= 0 else None
        group.status = None
        group.created_time = to_dt(engine.now())
        group.max_instance_lifetime = self._get_int_param("MaxInstanceLifetime")
        gs = engine.gsim(group)
        gs.activities = []
        desired = group.desired_capacity or 0
        if desired:
            gs.pending_cause = (f"At {at(engine.now())} a user request created an AutoScalingGroup changing the desired "
                                f"capacity from 0 to {desired}.")
        engine.reconcile(group)
        return result

    r.AutoScalingResponse.create_auto_scaling_group = create_response_patched

    update_response = _orig(originals, R, "AutoScalingResponse", "update_auto_scaling_group")

    def update_response_patched(self):
        backend = self.autoscaling_backend
        name = self._get_param("AutoScalingGroupName")
        group = backend.autoscaling_groups.get(name)
        if group is None:
            raise ValidationError("AutoScalingGroup name not found - null")
        new_min = self._get_int_param("MinSize")
        new_max = self._get_int_param("MaxSize")
        new_desired = self._get_int_param("DesiredCapacity")
        eff_min = group.min_size if new_min is None else new_min
        eff_max = group.max_size if new_max is None else new_max
        _validate_sizes(eff_min, eff_max, new_desired)
        old_desired = group.desired_capacity or 0
        if new_desired is None:
            clamped = max(eff_min or 0, min(eff_max or 0, old_desired))
            if clamped != old_desired:
                new_desired = clamped
        saved = engine.reconcile
        engine.reconcile = lambda *a, **k: None  # one reconcile below, with the cause
        try:
            result = update_response(self)
        finally:
            engine.reconcile = saved
        group.desired_capacity = old_desired if new_desired is None else new_desired
        warmup = self._get_int_param("DefaultInstanceWarmup")
        if warmup is not None:
            group.default_instance_warmup = None if warmup < 0 else warmup
        cooldown = self._get_int_param("DefaultCooldown")
        if cooldown is not None:
            group.default_cooldown = cooldown
        lifetime = self._get_int_param("MaxInstanceLifetime")
        if lifetime is not None:
            group.max_instance_lifetime = lifetime
        if (group.desired_capacity or 0) != old_desired:
            engine.note_cause(group, (
                f"At {at(engine.now())} a user request update of AutoScalingGroup constraints to min: {group.min_size}, "
                f"max: {group.max_size}, desired: {group.desired_capacity} changing the desired capacity from "
                f"{old_desired} to {group.desired_capacity}."))
        engine.reconcile(group)
        return result

    r.AutoScalingResponse.update_auto_scaling_group = update_response_patched

    def set_desired_capacity_response(self):
        backend = self.autoscaling_backend
        name = self._get_param("AutoScalingGroupName")
        desired = self._get_int_param("DesiredCapacity")
        group = backend.autoscaling_groups.get(name)
        if group is None:
            raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup {name} not found")
        if desired > (group.max_size or 0):
            raise ValidationError(f"New SetDesiredCapacity value {desired} is above max value {group.max_size} for the AutoScalingGroup.")
        if desired < (group.min_size or 0):
            raise ValidationError(f"New SetDesiredCapacity value {desired} is below min value {group.min_size} for the AutoScalingGroup.")
        old = group.desired_capacity or 0
        group.desired_capacity = desired
        if desired != old:
            engine.note_cause(group, f"At {at(engine.now())} a user request explicitly set group desired capacity "
                                     f"changing the desired capacity from {old} to {desired}.")
        engine.reconcile(group)
        return EmptyResult()

    r.AutoScalingResponse.set_desired_capacity = set_desired_capacity_response

    def delete_group_response(self):
        force = self._get_bool_param("ForceDelete", False)
        self.autoscaling_backend.delete_auto_scaling_group(self._get_param("AutoScalingGroupName"), force_delete=force)
        return EmptyResult()

    r.AutoScalingResponse.delete_auto_scaling_group = delete_group_response

    def describe_scaling_activities(self):
        ids = self._get_param("ActivityIds", [])
        group_name = self._get_param("AutoScalingGroupName")
        include_deleted = self._get_bool_param("IncludeDeletedGroups", False)
        max_records = self._get_int_param("MaxRecords") or 100
        if not 1 <= max_records <= 100:
            raise ValidationError("1 validation error detected: Value at 'maxRecords' failed to satisfy constraint: "
                                  "Member must have value less than or equal to 100")
        activities = engine.activities(self.current_account, self.region, group_name, include_deleted or bool(ids))
        if ids:
            activities = [a for a in activities if a.activity_id in ids]
        token = self._get_param("NextToken")
        start = 0
        if token:
            positions = [i for i, a in enumerate(activities) if a.activity_id == token]
            if not positions:
                raise ValidationError("The NextToken value is invalid.")
            start = positions[0]
        page = activities[start:start + max_records]
        result = {"Activities": page}
        if len(activities) > start + max_records:
            result["NextToken"] = activities[start + max_records].activity_id
        return ActionResult(result)

    r.AutoScalingResponse.describe_scaling_activities = describe_scaling_activities

    def enable_metrics_collection_response(self):
        group_name = self._get_param("AutoScalingGroupName")
        granularity = self._get_param("Granularity")
        if granularity != "1Minute":
            raise ValidationError("Valid requests must contain the parameter Granularity with the value 1Minute")
        group = _group(self.autoscaling_backend, group_name)
        metrics = self._get_param("Metrics") or []
        unknown = [x for x in metrics if x not in ALL_GROUP_METRICS and not x.startswith("WarmPool") and not x.startswith("GroupAndWarmPool")]
        if unknown:
            raise ValidationError(f"Unknown metric(s): {', '.join(unknown)}")
        group.enable_metrics_collection(metrics)
        return EmptyResult()

    r.AutoScalingResponse.enable_metrics_collection = enable_metrics_collection_response

    def disable_metrics_collection(self):
        group = _group(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
        metrics = self._get_param("Metrics") or []
        group.metrics = [x for x in (group.metrics or []) if metrics and x not in metrics]
        return EmptyResult()

    r.AutoScalingResponse.disable_metrics_collection = disable_metrics_collection

    def delete_policy_response(self):
        self.autoscaling_backend.delete_policy(self._get_param("PolicyName"), self._get_param("AutoScalingGroupName"))
        return EmptyResult()

    r.AutoScalingResponse.delete_policy = delete_policy_response

    def terminate_instance_response(self):
        activity = self.autoscaling_backend.terminate_instance(
            self._get_param("InstanceId"), self._get_bool_param("ShouldDecrementDesiredCapacity", False))
        return ActionResult({"Activity": activity})

    r.AutoScalingResponse.terminate_instance_in_auto_scaling_group = terminate_instance_response

    def start_instance_refresh(self):
        group = _group(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
        preferences = self._get_param("Preferences") or {}
        min_healthy = preferences.get("MinHealthyPercentage", 90)
        max_healthy = preferences.get("MaxHealthyPercentage", 100)
        if not 0 <= int(min_healthy) <= 100:
            raise ValidationError("MinHealthyPercentage must be between 0 and 100")
        if not 100 <= int(max_healthy) <= 200:
            raise ValidationError("MaxHealthyPercentage must be between 100 and 200")
        if int(max_healthy) == 100 and int(min_healthy) == 100:
            raise ValidationError("MinHealthyPercentage and MaxHealthyPercentage cannot both be 100")
        desired = self._get_param("DesiredConfiguration")
        refresh = engine.start_refresh(group, preferences, desired, self._get_param("Strategy") or "Rolling")
        return ActionResult({"InstanceRefreshId": refresh.instance_refresh_id})

    r.AutoScalingResponse.start_instance_refresh = start_instance_refresh

    def describe_instance_refreshes(self):
        group = _group(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
        ids = self._get_param("InstanceRefreshIds", [])
        refreshes = list(reversed(engine.gsim(group).refreshes))
        if ids:
            refreshes = [x for x in refreshes if x.instance_refresh_id in ids]
        max_records = self._get_int_param("MaxRecords") or 50
        token = self._get_param("NextToken")
        start = int(token) if token and token.isdigit() else 0
        page = refreshes[start:start + max_records]
        result = {"InstanceRefreshes": page}
        if len(refreshes) > start + max_records:
            result["NextToken"] = str(start + max_records)
        return ActionResult(result)

    r.AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes

    def cancel_instance_refresh(self):
        group = _group(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
        refresh = engine.cancel_refresh(group)
        return ActionResult({"InstanceRefreshId": refresh.instance_refresh_id})

    r.AutoScalingResponse.cancel_instance_refresh = cancel_instance_refresh


def _group(backend, name):
    from moto.autoscaling.exceptions import ValidationError

    group = backend.autoscaling_groups.get(name)
    if group is None:
        raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup {name} not found")
    return group


# ====================================================================== EC2


def _zone_of(ec2, kwargs) -> Optional[str]:
    subnet_id = kwargs.get("subnet_id")
    if not subnet_id:
        for nic in kwargs.get("nics") or []:
            if int(nic.get("DeviceIndex", 0)) == 0 and nic.get("SubnetId"):
                subnet_id = nic["SubnetId"]
    if subnet_id:
        return ec2.get_subnet(subnet_id).availability_zone
    return kwargs.get("placement")


def offered_zones(ec2, instance_type: str) -> list:
    offers = ec2.describe_instance_type_offerings("availability-zone", {"instance-type": [instance_type]})
    return sorted({o["Location"] for o in offers})


def _ec2(engine: Engine, originals: dict) -> None:
    from moto.ec2.exceptions import EC2ClientError, InvalidTaggableResourceType
    from moto.ec2.models import amis as amis_module
    from moto.ec2.models import instance_types as it
    from moto.ec2.models import instances as inst
    from moto.ec2.models import launch_templates as lt
    from moto.ec2.responses import general

    run_original = _orig(originals, "moto.ec2.models.instances", "InstanceBackend", "run_instances")

    def run_instances(self, image_id, count, user_data, security_group_names, **kwargs):
        template_data = {}
        if kwargs.get("launch_template"):
            template_data = self._get_template_from_args(kwargs["launch_template"]).data
            if not image_id:
                image_id = template_data.get("ImageId")
            if kwargs.get("is_instance_type_default") and template_data.get("InstanceType"):
                kwargs["instance_type"] = template_data["InstanceType"]
                kwargs["is_instance_type_default"] = False
            if user_data is None and template_data.get("UserData"):
                user_data = template_data.get("UserData")
        instance_type = kwargs.get("instance_type") or "m1.small"
        zone = _zone_of(self, kwargs)
        if zone:
            zones = offered_zones(self, instance_type)
            all_zones = sorted(z.name for z in self.describe_availability_zones())
            if zones and zone not in zones or (not zones and engine.faults.unoffered(zone, instance_type)):
                others = ", ".join(z for z in zones if z != zone)
                raise EC2ClientError(
                    "Unsupported",
                    f"Your requested instance type ({instance_type}) is not supported in your requested Availability Zone "
                    f"({zone}). Please retry your request by not specifying an Availability Zone or choosing {others}.")
            if engine.faults.insufficient_capacity(zone, instance_type):
                others = ", ".join(z for z in (zones or all_zones) if z != zone and not engine.faults.insufficient_capacity(z, instance_type))
                raise EC2ClientError(
                    "InsufficientInstanceCapacity",
                    f"We currently do not have sufficient {instance_type} capacity in the Availability Zone you requested "
                    f"({zone}). Our system will be working on provisioning additional capacity. You can currently get "
                    f"{instance_type} capacity by not specifying an Availability Zone in your request or choosing {others}.")
        if not kwargs.get("metadata_options") and template_data.get("MetadataOptions"):
            kwargs["metadata_options"] = template_data["MetadataOptions"]
        if kwargs.get("monitoring_state", "disabled") == "disabled" and \
                str((template_data.get("Monitoring") or {}).get("Enabled")).lower() == "true":
            kwargs["monitoring_state"] = "enabled"
        if template_data.get("TagSpecifications"):
            from moto.ec2.utils import convert_tag_spec

            template_tags = convert_tag_spec(template_data["TagSpecifications"])
            tags = copy.deepcopy(kwargs.get("tags") or {})
            for resource_type in ("volume",):
                if template_tags.get(resource_type):
                    merged = dict(template_tags[resource_type])
                    merged.update(tags.get(resource_type, {}))
                    tags[resource_type] = merged
            kwargs["tags"] = tags
        mappings = _resolve_block_devices(self, image_id, template_data.get("BlockDeviceMappings"),
                                          kwargs.get("block_device_mappings") if "block_device_mappings" in kwargs else None)
        if mappings is not None:
            kwargs["block_device_mappings"] = mappings
        kwargs.pop("launch_config", None) if mappings is not None else None
        reservation = run_original(self, image_id, count, user_data, security_group_names, **kwargs)
        profile = template_data.get("IamInstanceProfile") or {}
        text = None
        if user_data:
            try:
                text = base64.b64decode(str(user_data)).decode("utf-8", "replace")
            except Exception:  # noqa: BLE001
                text = str(user_data)
        for instance in reservation.instances:
            if profile and not self.iam_instance_profile_associations.get(instance.id):
                try:
                    self.associate_iam_instance_profile(instance_id=instance.id,
                                                        iam_instance_profile_name=profile.get("Name"),
                                                        iam_instance_profile_arn=profile.get("Arn"))
                except Exception:  # noqa: BLE001 - an unknown profile is the caller's problem on AWS too
                    pass
            engine.register_instance(instance, self.account_id, self.region_name, text)
        return reservation

    inst.InstanceBackend.run_instances = run_instances

    terminate_original = _orig(originals, "moto.ec2.models.instances", "InstanceBackend", "terminate_instances")

    def terminate_instances(self, instance_ids):
        before = {i.id: i.state for i in self.get_multi_instances_by_id(instance_ids)} if instance_ids else {}
        result = terminate_original(self, instance_ids)
        for instance, _previous in result:
            if before.get(instance.id) not in ("terminated",):
                engine.instance_stopping(instance, terminating=True)
        return result

    inst.InstanceBackend.terminate_instances = terminate_instances

    stop_original = _orig(originals, "moto.ec2.models.instances", "InstanceBackend", "stop_instances")

    def stop_instances(self, instance_ids):
        result = stop_original(self, instance_ids)
        for instance, _previous in result:
            engine.instance_stopping(instance, terminating=False)
        return result

    inst.InstanceBackend.stop_instances = stop_instances

    start_original = _orig(originals, "moto.ec2.models.instances", "InstanceBackend", "start_instances")

    def start_instances(self, instance_ids):
        result = start_original(self, instance_ids)
        for instance, previous in result:
            if previous.name != "running":
                engine.instance_starting(instance)
        return result

    inst.InstanceBackend.start_instances = start_instances

    # CreateLaunchTemplate: the template's own tags (resource type launch-template) are not launch data.
    create_template = _orig(originals, "moto.ec2.models.launch_templates", "LaunchTemplateBackend", "create_launch_template")

    def create_launch_template(self, name, description, template_data, tag_spec):
        specs = template_data.get("TagSpecifications")
        if specs is not None:
            kept = [s for s in specs if s.get("ResourceType") != "launch-template"]
            if kept:
                template_data["TagSpecifications"] = kept
            else:
                template_data.pop("TagSpecifications")
        return create_template(self, name, description, template_data, tag_spec)

    lt.LaunchTemplateBackend.create_launch_template = create_launch_template

    # CreateImage: snapshots of the instance's volumes (size, type, encryption), snapshot tags,
    # the instance's root device name, and a pending -> available transition.
    create_image_original = _orig(originals, "moto.ec2.models.amis", "AmiBackend", "create_image")

    def create_image(self, instance_id, name, description, tag_specifications):
        instance = self.get_instance(instance_id)
        image_specs, snapshot_tags = [], {}
        for spec in tag_specifications or []:
            resource_type = spec.get("ResourceType")
            if resource_type == "image":
                image_specs.append(spec)
            elif resource_type == "snapshot":
                snapshot_tags.update({t["Key"]: t["Value"] for t in spec.get("Tags", [])})
            else:
                raise InvalidTaggableResourceType(resource_type)
        ami = create_image_original(self, instance_id, name, description, image_specs)
        placeholder = getattr(ami, "ebs_snapshot", None)
        if placeholder is not None:
            self.snapshots.pop(placeholder.id, None)
        mappings, snapshots = [], []
        for device, block in instance.get_block_device_mapping:
            volume = self.get_volume(block.volume_id)
            snapshot = self.create_snapshot(volume.id, f"Created by CreateImage({instance_id}) for {ami.id}",
                                            from_ami=ami.id)
            snapshot.kms_key_id = volume.kms_key_id
            if snapshot_tags:
                snapshot.add_tags(snapshot_tags)
            snapshots.append(snapshot)
            ebs = {"DeleteOnTermination": bool(block.delete_on_termination), "SnapshotId": snapshot.id,
                   "VolumeSize": volume.size, "VolumeType": volume.volume_type, "Encrypted": bool(volume.encrypted)}
            if volume.iops:
                ebs["Iops"] = volume.iops
            if volume.throughput:
                ebs["Throughput"] = volume.throughput
            if volume.encrypted and volume.kms_key_id:
                ebs["KmsKeyId"] = volume.kms_key_id
            mappings.append({"DeviceName": device, "Ebs": ebs})
            if device == instance.root_device_name:
                ami.ebs_snapshot = snapshot
        ami.root_device_name = instance.root_device_name
        ami.root_device_type = "ebs"
        ami.sandbox_block_device_mappings = mappings
        if not mappings and placeholder is not None:
            self.snapshots[placeholder.id] = placeholder
        engine.image_created(self, ami, snapshots)
        return ami

    amis_module.AmiBackend.create_image = create_image

    bdm_property = _orig(originals, "moto.ec2.models.amis", "Ami", "block_device_mappings")

    def ami_block_device_mappings(self):
        mappings = getattr(self, "sandbox_block_device_mappings", None)
        if mappings is not None:
            return copy.deepcopy(mappings)
        return bdm_property.fget(self)

    amis_module.Ami.block_device_mappings = property(ami_block_device_mappings)

    offerings_original = _orig(originals, "moto.ec2.models.instance_types", "InstanceTypeOfferingBackend",
                               "describe_instance_type_offerings")

    def describe_instance_type_offerings(self, location_type=None, filters=None):
        offers = offerings_original(self, location_type, filters)
        location_type = location_type or "region"
        if location_type == "region":
            return offers
        zone_of_id = {}
        if location_type == "availability-zone-id":
            zone_of_id = {z.zone_id: z.name for z in self.describe_availability_zones()}
        return [o for o in offers
                if not engine.faults.unoffered(zone_of_id.get(o["Location"], o["Location"]), o["InstanceType"])]

    it.InstanceTypeOfferingBackend.describe_instance_type_offerings = describe_instance_type_offerings

    def get_console_output(self):
        instance = self.ec2_backend.get_instance(self._get_param("InstanceId"))
        sim = engine.sim_for(instance)
        now = engine.now()
        plan = sim.script
        text = model.console_output(
            instance.id, sim.launched_at, now, sim.running_at, sim.boot_done_at, sim.user_data,
            plan.stdout if plan else "", plan.exit_code if plan else 0, model.user_data_kind(sim.user_data))
        result = {"InstanceId": instance.id, "Timestamp": to_dt(now)}
        if text is not None and instance.state not in ("terminated",):
            result["Output"] = base64.b64encode(text.encode()).decode()
        return ActionResult(result)

    general.General.get_console_output = get_console_output


def _resolve_block_devices(ec2, image_id, template_mappings, request_mappings):
    """The block devices an instance gets: the image's, overridden by the template's, overridden by
    the request's, per device name; sizes default to the snapshot's, as on AWS.

    Returns None (leave moto alone) when the image is unknown to the sandbox."""
    image = ec2.amis.get(image_id) if image_id else None
    if image is None:
        return None
    sandbox_image = getattr(image, "sandbox_block_device_mappings", None) is not None
    merged: dict = {}
    for mapping in image.block_device_mappings or []:
        entry = copy.deepcopy(mapping)
        if not sandbox_image and entry.get("DeviceName") == image.root_device_name:
            # moto's stock AMIs say DeleteOnTermination=false; Amazon's public AMIs delete the root volume.
            entry.setdefault("Ebs", {})["DeleteOnTermination"] = True
        merged[entry["DeviceName"]] = entry
    for layer in (template_mappings, request_mappings):
        for mapping in layer or []:
            device = mapping.get("DeviceName")
            if not device:
                continue
            if mapping.get("NoDevice") is not None and mapping.get("NoDevice") != "false" and "Ebs" not in mapping:
                merged.pop(device, None)
                continue
            if "Ebs" not in mapping:
                continue  # instance store (VirtualName): nothing to create in the sandbox
            base = merged.get(device, {"DeviceName": device, "Ebs": {}})
            ebs = dict(base.get("Ebs") or {})
            ebs.update({k: v for k, v in (mapping.get("Ebs") or {}).items() if v is not None})
            merged[device] = {"DeviceName": device, "Ebs": ebs}
    result = []
    for device, mapping in merged.items():
        ebs = mapping.get("Ebs") or {}
        snapshot_id = ebs.get("SnapshotId")
        snapshot = ec2.snapshots.get(snapshot_id) if snapshot_id else None
        if ebs.get("VolumeSize") is None and snapshot is not None:
            ebs["VolumeSize"] = snapshot.volume.size
        if snapshot is not None and snapshot.encrypted:
            ebs["Encrypted"] = True
        if ebs.get("Encrypted") is None and ec2.ebs_encryption_by_default:
            ebs["Encrypted"] = True
        if snapshot_id and snapshot is None:
            ebs.pop("SnapshotId")  # moto's stock AMIs reference snapshots it did not keep
        for key in ("Encrypted", "DeleteOnTermination"):
            if isinstance(ebs.get(key), str):
                ebs[key] = ebs[key].lower() == "true"
        if isinstance(ebs.get("VolumeSize"), str):
            ebs["VolumeSize"] = int(ebs["VolumeSize"])
        ebs.setdefault("VolumeType", "gp2")
        result.append({"DeviceName": device, "Ebs": ebs})
    return result


# ====================================================================== ELBv2


def _elbv2(engine: Engine, originals: dict) -> None:
    from moto.elbv2 import models as e

    E = "moto.elbv2.models"
    register_original = _orig(originals, E, "FakeTargetGroup", "register")

    def register(self, targets):
        register_original(self, targets)
        now = engine.now()
        registered = self.__dict__.setdefault("sandbox_registered", {})
        draining = self.__dict__.setdefault("sandbox_draining", {})
        for target in targets:
            registered.setdefault(target["Id"], now)
            draining.pop(target["Id"], None)

    e.FakeTargetGroup.register = register

    deregister_original = _orig(originals, E, "FakeTargetGroup", "deregister")

    def _start_draining(self, ids):
        now = engine.now()
        delay = float(self.attributes.get("deregistration_delay.timeout_seconds", 300))
        draining = self.__dict__.setdefault("sandbox_draining", {})
        registered = self.__dict__.setdefault("sandbox_registered", {})
        for target_id, target in ids:
            draining[target_id] = (now + delay, target)
            registered.pop(target_id, None)

    def deregister(self, targets):
        present = [(t["Id"], self.targets.get(t["Id"])) for t in targets if t["Id"] in self.targets]
        deregister_original(self, targets)
        _start_draining(self, present)

    e.FakeTargetGroup.deregister = deregister

    def deregister_terminated_instances(self, instance_ids):
        present = [(i, self.targets[i]) for i in instance_ids if i in self.targets]
        for target_id, _ in present:
            self.targets.pop(target_id, None)
        _start_draining(self, present)

    e.FakeTargetGroup.deregister_terminated_instances = deregister_terminated_instances

    def health_for(self, target, ec2_backend):
        target_id = target["Id"]
        now = engine.now()
        port = target.get("Port") or self.port
        t = self.targets.get(target_id)
        hc_port = self.health_check_port
        if t is None:
            drain = self.__dict__.get("sandbox_draining", {}).get(target_id)
            if drain and now < drain[0]:
                return e.FakeHealthStatus(target_id, (drain[1] or {}).get("Port", port), hc_port, "draining",
                                          "Target.DeregistrationInProgress", "Target deregistration is in progress")
            return e.FakeHealthStatus(target_id, port, hc_port, "unused", "Target.NotRegistered",
                                      "Target is not registered to the target group")
        port = t.get("Port", port)
        instance = ec2_backend.get_instance_by_id(target_id) if target_id.startswith("i-") else None
        if instance is not None and instance.state != "running":
            return e.FakeHealthStatus(target_id, port, hc_port, "unused", "Target.InvalidState",
                                      f"Target is in the {instance.state} state")
        if not self.load_balancer_arns:
            return e.FakeHealthStatus(target_id, port, hc_port, "unused", "Target.NotInUse",
                                      "Target group is not configured to receive traffic from the load balancer")
        if not self.health_check_enabled:
            return e.FakeHealthStatus(target_id, port, hc_port, "unavailable", "Target.HealthCheckDisabled",
                                      "Health checks are disabled for the target group")
        registered_at = self.__dict__.get("sandbox_registered", {}).get(target_id, now - 86400)
        backend = e.elbv2_backends[self.account_id][self.region_name]
        active_at = max([getattr(backend.load_balancers.get(arn), "sandbox_active_at", 0) or 0
                         for arn in self.load_balancer_arns] or [0])
        elapsed = now - max(registered_at, active_at)
        interval = float(self.health_check_interval_seconds or 30)
        group = getattr(instance, "autoscaling_group", None) if instance is not None else None
        if engine.faults.never_healthy(target_id, getattr(group, "name", None)):
            if elapsed < float(self.unhealthy_threshold_count or 2) * interval:
                return e.FakeHealthStatus(target_id, port, hc_port, "initial", "Elb.RegistrationInProgress",
                                          "Target registration is in progress")
            return e.FakeHealthStatus(target_id, port, hc_port, "unhealthy", "Target.FailedHealthChecks",
                                      "Health checks failed")
        if elapsed < float(self.healthy_threshold_count or 5) * interval:
            return e.FakeHealthStatus(target_id, port, hc_port, "initial", "Elb.RegistrationInProgress",
                                      "Target registration is in progress")
        return e.FakeHealthStatus(target_id, port, hc_port, "healthy")

    e.FakeTargetGroup.health_for = health_for

    def activate(self):
        if self.state == "provisioning" and engine.now() >= (getattr(self, "sandbox_active_at", 0) or 0):
            self.state = "active"

    e.FakeLoadBalancer.activate = activate

    create_lb_original = _orig(originals, E, "ELBv2Backend", "create_load_balancer")

    def create_load_balancer(self, *args, **kwargs):
        balancer = create_lb_original(self, *args, **kwargs)
        balancer.sandbox_active_at = engine.now() + engine.delays.lb_provisioning_s
        return balancer

    e.ELBv2Backend.create_load_balancer = create_load_balancer

    describe_health_original = _orig(originals, E, "ELBv2Backend", "describe_target_health")

    def describe_target_health(self, target_group_arn, targets):
        result = describe_health_original(self, target_group_arn, targets)
        if not targets:
            tg = self.target_groups[target_group_arn]
            now = engine.now()
            for target_id, (until, target) in list(tg.__dict__.get("sandbox_draining", {}).items()):
                if now < until and target_id not in tg.targets:
                    result.append(tg.health_for({"Id": target_id, "Port": (target or {}).get("Port")}, self.ec2_backend))
        return result

    e.ELBv2Backend.describe_target_health = describe_target_health


# ====================================================================== CloudWatch


def _cloudwatch(engine: Engine, originals: dict) -> None:
    from moto.cloudwatch import models as c
    from moto.cloudwatch import responses as cr

    C = "moto.cloudwatch.models"
    update_original = _orig(originals, C, "Alarm", "update_state")

    def update_state(self, reason, reason_data, state_value):
        old_value, old_reason = self.state_value, self.state_reason
        update_original(self, reason, reason_data, state_value)
        account = self.alarm_arn.split(":")[4]
        try:
            new_data = json.loads(reason_data) if reason_data else None
        except ValueError:
            new_data = None
        data = {"version": "1.0", "oldState": {"stateValue": old_value, "stateReason": old_reason},
                "newState": {"stateValue": state_value, "stateReason": reason}}
        if new_data:
            data["newState"]["stateReasonData"] = new_data
        engine.record_history(account, self.region_name, self.name, "StateUpdate",
                              f"Alarm updated from {old_value} to {state_value}", data)

    c.Alarm.update_state = update_state

    put_alarm_original = _orig(originals, C, "CloudWatchBackend", "put_metric_alarm")

    def put_metric_alarm(self, name, *args, **kwargs):
        existed = name in self.alarms
        alarm = put_alarm_original(self, name, *args, **kwargs)
        if not existed:
            alarm.state_value = "INSUFFICIENT_DATA"
            alarm.state_reason = "Unchecked: Initial alarm creation"
        engine.record_history(self.account_id, self.region_name, name, "ConfigurationUpdate",
                              f'Alarm "{name}" {"updated" if existed else "created"}',
                              {"version": "1.0", "type": "Update" if existed else "Create",
                               "createdAlarm" if not existed else "updatedAlarm": {
                                   "threshold": alarm.threshold, "comparisonOperator": alarm.comparison_operator,
                                   "evaluationPeriods": alarm.evaluation_periods, "period": alarm.period,
                                   "metricName": alarm.metric_name, "namespace": alarm.namespace}})
        return alarm

    c.CloudWatchBackend.put_metric_alarm = put_metric_alarm

    def describe_alarm_history(self):
        name = self._get_param("AlarmName")
        kinds = self._get_param("AlarmTypes") or []
        item_type = self._get_param("HistoryItemType")
        start = self._get_param("StartDate")
        end = self._get_param("EndDate")
        scan_by = self._get_param("ScanBy") or "TimestampDescending"
        max_records = int(self._get_param("MaxRecords") or 100)
        items = list(engine.alarm_history.get((self.current_account, self.region), []))
        if name:
            items = [i for i in items if i["AlarmName"] == name]
        if kinds:
            items = [i for i in items if i["AlarmType"] in kinds]
        if item_type:
            items = [i for i in items if i["HistoryItemType"] == item_type]
        if start:
            items = [i for i in items if to_epoch(i["Timestamp"]) >= to_epoch(start)]
        if end:
            items = [i for i in items if to_epoch(i["Timestamp"]) <= to_epoch(end)]
        items.sort(key=lambda i: i["Timestamp"], reverse=scan_by != "TimestampAscending")
        token = self._get_param("NextToken")
        offset = int(token) if token and str(token).isdigit() else 0
        page = items[offset:offset + max_records]
        result = {"AlarmHistoryItems": page}
        if len(items) > offset + max_records:
            result["NextToken"] = str(offset + max_records)
        return ActionResult(result)

    cr.CloudWatchResponse.describe_alarm_history = describe_alarm_history


# ====================================================================== SSM


def _ssm(engine: Engine, originals: dict) -> None:
    from moto.ssm import models as s
    from moto.ssm import responses as sr

    from moto.ssm.exceptions import SSMException

    send_original = _orig(originals, "moto.ssm.models", "SimpleSystemManagerBackend", "send_command")

    def send_command(self, **kwargs):
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[self.account_id][self.region_name]
        bad = []
        for instance_id in kwargs.get("instance_ids") or []:
            instance = ec2.get_instance_by_id(instance_id)
            if instance is None or not engine.ssm_online(instance):
                bad.append(instance_id)
        if bad:
            listed = ", ".join(bad)
            raise SSMException("InvalidInstanceId",
                                   f"Instances [[{listed}]] not in a valid state for account {self.account_id}")
        wanted = set(kwargs.get("instance_ids") or [])
        targets = kwargs.get("targets") or []
        if targets:
            wanted |= _resolve_targets(ec2, targets)
        if not wanted:
            raise SSMException("InvalidParameters" if targets else "ValidationException",
                               "No instances found for the targets of this command." if targets else
                               "Either InstanceIds or Targets must be specified.")
        command = send_original(self, **dict(kwargs, instance_ids=sorted(wanted), targets=[]))
        command.targets = targets
        # moto adds every instance of the region when Targets is empty; keep the ones asked for,
        # and, as Run Command does, only managed (online) instances.
        online = []
        for inv in command.invocations:
            instance = ec2.get_instance_by_id(inv["InstanceId"])
            if inv["InstanceId"] in wanted and instance is not None and engine.ssm_online(instance):
                online.append(inv)
        command.invocations = online
        command.instance_ids = [inv["InstanceId"] for inv in online] if not targets else []
        command.target_count = len(command.invocations)
        if command.document_name == "AWS-RunShellScript" and command.invocations:
            engine.start_command(self.account_id, self.region_name, command)
        return command

    s.SimpleSystemManagerBackend.send_command = send_command

    def _resolve_targets(ec2, targets):
        found = set()
        for target in targets:
            key, values = target.get("Key", ""), set(target.get("Values") or [])
            for instance in ec2.all_instances():
                tags = {t["key"]: t["value"] for t in instance.get_tags()}
                if key == "InstanceIds" and instance.id in values:
                    found.add(instance.id)
                elif key.startswith("tag:") and tags.get(key[4:]) in values:
                    found.add(instance.id)
                elif key == "tag-key" and values & set(tags):
                    found.add(instance.id)
        return found

    def list_command_invocations(self):
        command_id = self._get_param("CommandId")
        instance_id = self._get_param("InstanceId")
        details = bool(self._get_param("Details"))
        commands = self.ssm_backend.list_commands(command_id, instance_id) if (command_id or instance_id) \
            else list(self.ssm_backend._commands)
        items = []
        for command in sorted(commands, key=lambda c: c.requested_date_time, reverse=True):
            for record in command.invocations:
                if instance_id and record["InstanceId"] != instance_id:
                    continue
                item = {
                    "CommandId": command.command_id, "InstanceId": record["InstanceId"], "InstanceName": "",
                    "Comment": command.comment, "DocumentName": command.document_name, "DocumentVersion": "$DEFAULT",
                    "RequestedDateTime": command.requested_date_time, "Status": record["Status"],
                    "StatusDetails": record["StatusDetails"], "StandardOutputUrl": "", "StandardErrorUrl": "",
                    "ServiceRole": command.service_role_arn or "",
                    "CommandPlugins": [],
                }
                if details:
                    plugin = {"Name": record.get("PluginName", "aws:runShellScript"), "Status": record["Status"],
                              "StatusDetails": record["StatusDetails"], "ResponseCode": record.get("ResponseCode", -1),
                              "Output": record.get("StandardOutputContent", ""), "StandardOutputUrl": "",
                              "StandardErrorUrl": "", "OutputS3Region": command.output_s3_region or "",
                              "OutputS3BucketName": "", "OutputS3KeyPrefix": ""}
                    if record.get("ExecutionStartDateTime"):
                        plugin["ResponseStartDateTime"] = to_dt(to_epoch(record["ExecutionStartDateTime"]))
                    if record.get("ExecutionEndDateTime"):
                        plugin["ResponseFinishDateTime"] = to_dt(to_epoch(record["ExecutionEndDateTime"]))
                    item["CommandPlugins"] = [plugin]
                items.append(item)
        max_results = int(self._get_param("MaxResults") or 50)
        token = self._get_param("NextToken")
        offset = int(token) if token and str(token).isdigit() else 0
        result = {"CommandInvocations": items[offset:offset + max_results]}
        if len(items) > offset + max_results:
            result["NextToken"] = str(offset + max_results)
        return ActionResult(result)

    sr.SimpleSystemManagerResponse.list_command_invocations = list_command_invocations

    def cancel_command(self):
        command = self.ssm_backend.get_command_by_id(self._get_param("CommandId"))
        engine.cancel_command(command, self._get_param("InstanceIds") or [])
        return ActionResult({})

    sr.SimpleSystemManagerResponse.cancel_command = cancel_command

    def describe_instance_information(self):
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[self.current_account][self.region]
        wanted = set()
        for f in (self._get_param("InstanceInformationFilterList") or []):
            if f.get("key") == "InstanceIds":
                wanted.update(f.get("valueSet") or [])
        for f in (self._get_param("Filters") or []):
            if f.get("Key") in ("InstanceIds", "InstanceId"):
                wanted.update(f.get("Values") or [])
        items = []
        for instance in ec2.all_instances():
            if wanted and instance.id not in wanted:
                continue
            if not engine.ssm_online(instance):
                continue
            sim = engine.sim_for(instance)
            items.append({
                "InstanceId": instance.id, "PingStatus": "Online", "LastPingDateTime": to_dt(engine.now()),
                "AgentVersion": "3.3.987.0", "IsLatestVersion": True, "PlatformType": "Linux",
                "PlatformName": "Amazon Linux", "PlatformVersion": "2023", "ResourceType": "EC2Instance",
                "IPAddress": instance.private_ip_address, "ComputerName": instance.private_dns_name,
                "RegistrationDate": to_dt(sim.boot_done_at), "LastSuccessfulPingDateTime": to_dt(engine.now()),
            })
        max_results = int(self._get_param("MaxResults") or 50)
        token = self._get_param("NextToken")
        offset = int(token) if token and str(token).isdigit() else 0
        result = {"InstanceInformationList": items[offset:offset + max_results]}
        if len(items) > offset + max_results:
            result["NextToken"] = str(offset + max_results)
        return ActionResult(result)

    sr.SimpleSystemManagerResponse.describe_instance_information = describe_instance_information


# ====================================================================== Launch template versions


def _launch_template_versions(originals: dict) -> None:
    """DeleteLaunchTemplateVersions, which moto lacks (amazon.aws.ec2_launch_template calls it to
    delete a template that has several versions). As on AWS, any version but the default can go;
    deleted versions disappear from DescribeLaunchTemplateVersions. moto indexes versions by number,
    so they are hidden rather than removed."""
    from moto.core.responses import ActionResult
    from moto.ec2.models import launch_templates as m
    from moto.ec2.responses import launch_templates as r

    describe = _orig(originals, "moto.ec2.models.launch_templates", "LaunchTemplateBackend", "describe_launch_template_versions")

    def describe_launch_template_versions(self, *args, **kwargs):
        return [(template, version) for template, version in describe(self, *args, **kwargs)
                if version.number not in getattr(template, "deleted_versions", set())]

    m.LaunchTemplateBackend.describe_launch_template_versions = describe_launch_template_versions

    def delete_launch_template_versions(self):
        tid, name = self._get_param("LaunchTemplateId"), self._get_param("LaunchTemplateName")
        template = self.ec2_backend.get_launch_template(tid) if tid else self.ec2_backend.get_launch_template_by_name(name)
        deleted = template.__dict__.setdefault("deleted_versions", set())
        done, refused = [], []
        for raw in self._get_param("Versions", []) or []:
            entry = {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name}
            number = int(raw) if str(raw).isdigit() else None
            if number is None or not 1 <= number <= len(template.versions) or number in deleted:
                refused.append(dict(entry, VersionNumber=number or 0, ResponseError={
                    "Code": "launchTemplateVersionDoesNotExist", "Message": "The specified launch template version does not exist."}))
            elif number == template.default_version_number:
                refused.append(dict(entry, VersionNumber=number, ResponseError={
                    "Code": "launchTemplateVersionIsDefault", "Message": "The default version of a launch template cannot be deleted."}))
            else:
                deleted.add(number)
                done.append(dict(entry, VersionNumber=number))
        return ActionResult({"SuccessfullyDeletedLaunchTemplateVersions": done,
                             "UnsuccessfullyDeletedLaunchTemplateVersions": refused})

    r.LaunchTemplates.delete_launch_template_versions = delete_launch_template_versions


# ====================================================================== IAM enforcement (opt-in)


def apply_iam_enforcement() -> None:
    """Authenticate and authorise every AWS request from now on (iampolicy.py says how).

    moto's switch is settings.INITIAL_NO_AUTH_ACTION_COUNT, compared at every request with a
    process-wide counter of requests served unchecked (moto.core.authorization); the sandbox pins it
    at 0 before every check, so neither the counter nor POST /moto-api/reset-auth can turn the checks
    off. The admin key skips them; everything else goes through moto's IAMRequest (key lookup,
    SigV4 signature) and the sandbox's decision."""
    global _iam_applied
    if _iam_applied:
        return
    from moto import settings
    from moto.core import authorization as auth
    from moto.iam import access_control as ac

    from . import iampolicy

    originals = {(m, c, a): _target(m, c, a)[1] for m, c, a in IAM_TARGETS}
    authenticate = originals[("moto.core.authorization", "ActionAuthenticatorMixin", "_authenticate_and_authorize_action")]

    def _authenticate_and_authorize_action(self, iam_request_cls, resource="*"):
        key = iampolicy.access_key_id(self.headers.get("Authorization"))
        if key == iampolicy.ADMIN_ACCESS_KEY_ID:
            return None
        if key is None:  # moto would fail with a KeyError/IndexError (500)
            raise iampolicy.missing_authentication(self.headers, getattr(self, "service_name", None))
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        return authenticate(self, iam_request_cls, resource)

    auth.ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action

    def check_action_permitted(self, resource):
        self._action = iampolicy.iam_action(self._action)
        documents = [iampolicy.policy_document(p) for p in self._access_key.collect_policies()]
        decision = iampolicy.decide(self._action, documents)
        if decision == iampolicy.DENY:
            self._sandbox_explicit_deny = True
            self._raise_access_denied()
        permitted = decision == iampolicy.ALLOW
        if self._is_assuming_role_operation(resource):  # sts:AssumeRole: the role's trust policy, as moto
            permitted = permitted and self._check_role_trust_relationship(resource)
        if not permitted:
            self._raise_access_denied()

    ac.IAMRequestBase.check_action_permitted = check_action_permitted

    def _raise_access_denied(self):
        raise iampolicy.access_denied(self._service, self._headers, self._access_key.arn, self._action,
                                      explicit=getattr(self, "_sandbox_explicit_deny", False))

    ac.IAMRequest._raise_access_denied = _raise_access_denied

    invalid_key = originals[("moto.iam.access_control", "IAMRequest", "_raise_invalid_access_key")]
    bad_signature = originals[("moto.iam.access_control", "IAMRequest", "_raise_signature_does_not_match")]

    # moto answers these in XML whatever the protocol; JSON clients (SSM, CloudWatch) could not read the code.
    def _raise_invalid_access_key(self, reason):
        if iampolicy.is_json_protocol(self._headers):
            raise iampolicy.invalid_access_key(self._headers)
        return invalid_key(self, reason)

    def _raise_signature_does_not_match(self):
        if iampolicy.is_json_protocol(self._headers):
            raise iampolicy.signature_does_not_match(self._headers)
        return bad_signature(self)

    ac.IAMRequest._raise_invalid_access_key = _raise_invalid_access_key
    ac.IAMRequest._raise_signature_does_not_match = _raise_signature_does_not_match

    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    auth.ActionAuthenticatorMixin.request_count = 0
    _iam_applied = True
