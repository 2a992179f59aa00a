"""The glue of stack_resources_info, autoscaling_warmup, source_image_info and
instance_type_offerings_info against stubbed clients."""

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import
from module_harness import at

from ansible_collections.scaleout.webtier.plugins.modules import autoscaling_warmup
from ansible_collections.scaleout.webtier.plugins.modules import instance_type_offerings_info
from ansible_collections.scaleout.webtier.plugins.modules import source_image_info
from ansible_collections.scaleout.webtier.plugins.modules import stack_resources_info
from ansible_collections.scaleout.webtier.plugins.modules import vpc_info

STACK = "demo"
TAG = [{"Key": "scaleout:stack", "Value": STACK}]
OTHER = [{"Key": "scaleout:stack", "Value": "demo2"}]
LB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/demo-alb/1"
LB2 = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/demo2-alb/2"


def test_the_stack_is_listed_by_its_tag_across_services(aws, run):
    tag_filter = [{"Name": "tag:scaleout:stack", "Values": [STACK]}]
    aws["autoscaling"].add_response("describe_auto_scaling_groups", {"AutoScalingGroups": []}, {"Filters": tag_filter})
    ec2 = aws["ec2"]
    ec2.add_response("describe_instances", {"Reservations": [{"Instances": [
        {"InstanceId": "i-1", "State": {"Name": "terminated", "Code": 48}, "Tags": TAG}]}]}, {"Filters": tag_filter})
    ec2.add_response("describe_security_groups", {"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "demo-web", "Tags": TAG}]},
                     {"Filters": tag_filter})
    ec2.add_response("describe_launch_templates", {"LaunchTemplates": []}, {"Filters": tag_filter})
    ec2.add_response("describe_images", {"Images": []}, {"Owners": ["self"], "Filters": tag_filter})
    ec2.add_response("describe_snapshots", {"Snapshots": []}, {"OwnerIds": ["self"], "Filters": tag_filter})
    ec2.add_response("describe_volumes", {"Volumes": []}, {"Filters": tag_filter})
    elbv2 = aws["elbv2"]
    elbv2.add_response("describe_load_balancers", {"LoadBalancers": [
        {"LoadBalancerArn": LB, "LoadBalancerName": "demo-alb", "State": {"Code": "active"}},
        {"LoadBalancerArn": LB2, "LoadBalancerName": "demo2-alb", "State": {"Code": "active"}}]}, {})
    # Only the stack tag counts: demo2-alb, whose name starts alike, is another stack's.
    elbv2.add_response("describe_tags", {"TagDescriptions": [{"ResourceArn": LB, "Tags": TAG}, {"ResourceArn": LB2, "Tags": OTHER}]},
                       {"ResourceArns": [LB, LB2]})
    elbv2.add_response("describe_target_groups", {"TargetGroups": []}, {})
    aws["iam"].add_response("list_roles", {"Roles": [
        {"RoleName": "demo-web", "Path": "/scaleout/", "RoleId": "AROA1234567890123456", "Arn": "arn:aws:iam::123456789012:role/scaleout/demo-web",
         "CreateDate": at("2026-11-30T12:00:00Z")}]}, {"PathPrefix": "/scaleout/"})
    aws["iam"].add_response("list_role_tags", {"Tags": TAG}, {"RoleName": "demo-web"})
    failed, result = run(stack_resources_info, {"stack_name": STACK})
    assert not failed, result
    assert [r["id"] for r in result["resources"]["load_balancers"]] == [LB]
    assert result["resources"]["instances"][0]["state"] == "terminated"
    assert set(result["remaining"]) == {"load_balancers", "iam_roles", "security_groups"}  # the terminated instance does not count
    assert result["total"] == 3 and LB in result["message"] and LB2 not in result["message"]
    aws.done()


def test_an_access_error_names_the_stack(aws, run):
    aws["autoscaling"].add_client_error("describe_auto_scaling_groups", service_error_code="AccessDenied", http_status_code=403)
    failed, result = run(stack_resources_info, {"stack_name": STACK})
    assert failed and result["msg"].startswith("Unable to list the resources of stack demo")


def warmup_group(warmup):
    group = {"AutoScalingGroupName": "demo-asg", "MinSize": 1, "MaxSize": 2, "DesiredCapacity": 1, "DefaultCooldown": 300,
             "AvailabilityZones": ["eu-west-1a"], "HealthCheckType": "EC2", "CreatedTime": at("2026-11-30T12:00:00Z")}
    if warmup is not None:
        group["DefaultInstanceWarmup"] = warmup
    return {"AutoScalingGroups": [group]}


def test_the_same_warmup_makes_no_write_call(aws, run):
    aws["autoscaling"].add_response("describe_auto_scaling_groups", warmup_group(120), {"AutoScalingGroupNames": ["demo-asg"]})
    failed, result = run(autoscaling_warmup, {"name": "demo-asg", "warmup": 120})
    assert not failed and not result["changed"]
    aws.done()


def test_a_new_warmup_is_written_once(aws, run):
    aws["autoscaling"].add_response("describe_auto_scaling_groups", warmup_group(None))
    aws["autoscaling"].add_response("update_auto_scaling_group", {}, {"AutoScalingGroupName": "demo-asg", "DefaultInstanceWarmup": 120})
    failed, result = run(autoscaling_warmup, {"name": "demo-asg", "warmup": 120})
    assert not failed and result["changed"] and result["previous"] is None
    aws.done()


def test_check_mode_writes_nothing_even_for_a_group_yet_to_come(aws, run):
    aws["autoscaling"].add_response("describe_auto_scaling_groups", {"AutoScalingGroups": []})
    failed, result = run(autoscaling_warmup, {"name": "demo-asg", "warmup": 120}, check_mode=True)
    assert not failed and result["changed"]
    aws.done()


def test_a_warmup_out_of_range_fails_before_any_call(aws, run):
    failed, result = run(autoscaling_warmup, {"name": "demo-asg", "warmup": 4000})
    assert failed and "0 to 3600" in result["msg"] and not aws.requests


IMAGE = {"ImageId": "ami-0870825cefcaafcc8", "Name": "al2023", "State": "available", "CreationDate": "2026-11-01T00:00:00.000Z",
         "Architecture": "x86_64", "RootDeviceName": "/dev/xvda",
         "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": False}}]}


