"""EC2 Auto Scaling: each operation's resources and condition keys (Service Authorization
Reference, list_amazonec2autoscaling; EC2 Auto Scaling User Guide, "Amazon EC2 Auto Scaling API
permissions" and "Control Amazon EC2 launch template usage in Auto Scaling groups").

* The group is ``autoScalingGroup:<uuid>:autoScalingGroupName/<name>`` (``*`` for the uuid of a
  group being created, or one that does not exist).
* ``Tags`` given to CreateAutoScalingGroup are its ``aws:RequestTag/*`` keys on the group. No
  separate ``autoscaling:CreateOrUpdateTags`` check: the reference lists none (no
  ``autoscaling:CreateAction`` key; the dependent actions of CreateAutoScalingGroup are
  iam:CreateServiceLinkedRole and iam:PassRole only) and the Auto Scaling guide's examples condition
  CreateAutoScalingGroup itself with ``aws:RequestTag``.
* With a launch template, Create/UpdateAutoScalingGroup validate that the caller may launch it:
  ``ec2:RunInstances`` on the launch's resources (the template's image, security groups, the first
  subnet of ``VPCZoneIdentifier``, ...), ``ec2:CreateTags`` for the template's tag specifications and
  ``iam:PassRole`` for its instance profile ("permissions validation for ec2:RunInstances and
  iam:PassRole"), as for a RunInstances with that template (ec2.launch_checks).
"""

from __future__ import annotations

from . import ec2
from .common import Call, items, tags_of


def group_arn(call: Call, name) -> tuple:
    """(ARN, tags) of the group named `name`."""
    group = call.state.autoscaling_group(call.region, name) if name else None
    if group:
        return group["arn"], group["tags"]
    return call.arn("autoScalingGroup", GroupFriendlyName=name), {}


def _group(call: Call, name) -> None:
    arn, tags = group_arn(call, name)
    call.check(arn, resource_tags=tags)


def _launch_template_validation(call: Call) -> None:
    wanted = call.param("LaunchTemplate") or {}
    if not wanted:
        mixed = call.param("MixedInstancesPolicy", "LaunchTemplate", "LaunchTemplateSpecification") or {}
        wanted = mixed
    if not wanted:
        return
    template = call.state.launch_template(call.region, wanted.get("LaunchTemplateId"), wanted.get("LaunchTemplateName"),
                                          wanted.get("Version"))
    if template is None:
        return
    subnets = [s.strip() for s in (call.param("VPCZoneIdentifier") or "").split(",") if s.strip()]
    spec = ec2.launch_spec(call, {"SubnetId": subnets[0]} if subnets else {}, template)
    ec2.launch_checks(call, spec, reason=f"launch template validated at {call.operation}")


def create_auto_scaling_group(call: Call) -> None:
    name = call.param("AutoScalingGroupName")
    call.check(call.arn("autoScalingGroup", GroupFriendlyName=name), request_tags=tags_of(call.param("Tags")))
    _launch_template_validation(call)


def update_auto_scaling_group(call: Call) -> None:
    _group(call, call.param("AutoScalingGroupName"))
    _launch_template_validation(call)


def by_name(call: Call) -> None:
    _group(call, call.param("AutoScalingGroupName"))


def create_or_update_tags(call: Call) -> None:
    tags = items(call.param("Tags"))
    for name in sorted({t.get("ResourceId") for t in tags if isinstance(t, dict)} - {None}):
        arn, existing = group_arn(call, name)
        call.check(arn, resource_tags=existing, request_tags=tags_of([t for t in tags if t.get("ResourceId") == name]))


TABLE = {
    "CreateAutoScalingGroup": create_auto_scaling_group,
    "UpdateAutoScalingGroup": update_auto_scaling_group,
    "CreateOrUpdateTags": create_or_update_tags,
    "DeleteAutoScalingGroup": by_name,
    "EnableMetricsCollection": by_name,
    "PutScalingPolicy": by_name,
    "StartInstanceRefresh": by_name,
}
