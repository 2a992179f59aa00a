#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: stack_resources_info
short_description: List every resource tagged with a web tier stack
version_added: 1.0.0
description:
  - Lists, by the C(scaleout:stack) tag and never by name, the Auto Scaling groups, instances, load
    balancers, target groups, launch templates, images, snapshots, volumes and security groups of a
    stack in the region, and its IAM roles (under the path C(/scaleout/); IAM is global).
  - Teardown uses it to find what to delete and to prove that nothing is left; a resource of another
    stack, or an untagged one with a similar name, is never listed.
  - Terminated instances (still visible for a while on AWS) are listed with their state but do not
    count as remaining.
author: scaleout.webtier maintainers (@scaleout)
options:
  stack_name:
    description: The stack, the value of the C(scaleout:stack) tag.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What does the stack still own?
  scaleout.webtier.stack_resources_info:
    stack_name: demo
  register: leftovers

- name: Fail if anything remains
  ansible.builtin.assert:
    that: leftovers.total == 0
    fail_msg: "{{ leftovers.message }}"
"""

RETURN = r"""
resources:
  description:
    - Per kind, the resources found, each with C(id), C(name), C(state) (where the kind has one) and
      C(tags). Kinds are listed in the order teardown deletes them.
  returned: always
  type: dict
  sample:
    autoscaling_groups: [{"id": "demo-asg", "name": "demo-asg", "state": "", "tags": {"scaleout:stack": "demo"}}]
    security_groups: [{"id": "sg-0123", "name": "demo-web", "state": "", "tags": {"scaleout:stack": "demo"}}]
remaining:
  description: Like RV(resources), without kinds that have nothing left and without terminated instances.
  returned: always
  type: dict
total:
  description: How many resources remain.
  returned: always
  type: int
message:
  description: A sentence naming what remains, or saying that nothing does.
  returned: always
  type: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.scaleout.webtier.plugins.module_utils._inventory import KINDS
from ansible_collections.scaleout.webtier.plugins.module_utils._inventory import STACK_TAG
from ansible_collections.scaleout.webtier.plugins.module_utils._inventory import belongs_to
from ansible_collections.scaleout.webtier.plugins.module_utils._inventory import summarise
from ansible_collections.scaleout.webtier.plugins.module_utils._inventory import tag_dict


def entry(resource_id, name, state, tags):
    return {"id": resource_id, "name": name or "", "state": state or "", "tags": tag_dict(tags)}


def ec2_resources(ec2, stack):
    tag_filter = [{"Name": "tag:" + STACK_TAG, "Values": [stack]}]
    found = {}
    reservations = paginated_query_with_retries(ec2, "describe_instances", Filters=tag_filter)["Reservations"]
    found["instances"] = [
        entry(i["InstanceId"], tag_dict(i.get("Tags")).get("Name"), i["State"]["Name"], i.get("Tags"))
        for r in reservations for i in r["Instances"]
    ]
    groups = paginated_query_with_retries(ec2, "describe_security_groups", Filters=tag_filter)["SecurityGroups"]
    found["security_groups"] = [entry(g["GroupId"], g["GroupName"], "", g.get("Tags")) for g in groups]
    templates = paginated_query_with_retries(ec2, "describe_launch_templates", Filters=tag_filter)["LaunchTemplates"]
    found["launch_templates"] = [entry(t["LaunchTemplateId"], t["LaunchTemplateName"], "", t.get("Tags")) for t in templates]
    images = ec2.describe_images(aws_retry=True, Owners=["self"], Filters=tag_filter)["Images"]
    found["images"] = [entry(i["ImageId"], i.get("Name"), i.get("State"), i.get("Tags")) for i in images]
    snapshots = paginated_query_with_retries(ec2, "describe_snapshots", OwnerIds=["self"], Filters=tag_filter)["Snapshots"]
    found["snapshots"] = [entry(s["SnapshotId"], s.get("Description"), s.get("State"), s.get("Tags")) for s in snapshots]
    volumes = paginated_query_with_retries(ec2, "describe_volumes", Filters=tag_filter)["Volumes"]
    found["volumes"] = [entry(v["VolumeId"], tag_dict(v.get("Tags")).get("Name"), v.get("State"), v.get("Tags")) for v in volumes]
    return found


def elbv2_resources(elbv2, stack):
    def tagged(arns):
        tags = {}
        for start in range(0, len(arns), 20):  # DescribeTags takes at most 20 ARNs
            for description in elbv2.describe_tags(aws_retry=True, ResourceArns=arns[start:start + 20])["TagDescriptions"]:
                tags[description["ResourceArn"]] = description.get("Tags", [])
        return tags

    found = {}
    balancers = paginated_query_with_retries(elbv2, "describe_load_balancers")["LoadBalancers"]
    tags = tagged([b["LoadBalancerArn"] for b in balancers])
    found["load_balancers"] = [
        entry(b["LoadBalancerArn"], b["LoadBalancerName"], b.get("State", {}).get("Code"), tags.get(b["LoadBalancerArn"]))
        for b in balancers if belongs_to(tags.get(b["LoadBalancerArn"]), stack)
    ]
    target_groups = paginated_query_with_retries(elbv2, "describe_target_groups")["TargetGroups"]
    tags = tagged([t["TargetGroupArn"] for t in target_groups])
    found["target_groups"] = [
        entry(t["TargetGroupArn"], t["TargetGroupName"], "", tags.get(t["TargetGroupArn"]))
        for t in target_groups if belongs_to(tags.get(t["TargetGroupArn"]), stack)
    ]
    return found


def autoscaling_resources(autoscaling, stack):
    groups = paginated_query_with_retries(
        autoscaling, "describe_auto_scaling_groups", Filters=[{"Name": "tag:" + STACK_TAG, "Values": [stack]}]
    )["AutoScalingGroups"]
    return {
        "autoscaling_groups": [
            entry(g["AutoScalingGroupName"], g["AutoScalingGroupName"], g.get("Status", ""), g.get("Tags"))
            for g in groups if belongs_to(g.get("Tags"), stack)
        ]
    }


def iam_resources(iam, stack):
    roles = paginated_query_with_retries(iam, "list_roles", PathPrefix="/scaleout/")["Roles"]
    found = []
    for role in roles:
        tags = iam.list_role_tags(aws_retry=True, RoleName=role["RoleName"]).get("Tags", [])
        if belongs_to(tags, stack):
            found.append(entry(role["RoleName"], role["RoleName"], "", tags))
    return {"iam_roles": found}


def main():
    module = AnsibleAWSModule(argument_spec=dict(stack_name=dict(type="str", required=True)), supports_check_mode=True)
    stack = module.params["stack_name"]
    retry = AWSRetry.jittered_backoff()
    found = {}
    try:
        found.update(autoscaling_resources(module.client("autoscaling", retry_decorator=retry), stack))
        found.update(ec2_resources(module.client("ec2", retry_decorator=retry), stack))
        found.update(elbv2_resources(module.client("elbv2", retry_decorator=retry), stack))
        found.update(iam_resources(module.client("iam", retry_decorator=retry), stack))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="Unable to list the resources of stack %s" % stack)
    resources = dict((kind, found.get(kind, [])) for kind in KINDS)
    remaining, total, message = summarise(resources)
    module.exit_json(changed=False, resources=resources, remaining=remaining, total=total, message=message)


if __name__ == "__main__":
    main()
