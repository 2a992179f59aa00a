"""scaleout.webtier.bake_instance against stubbed clients: a launch is one RunInstances call (tags,
client token, IMDSv2 and the root volume inside it) and nothing else; a termination is one
TerminateInstances call and the wait's reads, the instances found by id and by tag; EC2's
InvalidInstanceID.NotFound right after a launch is retried; check mode writes nothing."""

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import

from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import launch_request
from ansible_collections.scaleout.webtier.plugins.modules import bake_instance

TAGS = {"Name": "demo-bake", "scaleout:stack": "demo", "scaleout:role": "bake-temporary"}
TAG_LIST = [{"Key": k, "Value": v} for k, v in TAGS.items()]
TOKEN = "0" * 64
LAUNCH = dict(image_id="ami-1", instance_type="t3.micro", subnet_id="subnet-1", security_group_ids=["sg-1"],
              user_data="#!/bin/sh\necho hi\n", root_device_name="/dev/xvda", root_volume_size=10, tags=TAGS, client_token=TOKEN)
TEMPORARY = {"scaleout:stack": "demo", "scaleout:role": "bake-temporary"}
BY_TAG = [{"Name": "tag:scaleout:role", "Values": ["bake-temporary"]}, {"Name": "tag:scaleout:stack", "Values": ["demo"]},
          {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped", "shutting-down"]}]


def instances(*id_states):
    return {"Reservations": [{"Instances": [{"InstanceId": i, "State": {"Name": s}} for i, s in id_states]}]}


def test_a_launch_is_one_run_instances_call_with_everything_in_it(aws, run):
    request = {
        "ImageId": "ami-1", "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1, "ClientToken": TOKEN,
        "SubnetId": "subnet-1", "SecurityGroupIds": ["sg-1"], "UserData": "#!/bin/sh\necho hi\n",
        "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                                 "Ebs": {"VolumeSize": 10, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}}],
        "InstanceInitiatedShutdownBehavior": "terminate",
        "TagSpecifications": [{"ResourceType": "instance", "Tags": TAG_LIST}, {"ResourceType": "volume", "Tags": TAG_LIST}],
        "IamInstanceProfile": {"Name": "bake-profile"},
    }
    aws["ec2"].add_response("run_instances", {"Instances": [{"InstanceId": "i-1"}]}, request)
    failed, result = run(bake_instance, dict(LAUNCH, instance_profile="bake-profile"))
    aws.done()  # nothing else: no describe of the subnet, the groups, the instance or its attributes
    assert not failed and result["changed"] and result["instance_id"] == "i-1"


def test_an_instance_profile_given_by_arn_is_passed_as_an_arn():
    arn = "arn:aws:iam::123456789012:instance-profile/scaleout/bake"
    request = launch_request("ami-1", "t3.micro", "subnet-1", ["sg-1"], "", {"device_name": "/dev/xvda", "size": 8}, {}, TOKEN, arn)
    assert request["IamInstanceProfile"] == {"Arn": arn}
    assert "IamInstanceProfile" not in launch_request("ami-1", "t3.micro", "subnet-1", ["sg-1"], "", {"device_name": "/dev/xvda", "size": 8},
                                                      {}, TOKEN, "")


def test_a_launch_in_check_mode_calls_nothing(aws, run):
    failed, result = run(bake_instance, LAUNCH, check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["instance_id"] == "" and result["msg"].startswith("would have launched")


def test_a_too_long_client_token_fails_before_any_call(aws, run):
    failed, result = run(bake_instance, dict(LAUNCH, client_token="x" * 65))
    aws.done()
    assert failed and "client_token" in result["msg"]


def test_termination_finds_by_tag_terminates_in_one_call_and_waits(aws, run, fake_poller, clock):
    fake_poller(bake_instance)
    ec2 = aws["ec2"]
    ec2.add_response("describe_instances", instances(("i-2", "running")), {"Filters": BY_TAG})
    ec2.add_response("terminate_instances", {}, {"InstanceIds": ["i-1", "i-2"]})
    by_id = {"Filters": [{"Name": "instance-id", "Values": ["i-1", "i-2"]}]}
    ec2.add_response("describe_instances", instances(("i-1", "shutting-down"), ("i-2", "shutting-down")), by_id)
    # i-1 is not listed by a filter on its id: launched moments ago (or gone), it counts as terminated.
    ec2.add_response("describe_instances", instances(("i-2", "terminated")), by_id)
    failed, result = run(bake_instance, dict(state="absent", instance_ids=["i-1"], match_tags=TEMPORARY, poll_interval=10))
    aws.done()
    assert not failed and result["changed"] and result["instance_ids"] == ["i-1", "i-2"] and clock.sleeps == [10]


def test_termination_of_known_ids_looks_nothing_up_first(aws, run, fake_poller):
    fake_poller(bake_instance)
    aws["ec2"].add_response("terminate_instances", {}, {"InstanceIds": ["i-1"]})
    aws["ec2"].add_response("describe_instances", instances(("i-1", "terminated")))
    failed, result = run(bake_instance, dict(state="absent", instance_ids=["i-1"]))
    aws.done()
    assert not failed and result["changed"]


def test_an_instance_unknown_to_terminate_moments_after_its_launch_is_retried(aws, run, fake_poller, clock):
    # https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
    fake_poller(bake_instance)
    aws["ec2"].add_client_error("terminate_instances", "InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist", 400,
                                expected_params={"InstanceIds": ["i-1"]})
    aws["ec2"].add_response("terminate_instances", {}, {"InstanceIds": ["i-1"]})
    aws["ec2"].add_response("describe_instances", instances(("i-1", "terminated")))
    failed, result = run(bake_instance, dict(state="absent", instance_ids=["i-1"]))
    aws.done()
    assert not failed and result["changed"] and clock.sleeps == [bake_instance.PROPAGATION_RETRY_SECONDS]


def test_nothing_to_terminate_is_no_change(aws, run):
    aws["ec2"].add_response("describe_instances", {"Reservations": []}, {"Filters": BY_TAG})
    failed, result = run(bake_instance, dict(state="absent", match_tags=TEMPORARY))
    aws.done()
    assert not failed and not result["changed"] and result["instance_ids"] == []


def test_termination_in_check_mode_only_looks(aws, run):
    aws["ec2"].add_response("describe_instances", instances(("i-2", "running")), {"Filters": BY_TAG})
    failed, result = run(bake_instance, dict(state="absent", match_tags=TEMPORARY), check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["msg"] == "would have terminated i-2"


def test_a_termination_that_does_not_finish_times_out_naming_the_state(aws, run, fake_poller):
    fake_poller(bake_instance)
    aws["ec2"].add_response("terminate_instances", {}, {"InstanceIds": ["i-1"]})
    for _poll in range(2):
        aws["ec2"].add_response("describe_instances", instances(("i-1", "shutting-down")))
    failed, result = run(bake_instance, dict(state="absent", instance_ids=["i-1"], timeout=10, poll_interval=10))
    assert failed and result["msg"] == "the instances were not terminated within 10s: i-1 is shutting-down"
