"""The glue of scaling_status_info, stress_verify and cpu_load against stubbed clients: the calls of
one snapshot, the server's time from the Date header, what ends the stress wait, and the Run
Commands sent and cancelled."""

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import
from module_harness import DATE, at, with_date

from ansible_collections.scaleout.webtier.plugins.modules import cpu_load
from ansible_collections.scaleout.webtier.plugins.modules import scaling_status_info
from ansible_collections.scaleout.webtier.plugins.modules import stress_verify

GROUP = "demo-asg"
SINCE = "2026-11-30T12:00:00Z"
HIGH = "TargetTracking-demo-asg-AlarmHigh-1111"
COMMAND = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"  # Run Command ids are UUIDs
COMMAND2 = "1b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def group(instances=("i-1",), desired=1):
    return {"AutoScalingGroupName": GROUP, "MinSize": 1, "MaxSize": 3, "DesiredCapacity": desired, "DefaultCooldown": 300,
            "AvailabilityZones": ["eu-west-1a"], "HealthCheckType": "EC2", "CreatedTime": at(SINCE), "TargetGroupARNs": [],
            "Instances": [{"InstanceId": i, "AvailabilityZone": "eu-west-1a", "LifecycleState": "InService", "HealthStatus": "Healthy",
                           "ProtectedFromScaleIn": False, "InstanceType": "t3.micro"} for i in instances]}


