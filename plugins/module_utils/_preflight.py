# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: the preflight's verdicts (pure). Each function turns what AWS answered into one row of
the preflight table - check, verdict (ok / warn / fail), detail, how to fix - so that the module
only reads and these decide, unit-tested without AWS.

The permission check asks ``iam:SimulatePrincipalPolicy`` about every action of the collection's
policy (``_permissions.POLICY_STATEMENTS``, the one list the least-privilege test also checks), on
the resource ARNs and with the condition keys the real calls carry (``simulation_requests``).
"""

import fnmatch
import json
import re

from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import POLICY_STATEMENTS
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import WRITE_POLICY_STATEMENTS
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import document_of
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import statements_for

OK, WARN, FAIL = "ok", "warn", "fail"
MANAGED_BY = ("scaleout:managed-by", "scaleout.webtier")

# Service Quotas the run draws on: (service code, quota code, what it counts). Source: the quota
# names and codes as Service Quotas lists them (docs/sandbox.md, "Service Quotas").
QUOTAS = {
    "vcpus": ("ec2", "L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs)"),
    "load_balancers": ("elasticloadbalancing", "L-53DA6B97", "Application Load Balancers per Region"),
    "target_groups": ("elasticloadbalancing", "L-B22855CB", "Target Groups per Region"),
    "scaling_groups": ("autoscaling", "L-CDE20ADC", "Auto Scaling groups per region"),
    "security_groups": ("vpc", "L-E79EC296", "VPC security groups per Region"),
}
# Not in Service Quotas: EC2 User Guide, "Launch template restrictions" (5,000 per Region).
LAUNCH_TEMPLATES_PER_REGION = 5000
# The instance families of the Standard On-Demand vCPU quota (its name lists them).
STANDARD_FAMILIES = "acdhimrtz"

# Names AWS limits (characters): ELB CreateLoadBalancer/CreateTargetGroup Name (32, alphanumerics and
# hyphens, not starting or ending with a hyphen); IAM CreateRole RoleName (64); EC2
# CreateLaunchTemplate LaunchTemplateName (128); CreateImage Name (128, with the bake's
# "-YYYYMMDDTHHMMSSZ" suffix); Auto Scaling group and policy names (255); security group names (255).
NAME_LIMITS = {
    "load_balancer": 32,
    "target_group": 32,
    "instance_role": 64,
    "launch_template": 128,
    "image_name_prefix": 128 - len("-20250101T000000Z"),
    "scaling_group": 255,
    "scaling_policy": 255,
    "alb_security_group": 255,
    "instance_security_group": 255,
}
ELB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")

# What the bake and the instances need to reach without a route to the internet (AWS Systems
# Manager User Guide, "Improve the security of EC2 instances by using VPC endpoints for Systems
# Manager"; Amazon Linux 2023 repositories are served from S3).
SSM_INTERFACE_ENDPOINTS = ("ssm", "ssmmessages", "ec2messages")

# kms actions the Auto Scaling service-linked role needs on a customer managed key that encrypts
# its instances' volumes (EC2 Auto Scaling User Guide, "Required AWS KMS key policy for use with
# encrypted volumes").
SLR_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKeyWithoutPlaintext",
                   "kms:DescribeKey", "kms:CreateGrant")


def described_types(known):
    """DescribeInstanceTypes entries, as far as the rows read them, of instance_type_offerings_info's
    ``known`` ({type: {"zones", "facts"}}), for the types some zone offers (pure)."""
    return dict((t, {
        "InstanceType": t,
        "VCpuInfo": {"DefaultVCpus": entry["facts"].get("vcpus")},
        "FreeTierEligible": entry["facts"].get("free_tier_eligible"),
        "Hypervisor": entry["facts"].get("hypervisor"),
        "BurstablePerformanceSupported": entry["facts"].get("burstable"),
        "ProcessorInfo": {"SupportedArchitectures": entry["facts"].get("architectures") or []},
    }) for t, entry in known.items() if entry.get("zones"))


def described_image(image):
    """A DescribeImages entry, as far as the rows read it, of source_image_info's ``image`` (pure)."""
    return {"ImageId": image.get("image_id"), "Name": image.get("name"), "Architecture": image.get("architecture")}


