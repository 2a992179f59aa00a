"""The group_capacity_wait action plugin: its polls through scaling_status_info (faked here), the
load it sends to instances that join, what ends the wait, and its diagnosis."""

from unittest import mock

import pytest
from fake_clock import FakeClock

from ansible_collections.scaleout.webtier.plugins.action import group_capacity_wait
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller

SINCE = "2026-11-30T12:00:00Z"


def snapshot(ready, desired, max_size=3, minute=1, joining=()):
    instances = [{"id": "i-%d" % n, "zone": "a", "lifecycle_state": "InService", "health_status": "Healthy"} for n in range(ready)]
    instances += [{"id": i, "zone": "a", "lifecycle_state": "Pending", "health_status": "Healthy"} for i in joining]
    return {"server_time": "2026-11-30T12:%02d:00Z" % minute, "target_groups": 0, "target_health": {},
            "group": {"name": "demo-asg", "min_size": 1, "max_size": max_size, "desired": desired, "instances": instances},
            "policy": {"name": "p", "target_value": 50.0, "metric": "ASGAverageCPUUtilization", "alarms": []},
            "alarms": [], "alarm_history": [], "activities": [], "cpu": [{"time": "2026-11-30T12:01:00Z", "value": 80.0}]}


class FakeModules:
    """Answers scaling_status_info from a list of snapshots, and records every call."""

    def __init__(self, snapshots, load_result=None, unregistered=()):
        self.snapshots, self.calls = list(snapshots), []
        self.load_result = load_result
        self.unregistered = list(unregistered)  # per cpu_load call, the instances not Online yet

    def __call__(self, module_name, module_args, task_vars):
        name = module_name.split(".")[-1]
        self.calls.append((name, module_args))
        if name == "scaling_status_info":
            return {"snapshot": self.snapshots.pop(0)} if self.snapshots else {"failed": True, "msg": "no more"}
        if self.load_result is not None:
            return self.load_result
        waiting = self.unregistered.pop(0) if self.unregistered else ()
        loaded = [i for i in module_args["instance_ids"] if i not in waiting]
        return {"commands": [{"command_id": "c", "instance_ids": loaded}], "instance_ids": loaded,
                "registered": dict((i, "2026-11-30T12:0%d:30Z" % len(self.calls)) for i in loaded),
                "unregistered": dict((i, "not registered") for i in waiting)}


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(group_capacity_wait, "Poller", lambda timeout, interval: Poller(timeout, interval, clock=clock, sleep=clock.sleep))
    return clock


def run_action(args, modules):
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    task.get_name.return_value = "wait"
    action = group_capacity_wait.ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    with mock.patch.object(action, "_execute_module", side_effect=modules), mock.patch.object(group_capacity_wait.display, "display"):
        return action.run(task_vars={})