POLICY = {"PolicyName": "demo-cpu", "PolicyType": "TargetTrackingScaling", "EstimatedInstanceWarmup": 60,
          "Alarms": [{"AlarmName": HIGH, "AlarmARN": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:" + HIGH}],
          "TargetTrackingConfiguration": {"TargetValue": 50.0,
                                          "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}}}


def snapshot_calls(aws, since=SINCE, policy=True, cpu=80.0, alarm_fired=True):
    """Queue the calls of one snapshot, in order: group, policy, alarms, history, activities, CPU."""
    asg, cloudwatch = aws["autoscaling"], aws["cloudwatch"]
    asg.add_response("describe_auto_scaling_groups", with_date({"AutoScalingGroups": [group()]}), {"AutoScalingGroupNames": [GROUP]})
    asg.add_response("describe_policies", with_date({"ScalingPolicies": [POLICY] if policy else []}),
                     {"AutoScalingGroupName": GROUP, "PolicyTypes": ["TargetTrackingScaling"]})
    if policy:
        cloudwatch.add_response("describe_alarms", with_date({"MetricAlarms": [
            {"AlarmName": HIGH, "StateValue": "ALARM" if alarm_fired else "OK", "StateReason": "x", "Threshold": 50.0}]}),
            {"AlarmNames": [HIGH]})
        history = [{"AlarmName": HIGH, "Timestamp": at("2026-11-30T12:04:00Z"), "HistoryItemType": "StateUpdate",
                    "HistorySummary": "Alarm updated from OK to ALARM"}] if alarm_fired else []
        cloudwatch.add_response("describe_alarm_history", with_date({"AlarmHistoryItems": history}),
                                {"AlarmName": HIGH, "HistoryItemType": "StateUpdate", "StartDate": at(since),
                                 "ScanBy": "TimestampAscending"})
    asg.add_response("describe_scaling_activities", with_date({"Activities": []}), {"AutoScalingGroupName": GROUP, "MaxRecords": 100})
    cloudwatch.add_response("get_metric_statistics", with_date({"Datapoints": [
        {"Timestamp": at("2026-11-30T12:03:00Z"), "Average": cpu, "Unit": "Percent"}]}))


def test_a_snapshot_reads_each_service_once_and_takes_the_servers_time(aws, run):
    snapshot_calls(aws)
    failed, result = run(scaling_status_info, {"name": GROUP, "since": SINCE})
    assert not failed, result
    snapshot = result["snapshot"]
    assert snapshot["server_time"] == "2026-11-30T12:10:00Z"  # the Date header, not the controller's clock
    assert snapshot["policy"]["target_value"] == 50.0 and snapshot["alarms"][0]["state"] == "ALARM"
    assert snapshot["alarm_history"][0]["new"] == "ALARM" and snapshot["cpu"] == [{"time": "2026-11-30T12:03:00Z", "value": 80.0}]
    assert result["ready"] == ["i-1"]
    aws.done()


def test_without_since_the_snapshot_counts_back_15_minutes_of_server_time(aws, run):
    aws["autoscaling"].add_response("describe_auto_scaling_groups", with_date({"AutoScalingGroups": [group()]}))
    snapshot_calls(aws, since="2026-11-30T11:55:00Z")
    failed, result = run(scaling_status_info, {"name": GROUP})
    assert not failed, result
    aws.done()


def test_a_missing_group_is_named(aws, run):
    aws["autoscaling"].add_response("describe_auto_scaling_groups", with_date({"AutoScalingGroups": []}))
    failed, result = run(scaling_status_info, {"name": GROUP, "since": SINCE})
    assert failed and result["msg"] == "Auto Scaling group demo-asg does not exist"


def test_stress_verify_ends_on_the_first_poll_with_evidence(aws, run, fake_poller):
    fake_poller(stress_verify)
    snapshot_calls(aws)
    aws["ssm"].add_response("list_command_invocations", {"CommandInvocations": [{"InstanceId": "i-1", "Status": "InProgress"}]},
                            {"CommandId": COMMAND})
    failed, result = run(stress_verify, {"name": GROUP, "since": SINCE, "command_ids": [COMMAND]})
    assert not failed, result
    assert result["evidence"]["cpu_above_target"] and result["evidence"]["alarm_high_fired_at"] == "2026-11-30T12:04:00Z"
    assert result["load_status"] == {"i-1": "InProgress"}
    aws.done()


def test_stress_verify_gives_up_at_once_without_a_policy(aws, run, fake_poller, clock):
    fake_poller(stress_verify)
    snapshot_calls(aws, policy=False)
    failed, result = run(stress_verify, {"name": GROUP, "since": SINCE})
    assert failed and "no target-tracking policy" in result["msg"] and "within" not in result["msg"]
    assert clock.sleeps == []


def test_stress_verify_times_out_with_the_cpu_credit_balance(aws, run, fake_poller):
    fake_poller(stress_verify)
    for _poll in range(2):
        snapshot_calls(aws, cpu=20.0, alarm_fired=False)
    aws["cloudwatch"].add_response("get_metric_statistics", {"Datapoints": [{"Timestamp": at(SINCE), "Minimum": 0.0}]})
    failed, result = run(stress_verify, {"name": GROUP, "since": SINCE, "timeout": 15, "poll_interval": 15})
    assert failed and "within 15s" in result["msg"] and "CPU credits are exhausted" in result["msg"]
    aws.done()


def test_stress_verify_refuses_a_bad_time(aws, run):
    failed, result = run(stress_verify, {"name": GROUP, "since": "yesterday"})
    assert failed and result["msg"] == "since='yesterday': not an ISO 8601 time"


def info(*online, **others):
    """A DescribeInstanceInformation answer: these Online, the keyword ones with their PingStatus."""
    items = [{"InstanceId": i, "PingStatus": "Online"} for i in online] + [{"InstanceId": i, "PingStatus": p} for i, p in others.items()]
    return {"InstanceInformationList": items}


def load_calls(aws, instances=("i-1", "i-2")):
    aws["autoscaling"].add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [group(instances)]})
    aws["ec2"].add_response("describe_instances", {"Reservations": [{"Instances": [
        {"InstanceId": i, "InstanceType": "t3.micro"} for i in instances]}]}, {"InstanceIds": list(instances)})
    aws["ec2"].add_response("describe_instance_types", {"InstanceTypes": [{"InstanceType": "t3.micro", "VCpuInfo": {"DefaultVCpus": 2}}]},
                            {"InstanceTypes": ["t3.micro"]})


def sent(ids, command=COMMAND, when="2026-11-30T12:00:05Z"):
    return with_date({"Command": {"CommandId": command, "RequestedDateTime": at(when), "Status": "Pending", "InstanceIds": list(ids)}})


def test_cpu_load_sends_one_burner_per_vcpu_to_the_in_service_instances(aws, run):
    load_calls(aws)
    aws["ssm"].add_response("describe_instance_information", info("i-1", "i-2"),
                            {"Filters": [{"Key": "InstanceIds", "Values": ["i-1", "i-2"]}]})
    aws["ssm"].add_response("send_command", sent(["i-1", "i-2"]))
    failed, result = run(cpu_load, {"group_name": GROUP, "run_id": "r1", "duration": 60})
    assert not failed, result
    assert result["changed"] and result["load_start"] == "2026-11-30T12:00:05Z" and result["instance_ids"] == ["i-1", "i-2"]
    assert result["commands"] == [{"command_id": COMMAND, "instance_ids": ["i-1", "i-2"], "requested": "2026-11-30T12:00:05Z",
                                   "status": "Pending"}]
    assert sum("sha256sum /dev/zero" in line for line in result["script"]) >= 1
    assert result["unregistered"] == {} and result["registered"] == {"i-1": "2026-11-30T12:10:00Z", "i-2": "2026-11-30T12:10:00Z"}
    aws.done()


def test_cpu_load_loads_the_online_instances_first_and_the_others_as_they_register(aws, run, fake_poller):
    fake_poller(cpu_load)
    load_calls(aws)
    aws["ssm"].add_response("describe_instance_information", info("i-1"), {"Filters": [{"Key": "InstanceIds", "Values": ["i-1", "i-2"]}]})
    aws["ssm"].add_response("send_command", sent(["i-1"]))
    aws["ssm"].add_response("describe_instance_information", info(), {"Filters": [{"Key": "InstanceIds", "Values": ["i-2"]}]})
    aws["ssm"].add_response("describe_instance_information", info("i-2"), {"Filters": [{"Key": "InstanceIds", "Values": ["i-2"]}]})
    # Online in DescribeInstanceInformation, yet refused once: sent again at the next poll.
    aws["ssm"].add_client_error("send_command", "InvalidInstanceId", "Instances [[i-2]] not in a valid state for account 123456789012")
    aws["ssm"].add_response("describe_instance_information", info("i-2"), {"Filters": [{"Key": "InstanceIds", "Values": ["i-2"]}]})
    aws["ssm"].add_response("send_command", sent(["i-2"], COMMAND2, "2026-11-30T12:01:05Z"))
    failed, result = run(cpu_load, {"group_name": GROUP, "run_id": "r1", "duration": 60, "poll_interval": 15})
    assert not failed, result
    assert [c["instance_ids"] for c in result["commands"]] == [["i-1"], ["i-2"]] and result["unregistered"] == {}
    assert result["load_start"] == "2026-11-30T12:00:05Z"
    aws.done()


def test_an_instance_that_never_registers_fails_the_load_naming_it_and_the_causes(aws, run, fake_poller):
    fake_poller(cpu_load)
    load_calls(aws)
    aws["ssm"].add_response("describe_instance_information", info("i-1"), {"Filters": [{"Key": "InstanceIds", "Values": ["i-1", "i-2"]}]})
    aws["ssm"].add_response("send_command", sent(["i-1"]))
    for _poll in range(2):
        aws["ssm"].add_response("describe_instance_information", info(), {"Filters": [{"Key": "InstanceIds", "Values": ["i-2"]}]})
    failed, result = run(cpu_load, {"group_name": GROUP, "run_id": "r1", "duration": 60, "registration_timeout": 30,
                                    "poll_interval": 15})
    assert failed, result
    assert result["msg"].startswith("i-2 (not registered) never became an Online managed node within 30s")
    assert "no route" in result["msg"] and "instance profile" in result["msg"] and "SSM Agent" in result["msg"]
    assert result["instance_ids"] == ["i-1"] and result["unregistered"] == {"i-2": "not registered"}
    aws.done()


def test_with_no_registration_wait_the_unregistered_are_returned_not_failed(aws, run):
    load_calls(aws)
    aws["ssm"].add_response("describe_instance_information", info("i-1", **{"i-2": "ConnectionLost"}),
                            {"Filters": [{"Key": "InstanceIds", "Values": ["i-1", "i-2"]}]})
    aws["ssm"].add_response("send_command", sent(["i-1"]))
    failed, result = run(cpu_load, {"group_name": GROUP, "run_id": "r1", "duration": 60, "registration_timeout": 0})
    assert not failed and result["unregistered"] == {"i-2": "ConnectionLost"} and result["instance_ids"] == ["i-1"]
    aws.done()


def test_cpu_load_in_check_mode_sends_nothing(aws, run):
    aws["autoscaling"].add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [group()]})
    failed, result = run(cpu_load, {"group_name": GROUP, "run_id": "r1", "burners": 1}, check_mode=True)
    assert not failed and result["changed"] and result["commands"] == []
    aws.done()


