#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: preflight
short_description: Check, read-only, that an account can run the whole web tier pipeline
version_added: 1.0.0
description:
  - Reads, and never writes, what decides whether a run can succeed in this account and region,
    and returns one row per check with a verdict C(ok), C(warn) or C(fail), a detail and how to fix it.
  - Identity and region (C(sts:GetCallerIdentity), C(ec2:DescribeRegions)).
  - Permissions - C(iam:SimulatePrincipalPolicy) for the caller over every action of the collection's policy
    that the run calls, on the resource ARNs and with the condition keys (C(aws:RequestTag/...),
    C(ec2:CreateAction), ...) the real calls carry. A caller that may not simulate gets a warning.
  - Service Quotas against what is in use plus what the run adds - Standard On-Demand vCPUs (the group's
    max size plus the bake instance), Application Load Balancers, target groups, Auto Scaling groups,
    security groups, and launch templates (5,000 per Region, not in Service Quotas).
  - Network - the VPC, the zones that offer the instance type, an internet gateway route for an
    internet-facing load balancer, and a way for instances to reach SSM and the package repositories
    (public IP and internet gateway, NAT, or the ssm, ssmmessages, ec2messages and S3 gateway endpoints).
  - Instance type (exists, offered, Nitro for the bake, burstable credit mode, C(FreeTierEligible)),
    EBS encryption by default and its key policy, the Auto Scaling service-linked role, the source image
    and its architecture, and the length of every name the stack creates.
  - The reads run concurrently in this one process.
author: scaleout.webtier maintainers (@scaleout)
options:
  stack_name:
    description: The stack's name.
    type: str
    required: true
  names:
    description: The names the stack creates (the C(stack_resource_names) fact).
    type: dict
    required: true
  tags:
    description: The tags every resource gets in its create call (the C(stack_resource_tags) fact).
    type: dict
    required: true
  instance_type:
    description: The instance type of the group.
    type: str
    required: true
  bake_instance_type:
    description: The instance type of the bake instance (the group's when empty).
    type: str
    default: ""
  bake_needs_console:
    description: Whether the bake reads its verdict from the console output (then it needs a Nitro type).
    type: bool
    default: true
  vpc_id:
    description: The VPC; the region's default VPC (or the subnets' VPC) when empty.
    type: str
    default: ""
  subnet_ids:
    description: The candidate subnets; every subnet of the VPC when empty.
    type: list
    elements: str
    default: []
  min_zones:
    description: The fewest zones the group needs.
    type: int
    default: 2
  max_zones:
    description: The most zones the group uses (0 for all).
    type: int
    default: 0
  max_size:
    description: The group's max size.
    type: int
    required: true
  load_balancer_scheme:
    description: C(internet-facing) or C(internal).
    type: str
    default: internet-facing
  source_image_id:
    description: The bake's source image id, if given.
    type: str
    default: ""
  source_ssm_parameter:
    description: The SSM parameter that names the source image (the latest Amazon Linux 2023 when nothing is given).
    type: str
    default: ""
  source_owners:
    description: Owners for O(source_name_pattern).
    type: list
    elements: str
    default: [amazon]
  source_name_pattern:
    description: An image name pattern for the source image.
    type: str
    default: ""
  architecture:
    description: The bake's architecture.
    type: str
    default: x86_64
    choices: [x86_64, arm64]
  cpu_credits:
    description: The credit mode the launch template sets (empty when it sets none).
    type: str
    default: ""
  kms_key_id:
    description: The KMS key the launch template names for its volumes (empty for the account's default).
    type: str
    default: ""
  create_instance_profile:
    description: Whether the run creates the instances' role and instance profile.
    type: bool
    default: true
  ssm_policy_arn:
    description: The managed policy attached to the instances' role.
    type: str
    default: arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore
  report_path:
    description: Where to write the rows as JSON (not written in check mode).
    type: path
    required: true
  discovered:
    description:
      - What the stages' read-only lookups already read in this run (C(playbooks/site.yml) runs them
        before the preflight), so that the preflight does not read it again. Each key is optional.
      - C(vpc_id) - the VPC the stack uses, found to exist; C(subnets) - its candidate subnets (with
        C(vpc_id) only), as M(amazon.aws.ec2_vpc_subnet_info) returns them; C(instance_types) - the RV(known) of
        M(scaleout.webtier.instance_type_offerings_info) (used when it holds O(instance_type) and
        O(bake_instance_type)); C(source_image) - the RV(image) of M(scaleout.webtier.source_image_info).
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Check that the account can run the pipeline
  scaleout.webtier.preflight:
    stack_name: demo
    names: "{{ stack_resource_names }}"
    tags: "{{ stack_resource_tags }}"
    instance_type: t3.micro
    max_size: 4
    report_path: reports/demo/preflight.json
  register: preflight