def described_subnet(subnet):
    """A DescribeSubnets entry, as far as the rows and the placement read it, of a subnet as
    amazon.aws.ec2_vpc_subnet_info returns it (pure)."""
    return {"SubnetId": subnet.get("subnet_id"), "VpcId": subnet.get("vpc_id"), "AvailabilityZone": subnet.get("availability_zone"),
            "State": subnet.get("state", "available"), "DefaultForAz": subnet.get("default_for_az", False),
            "AvailableIpAddressCount": subnet.get("available_ip_address_count", 0),
            "MapPublicIpOnLaunch": subnet.get("map_public_ip_on_launch", False)}


def row(check, verdict, detail, fix=""):
    return {"check": check, "verdict": verdict, "detail": detail, "fix": fix if verdict != OK else ""}


# ----------------------------------------------------------------- identity and region


def identity_row(caller, region, regions):
    """`caller`: GetCallerIdentity; `regions`: DescribeRegions(AllRegions) entries."""
    found = next((r for r in regions if r.get("RegionName") == region), None)
    who = "%s (account %s)" % (caller.get("Arn"), caller.get("Account"))
    if found is None:
        return row("identity and region", FAIL, "%s; region %s does not exist" % (who, region),
                   "set scaleout_aws_region to a region that DescribeRegions lists")
    status = found.get("OptInStatus", "opt-in-not-required")
    if status not in ("opt-in-not-required", "opted-in"):
        return row("identity and region", FAIL, "%s; region %s is not enabled for the account (%s)" % (who, region, status),
                   "enable the region (Account settings, AWS Regions) or choose another")
    return row("identity and region", OK, "%s in %s (%s)" % (who, region, status))


def simulation_principal(caller_arn):
    """(kind, value) for SimulatePrincipalPolicy: ("arn", arn) for an IAM user, ("role", name) for an
    assumed role (its ARN needs the role's path: iam:GetRole), (None, reason) when IAM cannot
    simulate the caller (the root user, a federated user)."""
    parts = caller_arn.split(":", 5)
    if len(parts) < 6:
        return None, "%s is not an ARN" % caller_arn
    service, resource = parts[2], parts[5]
    if service == "iam" and resource.startswith("user/"):
        return "arn", caller_arn
    if service == "iam" and resource.startswith("role/"):
        return "arn", caller_arn
    if service == "sts" and resource.startswith("assumed-role/"):
        return "role", resource.split("/")[1]
    if resource == "root":
        return None, "the caller is the account's root user, which IAM does not simulate (and should not run this)"
    return None, "the caller %s is neither an IAM user nor a role session" % caller_arn


# ----------------------------------------------------------------- permissions


def _tag_context(prefix, tags):
    context = dict(("%s/%s" % (prefix, key), [value]) for key, value in tags.items())
    if prefix == "aws:RequestTag":
        context["aws:TagKeys"] = sorted(tags)
    return context


def resource_arns(plan):
    """The ARN of each kind of resource the run makes or touches (``*`` where AWS makes the id)."""
    p, r, a = plan["partition"], plan["region"], plan["account"]
    names = plan["names"]
    ec2 = "arn:%s:ec2:%s:%s:" % (p, r, a)
    elb = "arn:%s:elasticloadbalancing:%s:%s:" % (p, r, a)
    return {
        "instance": ec2 + "instance/*",
        "volume": ec2 + "volume/*",
        "snapshot": "arn:%s:ec2:%s::snapshot/*" % (p, r),
        "image": "arn:%s:ec2:%s::image/*" % (p, r),
        "source_image": "arn:%s:ec2:%s::image/%s" % (p, r, plan.get("source_image_id") or "*"),
        "subnet": ec2 + "subnet/%s" % ((plan.get("subnet_ids") or ["*"])[0]),
        "network_interface": ec2 + "network-interface/*",
        "security_group": ec2 + "security-group/*",
        "security_group_rule": ec2 + "security-group-rule/*",
        "launch_template": ec2 + "launch-template/*",
        "vpc": ec2 + "vpc/%s" % (plan.get("vpc_id") or "*"),
        "load_balancer": elb + "loadbalancer/app/%s/*" % names["load_balancer"],
        "target_group": elb + "targetgroup/%s/*" % names["target_group"],
        "listener": elb + "listener/app/%s/*/*" % names["load_balancer"],
        "scaling_group": "arn:%s:autoscaling:%s:%s:autoScalingGroup:*:autoScalingGroupName/%s"
                         % (p, r, a, names["scaling_group"]),
        "role": "arn:%s:iam::%s:role/scaleout/%s" % (p, a, names["instance_role"]),
        "instance_profile": "arn:%s:iam::%s:instance-profile/scaleout/%s" % (p, a, names["instance_role"]),
        "autoscaling_slr": "arn:%s:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" % (p, a),
        "elb_slr": "arn:%s:iam::%s:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
                   % (p, a),
        "shell_document": "arn:%s:ssm:%s::document/AWS-RunShellScript" % (p, r),
        "source_parameter": "arn:%s:ssm:%s::parameter%s" % (p, r, plan.get("source_parameter") or "/*"),
        # The stack's lock (scaleout.webtier.stack_lock): its holder and take-over markers.
        "stack_lock": "arn:%s:ssm:%s:%s:parameter/scaleout/lock/%s/*" % (p, r, a, plan["tags"].get("scaleout:stack", "*")),
    }