SHELL_SCRIPTS = {"Filters": [{"key": "DocumentName", "value": "AWS-RunShellScript"}]}


def stop_calls(aws, cpu_points, polls=1, cpu_date=DATE):
    """Queue a stop: this run's command and another's, the cancel (at DATE), the instance's type, then per poll its state and CPU."""
    ours = {"CommandId": COMMAND, "Comment": cpu_load.load_comment("r1"), "Status": "InProgress", "InstanceIds": ["i-1"],
            "RequestedDateTime": at(SINCE)}
    theirs = dict(ours, CommandId=COMMAND2, Comment=cpu_load.load_comment("other"))
    aws["ssm"].add_response("list_commands", {"Commands": [ours, theirs]}, SHELL_SCRIPTS)
    aws["ssm"].add_response("cancel_command", with_date({}), {"CommandId": COMMAND})
    instances = {"Reservations": [{"Instances": [{"InstanceId": "i-1", "InstanceType": "t3.micro", "State": {"Name": "running", "Code": 16}}]}]}
    aws["ec2"].add_response("describe_instances", instances, {"InstanceIds": ["i-1"]})
    aws["ec2"].add_response("describe_instance_types", {"InstanceTypes": [{"InstanceType": "t3.micro", "VCpuInfo": {"DefaultVCpus": 2}}]},
                            {"InstanceTypes": ["t3.micro"]})
    for _poll in range(polls):
        aws["ec2"].add_response("describe_instances", instances, {"InstanceIds": ["i-1"]})
        aws["ec2"].add_response("describe_instance_types", {"InstanceTypes": [{"InstanceType": "t3.micro", "VCpuInfo": {"DefaultVCpus": 2}}]},
                                {"InstanceTypes": ["t3.micro"]})
        aws["cloudwatch"].add_response("get_metric_statistics", with_date({"Datapoints": [
            {"Timestamp": at(t), "Average": v, "Unit": "Percent"} for t, v in cpu_points]}, cpu_date))


