"""IAM enforcement (opt-in): a sandbox of its own started with SCALEOUT_SANDBOX_IAM_ENFORCE=1, users
holding only small policies, and what the sandbox allows and refuses (scaleout_sandbox/services/iam/:
enforcement.py answers, evaluator.py decides over the checks of request_context/).

What moto itself does with the same policies (unpatched) is pinned in test_moto_internals.py."""

import json
import re
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import Tier, start_server, unique
from scaleout_sandbox import ctl
from scaleout_sandbox.services.iam import enforcement

ALLOWED_READS = {
    "ec2": "ec2:DescribeVpcs",
    "autoscaling": "autoscaling:DescribeAutoScalingGroups",
    "elbv2": "elasticloadbalancing:DescribeLoadBalancers",
    "ssm": "ssm:DescribeInstanceInformation",
    "iam": "iam:ListRoles",
    "cloudwatch": "cloudwatch:DescribeAlarms",
}

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Reads", "Effect": "Allow", "Action": sorted(ALLOWED_READS.values()), "Resource": "*"},
    # Conditions are evaluated: a Describe has no resource, so no aws:ResourceTag - the Allow does not
    # grant, and the negated Deny applies (a missing key makes StringNotEquals true).
    {"Sid": "AllowWithTagCondition", "Effect": "Allow", "Action": "ec2:DescribeSecurityGroups", "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/Stack": "web"}}},
    {"Sid": "DenyWithTagCondition", "Effect": "Deny", "Action": "ec2:DescribeSecurityGroups", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:ResourceTag/Stack": "web"}}},
    # Resources are evaluated: a Describe is authorized on "*" only, which a scoped Resource does not match.
    {"Sid": "AllowScopedToImages", "Effect": "Allow", "Action": "ec2:DescribeImages", "Resource": "arn:aws:ec2:*::image/ami-*"},
    # Action wildcards, case-insensitive, as AWS.
    {"Sid": "Wildcard", "Effect": "Allow", "Action": "EC2:describesub*", "Resource": "*"},
    # A Deny on every resource without a condition wins over an Allow.
    {"Sid": "AllowKeyPairs", "Effect": "Allow", "Action": "ec2:DescribeKeyPairs", "Resource": "*"},
    {"Sid": "DenyKeyPairs", "Effect": "Deny", "Action": "ec2:DescribeKeyPairs", "Resource": "*"},
]}


def denied_calls(service):
    """A call outside POLICY for each service, and the error code AWS answers it with."""
    return {
        "ec2": (lambda c: c.create_key_pair(KeyName="k"), "UnauthorizedOperation", "ec2:CreateKeyPair"),
        "autoscaling": (lambda c: c.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=2),
                        "AccessDenied", "autoscaling:SetDesiredCapacity"),
        "elbv2": (lambda c: c.create_target_group(Name="tg", Protocol="HTTP", Port=80, VpcId="vpc-12345678"),
                  "AccessDenied", "elasticloadbalancing:CreateTargetGroup"),
        "ssm": (lambda c: c.send_command(InstanceIds=["i-0123456789abcdef0"], DocumentName="AWS-RunShellScript",
                                         Parameters={"commands": ["true"]}), "AccessDeniedException", "ssm:SendCommand"),
        "iam": (lambda c: c.create_role(RoleName="r", AssumeRolePolicyDocument="{}"), "AccessDenied", "iam:CreateRole"),
        "cloudwatch": (lambda c: c.list_metrics(), "AccessDenied", "cloudwatch:ListMetrics"),
    }[service]


ALLOWED_CALLS = {
    "ec2": lambda c: c.describe_vpcs(),
    "autoscaling": lambda c: c.describe_auto_scaling_groups(),
    "elbv2": lambda c: c.describe_load_balancers(),
    "ssm": lambda c: c.describe_instance_information(),
    "iam": lambda c: c.list_roles(),
    "cloudwatch": lambda c: c.describe_alarms(),
}


@pytest.fixture(scope="module")
def enforced(tmp_path_factory):
    client = start_server(tmp_path_factory.mktemp("iam-sandbox"), "0.5", env={enforcement.ENFORCE_ENV: "1"})
    yield client
    client.server.down()


@pytest.fixture(scope="module")
def user(enforced):
    return enforced.create_user("limited", POLICY)


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"].get("Message", "")


def last_request(box):
    return box.requests()[-1]


