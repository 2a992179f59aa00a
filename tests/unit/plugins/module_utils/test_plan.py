"""The plan (pure): one read of a stack compared with what each stage applies."""

import copy

import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils import _plan
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.settings import GROUP_METRICS
from ansible_collections.scaleout.webtier.plugins.modules import stack_plan

TAGS = {"scaleout:stack": "demo", "scaleout:managed-by": "scaleout.webtier"}
TG_ARN = "arn:aws:elasticloadbalancing:r:1:targetgroup/demo-tg/1"
PROFILE_ARN = "arn:aws:iam::1:instance-profile/scaleout/demo-web"


def boto_tags(tags, propagate=None):
    return [dict({"Key": k, "Value": v}, **({"PropagateAtLaunch": propagate} if propagate is not None else {}))
            for k, v in tags.items()]


WANTED = {
    "network": {
        "vpc_id": "vpc-1",
        "security_groups": [
            {"name": "demo-alb", "description": "d", "tags": dict(TAGS, Name="demo-alb"),
             "rules": [{"proto": "tcp", "ports": [80], "cidr_ip": ["0.0.0.0/0"]}]},
            {"name": "demo-web", "description": "d", "tags": dict(TAGS, Name="demo-web"),
             "rules": [{"proto": "tcp", "ports": [8080], "group_name": ["demo-alb"]}]},
        ],
    },
    "load_balancer": {
        "target_group": {"name": "demo-tg", "protocol": "HTTP", "port": 8080, "vpc_id": "vpc-1", "target_type": "instance",
                         "health_check_protocol": "HTTP", "health_check_port": "traffic-port", "health_check_path": "/",
                         "health_check_interval": 15, "health_check_timeout": 5, "healthy_threshold_count": 2,
                         "unhealthy_threshold_count": 2, "successful_response_codes": "200",
                         "deregistration_delay_timeout": 30, "tags": dict(TAGS, Name="demo-tg")},
        "load_balancer": {"name": "demo-alb", "scheme": "internet-facing", "subnet_ids": ["subnet-a", "subnet-b"],
                          "security_group_names": ["demo-alb"], "tags": dict(TAGS, Name="demo-alb"),
                          "listeners": [{"Protocol": "HTTP", "Port": 80,
                                         "DefaultActions": [{"Type": "forward", "TargetGroupArn": _plan.TARGET_GROUP_ARN}]}]},
    },
    "bake": {"image_id": "ami-3", "fingerprint": "f1", "force": False, "keep_images": 3, "image_name_prefix": "demo-web",
             "launch_template_name": "demo-web"},
    "launch_template": {
        "identity": True,
        "role": {"name": "demo-web", "path": "/scaleout/", "description": "role", "tags": TAGS,
                 "trust_policy": {"Version": "2012-10-17",
                                  "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                 "managed_policies": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]},
        "profile": {"name": "demo-web", "role": "demo-web", "tags": TAGS},
        "template": {"name": "demo-web", "version_description": "v", "image_id": "ami-3", "instance_type": "t3.micro",
                     "key_name": "", "security_group_names": ["demo-web"], "instance_profile": "demo-web", "user_data": "",
                     "detailed_monitoring": True, "cpu_credits": "unlimited", "volume_size": None, "volume_type": "gp3",
                     "kms_key_id": "", "instance_tags": dict(TAGS, Name="demo-web"), "tags": dict(TAGS, Name="demo-web")},
    },
    "scaling_group": {
        "name": "demo-asg", "warmup": 120, "refresh": True,
        "group": {"launch_template_name": "demo-web", "launch_template_version": "$Default", "subnet_ids": ["subnet-a", "subnet-b"],
                  "min_size": 1, "max_size": 4, "target_group_arns": [_plan.TARGET_GROUP_ARN], "health_check_type": "ELB",
                  "health_check_grace_period": 120, "default_cooldown": 300, "tags": dict(TAGS, Name="demo-web"),
                  "suspended_processes": None, "metrics_granularity": "1Minute"},
        "policy": {"name": "demo-cpu", "group_name": "demo-asg", "target_value": 50.0, "warmup": 120},
    },
}

TEMPLATE_DATA = {
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3", "Encrypted": True,
                                                                "DeleteOnTermination": True}}],
    "ImageId": "ami-3", "InstanceType": "t3.micro",
    "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1,
                        "HttpProtocolIpv6": "disabled", "InstanceMetadataTags": "disabled"},
    "Monitoring": {"Enabled": True}, "SecurityGroupIds": ["sg-web"],
    "CreditSpecification": {"CpuCredits": "unlimited"},
    "IamInstanceProfile": {"Arn": PROFILE_ARN},
    "TagSpecifications": [{"ResourceType": "instance", "Tags": boto_tags(dict(TAGS, Name="demo-web"))},
                          {"ResourceType": "volume", "Tags": boto_tags(dict(TAGS, Name="demo-web"))}],
}

