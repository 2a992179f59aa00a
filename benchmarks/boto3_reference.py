#!/usr/bin/env python3
"""The reference: the same web tier built by a plain boto3 script, as a user would write it by hand.

What it creates (the resources of `playbooks/site.yml`, in the order of the console walkthrough):
the load balancer's and the instances' security groups with their ingress rules; a temporary
security group and instance (trivial user data), an image from it, then the temporary instance and
group removed; a target group; an Application Load Balancer with an HTTP listener; an IAM role and
instance profile with AmazonSSMManagedInstanceCore; a launch template (IMDSv2, encrypted gp3 root
volume, the image, detailed monitoring); an Auto Scaling group over two subnets of the default VPC
in two zones (min 1, max 4, desired 2, ELB health check, the target group, group metrics) with a
CPU target-tracking policy at 50 %; and it waits until the group has 2 InService instances.

It does what a hand-written script does, and no more: no idempotence (run it against an empty
account), no check of its inputs, no cleanup on failure, one step after the other. It waits with
boto3's waiters, or by polling every second where boto3 has none.

Waiting: botocore's waiters poll every 15 s by default (`instance_running`, `image_available`,
`load_balancer_available`, ...). On the sandbox, whose simulated clock makes AWS's minutes into
seconds, a 15 s poll would measure the poll, not the work, so every wait here polls every
`POLL_S` = 1 real second (`WaiterConfig={"Delay": 1}`) - the same as the sandbox inventory's
`bake_poll_interval: 1` for the collection.

    # a smoke test against a running sandbox, then remove what it built
    .venv/bin/python benchmarks/boto3_reference.py --endpoint http://127.0.0.1:4650 --teardown

    from boto3_reference import build, teardown
    ids = build({"region_name": "ap-northeast-2"}, "ref", endpoint_url="http://127.0.0.1:4650")
    teardown({"region_name": "ap-northeast-2"}, "ref", ids, endpoint_url="http://127.0.0.1:4650")

stdlib + boto3 only; nothing in the collection or the sandbox is imported.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time

import boto3

POLL_S = 1
WAITER = {"Delay": POLL_S, "MaxAttempts": 1800}
INSTANCE_TYPE = "t3.micro"
SOURCE_IMAGE_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SSM_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
USER_DATA = """#!/bin/bash
dnf install -y httpd
systemctl enable --now httpd
echo "bake done"
"""
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _clients(session_kwargs: dict, endpoint_url: str | None):
    session = boto3.Session(**session_kwargs)
    extra = {"endpoint_url": endpoint_url} if endpoint_url else {}
    return {name: session.client(name, **extra) for name in ("ec2", "elbv2", "autoscaling", "iam", "ssm")}


def _tags(name: str, resource_name: str) -> list:
    return [{"Key": "Name", "Value": resource_name}, {"Key": "benchmark:stack", "Value": name}]


def build(session_kwargs: dict, name: str, endpoint_url: str | None = None, desired: int = 2,
          timeout_s: float = 1800.0) -> dict:
    """Create the web tier named `name`; return the ids of what it created (see teardown)."""
    c = _clients(session_kwargs, endpoint_url)
    ec2, elbv2, autoscaling, iam, ssm = c["ec2"], c["elbv2"], c["autoscaling"], c["iam"], c["ssm"]
    ids: dict = {"name": name}

    # Where: the default VPC, two of its subnets in two zones that offer the instance type.
    vpc_id = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    offered = {o["Location"] for o in ec2.describe_instance_type_offerings(
        LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [INSTANCE_TYPE]}])["InstanceTypeOfferings"]}
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                            {"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnets = sorted((s for s in subnets if s["AvailabilityZone"] in offered), key=lambda s: s["AvailabilityZone"])[:2]
    subnet_ids = [s["SubnetId"] for s in subnets]
    ids["subnet_ids"] = subnet_ids
    source_image = ssm.get_parameter(Name=SOURCE_IMAGE_PARAMETER)["Parameter"]["Value"]

    # Security groups: HTTP from anywhere to the load balancer, HTTP from the load balancer to the instances.
    alb_sg = ec2.create_security_group(
        GroupName=f"{name}-alb", Description=f"{name} load balancer", VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(name, f"{name}-alb")}])["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=alb_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    web_sg = ec2.create_security_group(
        GroupName=f"{name}-web", Description=f"{name} instances", VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(name, f"{name}-web")}])["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupId": alb_sg}]}])
    ids["security_group_ids"] = [alb_sg, web_sg]

    # The image: a temporary instance with the provisioning script, an image of it, then clean up.
    bake_sg = ec2.create_security_group(
        GroupName=f"{name}-bake", Description=f"{name} temporary bake instance", VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(name, f"{name}-bake")}])["GroupId"]
    source = ec2.describe_images(ImageIds=[source_image])["Images"][0]
    root_device = source["RootDeviceName"]
    root_size = next((m["Ebs"].get("VolumeSize") for m in source.get("BlockDeviceMappings", [])
                      if m.get("DeviceName") == root_device and "Ebs" in m), None) or 8
    bake_instance = ec2.run_instances(
        ImageId=source_image, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1, SubnetId=subnet_ids[0],
        SecurityGroupIds=[bake_sg], UserData=USER_DATA,
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        BlockDeviceMappings=[{"DeviceName": root_device, "Ebs": {"VolumeSize": root_size, "VolumeType": "gp3",
                                                                 "Encrypted": True, "DeleteOnTermination": True}}],
        TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(name, f"{name}-bake")}],
    )["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[bake_instance], WaiterConfig=WAITER)
    image_id = ec2.create_image(
        InstanceId=bake_instance, Name=f"{name}-web-{int(time.time())}", Description=f"{name} web server",
        TagSpecifications=[{"ResourceType": "image", "Tags": _tags(name, f"{name}-web")}])["ImageId"]
    # EC2 is eventually consistent: for a while after CreateImage, DescribeImages may answer
    # InvalidAMIID.NotFound, which botocore's image_available waiter takes as a failure.
    described = time.monotonic() + 120
    while not ec2.describe_images(Filters=[{"Name": "image-id", "Values": [image_id]}])["Images"]:
        if time.monotonic() > described:
            raise RuntimeError(f"{image_id}: not described 120 s after CreateImage")
        time.sleep(1)
    ec2.get_waiter("image_available").wait(ImageIds=[image_id], WaiterConfig=WAITER)
    ids["image_id"] = image_id
    ec2.terminate_instances(InstanceIds=[bake_instance])
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[bake_instance], WaiterConfig=WAITER)
    ec2.delete_security_group(GroupId=bake_sg)

    # Target group, load balancer, HTTP listener.
    tg_arn = elbv2.create_target_group(
        Name=f"{name}-tg", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="instance",
        HealthCheckProtocol="HTTP", HealthCheckPort="traffic-port", HealthCheckPath="/",
        HealthCheckIntervalSeconds=15, HealthCheckTimeoutSeconds=5, HealthyThresholdCount=2,
        UnhealthyThresholdCount=2, Matcher={"HttpCode": "200"}, Tags=_tags(name, f"{name}-tg"),
    )["TargetGroups"][0]["TargetGroupArn"]
    ids["target_group_arn"] = tg_arn
    lb = elbv2.create_load_balancer(
        Name=f"{name}-alb", Subnets=subnet_ids, SecurityGroups=[alb_sg], Scheme="internet-facing",
        Type="application", Tags=_tags(name, f"{name}-alb"))["LoadBalancers"][0]
    ids["load_balancer_arn"] = lb["LoadBalancerArn"]
    ids["load_balancer_dns_name"] = lb["DNSName"]
    elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}])
    elbv2.get_waiter("load_balancer_available").wait(LoadBalancerArns=[lb["LoadBalancerArn"]], WaiterConfig=WAITER)

    # The instances' role and instance profile (SSM only).
    role_name = f"{name}-web"
    iam.create_role(RoleName=role_name, Path="/scaleout/", AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                    Description=f"{name} web tier instances", Tags=_tags(name, role_name))
    iam.attach_role_policy(RoleName=role_name, PolicyArn=SSM_POLICY_ARN)
    iam.create_instance_profile(InstanceProfileName=role_name, Path="/scaleout/")
    iam.add_role_to_instance_profile(InstanceProfileName=role_name, RoleName=role_name)
    iam.get_waiter("instance_profile_exists").wait(InstanceProfileName=role_name, WaiterConfig=WAITER)
    ids["instance_profile"] = role_name

    # The launch template.
    lt_id = ec2.create_launch_template(
        LaunchTemplateName=f"{name}-web", VersionDescription=f"{name} web tier instances",
        LaunchTemplateData={
            "ImageId": image_id, "InstanceType": INSTANCE_TYPE, "SecurityGroupIds": [web_sg],
            "IamInstanceProfile": {"Name": role_name},
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
            "Monitoring": {"Enabled": True},
            "BlockDeviceMappings": [{"DeviceName": root_device, "Ebs": {"VolumeSize": root_size, "VolumeType": "gp3",
                                                                        "Encrypted": True, "DeleteOnTermination": True}}],
            "TagSpecifications": [{"ResourceType": "instance", "Tags": _tags(name, f"{name}-web")},
                                  {"ResourceType": "volume", "Tags": _tags(name, f"{name}-web")}],
            "UserData": base64.b64encode(b"#!/bin/bash\n").decode(),
        },
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": _tags(name, f"{name}-web")}],
    )["LaunchTemplate"]["LaunchTemplateId"]
    ids["launch_template_id"] = lt_id

    # The Auto Scaling group, its metrics, and the CPU target-tracking policy.
    group = f"{name}-asg"
    # A new instance profile is refused for a while ("Invalid IAM Instance Profile name") until IAM
    # has propagated it (the sandbox models it, as AWS documents): retry, as a hand-written script must.
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            autoscaling.create_auto_scaling_group(
                AutoScalingGroupName=group, LaunchTemplate={"LaunchTemplateId": lt_id, "Version": "$Default"},
                MinSize=1, MaxSize=4, DesiredCapacity=desired, VPCZoneIdentifier=",".join(subnet_ids),
                TargetGroupARNs=[tg_arn], HealthCheckType="ELB", HealthCheckGracePeriod=120, DefaultInstanceWarmup=120,
                Tags=[dict(t, PropagateAtLaunch=True, ResourceId=group, ResourceType="auto-scaling-group")
                      for t in _tags(name, f"{name}-web")],
            )
            break
        except autoscaling.exceptions.ClientError as err:
            if "Invalid IAM Instance Profile" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(POLL_S)
    ids["auto_scaling_group"] = group
    autoscaling.enable_metrics_collection(AutoScalingGroupName=group, Granularity="1Minute")
    autoscaling.put_scaling_policy(
        AutoScalingGroupName=group, PolicyName=f"{name}-cpu-target-tracking", PolicyType="TargetTrackingScaling",
        EstimatedInstanceWarmup=120,
        TargetTrackingConfiguration={"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                                     "TargetValue": 50.0})

    # Wait until the group has `desired` instances in service (boto3 has no waiter for this).
    deadline = time.monotonic() + timeout_s
    while True:
        found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]
        in_service = [i["InstanceId"] for i in found["Instances"]
                      if i["LifecycleState"] == "InService" and i["HealthStatus"] == "Healthy"]
        if len(in_service) >= desired:
            ids["instance_ids"] = in_service
            return ids
        if time.monotonic() > deadline:
            raise TimeoutError(f"{group}: {len(in_service)} of {desired} instances in service after {timeout_s:g} s")
        time.sleep(POLL_S)


def teardown(session_kwargs: dict, name: str, ids: dict, endpoint_url: str | None = None, timeout_s: float = 1800.0) -> None:
    """Delete what build() created (ids = its return value): the group first, then the rest."""
    c = _clients(session_kwargs, endpoint_url)
    ec2, elbv2, autoscaling, iam = c["ec2"], c["elbv2"], c["autoscaling"], c["iam"]
    deadline = time.monotonic() + timeout_s
    group = ids.get("auto_scaling_group")
    if group:
        autoscaling.delete_auto_scaling_group(AutoScalingGroupName=group, ForceDelete=True)
        while autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{group} still exists after {timeout_s:g} s")
            time.sleep(POLL_S)
    if ids.get("load_balancer_arn"):
        elbv2.delete_load_balancer(LoadBalancerArn=ids["load_balancer_arn"])
        elbv2.get_waiter("load_balancers_deleted").wait(LoadBalancerArns=[ids["load_balancer_arn"]], WaiterConfig=WAITER)
    if ids.get("target_group_arn"):
        elbv2.delete_target_group(TargetGroupArn=ids["target_group_arn"])
    if ids.get("launch_template_id"):
        ec2.delete_launch_template(LaunchTemplateId=ids["launch_template_id"])
    if ids.get("image_id"):
        image = ec2.describe_images(ImageIds=[ids["image_id"]])["Images"]
        snapshots = [m["Ebs"]["SnapshotId"] for i in image for m in i.get("BlockDeviceMappings", [])
                     if m.get("Ebs", {}).get("SnapshotId")]
        ec2.deregister_image(ImageId=ids["image_id"])
        for snapshot in snapshots:
            ec2.delete_snapshot(SnapshotId=snapshot)
    if ids.get("instance_profile"):
        profile = role = ids["instance_profile"]
        iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
        iam.delete_instance_profile(InstanceProfileName=profile)
        iam.detach_role_policy(RoleName=role, PolicyArn=SSM_POLICY_ARN)
        iam.delete_role(RoleName=role)
    # The instances' group references the load balancer's: delete it first. Retry while terminated
    # instances still hold network interfaces (DependencyViolation).
    for group_id in reversed(ids.get("security_group_ids", [])):
        while True:
            try:
                ec2.delete_security_group(GroupId=group_id)
                break
            except ec2.exceptions.ClientError as err:
                if err.response["Error"]["Code"] != "DependencyViolation" or time.monotonic() > deadline:
                    raise
                time.sleep(POLL_S)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Build the web tier with plain boto3 (the benchmark's reference).")
    parser.add_argument("--endpoint", help="endpoint URL (the sandbox: http://127.0.0.1:PORT); default: AWS")
    parser.add_argument("--region", default="ap-northeast-2")
    parser.add_argument("--name", default="ref")
    parser.add_argument("--access-key", default="sandbox-access-key", help="with --endpoint only (dummy keys)")
    parser.add_argument("--secret-key", default="sandbox-secret-key", help="with --endpoint only (dummy keys)")
    parser.add_argument("--teardown", action="store_true", help="delete everything again after building it")
    args = parser.parse_args(argv)
    if args.endpoint and not args.endpoint.startswith("http://127.0.0.1:"):
        parser.error("--endpoint: only the local sandbox (http://127.0.0.1:PORT) is supported")
    session_kwargs = {"region_name": args.region}
    if args.endpoint:
        session_kwargs.update(aws_access_key_id=args.access_key, aws_secret_access_key=args.secret_key)
    started = time.monotonic()
    ids = build(session_kwargs, args.name, endpoint_url=args.endpoint)
    ids["build_seconds"] = round(time.monotonic() - started, 3)
    if args.teardown:
        started = time.monotonic()
        teardown(session_kwargs, args.name, ids, endpoint_url=args.endpoint)
        ids["teardown_seconds"] = round(time.monotonic() - started, 3)
    print(json.dumps(ids, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
