# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: EC2 instances, their types and their console output (the clients retry, see _aws_clients).

Errors other than the "missing" ones each function names propagate as botocore errors, for the
module to report with its own message.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate


def _flatten(reservations):
    return [instance for reservation in reservations for instance in reservation["Instances"]]


def describe_instances(client, filters):
    """Every instance matching EC2 filters (paginated); an unknown id in a filter is simply absent."""
    return _flatten(paginate(client, "describe_instances", Filters=filters)["Reservations"])


def describe_instances_by_id(client, instance_ids):
    """The instances of one DescribeInstances call by id (at most 1000; an unknown id is an error)."""
    return _flatten(client.describe_instances(InstanceIds=instance_ids)["Reservations"])


def instance_state(client, instance_id):
    """(state name, state reason) of an instance, or ("missing", why) when it is not listed."""
    for instance in describe_instances_by_id(client, [instance_id]):
        return instance["State"]["Name"], instance.get("StateReason", {}).get("Message", "")
    return "missing", "the instance does not exist"


def default_vcpus(client, instance_type):
    """The default vCPU count of an instance type (1 when EC2 does not describe it)."""
    info = client.describe_instance_types(InstanceTypes=[instance_type])["InstanceTypes"]
    return info[0]["VCpuInfo"]["DefaultVCpus"] if info else 1


def instance_type_facts(client, instance_types):
    """{instance type: what DescribeInstanceTypes says of it that the collection reports}: vCPUs,
    FreeTierEligible, Hypervisor (``nitro``/``xen``), BurstablePerformanceSupported, the supported
    architectures (paginated)."""
    found = paginate(client, "describe_instance_types", InstanceTypes=list(instance_types)).get("InstanceTypes", [])
    return dict((t["InstanceType"], {
        "vcpus": t.get("VCpuInfo", {}).get("DefaultVCpus"),
        "free_tier_eligible": t.get("FreeTierEligible"),
        "hypervisor": t.get("Hypervisor"),
        "burstable": t.get("BurstablePerformanceSupported"),
        "architectures": t.get("ProcessorInfo", {}).get("SupportedArchitectures", []),
    }) for t in found)


def known_types(zones_by_type, facts):
    """{type: {"zones": [...], "facts": {...}}} of one lookup, the shape instance_type_offerings_info
    keeps across calls (``facts`` empty for a type no zone offers) (pure)."""
    return dict((t, {"zones": sorted(zones), "facts": facts.get(t, {}) if zones else {}}) for t, zones in zones_by_type.items())


def console_output(client, instance_id, latest):
    """(console text, whether to keep asking for the latest output: only Nitro instances offer it)."""
    try:
        result = client.get_console_output(InstanceId=instance_id, Latest=latest)
    except is_boto3_error_code("UnsupportedOperation"):
        return (console_output(client, instance_id, False)[0] if latest else ""), False
    # AWS sends the output base64-encoded; botocore decodes it (its GetConsoleOutput handler).
    return result.get("Output") or "", latest


def zone_offerings(client, filters):
    """DescribeInstanceTypeOfferings by availability zone (paginated)."""
    return paginate(client, "describe_instance_type_offerings", LocationType="availability-zone",
                    Filters=filters)["InstanceTypeOfferings"]


# ----------------------------------------------------------------------- one temporary instance

# Instances that still cost money or hold their network interface (a terminated one does neither).
LIVE_STATES = ("pending", "running", "stopping", "stopped", "shutting-down")


def launch_request(image_id, instance_type, subnet_id, security_group_ids, user_data, root_volume, tags,
                   client_token, instance_profile=None):
    """The RunInstances request of one instance (pure): its tags on the instance and its volumes in
    the call itself, IMDSv2 only, an encrypted gp3 root volume deleted with the instance, terminated
    (not stopped) when it shuts itself down. ``root_volume``: {device_name, size}; ``instance_profile``:
    a profile's name or ARN. ``client_token`` makes a repeated request (a retry after a lost answer)
    return the instance the first one launched instead of a second (EC2 API idempotency)."""
    tag_list = ansible_dict_to_boto3_tag_list(tags)
    request = dict(
        ImageId=image_id, InstanceType=instance_type, MinCount=1, MaxCount=1, ClientToken=client_token,
        SubnetId=subnet_id, SecurityGroupIds=list(security_group_ids), UserData=user_data,
        MetadataOptions={"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1},
        BlockDeviceMappings=[{"DeviceName": root_volume["device_name"],
                              "Ebs": {"VolumeSize": int(root_volume["size"]), "VolumeType": "gp3", "Encrypted": True,
                                      "DeleteOnTermination": True}}],
        InstanceInitiatedShutdownBehavior="terminate",
        TagSpecifications=[{"ResourceType": kind, "Tags": tag_list} for kind in ("instance", "volume")],
    )
    if instance_profile:
        request["IamInstanceProfile"] = {"Arn": instance_profile} if instance_profile.startswith("arn:") else {"Name": instance_profile}
    return request


def run_instance(client, request):
    """The id of the instance that RunInstances launched (botocore base64-encodes UserData)."""
    return client.run_instances(**request)["Instances"][0]["InstanceId"]


def live_instances_tagged(client, tags):
    """The ids of the instances carrying every one of ``tags`` that are not terminated. EC2's
    filtered describes see a new instance only a while after RunInstances (eventual consistency)."""
    filters = [{"Name": "tag:" + key, "Values": [value]} for key, value in sorted(tags.items())]
    filters.append({"Name": "instance-state-name", "Values": list(LIVE_STATES)})
    return [i["InstanceId"] for i in describe_instances(client, filters)]


def terminate_instances(client, instance_ids):
    """TerminateInstances (idempotent by default in EC2: a terminated instance is no error)."""
    client.terminate_instances(InstanceIds=list(instance_ids))


def instance_states(client, instance_ids):
    """{id: (state, reason)} of the instances EC2 lists; an id it does not list is left out (a
    filter by id, which never answers InvalidInstanceID.NotFound)."""
    found = describe_instances(client, [{"Name": "instance-id", "Values": list(instance_ids)}])
    return dict((i["InstanceId"], (i["State"]["Name"], i.get("StateReason", {}).get("Message", ""))) for i in found)
