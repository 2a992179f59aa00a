"""The glue of the wait modules (aws_resource_wait, console_marker_wait) against stubbed clients:
the calls each poll makes, what ends a wait, and how throttling and errors reach the result."""

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import
import base64

import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import MAX_RETRIES
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import NOT_FOUND_GRACE_S
from ansible_collections.scaleout.webtier.plugins.modules import aws_resource_wait
from ansible_collections.scaleout.webtier.plugins.modules import console_marker_wait

IMAGE = "ami-0123456789abcdef0"


def image_poll(aws, state):
    aws["ec2"].add_response("describe_images", {"Images": [{"ImageId": IMAGE, "State": state}]},
                            {"Filters": [{"Name": "image-id", "Values": [IMAGE]}]})


def test_an_image_wait_polls_once_per_interval_until_available(aws, run, fake_poller, clock):
    fake_poller(aws_resource_wait)
    image_poll(aws, "pending")
    image_poll(aws, "available")
    failed, result = run(aws_resource_wait, {"resource": "image", "ids": [IMAGE], "state": "available", "poll_interval": 5})
    assert not failed, result
    assert result["states"] == {IMAGE: "available"} and result["polls"] == 2 and result["throttled_polls"] == 0
    assert clock.sleeps == [5]
    aws.done()


GROUP = "sg-0123456789abcdef0"
ENI = "eni-0123456789abcdef0"


def interfaces_poll(aws, *interfaces):
    aws["ec2"].add_response("describe_network_interfaces", {"NetworkInterfaces": [
        {"NetworkInterfaceId": i, "Status": "in-use", "Description": "ELB app/demo-alb/50dc6c495c0c9188"} for i in interfaces]},
        {"Filters": [{"Name": "group-id", "Values": [GROUP]}]})


def test_a_security_group_wait_lasts_until_a_deleted_load_balancers_interfaces_are_gone(aws, run, fake_poller, clock):
    fake_poller(aws_resource_wait)
    interfaces_poll(aws, ENI)
    interfaces_poll(aws, ENI)
    interfaces_poll(aws)
    failed, result = run(aws_resource_wait, {"resource": "security_group", "ids": [GROUP], "state": "unused", "poll_interval": 10})
    aws.done()
    assert not failed, result
    assert result["polls"] == 3 and clock.sleeps == [10, 10]
    assert result["waited_for"] == [ENI + " (ELB app/demo-alb/50dc6c495c0c9188)"]


def test_a_security_group_wait_times_out_naming_the_interfaces_left(aws, run, fake_poller):
    fake_poller(aws_resource_wait)
    for _poll in range(3):
        interfaces_poll(aws, ENI)
    failed, result = run(aws_resource_wait, {"resource": "security_group", "ids": [GROUP], "state": "unused",
                                             "timeout": 20, "poll_interval": 10})
    assert failed
    assert ("1 network interface(s) still in the group(s): %s (in-use, ELB app/demo-alb/50dc6c495c0c9188)" % ENI) in result["msg"]


def test_the_clients_retry_in_botocore_standard_mode_only(aws, run, fake_poller):
    fake_poller(aws_resource_wait)
    image_poll(aws, "available")
    run(aws_resource_wait, {"resource": "image", "ids": [IMAGE], "state": "available"})
    assert aws.requests
    for _service, retry_decorator, config in aws.requests:
        assert retry_decorator is None  # no AWSRetry stacked on botocore's retries
        assert config.retries == {"mode": "standard", "max_attempts": MAX_RETRIES}


def test_a_throttled_poll_slows_the_wait_and_does_not_fail_it(aws, run, fake_poller, clock):
    fake_poller(aws_resource_wait)
    aws["ec2"].add_client_error("describe_images", service_error_code="RequestLimitExceeded", http_status_code=503)
    image_poll(aws, "available")
    failed, result = run(aws_resource_wait, {"resource": "image", "ids": [IMAGE], "state": "available", "poll_interval": 5})
    assert not failed
    assert result["throttled_polls"] == 1 and result["polls"] == 2
    assert clock.sleeps == [10]  # twice the interval after the throttled poll


def test_any_other_error_fails_at_once_with_the_resource_named(aws, run, fake_poller):
    fake_poller(aws_resource_wait)
    aws["ec2"].add_client_error("describe_images", service_error_code="UnauthorizedOperation", http_status_code=403)
    failed, result = run(aws_resource_wait, {"resource": "image", "ids": [IMAGE], "state": "available"})
    assert failed and result["msg"].startswith("Unable to read the state of image %s" % IMAGE)


def test_a_wait_times_out_naming_what_each_resource_still_is(aws, run, fake_poller):
    fake_poller(aws_resource_wait)
    for _poll in range(3):
        image_poll(aws, "pending")
    failed, result = run(aws_resource_wait, {"resource": "image", "ids": [IMAGE], "state": "available", "timeout": 20, "poll_interval": 10})
    assert failed and result["msg"].startswith("timed out after 20s waiting for image")
    assert "%s is pending" % IMAGE in result["msg"] and result["polls"] == 3