"""

RETURN = r"""
rows:
  description: One entry per check, in the table's order.
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description: What was checked.
      type: str
    verdict:
      description: C(ok), C(warn) or C(fail).
      type: str
    detail:
      description: What AWS answered, in its words.
      type: str
    fix:
      description: How to fix a warning or a failure (empty when ok).
      type: str
table:
  description: The rows as lines of a text table.
  returned: always
  type: list
  elements: str
simulated_actions:
  description: How many actions the permission check asked the simulator about (0 when it could not).
  returned: always
  type: int
"""

import json
import os
from concurrent.futures import ThreadPoolExecutor

try:
    import botocore.exceptions
    AWS_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
except ImportError:
    AWS_ERRORS = ()  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils import _preflight as verdicts
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.images import MalformedImageId
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.images import describe_images
from ansible_collections.scaleout.webtier.plugins.module_utils._images import DEFAULT_SSM
from ansible_collections.scaleout.webtier.plugins.module_utils._images import newest_image
from ansible_collections.scaleout.webtier.plugins.module_utils._placement import select_subnets
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.parameters import parameter_value

BURSTABLE_FAMILIES = ("t2", "t3", "t3a", "t4g")
SLR_NAME = "AWSServiceRoleForAutoScaling"


def error_code(error):
    return getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)


def describe(error):
    info = getattr(error, "response", {}).get("Error", {})
    return "%s: %s" % (info.get("Code", type(error).__name__), info.get("Message", str(error)))


class Reads(object):
    """Every read, concurrently: ``submit(name, fn, *args)`` then ``get(name)``, which re-raises the
    read's AWS error."""

    def __init__(self, workers=8):
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.futures = {}

    def submit(self, name, fn, *args, **kwargs):
        self.futures[name] = self.pool.submit(fn, *args, **kwargs)

    def get(self, name):
        return self.futures[name].result()

    def outcome(self, name):
        """(value, None) or (None, the AWS error)."""
        try:
            return self.get(name), None
        except AWS_ERRORS as e:
            return None, e


def instance_types(ec2, types):
    found = {}
    for instance_type in types:
        try:
            for info in ec2.describe_instance_types(InstanceTypes=[instance_type])["InstanceTypes"]:
                found[info["InstanceType"]] = info
        except botocore.exceptions.ClientError as e:
            if error_code(e) not in ("InvalidInstanceType", "InvalidParameterValue"):
                raise
    return found


def offered_zones(ec2, types):
    offerings = paginate(ec2, "describe_instance_type_offerings", LocationType="availability-zone",
                         Filters=[{"Name": "instance-type", "Values": list(types)}]).get("InstanceTypeOfferings", [])
    zones = dict((t, set()) for t in types)
    for offering in offerings:
        zones.setdefault(offering["InstanceType"], set()).add(offering["Location"])
    return zones


