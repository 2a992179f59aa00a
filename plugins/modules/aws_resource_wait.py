#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aws_resource_wait
short_description: Wait for images, load balancers, instances, an Auto Scaling group or security groups to reach a state
version_added: 1.0.0
description:
  - Polls AWS once every O(poll_interval) seconds until every resource is in the O(state) asked for,
    fails at once when one reaches a state it cannot leave (an image C(failed), an instance that
    terminated while it should run), and fails on O(timeout) naming what each resource still is.
  - For a group, also reads its latest scaling activities at each poll and fails as soon as a launch
    fails in a way that will not heal (an invalid instance profile after IAM had time to propagate
    it, a KMS key Auto Scaling may not use, a launch template or role it may not use, a quota, a
    missing image or security group), quoting AWS's C(StatusMessage) and naming the likely fix.
    Failures that may heal (no capacity in one zone, a zone without the type) are shown in the
    detail and the wait goes on.
  - Makes one describe call per poll (for a group, also one per target group, for its health, and one for its activities), so
    a wait makes at most 60 / O(poll_interval) polls a minute and sees a change at most one interval
    after it happens. When AWS throttles, the next polls come at twice the interval (up to a
    minute).
  - Why not the modules' own C(wait) options? Their botocore waiters poll at fixed intervals
    (15 s for images and load balancers, 10 s for groups) with their own timeouts; this module lets a
    role start a slow resource, do other work, and wait for it later.
  - A resource that is not found during the first two minutes of the wait counts as not there yet, since
    the EC2 API is eventually consistent, and a describe right after a create may not find it. After
    that, a missing resource fails the wait (a terminated instance counts as C(terminated)).
  - Never changes anything. In check mode it does not wait (the resources may not exist yet).
author: scaleout.webtier maintainers (@scaleout)
options:
  resource:
    description: The kind of resource.
    type: str
    required: true
    choices: [image, load_balancer, instance, group, security_group]
  ids:
    description:
      - Image ids, load balancer ARNs, instance ids, security group ids, or (for O(resource=group)) one
        Auto Scaling group name.
      - An empty list returns at once.
    type: list
    elements: str
    required: true
  state:
    description:
      - The state to wait for. C(available) for an image, C(active) for a load balancer, C(running),
        C(stopped) or C(terminated) for an instance (a terminated instance that no longer exists counts),
        C(healthy) for a group (its desired capacity InService, Healthy, and healthy in its target groups),
        C(unused) for security groups (no network interface left in any of them; the interfaces of a
        deleted load balancer outlive it for minutes, and AWS refuses to delete a group while one does).
    type: str
    required: true
    choices: [available, active, running, stopped, terminated, healthy, unused]
extends_documentation_fragment:
  - scaleout.webtier._wait
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