# How the run calls each write action: (resource kind, context kind[, value]) per authorization AWS
# makes. Context kinds: "request_tags" (tags given in the create call), "resource_tags" (the
# resource is already the stack's), "create_action" (tags at creation: ec2:CreateAction /
# elasticloadbalancing:CreateAction), "policy_arn", "passed_to", "service_name", "ssm_tags", "none".
WRITE_CALLS = {
    "autoscaling:CreateAutoScalingGroup": [("scaling_group", "request_tags")],
    "autoscaling:CreateOrUpdateTags": [("scaling_group", "resource_tags")],
    "autoscaling:DeleteAutoScalingGroup": [("scaling_group", "resource_tags")],
    "autoscaling:EnableMetricsCollection": [("scaling_group", "resource_tags")],
    "autoscaling:PutScalingPolicy": [("scaling_group", "resource_tags")],
    "autoscaling:StartInstanceRefresh": [("scaling_group", "resource_tags")],
    "autoscaling:UpdateAutoScalingGroup": [("scaling_group", "resource_tags")],
    "ec2:AuthorizeSecurityGroupIngress": [("security_group", "resource_tags"), ("security_group_rule", "none")],
    "ec2:CreateImage": [("image", "request_tags"), ("snapshot", "request_tags"), ("instance", "resource_tags")],
    "ec2:CreateLaunchTemplate": [("launch_template", "request_tags")],
    "ec2:CreateLaunchTemplateVersion": [("launch_template", "resource_tags")],
    "ec2:CreateSecurityGroup": [("security_group", "request_tags"), ("vpc", "none")],
    "ec2:CreateTags": [("instance", "create_action", "RunInstances"), ("volume", "create_action", "RunInstances"),
                       ("security_group", "create_action", "CreateSecurityGroup"),
                       ("launch_template", "create_action", "CreateLaunchTemplate"),
                       ("image", "create_action", "CreateImage"), ("instance", "resource_tags")],
    "ec2:DeleteLaunchTemplate": [("launch_template", "resource_tags")],
    "ec2:DeleteLaunchTemplateVersions": [("launch_template", "resource_tags")],
    "ec2:DeleteSecurityGroup": [("security_group", "resource_tags")],
    "ec2:DeleteSnapshot": [("snapshot", "resource_tags")],
    "ec2:DeleteVolume": [("volume", "resource_tags")],
    "ec2:DeregisterImage": [("image", "resource_tags")],
    "ec2:GetConsoleOutput": [("instance", "resource_tags")],
    "ec2:ModifyInstanceAttribute": [("instance", "resource_tags")],
    "ec2:ModifyLaunchTemplate": [("launch_template", "resource_tags")],
    "ec2:RevokeSecurityGroupIngress": [("security_group", "resource_tags"), ("security_group_rule", "none")],
    "ec2:RunInstances": [("instance", "request_tags"), ("volume", "request_tags"), ("source_image", "none"),
                         ("subnet", "none"), ("network_interface", "none"), ("security_group", "resource_tags")],
    "ec2:TerminateInstances": [("instance", "resource_tags")],
    "elasticloadbalancing:AddTags": [("load_balancer", "create_action", "CreateLoadBalancer"),
                                     ("target_group", "create_action", "CreateTargetGroup"),
                                     ("load_balancer", "resource_tags"), ("target_group", "resource_tags")],
    "elasticloadbalancing:CreateListener": [("load_balancer", "resource_tags")],
    "elasticloadbalancing:CreateLoadBalancer": [("load_balancer", "request_tags")],
    "elasticloadbalancing:CreateTargetGroup": [("target_group", "request_tags")],
    "elasticloadbalancing:DeleteListener": [("listener", "none")],
    "elasticloadbalancing:DeleteLoadBalancer": [("load_balancer", "resource_tags")],
    "elasticloadbalancing:DeleteTargetGroup": [("target_group", "resource_tags")],
    "elasticloadbalancing:ModifyListener": [("listener", "none")],
    "elasticloadbalancing:ModifyTargetGroup": [("target_group", "resource_tags")],
    "elasticloadbalancing:ModifyTargetGroupAttributes": [("target_group", "resource_tags")],
    "iam:AddRoleToInstanceProfile": [("instance_profile", "none")],
    "iam:AttachRolePolicy": [("role", "policy_arn")],
    "iam:CreateInstanceProfile": [("instance_profile", "none")],
    "iam:CreateRole": [("role", "none")],
    "iam:CreateServiceLinkedRole": [("autoscaling_slr", "service_name", "autoscaling.amazonaws.com"),
                                    ("elb_slr", "service_name", "elasticloadbalancing.amazonaws.com")],
    "iam:DeleteInstanceProfile": [("instance_profile", "none")],
    "iam:DeleteRole": [("role", "none")],
    "iam:DetachRolePolicy": [("role", "policy_arn")],
    "iam:PassRole": [("role", "passed_to", "ec2.amazonaws.com")],
    "iam:RemoveRoleFromInstanceProfile": [("instance_profile", "none")],
    "iam:TagInstanceProfile": [("instance_profile", "none")],
    "iam:TagRole": [("role", "none")],
    "ssm:CancelCommand": [("*", "none")],
    "ssm:SendCommand": [("instance", "ssm_tags"), ("shell_document", "none")],
    "ssm:PutParameter": [("stack_lock", "request_tags")],
    "ssm:AddTagsToResource": [("stack_lock", "request_tags")],
    "ssm:DeleteParameter": [("stack_lock", "none")],
}
# Reads with a scoped resource in the policy.
READ_CALLS = {
    "ssm:GetParameter": [("source_parameter", "none"), ("stack_lock", "none")],
}
# Actions of the instance role: not needed when the user names their own instance profile.
INSTANCE_ROLE_ACTIONS = ("iam:AddRoleToInstanceProfile", "iam:AttachRolePolicy", "iam:CreateInstanceProfile", "iam:CreateRole",
                         "iam:DeleteInstanceProfile", "iam:DeleteRole", "iam:DetachRolePolicy", "iam:RemoveRoleFromInstanceProfile",
                         "iam:TagInstanceProfile", "iam:TagRole")