def test_the_default_image_comes_through_the_public_ssm_parameter(aws, run):
    name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    aws["ssm"].add_response("get_parameter", {"Parameter": {"Name": name, "Value": IMAGE["ImageId"]}}, {"Name": name})
    aws["ec2"].add_response("describe_images", {"Images": [IMAGE]}, {"ImageIds": [IMAGE["ImageId"]]})
    failed, result = run(source_image_info, {})
    assert not failed, result
    assert result["image"]["image_id"] == IMAGE["ImageId"] and result["image"]["source"] == "ssm:" + name
    aws.done()


def test_a_missing_parameter_is_named(aws, run):
    aws["ssm"].add_client_error("get_parameter", service_error_code="ParameterNotFound", http_status_code=400)
    failed, result = run(source_image_info, {"ssm_parameter": "/nope"})
    assert failed and result["msg"] == "ssm_parameter=/nope: no such parameter in the region"


def test_a_malformed_image_id_is_named(aws, run):
    aws["ec2"].add_client_error("describe_images", service_error_code="InvalidAMIID.Malformed", http_status_code=400)
    failed, result = run(source_image_info, {"image_id": "ami-zz"})
    assert failed and result["msg"] == "image_id=['ami-zz']: not an AMI id (ami- followed by hex digits)"


def test_an_unknown_image_id_is_not_found_rather_than_an_error(aws, run):
    aws["ec2"].add_client_error("describe_images", service_error_code="InvalidAMIID.NotFound", http_status_code=400)
    failed, result = run(source_image_info, {"image_id": "ami-0123456789abcdef0"})
    assert failed and result["msg"] == "image_id=ami-0123456789abcdef0: no such image visible to this account in the region"


