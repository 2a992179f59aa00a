"""The whole control loop through the AWS API only: load -> AlarmHigh -> scale out -> loads end ->
AlarmLow -> scale in, on the simulated clock, within a bounded wall time."""

import json
import re
import time

import pytest

from sandbox_harness import Tier, start_server

COMMAND = "timeout 600 sha256sum /dev/zero"


@pytest.fixture(scope="module")
def default_speed_box(tmp_path_factory):
    """A server of its own on the default clock: one simulated minute per real second."""
    client = start_server(tmp_path_factory.mktemp("e2e-state"))
    yield client
    client.server.down()


def send_load(tier, instance_ids):
    """Like any Run Command client: once the instances are Online managed nodes (they register after boot)."""
    tier.box.wait_for(lambda: len([i for i in tier.ssm.describe_instance_information(
        Filters=[{"Key": "InstanceIds", "Values": list(instance_ids)}])["InstanceInformationList"]
        if i["PingStatus"] == "Online"]) == len(instance_ids), 900, "SSM Online")
    return tier.ssm.send_command(InstanceIds=instance_ids, DocumentName="AWS-RunShellScript",
                                 Parameters={"commands": [COMMAND]})["Command"]["CommandId"]


def capacity(tier):
    return tier.describe()["DesiredCapacity"]


def test_group_scales_out_under_load_and_back_in_when_it_ends(default_speed_box):
    started = time.monotonic()
    assert default_speed_box.clock()["factor"] == 60
    web = Tier(default_speed_box).launch_template().load_balancer().group(
        min_size=1, desired=2, max_size=4, DefaultInstanceWarmup=120, HealthCheckType="ELB",
        HealthCheckGracePeriod=60).policy(target=50.0)
    box = web.box
    first = web.wait_in_service(2)

    high = next(a for a in web.alarms() if "-AlarmHigh-" in a["AlarmName"])
    low = next(a for a in web.alarms() if "-AlarmLow-" in a["AlarmName"])
    assert (high["Threshold"], high["ComparisonOperator"], high["EvaluationPeriods"], high["DatapointsToAlarm"]) == \
        (50.0, "GreaterThanThreshold", 3, 3)
    assert (low["Threshold"], low["ComparisonOperator"], low["EvaluationPeriods"], low["DatapointsToAlarm"]) == \
        (45.0, "LessThanThreshold", 15, 15)
    policy = web.asg.describe_policies(AutoScalingGroupName=web.name)["ScalingPolicies"][0]
    assert {a["AlarmName"] for a in policy["Alarms"]} == {high["AlarmName"], low["AlarmName"]}
    assert high["AlarmActions"] == [policy["PolicyARN"]]

    command_id = send_load(web, first)
    invocation = web.ssm.get_command_invocation(CommandId=command_id, InstanceId=first[0])
    assert invocation["Status"] == "InProgress"

    def alarm_state(name):
        return web.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]

    box.wait_for(lambda: alarm_state(high["AlarmName"]) == "ALARM", 900, "AlarmHigh in ALARM")
    history = web.cw.describe_alarm_history(AlarmName=high["AlarmName"], HistoryItemType="StateUpdate")
    assert any(json.loads(h["HistoryData"])["newState"]["stateValue"] == "ALARM" for h in history["AlarmHistoryItems"])

    box.wait_for(lambda: capacity(web) == 4, 600, "desired capacity 4")
    four = web.wait_in_service(4)
    new = [i for i in four if i not in first]
    send_load(web, new)

    launches = [a for a in web.activities() if a["Description"].startswith("Launching a new EC2 instance: ")]
    assert len(launches) == 4 and all(a["StatusCode"] == "Successful" for a in launches)
    scale_out = [a for a in launches if high["AlarmName"] in a["Cause"]]
    assert len(scale_out) == 2
    assert all(f"triggered policy {web.name}-cpu changing the desired capacity from 2 to 4." in a["Cause"] for a in scale_out)
    assert all("increasing the capacity from 2 to 4." in a["Cause"] for a in scale_out)

    # Loads end (600 simulated seconds each); 15 quiet minutes later AlarmLow scales the group in.
    box.wait_for(lambda: alarm_state(low["AlarmName"]) == "ALARM", 2400, "AlarmLow in ALARM")
    box.wait_for(lambda: capacity(web) == 1, 300, "desired capacity back to the minimum")
    box.wait_for(lambda: len(web.describe()["Instances"]) == 1, 900, "terminations finished")
    assert alarm_state(high["AlarmName"]) == "OK"

    terminations = [a for a in web.activities() if a["Description"].startswith("Terminating EC2 instance: ")]
    assert len(terminations) == 3 and all(a["StatusCode"] == "Successful" for a in terminations)
    # Scale-in can take more than one step (AlarmLow re-fires every minute while in ALARM), each
    # proportional to the highest datapoint of its window; every step is the AlarmLow policy's.
    assert all(f"a monitor alarm {low['AlarmName']} in state ALARM triggered policy" in a["Cause"] for a in terminations)
    steps = sorted({re.search(r"changing the desired capacity from (\d+) to (\d+)", a["Cause"]).groups()
                    for a in terminations}, key=lambda g: -int(g[0]))
    assert steps[0][0] == "4" and steps[-1][1] == "1" and all(int(b) < int(a) for a, b in steps)
    final = web.ssm.get_command_invocation(CommandId=command_id, InstanceId=first[0])
    # A bare `timeout` exits 124 when it stops the load: Run Command reports Failed, as on AWS.
    assert (final["Status"], final["ResponseCode"]) == ("Failed", 124)
    elapsed = time.monotonic() - started
    print(f"scale-out/in wall time: {elapsed:.1f}s")
    assert elapsed < 90
