"""What the converge built, read back through the AWS API (not through the roles' own facts)."""

import pytest


def tagged(tags, stack):
    return {t["Key"]: t["Value"] for t in tags}.get("scaleout:stack") == stack


@pytest.fixture(scope="module")
def group(aws, stack):
    groups = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[stack + "-asg"])["AutoScalingGroups"]
    assert len(groups) == 1, "no Auto Scaling group %s-asg" % stack
    return groups[0]


@pytest.fixture(scope="module")
def security_groups(aws, stack):
    groups = aws("ec2").describe_security_groups(Filters=[{"Name": "tag:scaleout:stack", "Values": [stack]}])["SecurityGroups"]
    return {g["GroupName"]: g for g in groups}


@pytest.fixture(scope="module")
def template_data(aws, group):
    ec2 = aws("ec2")
    name = group["LaunchTemplate"]["LaunchTemplateName"]
    default = ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"][0]["DefaultVersionNumber"]
    version = ec2.describe_launch_template_versions(LaunchTemplateName=name, Versions=[str(default)])
    return version["LaunchTemplateVersions"][0]["LaunchTemplateData"]


def test_group_spans_at_least_two_zones_with_its_sizes(group, stack):
    assert len(set(group["AvailabilityZones"])) >= 2
    assert len(group["VPCZoneIdentifier"].split(",")) == len(group["AvailabilityZones"])
    assert (group["MinSize"], group["MaxSize"]) == (1, 4)
    assert group["MinSize"] <= group["DesiredCapacity"] <= group["MaxSize"]
    assert group["LaunchTemplate"]["LaunchTemplateName"] == stack + "-web"
    assert group["HealthCheckType"] == "ELB"
    assert tagged(group["Tags"], stack)


def test_group_is_attached_to_the_stack_target_group(aws, group, stack):
    target_groups = aws("elbv2").describe_target_groups(Names=[stack + "-tg"])["TargetGroups"]
    assert group["TargetGroupARNs"] == [target_groups[0]["TargetGroupArn"]]
    assert target_groups[0]["HealthCheckPath"] == "/"
    assert target_groups[0]["Port"] == 80


def test_metrics_collection_is_on_every_minute(group):
    enabled = {m["Metric"]: m["Granularity"] for m in group["EnabledMetrics"]}
    assert "GroupInServiceInstances" in enabled and "GroupDesiredCapacity" in enabled
    assert set(enabled.values()) == {"1Minute"}


def test_target_tracking_policy_on_average_cpu(aws, group):
    policies = aws("autoscaling").describe_policies(AutoScalingGroupName=group["AutoScalingGroupName"])["ScalingPolicies"]
    assert [p["PolicyType"] for p in policies] == ["TargetTrackingScaling"]
    config = policies[0]["TargetTrackingConfiguration"]
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ASGAverageCPUUtilization"
    assert config["TargetValue"] == 50.0
    assert policies[0]["EstimatedInstanceWarmup"] > 0


def test_listener_forwards_http_to_the_target_group(aws, group, stack):
    elbv2 = aws("elbv2")
    alb = elbv2.describe_load_balancers(Names=[stack + "-alb"])["LoadBalancers"][0]
    assert alb["Scheme"] == "internet-facing"
    assert len({z["ZoneName"] for z in alb["AvailabilityZones"]}) >= 2
    listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert [(l["Protocol"], l["Port"]) for l in listeners] == [("HTTP", 80)]
    action = listeners[0]["DefaultActions"][0]
    assert action["Type"] == "forward"
    assert action["TargetGroupArn"] == group["TargetGroupARNs"][0]


def test_instances_accept_the_app_port_from_the_load_balancer_only(security_groups, stack):
    alb, web = security_groups[stack + "-alb"], security_groups[stack + "-web"]
    assert len(web["IpPermissions"]) == 1, web["IpPermissions"]
    rule = web["IpPermissions"][0]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 80, 80)
    assert rule.get("IpRanges", []) == [] and rule.get("Ipv6Ranges", []) == []
    assert [p["GroupId"] for p in rule["UserIdGroupPairs"]] == [alb["GroupId"]]


def test_no_security_group_of_the_stack_opens_ssh(security_groups):
    for group in security_groups.values():
        for rule in group["IpPermissions"]:
            assert not (rule.get("FromPort", 0) <= 22 <= rule.get("ToPort", 65535) and rule["IpProtocol"] in ("tcp", "-1")), group["GroupName"]


