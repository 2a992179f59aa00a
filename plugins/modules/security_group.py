#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: security_group
short_description: Create or update a VPC security group and its ingress rules, tagged in its create call, or delete groups
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
  - O(state=absent) deletes the group O(name) in O(vpc_id), the groups O(group_ids) and every group
    that carries all of O(match_tags) - one C(DeleteSecurityGroup) call each, without the reads,
    the STS call and the sleep of M(amazon.aws.ec2_security_group). While a network interface is
    still in a group (an instance terminated moments ago holds its own for a while), EC2 refuses
    with C(DependencyViolation); the delete is then retried for up to O(delete_timeout) seconds.
    A group EC2 no longer knows counts as deleted.
  - Supports check mode and diff mode.
author: scaleout.webtier maintainers (@scaleout)
options:
  state:
    description: Create or update the group (V(present)), or delete groups (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The group's name. Required with O(state=present); with O(state=absent), the group of this
        name in O(vpc_id) is deleted.
    type: str
  description:
    description:
      - The group's description (AWS cannot change it later; a different one only warns). Required
        with O(state=present).
    type: str
  vpc_id:
    description: The VPC. Required with O(state=present), and with O(name) for O(state=absent).
    type: str
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
  group_ids:
    description: With O(state=absent), groups to delete by id.
    type: list
    elements: str
    default: []
  match_tags:
    description: With O(state=absent), also delete every group that carries all of these tags.
    type: dict
    default: {}
  delete_timeout:
    description: With O(state=absent), seconds to retry a delete that EC2 refuses while the group is in use.
    type: int
    default: 120
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

- name: Delete a temporary group, and any other group left with the same tags
  scaleout.webtier.security_group:
    state: absent
    group_ids: ["{{ temporary_group.group_id }}"]
    match_tags:
      scaleout:stack: demo
      scaleout:role: bake-temporary
"""

RETURN = r"""
group_id:
  description: The group's id (empty in check mode when it would be created, and with O(state=absent)).
  returned: always
  type: str
group_ids:
  description: With O(state=absent), the groups deleted (in check mode, that would have been).
  returned: always
  type: list
  elements: str
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
from ansible_collections.scaleout.webtier.plugins.module_utils import _waiting
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2 import security_groups as sg
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAITING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import call_until_found
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_until

# How often the rules' call is retried while a new group's id propagates (EC2's eventual consistency).
PROPAGATION_RETRY_SECONDS = 2
# How often a delete is retried while the group is in use (a terminated instance's interface lingers).
IN_USE_RETRY_SECONDS = 5


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


def delete_group(module, ec2, group_id):
    """Delete one group, retrying while EC2 refuses it as in use; True when it was deleted now."""
    def attempt():
        try:
            return "deleted" if sg.delete_security_group(ec2, group_id) else "gone"
        except botocore.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") != "DependencyViolation":
                raise
            return "in use: " + e.response["Error"].get("Message", "")

    outcome, observed, _detail = wait_until(attempt, lambda seen: (WAITING, seen) if seen.startswith("in use") else (DONE, seen),
                                            _waiting.Poller(module.params["delete_timeout"], IN_USE_RETRY_SECONDS))
    if outcome != DONE:
        module.fail_json(msg="security group %s was still in use after %ds (DependencyViolation): %s"
                         % (group_id, module.params["delete_timeout"], observed[len("in use: "):]), group_id=group_id)
    return observed == "deleted"


def absent(module, ec2):
    params = module.params
    wanted = list(params["group_ids"])
    if params["name"]:
        wanted += [g["GroupId"] for g in sg.groups_by_name(ec2, params["vpc_id"], [params["name"]]).values()]
    if params["match_tags"]:
        wanted += [g["GroupId"] for g in sg.tagged_groups(ec2, params["match_tags"])]
    group_ids = sorted(set(wanted))
    if module.check_mode:
        module.exit_json(changed=bool(group_ids), group_id="", group_ids=group_ids, changes=["delete %s" % g for g in group_ids],
                         diff={"before": {"groups": group_ids}, "after": {"groups": []}},
                         msg="would have deleted %s" % ", ".join(group_ids) if group_ids else "no group to delete")
    deleted = [g for g in group_ids if delete_group(module, ec2, g)]
    module.exit_json(changed=bool(deleted), group_id="", group_ids=deleted, changes=["delete %s" % g for g in deleted],
                     diff={"before": {"groups": deleted}, "after": {"groups": []}})


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            name=dict(type="str"),
            description=dict(type="str"),
            vpc_id=dict(type="str"),
            rules=dict(type="list", elements="dict", default=[]),
            purge_rules=dict(type="bool", default=True),
            tags=dict(type="dict", aliases=["resource_tags"]),
            create_timeout=dict(type="int", default=60),
            group_ids=dict(type="list", elements="str", default=[]),
            match_tags=dict(type="dict", default={}),
            delete_timeout=dict(type="int", default=120),
        ),
        required_if=[("state", "present", ("name", "description", "vpc_id"))],
        required_by={"name": "vpc_id"},
        supports_check_mode=True,
    )
    try:
        sg.wanted_rules(module.params["rules"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    ec2 = client(module, "ec2")
    try:
        if module.params["state"] == "absent":
            absent(module, ec2)
        present(module, ec2)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to manage security group %s" % (module.params["name"] or ", ".join(module.params["group_ids"]) or "(by tags)"))


if __name__ == "__main__":
    main()
