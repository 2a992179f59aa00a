"""IAM enforcement diagnostics: the audit-only mode (SCALEOUT_SANDBOX_IAM_AUDIT_ONLY: every call
evaluated, none refused, every failing check in the request log) and sts:DecodeAuthorizationMessage
on EC2's encoded authorization failure message."""

import json

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import start_server, unique
from scaleout_sandbox.services.iam import enforcement

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Decode", "Effect": "Allow", "Action": "sts:DecodeAuthorizationMessage", "Resource": "*"},
    {"Sid": "TaggedGroups", "Effect": "Allow", "Action": "ec2:CreateSecurityGroup", "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestTag/Stack": "web"}}},
]}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    client = start_server(tmp_path_factory.mktemp("iam-audit"), "0.5",
                          env={enforcement.ENFORCE_ENV: "1", enforcement.AUDIT_ENV: "1"})
    yield client
    client.server.down()


def test_audit_only_serves_the_call_and_logs_every_check_that_would_be_refused(audited):
    user = audited.create_user(unique("audited"), POLICY)
    ec2 = audited.client("ec2", credentials=user)
    ec2.create_security_group(GroupName=unique("group"), Description="untagged")  # served: audit only
    entry = audited.requests()[-1]
    assert entry["status"] == 200 and entry["denial"]["enforced"] is False
    default_vpc = audited.client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    # the condition needs the request tag on every resource: the VPC has none, as the new group
    assert {(d["action"], d["resource"].rsplit(":", 1)[1], d["decision"]) for d in entry["denial"]["all"]} == {
        ("ec2:CreateSecurityGroup", "security-group/*", "implicitDeny"),
        ("ec2:CreateSecurityGroup", f"vpc/{default_vpc['VpcId']}", "implicitDeny")}


@pytest.fixture(scope="module")
def enforced(tmp_path_factory):
    client = start_server(tmp_path_factory.mktemp("iam-decode"), "0.5", env={enforcement.ENFORCE_ENV: "1"})
    yield client
    client.server.down()


def test_decode_authorization_message_reads_ec2_refusals(enforced):
    user = enforced.create_user(unique("decoder"), POLICY)
    with pytest.raises(ClientError) as caught:
        enforced.client("ec2", credentials=user).create_security_group(GroupName=unique("group"), Description="untagged")
    encoded = caught.value.response["Error"]["Message"].rsplit("Encoded authorization failure message: ", 1)[1]
    decoded = json.loads(enforced.client("sts", credentials=user).decode_authorization_message(EncodedMessage=encoded)
                         ["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["context"]["action"] == "ec2:CreateSecurityGroup"
    assert decoded["context"]["principal"]["arn"] == user["arn"]
    with pytest.raises(ClientError, match="InvalidAuthorizationMessageException"):
        enforced.client("sts", credentials=user).decode_authorization_message(EncodedMessage="not-a-message")
