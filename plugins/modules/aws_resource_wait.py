#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: aws_resource_wait
short_description: Wait for images, load balancers, instances or an Auto Scaling group to reach a state
version_added: 1.0.0
description:
  - Polls AWS once every O(poll_interval) seconds until every resource is in the O(state) asked for,
    fails at once when one reaches a state it cannot leave (an image C(failed), an instance that
    terminated while it should run), and fails on O(timeout) naming what each resource still is.
  - Makes one describe call per poll (for a group, also one per target group, for its health), so
    a wait makes at most 60 / O(poll_interval) polls a minute and sees a change at most one interval
    after it happens. When AWS throttles, the next polls come at twice the interval (up to a
    minute), and each call is retried with jittered backoff.
  - Why not the modules' own C(wait) options? Their botocore waiters poll at fixed intervals
    (15 s for images and load balancers, 10 s for groups) with their own timeouts; this module lets a
    role start a slow resource, do other work, and wait for it later.
  - Never changes anything. In check mode it does not wait (the resources may not exist yet).
author: scaleout.webtier maintainers (@scaleout)
options:
  resource:
    description: The kind of resource.
    type: str
    required: true
    choices: [image, load_balancer, instance, group]
  ids:
    description:
      - Image ids, load balancer ARNs, instance ids, or (for O(resource=group)) one Auto Scaling group name.
      - An empty list returns at once.
    type: list
    elements: str
    required: true
  state:
    description:
      - The state to wait for. C(available) for an image, C(active) for a load balancer, C(running),
        C(stopped) or C(terminated) for an instance (a terminated instance that no longer exists counts),
        C(healthy) for a group (its desired capacity InService, Healthy, and healthy in its target groups).
    type: str
    required: true
    choices: [available, active, running, stopped, terminated, healthy]
  timeout:
    description: Seconds to wait before failing.
    type: int
    default: 600
  poll_interval:
    description: Seconds between polls (at least 1).
    type: int
    default: 15
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait for a new image
  scaleout.webtier.aws_resource_wait:
    resource: image
    ids: [ami-0123456789abcdef0]
    state: available
    timeout: 1800

- name: Wait until the load balancer started earlier is active
  scaleout.webtier.aws_resource_wait:
    resource: load_balancer
    ids: ["{{ alb.load_balancer_arn }}"]
    state: active
    poll_interval: 10

- name: Wait until the group's instances serve traffic
  scaleout.webtier.aws_resource_wait:
    resource: group
    ids: [demo-asg]
    state: healthy
    timeout: 900
"""

RETURN = r"""
states:
  description: The last state seen of each resource (for a group, of each of its instances).
  returned: always
  type: dict
  sample: {"ami-0123456789abcdef0": "available"}
detail:
  description: What the last poll saw, in words.
  returned: always
  type: str
elapsed:
  description: Seconds waited.
  returned: always
  type: float
polls:
  description: Polls made.
  returned: always
  type: int
throttled_polls:
  description: Polls that AWS throttled (each stretched the next pause).
  returned: always
  type: int
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import MISSING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import check_wait_request
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import group_states
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import group_verdict
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import is_throttling
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_verdict


