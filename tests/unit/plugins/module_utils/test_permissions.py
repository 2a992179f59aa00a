"""The policy's statements in module_utils are docs/iam-policy-read.json's and docs/iam-policy.json's, and a refused call is
explained with its action, its resource and the statement to check, in each service's wording."""

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from ansible_collections.scaleout.webtier.plugins.module_utils import _permissions

REPO = Path(__file__).resolve().parents[4]


def error(code, message, operation):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize("path, statements", _permissions.POLICY_DOCUMENTS)
def test_the_statements_are_the_policy_documents(path, statements):
    document = json.loads((REPO / path).read_text())
    in_document = [(s["Sid"], tuple([s["Action"]] if isinstance(s["Action"], str) else s["Action"])) for s in document["Statement"]]
    assert in_document == list(statements)


def test_the_read_policy_holds_only_reads():
    reads = {a for _sid, actions in _permissions.READ_POLICY_STATEMENTS for a in actions}
    # iam:SimulatePrincipalPolicy: access level Read in the Service Authorization Reference.
    assert reads and all(a.split(":")[1].startswith(("Describe", "Get", "List", "Simulate")) for a in reads), sorted(reads)


@pytest.mark.parametrize("code, message, operation, expected", [
    ("AccessDenied",
     "User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: autoscaling:CreateAutoScalingGroup on resource: "
     "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/demo-asg because no identity-based policy "
     "allows the autoscaling:CreateAutoScalingGroup action",
     "CreateAutoScalingGroup",
     "AWS refused autoscaling:CreateAutoScalingGroup on arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:"
     "autoScalingGroupName/demo-asg; the collection's policy allows it in statement CreateTagged of docs/iam-policy.json:"),
    ("AccessDeniedException",
     "User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: ssm:SendCommand on resource: "
     "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123 with an explicit deny in an identity-based policy",
     "SendCommand",
     "AWS refused ssm:SendCommand on arn:aws:ec2:eu-west-1:123456789012:instance/i-0123; the collection's policy allows it in "
     "statement SsmLoadTaggedInstances of docs/iam-policy.json or SsmShellDocument of docs/iam-policy.json"),
    ("UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: AbC",
     "CreateVolume",
     "AWS refused ec2:CreateVolume; the collection's policies (docs/iam-policy-read.json, docs/iam-policy.json) do not list this "
     "action (EC2 encodes the reason"),
    ("AccessDenied", "User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: iam:GetRole on resource: role demo-web "
     "because no identity-based policy allows the iam:GetRole action.",
     "GetRole",
     "AWS refused iam:GetRole on role demo-web; the collection's policy allows it in statement Read of docs/iam-policy-read.json:"),
])
def test_a_denial_is_explained(code, message, operation, expected):
    assert expected in _permissions.explain_denial(error(code, message, operation))


def test_other_errors_are_not_explained():
    assert _permissions.explain_denial(error("ThrottlingException", "Rate exceeded", "DescribeInstances")) is None


def test_a_denial_without_aws_words_names_the_operation():
    assert _permissions.explain_denial(error("AccessDenied", "Access denied", "DescribeTargetGroups")) == (
        "AWS refused ?:DescribeTargetGroups; the collection's policies (docs/iam-policy-read.json, docs/iam-policy.json) do not "
        "list this action")
