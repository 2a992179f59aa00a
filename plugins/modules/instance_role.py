#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: instance_role
short_description: Create an EC2 instances' IAM role and its instance profile, tagged in their create calls
version_added: 1.0.0
description:
  - Creates an IAM role that EC2 may assume, with O(managed_policies) attached, and an instance
    profile of the same name holding it; their tags go in the C(CreateRole) and
    C(CreateInstanceProfile) calls.
  - A first run is two reads and four writes; an unchanged one three reads (C(GetRole),
    C(ListAttachedRolePolicies), C(GetInstanceProfile)) and no write, where M(amazon.aws.iam_role) and
    M(amazon.aws.iam_instance_profile) read the role and the profile several times each.
  - Attaches missing managed policies, detaches the others, adds missing or different tags (tags not
    listed are kept) and puts the role in the profile when it is not. A trust policy different from
    O(trust_policy) fails, naming it (teardown removes the role, the next run makes it again); a
    different description only warns (the collection's policy allows neither change).
  - IAM is eventually consistent; a role or profile just created can be unknown to the next call for
    a moment (C(NoSuchEntity)), which is then retried for up to O(create_timeout) seconds.
  - Supports check mode and diff mode.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The role's and the instance profile's name.
    type: str
    required: true
  path:
    description: The role's and the instance profile's path.
    type: str
    default: /
  description:
    description: The role's description.
    type: str
    default: ""
  trust_policy:
    description: The role's trust policy (assume role policy document), as a dict or a JSON string.
    type: json
    required: true
  managed_policies:
    description: ARNs of the managed policies the role has, and no other.
    type: list
    elements: str
    default: []
  tags:
    description: Tags of the role and the instance profile.
    type: dict
    aliases: [resource_tags]
  create_timeout:
    description: Seconds to retry a call while a role or profile just created is unknown to IAM.
    type: int
    default: 60
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The instances' role (SSM only) and its instance profile
  scaleout.webtier.instance_role:
    name: demo-web
    path: /scaleout/
    trust_policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal:
            Service: ec2.amazonaws.com
          Action: sts:AssumeRole
    managed_policies:
      - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore
    tags:
      scaleout:stack: demo
"""

RETURN = r"""
role_arn:
  description: The role's ARN (empty in check mode when it would be created).
  returned: always
  type: str
instance_profile_arn:
  description: The instance profile's ARN (empty in check mode when it would be created).
  returned: always
  type: str
changes:
  description: What was (or in check mode would have been) changed, one line each.
  returned: always
  type: list
  elements: str
"""

import json

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._iam import roles as iam_roles
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import call_until_found

# How often a call on a role or profile just created is retried while IAM propagates it.
PROPAGATION_RETRY_SECONDS = 2


def canonical(document):
    """A policy document as a comparable value (a JSON string or a dict)."""
    return json.loads(document) if isinstance(document, str) else document


def new_tags(current, wanted):
    return dict((k, v) for k, v in (wanted or {}).items() if current.get(k) != v)


def retried(module, call, what):
    """call(), retried while IAM answers NoSuchEntity for what was just created."""
    if not call_until_found(call, ("NoSuchEntity",), module.params["create_timeout"], PROPAGATION_RETRY_SECONDS):
        module.fail_json(msg="%s: IAM still answered NoSuchEntity after %ds" % (what, module.params["create_timeout"]))


def converge_role(module, iam, changes):
    """The role as wanted; returns (arn, diff before, diff after)."""
    p, name = module.params, module.params["name"]
    wanted_policies, trust = set(p["managed_policies"]), canonical(p["trust_policy"])
    found = iam_roles.find_role(iam, name)
    if found is None:
        changes.append("create role %s" % name)
        changes.extend("attach %s" % arn for arn in sorted(wanted_policies))
        after = {"trust_policy": trust, "managed_policies": sorted(wanted_policies), "tags": p["tags"] or {}}
        if module.check_mode:
            return "", {}, after
        arn = iam_roles.create_role(iam, name, p["path"], p["description"], json.dumps(trust), p["tags"])["Arn"]
        for policy in sorted(wanted_policies):
            retried(module, lambda policy=policy: iam_roles.attach_policy(iam, name, policy), "attaching %s to %s" % (policy, name))
        return arn, {}, after
    role, attached = found["role"], set(found["policies"])
    if canonical(role.get("AssumeRolePolicyDocument")) != trust:
        module.fail_json(msg="role %s has another trust policy (%s) than the one wanted (%s); remove the role (teardown) to make it again"
                         % (name, json.dumps(canonical(role.get("AssumeRolePolicyDocument")), sort_keys=True), json.dumps(trust, sort_keys=True)))
    if (role.get("Description") or "") != p["description"]:
        module.warn("role %s keeps its description %r" % (name, role.get("Description")))
    current_tags = iam_roles.tags_of(role)
    tags = new_tags(current_tags, p["tags"])
    changes.extend("attach %s" % arn for arn in sorted(wanted_policies - attached))
    changes.extend("detach %s" % arn for arn in sorted(attached - wanted_policies))
    changes.extend("tag role %s: %s -> %s" % (k, current_tags.get(k), v) for k, v in sorted(tags.items()))
    before = {"trust_policy": trust, "managed_policies": sorted(attached), "tags": current_tags}
    after = {"trust_policy": trust, "managed_policies": sorted(wanted_policies), "tags": dict(current_tags, **tags)}
    if not module.check_mode:
        for arn in sorted(wanted_policies - attached):
            iam_roles.attach_policy(iam, name, arn)
        for arn in sorted(attached - wanted_policies):
            iam_roles.detach_policy(iam, name, arn)
        if tags:
            iam_roles.tag_role(iam, name, tags)
    return role["Arn"], before, after


def converge_profile(module, iam, changes, role_created):
    """The instance profile as wanted, holding the role; returns (arn, diff before, diff after)."""
    p, name = module.params, module.params["name"]
    profile = None if role_created and module.check_mode else iam_roles.find_instance_profile(iam, name)
    if profile is None:
        changes.append("create instance profile %s holding role %s" % (name, name))
        after = {"roles": [name], "tags": p["tags"] or {}}
        if module.check_mode:
            return "", {}, after
        arn = iam_roles.create_instance_profile(iam, name, p["path"], p["tags"])["Arn"]
        retried(module, lambda: iam_roles.add_role_to_profile(iam, name, name), "adding role %s to instance profile %s" % (name, name))
        return arn, {}, after
    roles = [r["RoleName"] for r in profile.get("Roles", [])]
    current_tags = iam_roles.tags_of(profile)
    tags = new_tags(current_tags, p["tags"])
    others = [r for r in roles if r != name]
    changes.extend("remove role %s from instance profile %s" % (r, name) for r in others)
    if name not in roles:
        changes.append("add role %s to instance profile %s" % (name, name))
    changes.extend("tag instance profile %s: %s -> %s" % (k, current_tags.get(k), v) for k, v in sorted(tags.items()))
    if not module.check_mode:
        for other in others:
            iam_roles.remove_role_from_profile(iam, name, other)
        if name not in roles:
            iam_roles.add_role_to_profile(iam, name, name)
        if tags:
            iam_roles.tag_instance_profile(iam, name, tags)
    return profile["Arn"], {"roles": roles, "tags": current_tags}, {"roles": [name], "tags": dict(current_tags, **tags)}


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            path=dict(type="str", default="/"),
            description=dict(type="str", default=""),
            trust_policy=dict(type="json", required=True),
            managed_policies=dict(type="list", elements="str", default=[]),
            tags=dict(type="dict", aliases=["resource_tags"]),
            create_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    try:
        canonical(module.params["trust_policy"])
    except ValueError as e:
        module.fail_json(msg="trust_policy: not a JSON document (%s)" % e)
    iam = client(module, "iam")
    changes = []
    try:
        role_arn, role_before, role_after = converge_role(module, iam, changes)
        profile_arn, profile_before, profile_after = converge_profile(module, iam, changes, role_created=not role_before)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to manage role %s and its instance profile" % module.params["name"])
    result = dict(changed=bool(changes), role_arn=role_arn, instance_profile_arn=profile_arn, changes=changes,
                  diff={"before": {"role": role_before, "instance_profile": profile_before},
                        "after": {"role": role_after, "instance_profile": profile_after}})
    if changes and module.check_mode:
        result["msg"] = "would have made: %s" % "; ".join(changes)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
