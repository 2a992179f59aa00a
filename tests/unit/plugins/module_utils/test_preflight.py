"""The preflight's verdicts (pure): each row from what AWS answered, and the permission simulation
built from the one list of the policy's actions (it cannot drift from what the least-privilege test checks)."""

import json
from pathlib import Path

import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils import _permissions
from ansible_collections.scaleout.webtier.plugins.module_utils import _preflight as pf

REPO = Path(__file__).resolve().parents[4]
NAMES = {"alb_security_group": "demo-alb", "instance_security_group": "demo-web", "load_balancer": "demo-alb",
         "target_group": "demo-tg", "image_name_prefix": "demo-web", "instance_role": "demo-web",
         "launch_template": "demo-web", "scaling_group": "demo-asg", "scaling_policy": "demo-cpu-target-tracking"}
TAGS = {"scaleout:stack": "demo", "scaleout:managed-by": "scaleout.webtier"}
PLAN = {"partition": "aws", "region": "ap-northeast-2", "account": "123456789012", "names": NAMES, "tags": TAGS,
        "vpc_id": "vpc-1", "subnet_ids": ["subnet-1"], "ssm_policy_arn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "source_image_id": "ami-1", "source_parameter": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}
SLR = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


# ------------------------------------------------------------------ permissions


def test_the_simulation_covers_every_action_of_the_policy():
    requests = pf.simulation_requests(PLAN)
    simulated = set(a for r in requests for a in r["actions"])
    assert simulated == set(_permissions.all_actions())


def test_every_write_of_the_policy_says_how_the_run_calls_it():
    writes = set(a for _sid, actions in _permissions.WRITE_POLICY_STATEMENTS for a in actions)
    assert writes <= set(pf.WRITE_CALLS), sorted(writes - set(pf.WRITE_CALLS))
    assert set(pf.WRITE_CALLS) <= writes, "WRITE_CALLS names an action the policy does not hold"


def test_a_write_missing_from_write_calls_is_refused_not_simulated_on_everything(monkeypatch):
    monkeypatch.delitem(pf.WRITE_CALLS, "ec2:RunInstances")
    with pytest.raises(ValueError, match="ec2:RunInstances"):
        pf.simulation_requests(PLAN)


def test_creates_carry_the_request_tags_and_tag_on_create_keys():
    requests = pf.simulation_requests(PLAN)

    def contexts(action, resource_part):
        return [r["context"] for r in requests if action in r["actions"] and resource_part in r["resource"]]

    create_tg = contexts("elasticloadbalancing:CreateTargetGroup", "targetgroup/demo-tg/")
    assert create_tg == [{"aws:RequestTag/scaleout:stack": ["demo"], "aws:RequestTag/scaleout:managed-by": ["scaleout.webtier"],
                          "aws:TagKeys": ["scaleout:managed-by", "scaleout:stack"]}]
    assert any(c.get("ec2:CreateAction") == ["RunInstances"] for c in contexts("ec2:CreateTags", ":instance/"))
    assert any(c.get("elasticloadbalancing:CreateAction") == ["CreateLoadBalancer"]
               for c in contexts("elasticloadbalancing:AddTags", "loadbalancer/app/demo-alb/"))
    assert contexts("iam:PassRole", ":role/scaleout/demo-web") == [{"iam:PassedToService": ["ec2.amazonaws.com"]}]
    assert contexts("ec2:TerminateInstances", ":instance/*")[0]["aws:ResourceTag/scaleout:managed-by"] == ["scaleout.webtier"]


def test_the_simulation_follows_the_run():
    without_profile = set(a for r in pf.simulation_requests(dict(PLAN, create_instance_profile=False)) for a in r["actions"])
    assert "iam:CreateRole" not in without_profile and "iam:PassRole" in without_profile
    with_role = pf.simulation_requests(dict(PLAN, slr_exists=True))
    assert not [r for r in with_role if "AWSServiceRoleForAutoScaling" in r["resource"]]
    assert [r for r in with_role if "AWSServiceRoleForElasticLoadBalancing" in r["resource"]]


def test_context_entries_are_the_api_shape():
    assert pf.context_entries({"aws:TagKeys": ["a", "b"], "iam:PassedToService": ["ec2.amazonaws.com"]}) == [
        {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["a", "b"], "ContextKeyType": "stringList"},
        {"ContextKeyName": "iam:PassedToService", "ContextKeyValues": ["ec2.amazonaws.com"], "ContextKeyType": "string"}]


def test_a_denial_names_the_action_the_resource_and_the_deciding_statement():
    request = {"actions": ["ec2:RunInstances"], "resource": "arn:aws:ec2:r:1:instance/*", "context": {}}
    results = [{"EvalActionName": "ec2:RunInstances", "EvalDecision": "explicitDeny",
                "MatchedStatements": [{"SourcePolicyId": "guardrail", "StartPosition": {"Line": 3, "Column": 5}}]},
               {"EvalActionName": "ec2:CreateTags", "EvalDecision": "implicitDeny", "MatchedStatements": []},
               {"EvalActionName": "ec2:DescribeVpcs", "EvalDecision": "allowed", "MatchedStatements": []}]
    found = pf.permission_row([(request, results)], 3, "arn:aws:iam::1:user/u")
    assert found["verdict"] == pf.FAIL
    assert "ec2:RunInstances on arn:aws:ec2:r:1:instance/*: explicitly denied by guardrail (line 3, column 5)" in found["detail"]
    assert "ec2:CreateTags" in found["detail"] and "implicitDeny" in found["detail"]
    assert "ec2:DescribeVpcs" not in found["detail"]
    assert "Ec2TagOnCreate in docs/iam-policy.json" in found["fix"]
    assert pf.permission_row([(request, results[2:])], 1, "u")["verdict"] == pf.OK


def test_per_resource_results_decide_when_present():
    request = {"actions": ["s3:X"], "resource": "*", "context": {}}
    results = [{"EvalActionName": "ec2:RunInstances", "EvalDecision": "implicitDeny", "ResourceSpecificResults": [
        {"EvalResourceName": "arn:a", "EvalResourceDecision": "allowed"},
        {"EvalResourceName": "arn:b", "EvalResourceDecision": "implicitDeny"}]}]
    assert [d["resource"] for d in pf.denials([(request, results)])] == ["arn:b"]


@pytest.mark.parametrize("arn, expected", [
    ("arn:aws:iam::1:user/path/u", ("arn", "arn:aws:iam::1:user/path/u")),
    ("arn:aws:sts::1:assumed-role/Deployer/session", ("role", "Deployer")),
    ("arn:aws:iam::1:root", (None, None)),
    ("arn:aws:sts::1:federated-user/bob", (None, None)),
])
def test_who_iam_can_simulate(arn, expected):
    kind, value = pf.simulation_principal(arn)
    assert kind == expected[0]
    if expected[1] is not None:
        assert value == expected[1]
    else:
        assert value  # the reason


# ------------------------------------------------------------------ identity, quotas


def test_a_region_not_enabled_fails():
    caller = {"Arn": "arn:aws:iam::1:user/u", "Account": "1"}
    assert pf.identity_row(caller, "eu-south-2", [{"RegionName": "eu-south-2", "OptInStatus": "not-opted-in"}])["verdict"] == pf.FAIL
    assert pf.identity_row(caller, "xx-1", [])["verdict"] == pf.FAIL
    assert pf.identity_row(caller, "eu-south-2", [{"RegionName": "eu-south-2", "OptInStatus": "opted-in"}])["verdict"] == pf.OK


def test_a_quota_fails_only_when_use_plus_the_run_exceeds_it():
    assert pf.quota_row("vcpus", 10, 0, 10)["verdict"] == pf.OK
    failed = pf.quota_row("vcpus", 10, 2, 10, " vCPUs")
    assert failed["verdict"] == pf.FAIL and "2 in use + 10 this run adds = 12 of 10 vCPUs (L-1216C47A)" in failed["detail"]
    assert pf.quota_row("vcpus", None, 0, 1)["verdict"] == pf.WARN


@pytest.mark.parametrize("instance_type, standard", [("t3.micro", True), ("m5.large", True), ("c7g.large", True),
                                                     ("g5.xlarge", False), ("p4d.24xlarge", False), ("inf2.xlarge", False)])
def test_the_standard_vcpu_quota_counts_a_c_d_h_i_m_r_t_z(instance_type, standard):
    assert pf.standard_family(instance_type) is standard


# ------------------------------------------------------------------ network


def _table(subnet, target, main=False, vpc="vpc-1"):
    association = {"Main": True} if main else {"SubnetId": subnet}
    return {"VpcId": vpc, "Associations": [association], "Routes": [dict(target, DestinationCidrBlock="0.0.0.0/0", State="active")]}


def test_a_subnet_uses_its_own_route_table_else_the_main_one():
    tables = [_table(None, {"GatewayId": "igw-1"}, main=True), _table("subnet-2", {"NatGatewayId": "nat-1"})]
    assert pf.default_route(pf.route_table_of(tables, "subnet-1", "vpc-1")) == "igw"
    assert pf.default_route(pf.route_table_of(tables, "subnet-2", "vpc-1")) == "nat"
    assert pf.default_route({"Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]}) is None


def test_an_internet_facing_load_balancer_needs_internet_gateway_routes():
    tables = [_table(None, {"GatewayId": "igw-1"}, main=True), _table("subnet-2", {"NatGatewayId": "nat-1"})]
    failed = pf.alb_route_row("internet-facing", ["subnet-1", "subnet-2"], tables, "vpc-1")
    assert failed["verdict"] == pf.FAIL and "subnet-2" in failed["detail"] and "subnet-1," not in failed["detail"]
    assert pf.alb_route_row("internal", ["subnet-2"], tables, "vpc-1")["verdict"] == pf.OK


def test_instances_reach_ssm_by_public_ip_nat_or_every_endpoint():
    tables = [_table(None, {"GatewayId": "igw-1"}, main=True), _table("subnet-2", {"NatGatewayId": "nat-1"}),
              {"VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-3"}], "Routes": []}]
    public = {"SubnetId": "subnet-1", "MapPublicIpOnLaunch": True}
    private_igw = {"SubnetId": "subnet-1", "MapPublicIpOnLaunch": False}
    nat = {"SubnetId": "subnet-2"}
    isolated = {"SubnetId": "subnet-3"}
    assert pf.egress_row([public, nat], tables, [], "vpc-1", "r")["verdict"] == pf.OK
    failed = pf.egress_row([private_igw, isolated], tables, [], "vpc-1", "r")
    assert failed["verdict"] == pf.FAIL and "MapPublicIpOnLaunch" in failed["detail"] and "subnet-3 (no 0.0.0.0/0 route)" in failed["detail"]
    endpoints = [{"ServiceName": "com.amazonaws.r.%s" % s, "VpcEndpointType": "Interface", "State": "available"}
                 for s in ("ssm", "ssmmessages", "ec2messages")]
    assert pf.egress_row([isolated], tables, endpoints, "vpc-1", "r")["verdict"] == pf.FAIL  # no S3 gateway
    gateway = [{"ServiceName": "com.amazonaws.r.s3", "VpcEndpointType": "Gateway", "State": "available"}]
    assert pf.egress_row([isolated], tables, endpoints + gateway, "vpc-1", "r")["verdict"] == pf.OK


# ------------------------------------------------------------------ instance type, EBS, role, image, names


def test_a_xen_bake_type_fails_unless_the_bake_no_longer_reads_the_console():
    assert pf.nitro_row("t2.micro", {"Hypervisor": "xen"})["verdict"] == pf.FAIL
    assert pf.nitro_row("t2.micro", {"Hypervisor": "xen"}, needs_console=False)["verdict"] == pf.OK
    assert pf.nitro_row("t3.micro", {"Hypervisor": "nitro"})["verdict"] == pf.OK


def test_standard_credits_warn_unless_the_template_overrides():
    burstable = {"BurstablePerformanceSupported": True}
    assert pf.credit_row("t3.micro", burstable, "standard", "")["verdict"] == pf.WARN
    assert pf.credit_row("t3.micro", burstable, "standard", "unlimited")["verdict"] == pf.OK
    assert pf.credit_row("m5.large", {"BurstablePerformanceSupported": False}, "", "")["verdict"] == pf.OK


def test_free_tier_is_reported_never_assumed():
    assert "FreeTierEligible=unknown" in pf.free_tier_row("t3.micro", {})["detail"]
    assert "FreeTierEligible=false" in pf.free_tier_row("t3.micro", {"FreeTierEligible": False})["detail"]


def test_a_customer_managed_key_must_let_the_auto_scaling_role_use_it():
    account_only = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "kms:*"}]}
    assert pf.key_policy_missing(account_only, SLR) == list(pf.SLR_KEY_ACTIONS)
    allowed = {"Statement": account_only["Statement"] + [{"Effect": "Allow", "Principal": {"AWS": [SLR]}, "Action": [
        "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"]}]}
    assert pf.key_policy_missing(allowed, SLR) == []
    denied = {"Statement": allowed["Statement"] + [{"Effect": "Deny", "Principal": "*", "Action": "kms:CreateGrant"}]}
    assert pf.key_policy_missing(denied, SLR) == ["kms:CreateGrant"]
    key = "arn:aws:kms:r:1:key/k"
    assert pf.ebs_row(True, key, account_only, "", SLR)["verdict"] == pf.FAIL
    assert pf.ebs_row(True, key, allowed, "", SLR)["verdict"] == pf.OK
    assert pf.ebs_row(True, key, None, "AccessDeniedException: no", SLR)["verdict"] == pf.WARN
    assert pf.ebs_row(True, "arn:aws:kms:r:1:alias/aws/ebs", None, "", SLR)["verdict"] == pf.OK
    assert pf.ebs_row(False, "", None, "", SLR)["verdict"] == pf.OK


