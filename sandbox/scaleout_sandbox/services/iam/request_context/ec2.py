"""EC2: each operation's resources and condition keys (Service Authorization Reference,
list_amazonec2; tags on create: EC2 User Guide, "Grant permission to tag Amazon EC2 resources during
creation").

Resources being created have no id yet: ``instance/*``, ``security-group/*``, ``volume/*``, ...
(as AWS names them in its refusals). Tags given at creation (``TagSpecifications``) are the
``aws:RequestTag/*`` keys of the resource of their ``ResourceType`` and cost an ``ec2:CreateTags``
check on it with ``ec2:CreateAction`` = the operation. ``RunInstances`` with an instance profile
costs ``iam:PassRole`` on its role (``iam:PassedToService`` = ec2.amazonaws.com)."""

from __future__ import annotations

from typing import Optional

from .common import Call, items, tags_of

EC2 = "ec2"


def _arn(call: Call, resource_type: str, **parts) -> str:
    return call.arn(resource_type, service=EC2, **parts)


def tag_specs(value) -> dict:
    """{ResourceType: {Key: Value}} of TagSpecifications."""
    specs: dict = {}
    for spec in items(value):
        if isinstance(spec, dict) and spec.get("ResourceType"):
            specs.setdefault(spec["ResourceType"], {}).update(tags_of(spec.get("Tags")))
    return specs


def _request_specs(call: Call) -> dict:
    return tag_specs(call.param("TagSpecifications"))


def _resource(call: Call, resource_type: str, resource_id: Optional[str], id_part: str) -> tuple:
    """(ARN, tags) of an existing resource."""
    tags = call.state.ec2_tags(call.region, resource_id) if resource_id else {}
    return _arn(call, resource_type, **{id_part: resource_id}), tags


def _existing(call: Call, resource_type: str, resource_id: Optional[str], id_part: str, action: Optional[str] = None) -> None:
    arn, tags = _resource(call, resource_type, resource_id, id_part)
    call.check(arn, resource_tags=tags, action=action)


def _created(call: Call, resource_type: str, specs: dict, action: Optional[str] = None,
             create_action: Optional[str] = None) -> None:
    """A resource the call creates: the action on ``<type>/*`` with its request tags, and CreateTags."""
    arn = _arn(call, resource_type)
    tags = specs.get(resource_type)
    call.check(arn, request_tags=tags, action=action)
    call.tag_on_create("ec2:CreateTags", arn, tags, "ec2:CreateAction", create_action)


# ---------------------------------------------------------------- RunInstances


def launch_spec(call: Call, params: dict, template: Optional[dict]) -> dict:
    """What a launch uses: the request's parameters over the launch template's data."""
    data = (template or {}).get("data") or {}
    interfaces = items(params.get("NetworkInterfaces")) or items(data.get("NetworkInterfaces"))
    first = interfaces[0] if interfaces else {}
    subnet = params.get("SubnetId") or first.get("SubnetId") or data.get("SubnetId")
    groups = items(params.get("SecurityGroupIds")) or items(first.get("Groups")) or items(data.get("SecurityGroupIds"))
    names = items(params.get("SecurityGroups")) or items(data.get("SecurityGroups"))
    specs = {k: v for k, v in tag_specs(data.get("TagSpecifications")).items() if k != "launch-template"}
    for resource_type, tags in tag_specs(params.get("TagSpecifications")).items():
        specs.setdefault(resource_type, {}).update(tags)
    profile = params.get("IamInstanceProfile") or data.get("IamInstanceProfile") or {}
    return {"image": params.get("ImageId") or data.get("ImageId"), "subnet": subnet, "groups": groups,
            "group_names": names, "key": params.get("KeyName") or data.get("KeyName"), "specs": specs,
            "profile": profile, "template": template}


def launch_checks(call: Call, spec: dict, reason: str = "") -> None:
    """``ec2:RunInstances`` on every resource of a launch (the EC2-VPC-EBS scenario of the
    reference), the CreateTags of its tag specifications and the PassRole of its profile."""
    action = "ec2:RunInstances"
    state, region = call.state, call.region
    subnet = spec["subnet"] or state.default_subnet(region)
    vpc = state.subnet_vpc(region, subnet) if subnet else state.default_vpc(region)
    groups = list(spec["groups"]) + [state.security_group_id(region, n, vpc) for n in spec["group_names"]]
    groups = [g for g in groups if g] or [state.default_security_group(region, vpc)]
    call.reason = reason
    for resource_type in ("instance", "network-interface", "volume"):
        _created(call, resource_type, spec["specs"], action=action, create_action="RunInstances")
    _existing(call, "image", spec["image"], "ImageId", action)
    _existing(call, "subnet", subnet, "SubnetId", action)
    for group in groups:
        _existing(call, "security-group", group, "SecurityGroupId", action)
    if spec["key"]:
        call.check(_arn(call, "key-pair", KeyPairName=spec["key"]), action=action)
    if spec["template"]:
        call.check(_arn(call, "launch-template", LaunchTemplateId=spec["template"]["id"]),
                   resource_tags=spec["template"].get("tags"), action=action)
    profile = spec["profile"]
    if profile:
        call.pass_role(state.instance_profile_roles(profile.get("Arn") or profile.get("Name")))
    call.reason = ""


