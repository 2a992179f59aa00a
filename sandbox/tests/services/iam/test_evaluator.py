"""The IAM policy evaluator (pure; scaleout_sandbox/services/iam/evaluator.py), on the policies of
AWS's documentation: IAM User Guide "Policy evaluation logic", "IAM JSON policy elements"
(NotAction, NotResource, Condition) and "Example IAM identity-based policies"; EC2 User Guide
"Grant permission to tag resources during creation"; ELB User Guide "Tagging resources during
creation"."""

from scaleout_sandbox.services.iam.evaluator import (ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Check, Policy, authorize,
                                                     evaluate, first_refusal)

ACCOUNT = "123456789012"
SG_NEW = f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/*"
VPC = f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/vpc-1"
INSTANCE_NEW = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*"
TG_NEW = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web/*"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def decision(documents, action, resource="*", **context):
    return evaluate(documents, Check.of(action, resource, context)).decision


# "Allows creating only tagged resources" (aws:RequestTag): the same create with and without its tag.
REQUIRE_TAG = doc(
    {"Sid": "CreateTaggedGroups", "Effect": "Allow", "Action": "ec2:CreateSecurityGroup",
     "Resource": "arn:aws:ec2:*:*:security-group/*",
     "Condition": {"StringEquals": {"aws:RequestTag/project": "web"}}},
    {"Sid": "InAnyVpc", "Effect": "Allow", "Action": "ec2:CreateSecurityGroup", "Resource": "arn:aws:ec2:*:*:vpc/*"},
)


def test_the_same_create_is_allowed_with_its_tag_and_refused_without_it():
    tagged = [Check.of("ec2:CreateSecurityGroup", SG_NEW, {"aws:RequestTag/project": "web", "aws:TagKeys": ["project"]}),
              Check.of("ec2:CreateSecurityGroup", VPC)]
    untagged = [Check.of("ec2:CreateSecurityGroup", SG_NEW), Check.of("ec2:CreateSecurityGroup", VPC)]
    assert [r.decision for r in authorize([REQUIRE_TAG], tagged)] == [ALLOWED, ALLOWED]
    assert first_refusal(authorize([REQUIRE_TAG], tagged)) is None
    refused = first_refusal(authorize([REQUIRE_TAG], untagged))
    assert (refused.decision, refused.check.resource) == (IMPLICIT_DENY, SG_NEW)
    # the wrong value, and the right value in the wrong case (StringEquals is case-sensitive)
    assert decision([REQUIRE_TAG], "ec2:CreateSecurityGroup", SG_NEW, **{"aws:RequestTag/project": "other"}) == IMPLICIT_DENY
    assert decision([REQUIRE_TAG], "ec2:CreateSecurityGroup", SG_NEW, **{"aws:RequestTag/project": "WEB"}) == IMPLICIT_DENY
    # key names are case-insensitive
    assert decision([REQUIRE_TAG], "ec2:CreateSecurityGroup", SG_NEW, **{"AWS:REQUESTTAG/Project": "web"}) == ALLOWED


def test_tag_on_create_is_allowed_only_for_the_create_actions_named_by_ec2_create_action():
    tag_on_create = doc({"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "arn:aws:ec2:us-east-1:*:*/*",
                         "Condition": {"StringEquals": {"ec2:CreateAction": ["RunInstances", "CreateVolume"]}}})
    assert decision([tag_on_create], "ec2:CreateTags", INSTANCE_NEW, **{"ec2:CreateAction": "RunInstances"}) == ALLOWED
    assert decision([tag_on_create], "ec2:CreateTags", INSTANCE_NEW, **{"ec2:CreateAction": "CreateVolume"}) == ALLOWED
    assert decision([tag_on_create], "ec2:CreateTags", SG_NEW, **{"ec2:CreateAction": "CreateSecurityGroup"}) == IMPLICIT_DENY
    # CreateTags called on its own (no ec2:CreateAction in the request): refused
    assert decision([tag_on_create], "ec2:CreateTags", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1") == IMPLICIT_DENY
    elb = doc({"Effect": "Allow", "Action": "elasticloadbalancing:AddTags", "Resource": "*",
               "Condition": {"StringEquals": {"elasticloadbalancing:CreateAction": "CreateTargetGroup"}}})
    assert decision([elb], "elasticloadbalancing:AddTags", TG_NEW, **{"elasticloadbalancing:CreateAction": "CreateTargetGroup"}) == ALLOWED
    assert decision([elb], "elasticloadbalancing:AddTags", TG_NEW) == IMPLICIT_DENY


def test_an_explicit_deny_overrides_any_allow():
    allow_all = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    deny_unless_tagged = doc({"Sid": "DenyUntagged", "Effect": "Deny", "Action": "ec2:RunInstances",
                              "Resource": "arn:aws:ec2:*:*:instance/*", "Condition": {"Null": {"aws:RequestTag/owner": "true"}}})
    assert decision([allow_all, deny_unless_tagged], "ec2:RunInstances", INSTANCE_NEW) == EXPLICIT_DENY
    result = evaluate([allow_all, Policy(deny_unless_tagged, "deny-policy")], Check.of("ec2:RunInstances", INSTANCE_NEW))
    assert (result.sid, result.source) == ("DenyUntagged", "deny-policy")
    assert decision([allow_all, deny_unless_tagged], "ec2:RunInstances", INSTANCE_NEW, **{"aws:RequestTag/owner": "me"}) == ALLOWED
    # the deny is scoped to instances: the image of the same call is allowed
    assert decision([allow_all, deny_unless_tagged], "ec2:RunInstances", "arn:aws:ec2:us-east-1::image/ami-1") == ALLOWED
    # an explicit deny is reported before an implicit one
    results = authorize([deny_unless_tagged, doc({"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": VPC})],
                        [Check.of("ec2:RunInstances", "arn:aws:ec2:us-east-1::image/ami-1"), Check.of("ec2:RunInstances", INSTANCE_NEW)])
    assert first_refusal(results).decision == EXPLICIT_DENY


def test_not_action_and_not_resource():
    # "Allows all actions except IAM" (NotAction with Allow) and "Deny all outside one resource" (NotResource)
    not_iam = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decision([not_iam], "ec2:RunInstances", INSTANCE_NEW) == ALLOWED
    assert decision([not_iam], "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/r") == IMPLICIT_DENY
    only_one_group = doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
                         {"Effect": "Deny", "Action": "ec2:DeleteSecurityGroup",
                          "NotResource": f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/sg-1"})
    assert decision([only_one_group], "ec2:DeleteSecurityGroup", f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/sg-1") == ALLOWED
    assert decision([only_one_group], "ec2:DeleteSecurityGroup", f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/sg-2") == EXPLICIT_DENY


def test_actions_match_case_insensitively_with_wildcards_resources_part_by_part():
    policy = doc({"Effect": "Allow", "Action": "EC2:describe*", "Resource": "*"},
                 {"Effect": "Allow", "Action": "ec2:Run?nstances", "Resource": "arn:aws:ec2:*:*:instance/*"},
                 {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "arn:aws:iam::*:role/scaleout/*"})
    assert decision([policy], "ec2:DescribeVpcs") == ALLOWED
    assert decision([policy], "ec2:RunInstances", INSTANCE_NEW) == ALLOWED
    assert decision([policy], "ec2:RunInstances", "arn:aws:ec2:us-east-1::image/ami-1") == IMPLICIT_DENY
    # the path is part of the ARN
    assert decision([policy], "iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/scaleout/web") == ALLOWED
    assert decision([policy], "iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/web") == IMPLICIT_DENY
    # an action without resource-level permission is checked on "*": a scoped Resource does not match it
    scoped = doc({"Effect": "Allow", "Action": "ec2:DescribeImages", "Resource": "arn:aws:ec2:*::image/*"})
    assert decision([scoped], "ec2:DescribeImages") == IMPLICIT_DENY
    # ARNs are case-sensitive
    assert decision([policy], "iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/ScaleOut/web") == IMPLICIT_DENY


def test_for_all_values_with_tag_keys_limits_the_tags_a_request_may_set():
    # "Allows only specific tag keys" (ForAllValues:StringEquals on aws:TagKeys)
    policy = doc({"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
                  "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}})
    assert decision([policy], "ec2:CreateTags", INSTANCE_NEW, **{"aws:TagKeys": ["environment"]}) == ALLOWED
    assert decision([policy], "ec2:CreateTags", INSTANCE_NEW, **{"aws:TagKeys": ["environment", "owner"]}) == IMPLICIT_DENY
    # ForAllValues is true when the request has no such key (the documented pitfall)
    assert decision([policy], "ec2:CreateTags", INSTANCE_NEW) == ALLOWED
    any_value = doc({"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
                     "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment"]}}})
    assert decision([any_value], "ec2:CreateTags", INSTANCE_NEW, **{"aws:TagKeys": ["owner", "environment"]}) == ALLOWED
    assert decision([any_value], "ec2:CreateTags", INSTANCE_NEW) == IMPLICIT_DENY


def test_if_exists_and_null():
    # "...IfExists": the condition holds when the key is absent
    policy = doc({"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
                  "Condition": {"StringEqualsIfExists": {"ec2:InstanceType": ["t3.micro", "t3.small"]}}})
    assert decision([policy], "ec2:RunInstances", INSTANCE_NEW, **{"ec2:InstanceType": "t3.micro"}) == ALLOWED
    assert decision([policy], "ec2:RunInstances", INSTANCE_NEW, **{"ec2:InstanceType": "m5.large"}) == IMPLICIT_DENY
    assert decision([policy], "ec2:RunInstances", "arn:aws:ec2:us-east-1::image/ami-1") == ALLOWED
    # Null "false": the key must be present
    present = doc({"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
                   "Condition": {"Null": {"aws:RequestTag/owner": "false"}}})
    assert decision([present], "ec2:RunInstances", INSTANCE_NEW, **{"aws:RequestTag/owner": "x"}) == ALLOWED
    assert decision([present], "ec2:RunInstances", INSTANCE_NEW) == IMPLICIT_DENY


def test_several_keys_and_operators_are_and_ed_several_values_or_ed():
    policy = doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/scaleout/*",
                  "Condition": {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ecs.amazonaws.com"]},
                                "StringLike": {"iam:AssociatedResourceArn": "arn:aws:ec2:*:*:instance/*"}}})
    role = f"arn:aws:iam::{ACCOUNT}:role/scaleout/web"
    both = {"iam:PassedToService": "ecs.amazonaws.com", "iam:AssociatedResourceArn": INSTANCE_NEW}
    assert decision([policy], "iam:PassRole", role, **both) == ALLOWED
    assert decision([policy], "iam:PassRole", role, **{"iam:PassedToService": "ec2.amazonaws.com"}) == IMPLICIT_DENY
    assert decision([policy], "iam:PassRole", role, **dict(both, **{"iam:PassedToService": "lambda.amazonaws.com"})) == IMPLICIT_DENY


def test_a_missing_key_makes_a_condition_false_but_a_negated_one_true():
    deny_untagged = doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                             {"Effect": "Deny", "Action": "*", "Resource": "*",
                              "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "web"}}})
    assert decision([deny_untagged], "ec2:TerminateInstances", "arn:aws:ec2:us-east-1:1:instance/i-1") == EXPLICIT_DENY
    assert decision([deny_untagged], "ec2:TerminateInstances", "arn:aws:ec2:us-east-1:1:instance/i-1",
                    **{"aws:ResourceTag/team": "web"}) == ALLOWED


def test_arn_like_on_iam_policy_arn_and_get_caller_identity_needs_nothing():
    policy = doc({"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "arn:aws:iam::*:role/scaleout/*",
                  "Condition": {"ArnLike": {"iam:PolicyARN": "arn:*:iam::aws:policy/AmazonSSMManagedInstanceCore"}}})
    role = f"arn:aws:iam::{ACCOUNT}:role/scaleout/web"
    assert decision([policy], "iam:AttachRolePolicy", role,
                    **{"iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}) == ALLOWED
    assert decision([policy], "iam:AttachRolePolicy", role,
                    **{"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}) == IMPLICIT_DENY
    assert decision([doc({"Effect": "Deny", "Action": "*", "Resource": "*"})], "sts:GetCallerIdentity") == ALLOWED
    assert decision([], "ec2:RunInstances", INSTANCE_NEW) == IMPLICIT_DENY
