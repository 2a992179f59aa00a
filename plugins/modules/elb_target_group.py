#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: elb_target_group
short_description: Manage an Application Load Balancer target group, tagged in its create call
version_added: 1.0.0
description:
  - Creates, updates or deletes one ELBv2 target group of instances, found by name.
  - The tags go in the C(CreateTargetGroup) call itself. An IAM policy can then require the stack's
    tag on every create (C(aws:RequestTag)) and allow C(elasticloadbalancing:AddTags) only within a
    create (C(elasticloadbalancing:CreateAction)); M(community.aws.elb_target_group) creates the
    group untagged and tags it afterwards, which such a policy refuses.
  - Health check settings and the deregistration delay are changed in place. Protocol, port, VPC and
    target type cannot change on AWS; the module fails naming them instead of replacing the group.
  - It never registers or deregisters targets (the Auto Scaling group does).
  - Supports check mode and diff mode. A run that finds the group as wanted makes no write call.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The target group's name (1 to 32 characters, letters, digits and hyphens).
    type: str
    required: true
  state:
    description: Whether the target group exists.
    type: str
    choices: [present, absent]
    default: present
  protocol:
    description: The protocol to the targets.
    type: str
    choices: [HTTP, HTTPS]
    default: HTTP
  port:
    description: The port the targets listen on. Required with O(state=present).
    type: int
  vpc_id:
    description: The VPC of the targets. Required with O(state=present).
    type: str
  target_type:
    description: What the target group routes to.
    type: str
    choices: [instance, ip]
    default: instance
  health_check_protocol:
    description: The health check's protocol.
    type: str
    choices: [HTTP, HTTPS]
    default: HTTP
  health_check_port:
    description: The health check's port, or C(traffic-port).
    type: str
    default: traffic-port
  health_check_path:
    description: The health check's path.
    type: str
    default: /
  health_check_interval:
    description: Seconds between health checks (5 to 300).
    type: int
    default: 30
  health_check_timeout:
    description: Seconds before a health check fails (2 to 120, less than the interval).
    type: int
    default: 5
  healthy_threshold_count:
    description: Successful checks before a target is healthy (2 to 10).
    type: int
    default: 5
  unhealthy_threshold_count:
    description: Failed checks before a target is unhealthy (2 to 10).
    type: int
    default: 2
  successful_response_codes:
    description: The HTTP codes of a healthy answer, for example C(200) or C(200-299).
    type: str
    default: "200"
  deregistration_delay_timeout:
    description: Seconds a deregistering target keeps its connections (0 to 3600).
    type: int
    default: 300
  tags:
    description:
      - Tags of the target group, given in the create call. On an existing group, missing tags are added.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove the tags of an existing group that O(tags) does not name.
    type: bool
    default: true
  known_absent:
    description:
      - The caller read moments ago that no target group of this name exists (the stack's plan), so the
        module creates it without reading first.
      - Safe when that is no longer true - C(CreateTargetGroup) returns an existing target group of the same
        name and settings, and refuses one with other settings (C(DuplicateTargetGroupName)), after which
        the module reads it and updates it.
    type: bool
    default: false
  delete_timeout:
    description:
      - Seconds to retry C(DeleteTargetGroup) while AWS still answers C(ResourceInUse), which it
        does for a short while after the listener or load balancer that used the group was deleted.
    type: int
    default: 120
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The web tier's target group, tagged when it is created
  scaleout.webtier.elb_target_group:
    name: demo-tg
    port: 80
    vpc_id: vpc-0123456789abcdef0
    health_check_path: /
    health_check_interval: 10
    deregistration_delay_timeout: 30
    tags:
      scaleout:stack: demo
      scaleout:managed-by: scaleout.webtier

- name: Gone
  scaleout.webtier.elb_target_group:
    name: demo-tg
    state: absent
"""

RETURN = r"""
target_group_arn:
  description: The target group's ARN (empty in check mode when it would be created).
  returned: always
  type: str
target_group:
  description: The target group as C(DescribeTargetGroups) returns it, in snake case, with C(tags).
  returned: when O(state=present) and the group exists
  type: dict
changes:
  description: "What changed, or would change in check mode, as C(Key: now -> wanted) lines."
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2 import target_groups as tg
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE, Poller, WAITING, wait_until

DELETE_RETRY_SECONDS = 5


def described(found, tags):
    result = camel_dict_to_snake_dict(found)
    result["tags"] = tags
    return result


def create_result(module, elbv2, created, changes, diff, wanted_attributes, wanted_tags):
    """Exit with the new target group, its wanted attributes set."""
    if created is None:
        module.fail_json(msg="target group %s: CreateTargetGroup answered DuplicateTargetGroupName (the name is taken with "
                             "other settings), yet DescribeTargetGroups does not find it; run again" % module.params["name"])
    arn = created["TargetGroupArn"]
    # A new group has AWS's default attributes: set the wanted ones without reading them first.
    if wanted_attributes:
        tg.set_attributes(elbv2, arn, wanted_attributes)
    module.exit_json(changed=True, target_group_arn=arn, changes=changes, diff=diff, target_group=described(created, wanted_tags))


def present(module, elbv2):
    params, name = module.params, module.params["name"]
    wanted = tg.wanted_settings(params)
    wanted_attributes = tg.wanted_attributes(params)
    wanted_tags = params["tags"] or {}
    found = None if params["known_absent"] else tg.find_target_group(elbv2, name)
    if found is None:
        changes = ["create %s" % name]
        diff = {"before": {}, "after": dict(wanted, Name=name, Tags=wanted_tags)}
        if module.check_mode:
            module.exit_json(changed=True, target_group_arn="", changes=changes, diff=diff, msg="would have created target group %s" % name)
        try:
            created = tg.create_target_group(elbv2, name, wanted, wanted_tags)
        except is_boto3_error_code("DuplicateTargetGroupName"):
            created = None  # the name is taken with other settings: read it and update it below
        found = tg.find_target_group(elbv2, name) if created is None else None
        if created is not None or found is None:
            create_result(module, elbv2, created, changes, diff, wanted_attributes, wanted_tags)

    arn = found["TargetGroupArn"]
    current = tg.settings_of(found)
    replace = tg.replacement_reasons(current, wanted)
    if replace:
        module.fail_json(msg="target group %s: %s cannot change on AWS; delete the target group (teardown) to recreate it"
                         % (name, "; ".join(replace)), target_group_arn=arn)
    health_check = tg.health_check_changes(current, wanted)
    current_attributes = tg.attributes_of(elbv2, arn)
    attributes = tg.attribute_changes(current_attributes, wanted_attributes)
    current_tags = tg.tags_of(elbv2, arn)
    tags_to_set, tags_to_remove = tg.tag_changes(current_tags, wanted_tags, params["purge_tags"])
    changes = ["%s: %s -> %s" % (key, current[key], value) for key, value in sorted(health_check.items())]
    changes += ["%s: %s -> %s" % (key, current_attributes.get(key), value) for key, value in sorted(attributes.items())]
    changes += ["tag %s: %s -> %s" % (key, current_tags.get(key), value) for key, value in sorted(tags_to_set.items())]
    changes += ["tag %s: %s -> (removed)" % (key, current_tags[key]) for key in sorted(tags_to_remove)]
    diff = {"before": dict(current, Attributes=current_attributes, Tags=current_tags),
            "after": dict(wanted, Attributes=dict(current_attributes, **wanted_attributes),
                          Tags=dict((k, v) for k, v in dict(current_tags, **tags_to_set).items() if k not in tags_to_remove))}
    if changes and not module.check_mode:
        if health_check:
            tg.modify_health_check(elbv2, arn, health_check)
        if attributes:
            tg.set_attributes(elbv2, arn, attributes)
        if tags_to_set:
            tg.add_tags(elbv2, arn, tags_to_set)
        if tags_to_remove:
            tg.remove_tags(elbv2, arn, tags_to_remove)
        found = tg.find_target_group(elbv2, name) or found
    result = dict(changed=bool(changes), target_group_arn=arn, changes=changes, diff=diff,
                  target_group=described(found, diff["after"]["Tags"]))
    if changes and module.check_mode:
        result["msg"] = "would have updated target group %s" % name
    module.exit_json(**result)


def absent(module, elbv2):
    name = module.params["name"]
    found = tg.find_target_group(elbv2, name)
    if found is None:
        module.exit_json(changed=False, target_group_arn="", changes=[])
    arn, changes = found["TargetGroupArn"], ["delete %s" % name]
    if module.check_mode:
        module.exit_json(changed=True, target_group_arn=arn, changes=changes, msg="would have deleted target group %s" % name)
    last_refusal = {}

    def try_delete():
        try:
            tg.delete_target_group(elbv2, arn)
        except is_boto3_error_code("ResourceInUse") as e:
            last_refusal["error"] = e
            return False
        return True

    # The one wait loop of the collection (_waiting), as every other wait.
    poller = Poller(module.params["delete_timeout"], DELETE_RETRY_SECONDS)
    outcome, _deleted, _detail = wait_until(try_delete, lambda deleted: (DONE, "deleted") if deleted else (WAITING, "in use"), poller)
    if outcome != DONE:
        fail_aws(module, last_refusal["error"], "target group %s was still in use after %ds" % (name, module.params["delete_timeout"]))
    module.exit_json(changed=True, target_group_arn=arn, changes=changes)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            protocol=dict(type="str", choices=["HTTP", "HTTPS"], default="HTTP"),
            port=dict(type="int"),
            vpc_id=dict(type="str"),
            target_type=dict(type="str", choices=["instance", "ip"], default="instance"),
            health_check_protocol=dict(type="str", choices=["HTTP", "HTTPS"], default="HTTP"),
            health_check_port=dict(type="str", default="traffic-port"),
            health_check_path=dict(type="str", default="/"),
            health_check_interval=dict(type="int", default=30),
            health_check_timeout=dict(type="int", default=5),
            healthy_threshold_count=dict(type="int", default=5),
            unhealthy_threshold_count=dict(type="int", default=2),
            successful_response_codes=dict(type="str", default="200"),
            deregistration_delay_timeout=dict(type="int", default=300),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
            known_absent=dict(type="bool", default=False),
            delete_timeout=dict(type="int", default=120),
        ),
        required_if=[["state", "present", ["port", "vpc_id"]]],
        supports_check_mode=True,
    )
    elbv2 = client(module, "elbv2")
    try:
        if module.params["state"] == "present":
            present(module, elbv2)
        absent(module, elbv2)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        verb = "manage" if module.params["state"] == "present" else "delete"
        fail_aws(module, e, "Unable to %s target group %s" % (verb, module.params["name"]))


if __name__ == "__main__":
    main()