def _template(call: Call, params: dict) -> Optional[dict]:
    wanted = params.get("LaunchTemplate") or {}
    if not wanted:
        return None
    return call.state.launch_template(call.region, wanted.get("LaunchTemplateId"), wanted.get("LaunchTemplateName"),
                                      wanted.get("Version"))


def run_instances(call: Call) -> None:
    launch_checks(call, launch_spec(call, dict(call.params), _template(call, dict(call.params))))


# ---------------------------------------------------------------- the others


def create_security_group(call: Call) -> None:
    _created(call, "security-group", _request_specs(call))
    _existing(call, "vpc", call.param("VpcId") or call.state.default_vpc(call.region), "VpcId")


def create_launch_template(call: Call) -> None:
    _created(call, "launch-template", _request_specs(call))


def create_image(call: Call) -> None:
    specs = _request_specs(call)
    _created(call, "image", specs)
    _existing(call, "instance", call.param("InstanceId"), "InstanceId")
    _created(call, "snapshot", specs)


def _group_id(call: Call) -> Optional[str]:
    return call.param("GroupId") or call.state.security_group_id(call.region, call.param("GroupName"), None)


def security_group(call: Call) -> None:
    _existing(call, "security-group", _group_id(call), "SecurityGroupId")


def authorize_security_group_ingress(call: Call) -> None:
    security_group(call)
    tags = _request_specs(call).get("security-group-rule")
    if tags:  # the new rules are a resource of their own only when tagged
        _created(call, "security-group-rule", {"security-group-rule": tags})


def launch_template(call: Call) -> None:
    template = call.state.launch_template(call.region, call.param("LaunchTemplateId"), call.param("LaunchTemplateName"))
    template_id = (template or {}).get("id") or call.param("LaunchTemplateId")
    call.check(_arn(call, "launch-template", LaunchTemplateId=template_id), resource_tags=(template or {}).get("tags"))


def instance(call: Call) -> None:
    _existing(call, "instance", call.param("InstanceId"), "InstanceId")


def instances(call: Call) -> None:
    for instance_id in items(call.param("InstanceIds")):
        _existing(call, "instance", instance_id, "InstanceId")


def modify_instance_attribute(call: Call) -> None:
    instance(call)
    for group in items(call.param("Groups")):
        _existing(call, "security-group", group, "SecurityGroupId")


def by_id(resource_type: str, param: str, id_part: str):
    def checks(call: Call) -> None:
        _existing(call, resource_type, call.param(param), id_part)

    return checks


_TYPES_BY_PREFIX = {"i": ("instance", "InstanceId"), "sg": ("security-group", "SecurityGroupId"),
                    "lt": ("launch-template", "LaunchTemplateId"), "ami": ("image", "ImageId"),
                    "snap": ("snapshot", "SnapshotId"), "vol": ("volume", "VolumeId"), "vpc": ("vpc", "VpcId"),
                    "subnet": ("subnet", "SubnetId"), "eni": ("network-interface", "NetworkInterfaceId")}


def create_tags(call: Call) -> None:
    tags = tags_of(call.param("Tags"))
    for resource_id in items(call.param("Resources")):
        resource_type, id_part = _TYPES_BY_PREFIX.get(resource_id.split("-")[0], (None, None))
        if resource_type is None:
            call.check("*", request_tags=tags)
            continue
        arn, existing = _resource(call, resource_type, resource_id, id_part)
        call.check(arn, resource_tags=existing, request_tags=tags)


TABLE = {
    "RunInstances": run_instances,
    "CreateSecurityGroup": create_security_group,
    "CreateLaunchTemplate": create_launch_template,
    "CreateImage": create_image,
    "CreateTags": create_tags,
    "AuthorizeSecurityGroupIngress": authorize_security_group_ingress,
    "RevokeSecurityGroupIngress": security_group,
    "DeleteSecurityGroup": security_group,
    "CreateLaunchTemplateVersion": launch_template,
    "ModifyLaunchTemplate": launch_template,
    "DeleteLaunchTemplate": launch_template,
    "DeleteLaunchTemplateVersions": launch_template,
    "GetConsoleOutput": instance,
    "DescribeInstanceAttribute": instance,
    "ModifyInstanceAttribute": modify_instance_attribute,
    "TerminateInstances": instances,
    "DeleteSnapshot": by_id("snapshot", "SnapshotId", "SnapshotId"),
    "DeregisterImage": by_id("image", "ImageId", "ImageId"),
    "DescribeImageAttribute": by_id("image", "ImageId", "ImageId"),
    "DeleteVolume": by_id("volume", "VolumeId", "VolumeId"),
    "DescribeVpcAttribute": by_id("vpc", "VpcId", "VpcId"),
}