def _context(kind, value, plan):
    tags = plan["tags"]
    if kind == "request_tags":
        return _tag_context("aws:RequestTag", tags)
    if kind == "resource_tags":
        return _tag_context("aws:ResourceTag", tags)
    if kind == "ssm_tags":
        return _tag_context("ssm:resourceTag", tags)
    if kind == "create_action":
        service = "elasticloadbalancing" if value in ("CreateLoadBalancer", "CreateTargetGroup") else "ec2"
        context = {"%s:CreateAction" % service: [value]}
        context.update(_tag_context("aws:RequestTag", tags))
        return context
    if kind == "policy_arn":
        return {"iam:PolicyARN": [plan["ssm_policy_arn"]]}
    if kind == "passed_to":
        return {"iam:PassedToService": [value]}
    if kind == "service_name":
        return {"iam:AWSServiceName": [value]}
    return {}


def run_actions(plan):
    """Every action of the collection's policy that this run may call, sorted."""
    actions = set(a for _sid, listed in POLICY_STATEMENTS for a in listed)
    if not plan.get("create_instance_profile", True):
        actions -= set(INSTANCE_ROLE_ACTIONS)
    return sorted(actions)


def _calls(action, plan):
    calls = WRITE_CALLS.get(action) or READ_CALLS.get(action)
    if action == "iam:CreateServiceLinkedRole" and plan.get("slr_exists"):
        calls = [c for c in calls if c[0] != "autoscaling_slr"]  # Auto Scaling will not create it
    return calls


