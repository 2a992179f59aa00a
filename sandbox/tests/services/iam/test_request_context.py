"""API call -> the checks AWS makes (scaleout_sandbox/services/iam/request_context/), over a fake
state: the resource ARNs follow the Service Authorization Reference's templates, every action of
the collection's policies (docs/iam-policy-read.json, docs/iam-policy.json) is mapped (or has no resource-level permission), and the companion checks
(tags on create, iam:PassRole) are made."""

import json
import re
from pathlib import Path

import pytest

from scaleout_sandbox.services.iam import sar
from scaleout_sandbox.services.iam.request_context import TABLES, checks_for, mapped

ACCOUNT = "123456789012"
POLICIES = [Path(__file__).resolve().parents[4] / "docs" / name for name in ("iam-policy-read.json", "iam-policy.json")]
MANAGED = {"scaleout:managed-by": "scaleout.webtier"}
# Actions with a resource type in the reference that the tables leave on "*" (docs/sandbox.md):
# reads the policy grants on "*" anyway, and the companions checked inside other calls.
NOT_MAPPED = {"cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory", "iam:PassRole"}


class FakeState:
    roles = {"web": {"arn": f"arn:aws:iam::{ACCOUNT}:role/scaleout/web", "tags": MANAGED}}
    profiles = {"web": {"arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/scaleout/web", "tags": {},
                        "roles": [f"arn:aws:iam::{ACCOUNT}:role/scaleout/web"]}}
    template = {"id": "lt-1", "tags": MANAGED, "data": {
        "ImageId": "ami-1", "SecurityGroupIds": ["sg-web"], "IamInstanceProfile": {"Name": "web"},
        "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "scaleout:managed-by", "Value": "scaleout.webtier"}]},
                              {"ResourceType": "launch-template", "Tags": [{"Key": "ignored", "Value": "x"}]}]}}

    def ec2_tags(self, region, resource_id):
        return MANAGED if resource_id in ("i-1", "sg-web", "lt-1", "snap-1", "ami-1", "vol-1") else {}

    def default_vpc(self, region):
        return "vpc-default"

    def default_subnet(self, region):
        return "subnet-default"

    def subnet_vpc(self, region, subnet):
        return "vpc-default"

    def security_group_id(self, region, name, vpc):
        return {"web": "sg-web", "default": "sg-default"}.get(name)

    def default_security_group(self, region, vpc):
        return "sg-default"

    def launch_template(self, region, template_id=None, name=None, version=None):
        return self.template if "lt-1" in (template_id, name) or name == "web" else None

    def elb_tags(self, region, arn):
        return MANAGED if "/web/" in arn else {}

    def autoscaling_group(self, region, name):
        if name != "web":
            return None
        return {"arn": f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:uuid-1:autoScalingGroupName/web",
                "tags": MANAGED}

    def iam_role(self, name):
        return self.roles.get(name)

    def instance_profile(self, name):
        return self.profiles.get(name)

    def instance_profile_roles(self, name):
        return self.profiles.get(name.rsplit("/", 1)[-1], {}).get("roles", [])


def checks(action, **params):
    return checks_for(action, params, FakeState(), "us-east-1", ACCOUNT)


def summary(found):
    return [(c.action, c.resource) for c in found]


def _template_pattern(template: str) -> "re.Pattern":
    parts = re.split(r"(\$\{\w+\})", template)
    return re.compile("^" + "".join(r"[^ ]*" if p.startswith("${") else re.escape(p) for p in parts) + "$")


def policy_actions():
    return sorted({a for path in POLICIES for s in json.loads(path.read_text())["Statement"] for a in s["Action"]}
                  | {"ec2:DeleteVolume", "elasticloadbalancing:ModifyListener"})


@pytest.mark.parametrize("action", policy_actions())
def test_every_action_of_the_policy_is_mapped_or_has_no_resource_level_permission(action):
    assert sar.known(action), f"{action}: add it to sar_actions.json"
    if sar.required_resource_types(action) and action not in NOT_MAPPED:
        assert mapped(action), f"{action} has resource types {sar.resource_types(action)}: map it in request_context/"
    if not sar.resource_types(action):
        assert not mapped(action)
        assert summary(checks(action)) == [(action, "*")]


