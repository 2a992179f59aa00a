#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: scaling_group
short_description: Create or update an Auto Scaling group and its CPU target-tracking policy, tagged in its create call
version_added: 1.0.0
description:
  - Creates one Auto Scaling group from a launch template, with its target groups, health check,
    cooldown, default instance warmup and tags in the C(CreateAutoScalingGroup) call, then enables
    its group metrics and puts its target-tracking policy on average CPU. A new group costs four
    calls - one read, the create, C(EnableMetricsCollection), C(PutScalingPolicy).
  - On a later run it reads the group and its policy (two calls) and makes only the calls that
    repair what differs - C(UpdateAutoScalingGroup) for the template, subnets, sizes, health check,
    cooldown and warmup; C(AttachLoadBalancerTargetGroups) and C(DetachLoadBalancerTargetGroups);
    C(CreateOrUpdateTags); C(SuspendProcesses) and C(ResumeProcesses); C(EnableMetricsCollection);
    C(PutScalingPolicy) - and no write call when all is as wanted.
  - The desired capacity is set only when the group is created; afterwards it belongs to the
    scaling policy. Tags not listed are kept. Processes an operator suspended stay suspended unless
    O(suspended_processes) is given.
  - For a while after a new instance profile, AWS refuses C(CreateAutoScalingGroup) with
    C(ValidationError) ... C(Invalid IAM Instance Profile name) (IAM propagation); the create is
    retried on that error only, for at most O(profile_propagation_timeout) seconds.
  - Made for the collection's first converge, where M(amazon.aws.autoscaling_group),
    M(scaleout.webtier.autoscaling_warmup) and M(community.aws.autoscaling_policy) together read
    the group seven times.
  - Supports check mode (for the policy too) and diff mode.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The group's name.
    type: str
    required: true
  launch_template_name:
    description: The launch template the group launches from.
    type: str
    required: true
  launch_template_version:
    description: Its version - C($Default), C($Latest) or a number.
    type: str
    default: $Default
  subnet_ids:
    description: The subnets the group launches into.
    type: list
    elements: str
    required: true
  min_size:
    description: The group's minimum size.
    type: int
    required: true
  max_size:
    description: The group's maximum size.
    type: int
    required: true
  desired_capacity:
    description: The desired capacity of a new group (AWS's default is O(min_size)); never changed afterwards.
    type: int
  target_group_arns:
    description: The target groups the group registers its instances in; others are detached.
    type: list
    elements: str
    default: []
  health_check_type:
    description: The group's health check.
    type: str
    choices: [EC2, ELB, VPC_LATTICE, EBS]
    default: EC2
  health_check_grace_period:
    description: Seconds before a new instance's health checks count.
    type: int
    default: 0
  default_cooldown:
    description: The group's default cooldown in seconds.
    type: int
    default: 300
  instance_warmup:
    description:
      - The group's default instance warmup in seconds (0 to 3600), also the policy's estimated
        warmup. AWS recommends it for every group with target tracking or instance refresh.
      - Not set, the group's warmup is left alone.
    type: int
  tags:
    description: Tags of the group, all propagated to its instances at launch; set when missing or different.
    type: dict
    default: {}
  suspended_processes:
    description:
      - The processes that must be suspended; the others are resumed.
      - Not set, the suspended processes are left as they are.
    type: list
    elements: str
  metrics_granularity:
    description: The granularity of the group metrics collected (all eight group metrics).
    type: str
    default: 1Minute
  policy_name:
    description: The target-tracking policy's name. Not set, no policy is managed.
    type: str
  target_cpu:
    description: The policy's target average CPU utilization, in percent (required with O(policy_name)).
    type: float
  profile_propagation_timeout:
    description: Seconds to retry the create while AWS refuses the launch template's instance profile as not yet propagated.
    type: int
    default: 120
  profile_propagation_retry_delay:
    description: Seconds between those attempts.
    type: int
    default: 10
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A group of one to four instances behind a target group, scaling on CPU
  scaleout.webtier.scaling_group:
    name: demo-asg
    launch_template_name: demo-web
    subnet_ids: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
    min_size: 1
    max_size: 4
    target_group_arns:
      - arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-tg/0123456789abcdef
    health_check_type: ELB
    health_check_grace_period: 120
    instance_warmup: 120
    tags:
      scaleout:stack: demo
    policy_name: demo-cpu-target-tracking
    target_cpu: 50
  register: group
"""

RETURN = r"""
group:
  description:
    - The group after the call (in check mode, as it would be). A new group has no instances yet.
  returned: always
  type: dict
  contains:
    name:
      description: The group's name.
      type: str
    min_size:
      description: Its minimum size.
      type: int
    max_size:
      description: Its maximum size.
      type: int
    desired_capacity:
      description: Its desired capacity.
      type: int
    launch_template:
      description: Its launch template's C(name) and C(version).
      type: dict
    instances:
      description: Its instances, each with C(instance_id), C(availability_zone), C(lifecycle_state),
        C(health_status) and C(launch_template_version).
      type: list
      elements: dict
    policy:
      description: The policy's C(name), C(target_value) and C(estimated_warmup) (null without O(policy_name)).
      type: dict
created:
  description: Whether the group was (or in check mode would have been) created.
  returned: always
  type: bool
create_attempts:
  description: CreateAutoScalingGroup calls made, more than one when AWS refused the instance profile while IAM propagated it.
  returned: when the group was created
  type: int
launch_template_changed:
  description: Whether the group's launch template or version was changed (its instances then run another one).
  returned: always
  type: bool
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
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling import groups
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling import settings
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws

HEALTH_CHECK_TYPES = ("EC2", "ELB", "VPC_LATTICE", "EBS")


def input_problems(params):
    """What is wrong with the parameters, before any AWS call."""
    problems = []
    if params["min_size"] < 0 or params["max_size"] < params["min_size"]:
        problems.append("min_size=%d, max_size=%d: need 0 <= min_size <= max_size" % (params["min_size"], params["max_size"]))
    desired = params["desired_capacity"]
    if desired is not None and not params["min_size"] <= desired <= params["max_size"]:
        problems.append("desired_capacity=%d: must be from min_size to max_size" % desired)
    if not params["subnet_ids"]:
        problems.append("subnet_ids: at least one subnet is needed")
    warmup = params["instance_warmup"]
    if warmup is not None and not 0 <= warmup <= 3600:
        problems.append("instance_warmup=%d: must be from 0 to 3600 seconds" % warmup)
    if params["policy_name"] and (params["target_cpu"] is None or params["target_cpu"] <= 0):
        problems.append("target_cpu: a positive percentage is needed with policy_name")
    if params["profile_propagation_timeout"] < 0 or params["profile_propagation_retry_delay"] < 1:
        problems.append("profile_propagation_timeout must not be negative, profile_propagation_retry_delay at least 1")
    return problems


def wanted_of(params):
    return settings.wanted_group(dict((key, params[key]) for key in settings.WANTED_KEYS + ("instance_warmup",)))


def wanted_policy_of(params):
    if not params["policy_name"]:
        return None
    # The policy's estimated warmup is the group's default warmup (AWS falls back to it anyway).
    warmup = params["instance_warmup"] if params["instance_warmup"] is not None else params["default_cooldown"]
    return settings.wanted_policy(params["name"], params["policy_name"], params["target_cpu"], warmup)


def policy_summary(policy):
    if policy is None:
        return None
    return {"name": policy["PolicyName"], "target_value": policy["TargetTrackingConfiguration"]["TargetValue"],
            "estimated_warmup": policy.get("EstimatedInstanceWarmup")}


def create(module, autoscaling, wanted, policy):
    params, name = module.params, module.params["name"]
    request = settings.create_request(name, wanted, params["desired_capacity"])
    calls = settings.after_create_calls(name, wanted)
    described = settings.as_described(name, request, [])
    changes = ["create Auto Scaling group %s (%s..%s instances, desired %s, template %s version %s)" % (
        name, wanted["min_size"], wanted["max_size"], described["DesiredCapacity"], wanted["launch_template_name"],
        wanted["launch_template_version"])]
    changes.append("enable metrics collection (%s)" % params["metrics_granularity"])
    if wanted["suspended_processes"]:
        changes.append("suspend processes %s" % ", ".join(wanted["suspended_processes"]))
    if policy:
        changes.append("create target-tracking policy %s (average CPU %s %%)" % (policy["PolicyName"], policy["TargetTrackingConfiguration"]["TargetValue"]))
    diff = {"before": {}, "after": dict(settings.diff_view(settings.created_group(request, wanted)), policy=policy)}
    result = dict(changed=True, created=True, launch_template_changed=False, changes=changes, diff=diff,
                  group=settings.group_result(described, policy_summary(policy)))
    if module.check_mode:
        module.exit_json(msg="would have created Auto Scaling group %s%s" % (
            name, " and its target-tracking policy %s" % policy["PolicyName"] if policy else ""), **result)
    refusal, attempts = groups.create_group(autoscaling, request, params["profile_propagation_timeout"],
                                            params["profile_propagation_retry_delay"])
    if refusal is not None:
        module.fail_json(msg="CreateAutoScalingGroup %s was still refused after %ds (%d attempts): %s (IAM had not yet propagated "
                             "the launch template's instance profile to Auto Scaling; raise profile_propagation_timeout)"
                             % (name, params["profile_propagation_timeout"], attempts, refusal), changed=False, create_attempts=attempts)
    result["create_attempts"] = attempts
    groups.apply_calls(autoscaling, calls)
    if policy:
        autoscaling.put_scaling_policy(**policy)
    module.exit_json(**result)


def update(module, autoscaling, found, wanted, policy):
    name = module.params["name"]
    current = settings.current_group(found)
    differences = settings.group_differences(current, wanted)
    calls = settings.update_calls(name, current, differences)
    changes = settings.difference_lines(differences)
    found_policy = groups.find_policy(autoscaling, name, policy["PolicyName"]) if policy else None
    policy_changes = []
    if policy:
        policy_changes = settings.policy_differences(found_policy, policy) if found_policy else ["policy: (none) -> created"]
        changes += ["policy %s %s" % (policy["PolicyName"], line) for line in policy_changes]
    template_changed = "launch_template_name" in differences or "launch_template_version" in differences
    after_policy = policy if policy_changes else found_policy
    diff = {"before": dict(settings.diff_view(current), policy=found_policy and dict((k, found_policy.get(k)) for k in policy)),
            "after": dict(settings.diff_view(settings.after_update(current, differences)), policy=after_policy and dict(
                (k, after_policy.get(k)) for k in policy))}
    if not policy:
        diff["before"].pop("policy")
        diff["after"].pop("policy")
    result = dict(changed=bool(changes), created=False, launch_template_changed=template_changed, changes=changes, diff=diff,
                  group=settings.group_result(settings.as_described(name, found, calls), policy_summary(after_policy)))
    if changes and module.check_mode:
        module.exit_json(msg="would have updated Auto Scaling group %s" % name, **result)
    if changes:
        groups.apply_calls(autoscaling, calls)
        if policy_changes:
            autoscaling.put_scaling_policy(**policy)
    module.exit_json(**result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            launch_template_name=dict(type="str", required=True),
            launch_template_version=dict(type="str", default="$Default"),
            subnet_ids=dict(type="list", elements="str", required=True),
            min_size=dict(type="int", required=True),
            max_size=dict(type="int", required=True),
            desired_capacity=dict(type="int"),
            target_group_arns=dict(type="list", elements="str", default=[]),
            health_check_type=dict(type="str", default="EC2", choices=list(HEALTH_CHECK_TYPES)),
            health_check_grace_period=dict(type="int", default=0),
            default_cooldown=dict(type="int", default=300),
            instance_warmup=dict(type="int"),
            tags=dict(type="dict", default={}),
            suspended_processes=dict(type="list", elements="str"),
            metrics_granularity=dict(type="str", default="1Minute"),
            policy_name=dict(type="str"),
            target_cpu=dict(type="float"),
            profile_propagation_timeout=dict(type="int", default=120),
            profile_propagation_retry_delay=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    problems = input_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    wanted = wanted_of(module.params)
    policy = wanted_policy_of(module.params)
    autoscaling = client(module, "autoscaling")
    try:
        found = groups.find_group(autoscaling, module.params["name"])
        if found is None:
            create(module, autoscaling, wanted, policy)
        update(module, autoscaling, found, wanted, policy)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to manage Auto Scaling group %s" % module.params["name"])


if __name__ == "__main__":
    main()