def test_a_load_balancer_that_does_not_exist_fails_the_wait_after_the_grace(aws, run, fake_poller):
    fake_poller(aws_resource_wait)
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/demo-alb/1"
    for _poll in range(3):  # at 0, 60 and 120 s: the grace is over at the third
        aws["elbv2"].add_client_error("describe_load_balancers", service_error_code="LoadBalancerNotFound", http_status_code=400,
                                      expected_params={"LoadBalancerArns": [arn]})
    failed, result = run(aws_resource_wait, {"resource": "load_balancer", "ids": [arn], "state": "active", "poll_interval": 60})
    assert failed and "does not exist" in result["msg"] and result["states"] == {arn: "missing"}
    assert result["polls"] == 3
    aws.done()


def test_an_image_not_found_right_after_its_create_is_not_yet_there(aws, run, fake_poller):
    # EC2 is eventually consistent: a describe right after CreateImage may not find the image.
    fake_poller(aws_resource_wait)
    params = {"Filters": [{"Name": "image-id", "Values": [IMAGE]}]}
    aws["ec2"].add_response("describe_images", {"Images": []}, params)
    aws["ec2"].add_response("describe_images", {"Images": [{"ImageId": IMAGE, "State": "available"}]}, params)
    failed, result = run(aws_resource_wait, {"resource": "image", "ids": [IMAGE], "state": "available", "poll_interval": 10})
    assert not failed and result["states"] == {IMAGE: "available"} and result["polls"] == 2
    aws.done()


def test_a_group_wait_reads_the_group_then_each_target_group(aws, run, fake_poller):
    fake_poller(aws_resource_wait)
    tg = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-web/1"
    group = {"AutoScalingGroupName": "demo-asg", "MinSize": 1, "MaxSize": 2, "DesiredCapacity": 1, "DefaultCooldown": 300,
             "AvailabilityZones": ["eu-west-1a"], "HealthCheckType": "ELB", "CreatedTime": "2026-11-30T12:00:00Z",
             "TargetGroupARNs": [tg],
             "Instances": [{"InstanceId": "i-1", "AvailabilityZone": "eu-west-1a", "LifecycleState": "InService",
                            "HealthStatus": "Healthy", "ProtectedFromScaleIn": False}]}
    aws["autoscaling"].add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [group]}, {"AutoScalingGroupNames": ["demo-asg"]})
    aws["elbv2"].add_response("describe_target_health", {"TargetHealthDescriptions": [
        {"Target": {"Id": "i-1", "Port": 80}, "TargetHealth": {"State": "healthy"}}]}, {"TargetGroupArn": tg})
    failed, result = run(aws_resource_wait, {"resource": "group", "ids": ["demo-asg"], "state": "healthy"})
    assert not failed and result["states"] == {"i-1": "healthy"} and result["polls"] == 1
    assert result["zones"] == {"i-1": "eu-west-1a"}  # for the role to print, without another read
    aws.done()


def test_a_group_that_cannot_launch_fails_the_wait_at_once_quoting_aws(aws, run, fake_poller):
    fake_poller(aws_resource_wait)
    group = {"AutoScalingGroupName": "demo-asg", "MinSize": 2, "MaxSize": 2, "DesiredCapacity": 2, "DefaultCooldown": 300,
             "AvailabilityZones": ["eu-west-1a"], "HealthCheckType": "ELB", "CreatedTime": "2026-11-30T12:00:00Z",
             "TargetGroupARNs": [], "Instances": []}
    kms = ("Instance became unhealthy while waiting for instance to be in InService state. Termination Reason: "
           "Client.InternalError: Client error on launch")
    aws["autoscaling"].add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [group]}, {"AutoScalingGroupNames": ["demo-asg"]})
    aws["autoscaling"].add_response("describe_scaling_activities", {"Activities": [{
        "ActivityId": "a-1", "AutoScalingGroupName": "demo-asg", "Description": "Launching a new EC2 instance: i-1",
        "Cause": "At 2026-11-30T12:00:01Z an instance was started", "StartTime": "2026-11-30T12:00:01Z",
        "StatusCode": "Failed", "StatusMessage": kms, "Progress": 100}]},
        {"AutoScalingGroupName": "demo-asg", "MaxRecords": 50})
    failed, result = run(aws_resource_wait, {"resource": "group", "ids": ["demo-asg"], "state": "healthy", "timeout": 900})
    assert failed and result["polls"] == 1
    assert "stopped waiting for group to become healthy: the group cannot launch instances (KMS key)" in result["msg"]
    assert kms in result["msg"] and "AWSServiceRoleForAutoScaling" in result["msg"]
    aws.done()


def test_a_missing_group_fails_the_wait(aws, run, fake_poller):
    fake_poller(aws_resource_wait)
    aws["autoscaling"].add_response("describe_auto_scaling_groups", {"AutoScalingGroups": []})
    failed, result = run(aws_resource_wait, {"resource": "group", "ids": ["nope"], "state": "healthy"})
    assert failed and "Auto Scaling group nope does not exist" in result["msg"]


