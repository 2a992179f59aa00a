"""Run Command on sandbox instances: loads, statuses, cancellation, CPU metrics."""

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import linux_image


@pytest.fixture
def booted(fresh):
    """Two running, booted t2.micro (1 vCPU) and one t3.micro (2 vCPUs) with detailed monitoring."""
    ec2 = fresh.client("ec2")
    ids = [ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType=t,
                             Monitoring={"Enabled": True})["Instances"][0]["InstanceId"]
           for t in ("t2.micro", "t2.micro", "t3.micro")]
    ssm = fresh.client("ssm")
    fresh.wait_for(lambda: len(ssm.describe_instance_information(
        Filters=[{"Key": "InstanceIds", "Values": ids}])["InstanceInformationList"]) == 3, 600, "SSM online")
    yield ids
    ec2.terminate_instances(InstanceIds=ids)


def send(ssm, ids, *commands):
    return ssm.send_command(InstanceIds=ids, DocumentName="AWS-RunShellScript",
                            Parameters={"commands": list(commands)})["Command"]


def invocation(ssm, command_id, instance_id):
    return ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)


def test_send_command_to_an_instance_that_is_not_booted_is_refused(fresh):
    ec2, ssm = fresh.client("ec2"), fresh.client("ssm")
    iid = ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    with pytest.raises(ClientError) as err:
        send(ssm, [iid], "echo hi")
    assert err.value.response["Error"]["Code"] == "InvalidInstanceId"
    ec2.terminate_instances(InstanceIds=[iid])


def test_bounded_load_is_in_progress_then_ends_by_itself(fresh, booted):
    ssm = fresh.client("ssm")
    ok = send(ssm, booted[:1], "stress-ng --cpu 0 --timeout 120s")
    bare = send(ssm, booted[1:2], "timeout 120 sha256sum /dev/zero")
    idiom = send(ssm, booted[2:3], "timeout 120 sha256sum /dev/zero &", "timeout 120 sha256sum /dev/zero &", "wait", "exit 0")
    assert ok["Status"] == "InProgress"
    assert invocation(ssm, ok["CommandId"], booted[0])["Status"] == "InProgress"
    assert invocation(ssm, ok["CommandId"], booted[0])["ResponseCode"] == -1
    fresh.wait_for(lambda: invocation(ssm, idiom["CommandId"], booted[2])["Status"] != "InProgress", 600, "the loads to end")
    done = invocation(ssm, ok["CommandId"], booted[0])
    assert (done["Status"], done["ResponseCode"]) == ("Success", 0)
    elapsed = dt.datetime.fromisoformat(done["ExecutionEndDateTime"].replace("Z", "+00:00")) - \
        dt.datetime.fromisoformat(done["ExecutionStartDateTime"].replace("Z", "+00:00"))
    assert abs(elapsed.total_seconds() - 120) < 1
    # GNU timeout exits 124 when it stops the load; Run Command reports a non-zero exit as Failed.
    failed = invocation(ssm, bare["CommandId"], booted[1])
    assert (failed["Status"], failed["ResponseCode"]) == ("Failed", 124)
    assert invocation(ssm, idiom["CommandId"], booted[2])["Status"] == "Success"
    listed = {c["CommandId"]: c["Status"] for c in ssm.list_commands()["Commands"]}
    assert (listed[ok["CommandId"]], listed[bare["CommandId"]]) == ("Success", "Failed")


def test_cancel_ends_an_unbounded_load(fresh, booted):
    ssm = fresh.client("ssm")
    command = send(ssm, booted[:1], "sha256sum /dev/zero")
    fresh.sleep_sim(120)
    assert invocation(ssm, command["CommandId"], booted[0])["Status"] == "InProgress"
    ssm.cancel_command(CommandId=command["CommandId"])
    assert invocation(ssm, command["CommandId"], booted[0])["Status"] == "Cancelled"
    listed = ssm.list_command_invocations(CommandId=command["CommandId"], Details=True)["CommandInvocations"]
    assert listed[0]["Status"] == "Cancelled" and listed[0]["CommandPlugins"][0]["Name"] == "aws:runShellScript"