def test_the_service_linked_role():
    assert pf.slr_row(True, False)["verdict"] == pf.OK
    assert pf.slr_row(False, True)["verdict"] == pf.OK
    assert pf.slr_row(False, False)["verdict"] == pf.FAIL
    assert pf.slr_row(False, None, "not simulated")["verdict"] == pf.WARN


def test_the_source_image_must_match_the_instance_type():
    image = {"ImageId": "ami-1", "Name": "al2023", "Architecture": "arm64"}
    assert pf.image_row(image, "", ["x86_64"])["verdict"] == pf.FAIL
    assert pf.image_row(dict(image, Architecture="x86_64"), "", ["x86_64"])["verdict"] == pf.OK
    assert pf.image_row(None, "no such image", ["x86_64"])["verdict"] == pf.FAIL


def test_names_fit_aws_limits_with_the_real_prefix():
    assert pf.names_row(NAMES)["verdict"] == pf.OK
    long_stack = dict(NAMES, load_balancer="a-very-long-stack-name-12345-alb", target_group="a-very-long-stack-name-12345-tg-x")
    failed = pf.names_row(long_stack)
    assert failed["verdict"] == pf.FAIL and "target_group" in failed["detail"] and "33 characters (limit 32)" in failed["detail"]
    assert "load_balancer" not in failed["detail"]  # 32: fits
    assert pf.names_row(dict(NAMES, load_balancer="internal-web"))["verdict"] == pf.FAIL
    assert pf.names_row(dict(NAMES, target_group="web-"))["verdict"] == pf.FAIL