def simulation_requests(plan):
    """The SimulatePrincipalPolicy requests for this run: [{"actions", "resource", "context"}], one per
    distinct resource ARN and context, together covering every action of ``run_actions``."""
    arns = resource_arns(plan)
    written = set(a for _sid, listed in WRITE_POLICY_STATEMENTS for a in listed)
    groups = {}
    for action in run_actions(plan):
        calls = _calls(action, plan)
        if calls is None:
            if action in written:
                raise ValueError("%s is a write of the policy without an entry in WRITE_CALLS" % action)
            calls = [("*", "none")]
        for call in calls:
            kind, context_kind = call[0], call[1]
            resource = "*" if kind == "*" else arns[kind]
            context = _context(context_kind, call[2] if len(call) > 2 else None, plan)
            key = (resource, json.dumps(context, sort_keys=True))
            groups.setdefault(key, {"actions": [], "resource": resource, "context": context})["actions"].append(action)
    return [groups[key] for key in sorted(groups)]


def context_entries(context):
    """SimulatePrincipalPolicy's ContextEntries for {key: [values]}."""
    return [{"ContextKeyName": key, "ContextKeyValues": list(values),
             "ContextKeyType": "stringList" if key == "aws:TagKeys" else "string"} for key, values in sorted(context.items())]


def _deciding(result, resource_result):
    matched = (resource_result or {}).get("MatchedStatements") or result.get("MatchedStatements") or []
    return ", ".join("%s (line %s, column %s)" % (m.get("SourcePolicyId"), (m.get("StartPosition") or {}).get("Line"),
                                                  (m.get("StartPosition") or {}).get("Column")) for m in matched)


def denials(answers):
    """Every (action, resource) the simulator did not allow: [{action, resource, decision, statement,
    expected}] from [(request, EvaluationResults)]."""
    found = []
    for request, results in answers:
        for result in results:
            per_resource = result.get("ResourceSpecificResults") or [None]
            for resource_result in per_resource:
                decision = (resource_result or {}).get("EvalResourceDecision") or result.get("EvalDecision")
                if decision == "allowed":
                    continue
                action = result.get("EvalActionName")
                expected = ["%s in %s" % (sid, document_of(sid)) for sid in statements_for(action)]
                found.append({"action": action, "resource": (resource_result or {}).get("EvalResourceName") or request["resource"],
                              "decision": decision, "statement": _deciding(result, resource_result),
                              "expected": expected, "context": sorted(request["context"])})
    return found


def permission_row(answers, actions_count, principal_arn):
    found = denials(answers)
    if not found:
        return row("permissions", OK, "%s may make all %d actions of the run (iam:SimulatePrincipalPolicy)"
                   % (principal_arn, actions_count))
    parts = []
    for denial in found:
        why = ("explicitly denied by %s" % denial["statement"] if denial["decision"] == "explicitDeny"
               else "no statement allows it" + (" (matched: %s)" % denial["statement"] if denial["statement"] else ""))
        parts.append("%s on %s: %s (%s)" % (denial["action"], denial["resource"], why, denial["decision"]))
    expected = sorted(set(e for denial in found for e in denial["expected"]))
    return row("permissions", FAIL, "; ".join(parts),
               "give the caller the collection's policies (%s); remove any Deny that names these actions"
               % (", ".join(expected) or "docs/iam-policy-read.json, docs/iam-policy.json"))


def permission_warning(reason):
    return row("permissions", WARN, "not checked: %s" % reason,
               "allow iam:SimulatePrincipalPolicy on the caller (docs/iam-policy-read.json), or check the policies by hand")


# ----------------------------------------------------------------- quotas


def standard_family(instance_type):
    family = instance_type.split(".")[0]
    return bool(family) and family[0] in STANDARD_FAMILIES and not family.startswith(("dl", "inf", "trn", "hpc", "u-", "vt"))


def quota_row(key, limit, used, adding, unit=""):
    """One quota: fail when what is in use plus what the run adds exceeds the applied value."""
    _service, code, name = QUOTAS.get(key, ("", "", key))
    label = "quota: %s" % name
    where = " (%s)" % code if code else ""
    if limit is None:
        return row(label, WARN, "could not read the quota%s" % where,
                   "check it in the Service Quotas console (allow servicequotas:GetServiceQuota)")
    total = used + adding
    detail = "%s in use + %s this run adds = %s of %s%s%s" % (used, adding, total, int(limit), unit, where)
    if total > limit:
        return row(label, FAIL, detail, "request an increase of %s%s in Service Quotas, or lower the run's needs" % (name, where))
    return row(label, OK, detail)


# ----------------------------------------------------------------- network


def route_table_of(route_tables, subnet_id, vpc_id):
    """The route table AWS uses for a subnet: its explicit association, else the VPC's main table."""
    main = None
    for table in route_tables:
        for association in table.get("Associations", []):
            if association.get("SubnetId") == subnet_id:
                return table
            if association.get("Main") and table.get("VpcId") == vpc_id:
                main = table
    return main