# What stack_plan reads of a converged stack.
READ = {
    "security_groups": {
        "demo-alb": {"GroupId": "sg-alb", "GroupName": "demo-alb", "Tags": boto_tags(dict(TAGS, Name="demo-alb")),
                     "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        "demo-web": {"GroupId": "sg-web", "GroupName": "demo-web", "Tags": boto_tags(dict(TAGS, Name="demo-web")),
                     "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                        "UserIdGroupPairs": [{"GroupId": "sg-alb", "UserId": "1"}]}]},
    },
    "target_group": {
        "target_group": {"TargetGroupArn": TG_ARN, "Protocol": "HTTP", "Port": 8080, "VpcId": "vpc-1", "TargetType": "instance",
                         "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckPath": "/",
                         "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 2,
                         "UnhealthyThresholdCount": 2, "Matcher": {"HttpCode": "200"}},
        "attributes": {"deregistration_delay.timeout_seconds": "30", "stickiness.enabled": "false"},
        "tags": dict(TAGS, Name="demo-tg"),
    },
    "load_balancer": {
        "load_balancer": {"LoadBalancerArn": "arn:lb", "Scheme": "internet-facing", "SecurityGroups": ["sg-alb"],
                          "AvailabilityZones": [{"SubnetId": "subnet-b"}, {"SubnetId": "subnet-a"}]},
        "listeners": [{"Port": 80, "Protocol": "HTTP", "ListenerArn": "arn:l",
                       "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG_ARN, "Order": 1,
                                           "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG_ARN}]}}]}],
        "tags": dict(TAGS, Name="demo-alb"),
    },
    "images": [{"ImageId": "ami-%d" % n, "State": "available", "CreationDate": "2026-01-0%dT00:00:00.000Z" % n} for n in (1, 2, 3)],
    "bake_instances": [], "bake_security_groups": [],
    "launch_template": {
        "template": {"LaunchTemplateId": "lt-1", "DefaultVersionNumber": 1, "LatestVersionNumber": 1,
                     "Tags": boto_tags(dict(TAGS, Name="demo-web"))},
        "latest": {"VersionNumber": 1, "VersionDescription": "v", "LaunchTemplateData": TEMPLATE_DATA},
        "default": {"VersionNumber": 1, "VersionDescription": "v", "LaunchTemplateData": TEMPLATE_DATA},
    },
    "template_image": {"ImageId": "ami-3", "RootDeviceName": "/dev/xvda",
                       "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}]},
    "role": {"role": {"Path": "/scaleout/", "Description": "role", "Tags": boto_tags(TAGS),
                      "AssumeRolePolicyDocument": WANTED["launch_template"]["role"]["trust_policy"]},
             "policies": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]},
    "instance_profile": {"Arn": PROFILE_ARN, "Roles": [{"RoleName": "demo-web"}], "Tags": boto_tags(TAGS)},
    "group": {
        "AutoScalingGroupName": "demo-asg", "MinSize": 1, "MaxSize": 4, "DesiredCapacity": 2, "DefaultCooldown": 300,
        "LaunchTemplate": {"LaunchTemplateId": "lt-1", "LaunchTemplateName": "demo-web", "Version": "$Default"},
        "VPCZoneIdentifier": "subnet-a,subnet-b", "TargetGroupARNs": [TG_ARN], "HealthCheckType": "ELB",
        "HealthCheckGracePeriod": 120, "DefaultInstanceWarmup": 120, "SuspendedProcesses": [],
        "EnabledMetrics": [{"Metric": m, "Granularity": "1Minute"} for m in GROUP_METRICS],
        "Tags": boto_tags(dict(TAGS, Name="demo-web"), propagate=True),
        "Instances": [{"InstanceId": "i-1", "LaunchTemplate": {"Version": "1"}}],
    },
    "policy": {"AutoScalingGroupName": "demo-asg", "PolicyName": "demo-cpu", "PolicyType": "TargetTrackingScaling",
               "EstimatedInstanceWarmup": 120,
               "TargetTrackingConfiguration": {"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                                               "TargetValue": 50.0, "DisableScaleIn": False}},
    "refreshes_running": [],
}


def plan_of(read=None, wanted=None):
    return _plan.make_plan(wanted or WANTED, read or READ)


def changed(entries):
    return dict((e["resource"], e["changes"]) for e in entries if e["action"] != _plan.NO_CHANGE)


def drifted(path, value):
    """READ with one value replaced (path: keys and indexes)."""
    read = copy.deepcopy(READ)
    target = read
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return read


_DELETE = object()


def test_a_converged_stack_plans_no_change_for_every_resource():
    entries = plan_of()
    assert [e["action"] for e in entries] == [_plan.NO_CHANGE] * len(entries)
    assert len(entries) == 10
    assert not any(_plan.stages_to_run(entries).values())
    assert _plan.table(entries)[-1] == "no changes: the stack matches its settings"


def test_nothing_exists_plans_a_create_for_every_resource():
    read = dict(READ, security_groups={}, target_group=None, load_balancer=None, images=[], launch_template=None,
                template_image=None, role=None, instance_profile=None, group=None, policy=None)
    wanted = copy.deepcopy(WANTED)
    wanted["bake"]["image_id"] = ""
    wanted["launch_template"]["template"]["image_id"] = ""
    entries = plan_of(read, wanted)
    assert [e["action"] for e in entries] == [_plan.CREATE] * len(entries)
    assert all(_plan.stages_to_run(entries).values())


@pytest.mark.parametrize("path, value, resource, change", [
    (("load_balancer", "listeners"), [], "load balancer demo-alb", "listener HTTP 80: missing -> present"),
    (("policy", "TargetTrackingConfiguration", "TargetValue"), 70.0, "scaling policy demo-cpu", "TargetValue: 70.0 -> 50.0"),
    (("group", "TargetGroupARNs"), [], "Auto Scaling group demo-asg", "target groups: [] -> ['%s']" % TG_ARN),
    (("group", "MaxSize"), 6, "Auto Scaling group demo-asg", "max_size: 6 -> 4"),
    (("security_groups", "demo-web", "IpPermissions"), [], "security group demo-web", "ingress tcp 8080 from sg-alb: missing -> present"),
    (("load_balancer", "tags"), TAGS, "load balancer demo-alb", "tag Name: (none) -> demo-alb"),
    (("group", "DefaultInstanceWarmup"), 300, "Auto Scaling group demo-asg", "default instance warmup: 300 -> 120"),
    (("target_group", "attributes", "deregistration_delay.timeout_seconds"), "300", "target group demo-tg",
     "deregistration_delay.timeout_seconds: 300 -> 30"),
    (("target_group", "target_group", "HealthCheckPath"), "/x", "target group demo-tg", "HealthCheckPath: /x -> /"),
    (("role", "policies"), [], "IAM role demo-web", "managed policies: [] ->"),
    (("instance_profile", "Roles"), [], "instance profile demo-web", "role: [] -> ['demo-web']"),
    (("launch_template", "template", "LatestVersionNumber"), 2, "launch template demo-web", "default version: 1 -> 2 (the latest"),
    (("launch_template", "latest", "LaunchTemplateData"), dict(TEMPLATE_DATA, InstanceType="t3.small"), "launch template demo-web",
     "InstanceType: t3.small -> t3.micro"),
    (("launch_template", "latest", "LaunchTemplateData"), dict(TEMPLATE_DATA, KeyName="mine"), "launch template demo-web",
     "KeyName: mine -> (not set)"),
    (("launch_template", "latest", "LaunchTemplateData"), dict(TEMPLATE_DATA, IamInstanceProfile={"Name": "other"}),
     "launch template demo-web", "IamInstanceProfile: {'Name': 'other'} -> {'Name': 'demo-web'}"),
    (("launch_template", "template", "Tags"), boto_tags(TAGS), "launch template demo-web", "tag Name: (none) -> demo-web"),
    (("security_groups", "demo-alb", "Tags"), boto_tags(dict(TAGS, Name="demo-alb", extra="x")), "security group demo-alb",
     "tag extra: x -> (removed)"),
    (("bake_instances",), [{"InstanceId": "i-bake"}], "temporary bake resources", "instance i-bake: present -> (removed)"),
    (("images",), READ["images"] + [{"ImageId": "ami-0", "State": "available", "CreationDate": "2025-01-01T00:00:00.000Z"}],
     "images beyond the newest 3", "image ami-0: present -> (removed)"),
])
def test_each_drift_is_named(path, value, resource, change):
    found = changed(plan_of(drifted(path, value)))
    assert resource in found, found
    assert any(change in line for line in found[resource]), found[resource]


def test_a_drift_names_only_its_resource_and_runs_only_its_stage():
    entries = plan_of(drifted(("group", "MaxSize"), 6))
    assert list(changed(entries)) == ["Auto Scaling group demo-asg"]
    assert _plan.stages_to_run(entries) == {"network": False, "load_balancer": False, "bake": False,
                                            "launch_template": False, "scaling_group": True}


def test_a_template_change_rolls_the_group():
    entries = plan_of(drifted(("launch_template", "latest", "VersionDescription"), "old"))
    assert "instances: the launch template changes -> an instance refresh" in changed(entries)["Auto Scaling group demo-asg"]


def test_an_instance_on_an_older_version_rolls_the_group():
    read = drifted(("group", "Instances"), [{"InstanceId": "i-0", "LaunchTemplate": {"Version": "0"}}])
    assert any("i-0" in c for c in changed(plan_of(read))["Auto Scaling group demo-asg"])


def test_a_new_security_group_makes_its_dependants_change():
    """The instances' group is recreated: the template's SecurityGroupIds cannot be known as equal."""
    read = copy.deepcopy(READ)
    del read["security_groups"]["demo-web"]
    found = changed(plan_of(read))
    assert found.keys() >= {"security group demo-web", "launch template demo-web"}


def test_an_immutable_target_group_setting_is_a_replace():
    entries = plan_of(drifted(("target_group", "target_group", "Port"), 80))
    assert [e["action"] for e in entries if e["resource"] == "target group demo-tg"] == [_plan.REPLACE]


def test_the_rule_and_the_template_comparisons_are_exact():
    # A rule with a description the settings do not give: ec2_security_group changes it.
    permission = READ["security_groups"]["demo-alb"]["IpPermissions"][0]
    described = [dict(permission, IpRanges=[{"CidrIp": "0.0.0.0/0", "Description": "by hand"}])]
    assert "security group demo-alb" in changed(plan_of(drifted(("security_groups", "demo-alb", "IpPermissions"), described)))
    # The module's default for what the role leaves unset (http_protocol_ipv6) is part of the data.
    options = dict(TEMPLATE_DATA["MetadataOptions"])
    del options["HttpProtocolIpv6"]
    assert "launch template demo-web" in changed(plan_of(drifted(("launch_template", "latest", "LaunchTemplateData", "MetadataOptions"), options)))


def test_the_default_version_moved_back_is_named_and_a_newer_other_version_makes_a_new_one():
    read = copy.deepcopy(READ)
    template = read["launch_template"]
    template["template"].update(DefaultVersionNumber=1, LatestVersionNumber=2)
    template["latest"] = dict(template["latest"], VersionNumber=2)
    assert changed(plan_of(read))["launch template demo-web"] == ["default version: 1 -> 2 (the latest, as wanted)"]
    # A newer version with other data, not the default: a new version as wanted becomes the default.
    template["latest"] = dict(template["latest"], LaunchTemplateData=dict(TEMPLATE_DATA, InstanceType="t3.small"))
    expected = ["InstanceType: t3.small -> t3.micro", "default version: 1 -> a new version"]
    assert changed(plan_of(read))["launch template demo-web"] == expected


def test_a_template_made_with_the_profile_arn_or_other_tags_is_no_change():
    """Versions made by amazon.aws.ec2_launch_template name the profile by ARN; tags not wanted stay."""
    read = drifted(("launch_template", "template", "Tags"), boto_tags(dict(TAGS, Name="demo-web", extra="x")))
    assert TEMPLATE_DATA["IamInstanceProfile"] == {"Arn": PROFILE_ARN}
    assert "launch template demo-web" not in changed(plan_of(read))


def test_the_table_lists_each_resource_and_its_changes():
    lines = _plan.table(plan_of(drifted(("group", "MaxSize"), 6)))
    assert any(line.startswith("scaling_group") and line.endswith("update") for line in lines)
    assert any("max_size: 6 -> 4" in line for line in lines)
    assert lines[-1] == "plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 9 unchanged"


def test_https_and_its_redirect_as_aws_describes_them_plan_no_change_and_a_turned_back_listener_is_named():
    # The listeners the role wants with a certificate; DescribeListeners fills in the redirect's
    # unset components and adds ForwardConfig. The plan compares as scaleout.webtier.load_balancer.
    cert = "arn:aws:acm:r:1:certificate/c"
    forward = [{"Type": "forward", "TargetGroupArn": _plan.TARGET_GROUP_ARN}]
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    wanted = copy.deepcopy(WANTED)
    wanted["load_balancer"]["load_balancer"]["listeners"] = [
        {"Protocol": "HTTPS", "Port": 443, "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
         "Certificates": [{"CertificateArn": cert}], "DefaultActions": forward},
        {"Protocol": "HTTP", "Port": 80, "DefaultActions": redirect}]
    read = copy.deepcopy(READ)
    https = dict(read["load_balancer"]["listeners"][0], Port=443, Protocol="HTTPS", ListenerArn="arn:l443",
                 SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06", Certificates=[{"CertificateArn": cert}])
    http = {"Port": 80, "Protocol": "HTTP", "ListenerArn": "arn:l80",
            "DefaultActions": [{"Type": "redirect", "Order": 1, "RedirectConfig": {
                "Protocol": "HTTPS", "Port": "443", "Host": "#{host}", "Path": "/#{path}", "Query": "#{query}", "StatusCode": "HTTP_301"}}]}
    read["load_balancer"]["listeners"] = [https, http]
    assert changed(plan_of(read, wanted)) == {}
    # The HTTP listener forwarding again (the certificate taken away by hand): named as a change.
    read["load_balancer"]["listeners"] = [https, dict(http, DefaultActions=https["DefaultActions"])]
    assert changed(plan_of(read, wanted)) == {"load balancer demo-alb": [
        "listener 80: default actions: forward %s -> redirect HTTPS" % TG_ARN]}


def test_a_refresh_is_read_for_unless_every_instance_is_in_service_on_the_default_version():
    group = dict(READ["group"], DesiredCapacity=2, Instances=[
        {"InstanceId": "i-%d" % n, "LifecycleState": "InService", "LaunchTemplate": {"Version": "1"}} for n in (1, 2)])
    template = READ["launch_template"]
    assert not _plan.refresh_may_run(group, template)
    for instance_change in ({"LifecycleState": "Pending"}, {"LifecycleState": "Terminating"}, {"LaunchTemplate": {"Version": "2"}}):
        moving = copy.deepcopy(group)
        moving["Instances"][1].update(instance_change)
        assert _plan.refresh_may_run(moving, template), instance_change
    assert _plan.refresh_may_run(dict(group, DesiredCapacity=3), template)
    assert _plan.refresh_may_run(group, None)


def test_has_tags_wants_every_tag_with_its_value():
    resource = {"Tags": boto_tags({"scaleout:stack": "demo", "scaleout:role": "bake-temporary"})}
    assert _plan.has_tags(resource, {"scaleout:stack": "demo", "scaleout:role": "bake-temporary"})
    assert not _plan.has_tags(resource, {"scaleout:stack": "demo2"})
    assert not _plan.has_tags({"Tags": []}, {"scaleout:stack": "demo"})


def test_the_bake_image_is_the_newest_available_image_with_the_fingerprint():
    def image(image_id, day, fingerprint, state="available"):
        return {"ImageId": image_id, "State": state, "CreationDate": "2026-01-0%dT00:00:00.000Z" % day,
                "Tags": boto_tags({"scaleout:stack": "demo", "scaleout:fingerprint": fingerprint})}
    images = [image("ami-old", 1, "f1"), image("ami-new", 3, "f1"), image("ami-pending", 4, "f1", "pending"), image("ami-other", 5, "f2")]
    assert _plan.fingerprint_image(images, "f1") == "ami-new"
    assert _plan.fingerprint_image(images, "f3") == ""


def test_the_bake_image_placeholder_is_resolved_in_the_bake_and_the_template_only():
    wanted = copy.deepcopy(WANTED)
    wanted["bake"]["image_id"] = _plan.BAKE_IMAGE
    wanted["launch_template"]["template"]["image_id"] = _plan.BAKE_IMAGE
    resolved = _plan.resolve_bake_image(wanted, "ami-9")
    assert resolved["bake"]["image_id"] == "ami-9" and resolved["launch_template"]["template"]["image_id"] == "ami-9"
    assert wanted["bake"]["image_id"] == _plan.BAKE_IMAGE  # a copy: the caller's settings stay as given
    given = _plan.resolve_bake_image(WANTED, "ami-9")
    assert given["bake"]["image_id"] == WANTED["bake"]["image_id"]
    assert given["launch_template"]["template"]["image_id"] == WANTED["launch_template"]["template"]["image_id"]


def test_what_an_interrupted_bake_left_is_named_by_id_for_the_converge():
    read = dict(READ, bake_instances=[{"InstanceId": "i-2"}, {"InstanceId": "i-1"}], bake_security_groups=[{"GroupId": "sg-t"}],
                images=READ["images"] + [{"ImageId": "ami-p", "State": "pending"}, {"ImageId": "ami-x", "State": "deregistered"}])
    assert _plan.bake_leftovers(read) == {"instance_ids": ["i-1", "i-2"], "security_group_ids": ["sg-t"], "image_ids": ["ami-p"]}
    assert _plan.bake_leftovers(READ) == {"instance_ids": [], "security_group_ids": [], "image_ids": []}


def test_the_retention_inputs_are_the_available_images_and_the_template_image():
    read = dict(READ, images=READ["images"] + [{"ImageId": "ami-p", "State": "pending"}])
    inputs = _plan.bake_retention_inputs(read)
    assert inputs["images"] == [{"image_id": "ami-%d" % n, "creation_date": "2026-01-0%dT00:00:00.000Z" % n} for n in (1, 2, 3)]
    assert inputs["template_image_id"] == TEMPLATE_DATA["ImageId"]
    assert _plan.bake_retention_inputs(dict(READ, launch_template=None))["template_image_id"] == ""


def test_the_plan_hands_the_bake_its_leftovers_and_retention_inputs():
    read = dict(READ, bake_security_groups=[{"GroupId": "sg-t"}], bake_image_id="ami-3")
    published = stack_plan.outputs(read, WANTED)
    assert published["bake_leftovers"] == {"instance_ids": [], "security_group_ids": ["sg-t"], "image_ids": []}
    assert [i["image_id"] for i in published["bake_retention"]["images"]] == ["ami-1", "ami-2", "ami-3"]
