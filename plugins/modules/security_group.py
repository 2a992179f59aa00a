#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: security_group
short_description: Create or update a VPC security group and its ingress rules, tagged in its create call
version_added: 1.0.0
description:
  - Creates one VPC security group, found by name in O(vpc_id), with its tags in the
    C(CreateSecurityGroup) call, then authorizes its ingress rules in one call. On a later run it
    adds the missing rules, revokes the others (O(purge_rules)) and sets the tags, with no write call
    when all is as wanted.
  - Egress is left as AWS creates it (all outbound traffic allowed).
  - A new group's id can be unknown to the next call for a moment (EC2's eventual consistency,
    C(InvalidGroup.NotFound)); the rules' call is then retried for up to O(create_timeout) seconds.
  - Made for the collection's first converge - one read, one create, one rule call - where
    M(amazon.aws.ec2_security_group) reads the group several times, resolves the account through
    STS and sleeps after a create.
  - Supports check mode and diff mode.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The group's name.
    type: str
    required: true
  description:
    description: The group's description (AWS cannot change it later; a different one only warns).
    type: str
    required: true
  vpc_id:
    description: The VPC.
    type: str
    required: true
  rules:
    description:
      - Ingress rules. Each has C(proto) (C(tcp), C(udp), C(icmp) or C(all); default C(tcp)), C(ports)
        (a list of ports or C(from-to) ranges; not for C(all)) and one or more sources - C(cidr_ip),
        C(cidr_ipv6) (a CIDR or a list), C(group_id) (a security group id) or C(group_name) (a
        group of the same VPC, found in the same read as the group itself).
    type: list
    elements: dict
    default: []
  purge_rules:
    description: Revoke the ingress rules not in O(rules).
    type: bool
    default: true
  tags:
    description: Tags of the group, set when missing or different; tags not listed are kept.
    type: dict
    aliases: [resource_tags]
  create_timeout:
    description: Seconds to retry the rules' call while a new group's id is not yet known to EC2.
    type: int
    default: 60
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The load balancer's group, HTTP from anywhere
  scaleout.webtier.security_group:
    name: demo-alb
    description: demo load balancer
    vpc_id: vpc-0123456789abcdef0
    rules:
      - proto: tcp
        ports: [80]
        cidr_ip: 0.0.0.0/0
    tags:
      scaleout:stack: demo
  register: alb_group

- name: The instances' group, port 8080 from the load balancer's group only
  scaleout.webtier.security_group:
    name: demo-instances
    description: demo instances
    vpc_id: vpc-0123456789abcdef0
    rules:
      - ports: [8080]
        group_id: "{{ alb_group.group_id }}"
"""

RETURN = r"""
group_id:
  description: The group's id (empty in check mode when it would be created).
  returned: always
  type: str
changes:
  description: What was (or in check mode would have been) changed, one line each.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2 import security_groups as sg
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import call_until_found

# How often the rules' call is retried while a new group's id propagates (EC2's eventual consistency).
PROPAGATION_RETRY_SECONDS = 2


def authorize_new_group(module, ec2, group_id, rules):
    """Authorize the rules of a group just created, retrying while EC2 does not know its id yet."""
    if not call_until_found(lambda: sg.authorize_ingress(ec2, group_id, rules), ("InvalidGroup.NotFound",),
                            module.params["create_timeout"], PROPAGATION_RETRY_SECONDS):
        module.fail_json(msg="security group %s (%s) was still unknown to AuthorizeSecurityGroupIngress after %ds (InvalidGroup.NotFound)"
                         % (module.params["name"], group_id, module.params["create_timeout"]), group_id=group_id)


def present(module, ec2):
    params, name = module.params, module.params["name"]
    wanted_tags = params["tags"] or {}
    # The group and the groups its rules name as sources, in one read.
    referenced = sg.referenced_group_names(params["rules"])
    found_groups = sg.groups_by_name(ec2, params["vpc_id"], [name] + [n for n in referenced if n != name])
    found = found_groups.get(name)
    missing = [n for n in referenced if n not in found_groups and n != name]
    if missing and not module.check_mode:
        module.fail_json(msg="rules: group_name %s: no such security group in %s" % (", ".join(missing), params["vpc_id"]))
    wanted = sg.wanted_rules(params["rules"], dict((n, g["GroupId"]) for n, g in found_groups.items()))
    if found is None:
        changes = ["create %s in %s" % (name, params["vpc_id"])] + ["allow %s" % line for line in sg.rule_lines(wanted)]
        diff = {"before": {}, "after": {"name": name, "ingress": sg.rule_lines(wanted), "tags": wanted_tags}}
        if module.check_mode:
            module.exit_json(changed=True, group_id="", changes=changes, diff=diff, msg="would have created security group %s" % name)
        group_id = sg.create_security_group(ec2, name, params["description"], params["vpc_id"], wanted_tags)
        if wanted:
            authorize_new_group(module, ec2, group_id, wanted)
        module.exit_json(changed=True, group_id=group_id, changes=changes, diff=diff)

    group_id = found["GroupId"]
    if found.get("Description") != params["description"]:
        module.warn("security group %s keeps its description %r: AWS cannot change a group's description" % (name, found.get("Description")))
    current = sg.current_rules(found)
    to_add = wanted - current
    to_revoke = (current - wanted) if params["purge_rules"] else set()
    current_tags = sg.tags_of(found)
    tags_to_set, _remove = compare_aws_tags(current_tags, wanted_tags, purge_tags=False)
    changes = ["allow %s" % line for line in sg.rule_lines(to_add)] + ["revoke %s" % line for line in sg.rule_lines(to_revoke)]
    changes += ["tag %s: %s -> %s" % (key, current_tags.get(key), value) for key, value in sorted(tags_to_set.items())]
    after_tags = dict(current_tags, **tags_to_set)
    diff = {"before": {"name": name, "ingress": sg.rule_lines(current), "tags": current_tags},
            "after": {"name": name, "ingress": sg.rule_lines((current | to_add) - to_revoke), "tags": after_tags}}
    if changes and not module.check_mode:
        if to_revoke:
            sg.revoke_ingress(ec2, group_id, to_revoke)
        if to_add:
            sg.authorize_ingress(ec2, group_id, to_add)
        if tags_to_set:
            sg.set_tags(ec2, group_id, tags_to_set)
    result = dict(changed=bool(changes), group_id=group_id, changes=changes, diff=diff)
    if changes and module.check_mode:
        result["msg"] = "would have updated security group %s" % name
    module.exit_json(**result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            description=dict(type="str", required=True),
            vpc_id=dict(type="str", required=True),
            rules=dict(type="list", elements="dict", default=[]),
            purge_rules=dict(type="bool", default=True),
            tags=dict(type="dict", aliases=["resource_tags"]),
            create_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    try:
        sg.wanted_rules(module.params["rules"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    ec2 = client(module, "ec2")
    try:
        present(module, ec2)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to manage security group %s" % module.params["name"])


if __name__ == "__main__":
    main()