# ------------------------------------------------------------------ outcome


def test_failures_fail_the_play_and_warnings_only_when_strict():
    rows = [pf.row("a", pf.OK, ""), pf.row("b", pf.WARN, "w", "fix b"), pf.row("c", pf.FAIL, "f", "fix c"), pf.row("d", pf.FAIL, "g")]
    assert [r["check"] for r in pf.failing(rows)] == ["c", "d"]
    assert [r["check"] for r in pf.failing(rows, strict=True)] == ["b", "c", "d"]
    lines = pf.table(rows)
    assert lines[0].startswith("check") and any("FAIL" in line and "f" in line for line in lines)
    assert any("fix: fix c" in line for line in lines)


def test_the_read_policy_holds_every_read_the_preflight_makes():
    reads = set(json.loads((REPO / "docs" / "iam-policy-read.json").read_text())["Statement"][0]["Action"])
    for action in ("iam:SimulatePrincipalPolicy", "servicequotas:GetServiceQuota", "ec2:DescribeRouteTables",
                   "ec2:DescribeVpcEndpoints", "ec2:DescribeRegions", "ec2:GetEbsEncryptionByDefault",
                   "ec2:GetEbsDefaultKmsKeyId", "ec2:GetDefaultCreditSpecification", "kms:GetKeyPolicy"):
        assert action in reads, action


