#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: stack_plan
short_description: Read every resource of a web tier stack once and plan what each stage would change
version_added: 1.0.0
description:
  - Reads, in one process with one client per service and the independent reads running
    concurrently, every resource the pipeline manages - the security groups and their rules, the
    load balancer, its listeners and tags, the target group, its attributes and tags, the instances'
    IAM role, its managed policies and instance profile, the stack's images and any temporary bake
    resources, the launch template with its latest and default versions, the Auto Scaling group,
    its scaling policy and running instance refreshes.
  - "Compares that read with the settings each stage applies (O(wanted), published by each stage's
    C(plan) entry point) and returns the plan - per resource C(create), C(update) (each change as
    C(attribute: now -> wanted)), C(replace), C(delete) or C(no change) - and per stage whether its
    converge has anything to do. The comparison is as strict as the module that converges the resource."
  - Read-only; the same in check mode. Writes the plan to O(report_path) when given (also in check
    mode, as it is a report, not a change of the stack).
author: scaleout.webtier maintainers (@scaleout)
options:
  stack_name:
    description: The stack (the value of its C(scaleout:stack) tag).
    type: str
    required: true
  wanted:
    description:
      - Per stage (C(network), C(load_balancer), C(bake), C(launch_template), C(scaling_group)), the
        settings the stage applies, as its C(plan.yml) publishes them. A stage left out is not planned.
      - The bake's C(image_id) and the launch template's C(template.image_id) may be C(@bake_image) - the
        stack's newest available image tagged with the bake's C(fingerprint) - which the read of the
        stack's images answers; RV(outputs.bake_image_id) says which it found.
    type: dict
    required: true
  report_path:
    description: Where to write the plan as JSON (its directory is created); nothing is written when empty.
    type: path
    default: ""
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Plan the stack
  scaleout.webtier.stack_plan:
    stack_name: demo
    wanted: "{{ site_plan_wanted }}"
    report_path: reports/demo/plan.json
  register: plan

- name: Converge the network only when its plan changes something
  ansible.builtin.include_role:
    name: scaleout.webtier.network
    tasks_from: converge
  when: plan.stages.network
"""

RETURN = r"""
plan:
  description: One entry per resource, in the order the stages converge.
  returned: always
  type: list
  elements: dict
  sample:
    - {"stage": "network", "resource": "security group demo-web", "action": "update",
       "changes": ["ingress tcp 8080-8080 from sg-0123: missing -> present"]}
    - {"stage": "scaling_group", "resource": "Auto Scaling group demo-asg", "action": "no change", "changes": []}
stages:
  description: Per stage, true when one of its resources changes (its converge has work to do).
  returned: always
  type: dict
  sample: {"network": true, "load_balancer": false, "bake": false, "launch_template": false, "scaling_group": false}
changes:
  description: How many resources change (0 when the stack matches its settings).
  returned: always
  type: int
table:
  description: The plan as text lines, one per resource and one per change.
  returned: always
  type: list
  elements: str
outputs:
  description:
    - What the stages publish for the later ones, as the read found it, for stages whose converge does
      not run - C(network_alb_security_group_id), C(network_instance_security_group_id),
      C(load_balancer_target_group_arn), C(load_balancer_arn), C(load_balancer_dns_name),
      C(load_balancer_state), C(launch_template_id), C(launch_template_default_version), C(bake_image_id)
      (the image that C(@bake_image) stood for). Empty strings for what does not exist.
  returned: always
  type: dict
api_calls:
  description: How many API calls the read made.
  returned: always
  type: int