def test_offerings_are_read_by_zone_for_the_types_asked(aws, run):
    aws["ec2"].add_response("describe_instance_type_offerings", {"InstanceTypeOfferings": [
        {"InstanceType": "t3.micro", "LocationType": "availability-zone", "Location": "eu-west-1b"},
        {"InstanceType": "t3.micro", "LocationType": "availability-zone", "Location": "eu-west-1a"}]},
        {"LocationType": "availability-zone", "Filters": [{"Name": "instance-type", "Values": ["t3.micro", "t2.nano2"]}]})
    aws["ec2"].add_response("describe_instance_types", {"InstanceTypes": [
        {"InstanceType": "t3.micro", "VCpuInfo": {"DefaultVCpus": 2}, "FreeTierEligible": True, "Hypervisor": "nitro",
         "BurstablePerformanceSupported": True, "ProcessorInfo": {"SupportedArchitectures": ["x86_64"]}}]},
        {"InstanceTypes": ["t3.micro"]})
    failed, result = run(instance_type_offerings_info, {"instance_types": ["t3.micro", "t2.nano2"]})
    assert not failed, result
    assert result["zones_by_type"] == {"t3.micro": ["eu-west-1a", "eu-west-1b"], "t2.nano2": []}
    assert result["unknown_types"] == ["t2.nano2"]
    # FreeTierEligible as DescribeInstanceTypes says it, for this account and region: never assumed.
    assert result["types"] == {"t3.micro": {"vcpus": 2, "free_tier_eligible": True, "hypervisor": "nitro", "burstable": True,
                                            "architectures": ["x86_64"]}}
    assert result["known"] == {"t3.micro": {"zones": ["eu-west-1a", "eu-west-1b"], "facts": result["types"]["t3.micro"]},
                               "t2.nano2": {"zones": [], "facts": {}}}
    aws.done()


def test_known_types_are_answered_without_a_call_and_only_new_types_are_read(aws, run):
    known = {"t3.micro": {"zones": ["eu-west-1a"], "facts": {"vcpus": 2, "hypervisor": "nitro"}},
             "t2.nano2": {"zones": [], "facts": {}}}
    # Only m5.large is read: the stubbed client fails the test on any other call.
    aws["ec2"].add_response("describe_instance_type_offerings", {"InstanceTypeOfferings": [
        {"InstanceType": "m5.large", "LocationType": "availability-zone", "Location": "eu-west-1c"}]},
        {"LocationType": "availability-zone", "Filters": [{"Name": "instance-type", "Values": ["m5.large"]}]})
    aws["ec2"].add_response("describe_instance_types", {"InstanceTypes": [
        {"InstanceType": "m5.large", "VCpuInfo": {"DefaultVCpus": 2}, "Hypervisor": "nitro"}]}, {"InstanceTypes": ["m5.large"]})
    failed, result = run(instance_type_offerings_info, {"instance_types": ["t3.micro", "t2.nano2", "m5.large"], "known": known})
    assert not failed, result
    assert result["zones_by_type"] == {"t3.micro": ["eu-west-1a"], "t2.nano2": [], "m5.large": ["eu-west-1c"]}
    assert result["unknown_types"] == ["t2.nano2"] and sorted(result["types"]) == ["m5.large", "t3.micro"]
    assert sorted(result["known"]) == ["m5.large", "t2.nano2", "t3.micro"]
    aws.done()
    failed, again = run(instance_type_offerings_info, {"instance_types": ["m5.large"], "known": result["known"]})
    assert not failed and again["zones_by_type"] == {"m5.large": ["eu-west-1c"]}


def test_vpc_info_is_one_describe_vpcs_call_and_reads_no_attribute(aws, run):
    # The stubbed client fails on any call not queued here (DescribeVpcAttribute included).
    aws["ec2"].add_response("describe_vpcs", {"Vpcs": [
        {"VpcId": "vpc-1", "CidrBlock": "172.31.0.0/16", "IsDefault": True, "State": "available", "OwnerId": "123456789012",
         "Tags": [{"Key": "Name", "Value": "default"}]}]}, {"Filters": [{"Name": "is-default", "Values": ["true"]}]})
    failed, result = run(vpc_info, {"filters": {"is-default": "true"}})
    assert not failed, result
    assert result["vpcs"] == [{"vpc_id": "vpc-1", "cidr_block": "172.31.0.0/16", "is_default": True, "state": "available",
                               "owner_id": "123456789012", "tags": {"Name": "default"}}]
    aws.done()