@AWSRetry.jittered_backoff()
def _full_result(client, operation, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result()


def _with_missing(ids, found):
    return dict((resource_id, found.get(resource_id, (MISSING, ""))) for resource_id in ids)


def read_images(clients, ids):
    # A filter, not ImageIds: an image that does not exist is reported, not an error.
    result = _full_result(clients["ec2"], "describe_images", Filters=[{"Name": "image-id", "Values": ids}])
    found = dict((image["ImageId"], (image["State"], image.get("StateReason", {}).get("Message", "")))
                 for image in result.get("Images", []))
    return _with_missing(ids, found)


def read_load_balancers(clients, ids):
    try:
        result = _full_result(clients["elbv2"], "describe_load_balancers", LoadBalancerArns=ids)
    except is_boto3_error_code("LoadBalancerNotFound"):
        result = {}
    found = dict((balancer["LoadBalancerArn"], (balancer["State"]["Code"], balancer["State"].get("Reason", "")))
                 for balancer in result.get("LoadBalancers", []))
    return _with_missing(ids, found)


def read_instances(clients, ids):
    result = _full_result(clients["ec2"], "describe_instances", Filters=[{"Name": "instance-id", "Values": ids}])
    found = {}
    for reservation in result.get("Reservations", []):
        for instance in reservation["Instances"]:
            found[instance["InstanceId"]] = (instance["State"]["Name"], instance.get("StateReason", {}).get("Message", ""))
    return _with_missing(ids, found)


def read_group(clients, name):
    groups = clients["autoscaling"].describe_auto_scaling_groups(aws_retry=True, AutoScalingGroupNames=[name])["AutoScalingGroups"]
    if not groups:
        return None, {}
    group = groups[0]
    health = {}
    for arn in group.get("TargetGroupARNs", []):
        descriptions = clients["elbv2"].describe_target_health(aws_retry=True, TargetGroupArn=arn)["TargetHealthDescriptions"]
        health[arn] = dict((d["Target"]["Id"], d["TargetHealth"]["State"]) for d in descriptions)
    return group, health


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            resource=dict(type="str", required=True, choices=["image", "load_balancer", "instance", "group"]),
            ids=dict(type="list", elements="str", required=True),
            state=dict(type="str", required=True, choices=["available", "active", "running", "stopped", "terminated", "healthy"]),
            timeout=dict(type="int", default=600),
            poll_interval=dict(type="int", default=15),
        ),
        supports_check_mode=True,
    )
    params = module.params
    resource, target, ids = params["resource"], params["state"], params["ids"]
    problem = check_wait_request(resource, target)
    if problem is None and resource == "group" and len(ids) != 1:
        problem = "name exactly one Auto Scaling group in ids (got %d)" % len(ids)
    if problem is None and params["timeout"] < 0:
        problem = "timeout=%d: must not be negative" % params["timeout"]
    if problem is None and params["poll_interval"] < 1:
        problem = "poll_interval=%d: must be at least 1 second" % params["poll_interval"]
    if problem:
        module.fail_json(msg=problem)
    if module.check_mode or not ids:
        module.exit_json(changed=False, states={}, detail="check mode: not waited" if ids else "nothing to wait for",
                         elapsed=0.0, polls=0, throttled_polls=0)
    retry = AWSRetry.jittered_backoff()
    clients = dict((name, module.client(name, retry_decorator=retry)) for name in ("ec2", "elbv2", "autoscaling"))
    poller = Poller(params["timeout"], params["poll_interval"])
    detail, states = "not polled yet", {}
    while True:
        throttled = False
        try:
            verdict, detail, states = poll(clients, resource, target, ids)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            if not is_throttling(e):
                module.fail_json_aws(e, msg="Unable to read the state of %s %s" % (resource, ", ".join(ids)))
            verdict, throttled = "waiting", True
        poller.polled(throttled)
        shown = dict((key, value[0]) for key, value in states.items())
        if verdict == "done":
            module.exit_json(changed=False, states=shown, detail=detail, **poller.summary())
        if verdict == "failed":
            module.fail_json(msg="stopped waiting for %s to become %s: %s" % (resource, target, detail), states=shown,
                             detail=detail, **poller.summary())
        if poller.expired:
            module.fail_json(
                msg="timed out after %ds waiting for %s %s to become %s: %s (polled %d times, every %ds)"
                % (params["timeout"], resource, ", ".join(ids), target, detail, poller.polls, params["poll_interval"]),
                states=shown, detail=detail, **poller.summary())
        poller.pause()


def poll(clients, resource, target, ids):
    """One poll: ("done" | "failed" | "waiting", detail, {id: (state, reason)})."""
    if resource == "group":
        group, health = read_group(clients, ids[0])
        if group is None:
            return "failed", "Auto Scaling group %s does not exist" % ids[0], {}
        verdict, detail = group_verdict(group, health)
        return verdict, detail, group_states(group, health)
    reader = {"image": read_images, "load_balancer": read_load_balancers, "instance": read_instances}[resource]
    states = reader(clients, ids)
    verdict, detail = wait_verdict(resource, target, states)
    return verdict, detail, states


if __name__ == "__main__":
    main()
