# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: security_group_delete_order
short_description: Order security groups so that each is deleted after the groups whose rules reference it
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - AWS refuses to delete a security group while a rule of another group references it
    (C(DependencyViolation)). Returns the groups in an order that deletes every referencing group
    first, whatever their names.
  - Both inbound and outbound rules count; a group's rules that reference the group itself do not,
    nor do references to groups outside the list.
  - Groups that reference each other in a cycle cannot be ordered; they come last, in their input
    order (deleting them needs their rules revoked first).
  - Otherwise the input order is kept where the references allow it.
options:
  _input:
    description:
      - Security groups, as from M(amazon.aws.ec2_security_group_info) (snake_case) or boto3
        C(DescribeSecurityGroups) (CamelCase).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the stack's security groups with their rules
  amazon.aws.ec2_security_group_info:
    filters:
      "tag:scaleout:stack": demo
  register: groups

- name: Delete them, each after the groups that reference it
  amazon.aws.ec2_security_group:
    group_id: "{{ item.group_id }}"
    state: absent
  loop: "{{ groups.security_groups | scaleout.webtier.security_group_delete_order }}"
"""

RETURN = r"""
_value:
  description: The same groups, in an order in which they can be deleted one after the other.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def _get(item, snake, camel, default=None):
    return item.get(snake, item.get(camel, default))


def referenced_group_ids(group):
    """The ids of the other groups that the rules (inbound and outbound) of `group` reference."""
    own = _get(group, "group_id", "GroupId")
    rules = list(_get(group, "ip_permissions", "IpPermissions", []) or []) + list(
        _get(group, "ip_permissions_egress", "IpPermissionsEgress", []) or []
    )
    pairs = [pair for rule in rules for pair in (_get(rule, "user_id_group_pairs", "UserIdGroupPairs", []) or [])]
    return set(_get(pair, "group_id", "GroupId") for pair in pairs) - set([own, None])


def security_group_delete_order(groups):
    if not isinstance(groups, list) or not all(isinstance(g, dict) and _get(g, "group_id", "GroupId") for g in groups):
        raise AnsibleFilterError("security_group_delete_order expects a list of security groups, each with a group id")
    ids = [_get(g, "group_id", "GroupId") for g in groups]
    references = dict((gid, referenced_group_ids(g) & set(ids)) for gid, g in zip(ids, groups))
    ordered, left = [], list(ids)
    while left:
        # A group can go once no group still left references it.
        free = [gid for gid in left if not any(gid in references[other] for other in left if other != gid)]
        if not free:
            ordered.extend(left)
            break
        ordered.append(free[0])
        left.remove(free[0])
    by_id = dict(zip(ids, groups))
    return [by_id[gid] for gid in ordered]


class FilterModule:
    def filters(self):
        return {"security_group_delete_order": security_group_delete_order}
