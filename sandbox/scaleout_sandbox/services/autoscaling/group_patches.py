"""Auto Scaling groups: the group never launches or terminates by itself (groups.py reconciles
towards the desired capacity, with AWS's causes); creation, update, SetDesiredCapacity and
deletion validate as AWS does; TerminateInstanceInAutoScalingGroup drains and records an activity."""

from __future__ import annotations

from moto.core.responses import EmptyResult

from ...core.registry import patch
from ...core.timestamps import at, to_dt
from ..elbv2 import targets
from .validation_patches import validate_group_request

M = "moto.autoscaling.models"
R = "moto.autoscaling.responses"


def validate_sizes(min_size, max_size, desired):
    from moto.autoscaling.exceptions import ValidationError

    if min_size is not None and max_size is not None and min_size > max_size:
        raise ValidationError(f"Max bound, {max_size}, must be greater than or equal to min bound, {min_size}")
    if desired is not None and min_size is not None and desired < min_size:
        raise ValidationError(f"Desired capacity:{desired} must be between the specified min size:{min_size} and max size:{max_size}")
    if desired is not None and max_size is not None and desired > max_size:
        raise ValidationError(f"Desired capacity:{desired} must be between the specified min size:{min_size} and max size:{max_size}")


# ---------------------------------------------------------------------- models


@patch(M, "FakeAutoScalingGroup", "set_desired_capacity")
def set_desired_capacity(engine, _original):
    def set_desired_capacity(self, new_capacity):
        self.desired_capacity = self.min_size if new_capacity is None else new_capacity
        if self.name in self.autoscaling_backend.autoscaling_groups and not engine.groups.gsim(self).reconcile_on_hold:
            engine.groups.reconcile(self)

    return set_desired_capacity


@patch(M, "InstanceState", "launch_template")
def instance_launch_template(engine, _original):
    # The launch template version an instance was launched from (moto reports the default one).
    def launch_template(self):
        group = self.auto_scaling_group
        if group is None or group.ec2_launch_template is None:
            return None
        sim = engine.instances.get(self.instance.id)
        version = sim.version if sim and sim.version else str(group.ec2_launch_template.default_version_number)
        return {"LaunchTemplateId": group.ec2_launch_template.id,
                "LaunchTemplateName": group.ec2_launch_template.name, "Version": version}

    return property(launch_template)


@patch(M, "AutoScalingBackend", "notify_terminate_instances")
def notify_terminate_instances(_engine, _original):
    # Instances terminated underneath a group: groups.py notices and replaces them (with an activity).
    return lambda self, instance_ids: None


@patch(M, "AutoScalingBackend", "update_attached_target_groups")
def update_attached_target_groups(_engine, _original):
    # Only InService, running instances are registered with target groups.
    def update_attached_target_groups(self, group_name):
        group = self.autoscaling_groups[group_name]
        ready = [s.instance.id for s in group.instance_states
                 if s.lifecycle_state == "InService" and s.instance.state == "running"]
        targets.register(group, ready)

    return update_attached_target_groups


@patch(M, "AutoScalingBackend", "detach_load_balancer_target_groups")
def detach_load_balancer_target_groups(_engine, _original):
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

    return detach_load_balancer_target_groups


@patch(M, "AutoScalingBackend", "create_auto_scaling_group")
def create_auto_scaling_group(_engine, original):
    from moto.autoscaling.exceptions import AutoscalingClientError

    def create_auto_scaling_group(self, name, *args, **kwargs):
        if name in self.autoscaling_groups:
            raise AutoscalingClientError("AlreadyExists", f"AutoScalingGroup by this name already exists - A group with the name {name} already exists")
        return original(self, name, *args, **kwargs)

    return create_auto_scaling_group


@patch(M, "AutoScalingBackend", "delete_auto_scaling_group")
def delete_auto_scaling_group(engine, _original):
    """Refused while instances remain (unless ForceDelete); then the group shows "Delete in
    progress" until its instances have terminated."""
    from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError

    def delete_auto_scaling_group(self, group_name, force_delete=True):
        if group_name not in self.autoscaling_groups:
            raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup '{group_name}' not found")
        group = self.autoscaling_groups[group_name]
        gs = engine.groups.gsim(group)
        if gs.deleting:
            return
        if group.instance_states and not force_delete:
            raise AutoscalingClientError("ResourceInUse", "You cannot delete an AutoScalingGroup while there are instances "
                                                          "or pending Spot instance request(s) still in the group.")
        now = engine.now()
        for policy in [p for p in self.policies.values() if p.auto_scaling_group_name == group_name]:
            engine.target_tracking.delete_alarms(self, policy)
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
                engine.groups.begin_termination(group, gs, state, now, cause)
        if not group.instance_states:
            engine.groups.forget(self, group, gs)

    return delete_auto_scaling_group


