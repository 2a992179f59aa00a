"""Helpers of the sandbox tests: a sandbox server of a test's own, unique names, a web tier built
through boto3. Imported by name (conftest.py holds only the fixtures; a module named conftest can be
shadowed by another suite's)."""

import socket
import sys
import uuid
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[1]
if str(SANDBOX) not in sys.path:
    sys.path.insert(0, str(SANDBOX))

REGION = "ap-northeast-2"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The shared server runs its simulated clock twice as fast as the default (one simulated minute per
# half a real second) to keep the suite short; nothing in these tests depends on the factor. The
# end-to-end scaling test runs its own server at the default speed.
SHARED_SECONDS_PER_MINUTE = "0.5"


def start_server(directory, seconds_per_minute=None, env=None):
    """A sandbox server of its own. `env`: variables for the server process (None unsets one),
    e.g. {"SCALEOUT_SANDBOX_IAM_ENFORCE": "1"}; this process's environment is untouched."""
    from scaleout_sandbox import ctl
    from scaleout_sandbox.core import clock
    from scaleout_sandbox.client import SandboxClient

    server = ctl.Sandbox(port=free_port(), directory=directory)
    wanted = dict(env or {})
    wanted[clock.SECONDS_PER_MINUTE_ENV] = seconds_per_minute
    server.up(env=wanted)
    client = SandboxClient(ctl.endpoint(server.port))
    client.server = server
    client.defaults = client.delays()
    return client


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Tier:
    """A web tier built through boto3 only: launch template, target group, ALB, Auto Scaling group."""

    def __init__(self, box, name=None, instance_type="t2.micro", detailed=True, subnets=None):
        self.box = box
        self.name = name or unique("web")
        self.ec2 = box.client("ec2")
        self.asg = box.client("autoscaling")
        self.elb = box.client("elbv2")
        self.cw = box.client("cloudwatch")
        self.ssm = box.client("ssm")
        all_subnets = self.ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        self.subnets = subnets or sorted(all_subnets, key=lambda s: s["AvailabilityZone"])
        self.vpc_id = self.subnets[0]["VpcId"]
        self.image_id = linux_image(self.ec2)
        self.instance_type = instance_type
        self.detailed = detailed
        self.tg_arn = None
        self.lb_arn = None

    def launch_template(self, **data):
        template = {"ImageId": self.image_id, "InstanceType": self.instance_type,
                    "Monitoring": {"Enabled": self.detailed}}
        template.update(data)
        self.ec2.create_launch_template(LaunchTemplateName=self.name, LaunchTemplateData=template)
        return self

    def load_balancer(self, interval=10, healthy=2, deregistration_delay=30):
        self.tg_arn = self.elb.create_target_group(
            Name=self.name, Protocol="HTTP", Port=80, VpcId=self.vpc_id, HealthCheckIntervalSeconds=interval,
            HealthyThresholdCount=healthy, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
        self.elb.modify_target_group_attributes(TargetGroupArn=self.tg_arn, Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": str(deregistration_delay)}])
        self.lb_arn = self.elb.create_load_balancer(
            Name=self.name, Subnets=[s["SubnetId"] for s in self.subnets])["LoadBalancers"][0]["LoadBalancerArn"]
        self.elb.create_listener(LoadBalancerArn=self.lb_arn, Protocol="HTTP", Port=80,
                                 DefaultActions=[{"Type": "forward", "TargetGroupArn": self.tg_arn}])
        return self

    def group(self, min_size=1, desired=2, max_size=4, **extra):
        params = dict(AutoScalingGroupName=self.name, MinSize=min_size, MaxSize=max_size, DesiredCapacity=desired,
                      LaunchTemplate={"LaunchTemplateName": self.name, "Version": "$Latest"},
                      VPCZoneIdentifier=",".join(s["SubnetId"] for s in self.subnets))
        if self.tg_arn:
            params["TargetGroupARNs"] = [self.tg_arn]
        params.update(extra)
        self.asg.create_auto_scaling_group(**params)
        return self

    def policy(self, target=50.0, **extra):
        self.asg.put_scaling_policy(
            AutoScalingGroupName=self.name, PolicyName=f"{self.name}-cpu", PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration={"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                                         "TargetValue": target}, **extra)
        return self

    def describe(self):
        groups = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[self.name])["AutoScalingGroups"]
        return groups[0] if groups else None

    def in_service(self):
        group = self.describe()
        return [i["InstanceId"] for i in group["Instances"] if i["LifecycleState"] == "InService"]

    def wait_in_service(self, count, sim_timeout=900):
        return self.box.wait_for(lambda: (ids := self.in_service()) and len(ids) >= count and ids,
                                 sim_timeout, f"{count} InService instances in {self.name}")

    def activities(self):
        paginator = self.asg.get_paginator("describe_scaling_activities")
        return [a for page in paginator.paginate(AutoScalingGroupName=self.name) for a in page["Activities"]]

    def alarms(self):
        return self.cw.describe_alarms(AlarmNamePrefix=f"TargetTracking-{self.name}-")["MetricAlarms"]

    def delete(self):
        try:
            self.asg.delete_auto_scaling_group(AutoScalingGroupName=self.name, ForceDelete=True)
        except Exception:  # noqa: BLE001 - cleanup
            pass


_IMAGES = {}


def linux_image(ec2):
    """A Linux AMI of moto's catalogue (looked up once per server: the catalogue is large)."""
    key = ec2.meta.endpoint_url
    if key not in _IMAGES:
        images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-2023*x86_64"]}])["Images"]
        if not images:
            images = [i for i in ec2.describe_images(Owners=["amazon"])["Images"] if i.get("Platform") != "windows"]
        _IMAGES[key] = sorted(images, key=lambda i: i["ImageId"])[0]["ImageId"]
    return _IMAGES[key]


def run_instance(box, **extra):
    """One t3.micro of a Linux image, launched with RunInstances (extra parameters override)."""
    ec2 = box.client("ec2")
    params = dict(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")
    params.update(extra)
    return ec2.run_instances(**params)["Instances"][0]


def sim_epoch(value):
    return value.timestamp()