def test_stopping_cancels_only_this_runs_active_commands_and_sees_the_cpu_fall(aws, run):
    # 12:09 started before the cancel (12:10:00): only the datapoint of 12:10 counts.
    stop_calls(aws, [("2026-11-30T12:09:00Z", 100.0), ("2026-11-30T12:10:00Z", 0.4)])
    failed, result = run(cpu_load, {"state": "stopped", "run_id": "r1"})
    assert not failed and result["changed"] and [c["command_id"] for c in result["commands"]] == [COMMAND]
    assert result["stopped_at"] == "2026-11-30T12:10:00Z"
    assert result["cpu_after_stop"] == {"i-1": {"time": "2026-11-30T12:10:00Z", "value": 0.4, "seconds": 60.0}}
    aws.done()


def test_a_burner_that_outlives_the_cancel_fails_the_stop_naming_the_instance(aws, run, fake_poller):
    fake_poller(cpu_load)
    stop_calls(aws, [("2026-11-30T12:10:00Z", 100.0), ("2026-11-30T12:11:00Z", 50.0)], polls=3)
    failed, result = run(cpu_load, {"state": "stopped", "run_id": "r1", "timeout": 30, "poll_interval": 15})
    assert failed, result
    assert "still unproven after waiting 30s" in result["msg"]
    assert "i-1 (CPUUtilization 50.0 % at 2026-11-30T12:11:00Z; one burner is 50 %)" in result["msg"]
    assert "a burner outlived the cancel" in result["msg"] and "timeout without --foreground" in result["msg"]
    aws.done()


def test_the_stop_fails_at_once_when_the_window_after_the_cancel_has_passed(aws, run):
    stop_calls(aws, [("2026-11-30T12:10:00Z", 100.0), ("2026-11-30T12:14:00Z", 100.0)], cpu_date="Mon, 30 Nov 2026 12:20:00 GMT")
    failed, result = run(cpu_load, {"state": "stopped", "run_id": "r1"})
    assert failed and "did not stop in the 300s after CancelCommand at 2026-11-30T12:10:00Z" in result["msg"]
    assert "unproven" not in result["msg"]
    aws.done()


def test_nothing_to_stop_changes_nothing(aws, run):
    aws["ssm"].add_response("list_commands", {"Commands": []}, SHELL_SCRIPTS)
    failed, result = run(cpu_load, {"state": "stopped", "run_id": "r1"})
    assert not failed and not result["changed"]
    aws.done()