def resolve_vpc(ec2, vpc_id, subnet_ids):
    """(vpc id, whether it exists, the given subnets that do not). Looked up by filters, which return
    nothing for an unknown id (the ids parameters would refuse the whole call)."""
    missing = []
    if subnet_ids:
        subnets = ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": subnet_ids}])["Subnets"]
        missing = sorted(set(subnet_ids) - set(s["SubnetId"] for s in subnets))
        if not vpc_id and subnets:
            vpc_id = subnets[0]["VpcId"]
    if vpc_id:
        return vpc_id, bool(ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"]), missing
    if subnet_ids:
        return "", False, missing
    default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return (default[0]["VpcId"], True, missing) if default else ("", False, missing)


def network(ec2, vpc_id, subnet_ids, known_subnets=None):
    """(subnets, route tables, VPC endpoints) of the VPC; the subnets are read unless known."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}]
    if subnet_ids:
        filters.append({"Name": "subnet-id", "Values": subnet_ids})
    subnets = known_subnets if known_subnets is not None else paginate(ec2, "describe_subnets", Filters=filters).get("Subnets", [])
    tables = paginate(ec2, "describe_route_tables", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]).get("RouteTables", [])
    endpoints = paginate(ec2, "describe_vpc_endpoints", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]).get("VpcEndpoints", [])
    return subnets, tables, endpoints


def source_image(ec2, ssm, params):
    """(image or None, message)."""
    if params["source_image_id"]:
        try:
            images = describe_images(ec2, ImageIds=[params["source_image_id"]])
        except MalformedImageId:
            return None, "bake_source_image_id=%s: not an AMI id (ami- followed by hex digits)" % params["source_image_id"]
        return newest_image(images), "bake_source_image_id=%s: no such image visible to this account in the region" % params["source_image_id"]
    if params["source_name_pattern"]:
        images = describe_images(ec2, Owners=params["source_owners"],
                                 Filters=[{"Name": "name", "Values": [params["source_name_pattern"]]}])
        return newest_image(images), "bake_source_name_pattern=%s (bake_source_owners=%s): no available image matches" % (
            params["source_name_pattern"], ",".join(params["source_owners"]))
    name = params["source_ssm_parameter"] or DEFAULT_SSM % params["architecture"]
    image_id = parameter_value(ssm, name)
    if image_id is None:
        return None, "bake_source_ssm_parameter=%s: no such parameter in the region" % name
    images = describe_images(ec2, ImageIds=[image_id])
    return newest_image(images), "bake_source_ssm_parameter=%s names %s, which is not visible in the region" % (name, image_id)


def quota_value(quotas, service_code, quota_code):
    return quotas.get_service_quota(ServiceCode=service_code, QuotaCode=quota_code)["Quota"]["Value"]


def usage(ec2, elbv2, autoscaling, names, stack, vpc_id):
    """What the region holds now, and which of the stack's resources exist already."""
    instances = [i for r in paginate(ec2, "describe_instances", Filters=[
        {"Name": "instance-state-name", "Values": ["pending", "running"]}]).get("Reservations", []) for i in r["Instances"]]
    balancers = paginate(elbv2, "describe_load_balancers").get("LoadBalancers", [])
    target_groups = paginate(elbv2, "describe_target_groups").get("TargetGroups", [])
    groups = paginate(autoscaling, "describe_auto_scaling_groups").get("AutoScalingGroups", [])
    templates = paginate(ec2, "describe_launch_templates").get("LaunchTemplates", [])
    security_groups = paginate(ec2, "describe_security_groups").get("SecurityGroups", [])
    return {
        "instances": instances,
        "stack_instances": [i for i in instances if {"Key": "scaleout:stack", "Value": stack} in i.get("Tags", [])],
        "load_balancers": [b for b in balancers if b.get("Type") == "application"],
        "load_balancer_exists": any(b["LoadBalancerName"] == names["load_balancer"] for b in balancers),
        "target_groups": target_groups,
        "target_group_exists": any(t["TargetGroupName"] == names["target_group"] for t in target_groups),
        "scaling_groups": groups,
        "scaling_group_exists": any(g["AutoScalingGroupName"] == names["scaling_group"] for g in groups),
        "launch_templates": templates,
        "launch_template_exists": any(t["LaunchTemplateName"] == names["launch_template"] for t in templates),
        "security_groups": security_groups,
        "new_security_groups": len(set([names["alb_security_group"], names["instance_security_group"]]) - set(
            g["GroupName"] for g in security_groups if g.get("VpcId") == vpc_id)),
    }


def vcpus_of(types, instance_type):
    return ((types.get(instance_type) or {}).get("VCpuInfo") or {}).get("DefaultVCpus") or 0


def quota_rows(reads, params, types, used):
    rows = []
    group_type, bake_type = params["instance_type"], params["bake_instance_type"] or params["instance_type"]

    def limit(key):
        value, error = reads.outcome("quota:" + key)
        return None if error else value

    standard = [i for i in used["instances"] if verdicts.standard_family(i["InstanceType"])]
    in_use = sum(i.get("CpuOptions", {}).get("CoreCount", 0) * i.get("CpuOptions", {}).get("ThreadsPerCore", 1)
                 or vcpus_of(types, i["InstanceType"]) for i in standard)
    stack_vcpus = sum(vcpus_of(types, i["InstanceType"]) for i in used["stack_instances"] if verdicts.standard_family(i["InstanceType"]))
    wanted = (params["max_size"] * vcpus_of(types, group_type) if verdicts.standard_family(group_type) else 0) + (
        vcpus_of(types, bake_type) if verdicts.standard_family(bake_type) else 0)
    rows.append(verdicts.quota_row("vcpus", limit("vcpus"), in_use, max(0, wanted - stack_vcpus), " vCPUs"))
    rows.append(verdicts.quota_row("load_balancers", limit("load_balancers"), len(used["load_balancers"]),
                                   0 if used["load_balancer_exists"] else 1))
    rows.append(verdicts.quota_row("target_groups", limit("target_groups"), len(used["target_groups"]),
                                   0 if used["target_group_exists"] else 1))
    rows.append(verdicts.quota_row("scaling_groups", limit("scaling_groups"), len(used["scaling_groups"]),
                                   0 if used["scaling_group_exists"] else 1))
    rows.append(verdicts.quota_row("security_groups", limit("security_groups"), len(used["security_groups"]),
                                   used["new_security_groups"]))
    rows.append(verdicts.quota_row("launch templates per Region (EC2 User Guide, not in Service Quotas)",
                                   verdicts.LAUNCH_TEMPLATES_PER_REGION, len(used["launch_templates"]),
                                   0 if used["launch_template_exists"] else 1))
    return rows


def simulate(iam, principal_arn, requests):
    answers = []
    for request in requests:
        params = dict(PolicySourceArn=principal_arn, ActionNames=request["actions"],
                      ContextEntries=verdicts.context_entries(request["context"]))
        if request["resource"] != "*":
            params["ResourceArns"] = [request["resource"]]
        answers.append((request, paginate(iam, "simulate_principal_policy", **params).get("EvaluationResults", [])))
    return answers


def permissions(iam, caller, plan, pool):
    """(row, whether the caller may create the Auto Scaling service-linked role (None: unknown), the
    reason when unknown, how many actions were simulated)."""
    kind, value = verdicts.simulation_principal(caller["Arn"])
    if kind is None:
        return verdicts.permission_warning(value), None, value, 0
    try:
        principal = value if kind == "arn" else iam.get_role(RoleName=value)["Role"]["Arn"]
        requests = verdicts.simulation_requests(plan)
        # Independent requests, concurrently (a few at a time: IAM throttles bursts).
        answers = [a for part in pool.map(lambda r: simulate(iam, principal, [r]), requests) for a in part]
    except AWS_ERRORS as e:
        reason = "the caller may not call iam:SimulatePrincipalPolicy (%s)" % describe(e) if error_code(e) in (
            "AccessDenied", "AccessDeniedException") else describe(e)
        return verdicts.permission_warning(reason), None, reason, 0
    may_create = None
    for request, results in answers:
        if request["resource"] == verdicts.resource_arns(plan)["autoscaling_slr"]:
            may_create = all(r.get("EvalDecision") == "allowed" for r in results if r.get("EvalActionName") == "iam:CreateServiceLinkedRole")
    actions = len(set(a for r in requests for a in r["actions"]))
    return verdicts.permission_row(answers, actions, principal), may_create, "", actions


def key_policy(kms, key_arn):
    """(policy document or None, the reason it could not be read)."""
    if ":alias/" in key_arn or key_arn.startswith("alias/"):
        return None, "the key is named by an alias"
    try:
        return json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]), ""
    except AWS_ERRORS as e:
        return None, describe(e)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            stack_name=dict(type="str", required=True),
            names=dict(type="dict", required=True),
            tags=dict(type="dict", required=True),
            instance_type=dict(type="str", required=True),
            bake_instance_type=dict(type="str", default=""),
            bake_needs_console=dict(type="bool", default=True),
            vpc_id=dict(type="str", default=""),
            subnet_ids=dict(type="list", elements="str", default=[]),
            min_zones=dict(type="int", default=2),
            max_zones=dict(type="int", default=0),
            max_size=dict(type="int", required=True),
            load_balancer_scheme=dict(type="str", default="internet-facing"),
            source_image_id=dict(type="str", default=""),
            source_ssm_parameter=dict(type="str", default=""),
            source_owners=dict(type="list", elements="str", default=["amazon"]),
            source_name_pattern=dict(type="str", default=""),
            architecture=dict(type="str", default="x86_64", choices=["x86_64", "arm64"]),
            cpu_credits=dict(type="str", default=""),
            kms_key_id=dict(type="str", default=""),
            create_instance_profile=dict(type="bool", default=True),
            ssm_policy_arn=dict(type="str", default="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
            report_path=dict(type="path", required=True),
            discovered=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    params = module.params
    region = module.region
    group_type = params["instance_type"]
    bake_type = params["bake_instance_type"] or group_type
    names, tags = params["names"], dict((k, str(v)) for k, v in params["tags"].items())
    aws = dict((service, client(module, service)) for service in
               ("sts", "ec2", "iam", "elbv2", "autoscaling", "service-quotas", "ssm", "kms"))
    ec2 = aws["ec2"]
    reads = Reads()
    reads.submit("caller", aws["sts"].get_caller_identity)
    reads.submit("regions", lambda: ec2.describe_regions(AllRegions=True)["Regions"])
    discovered = params["discovered"] or {}
    known_types = discovered.get("instance_types") or {}
    if discovered.get("vpc_id"):
        reads.submit("vpc", lambda: (discovered["vpc_id"], True, []))
    else:
        reads.submit("vpc", resolve_vpc, ec2, params["vpc_id"], params["subnet_ids"])
    if set([group_type, bake_type]) <= set(known_types):
        reads.submit("types", lambda: verdicts.described_types(known_types))
        reads.submit("zones", lambda: dict((t, set(entry["zones"])) for t, entry in known_types.items()))
    else:
        reads.submit("types", instance_types, ec2, sorted(set([group_type, bake_type])))
        reads.submit("zones", offered_zones, ec2, sorted(set([group_type, bake_type])))
    reads.submit("ebs", lambda: ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"])
    reads.submit("ebs_key", lambda: ec2.get_ebs_default_kms_key_id()["KmsKeyId"])
    family = group_type.split(".")[0]
    if family in BURSTABLE_FAMILIES:
        reads.submit("credits", lambda: ec2.get_default_credit_specification(InstanceFamily=family)[
            "InstanceFamilyCreditSpecification"]["CpuCredits"])
    reads.submit("slr", aws["iam"].get_role, RoleName=SLR_NAME)
    for key, (service_code, quota_code, _name) in verdicts.QUOTAS.items():
        reads.submit("quota:" + key, quota_value, aws["service-quotas"], service_code, quota_code)
    if discovered.get("source_image"):
        reads.submit("image", lambda: (verdicts.described_image(discovered["source_image"]), ""))
    else:
        reads.submit("image", source_image, ec2, aws["ssm"], params)

    try:
        caller = reads.get("caller")
        vpc_id, vpc_found, missing_subnets = reads.get("vpc")
        reads.submit("usage", usage, ec2, aws["elbv2"], aws["autoscaling"], names, params["stack_name"], vpc_id)
        if vpc_found:
            known_subnets = None
            if discovered.get("vpc_id") and discovered.get("subnets") is not None:
                known_subnets = [verdicts.described_subnet(subnet) for subnet in discovered["subnets"]]
            reads.submit("network", network, ec2, vpc_id, params["subnet_ids"], known_subnets)
        rows = [verdicts.identity_row(caller, region, reads.get("regions"))]
        types, zones = reads.get("types"), reads.get("zones")
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg="Preflight could not read the basics (caller, region, VPC, instance types)")

    slr, slr_error = reads.outcome("slr")
    slr_unread = slr_error is not None and error_code(slr_error) != "NoSuchEntity"
    image, image_message = None, ""
    try:
        image, image_message = reads.get("image")
    except AWS_ERRORS as e:
        image_message = describe(e)
    plan = {"partition": caller["Arn"].split(":")[1], "region": region, "account": caller["Account"], "names": names,
            "tags": tags, "vpc_id": vpc_id, "subnet_ids": params["subnet_ids"], "ssm_policy_arn": params["ssm_policy_arn"],
            "source_image_id": (image or {}).get("ImageId") or params["source_image_id"],
            "source_parameter": params["source_ssm_parameter"] or DEFAULT_SSM % params["architecture"],
            "create_instance_profile": params["create_instance_profile"], "slr_exists": slr is not None}
    permission, may_create, unknown_reason, simulated = permissions(aws["iam"], caller, plan, reads.pool)
    rows.append(permission)

    try:
        rows.extend(quota_rows(reads, params, types, reads.get("usage")))
        rows.append(verdicts.vpc_row(vpc_id, vpc_found, missing_subnets))
        if vpc_found and not missing_subnets:
            subnets, tables, endpoints = reads.get("network")
            placement = select_subnets(subnets, sorted(zones.get(group_type, ())), group_type, params["max_zones"], params["min_zones"])
            chosen = [s for s in subnets if s["SubnetId"] in placement["subnet_ids"]]
            rows.append(verdicts.zones_row(placement, group_type, params["min_zones"]))
            rows.append(verdicts.alb_route_row(params["load_balancer_scheme"], placement["subnet_ids"], tables, vpc_id))
            rows.append(verdicts.egress_row(chosen, tables, endpoints, vpc_id, region))
        rows.append(verdicts.instance_type_row(group_type, types.get(group_type), zones.get(group_type)))
        rows.append(verdicts.nitro_row(bake_type, types.get(bake_type), params["bake_needs_console"]))
        credits = reads.get("credits") if family in BURSTABLE_FAMILIES else ""
        rows.append(verdicts.credit_row(group_type, types.get(group_type), credits, params["cpu_credits"]))
        rows.append(verdicts.free_tier_row(group_type, types.get(group_type)))
        encrypted = reads.get("ebs")
        key = params["kms_key_id"] or reads.get("ebs_key")
        policy, policy_error = (None, "")
        customer_key = (encrypted or params["kms_key_id"]) and not key.endswith("alias/aws/ebs")
        if customer_key:
            policy, policy_error = key_policy(aws["kms"], key)
        slr_arn = verdicts.resource_arns(plan)["autoscaling_slr"]
        rows.append(verdicts.ebs_row(bool(encrypted or params["kms_key_id"]), key, policy, policy_error, slr_arn))
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg="Preflight could not read the account's state")
    if slr_unread:
        rows.append(verdicts.slr_row(False, None, "iam:GetRole %s: %s" % (SLR_NAME, describe(slr_error))))
    else:
        rows.append(verdicts.slr_row(slr is not None, may_create, unknown_reason))
    architectures = (types.get(group_type) or {}).get("ProcessorInfo", {}).get("SupportedArchitectures", [])
    rows.append(verdicts.image_row(image, image_message, architectures))
    rows.append(verdicts.names_row(names))
    reads.pool.shutdown(wait=False)

    if not module.check_mode:
        directory = os.path.dirname(params["report_path"])
        if directory and not os.path.isdir(directory):
            os.makedirs(directory)
        with open(params["report_path"], "w") as handle:
            json.dump({"stack": params["stack_name"], "region": region, "caller": caller["Arn"], "rows": rows}, handle, indent=2)
    module.exit_json(changed=False, rows=rows, table=verdicts.table(rows), simulated_actions=simulated)


if __name__ == "__main__":
    main()