def default_route(table):
    """What 0.0.0.0/0 routes to in a route table: "igw", "nat", "other" or None (no such route)."""
    for route in (table or {}).get("Routes", []):
        if route.get("DestinationCidrBlock") != "0.0.0.0/0" or route.get("State", "active") != "active":
            continue
        gateway = route.get("GatewayId") or ""
        if gateway.startswith("igw-"):
            return "igw"
        if route.get("NatGatewayId") or route.get("InstanceId") or route.get("NetworkInterfaceId"):
            return "nat"
        return "other"
    return None


def vpc_row(vpc_id, found, missing_subnets=()):
    """The VPC the stack uses: `vpc_id` (given or resolved), whether it exists, and given subnets that
    do not (the messages name the settings, as the network role's own checks do)."""
    if missing_subnets:
        return row("network: VPC", FAIL, "network_subnet_ids: no such subnet in this region: %s" % ", ".join(missing_subnets),
                   "set network_subnet_ids to subnets of this region")
    if not vpc_id:
        return row("network: VPC", FAIL, "the region has no default VPC and network_vpc_id is not set",
                   "set network_vpc_id (and network_subnet_ids)")
    if not found:
        return row("network: VPC", FAIL, "network_vpc_id=%s: no such VPC in this region" % vpc_id,
                   "set network_vpc_id to an existing VPC")
    return row("network: VPC", OK, vpc_id)


def zones_row(placement, instance_type, min_zones):
    if placement is None:
        return row("network: zones", FAIL, "no subnets to place instances in", "set network_subnet_ids or network_vpc_id")
    if not placement.get("enough"):
        return row("network: zones", FAIL, "stack_instance_type=%s, network_min_zones=%d: %s"
                   % (instance_type, min_zones, placement.get("message", "")),
                   "use subnets in at least %d zones that offer %s, or another instance type" % (min_zones, instance_type))
    return row("network: zones", OK, placement.get("message", ""))


def alb_route_row(scheme, subnet_ids, route_tables, vpc_id):
    if scheme != "internet-facing":
        return row("network: load balancer subnets", OK, "internal load balancer: no internet route needed")
    missing = [s for s in subnet_ids if default_route(route_table_of(route_tables, s, vpc_id)) != "igw"]
    if missing:
        return row("network: load balancer subnets", FAIL,
                   "an internet-facing load balancer needs 0.0.0.0/0 routed to an internet gateway; %s do not"
                   % ", ".join(missing),
                   "attach an internet gateway to the VPC and route 0.0.0.0/0 to it from these subnets' route tables, "
                   "or set network_subnet_ids to public subnets")
    return row("network: load balancer subnets", OK, "%s route 0.0.0.0/0 to an internet gateway" % ", ".join(subnet_ids))


def endpoint_services(endpoints, region):
    """The short names of the available VPC endpoints of the VPC ("ssm", "s3", ...), by type."""
    found = {"Interface": set(), "Gateway": set()}
    prefix = "com.amazonaws.%s." % region
    for endpoint in endpoints:
        if endpoint.get("State", "available").lower() not in ("available", "pending"):
            continue
        name = endpoint.get("ServiceName", "")
        if name.startswith(prefix):
            found.setdefault(endpoint.get("VpcEndpointType", "Interface"), set()).add(name[len(prefix):])
    return found


def egress_row(subnets, route_tables, endpoints, vpc_id, region):
    """Whether instances in these subnets (dicts of DescribeSubnets) reach SSM and the package
    repositories: a public IP and an internet gateway route, a NAT route, or the VPC endpoints."""
    services = endpoint_services(endpoints, region)
    have_endpoints = set(SSM_INTERFACE_ENDPOINTS) <= services["Interface"] and "s3" in services["Gateway"]
    stranded = []
    for subnet in subnets:
        route = default_route(route_table_of(route_tables, subnet["SubnetId"], vpc_id))
        if route == "nat" or (route == "igw" and subnet.get("MapPublicIpOnLaunch")) or have_endpoints:
            continue
        why = ("no public IP on launch (MapPublicIpOnLaunch false)" if route == "igw"
               else "no 0.0.0.0/0 route" if route is None else "0.0.0.0/0 goes to neither an internet gateway nor a NAT")
        stranded.append("%s (%s)" % (subnet["SubnetId"], why))
    if stranded:
        missing = sorted(set(SSM_INTERFACE_ENDPOINTS) - services["Interface"]) + ([] if "s3" in services["Gateway"] else ["s3 (gateway)"])
        return row("network: SSM and package repositories", FAIL,
                   "instances and the bake instance could not reach SSM or the package repositories from %s; "
                   "VPC endpoints missing: %s" % (", ".join(stranded), ", ".join(missing)),
                   "give the subnets a NAT route, or public IPs and an internet gateway route, or create the VPC "
                   "endpoints ssm, ssmmessages, ec2messages and the S3 gateway endpoint")
    how = "VPC endpoints" if have_endpoints else "public IPs with an internet gateway route, or NAT"
    return row("network: SSM and package repositories", OK, "reachable through %s" % how)