@patch(M, "AutoScalingBackend", "terminate_instance")
def terminate_instance(engine, _original):
    from moto.autoscaling.exceptions import ValidationError

    def terminate_instance(self, instance_id, should_decrement):
        state = next((s for g in self.autoscaling_groups.values() for s in g.instance_states
                      if s.instance.id == instance_id), None)
        if state is None:
            raise ValidationError(f"Instance Id not found - No managed instance found for instance ID: {instance_id}")
        group = state.auto_scaling_group
        gs = engine.groups.gsim(group)
        now = engine.now()
        before = len(engine.groups.live_states(group))
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
        return engine.groups.begin_termination(group, gs, state, now, cause)

    return terminate_instance


# ---------------------------------------------------------------------- responses


def _refuse_unpropagated_profile(engine, response) -> None:
    """CreateAutoScalingGroup validates the launch template: a profile IAM has not propagated yet fails it."""
    from moto.autoscaling.exceptions import ValidationError
    from moto.ec2.models import ec2_backends

    spec = response._get_param("LaunchTemplate") or {}
    if not spec:
        return
    ec2 = ec2_backends[response.current_account][response.region]
    try:
        data = ec2._get_template_from_args(dict((k, v) for k, v in spec.items() if k in ("LaunchTemplateId", "LaunchTemplateName", "Version"))).data
    except Exception:  # noqa: BLE001 - a missing template is moto's own error to give
        return
    profile = data.get("IamInstanceProfile") or {}
    refusal = engine.propagation.refusal(response.current_account, profile.get("Name"), profile.get("Arn"))
    if refusal:
        raise ValidationError("You must use a valid fully-formed launch template. " + refusal)


@patch(R, "AutoScalingResponse", "create_auto_scaling_group")
def create_auto_scaling_group_response(engine, original):
    def create_auto_scaling_group(self):
        validate_group_request(self)
        validate_sizes(self._get_int_param("MinSize"), self._get_int_param("MaxSize"), self._get_int_param("DesiredCapacity"))
        _refuse_unpropagated_profile(engine, self)
        warmup = self._get_int_param("DefaultInstanceWarmup")
        result = original(self)
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        group.default_instance_warmup = warmup if warmup is not None and warmup >= 0 else None
        group.status = None
        group.created_time = to_dt(engine.now())
        group.max_instance_lifetime = self._get_int_param("MaxInstanceLifetime")
        gs = engine.groups.gsim(group)
        gs.activities = []
        desired = group.desired_capacity or 0
        if desired:
            gs.pending_cause = (f"At {at(engine.now())} a user request created an AutoScalingGroup changing the desired "
                                f"capacity from 0 to {desired}.")
        engine.groups.reconcile(group)
        return result

    return create_auto_scaling_group


@patch(R, "AutoScalingResponse", "update_auto_scaling_group")
def update_auto_scaling_group_response(engine, original):
    from moto.autoscaling.exceptions import ValidationError

    def update_auto_scaling_group(self):
        backend = self.autoscaling_backend
        name = self._get_param("AutoScalingGroupName")
        group = backend.autoscaling_groups.get(name)
        if group is None:
            raise ValidationError("AutoScalingGroup name not found - null")
        validate_group_request(self)
        new_min = self._get_int_param("MinSize")
        new_max = self._get_int_param("MaxSize")
        new_desired = self._get_int_param("DesiredCapacity")
        eff_min = group.min_size if new_min is None else new_min
        eff_max = group.max_size if new_max is None else new_max
        validate_sizes(eff_min, eff_max, new_desired)
        old_desired = group.desired_capacity or 0
        if new_desired is None:
            clamped = max(eff_min or 0, min(eff_max or 0, old_desired))
            if clamped != old_desired:
                new_desired = clamped
        gs = engine.groups.gsim(group)
        gs.reconcile_on_hold = True  # one reconcile below, with the cause
        try:
            result = original(self)
        finally:
            gs.reconcile_on_hold = False
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
            engine.groups.note_cause(group, (
                f"At {at(engine.now())} a user request update of AutoScalingGroup constraints to min: {group.min_size}, "
                f"max: {group.max_size}, desired: {group.desired_capacity} changing the desired capacity from "
                f"{old_desired} to {group.desired_capacity}."))
        engine.groups.reconcile(group)
        return result

    return update_auto_scaling_group


@patch(R, "AutoScalingResponse", "set_desired_capacity")
def set_desired_capacity_response(engine, _original):
    from moto.autoscaling.exceptions import ValidationError

    def set_desired_capacity(self):
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
            engine.groups.note_cause(group, f"At {at(engine.now())} a user request explicitly set group desired capacity "
                                            f"changing the desired capacity from {old} to {desired}.")
        engine.groups.reconcile(group)
        return EmptyResult()

    return set_desired_capacity


@patch(R, "AutoScalingResponse", "delete_auto_scaling_group")
def delete_auto_scaling_group_response(_engine, _original):
    # moto's response drops ForceDelete.
    def delete_auto_scaling_group(self):
        force = self._get_bool_param("ForceDelete", False)
        self.autoscaling_backend.delete_auto_scaling_group(self._get_param("AutoScalingGroupName"), force_delete=force)
        return EmptyResult()

    return delete_auto_scaling_group
