# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: EC2 instances, their types and their console output (the clients retry, see _aws_clients).

Errors other than the "missing" ones each function names propagate as botocore errors, for the
module to report with its own message.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
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