- name: Wait until no network interface is left in the groups (a deleted load balancer's linger)
  scaleout.webtier.aws_resource_wait:
    resource: security_group
    ids: [sg-0123456789abcdef0]
    state: unused
    timeout: 1800
"""

RETURN = r"""
states:
  description:
    - The last state seen of each resource (for a group, of each of its instances; for security
      groups, of each network interface still in them).
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
zones:
  description: For O(resource=group), the Availability Zone of each instance last seen in the group.
  returned: when the wait succeeded
  type: dict
  sample: {"i-0123456789abcdef0": "eu-west-1a"}
waited_for:
  description: For O(resource=security_group), each network interface seen in the groups while waiting, with its description.
  returned: when the wait succeeded
  type: list
  elements: str
"""

from datetime import timedelta

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.activities import launch_problems
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import find_group
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import latest_activities
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import ServerClock
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import clients
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.images import images_by_id
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import instance_states
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.network_interfaces import interfaces_in_groups
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import load_balancers_by_arn
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import target_health
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAIT_OPTIONS
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import FAILED
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import MISSING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import NOT_FOUND_GRACE_S
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import check_wait_request
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import group_states
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import group_verdict
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import interfaces_verdict
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import timing_problem
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_until
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_verdict
from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso
from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time

# How far before the wait's first poll a group's launch failures still count (AWS seconds): the group
# may have been created minutes before (the role creates it, then waits); older failures are history.
LAUNCH_LOOKBACK_S = 600


def _with_missing(ids, found):
    return dict((resource_id, found.get(resource_id, (MISSING, ""))) for resource_id in ids)


def read_images(aws, ids):
    return _with_missing(ids, dict((image["ImageId"], (image["State"], image.get("StateReason", {}).get("Message", "")))
                                   for image in images_by_id(aws["ec2"], ids)))


def read_load_balancers(aws, ids):
    return _with_missing(ids, dict((balancer["LoadBalancerArn"], (balancer["State"]["Code"], balancer["State"].get("Reason", "")))
                                   for balancer in load_balancers_by_arn(aws["elbv2"], ids)))


def read_instances(aws, ids):
    return _with_missing(ids, instance_states(aws["ec2"], ids))


def read_group(aws, name, clock):
    """(group or None, {target group ARN: {instance_id: state}}, its latest activities, server time)."""
    group = find_group(aws["autoscaling"], name)
    if group is None:
        return None, {}, [], clock.now
    health = dict((arn, target_health(aws["elbv2"], arn)) for arn in group.get("TargetGroupARNs", []))
    # A group short of healthy instances may be failing to launch: its activities say why.
    short = group_verdict(group, health)[0] != DONE
    return group, health, latest_activities(aws["autoscaling"], name) if short else [], clock.now


def read_interfaces(aws, group_ids):
    """{interface_id: (status, description)} of the interfaces still in the groups."""
    return dict((i["NetworkInterfaceId"], (i.get("Status", ""), i.get("Description", "")))
                for i in interfaces_in_groups(aws["ec2"], group_ids))


READERS = {"image": read_images, "load_balancer": read_load_balancers, "instance": read_instances,
           "security_group": read_interfaces}


def reading(aws, resource, ids):
    """The read of one poll: {id: (state, reason)}, or for a group (group, health, activities, server time)."""
    if resource == "group":
        clock = ServerClock([aws["autoscaling"]])
        return lambda: read_group(aws, ids[0], clock)
    return lambda: READERS[resource](aws, ids)


def judging(resource, target, ids, poller):
    """The verdict on one poll's read, and the states it shows: (verdict(observed), states(observed))."""
    if resource == "group":
        started = []

        def verdict(observed):
            group, health, activities, now = observed
            if group is None:
                return FAILED, "Auto Scaling group %s does not exist" % ids[0]
            outcome, detail = group_verdict(group, health)
            if outcome == DONE:
                return outcome, detail
            # Launch failures from just before the wait count (the group was created moments ago);
            # older ones are history (a re-run after a fix must not fail on them).
            if not started:
                started.append(now)
            since = iso(parse_time(started[0]) - timedelta(seconds=LAUNCH_LOOKBACK_S)) if started[0] else None
            fatal, progress = launch_problems(activities, now, since)
            if fatal:
                return FAILED, fatal
            return outcome, "; ".join([detail] + progress)

        def states(observed):
            return group_states(*observed[:2]) if observed and observed[0] is not None else {}
        return verdict, states
    if resource == "security_group":
        return interfaces_verdict, (lambda observed: observed or {})
    # "Not found" early in the wait is EC2's eventual consistency after our own create: not yet.
    return (lambda observed: wait_verdict(resource, target, observed, missing_is_pending=poller.elapsed < NOT_FOUND_GRACE_S)), \
        (lambda observed: observed or {})


def describe_seen(interfaces):
    """'id (description)' of each network interface seen during a security group wait (pure)."""
    return ["%s (%s)" % (i, interfaces[i][1]) if interfaces[i][1] else i for i in sorted(interfaces)]


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            resource=dict(type="str", required=True, choices=["image", "load_balancer", "instance", "group", "security_group"]),
            ids=dict(type="list", elements="str", required=True),
            state=dict(type="str", required=True, choices=["available", "active", "running", "stopped", "terminated", "healthy", "unused"]),
            **WAIT_OPTIONS,
        ),
        supports_check_mode=True,
    )
    params = module.params
    resource, target, ids = params["resource"], params["state"], params["ids"]
    problem = check_wait_request(resource, target)
    if problem is None and resource == "group" and len(ids) != 1:
        problem = "name exactly one Auto Scaling group in ids (got %d)" % len(ids)
    problem = problem or timing_problem(params["timeout"], params["poll_interval"])
    if problem:
        module.fail_json(msg=problem)
    if module.check_mode or not ids:
        module.exit_json(changed=False, states={}, waited_for=[], detail="check mode: not waited" if ids else "nothing to wait for",
                         elapsed=0.0, polls=0, throttled_polls=0)
    aws = clients(module, ("ec2", "elbv2", "autoscaling"))
    poller = Poller(params["timeout"], params["poll_interval"])
    verdict, states = judging(resource, target, ids, poller)
    read, waited_for = reading(aws, resource, ids), {}

    def read_and_remember():
        observed = read()
        if resource == "security_group":
            waited_for.update(observed)
        return observed

    try:
        outcome, observed, detail = wait_until(read_and_remember, verdict, poller)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to read the state of %s %s" % (resource, ", ".join(ids)))
    shown = dict((key, value[0]) for key, value in states(observed).items())
    if outcome == DONE:
        zones = dict((i["InstanceId"], i.get("AvailabilityZone", "")) for i in observed[0].get("Instances", [])) \
            if resource == "group" else {}
        module.exit_json(changed=False, states=shown, detail=detail, waited_for=describe_seen(waited_for), zones=zones,
                         **poller.summary())
    if outcome == FAILED:
        module.fail_json(msg="stopped waiting for %s to become %s: %s" % (resource, target, detail), states=shown,
                         detail=detail, **poller.summary())
    module.fail_json(
        msg="timed out after %ds waiting for %s %s to become %s: %s (polled %d times, every %ds)"
        % (params["timeout"], resource, ", ".join(ids), target, detail, poller.polls, params["poll_interval"]),
        states=shown, detail=detail, **poller.summary())


if __name__ == "__main__":
    main()
