#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: load_balancer
short_description: Create or update an Application Load Balancer and its listeners, tagged in its create call
version_added: 1.0.0
description:
  - Creates one Application Load Balancer, found by name, with its tags in the C(CreateLoadBalancer)
    call, then one C(CreateListener) per listener. A new load balancer therefore costs three calls
    for one listener (the read by name, the create, the listener), where
    M(amazon.aws.elb_application_lb) makes eleven (it re-reads the load balancer, its attributes,
    tags, listeners and their rules after the create).
  - On an existing load balancer it reads the listeners and the tags (no attributes and no rules, which
    the module does not manage) and changes only what differs - C(SetSubnets), C(SetSecurityGroups),
    C(CreateListener), C(ModifyListener), C(DeleteListener) (listeners matched by port, see
    O(purge_listeners)), C(AddTags), C(RemoveTags) - with no write call when all is as wanted.
  - The scheme and the type cannot change on AWS; the module fails naming them instead of replacing
    the load balancer.
  - C(CreateLoadBalancer) is idempotent (ELB API Reference) - the same name and settings answer the
    existing load balancer, so a create whose answer was lost and is retried makes no second one. The
    same name with other settings is refused (C(DuplicateLoadBalancerName)), a load balancer the read
    did not find yet; the module then reads it again and updates it. C(CreateListener) is
    idempotent in the same way; a port already taken with other settings (C(DuplicateListener)) is
    updated instead.
  - It does not wait for the load balancer to become active (C(provisioning) for minutes on AWS); use
    M(scaleout.webtier.aws_resource_wait) with its RV(load_balancer_arn).
  - The collection's minimal IAM policy (docs/iam.md) does not hold C(SetSubnets),
    C(SetSecurityGroups) or C(RemoveTags); a run that changes subnets, security groups or removes a
    tag needs them.
  - Supports check mode and diff mode.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The load balancer's name (1 to 32 characters, letters, digits and hyphens).
    type: str
    required: true
  scheme:
    description: Internet-facing or internal (fixed at creation).
    type: str
    choices: [internet-facing, internal]
    default: internet-facing
  subnets:
    description: The subnet ids, one per Availability Zone, at least two zones.
    type: list
    elements: str
    required: true
  security_groups:
    description: The security group ids.
    type: list
    elements: str
    required: true
  listeners:
    description:
      - The listeners, in C(CreateListener)'s shape - C(Protocol) (C(HTTP) or C(HTTPS)), C(Port),
        C(DefaultActions) (each with C(Type) C(forward) and C(TargetGroupArn), C(redirect) and
        C(RedirectConfig), or C(fixed-response) and C(FixedResponseConfig)), and for HTTPS
        C(Certificates) (the first is the default certificate) and C(SslPolicy).
      - A listener is matched with an existing one by its port.
    type: list
    elements: dict
    default: []
  purge_listeners:
    description: Delete the listeners on ports that O(listeners) does not name.
    type: bool
    default: true
  tags:
    description: Tags of the load balancer, given in the create call.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove the tags of an existing load balancer that O(tags) does not name.
    type: bool
    default: true
  known_absent:
    description:
      - The caller read moments ago that no load balancer of this name exists (the stack's plan), so
        the module creates it without reading first.
      - Safe when that is no longer true - C(CreateLoadBalancer) returns an existing load balancer of the
        same name and settings, and refuses one with other settings (C(DuplicateLoadBalancerName)), after
        which the module reads it and updates it.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The web tier's load balancer, HTTP to the target group
  scaleout.webtier.load_balancer:
    name: demo-alb
    subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    security_groups: [sg-0123456789abcdef0]
    listeners:
      - Protocol: HTTP
        Port: 80
        DefaultActions:
          - Type: forward
            TargetGroupArn: "{{ target_group.target_group_arn }}"
    tags:
      scaleout:stack: demo
      scaleout:managed-by: scaleout.webtier
  register: alb

- name: Wait until it is active
  scaleout.webtier.aws_resource_wait:
    resource: load_balancer
    ids: ["{{ alb.load_balancer_arn }}"]
    state: active
"""

RETURN = r"""
load_balancer_arn:
  description: The load balancer's ARN (empty in check mode when it would be created).
  returned: always
  type: str
dns_name:
  description: The load balancer's DNS name (empty in check mode when it would be created).
  returned: always
  type: str
state:
  description: The load balancer's state when it was read or created (C(provisioning), C(active), ...).
  returned: always
  type: str
listener_arns:
  description: The listeners' ARNs by port, after the run (empty in check mode when they would be created).
  returned: always
  type: dict
changes:
  description: "What changed, or would change in check mode, as C(what: now -> wanted) lines."
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2 import load_balancers as lb
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws


def result_of(balancer, listener_arns, changes, diff, **extra):
    return dict(changed=bool(changes), load_balancer_arn=balancer.get("LoadBalancerArn", ""), dns_name=balancer.get("DNSName", ""),
                state=(balancer.get("State") or {}).get("Code", ""), listener_arns=listener_arns, changes=changes, diff=diff, **extra)


def listener_lines(listeners):
    return ["%s %s" % (listener["Protocol"], listener["Port"]) for listener in listeners]


def create(module, elbv2, wanted_listeners):
    """A new load balancer and its listeners: the create (tags in it), then one call per listener.
    None when AWS says the name is taken by a load balancer the read did not find (update it)."""
    params, name = module.params, module.params["name"]
    changes = ["create %s (%s)" % (name, params["scheme"])] + ["listener %s: missing -> present" % line for line in listener_lines(wanted_listeners)]
    diff = {"before": {}, "after": {"name": name, "scheme": params["scheme"], "subnets": sorted(params["subnets"]),
                                    "security_groups": sorted(params["security_groups"]), "listeners": wanted_listeners,
                                    "tags": params["tags"] or {}}}
    if module.check_mode:
        module.exit_json(**result_of({}, {}, changes, diff, msg="would have created load balancer %s" % name))
    try:
        balancer = lb.create_load_balancer(elbv2, name, params["scheme"], params["subnets"], params["security_groups"], params["tags"] or {})
    except is_boto3_error_code("DuplicateLoadBalancerName"):
        return None
    arn, listener_arns, taken = balancer["LoadBalancerArn"], {}, False
    for listener in wanted_listeners:
        try:
            listener_arns[listener["Port"]] = lb.create_listener(elbv2, arn, listener)["ListenerArn"]
        except is_boto3_error_code("DuplicateListener"):
            # CreateLoadBalancer answered a load balancer that already had listeners (idempotent
            # for the same settings): the update below makes them as wanted.
            taken = True
    if taken:
        update(module, elbv2, balancer, wanted_listeners, changes)
    module.exit_json(**result_of(balancer, listener_arns, changes, diff))


def update(module, elbv2, balancer, wanted_listeners, earlier=()):
    """An existing load balancer: change only what differs."""
    params, name, arn = module.params, module.params["name"], balancer["LoadBalancerArn"]
    replace = lb.replacement_reasons(balancer, params["scheme"])
    if replace:
        module.fail_json(msg="load balancer %s: %s cannot change on AWS; delete the load balancer (teardown) to recreate it"
                         % (name, "; ".join(replace)), load_balancer_arn=arn)
    current_listeners = lb.listeners_of(elbv2, arn)
    current_tags = lb.tags_of(elbv2, arn)
    placement = lb.placement_changes(balancer, params["subnets"], params["security_groups"])
    to_create, to_modify, to_delete = lb.listener_updates(current_listeners, wanted_listeners, params["purge_listeners"])
    tags_to_set, tags_to_remove = compare_aws_tags(current_tags, params["tags"] or {}, purge_tags=params["purge_tags"])
    changes = list(earlier)
    if "subnets" in placement:
        changes.append("subnets: %s -> %s" % (lb.subnet_ids_of(balancer), placement["subnets"]))
    if "security_groups" in placement:
        changes.append("security groups: %s -> %s" % (sorted(balancer.get("SecurityGroups") or []), placement["security_groups"]))
    changes += ["listener %s: missing -> present" % line for line in listener_lines(to_create)]
    changes += ["listener %s: %s" % (listener["Port"], line) for _arn, listener, lines in to_modify for line in lines]
    changes += ["listener %s: present -> (removed)" % line for line in listener_lines(to_delete)]
    changes += ["tag %s: %s -> %s" % (k, current_tags.get(k, "(none)"), v) for k, v in sorted(tags_to_set.items())]
    changes += ["tag %s: %s -> (removed)" % (k, current_tags[k]) for k in sorted(tags_to_remove)]
    after_tags = dict((k, v) for k, v in dict(current_tags, **tags_to_set).items() if k not in tags_to_remove)
    diff = {"before": {"name": name, "subnets": lb.subnet_ids_of(balancer), "security_groups": sorted(balancer.get("SecurityGroups") or []),
                       "listeners": [lb.normalized_listener(listener) for listener in current_listeners], "tags": current_tags},
            "after": {"name": name, "subnets": placement.get("subnets", lb.subnet_ids_of(balancer)),
                      "security_groups": placement.get("security_groups", sorted(balancer.get("SecurityGroups") or [])),
                      "listeners": [lb.normalized_listener(listener) for listener in wanted_listeners]
                      + ([] if params["purge_listeners"] else [lb.normalized_listener(listener) for listener in current_listeners
                                                               if int(listener["Port"]) not in set(w["Port"] for w in wanted_listeners)]),
                      "tags": after_tags}}
    listener_arns = dict((int(listener["Port"]), listener["ListenerArn"]) for listener in current_listeners)
    if module.check_mode:
        extra = {"msg": "would have updated load balancer %s" % name} if changes else {}
        module.exit_json(**result_of(balancer, listener_arns, changes, diff, **extra))
    if "subnets" in placement:
        lb.set_subnets(elbv2, arn, placement["subnets"])
    if "security_groups" in placement:
        lb.set_security_groups(elbv2, arn, placement["security_groups"])
    # Create and modify before deleting, so that traffic always has a listener.
    for listener in to_create:
        listener_arns[listener["Port"]] = lb.create_listener(elbv2, arn, listener)["ListenerArn"]
    for listener_arn, listener, _lines in to_modify:
        lb.modify_listener(elbv2, listener_arn, listener)
    for listener in to_delete:
        lb.delete_listener(elbv2, listener["ListenerArn"])
        listener_arns.pop(int(listener["Port"]), None)
    if tags_to_set:
        lb.add_tags(elbv2, arn, tags_to_set)
    if tags_to_remove:
        lb.remove_tags(elbv2, arn, tags_to_remove)
    module.exit_json(**result_of(balancer, listener_arns, changes, diff))


def present(module, elbv2):
    name = module.params["name"]
    wanted_listeners = [lb.normalized_listener(listener) for listener in module.params["listeners"]]
    balancer = None if module.params["known_absent"] else lb.find_load_balancer(elbv2, name)
    if balancer is None:
        create(module, elbv2, wanted_listeners)
        # The name is taken: a load balancer with other settings that the read did not find yet.
        balancer = lb.find_load_balancer(elbv2, name)
        if balancer is None:
            module.fail_json(msg="load balancer %s: CreateLoadBalancer answered DuplicateLoadBalancerName (the name is taken "
                                 "with other settings), yet DescribeLoadBalancers does not find it; run again" % name)
    update(module, elbv2, balancer, wanted_listeners)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            scheme=dict(type="str", choices=["internet-facing", "internal"], default="internet-facing"),
            subnets=dict(type="list", elements="str", required=True),
            security_groups=dict(type="list", elements="str", required=True),
            listeners=dict(type="list", elements="dict", default=[]),
            purge_listeners=dict(type="bool", default=True),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
            known_absent=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    errors = lb.listener_errors(module.params["listeners"])
    if errors:
        module.fail_json(msg="; ".join(errors))
    elbv2 = client(module, "elbv2")
    try:
        present(module, elbv2)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to manage load balancer %s" % module.params["name"])


if __name__ == "__main__":
    main()