def test_load_balancer_accepts_http_from_the_world(security_groups, stack):
    rules = security_groups[stack + "-alb"]["IpPermissions"]
    assert [(r["FromPort"], [c["CidrIp"] for c in r["IpRanges"]]) for r in rules] == [(80, ["0.0.0.0/0"])]


def test_template_requires_imdsv2_and_encrypts_the_root_volume(template_data):
    options = template_data["MetadataOptions"]
    assert options["HttpTokens"] == "required"
    assert options["HttpPutResponseHopLimit"] == 1
    assert template_data["Monitoring"]["Enabled"] is True
    volumes = [m["Ebs"] for m in template_data["BlockDeviceMappings"]]
    assert volumes and all(v["Encrypted"] for v in volumes)


def test_template_tags_instances_and_volumes_with_the_stack(template_data, stack):
    kinds = {spec["ResourceType"]: spec["Tags"] for spec in template_data["TagSpecifications"]}
    assert tagged(kinds["instance"], stack) and tagged(kinds["volume"], stack)


def test_every_instance_of_the_group_carries_the_stack_tag(aws, group, stack):
    ids = [i["InstanceId"] for i in group["Instances"]]
    assert ids, "the group has no instances"
    reservations = aws("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    for instance in (i for r in reservations for i in r["Instances"]):
        assert tagged(instance["Tags"], stack), instance["InstanceId"]


def test_new_instances_warm_up_before_they_count(group):
    assert group.get("DefaultInstanceWarmup") == 120


def _group_instances(aws, group):
    ids = [i["InstanceId"] for i in group["Instances"]]
    reservations = aws("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    return [i for r in reservations for i in r["Instances"]]


def test_instances_require_imdsv2(aws, group):
    for instance in _group_instances(aws, group):
        assert instance["MetadataOptions"]["HttpTokens"] == "required", instance["InstanceId"]
        assert instance["MetadataOptions"]["HttpPutResponseHopLimit"] == 1


def test_instance_volumes_are_encrypted(aws, group):
    instances = _group_instances(aws, group)
    volume_ids = [m["Ebs"]["VolumeId"] for i in instances for m in i.get("BlockDeviceMappings", [])]
    assert volume_ids
    for volume in aws("ec2").describe_volumes(VolumeIds=volume_ids)["Volumes"]:
        assert volume["Encrypted"], volume["VolumeId"]


def test_instances_spread_over_zones(group):
    if len(group["Instances"]) >= 2:
        assert len({i["AvailabilityZone"] for i in group["Instances"]}) >= 2


def test_the_baked_image_is_the_template_image(aws, template_data, stack):
    images = aws("ec2").describe_images(ImageIds=[template_data["ImageId"]])["Images"]
    tags = {t["Key"]: t["Value"] for t in images[0].get("Tags", [])}
    assert tags.get("scaleout:stack") == stack and len(tags.get("scaleout:fingerprint", "")) == 16
    snapshots = [m["Ebs"]["SnapshotId"] for m in images[0]["BlockDeviceMappings"] if "Ebs" in m]
    for snapshot in aws("ec2").describe_snapshots(SnapshotIds=snapshots)["Snapshots"]:
        assert snapshot["Encrypted"]
        assert {t["Key"]: t["Value"] for t in snapshot.get("Tags", [])}.get("scaleout:fingerprint") == tags["scaleout:fingerprint"]


def test_no_temporary_bake_resource_is_left(aws, stack):
    ec2 = aws("ec2")
    temp = [{"Name": "tag:scaleout:role", "Values": ["bake-temporary"]}]
    live = [i for r in ec2.describe_instances(Filters=temp)["Reservations"] for i in r["Instances"]
            if i["State"]["Name"] not in ("terminated", "shutting-down")]
    assert live == []
    assert ec2.describe_security_groups(Filters=temp)["SecurityGroups"] == []


def test_instances_get_the_stack_role_allowing_ssm_only(aws, template_data, stack):
    profile = template_data["IamInstanceProfile"]  # the module stores the profile's ARN
    assert (profile.get("Name") or profile["Arn"].rsplit("/", 1)[-1]) == stack + "-web"
    iam = aws("iam")
    role = iam.get_role(RoleName=stack + "-web")["Role"]
    assert role["Path"] == "/scaleout/"
    attached = iam.list_attached_role_policies(RoleName=stack + "-web")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonSSMManagedInstanceCore"]
    assert iam.list_role_policies(RoleName=stack + "-web")["PolicyNames"] == []