@pytest.mark.parametrize("args, message", [
    ({"timeout": -1}, "timeout=-1: must not be negative"),
    ({"poll_interval": 0}, "poll_interval=0: must be at least 1 second(s)"),
    ({"ids": ["a", "b"], "resource": "group", "state": "healthy"}, "name exactly one Auto Scaling group"),
])
def test_bad_requests_fail_before_any_call(aws, run, args, message):
    failed, result = run(aws_resource_wait, dict({"resource": "image", "ids": [IMAGE], "state": "available"}, **args))
    assert failed and message in result["msg"]
    assert not aws.requests


def instance_answer(state):
    return {"Reservations": [{"Instances": [{"InstanceId": "i-1", "State": {"Name": state, "Code": 16}}]}]}


def console(aws, text, latest=True):
    # AWS sends the output base64-encoded, and botocore decodes it.
    aws["ec2"].add_response("get_console_output", {"InstanceId": "i-1", "Output": base64.b64encode(text.encode()).decode()},
                            {"InstanceId": "i-1", "Latest": latest})


MARKERS = {"instance_id": "i-1", "success_marker": "done-42", "failure_markers": ["failed-42"], "poll_interval": 10}


def test_the_console_wait_reads_the_state_only_while_no_marker_shows(aws, run, fake_poller):
    fake_poller(console_marker_wait)
    console(aws, "booting\n")
    aws["ec2"].add_response("describe_instances", instance_answer("running"), {"InstanceIds": ["i-1"]})
    console(aws, "booting\nscript: done-42 ok\n")
    failed, result = run(console_marker_wait, MARKERS)
    assert not failed and result["marker_line"] == "script: done-42 ok" and result["polls"] == 2
    aws.done()  # two console reads, one describe: none after the marker


def test_a_failure_marker_fails_the_wait_with_the_console_tail(aws, run, fake_poller):
    fake_poller(console_marker_wait)
    console(aws, "step 1\nfailed-42 at step 2\n")
    failed, result = run(console_marker_wait, MARKERS)
    assert failed and "reported failure: failed-42 at step 2" in result["msg"] and "step 1" in result["console_tail"]


def test_an_instance_that_stops_running_fails_the_wait(aws, run, fake_poller):
    fake_poller(console_marker_wait)
    console(aws, "booting\n")
    answer = instance_answer("terminated")
    answer["Reservations"][0]["Instances"][0]["StateReason"] = {"Code": "Server.SpotInstanceTermination", "Message": "reclaimed"}
    aws["ec2"].add_response("describe_instances", answer)
    failed, result = run(console_marker_wait, MARKERS)
    assert failed and result["msg"].startswith("i-1 is terminated (reclaimed) before provisioning finished")


def test_an_instance_without_the_latest_output_is_read_without_it(aws, run, fake_poller):
    fake_poller(console_marker_wait)
    aws["ec2"].add_client_error("get_console_output", service_error_code="UnsupportedOperation", http_status_code=400)
    console(aws, "done-42\n", latest=False)
    failed, result = run(console_marker_wait, MARKERS)
    assert not failed and result["marker_line"] == "done-42"
    aws.done()


def test_the_console_wait_times_out_naming_the_state(aws, run, fake_poller):
    fake_poller(console_marker_wait)
    for _poll in range(2):
        console(aws, "booting\n")
        aws["ec2"].add_response("describe_instances", instance_answer("running"))
    failed, result = run(console_marker_wait, dict(MARKERS, timeout=10))
    assert failed and "no line with 'done-42'" in result["msg"] and "(the instance is running)" in result["msg"]
    assert result["polls"] == 2


def test_a_console_wait_started_right_after_the_launch_waits_until_ec2_knows_the_instance(aws, run, fake_poller, clock):
    # https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html: an instance launched
    # moments ago may be unknown to the next call (InvalidInstanceID.NotFound); it is not yet, not gone.
    fake_poller(console_marker_wait)
    aws["ec2"].add_client_error("get_console_output", "InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist", 400)
    console(aws, "booting\n")
    aws["ec2"].add_client_error("describe_instances", "InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist", 400)
    console(aws, "done-42\n")
    failed, result = run(console_marker_wait, MARKERS)
    aws.done()
    assert not failed and result["marker_line"] == "done-42" and result["polls"] == 3 and clock.sleeps == [10, 10]


def test_an_instance_still_unknown_after_the_grace_fails_the_console_wait(aws, run, fake_poller, clock):
    fake_poller(console_marker_wait)
    # Polls at 0, 30, 60 and 90 s are within the grace; the one at 120 s fails the wait.
    for _poll in range(NOT_FOUND_GRACE_S // 30 + 1):
        aws["ec2"].add_client_error("get_console_output", "InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist", 400)
    failed, result = run(console_marker_wait, dict(MARKERS, poll_interval=30, timeout=900))
    aws.done()
    assert failed and "InvalidInstanceID.NotFound" in result["msg"] and clock.now == NOT_FOUND_GRACE_S
