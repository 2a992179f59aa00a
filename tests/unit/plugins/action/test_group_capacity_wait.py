"""The group_capacity_wait action plugin: it reads AWS itself on the controller (no module process
per poll, one API call per poll while nothing is pending), loads the instances that join, ends the
wait on the right verdict, and reports the times of AWS's own activities."""

import contextlib
import datetime
import sys
from pathlib import Path
from unittest import mock

import pytest
from fake_clock import FakeClock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))
from module_harness import StubbedAWS  # noqa: E402  # pylint: disable=wrong-import-position

from ansible_collections.amazon.aws.plugins.plugin_utils.base import AWSPluginBase
from ansible_collections.scaleout.webtier.plugins.action import group_capacity_wait
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller

SINCE = "2026-11-30T12:00:00Z"
GROUP = "demo-asg"
TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo/0123456789abcdef"
AWS = {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:1", "access_key": "testing", "secret_key": "testing"}


def at(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def minute(m, s=0):
    return "2026-11-30T12:%02d:%02dZ" % (m, s)


def http_date(m, s=0):
    return "Mon, 30 Nov 2026 12:%02d:%02d GMT" % (m, s)


# ---------------------------------------------------------------------------------------------
# The verdicts and the loading, against a fake of GroupReads.

def poll(ready, desired, max_size=3, m=1, joining=()):
    instances = [{"id": "i-%d" % n, "zone": "a", "lifecycle_state": "InService", "health_status": "Healthy"} for n in range(ready)]
    instances += [{"id": i, "zone": "a", "lifecycle_state": "Pending", "health_status": "Healthy"} for i in joining]
    return {"server_time": minute(m), "target_groups": 0, "target_health": {},
            "group": {"name": GROUP, "min_size": 1, "max_size": max_size, "desired": desired, "instances": instances}}


def launch(instance_id, start, end):
    return {"id": instance_id, "description": "Launching a new EC2 instance: %s" % instance_id, "cause": "", "status_code": "Successful",
            "status_message": "", "start": start, "end": end, "progress": 100}


class FakeReads:
    """Answers the polls from a list, the final report from ``report``, and records the loads."""

    def __init__(self, polls, activities=(), unregistered=()):
        self.polls, self.activities, self.loads = list(polls), list(activities), []
        self.unregistered = list(unregistered)  # per load, the instances not Online yet
        self.last = None

    def poll(self, name, known_healthy):
        if not self.polls:
            raise group_capacity_wait.GroupNotFound("Auto Scaling group %s does not exist" % name)
        self.last = self.polls.pop(0)
        return self.last

    def report(self, name, since):
        return dict(self.last, policy=None, alarms=[], alarm_history=[], activities=self.activities, cpu=[],
                    capacity_metrics={"in_service": [], "desired": []})

    def load(self, load, joining, sent):
        self.loads.append(list(joining))
        waiting = self.unregistered.pop(0) if self.unregistered else ()
        loaded = [i for i in joining if i not in waiting]
        if loaded:
            sent["commands"].append({"command_id": "c", "instance_ids": loaded})
            sent["registered"].update((i, minute(len(self.loads), 30)) for i in loaded)
        return dict((i, "not registered") for i in waiting)


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(group_capacity_wait, "Poller", lambda timeout, interval: Poller(timeout, interval, clock=clock, sleep=clock.sleep))
    return clock


def run_action(args, reads=None, aws=None):
    """Run the action with ``reads`` in place of its GroupReads (or with stubbed clients, ``aws``);
    starting a module process fails the test."""
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    task.get_name.return_value = "wait"
    action = group_capacity_wait.ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(action, "_execute_module", side_effect=AssertionError("a module process was started")))
        stack.enter_context(mock.patch.object(group_capacity_wait.display, "display"))
        if reads is not None:
            stack.enter_context(mock.patch.object(group_capacity_wait, "GroupReads", lambda aws, clock: reads))
        if aws is not None:
            stack.enter_context(mock.patch.object(AWSPluginBase, "client",
                                                  lambda self, service, retry_decorator=None, **kw: aws.client(service, retry_decorator, **kw)))
        return action.run(task_vars={})


def test_a_scale_out_ends_when_the_target_is_ready_and_loads_instances_that_join(clock):
    activities = [launch("i-1", minute(0, 20), minute(1, 10)), launch("i-2", minute(1, 20), minute(2, 40))]
    reads = FakeReads([poll(1, 3), poll(2, 3, m=2), poll(3, 3, m=3)], activities)
    result = run_action(dict(AWS, name=GROUP, since=SINCE, poll_interval=15, load={"run_id": "r1", "skip_instance_ids": ["i-0"]}), reads)
    assert result.get("failed") is not True, result
    assert result["reached"] and result["target_count"] == 3 and result["polls"] == 3 and clock.sleeps == [15, 15]
    assert reads.loads == [["i-1"], ["i-2"]]  # i-0 was loaded before the wait
    assert result["loaded_instances"] == ["i-0", "i-1", "i-2"]
    # AWS's times, not the polls': the third instance was in service at 2:40 (the poll saw it at 3:00).
    assert result["time_to_target_s"] == 160.0 and result["seen_reached_after_s"] == 180.0
    assert [(i["instance_id"], i["launched_after_s"], i["in_service_after_s"], i["healthy_after_s"]) for i in result["new_instances"]] == [
        ("i-1", 20.0, 70.0, 120.0), ("i-2", 80.0, 160.0, 180.0)]


def test_an_instance_not_yet_registered_is_loaded_at_a_later_poll(clock):
    reads = FakeReads([poll(2, 3), poll(2, 3, m=2), poll(3, 3, m=3)], unregistered=[["i-1"]])
    result = run_action(dict(AWS, name=GROUP, since=SINCE, poll_interval=15, load={"run_id": "r1", "skip_instance_ids": ["i-0"]}), reads)
    assert result["reached"], result
    assert reads.loads == [["i-1"], ["i-1"], ["i-2"]]  # refused at the first poll (not Online), loaded at the second
    assert result["loaded_instances"] == ["i-0", "i-1", "i-2"] and sorted(result["registered"]) == ["i-1", "i-2"]


def test_an_instance_ready_but_never_registered_is_named_in_a_warning(clock):
    reads = FakeReads([poll(2, 3, m=m) for m in range(1, 13)], unregistered=[["i-1"]] * 12)
    with mock.patch.object(group_capacity_wait.display, "warning") as warning:
        result = run_action(dict(AWS, name=GROUP, since=SINCE, poll_interval=15, timeout=165,
                                 load={"run_id": "r1", "skip_instance_ids": ["i-0"], "registration_timeout": 300}), reads)
    assert result["failed"] and result["unregistered"] == {"i-1": "not registered"}
    messages = [call.args[0] for call in warning.call_args_list]
    assert len(messages) == 1 and messages[0].startswith("i-1 (not registered) never became an Online managed node within 300s")


def test_a_target_above_the_max_size_fails_at_once_with_a_diagnosis(clock):
    result = run_action(dict(AWS, name=GROUP, since=SINCE, target_count=5), FakeReads([poll(1, 1, max_size=3)]))
    assert result["failed"] and not result["reached"] and result["polls"] == 1 and clock.sleeps == []
    assert "max size is 3, below the 5 instances" in result["msg"] and "within" not in result["msg"]


def test_a_scale_out_that_times_out_says_why(clock):
    result = run_action(dict(AWS, name=GROUP, since=SINCE, timeout=30, poll_interval=15), FakeReads([poll(1, 1)] * 3))
    assert result["failed"] and "did not reach 3 instance(s) within 30s" in result["msg"]
    assert result["diagnosis"] and result["polls"] == 3 and result["time_to_target_s"] is None


def test_a_scale_in_waits_for_at_most_the_min_size_and_reports_the_termination_time(clock):
    terminate = {"id": "t", "description": "Terminating EC2 instance: i-1", "cause": "", "status_code": "Successful",
                 "status_message": "", "start": minute(3), "end": minute(4, 30), "progress": 100}
    reads = FakeReads([poll(2, 1), poll(1, 1, m=5)], [terminate])  # i-0 and i-1 at the start
    result = run_action(dict(AWS, name=GROUP, since=SINCE, direction="in", poll_interval=15), reads)
    assert result["reached"] and result["target_count"] == 1 and result["polls"] == 2 and reads.loads == []
    assert result["time_to_target_s"] == 270.0 and result["seen_reached_after_s"] == 300.0


def test_a_failed_read_fails_the_wait_with_its_message(clock):
    result = run_action(dict(AWS, name=GROUP, since=SINCE), FakeReads([]))
    assert result["failed"] and result["msg"] == "reading the group failed: Auto Scaling group demo-asg does not exist" and result["polls"] == 1


@pytest.mark.parametrize("args, message", [
    ({"timeout": 0}, "timeout=0: must be at least 1 second(s)"),
    ({"poll_interval": 0}, "poll_interval=0: must be at least 1 second(s)"),
    ({"direction": "sideways"}, "direction"),
    ({"validate_certs": "maybe"}, "AWS connection options: "),
])
def test_bad_options_fail_before_any_read(clock, args, message):
    reads = FakeReads([poll(1, 1)])
    result = run_action(dict(AWS, name=GROUP, since=SINCE, **args), reads)
    assert result["failed"] and message in result["msg"] and len(reads.polls) == 1


# ---------------------------------------------------------------------------------------------
# The real reads, against stubbed boto3 clients: every call the action makes is one queued here
# (the Stubber refuses any other), and starting a module process fails the test.

def asg_group(states, desired=2):
    return {"AutoScalingGroupName": GROUP, "MinSize": 1, "MaxSize": 2, "DesiredCapacity": desired, "DefaultCooldown": 300,
            "AvailabilityZones": ["eu-west-1a"], "HealthCheckType": "ELB", "CreatedTime": at(SINCE), "TargetGroupARNs": [TG],
            "Instances": [{"InstanceId": i, "AvailabilityZone": "eu-west-1a", "LifecycleState": s, "HealthStatus": "Healthy",
                           "ProtectedFromScaleIn": False} for i, s in states]}


def answer(response, m, s=0):
    return dict(response, ResponseMetadata={"HTTPStatusCode": 200, "HTTPHeaders": {"date": http_date(m, s)}})


def queue_poll(aws, states, m, health=None):
    """One poll: DescribeAutoScalingGroups, and DescribeTargetHealth only when health is given."""
    aws["autoscaling"].add_response("describe_auto_scaling_groups", answer({"AutoScalingGroups": [asg_group(states)]}, m),
                                    {"AutoScalingGroupNames": [GROUP]})
    if health is not None:
        aws["elbv2"].add_response("describe_target_health", answer({"TargetHealthDescriptions": [
            {"Target": {"Id": i, "Port": 80}, "TargetHealth": {"State": h}} for i, h in health]}, m), {"TargetGroupArn": TG})


def queue_report(aws, states, activities, m):
    """The one full read at the end: group, policy, target health, activities, CPU, and the two group metrics."""
    asg, cloudwatch = aws["autoscaling"], aws["cloudwatch"]
    asg.add_response("describe_auto_scaling_groups", answer({"AutoScalingGroups": [asg_group(states)]}, m), {"AutoScalingGroupNames": [GROUP]})
    asg.add_response("describe_policies", answer({"ScalingPolicies": []}, m), {"AutoScalingGroupName": GROUP, "PolicyTypes": ["TargetTrackingScaling"]})
    aws["elbv2"].add_response("describe_target_health", answer({"TargetHealthDescriptions": [
        {"Target": {"Id": i, "Port": 80}, "TargetHealth": {"State": "healthy"}} for i, _s in states]}, m), {"TargetGroupArn": TG})
    asg.add_response("describe_scaling_activities", answer({"Activities": activities}, m), {"AutoScalingGroupName": GROUP, "MaxRecords": 100})
    cloudwatch.add_response("get_metric_statistics", answer({"Datapoints": []}, m))
    for metric, values in (("GroupInServiceInstances", (1, 2)), ("GroupDesiredCapacity", (2, 2))):
        cloudwatch.add_response("get_metric_statistics", answer({"Datapoints": [
            {"Timestamp": at(minute(n + 1)), "Average": float(v)} for n, v in enumerate(values)]}, m),
            {"Namespace": "AWS/AutoScaling", "MetricName": metric, "Dimensions": [{"Name": "AutoScalingGroupName", "Value": GROUP}],
             "StartTime": at(minute(0)) - datetime.timedelta(minutes=1), "EndTime": at(minute(m)) + datetime.timedelta(minutes=1),
             "Period": 60, "Statistics": ["Average"]})


def test_each_poll_is_one_api_call_while_nothing_is_pending_and_no_module_process(clock):
    aws = StubbedAWS()
    queue_poll(aws, [("i-0", "InService")], 1, health=[("i-0", "healthy")])  # the first poll learns i-0's health
    queue_poll(aws, [("i-0", "InService")], 2)  # then one call a poll, while nothing changes
    queue_poll(aws, [("i-0", "InService")], 3)
    queue_poll(aws, [("i-0", "InService"), ("i-1", "Pending")], 4)  # a Pending instance has no target health yet
    queue_poll(aws, [("i-0", "InService"), ("i-1", "InService")], 5, health=[("i-0", "healthy"), ("i-1", "initial")])
    queue_poll(aws, [("i-0", "InService"), ("i-1", "InService")], 6, health=[("i-0", "healthy"), ("i-1", "healthy")])
    activity = {"ActivityId": "a1", "AutoScalingGroupName": GROUP, "Description": "Launching a new EC2 instance: i-1",
                "Cause": "x", "StartTime": at(minute(3, 30)), "EndTime": at(minute(4, 50)), "StatusCode": "Successful", "Progress": 100}
    queue_report(aws, [("i-0", "InService"), ("i-1", "InService")], [activity], 6)
    result = run_action(dict(AWS, name=GROUP, since=SINCE, poll_interval=30, baseline_instance_ids=["i-0"]), aws=aws)
    aws.done()
    assert result.get("failed") is not True, result
    assert result["reached"] and result["polls"] == 6
    assert result["time_to_target_s"] == 290.0  # the launch activity's end, 12:04:50
    assert result["seen_reached_after_s"] == 360.0  # the Date of the answer that showed it healthy
    assert result["new_instances"] == [{"instance_id": "i-1", "launched_after_s": 210.0, "in_service_after_s": 290.0,
                                        "healthy_after_s": 360.0, "loaded_after_s": None}]
    assert result["capacity_metrics"]["in_service"] == [{"time": minute(1), "value": 1.0}, {"time": minute(2), "value": 2.0}]
    # The clients carry the collection's retry policy, as a module's do.
    assert all(config.retries == {"mode": "standard", "max_attempts": 10} for _service, _retry, config in aws.requests)


def test_the_aws_options_come_from_the_environment_as_for_a_module(clock, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "ap-northeast-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    task_aws = group_capacity_wait.TaskAWS({"endpoint_url": "http://127.0.0.1:1"})
    client = task_aws.client("autoscaling")
    assert client.meta.region_name == "ap-northeast-2" and client.meta.endpoint_url == "http://127.0.0.1:1"
    assert client._request_signer._credentials.access_key == "from-env"  # pylint: disable=protected-access
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 11}
    overridden = group_capacity_wait.TaskAWS({"region": "eu-west-1", "aws_config": {"retries": {"mode": "adaptive", "max_attempts": 3}}})
    assert overridden.client("autoscaling").meta.config.retries == {"mode": "adaptive", "total_max_attempts": 4}  # aws_config wins