def test_health_says_enforced_and_sandbox_endpoints_need_no_credentials(enforced):
    health = enforced.health()
    assert health["iam_enforced"] is True and health["iam_admin_access_key_id"] == enforcement.ADMIN_ACCESS_KEY_ID
    assert enforced.clock()["factor"] > 0
    assert enforced.faults() is not None and enforced.delays() and enforced.state()["simulated"] is True
    assert isinstance(enforced.requests(), list)


@pytest.mark.parametrize("service", sorted(ALLOWED_CALLS))
def test_the_policy_allows_its_actions_and_refuses_the_others(enforced, user, service):
    client = enforced.client(service, credentials=user)
    ALLOWED_CALLS[service](client)
    allowed = last_request(enforced)
    assert (allowed["status"], allowed["access_key_id"]) == (200, user["access_key_id"])

    call, code, action = denied_calls(service)
    got_code, status, message = error_of(lambda: call(client))
    assert (got_code, status) == (code, 403)
    assert re.search(f"User: {re.escape(user['arn'])} is not authorized to perform: {action}( on resource: \\S+)? "
                     f"because no identity-based policy allows the {action} action", message), message
    refused = last_request(enforced)
    assert (refused["status"], refused["action"], refused["access_key_id"]) == (403, action.split(":")[1], user["access_key_id"])


def test_conditions_and_resources_are_evaluated(enforced, user):
    ec2 = enforced.client("ec2", credentials=user)
    code, _, message = error_of(lambda: ec2.describe_security_groups())
    assert code == "UnauthorizedOperation" and "ec2:DescribeSecurityGroups with an explicit deny" in message
    code, _, message = error_of(lambda: ec2.describe_images(Owners=["self"]))
    assert "ec2:DescribeImages because no identity-based policy allows the ec2:DescribeImages action" in message
    ec2.describe_subnets()  # "EC2:describesub*"


def test_a_deny_on_every_resource_without_condition_wins(enforced, user):
    code, status, message = error_of(lambda: enforced.client("ec2", credentials=user).describe_key_pairs())
    assert (code, status) == ("UnauthorizedOperation", 403)
    assert "ec2:DescribeKeyPairs with an explicit deny" in message


def test_get_caller_identity_needs_no_permission(enforced, user):
    identity = enforced.client("sts", credentials=user).get_caller_identity()
    assert identity["Arn"] == user["arn"]


@pytest.mark.parametrize("service,call,code,status", [
    ("ec2", lambda c: c.describe_vpcs(), "AuthFailure", 401),
    ("autoscaling", lambda c: c.describe_auto_scaling_groups(), "InvalidClientTokenId", 403),
    ("iam", lambda c: c.list_roles(), "InvalidClientTokenId", 403),
    ("sts", lambda c: c.get_caller_identity(), "InvalidClientTokenId", 403),
    ("ssm", lambda c: c.describe_instance_information(), "UnrecognizedClientException", 403),
    ("cloudwatch", lambda c: c.describe_alarms(), "InvalidClientTokenId", 403),
])
def test_unknown_access_keys_are_rejected(enforced, service, call, code, status):
    for key in ({"access_key_id": "AKIAUNKNOWN000000000", "secret_access_key": "x"},
                {"access_key_id": "sandbox-access-key", "secret_access_key": "sandbox-secret-key"}):  # the inventory's
        assert error_of(lambda: call(enforced.client(service, credentials=key)))[:2] == (code, status)


@pytest.mark.parametrize("service,call,code", [
    ("ec2", lambda c: c.describe_vpcs(), "AuthFailure"),
    ("autoscaling", lambda c: c.describe_auto_scaling_groups(), "SignatureDoesNotMatch"),
    ("ssm", lambda c: c.describe_instance_information(), "InvalidSignatureException"),
])
def test_a_wrong_secret_is_rejected(enforced, user, service, call, code):
    wrong = dict(user, secret_access_key="not-the-secret")
    assert error_of(lambda: call(enforced.client(service, credentials=wrong)))[0] == code