AWS = {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:1"}


def test_a_scale_out_ends_when_the_target_is_ready_and_loads_instances_that_join(clock):
    modules = FakeModules([snapshot(1, 3), snapshot(2, 3, minute=2), snapshot(3, 3, minute=3)])
    result = run_action(dict(AWS, name="demo-asg", since=SINCE, poll_interval=15,
                             load={"run_id": "r1", "skip_instance_ids": ["i-0"]}), modules)
    assert result.get("failed") is not True, result
    assert result["reached"] and result["target_count"] == 3 and result["polls"] == 3
    assert result["time_to_target_s"] == 180.0 and clock.sleeps == [15, 15]
    loads = [args for name, args in modules.calls if name == "cpu_load"]
    assert [load["instance_ids"] for load in loads] == [["i-1"], ["i-2"]]  # i-0 was loaded before the wait
    assert all(load["region"] == "eu-west-1" and load["run_id"] == "r1" for load in loads)  # the AWS options go along
    status_args = modules.calls[0][1]
    assert status_args == dict(AWS, name="demo-asg", since=SINCE)  # and only those, to the status module
    assert result["loaded_instances"] == ["i-0", "i-1", "i-2"] and len(result["samples"]) == 3
    assert all(load["registration_timeout"] == 0 for load in loads)  # loads the Online ones, reports the others


def test_an_instance_not_yet_registered_is_loaded_at_a_later_poll(clock):
    modules = FakeModules([snapshot(2, 3), snapshot(2, 3, minute=2), snapshot(3, 3, minute=3)], unregistered=[["i-1"]])
    result = run_action(dict(AWS, name="demo-asg", since=SINCE, poll_interval=15,
                             load={"run_id": "r1", "skip_instance_ids": ["i-0"]}), modules)
    assert result["reached"], result
    loads = [args["instance_ids"] for name, args in modules.calls if name == "cpu_load"]
    assert loads == [["i-1"], ["i-1"], ["i-2"]]  # refused at the first poll (not Online), loaded at the second
    assert result["loaded_instances"] == ["i-0", "i-1", "i-2"] and sorted(result["registered"]) == ["i-1", "i-2"]


def test_an_instance_ready_but_never_registered_is_named_in_a_warning(clock):
    snapshots = [snapshot(2, 3, minute=m) for m in range(1, 13)]
    modules = FakeModules(snapshots, unregistered=[["i-1"]] * 12)
    with mock.patch.object(group_capacity_wait.display, "warning") as warning:
        result = run_action(dict(AWS, name="demo-asg", since=SINCE, poll_interval=15, timeout=165,
                                 load={"run_id": "r1", "skip_instance_ids": ["i-0"], "registration_timeout": 300}), modules)
    assert result["failed"] and result["unregistered"] == {"i-1": "not registered"}
    messages = [call.args[0] for call in warning.call_args_list]
    assert len(messages) == 1 and messages[0].startswith("i-1 (not registered) never became an Online managed node within 300s")


def test_a_target_above_the_max_size_fails_at_once_with_a_diagnosis(clock):
    result = run_action(dict(AWS, name="demo-asg", since=SINCE, target_count=5), FakeModules([snapshot(1, 1, max_size=3)]))
    assert result["failed"] and not result["reached"] and result["polls"] == 1 and clock.sleeps == []
    assert "max size is 3, below the 5 instances" in result["msg"] and "within" not in result["msg"]


def failed_launch(minute, message):
    return {"id": "a-%d" % minute, "description": "Launching a new EC2 instance.  Status Reason: " + message,
            "cause": "", "status_code": "Failed", "status_message": message,
            "start": "2026-11-30T12:%02d:30Z" % minute, "end": None, "progress": 100}


def test_a_scale_out_whose_launches_cannot_succeed_fails_at_once_quoting_aws(clock):
    quota = ("You have requested more instances (3) than your current instance limit of 2 allows for the specified "
             "instance type. Launching EC2 instance failed.")
    blocked = dict(snapshot(1, 3, minute=2), activities=[failed_launch(1, quota)])
    result = run_action(dict(AWS, name="demo-asg", since=SINCE, timeout=900, poll_interval=15), FakeModules([snapshot(1, 3), blocked]))
    assert result["failed"] and result["polls"] == 2 and "within" not in result["msg"]
    assert result["diagnosis"][0].startswith("the group cannot launch instances (quota): AWS says %r" % quota)


def test_a_scale_out_short_of_capacity_in_one_zone_keeps_waiting_and_shows_it(clock):
    capacity = ("We currently do not have sufficient t3.micro capacity in the Availability Zone you requested "
                "(eu-west-1a). Launching EC2 instance failed.")
    short = dict(snapshot(1, 3, minute=2), activities=[failed_launch(1, capacity)])
    modules = FakeModules([short, dict(snapshot(3, 3, minute=6), activities=[failed_launch(1, capacity)])])
    with mock.patch.object(group_capacity_wait.display, "display") as shown:
        task = mock.MagicMock()
        task.args, task.async_val, task.check_mode = dict(AWS, name="demo-asg", since=SINCE, poll_interval=15), 0, False
        task.get_name.return_value = "wait"
        action = group_capacity_wait.ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None,
                                                  shared_loader_obj=None)
        with mock.patch.object(action, "_execute_module", side_effect=modules):
            result = action.run(task_vars={})
    assert result["reached"] and not result.get("failed")
    assert "a launch failed (capacity, may heal): " + capacity in shown.call_args_list[0].args[0]


def test_a_scale_out_that_times_out_says_why(clock):
    modules = FakeModules([snapshot(1, 1)] * 3)
    result = run_action(dict(AWS, name="demo-asg", since=SINCE, timeout=30, poll_interval=15), modules)
    assert result["failed"] and "did not reach 3 instance(s) within 30s" in result["msg"]
    assert result["diagnosis"] and result["polls"] == 3


def test_a_scale_in_waits_for_at_most_the_min_size(clock):
    modules = FakeModules([snapshot(2, 1), snapshot(1, 1, minute=5)])
    result = run_action(dict(AWS, name="demo-asg", since=SINCE, direction="in", poll_interval=15), modules)
    assert result["reached"] and result["target_count"] == 1 and result["polls"] == 2
    assert not [name for name, _args in modules.calls if name == "cpu_load"]


def test_a_failed_read_fails_the_wait_with_its_message(clock):
    result = run_action(dict(AWS, name="demo-asg", since=SINCE), FakeModules([]))
    assert result["failed"] and result["msg"] == "reading the group failed: no more" and result["polls"] == 1


@pytest.mark.parametrize("args, message", [
    ({"timeout": 0}, "timeout=0: must be at least 1 second(s)"),
    ({"poll_interval": 0}, "poll_interval=0: must be at least 1 second(s)"),
    ({"direction": "sideways"}, "direction"),
])
def test_bad_options_fail_before_any_read(clock, args, message):
    modules = FakeModules([snapshot(1, 1)])
    result = run_action(dict(AWS, name="demo-asg", since=SINCE, **args), modules)
    assert result["failed"] and message in result["msg"] and modules.calls == []