def test_cpu_is_100_percent_per_busy_vcpu_and_idle_near_point_three(fresh, booted):
    ssm, cw = fresh.client("ssm"), fresh.client("cloudwatch")
    fresh.set_delays({"startup_seconds": 0})  # no start-up CPU: the loads alone (fresh restores the default)
    send(ssm, booted[:1], "timeout 600 sha256sum /dev/zero")
    send(ssm, booted[2:3], "timeout 600 sha256sum /dev/zero")  # one burner on a 2-vCPU t3.micro
    start = fresh.sim_now()
    fresh.sleep_sim(360)

    def averages(iid):
        points = cw.get_metric_statistics(
            Namespace="AWS/EC2", MetricName="CPUUtilization", Dimensions=[{"Name": "InstanceId", "Value": iid}],
            StartTime=dt.datetime.fromtimestamp(start + 120, dt.timezone.utc),
            EndTime=dt.datetime.fromtimestamp(start + 300, dt.timezone.utc), Period=60, Statistics=["Average"])["Datapoints"]
        return [p["Average"] for p in points]

    assert averages(booted[0]) and all(v == 100.0 for v in averages(booted[0]))
    assert averages(booted[2]) and all(v == 50.0 for v in averages(booted[2]))
    idle = averages(booted[1])
    assert idle and all(0.2 <= v <= 0.4 for v in idle)


def test_basic_monitoring_publishes_five_minute_datapoints(fresh):
    ec2, cw = fresh.client("ec2"), fresh.client("cloudwatch")
    iid = ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    start = fresh.sim_now()
    fresh.sleep_sim(480)
    points = cw.get_metric_statistics(
        Namespace="AWS/EC2", MetricName="CPUUtilization", Dimensions=[{"Name": "InstanceId", "Value": iid}],
        StartTime=dt.datetime.fromtimestamp(start - 600, dt.timezone.utc),
        EndTime=dt.datetime.fromtimestamp(start + 1200, dt.timezone.utc), Period=60, Statistics=["Average"])["Datapoints"]
    # Minutely data would be 7 or more datapoints by now; five-minute data is one or two.
    assert 1 <= len(points) <= 2 and all(int(p["Timestamp"].timestamp()) % 300 == 0 for p in points)
    ec2.terminate_instances(InstanceIds=[iid])


def test_send_command_runs_only_on_the_instances_asked_for(fresh):
    ec2, ssm = fresh.client("ec2"), fresh.client("ssm")
    ids = [ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
           for _ in range(2)]
    fresh.wait_for(lambda: len(ssm.describe_instance_information(Filters=[{"Key": "InstanceIds", "Values": ids}])
                               ["InstanceInformationList"]) == 2, 600, "SSM online")
    command = ssm.send_command(InstanceIds=ids[:1], DocumentName="AWS-RunShellScript", Parameters={"commands": ["echo hi"]})["Command"]
    invocations = ssm.list_command_invocations(CommandId=command["CommandId"])["CommandInvocations"]
    assert [i["InstanceId"] for i in invocations] == ids[:1]
    ec2.create_tags(Resources=ids[1:], Tags=[{"Key": "role", "Value": "web"}])
    tagged = ssm.send_command(Targets=[{"Key": "tag:role", "Values": ["web"]}], DocumentName="AWS-RunShellScript",
                              Parameters={"commands": ["echo hi"]})["Command"]
    assert [i["InstanceId"] for i in ssm.list_command_invocations(CommandId=tagged["CommandId"])["CommandInvocations"]] == ids[1:]
    fresh.wait_for(lambda: ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=ids[0])["Status"] == "Success",
                   120, "Success")
    assert ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=ids[0])["StandardOutputContent"] == "hi\n"
    ec2.terminate_instances(InstanceIds=ids)


def test_cancel_kills_the_process_group_and_a_timeout_load_outlives_it(fresh, booted):
    """The SSM agent kills the script's process group (Setpgid, kill(-pid)); GNU timeout without
    --foreground moves itself and its burner into a group of their own, so they outlive a cancel."""
    ssm, cw = fresh.client("ssm"), fresh.client("cloudwatch")
    fresh.set_delays({"startup_seconds": 0})
    plain = send(ssm, booted[:1], "timeout 900 sha256sum /dev/zero &", "wait", "exit 0")
    foreground = send(ssm, booted[1:2], "timeout --foreground 900 sha256sum /dev/zero &", "wait", "exit 0")
    fresh.sleep_sim(60)
    ssm.cancel_command(CommandId=plain["CommandId"])
    ssm.cancel_command(CommandId=foreground["CommandId"])
    stopped = fresh.sim_now()
    assert invocation(ssm, plain["CommandId"], booted[0])["Status"] == "Cancelled"
    assert invocation(ssm, foreground["CommandId"], booted[1])["Status"] == "Cancelled"
    outlived = fresh.state()["outlived_loads"]
    assert [(o["instance_id"], o["command_id"]) for o in outlived if o["instance_id"] in booted] == \
        [(booted[0], plain["CommandId"])]
    fresh.sleep_sim(240)

    def after_stop(iid):
        return [p["Average"] for p in cw.get_metric_statistics(
            Namespace="AWS/EC2", MetricName="CPUUtilization", Dimensions=[{"Name": "InstanceId", "Value": iid}],
            StartTime=dt.datetime.fromtimestamp(stopped + 60, dt.timezone.utc),
            EndTime=dt.datetime.fromtimestamp(stopped + 180, dt.timezone.utc), Period=60, Statistics=["Average"])["Datapoints"]]

    assert after_stop(booted[0]) and all(v == 100.0 for v in after_stop(booted[0]))  # the Cancelled load still burns
    assert after_stop(booted[1]) and all(v < 1 for v in after_stop(booted[1]))