# ----------------------------------------------------------------- instance type


def instance_type_row(instance_type, info, offered_zones):
    if info is None or not offered_zones:
        return row("instance type", FAIL, "stack_instance_type=%s: no availability zone of this region offers it%s"
                   % (instance_type, " (DescribeInstanceTypes does not know it)" if info is None else ""),
                   "choose an instance type this region sells (stack_instance_type)")
    return row("instance type", OK, "%s: %s vCPUs, %s; offered in %s" % (
        instance_type, info.get("VCpuInfo", {}).get("DefaultVCpus"), "/".join(info.get("ProcessorInfo", {}).get("SupportedArchitectures", [])),
        ", ".join(sorted(offered_zones))))


def nitro_row(instance_type, info, needs_console=True):
    hypervisor = (info or {}).get("Hypervisor")
    label = "instance type: Nitro (bake %s)" % instance_type
    if hypervisor == "nitro":
        return row(label, OK, "%s runs on Nitro" % instance_type)
    if not needs_console:
        return row(label, OK, "%s runs on %s; the bake does not read the console" % (instance_type, hypervisor))
    return row(label, FAIL, "%s runs on the %s hypervisor: the bake reads its verdict from the console output, which AWS "
                            "posts on non-Nitro types only around state changes (GetConsoleOutput Latest is Nitro-only)"
               % (instance_type, hypervisor or "unknown"),
               "choose a Nitro type for the bake (bake_instance_type: t3.micro, t3a.micro, m5.large, ...)")


def credit_row(instance_type, info, default_mode, template_mode):
    label = "instance type: CPU credits"
    if not (info or {}).get("BurstablePerformanceSupported"):
        return row(label, OK, "%s is not burstable" % instance_type)
    if template_mode:
        return row(label, OK, "%s: the launch template sets %s (account default: %s)" % (instance_type, template_mode, default_mode))
    if default_mode == "standard":
        return row(label, WARN, "%s launches in standard mode (the account default): under load it drops to its baseline once "
                                "its credits are spent, and the scale test measures credits, not the scaling" % instance_type,
                   "set launch_template_cpu_credits: unlimited")
    return row(label, OK, "%s: account default %s" % (instance_type, default_mode))


def free_tier_row(instance_type, info):
    eligible = (info or {}).get("FreeTierEligible")
    return row("instance type: free tier", OK, "%s: FreeTierEligible=%s for this account in this region (reported, not assumed)"
               % (instance_type, "unknown" if eligible is None else str(eligible).lower()))


# ----------------------------------------------------------------- EBS encryption


def _principals(statement):
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    values = (principal or {}).get("AWS", [])
    return values if isinstance(values, list) else [values]


def _as_list(value):
    return value if isinstance(value, list) else [value] if value is not None else []


def key_policy_missing(policy, role_arn):
    """The kms actions (of SLR_KEY_ACTIONS) that the key policy does not allow `role_arn`: an Allow
    statement naming the role (or "*") whose Action covers them. A Deny naming it removes them."""
    allowed, denied = set(), set()
    for statement in _as_list((policy or {}).get("Statement")):
        principals = _principals(statement)
        if not any(p == "*" or p == role_arn for p in principals):
            continue
        actions = _as_list(statement.get("Action"))
        covered = set(a for a in SLR_KEY_ACTIONS if any(fnmatch.fnmatchcase(a.lower(), p.lower()) for p in actions))
        (denied if statement.get("Effect") == "Deny" else allowed).update(covered)
    return [a for a in SLR_KEY_ACTIONS if a not in allowed or a in denied]


