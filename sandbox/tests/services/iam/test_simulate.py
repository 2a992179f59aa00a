"""iam:SimulatePrincipalPolicy: the sandbox's IAM evaluator (the enforcement's) decides, with the
request's resources and context keys, and names the statement that decided."""

import json

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import unique
from scaleout_sandbox.services.iam import evaluator

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "CreateTagged", "Effect": "Allow", "Action": "elasticloadbalancing:CreateTargetGroup", "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestTag/scaleout:managed-by": "scaleout.webtier"}}},
    {"Sid": "Reads", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
    {"Sid": "NoVpcs", "Effect": "Deny", "Action": "ec2:DescribeVpcs", "Resource": "*"},
]}
TAGGED = [{"ContextKeyName": "aws:RequestTag/scaleout:managed-by", "ContextKeyValues": ["scaleout.webtier"],
           "ContextKeyType": "string"}]


@pytest.fixture
def user(fresh):
    iam = fresh.client("iam")
    name = unique("sim")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="web", PolicyDocument=json.dumps(POLICY, indent=2))
    return iam, arn


def decisions(answer):
    return {r["EvalActionName"]: r["EvalDecision"] for r in answer["EvaluationResults"]}


def test_simulation_decides_as_enforcement_with_context_keys(user):
    iam, arn = user
    actions = ["elasticloadbalancing:CreateTargetGroup", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:RunInstances"]
    tagged = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=actions, ContextEntries=TAGGED)
    assert decisions(tagged) == {"elasticloadbalancing:CreateTargetGroup": "allowed", "ec2:DescribeSubnets": "allowed",
                                 "ec2:DescribeVpcs": "explicitDeny", "ec2:RunInstances": "implicitDeny"}
    untagged = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=actions[:1])
    assert decisions(untagged) == {"elasticloadbalancing:CreateTargetGroup": "implicitDeny"}
    # The same decisions as the evaluator the enforcement uses, on the same documents and keys.
    for action, decision in decisions(tagged).items():
        check = evaluator.Check.of(action, "*", {"aws:RequestTag/scaleout:managed-by": "scaleout.webtier"})
        assert evaluator.evaluate([POLICY], check).decision == decision


def test_the_deciding_statement_is_named_with_its_position(user):
    iam, arn = user
    answer = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["ec2:DescribeVpcs"],
                                           ResourceArns=["arn:aws:ec2:ap-northeast-2:123456789012:vpc/vpc-1"])
    result = answer["EvaluationResults"][0]
    assert result["EvalResourceName"] == "arn:aws:ec2:ap-northeast-2:123456789012:vpc/vpc-1"
    matched = result["MatchedStatements"][0]
    assert matched["SourcePolicyId"] == "web" and matched["SourcePolicyType"] == "user"
    text = json.dumps(POLICY, indent=2).splitlines()
    assert '"NoVpcs"' in text[matched["StartPosition"]["Line"] - 1]
    assert result["ResourceSpecificResults"][0]["EvalResourceDecision"] == "explicitDeny"


def test_attached_and_group_policies_count_and_an_unknown_principal_is_no_such_entity(fresh):
    iam = fresh.client("iam")
    name = unique("simg")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.create_group(GroupName=name)
    iam.add_user_to_group(GroupName=name, UserName=name)
    iam.put_group_policy(GroupName=name, PolicyName="g", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*"}]}))
    managed = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeSubnets", "Resource": "*"}]}))
    iam.attach_user_policy(UserName=name, PolicyArn=managed["Policy"]["Arn"])
    answer = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["ec2:DescribeVpcs", "ec2:DescribeSubnets"])
    assert set(decisions(answer).values()) == {"allowed"}
    with pytest.raises(ClientError) as missing:
        iam.simulate_principal_policy(PolicySourceArn=arn + "-gone", ActionNames=["ec2:DescribeVpcs"])
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"