def test_the_tables_map_only_known_actions_to_arns_of_their_resource_types():
    for service, table in TABLES.items():
        for operation in table:
            assert sar.known(f"{service}:{operation}"), f"{service}:{operation} is not in sar_actions.json"
    samples = [
        checks("ec2:RunInstances", ImageId="ami-1", KeyName="k", LaunchTemplate={"LaunchTemplateId": "lt-1"}),
        checks("ec2:CreateImage", InstanceId="i-1"), checks("ec2:CreateSecurityGroup", GroupName="g"),
        checks("ec2:TerminateInstances", InstanceIds=["i-1", "i-2"]), checks("ec2:DeleteVolume", VolumeId="vol-1"),
        checks("elasticloadbalancing:ModifyListener",
               ListenerArn=f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/web/1/2"),
        checks("autoscaling:PutScalingPolicy", AutoScalingGroupName="web"), checks("iam:GetRole", RoleName="web"),
    ]
    for found in samples:
        for check in found:
            service = check.action.split(":")[0]
            templates = [sar.data()["arns"].get(f"{service}:{t}") or sar.data()["arns"].get(f"ec2:{t}")
                         for t in sar.resource_types(check.action)]
            assert any(_template_pattern(t).match(check.resource) for t in templates if t), check


def test_run_instances_is_authorized_on_each_resource_with_tag_on_create_and_pass_role():
    found = checks("ec2:RunInstances", ImageId="ami-1", SubnetId="subnet-1", SecurityGroupIds=["sg-web"], KeyName="k",
                   IamInstanceProfile={"Name": "web"},
                   TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "scaleout:managed-by",
                                                                            "Value": "scaleout.webtier"}]}])
    region = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
    assert summary(found) == [
        ("ec2:RunInstances", f"{region}:instance/*"), ("ec2:CreateTags", f"{region}:instance/*"),
        ("ec2:RunInstances", f"{region}:network-interface/*"), ("ec2:RunInstances", f"{region}:volume/*"),
        ("ec2:RunInstances", "arn:aws:ec2:us-east-1::image/ami-1"), ("ec2:RunInstances", f"{region}:subnet/subnet-1"),
        ("ec2:RunInstances", f"{region}:security-group/sg-web"), ("ec2:RunInstances", f"{region}:key-pair/k"),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/scaleout/web"),
    ]
    instance, create_tags = found[0], found[1]
    assert instance.context == {"aws:requesttag/scaleout:managed-by": ["scaleout.webtier"], "aws:tagkeys": ["scaleout:managed-by"]}
    assert create_tags.context["ec2:createaction"] == ["RunInstances"] and create_tags.reason == "tags given at RunInstances"
    assert found[4].context["aws:resourcetag/scaleout:managed-by"] == ["scaleout.webtier"]  # the image's own tags
    assert found[4].context["ec2:resourcetag/scaleout:managed-by"] == ["scaleout.webtier"]
    assert found[-1].context == {"iam:passedtoservice": ["ec2.amazonaws.com"]}
    # no tags, no CreateTags; defaults for the subnet and security group
    bare = summary(checks("ec2:RunInstances", ImageId="ami-1"))
    assert ("ec2:CreateTags", f"{region}:instance/*") not in bare
    assert (("ec2:RunInstances", f"{region}:subnet/subnet-default") in bare
            and ("ec2:RunInstances", f"{region}:security-group/sg-default") in bare)


def test_a_launch_template_supplies_what_the_request_does_not():
    found = summary(checks("ec2:RunInstances", LaunchTemplate={"LaunchTemplateName": "web"}))
    region = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
    assert ("ec2:RunInstances", "arn:aws:ec2:us-east-1::image/ami-1") in found
    assert ("ec2:RunInstances", f"{region}:launch-template/lt-1") in found
    assert ("ec2:CreateTags", f"{region}:instance/*") in found  # the template's instance tags
    assert ("ec2:CreateTags", f"{region}:launch-template/*") not in found
    assert ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/scaleout/web") in found


