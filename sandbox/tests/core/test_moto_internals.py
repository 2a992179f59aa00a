"""Pins on the moto internals the sandbox extends (moto 5.2.5), checked in-process on unpatched moto.

If a moto upgrade moves or changes any of these, this file fails with a pointer to the patch that
needs attention, instead of the simulation misbehaving at run time. The "gap still present" tests
fail when moto fixes a gap itself: then the sandbox's patch for it can go.
"""

import importlib
import inspect

import boto3
import pytest
from moto import mock_aws

from scaleout_sandbox import services
from scaleout_sandbox.core import registry

services.load_patches()

REGION = "ap-northeast-2"


def params(function):
    return list(inspect.signature(function).parameters)


def test_moto_version_is_the_pinned_one():
    import moto

    assert moto.__version__ == "5.2.5", "the sandbox's patches (sandbox/scaleout_sandbox/services/*/*_patches.py) were written against moto 5.2.5"


# What the sandbox calls on moto without patching it (the patched attributes are pinned by the
# registry itself: core/registry.py fails on a target that is gone, test_registry.py checks it).
RELIED_ON = [
    ("moto.ec2.models.launch_templates", "LaunchTemplateBackend", "get_launch_template"),
    ("moto.ec2.models.launch_templates", "LaunchTemplateBackend", "get_launch_template_by_name"),
]


@pytest.mark.parametrize("patch", registry.entries(), ids=lambda p: p.name)
def test_every_patched_attribute_exists(patch):
    patch.original()


@pytest.mark.parametrize("module,cls,attribute", RELIED_ON, ids=[".".join(t[1:]) for t in RELIED_ON])
def test_every_attribute_called_exists(module, cls, attribute):
    holder = getattr(importlib.import_module(module), cls)
    assert callable(holder.__dict__[attribute])


def test_what_the_iam_enforcement_patch_relies_on():
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.responses import BaseResponse
    from moto.iam.access_control import IAMPolicy, IAMRequest, IAMRequestBase, IAMUserAccessKey

    # moto's switch: compared, per request, with a process-wide counter of unchecked requests.
    assert settings.INITIAL_NO_AUTH_ACTION_COUNT == float("inf")  # off unless the environment says otherwise
    source = inspect.getsource(ActionAuthenticatorMixin._authenticate_and_authorize_action)
    assert ">= settings.INITIAL_NO_AUTH_ACTION_COUNT" in source and "request_count += 1" in source
    assert "iam_request.check_signature()" in source and "iam_request.check_action_permitted(resource)" in source
    # call_action checks before dispatching, and answers an HTTPException with its description and code.
    source = inspect.getsource(BaseResponse.call_action)
    assert "self._authenticate_and_authorize_normal_action(resource)" in source
    assert "response = http_error.description, {\"status\": http_error.code}" in source
    # what check_action_permitted (replaced) reads and calls
    init = inspect.getsource(IAMRequestBase.__init__)
    assert 'self._action = (\n            f"{self._service}:' in init and "self._headers = headers" in init
    assert callable(IAMRequestBase._is_assuming_role_operation) and callable(IAMRequestBase._check_role_trust_relationship)
    assert callable(IAMUserAccessKey.collect_policies) and isinstance(IAMUserAccessKey.arn, property)
    assert IAMPolicy('{"Statement": []}')._policy_json == {"Statement": []}
    assert "self._raise_access_denied()" in inspect.getsource(IAMRequestBase.check_action_permitted)
    assert IAMRequest._raise_access_denied is not IAMRequestBase._raise_access_denied
    # the request's parameters, in the API's shape (enforcement_patches.request_parameters): moto's
    # own parser from the botocore model, on the request it keeps; the services that parse that way
    # keep the result in .params
    assert params(BaseResponse.parse_parameters) == ["self", "request"]
    assert "self.params = " in inspect.getsource(BaseResponse.parse_parameters)
    assert "self.normalized_request = request" in inspect.getsource(BaseResponse.setup_class)
    from moto.ec2.responses import EC2Response

    assert "self.automated_parameter_parsing = True" in inspect.getsource(EC2Response.__init__)