"""

import json
import os
from concurrent.futures import ThreadPoolExecutor

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils import _plan
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import find_group
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import find_policy
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import running_refreshes
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import clients
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.images import describe_images
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import describe_instances
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.launch_templates import find_template
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.security_groups import groups_by_name
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.security_groups import tagged_groups
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2 import target_groups as tg
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import find_load_balancer
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import listeners_of
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import tags_by_arn
from ansible_collections.scaleout.webtier.plugins.module_utils._iam.roles import find_instance_profile
from ansible_collections.scaleout.webtier.plugins.module_utils._iam.roles import find_role
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import STACK_TAG

BAKE_ROLE_TAG = "scaleout:role"
BAKE_TEMPORARY = "bake-temporary"
LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"]
READ_THREADS = 6


def count_calls(aws):
    """Counts the API calls of every client (botocore's before-call event), for the result."""
    counter = {"calls": []}

    def count(**_kwargs):
        counter["calls"].append(1)  # list.append is atomic: the reads run in threads

    for service_client in aws.values():
        service_client.meta.events.register("before-call.*.*", count)
    return counter


def read_elbv2(elbv2, wanted):
    lb_name = wanted["load_balancer"]["name"]
    tg_name = wanted["target_group"]["name"]
    balancer, target_group = find_load_balancer(elbv2, lb_name), tg.find_target_group(elbv2, tg_name)
    arns = [x for x in ((balancer or {}).get("LoadBalancerArn"), (target_group or {}).get("TargetGroupArn")) if x]
    tags = dict((arn, _plan.boto3_tags(t)) for arn, t in tags_by_arn(elbv2, arns).items()) if arns else {}
    found = {"load_balancer": None, "target_group": None}
    if balancer:
        found["load_balancer"] = {"load_balancer": balancer, "listeners": listeners_of(elbv2, balancer["LoadBalancerArn"]),
                                  "tags": tags.get(balancer["LoadBalancerArn"], {})}
    if target_group:
        arn = target_group["TargetGroupArn"]
        found["target_group"] = {"target_group": target_group, "attributes": tg.attributes_of(elbv2, arn), "tags": tags.get(arn, {})}
    return found


def read_group(autoscaling, wanted):
    group = find_group(autoscaling, wanted["name"])
    if group is None:
        return {"group": None, "policy": None, "refreshes_running": []}
    return {"group": group, "policy": find_policy(autoscaling, wanted["name"], wanted["policy"]["name"]), "refreshes_running": []}


def read_network_groups(ec2, vpc_id, names, stack_groups):
    """{name: group} of the network's groups: from the read of the stack's tagged groups when it holds
    them all, else by name in the VPC, the way the converge finds them (a group whose tag was removed,
    or that does not exist yet)."""
    found = dict((g["GroupName"], g) for g in stack_groups if g.get("VpcId") == vpc_id and g["GroupName"] in names)
    return found if set(names) <= set(found) else groups_by_name(ec2, vpc_id, names)


def read_stack(aws, stack, wanted):
    """Everything the plan compares, the reads of different services (and independent reads of
    one service) running concurrently: boto3 clients are thread-safe."""
    ec2, iam = aws["ec2"], aws["iam"]
    reads = {}
    if "network" in wanted or "bake" in wanted:
        # One read for the network's groups and an interrupted bake's temporary one (any VPC).
        reads["stack_groups"] = lambda: tagged_groups(ec2, {STACK_TAG: stack})
    if "load_balancer" in wanted:
        reads["elbv2"] = lambda: read_elbv2(aws["elbv2"], wanted["load_balancer"])
    if "bake" in wanted or "launch_template" in wanted:
        reads["images"] = lambda: describe_images(ec2, Owners=["self"], Filters=[{"Name": "tag:" + STACK_TAG, "Values": [stack]}])
    template_wanted = wanted.get("launch_template", {}).get("template")
    template_name = (template_wanted or {}).get("name") or wanted.get("bake", {}).get("launch_template_name")
    if template_name:
        reads["launch_template"] = lambda: find_template(ec2, template_name)
    if "launch_template" in wanted and wanted["launch_template"]["identity"]:
        reads["role"] = lambda: find_role(iam, wanted["launch_template"]["role"]["name"])
    profile_name = (template_wanted or {}).get("instance_profile")
    if profile_name and not profile_name.startswith("arn:"):
        reads["instance_profile"] = lambda: find_instance_profile(iam, profile_name)
    if "scaling_group" in wanted:
        reads["autoscaling"] = lambda: read_group(aws["autoscaling"], wanted["scaling_group"])
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        futures = dict((name, pool.submit(read)) for name, read in reads.items())
        results = dict((name, future.result()) for name, future in futures.items())
    bake_image_id = _plan.fingerprint_image(results.get("images", []), wanted["bake"]["fingerprint"]) if "bake" in wanted else ""
    image_id = _plan.resolve_bake_image(wanted, bake_image_id).get("launch_template", {}).get("template", {}).get("image_id")
    # The template's image is usually the stack's own (the bake's), already read: described only otherwise.
    own = [i for i in results.get("images", []) if i["ImageId"] == image_id]
    if image_id:
        results["template_image"] = own or describe_images(ec2, ImageIds=[image_id])
    stack_groups = results.get("stack_groups", [])
    if "network" in wanted:
        names = [g["name"] for g in wanted["network"]["security_groups"]]
        results["security_groups"] = read_network_groups(ec2, wanted["network"]["vpc_id"], names, stack_groups)
    if "bake" in wanted:
        temporary = {STACK_TAG: stack, BAKE_ROLE_TAG: BAKE_TEMPORARY}
        results["bake_security_groups"] = [g for g in stack_groups if _plan.has_tags(g, temporary)]
        # An instance keeps its security group from deletion (DependencyViolation), and the bake
        # creates its group first and deletes it last: no temporary group, no temporary instance.
        if results["bake_security_groups"]:
            results["bake_instances"] = describe_instances(
                ec2, [{"Name": "tag:" + k, "Values": [v]} for k, v in temporary.items()]
                + [{"Name": "instance-state-name", "Values": LIVE_INSTANCE_STATES}])
    group = (results.get("autoscaling") or {}).get("group")
    if group and wanted["scaling_group"]["refresh"] and _plan.refresh_may_run(group, results.get("launch_template")):
        results["autoscaling"]["refreshes_running"] = running_refreshes(aws["autoscaling"], wanted["scaling_group"]["name"])
    read = {"security_groups": results.get("security_groups", {}), "load_balancer": None, "target_group": None,
            "images": results.get("images", []), "bake_instances": results.get("bake_instances", []),
            "bake_security_groups": results.get("bake_security_groups", []),
            "launch_template": results.get("launch_template"), "role": results.get("role"),
            "instance_profile": results.get("instance_profile"),
            "template_image": (results.get("template_image") or [None])[0],
            "group": None, "policy": None, "refreshes_running": [], "bake_image_id": bake_image_id}
    read.update(results.get("elbv2", {}))
    read.update(results.get("autoscaling", {}))
    return read


def outputs(read, wanted):
    groups = read["security_groups"]
    network = wanted.get("network", {"security_groups": [{"name": ""}, {"name": ""}]})
    names = [g["name"] for g in network["security_groups"]]
    balancer = (read["load_balancer"] or {}).get("load_balancer") or {}
    template = (read["launch_template"] or {}).get("template") or {}
    return {
        "network_alb_security_group_id": groups.get(names[0], {}).get("GroupId", ""),
        "network_instance_security_group_id": groups.get(names[1], {}).get("GroupId", "") if len(names) > 1 else "",
        "load_balancer_target_group_arn": ((read["target_group"] or {}).get("target_group") or {}).get("TargetGroupArn", ""),
        "load_balancer_arn": balancer.get("LoadBalancerArn", ""),
        "load_balancer_dns_name": balancer.get("DNSName", ""),
        "load_balancer_state": (balancer.get("State") or {}).get("Code", ""),
        "launch_template_id": template.get("LaunchTemplateId", ""),
        "launch_template_default_version": str(template.get("DefaultVersionNumber", "")),
        "bake_image_id": _plan.resolve_bake_image(wanted, read["bake_image_id"]).get("bake", {}).get("image_id", ""),
    }


def write_report(path, document):
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory)
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(document, f, indent=2, sort_keys=True, default=str)
    os.replace(temporary, path)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            stack_name=dict(type="str", required=True),
            wanted=dict(type="dict", required=True),
            report_path=dict(type="path", default=""),
        ),
        supports_check_mode=True,
    )
    stack, wanted = module.params["stack_name"], module.params["wanted"]
    unknown = sorted(set(wanted) - set(_plan.STAGES))
    if unknown:
        module.fail_json(msg="wanted: unknown stage(s) %s; the stages are %s" % (", ".join(unknown), ", ".join(_plan.STAGES)))
    aws = clients(module, ("ec2", "elbv2", "iam", "autoscaling"))
    counter = count_calls(aws)
    try:
        read = read_stack(aws, stack, wanted)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to read the resources of stack %s" % stack)
    try:
        entries = _plan.make_plan(_plan.resolve_bake_image(wanted, read["bake_image_id"]), read)
    except (KeyError, TypeError, ValueError) as e:
        module.fail_json(msg="wanted: the settings of a stage are incomplete or malformed (%s: %s)" % (type(e).__name__, e))
    result = dict(changed=False, plan=entries, stages=_plan.stages_to_run(entries), table=_plan.table(entries),
                  changes=sum(1 for e in entries if e["action"] != _plan.NO_CHANGE), outputs=outputs(read, wanted),
                  api_calls=len(counter["calls"]))
    if module.params["report_path"]:
        write_report(module.params["report_path"], dict(stack=stack, plan=entries, stages=result["stages"], changes=result["changes"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