def test_creating_an_auto_scaling_group_from_a_template_validates_the_launch():
    found = checks("autoscaling:CreateAutoScalingGroup", AutoScalingGroupName="new", VPCZoneIdentifier="subnet-a,subnet-b",
                   LaunchTemplate={"LaunchTemplateId": "lt-1", "Version": "$Latest"},
                   Tags=[{"Key": "scaleout:managed-by", "Value": "scaleout.webtier", "ResourceId": "new"}])
    group = found[0]
    assert (group.action, group.resource) == (
        "autoscaling:CreateAutoScalingGroup", f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/new")
    assert group.context["aws:requesttag/scaleout:managed-by"] == ["scaleout.webtier"]
    assert "autoscaling:CreateOrUpdateTags" not in {c.action for c in found}
    launch = [c for c in found if c.action == "ec2:RunInstances"]
    assert launch and all(c.reason == "launch template validated at CreateAutoScalingGroup" for c in launch)
    assert (f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/subnet-a") in {c.resource for c in launch}
    assert [c.resource for c in found if c.action == "iam:PassRole"] == [f"arn:aws:iam::{ACCOUNT}:role/scaleout/web"]
    # an existing group: its ARN and tags
    update = checks("autoscaling:UpdateAutoScalingGroup", AutoScalingGroupName="web", MaxSize="5")
    assert summary(update) == [("autoscaling:UpdateAutoScalingGroup",
                                f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:uuid-1:autoScalingGroupName/web")]
    assert update[0].context["autoscaling:resourcetag/scaleout:managed-by"] == ["scaleout.webtier"]


def test_elb_creates_with_and_without_tags():
    tagged = checks("elasticloadbalancing:CreateTargetGroup", Name="tg", Tags=[{"Key": "k", "Value": "v"}])
    arn = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/tg/*"
    assert summary(tagged) == [("elasticloadbalancing:CreateTargetGroup", arn), ("elasticloadbalancing:AddTags", arn)]
    assert tagged[1].context["elasticloadbalancing:createaction"] == ["CreateTargetGroup"]
    assert summary(checks("elasticloadbalancing:CreateTargetGroup", Name="tg")) == [("elasticloadbalancing:CreateTargetGroup", arn)]
    load_balancer = summary(checks("elasticloadbalancing:CreateLoadBalancer", Name="lb"))
    assert load_balancer == [("elasticloadbalancing:CreateLoadBalancer",
                              f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/lb/*")]
    existing = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web/abc"
    modify = checks("elasticloadbalancing:ModifyTargetGroupAttributes", TargetGroupArn=existing)
    assert modify[0].context["elasticloadbalancing:resourcetag/scaleout:managed-by"] == ["scaleout.webtier"]


def test_iam_paths_tags_on_create_and_pass_role():
    role = checks("iam:CreateRole", RoleName="web2", Path="/scaleout/", Tags=[{"Key": "k", "Value": "v"}])
    assert summary(role) == [("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/scaleout/web2"),
                             ("iam:TagRole", f"arn:aws:iam::{ACCOUNT}:role/scaleout/web2")]
    assert summary(checks("iam:CreateInstanceProfile", InstanceProfileName="p")) == [
        ("iam:CreateInstanceProfile", f"arn:aws:iam::{ACCOUNT}:instance-profile/p")]
    # name only: the existing role's path; a missing role has none (the stricter reading)
    assert summary(checks("iam:GetRole", RoleName="web")) == [("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/scaleout/web")]
    assert summary(checks("iam:GetRole", RoleName="gone")) == [("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/gone")]
    attach = checks("iam:AttachRolePolicy", RoleName="web", PolicyArn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
    assert attach[0].context["iam:policyarn"] == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    add = checks("iam:AddRoleToInstanceProfile", InstanceProfileName="web", RoleName="web")
    assert summary(add) == [("iam:AddRoleToInstanceProfile", f"arn:aws:iam::{ACCOUNT}:instance-profile/scaleout/web"),
                            ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/scaleout/web")]
    linked = checks("iam:CreateServiceLinkedRole", AWSServiceName="autoscaling.amazonaws.com")
    assert summary(linked) == [("iam:CreateServiceLinkedRole", f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/"
                                                               "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")]
    assert linked[0].context == {"iam:awsservicename": ["autoscaling.amazonaws.com"]}


def test_ssm_send_command_on_the_document_and_each_instance():
    found = checks("ssm:SendCommand", DocumentName="AWS-RunShellScript", InstanceIds=["i-1", "i-2"])
    assert summary(found) == [("ssm:SendCommand", "arn:aws:ssm:us-east-1::document/AWS-RunShellScript"),
                              ("ssm:SendCommand", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1"),
                              ("ssm:SendCommand", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-2")]
    assert found[1].context["ssm:resourcetag/scaleout:managed-by"] == ["scaleout.webtier"] and found[2].context == {}
    assert summary(checks("ssm:GetParameter", Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")) == [
        ("ssm:GetParameter", "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")]
