"""Describes that do not see a resource created moments ago (consistency.py; knob
describe_after_create_s). The creates report to engine.consistency: security groups here, instances,
images and launch templates in their own patches (instance_, image_, launch_template_patches.py).
Only the API's describes are patched: moto's own internal lookups see everything at once."""

from __future__ import annotations

import copy

from ...core.registry import patch

R = "moto.ec2.responses"


@patch("moto.ec2.models.security_groups", "SecurityGroupBackend", "create_security_group")
def create_security_group(engine, original):
    def create_security_group(self, *args, **kwargs):
        group = original(self, *args, **kwargs)
        if not kwargs.get("is_default"):
            engine.consistency.created(group.id)
        return group

    return create_security_group


@patch(f"{R}.security_groups", "SecurityGroups", "describe_security_groups")
def describe_security_groups(engine, original):
    from moto.ec2.exceptions import InvalidSecurityGroupNotFoundError

    def describe_security_groups(self):
        hidden = engine.consistency.first_hidden(self._get_param("GroupIds", []))
        if hidden:
            raise InvalidSecurityGroupNotFoundError(hidden)
        result = original(self)
        result.result["SecurityGroups"] = [g for g in result.result["SecurityGroups"] if not engine.consistency.hidden(g.id)]
        return result

    return describe_security_groups


@patch(f"{R}.instances", "InstanceResponse", "describe_instances")
def describe_instances(engine, original):
    from moto.ec2.exceptions import InvalidInstanceIdError

    def describe_instances(self):
        hidden = engine.consistency.first_hidden(self._get_param("InstanceIds", []))
        if hidden:
            raise InvalidInstanceIdError(hidden)
        result = original(self)
        kept = []
        for reservation in result.result["Reservations"]:
            instances = [i for i in reservation.instances if not engine.consistency.hidden(i.id)]
            if len(instances) != len(reservation.instances):
                reservation = copy.copy(reservation)
                reservation.instances = instances
            if instances:
                kept.append(reservation)
        result.result["Reservations"] = kept
        return result

    return describe_instances


@patch(f"{R}.amis", "AmisResponse", "describe_images")
def describe_images(engine, original):
    from moto.ec2.exceptions import InvalidAMIIdError

    def describe_images(self):
        hidden = engine.consistency.first_hidden(self._get_param("ImageIds", []))
        if hidden:
            raise InvalidAMIIdError(hidden)
        result = original(self)
        result.result["Images"] = [i for i in result.result["Images"] if not engine.consistency.hidden(i.id)]
        return result

    return describe_images


@patch(f"{R}.launch_templates", "LaunchTemplates", "describe_launch_templates")
def describe_launch_templates(engine, original):
    from moto.ec2.exceptions import InvalidLaunchTemplateIdNotFound, InvalidLaunchTemplateNameNotFoundError

    def describe_launch_templates(self):
        hidden = engine.consistency.first_hidden(self._get_param("LaunchTemplateIds", []))
        if hidden:
            raise InvalidLaunchTemplateIdNotFound(hidden)
        names = self._get_param("LaunchTemplateNames", [])
        if names:
            ids = [self.ec2_backend.launch_template_name_to_ids.get(name) for name in names]
            if engine.consistency.first_hidden([i for i in ids if i]):
                raise InvalidLaunchTemplateNameNotFoundError()
        result = original(self)
        result.result["LaunchTemplates"] = [t for t in result.result["LaunchTemplates"]
                                            if not engine.consistency.hidden(t["LaunchTemplateId"])]
        return result

    return describe_launch_templates
