"""The one client policy: botocore's standard retry mode with MAX_ATTEMPTS attempts, no AWSRetry on
top, and the task's aws_config wins; and the server clock read from the answers' Date header."""

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import ServerClock
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import MAX_ATTEMPTS
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate

ARGS = {"region": "eu-west-1", "access_key": "testing", "secret_key": "testing"}


def module_with(**args):
    with patch_module_args(dict(ARGS, **args)):
        return AnsibleAWSModule(argument_spec={})


def test_clients_retry_in_standard_mode_with_the_documented_attempts():
    ec2 = client(module_with(), "ec2")
    # botocore's max_attempts counts retries: 10 of them make 11 attempts in all.
    assert ec2.meta.config.retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}
    assert MAX_ATTEMPTS == 11
    assert type(ec2).__module__.startswith("botocore")  # a plain client: no AWSRetry wrapper


@pytest.mark.parametrize("retries, expected", [
    ({"mode": "adaptive", "max_attempts": 15}, {"mode": "adaptive", "total_max_attempts": 16}),
    ({"max_attempts": 3}, {"total_max_attempts": 4}),
])
def test_the_tasks_aws_config_wins(retries, expected):
    ec2 = client(module_with(aws_config={"retries": retries}), "ec2")
    assert all(ec2.meta.config.retries[key] == value for key, value in expected.items())


def stubbed(service):
    aws = boto3.client(service, region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    stubber = Stubber(aws)
    stubber.activate()
    return aws, stubber


def page(volumes, token=None, date="Mon, 30 Nov 2026 12:00:00 GMT"):
    answer = {"Volumes": [{"VolumeId": v} for v in volumes],
              "ResponseMetadata": {"HTTPStatusCode": 200, "HTTPHeaders": {"date": date}}}
    if token:
        answer["NextToken"] = token
    return answer


def test_paginate_makes_one_call_per_page_and_the_clock_follows_the_latest_answer():
    ec2, stubber = stubbed("ec2")
    clock = ServerClock([ec2])
    stubber.add_response("describe_volumes", page(["vol-1"], token="t"), {"Filters": []})
    stubber.add_response("describe_volumes", page(["vol-2"], date="Mon, 30 Nov 2026 12:00:07 GMT"), {"Filters": [], "NextToken": "t"})
    result = paginate(ec2, "describe_volumes", Filters=[])
    assert [v["VolumeId"] for v in result["Volumes"]] == ["vol-1", "vol-2"]
    assert clock.now == "2026-11-30T12:00:07Z"
    stubber.assert_no_pending_responses()


def test_the_clock_keeps_the_last_time_when_an_answer_has_no_date():
    ec2, stubber = stubbed("ec2")
    clock = ServerClock([ec2])
    stubber.add_response("describe_volumes", page([]))
    stubber.add_response("describe_volumes", {"Volumes": []})
    ec2.describe_volumes()
    ec2.describe_volumes()
    assert clock.now == "2026-11-30T12:00:00Z"
