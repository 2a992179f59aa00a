# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: the collection's minimal IAM policy by statement, and what a refused call means.

``POLICY_DOCUMENTS`` names, per customer managed policy the docs give to the identity that runs the
collection, and per statement of it, the actions it allows: ``docs/iam-policy-read.json`` holds the
reads (Describe, Get, List), ``docs/iam-policy.json`` the writes with their conditions. Two policies
because one would not fit AWS's 6,144-character limit for a managed policy. It is the one list of
the actions the collection needs: the unit tests check that the JSON documents say the same, and the
least-privilege test that the runs use every one and nothing else.

When AWS refuses a call (``AccessDenied``, ``AccessDeniedException``, ``UnauthorizedOperation``),
``explain_denial`` names the action, the resource AWS named, and the statements that should have
allowed it, so that the operator knows what to check in their policy.
"""

import re

READ_POLICY_STATEMENTS = (
    ("Read", (
        "acm:DescribeCertificate",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeInstanceRefreshes",
        "autoscaling:DescribePolicies",
        "autoscaling:DescribeScalingActivities",
        "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:GetMetricStatistics",
        "ec2:DescribeImageAttribute",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeInstances",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSnapshots",
        "ec2:DescribeSubnets",
        "ec2:DescribeVolumes",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcs",
        "ec2:GetDefaultCreditSpecification",
        "ec2:GetEbsDefaultKmsKeyId",
        "ec2:GetEbsEncryptionByDefault",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "iam:GetInstanceProfile",
        "iam:GetRole",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:ListRolePolicies",
        "iam:ListRoleTags",
        "iam:ListRoles",
        "iam:SimulatePrincipalPolicy",
        "kms:GetKeyPolicy",
        "servicequotas:GetServiceQuota",
        "ssm:DescribeInstanceInformation",
        "ssm:ListCommandInvocations",
        "ssm:ListCommands",
    )),
    ("SourceImageParameter", (
        "ssm:GetParameter",
    )),
    ("StackLockRead", (
        "ssm:GetParameter",
        "ssm:GetParametersByPath",
    )),
)

WRITE_POLICY_STATEMENTS = (
    ("Ec2CreateTagged", (
        "ec2:CreateImage",
        "ec2:CreateLaunchTemplate",
        "ec2:CreateSecurityGroup",
        "ec2:RunInstances",
    )),
    ("Ec2UseWhenCreating", (
        "ec2:RunInstances",
    )),
    ("Ec2GroupInVpc", (
        "ec2:CreateSecurityGroup",
    )),
    ("Ec2ImageFromTagged", (
        "ec2:CreateImage",
    )),
    ("Ec2TagOnCreate", (
        "ec2:CreateTags",
    )),
    ("ManageTagged", (
        "autoscaling:CreateOrUpdateTags",
        "autoscaling:DeleteAutoScalingGroup",
        "autoscaling:EnableMetricsCollection",
        "autoscaling:PutScalingPolicy",
        "autoscaling:StartInstanceRefresh",
        "autoscaling:UpdateAutoScalingGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:CreateTags",
        "ec2:DeleteLaunchTemplate",
        "ec2:DeleteLaunchTemplateVersions",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteSnapshot",
        "ec2:DeleteVolume",
        "ec2:DeregisterImage",
        "ec2:GetConsoleOutput",
        "ec2:ModifyLaunchTemplate",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RunInstances",
        "ec2:TerminateInstances",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
    )),
    ("Ec2GroupRules", (
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
    )),
    ("CreateTagged", (
        "autoscaling:CreateAutoScalingGroup",
        "autoscaling:CreateOrUpdateTags",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateTargetGroup",
    )),
    ("ElbTagOnCreate", (
        "elasticloadbalancing:AddTags",
    )),
    ("ElbListeners", (
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
    )),
    ("IamInstanceRole", (
        "iam:AddRoleToInstanceProfile",
        "iam:CreateInstanceProfile",
        "iam:CreateRole",
        "iam:DeleteInstanceProfile",
        "iam:DeleteRole",
        "iam:RemoveRoleFromInstanceProfile",
        "iam:TagInstanceProfile",
        "iam:TagRole",
    )),
    ("IamSsmPolicyOnly", (
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
    )),
    ("IamPassToEc2", (
        "iam:PassRole",
    )),
    ("IamServiceLinkedRoles", (
        "iam:CreateServiceLinkedRole",
    )),
    ("SsmLoadTaggedInstances", (
        "ssm:SendCommand",
    )),
    ("SsmShellDocument", (
        "ssm:SendCommand",
    )),
    ("SsmCancelLoad", (
        "ssm:CancelCommand",
    )),
    ("StackLock", (
        "ssm:AddTagsToResource",
        "ssm:DeleteParameter",
        "ssm:DeleteParameters",
        "ssm:PutParameter",
    )),
)

POLICY_DOCUMENTS = (
    ("docs/iam-policy-read.json", READ_POLICY_STATEMENTS),
    ("docs/iam-policy.json", WRITE_POLICY_STATEMENTS),
)
POLICY_STATEMENTS = READ_POLICY_STATEMENTS + WRITE_POLICY_STATEMENTS

DENIAL_CODES = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError")
# AWS's wording: "User: <arn> is not authorized to perform: <action> on resource: <arn> because ...".
_DENIAL = re.compile(r"not authorized to perform:? (?P<action>[\w-]+:\w+)"
                     r"(?: on resource:? (?P<resource>.+?)(?=\s+because\b|\s+with an explicit\b|\.?$))?")


def statements_for(action):
    """The Sids of the policy statements that allow `action` (pure, case-insensitive)."""
    wanted = action.lower()
    return [sid for sid, actions in POLICY_STATEMENTS if wanted in (a.lower() for a in actions)]


def document_of(sid):
    """The policy document (its path in the collection) that holds statement `sid` (pure)."""
    for path, statements in POLICY_DOCUMENTS:
        if sid in (name for name, _actions in statements):
            return path
    return None


def all_actions():
    """Every action of the policy, sorted (pure)."""
    return sorted(set(a for _sid, actions in POLICY_STATEMENTS for a in actions))


def is_denial(error):
    """Whether a botocore ClientError is AWS refusing the call for lack of permission."""
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code") in DENIAL_CODES


def explain_denial(error):
    """A sentence naming the refused action, its resource and the statements to check; None when
    `error` is not a denial (pure over the error). Every service but EC2 names the action and the
    resource in its message; EC2 (``UnauthorizedOperation``) encodes them, and its operation name is
    the action."""
    if not is_denial(error):
        return None
    message = error.response.get("Error", {}).get("Message", "")
    found = _DENIAL.search(message)
    operation = getattr(error, "operation_name", None) or "?"
    if found:
        action, resource = found.group("action"), (found.group("resource") or "").rstrip(".") or None
    else:
        code = error.response.get("Error", {}).get("Code")
        action, resource = "%s:%s" % ("ec2" if code == "UnauthorizedOperation" else "?", operation), None
    statements = statements_for(action)
    text = "AWS refused %s%s" % (action, " on %s" % resource if resource else "")
    if statements:
        text += "; the collection's policy allows it in statement %s: check its Resource and Condition" % (
            " or ".join("%s of %s" % (sid, document_of(sid)) for sid in statements))
    else:
        text += "; the collection's policies (docs/iam-policy-read.json, docs/iam-policy.json) do not list this action"
    if error.response.get("Error", {}).get("Code") == "UnauthorizedOperation":
        text += " (EC2 encodes the reason: aws sts decode-authorization-message --encoded-message <message>)"
    return text


def fail_aws(module, error, msg):
    """module.fail_json_aws, with the explanation of a denial added to `msg`."""
    explanation = explain_denial(error)
    module.fail_json_aws(error, msg="%s: %s" % (msg, explanation) if explanation else msg)