def test_unsigned_requests_are_rejected(enforced):
    request = urllib.request.Request(enforced.endpoint + "/", data=b"{}", method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.DescribeInstanceInformation"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 403
    assert json.loads(caught.value.read())["__type"] == "MissingAuthenticationTokenException"


def test_the_admin_key_is_never_checked_and_moto_reset_auth_is_refused(enforced):
    enforced.client("ec2").create_security_group(GroupName=unique("admin-sg"), Description="admin")
    assert last_request(enforced)["access_key_id"] == enforcement.ADMIN_ACCESS_KEY_ID
    request = urllib.request.Request(enforced.endpoint + "/moto-api/reset-auth", data=b"inf", method="POST",
                                     headers={"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 403
    bad = {"access_key_id": "AKIAUNKNOWN000000000", "secret_access_key": "x"}
    assert error_of(lambda: enforced.client("ec2", credentials=bad).describe_vpcs())[0] == "AuthFailure"


class AsUser:
    """The sandbox client, signing as `user` (for the conftest helpers that call box.client())."""

    def __init__(self, box, user):
        self.box, self.user = box, user

    def client(self, service, region=None):
        return self.box.client(service, region, credentials=self.user)


# CreateAutoScalingGroup with a launch template validates ec2:RunInstances (Auto Scaling User Guide).
TIER_ACTIONS = [
    "ec2:DescribeSubnets", "ec2:RunInstances", "ec2:DescribeImages", "ec2:CreateLaunchTemplate",
    "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateListener",
    "autoscaling:CreateAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups",
]


def test_a_least_privilege_user_builds_a_tier_and_the_log_proves_no_call_was_refused(enforced):
    user = enforced.create_user(unique("builder"), {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": TIER_ACTIONS, "Resource": "*"}]})
    enforced.clear_requests()
    tier = Tier(AsUser(enforced, user)).launch_template().load_balancer().group(desired=1)
    assert tier.describe()["DesiredCapacity"] == 1
    calls = [c for c in enforced.requests() if c["access_key_id"] == user["access_key_id"]]
    assert calls and all(c["status"] == 200 for c in calls)
    assert {c["action"] for c in calls if c["mutating"]} == {a.split(":")[1] for a in TIER_ACTIONS if ":Describe" not in a and a != "ec2:RunInstances"}
    enforced.client("autoscaling").delete_auto_scaling_group(AutoScalingGroupName=tier.name, ForceDelete=True)

    without_listener = enforced.create_user(unique("builder"), {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [a for a in TIER_ACTIONS if a != "elasticloadbalancing:CreateListener"], "Resource": "*"}]})
    with pytest.raises(ClientError, match="elasticloadbalancing:CreateListener"):
        Tier(AsUser(enforced, without_listener)).launch_template().load_balancer()


def test_companion_permissions_are_checked_tag_on_create_then_pass_role(enforced):
    """RunInstances with an instance profile needs iam:PassRole on its role, and tags given at
    creation need ec2:CreateTags with ec2:CreateAction (EC2 User Guide; IAM User Guide, PassRole)."""
    admin_iam = enforced.client("iam")
    name = unique("profile")
    role = admin_iam.create_role(RoleName=name, Path="/scaleout/", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]
    admin_iam.create_instance_profile(InstanceProfileName=name)
    admin_iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    from sandbox_harness import linux_image

    image = linux_image(enforced.client("ec2"))
    statements = [{"Sid": "Run", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}]

    def launch():
        user = enforced.create_user(unique("launcher"), {"Version": "2012-10-17", "Statement": list(statements)})
        return enforced.client("ec2", credentials=user).run_instances(
            ImageId=image, InstanceType="t2.micro", MinCount=1, MaxCount=1, IamInstanceProfile={"Name": name},
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Stack", "Value": "web"}]}])

    assert re.search(r"ec2:CreateTags on resource: arn:aws:ec2:[^:]+:123456789012:instance/\* because", error_of(launch)[2])
    assert last_request(enforced)["denial"]["reason"] == "tags given at RunInstances"
    statements.append({"Sid": "TagOnRun", "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
                       "Condition": {"StringEquals": {"ec2:CreateAction": "RunInstances"}}})
    assert f"iam:PassRole on resource: {role['Arn']} because" in error_of(launch)[2]
    statements.append({"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/scaleout/*",
                       "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}})
    enforced.sleep_sim(enforced.delays()["iam_propagation_s"] + 1)  # a new profile is usable once IAM propagated it
    reservation = launch()
    enforced.client("ec2").terminate_instances(InstanceIds=[i["InstanceId"] for i in reservation["Instances"]])


# A policy that allows creating only tagged resources (IAM User Guide, aws:RequestTag; EC2 and ELB
# User Guides, tagging on creation): the same create passes with its tag and is refused without it.
TAGGED_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "CreateTagged", "Effect": "Allow",
     "Action": ["ec2:CreateSecurityGroup", "elasticloadbalancing:CreateTargetGroup"],
     "Resource": ["arn:aws:ec2:*:*:security-group/*", "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"],
     "Condition": {"StringEquals": {"aws:RequestTag/Stack": "web"}}},
    {"Sid": "InAnyVpc", "Effect": "Allow", "Action": "ec2:CreateSecurityGroup", "Resource": "arn:aws:ec2:*:*:vpc/*"},
    {"Sid": "Ec2TagOnCreate", "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
     "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}}},
    {"Sid": "ElbTagOnCreate", "Effect": "Allow", "Action": "elasticloadbalancing:AddTags", "Resource": "*",
     "Condition": {"StringEquals": {"elasticloadbalancing:CreateAction": "CreateTargetGroup"}}},
]}


@pytest.fixture(scope="module")
def tagger(enforced):
    return enforced.create_user(unique("tagger"), TAGGED_ONLY)


def test_create_security_group_passes_with_its_tag_and_is_refused_without_it(enforced, tagger):
    ec2 = enforced.client("ec2", credentials=tagger)
    tags = [{"ResourceType": "security-group", "Tags": [{"Key": "Stack", "Value": "web"}]}]
    ec2.create_security_group(GroupName=unique("group"), Description="tagged", TagSpecifications=tags)
    code, status, message = error_of(lambda: ec2.create_security_group(GroupName=unique("group"), Description="untagged"))
    assert (code, status) == ("UnauthorizedOperation", 403)
    assert re.search(r"ec2:CreateSecurityGroup on resource: arn:aws:ec2:[^:]+:123456789012:security-group/\* because no "
                     r"identity-based policy allows the ec2:CreateSecurityGroup action\. Encoded authorization failure "
                     r"message: \S+$", message), message
    decoded = json.loads(enforcement.decode_authorization_message(message.rsplit(" ", 1)[1]))
    assert decoded["allowed"] is False and decoded["explicitDeny"] is False
    assert decoded["context"]["action"] == "ec2:CreateSecurityGroup"
    assert decoded["context"]["resource"].endswith(":security-group/*")
    denial = last_request(enforced)["denial"]
    assert (denial["action"], denial["decision"], denial["call"]) == ("ec2:CreateSecurityGroup", "implicitDeny",
                                                                       "ec2:CreateSecurityGroup")
    assert denial["resource"].endswith(":security-group/*")
    wrong = [{"ResourceType": "security-group", "Tags": [{"Key": "Stack", "Value": "WEB"}]}]
    assert error_of(lambda: ec2.create_security_group(GroupName=unique("group"), Description="d", TagSpecifications=wrong))[0] \
        == "UnauthorizedOperation"


def test_create_target_group_passes_with_its_tag_and_is_refused_without_it(enforced, tagger):
    elb = enforced.client("elbv2", credentials=tagger)
    vpc = enforced.client("ec2").describe_vpcs()["Vpcs"][0]["VpcId"]
    name = unique("tg")[:32]
    elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, Tags=[{"Key": "Stack", "Value": "web"}])
    other = unique("tg")[:32]
    code, status, message = error_of(lambda: elb.create_target_group(Name=other, Protocol="HTTP", Port=80, VpcId=vpc))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {tagger['arn']} is not authorized to perform: elasticloadbalancing:CreateTargetGroup on "
                       f"resource: arn:aws:elasticloadbalancing:{elb.meta.region_name}:123456789012:targetgroup/{other}/* because no "
                       f"identity-based policy allows the elasticloadbalancing:CreateTargetGroup action")
    assert last_request(enforced)["denial"]["statement"] is None
    assert not [c for c in enforced.requests() if c.get("denial") and c["status"] == 200]


def test_up_refuses_to_reuse_a_sandbox_whose_enforcement_differs(enforced, monkeypatch):
    same = ctl.Sandbox(port=enforced.server.port, directory=enforced.server.dir)
    monkeypatch.setenv(enforcement.ENFORCE_ENV, "1")
    assert same.up() == dict(same.status(), started=False)
    monkeypatch.delenv(enforcement.ENFORCE_ENV)
    with pytest.raises(ctl.SandboxError, match="IAM enforcement on, but SCALEOUT_SANDBOX_IAM_ENFORCE asks for it off"):
        same.up()


def test_iam_action_names():
    assert enforcement.iam_action("monitoring:PutMetricAlarm") == "cloudwatch:PutMetricAlarm"
    assert enforcement.iam_action("elasticloadbalancing:CreateListener") == "elasticloadbalancing:CreateListener"


def test_enforcement_switch_values():
    assert enforcement.enforced_from_env({}) is False
    assert enforcement.enforced_from_env({enforcement.ENFORCE_ENV: "1"}) is True
    assert enforcement.enforced_from_env({enforcement.ENFORCE_ENV: "off"}) is False
    with pytest.raises(ValueError, match="must be 1 or 0"):
        enforcement.enforced_from_env({enforcement.ENFORCE_ENV: "maybe"})