@mock_aws
def test_iam_gaps_still_present_in_moto_enforcement():
    """What moto 5.2.5 does with identity policies, unpatched (the sandbox decides differently, see
    iampolicy.py): resource ARNs never match (moto checks "*" for all but a few IAM/STS actions);
    conditions are ignored, so an Allow with one grants and a Deny with one denies always; the
    CloudWatch action prefix is the signing name "monitoring"; EC2 refusals say AccessDenied."""
    import json

    from botocore.exceptions import ClientError
    from moto.core.authorization import enable_iam_authentication

    iam = boto3.client("iam", REGION)
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:DescribeSecurityGroups", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/Stack": "web"}}},
        {"Effect": "Allow", "Action": "ec2:DescribeImages", "Resource": "arn:aws:ec2:*::image/*"},
        {"Effect": "Allow", "Action": "ec2:DescribeSubnets", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:DescribeSubnets", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:ResourceTag/Stack": "web"}}},
        {"Effect": "Allow", "Action": ["cloudwatch:DescribeAlarms", "monitoring:ListMetrics", "ec2:RunInstances"],
         "Resource": "*"},
    ]}))
    key = iam.create_access_key(UserName="u")["AccessKey"]

    def client(service):
        return boto3.client(service, REGION, aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"])

    def refused(call):
        with pytest.raises(ClientError) as caught:
            call()
        return caught.value.response["Error"]["Code"]

    with enable_iam_authentication():
        ec2, cloudwatch = client("ec2"), client("cloudwatch")
        ec2.describe_security_groups()
        assert refused(lambda: ec2.describe_images(Owners=["self"])) == "AccessDenied"
        assert refused(lambda: ec2.describe_subnets()) == "AccessDenied"
        assert refused(lambda: ec2.describe_vpcs()) == "AccessDenied"
        assert refused(lambda: cloudwatch.describe_alarms()) == "403"  # an XML body botocore's JSON parser cannot read
        cloudwatch.list_metrics()
        assert client("sts").get_caller_identity()["Arn"].endswith(":user/u")


def test_signatures_the_wrappers_call_through():
    from moto.autoscaling.models import AutoScalingBackend, InstanceState
    from moto.cloudwatch.models import Alarm, CloudWatchBackend, MetricDatum
    from moto.ec2.models.amis import AmiBackend
    from moto.ec2.models.instance_types import InstanceTypeOfferingBackend
    from moto.ec2.models.instances import InstanceBackend
    from moto.ec2.models.launch_templates import LaunchTemplateBackend
    from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup
    from moto.ssm.models import SimpleSystemManagerBackend

    assert params(InstanceBackend.run_instances) == ["self", "image_id", "count", "user_data", "security_group_names", "kwargs"]
    assert params(InstanceBackend.terminate_instances) == ["self", "instance_ids"]
    assert params(LaunchTemplateBackend.create_launch_template) == ["self", "name", "description", "template_data", "tag_spec"]
    assert params(AmiBackend.create_image) == ["self", "instance_id", "name", "description", "tag_specifications"]
    assert params(InstanceTypeOfferingBackend.describe_instance_type_offerings) == ["self", "location_type", "filters"]
    assert params(FakeTargetGroup.health_for) == ["self", "target", "ec2_backend"]
    assert params(ELBv2Backend.describe_target_health) == ["self", "target_group_arn", "targets"]
    assert params(FakeHealthStatus.__init__)[:7] == ["self", "instance_id", "port", "health_port", "status", "reason", "description"]
    assert params(Alarm.update_state) == ["self", "reason", "reason_data", "state_value"]
    assert params(CloudWatchBackend.put_metric_alarm)[:2] == ["self", "name"]
    assert params(MetricDatum.__init__) == ["self", "namespace", "name", "value", "dimensions", "timestamp", "unit"]
    assert {"instance_ids", "targets"} <= set(params(SimpleSystemManagerBackend.send_command))
    assert params(AutoScalingBackend.put_scaling_policy)[:6] == ["self", "name", "policy_type", "metric_aggregation_type",
                                                                 "adjustment_type", "as_name"]
    assert params(InstanceState.__init__) == ["self", "instance", "lifecycle_state", "health_status",
                                              "protected_from_scale_in", "autoscaling_group"]


def test_the_clock_patch_targets():
    import moto.core.utils as core_utils
    import moto.ec2.models.instances as instances

    assert callable(core_utils.utcnow)
    assert instances.utcnow is core_utils.utcnow  # bound by name: the sweep rebinds such copies
    source = inspect.getsource(core_utils.unix_time)
    assert "utcnow()" in source  # follows the patched global


def test_response_dispatch_finds_methods_added_to_a_response_class():
    from moto.core.responses import BaseResponse

    source = inspect.getsource(BaseResponse.call_action)
    assert "method_names_from_class(self.__class__)" in source


@mock_aws
def test_object_attributes_the_engine_reads():
    ec2 = boto3.client("ec2", REGION)
    asg = boto3.client("autoscaling", REGION)
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.create_launch_template(LaunchTemplateName="tpl", LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
    asg.create_auto_scaling_group(AutoScalingGroupName="g", MinSize=1, MaxSize=2, DesiredCapacity=1,
                                  LaunchTemplate={"LaunchTemplateName": "tpl"}, VPCZoneIdentifier=",".join(subnets))
    from moto.autoscaling.models import autoscaling_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    group = autoscaling_backends[DEFAULT_ACCOUNT_ID][REGION].autoscaling_groups["g"]
    for attribute in ("instance_states", "desired_capacity", "min_size", "max_size", "vpc_zone_identifier",
                      "ec2_launch_template", "launch_template_version", "launch_config", "target_group_arns",
                      "suspended_processes", "metrics", "health_check_type", "health_check_grace_period",
                      "default_cooldown", "new_instances_protected_from_scale_in", "account_id", "region", "arn"):
        assert hasattr(group, attribute), attribute
    assert callable(group.get_propagated_tags) and callable(group._set_launch_configuration)
    state = group.instance_states[0]
    instance = state.instance
    for attribute in ("_state", "monitoring_state", "placement", "subnet_id", "launch_time", "root_device_name",
                      "get_block_device_mapping", "instance_type", "ec2_backend"):
        assert hasattr(instance, attribute), attribute
    assert state.lifecycle_state == "InService"


# ------------------------------------------------------------------ the gaps are still moto's


@mock_aws
def test_gap_still_present_group_instances_all_in_the_first_subnet():
    ec2 = boto3.client("ec2", REGION)
    asg = boto3.client("autoscaling", REGION)
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.create_launch_template(LaunchTemplateName="tpl", LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
    asg.create_auto_scaling_group(AutoScalingGroupName="g", MinSize=4, MaxSize=4, DesiredCapacity=4,
                                  LaunchTemplate={"LaunchTemplateName": "tpl"},
                                  VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets))
    zones = {i["AvailabilityZone"] for i in asg.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]}
    assert len(zones) == 1
    assert asg.describe_scaling_activities(AutoScalingGroupName="g")["Activities"] == []


@mock_aws
def test_gap_still_present_launch_template_tags_leak():
    ec2 = boto3.client("ec2", REGION)
    ec2.create_launch_template(LaunchTemplateName="tpl", LaunchTemplateData={"InstanceType": "t3.micro"},
                               TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "a", "Value": "b"}]}])
    data = ec2.describe_launch_template_versions(LaunchTemplateName="tpl")["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert data.get("TagSpecifications")


def test_gap_still_present_missing_operations():
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.ssm.responses import SimpleSystemManagerResponse

    for cls, names in ((AutoScalingResponse, ("disable_metrics_collection", "start_instance_refresh",
                                              "describe_instance_refreshes", "cancel_instance_refresh")),
                       (CloudWatchResponse, ("describe_alarm_history",)),
                       (SimpleSystemManagerResponse, ("list_command_invocations", "cancel_command",
                                                      "describe_instance_information"))):
        for name in names:
            assert not hasattr(cls, name), f"moto now implements {cls.__name__}.{name}: review the sandbox's version"