def ebs_row(enabled, key_arn, key_policy, key_policy_error, slr_arn):
    label = "EBS encryption by default"
    if not enabled:
        return row(label, OK, "off: volumes are encrypted as the launch template and image say")
    if not key_arn or key_arn.endswith(":alias/aws/ebs") or key_arn == "alias/aws/ebs":
        return row(label, OK, "on, with the AWS managed key alias/aws/ebs")
    if key_policy_error:
        return row(label, WARN, "on, with the customer managed key %s; its key policy could not be read (%s)" % (key_arn, key_policy_error),
                   "check that the key policy allows %s kms:Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey "
                   "and CreateGrant, or Auto Scaling cannot launch instances" % slr_arn)
    missing = key_policy_missing(key_policy, slr_arn)
    if missing:
        return row(label, FAIL, "on, with the customer managed key %s, whose key policy does not allow the Auto Scaling "
                                "service-linked role %s" % (key_arn, ", ".join(missing)),
                   "add a statement for %s to the key policy (EC2 Auto Scaling User Guide, 'Required AWS KMS key policy "
                   "for use with encrypted volumes'), or use another default key" % slr_arn)
    return row(label, OK, "on, with the customer managed key %s, whose policy lets Auto Scaling use it" % key_arn)


# ----------------------------------------------------------------- service-linked role, image, names


def slr_row(exists, may_create, reason=""):
    """`may_create`: True, False, or None when the simulator could not say."""
    label = "service-linked role AWSServiceRoleForAutoScaling"
    if exists:
        return row(label, OK, "exists")
    if may_create is None:
        return row(label, WARN, "absent; whether the caller may create it was not checked (%s)" % reason,
                   "check that the caller may call iam:CreateServiceLinkedRole for autoscaling.amazonaws.com")
    if may_create:
        return row(label, OK, "absent; Auto Scaling creates it at the first group, and the caller may (iam:CreateServiceLinkedRole)")
    return row(label, FAIL, "absent, and the caller may not create it%s" % (": " + reason if reason else ""),
               "create it once (aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com) or allow "
               "iam:CreateServiceLinkedRole for autoscaling.amazonaws.com")


def image_row(image, message, type_architectures):
    if image is None:
        return row("source image", FAIL, message, "set bake_source_image_id, bake_source_ssm_parameter or bake_source_name_pattern "
                                                  "to an image visible in this region")
    architecture = image.get("Architecture")
    if type_architectures and architecture not in type_architectures:
        detail = "%s is %s; the instance type runs %s" % (image.get("ImageId"), architecture, "/".join(type_architectures))
        return row("source image", FAIL, detail,
                   "set bake_architecture (and the image) to match the instance type, or choose another type")
    return row("source image", OK, "%s (%s, %s)" % (image.get("ImageId"), image.get("Name"), architecture))


def names_row(names):
    problems = []
    for key, limit in sorted(NAME_LIMITS.items()):
        name = names.get(key)
        if name is None:
            continue
        if len(name) > limit:
            problems.append("%s %r is %d characters (limit %d)" % (key, name, len(name), limit))
        if key in ("load_balancer", "target_group") and not ELB_NAME.match(name):
            problems.append("%s %r: only letters, digits and hyphens, not at either end" % (key, name))
        if key == "load_balancer" and name.startswith("internal-"):
            problems.append("%s %r may not start with 'internal-'" % (key, name))
    if problems:
        return row("names and limits", FAIL, "; ".join(problems), "shorten stack_name (or set the name variables)")
    return row("names and limits", OK, "every name fits (longest ELB name: %d of 32)"
               % max(len(names.get("load_balancer", "")), len(names.get("target_group", ""))))


# ----------------------------------------------------------------- outcome


def failing(rows, strict=False):
    """The rows that fail the play: every fail, and with `strict` every warning too."""
    bad = (FAIL, WARN) if strict else (FAIL,)
    return [r for r in rows if r["verdict"] in bad]


def table(rows):
    """The rows as a text table: check | verdict | detail | how to fix (one list entry per line)."""
    width = max([len(r["check"]) for r in rows] + [5])
    lines = ["%-*s  %-7s  %s" % (width, "check", "verdict", "detail / how to fix")]
    for r in rows:
        lines.append("%-*s  %-7s  %s" % (width, r["check"], r["verdict"].upper(), r["detail"]))
        if r["fix"]:
            lines.append("%-*s  %-7s  fix: %s" % (width, "", "", r["fix"]))
    return lines