# ------------------------------------------------------------------ what the stages read already


def test_the_rows_read_a_type_known_from_the_stages_as_they_read_describe_instance_types():
    known = {"t3.micro": {"zones": ["ap-northeast-2a", "ap-northeast-2b"],
                          "facts": {"vcpus": 2, "free_tier_eligible": True, "hypervisor": "nitro", "burstable": True,
                                    "architectures": ["x86_64"]}},
             "t2.nano2": {"zones": [], "facts": {}}}
    described = pf.described_types(known)
    assert list(described) == ["t3.micro"]  # a type no zone offers is unknown to DescribeInstanceTypes too
    info = described["t3.micro"]
    assert pf.instance_type_row("t3.micro", info, known["t3.micro"]["zones"])["detail"] == (
        "t3.micro: 2 vCPUs, x86_64; offered in ap-northeast-2a, ap-northeast-2b")
    assert pf.nitro_row("t3.micro", info)["verdict"] == pf.OK
    assert pf.nitro_row("t2.micro", pf.described_types({"t2.micro": {"zones": ["a"], "facts": {"hypervisor": "xen"}}})["t2.micro"]
                        )["verdict"] == pf.FAIL


def test_a_source_image_known_from_the_bake_reads_as_describe_images():
    image = pf.described_image({"image_id": "ami-1", "name": "al2023", "architecture": "arm64", "root_device_name": "/dev/xvda"})
    assert image == {"ImageId": "ami-1", "Name": "al2023", "Architecture": "arm64"}
    assert pf.image_row(image, "", ["x86_64"])["verdict"] == pf.FAIL


def test_subnets_known_from_the_network_stage_read_as_describe_subnets():
    subnet = pf.described_subnet({"subnet_id": "subnet-1", "vpc_id": "vpc-1", "availability_zone": "ap-northeast-2a",
                                  "state": "available", "default_for_az": True, "available_ip_address_count": 4000,
                                  "map_public_ip_on_launch": False})
    tables = [{"VpcId": "vpc-1", "Associations": [{"Main": True}], "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}]}]
    # An internet gateway route without a public IP strands the instances: the field must carry over.
    assert pf.egress_row([subnet], tables, [], "vpc-1", "ap-northeast-2")["verdict"] == pf.FAIL
    assert pf.egress_row([dict(subnet, MapPublicIpOnLaunch=True)], tables, [], "vpc-1", "ap-northeast-2")["verdict"] == pf.OK