def test_the_process_group_switch_off_makes_cancel_end_every_load(fresh, booted):
    ssm = fresh.client("ssm")
    fresh.set_delays({"ssm_kill_process_group_only": False})
    plain = send(ssm, booted[:1], "timeout 900 sha256sum /dev/zero &", "wait", "exit 0")
    ssm.cancel_command(CommandId=plain["CommandId"])
    assert not [o for o in fresh.state()["outlived_loads"] if o["instance_id"] in booted]


def test_ssm_registration_comes_after_boot_and_send_command_is_refused_until_then(fresh):
    """An instance that has booted is not yet a managed node: its agent registers between
    ssm_registration_min_s and ssm_registration_max_s later; until then SendCommand answers
    InvalidInstanceId and DescribeInstanceInformation does not list it."""
    ec2, ssm = fresh.client("ec2"), fresh.client("ssm")
    fresh.set_delays({"ssm_registration_min_s": 60, "ssm_registration_max_s": 90})
    iid = ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    launched = fresh.sim_now()
    booted_at = launched + fresh.defaults["instance_boot_s"]
    fresh.wait_for(lambda: fresh.sim_now() >= booted_at + 5, 600, "boot")

    def information():
        return ssm.describe_instance_information(Filters=[{"Key": "InstanceIds", "Values": [iid]}])["InstanceInformationList"]

    assert ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"] == "running"
    assert information() == []
    with pytest.raises(ClientError) as err:
        send(ssm, [iid], "echo hi")
    assert err.value.response["Error"]["Code"] == "InvalidInstanceId"
    fresh.wait_for(lambda: information(), 600, "registration")
    info = information()[0]
    registered = info["RegistrationDate"].timestamp()
    assert info["PingStatus"] == "Online" and booted_at + 59 <= registered <= booted_at + 91
    assert send(ssm, [iid], "echo hi")["Status"] in ("Pending", "InProgress", "Success")
    ec2.stop_instances(InstanceIds=[iid])
    assert information()[0]["PingStatus"] == "ConnectionLost"
    assert ssm.describe_instance_information(Filters=[{"Key": "PingStatus", "Values": ["Online"]},
                                                      {"Key": "InstanceIds", "Values": [iid]}])["InstanceInformationList"] == []
    ec2.terminate_instances(InstanceIds=[iid])


def test_command_filters_are_checked_against_the_documented_values_and_applied(fresh, booted):
    """ListCommands documents no Status Delayed (ListCommandInvocations does): refused; moto would
    ignore every filter."""
    ssm = fresh.client("ssm")
    command = send(ssm, booted[:1], "timeout 600 sha256sum /dev/zero")
    with pytest.raises(ClientError) as err:
        ssm.list_commands(Filters=[{"key": "Status", "value": "Delayed"}])
    assert err.value.response["Error"]["Code"] == "InvalidFilterKey" and "Delayed" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        ssm.list_command_invocations(Filters=[{"key": "ExecutionStage", "value": "Executing"}])
    assert ssm.list_command_invocations(CommandId=command["CommandId"], Filters=[{"key": "Status", "value": "Delayed"}])[
        "CommandInvocations"] == []
    running = ssm.list_commands(Filters=[{"key": "Status", "value": "InProgress"}])["Commands"]
    assert command["CommandId"] in [c["CommandId"] for c in running]
    assert all(c["Status"] == "InProgress" for c in running)
    assert command["CommandId"] not in [c["CommandId"] for c in ssm.list_commands(
        Filters=[{"key": "DocumentName", "value": "AWS-RunPowerShellScript"}])["Commands"]]
    ssm.cancel_command(CommandId=command["CommandId"])
    fresh.set_delays({"ssm_validate_filters": False})
    assert ssm.list_commands(Filters=[{"key": "Status", "value": "Delayed"}])["Commands"] == []
