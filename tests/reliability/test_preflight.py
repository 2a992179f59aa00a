"""Preflight (playbooks/preflight.yml, run first by site.yml): read-only, and it names every check that
fails before anything is created.

For each failing row: the condition is set up through the AWS API (or a fault hook), preflight fails
naming that row, and the request log shows no mutating call; the same run with the condition removed
passes, so that the test can fail. The permission rows run on a sandbox that enforces IAM, as the
least-privilege identity (docs/iam-policy-read.json + docs/iam-policy.json) and as that identity
with one action taken away.
"""

from __future__ import annotations

import copy
import json

import pytest

from conftest import (DEFAULT_REGION, format_calls, mutating_calls, region_zones, run_playbook, start_sandbox,
                      stack_resources, unique_name, write_inventory)
from test_least_privilege import policy_documents

SLR_ARN = ("arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/"
           "AWSServiceRoleForAutoScaling")


def run_preflight(box, tmp_path, hosts, extra_vars=None, env=None, playbook="playbooks/preflight.yml"):
    """Run preflight (or site.yml) for `hosts` with a clear request log: (run, {stack: report rows}, mutating calls)."""
    inventory = write_inventory(tmp_path / "inventory", hosts)
    reports = tmp_path / "reports"
    box.clear_requests()
    run = run_playbook(playbook, sandbox=box, inventory=inventory, env=env, skip_tags=["scale_test"],
                       extra_vars=dict(extra_vars or {}, preflight_reports_dir=str(reports)), timeout=600)
    rows = {}
    for host, values in hosts.items():
        path = reports / values["stack_name"] / "preflight.json"
        rows[values["stack_name"]] = json.loads(path.read_text())["rows"] if path.exists() else None
    return run, rows, mutating_calls(box)


def verdicts(rows, verdict):
    return {r["check"]: r["detail"] for r in rows if r["verdict"] == verdict}


def assert_fails_naming(run, rows, mutating, checks, words=()):
    """Preflight failed, named each of `checks` as a failing row (and in the play's message), and
    made no mutating call."""
    assert run.rc != 0, run.describe()
    failed = verdicts(rows, "fail")
    assert set(checks) <= set(failed), failed
    message = " ".join(m for items in run.failures.values() for _task, m in items)
    for check in checks:
        assert check in message, message
    for word in words:
        assert any(word in detail for detail in failed.values()), (word, failed)
    assert not mutating, format_calls(mutating)


def assert_passes(run, rows, mutating):
    assert run.rc == 0, run.describe()
    assert not verdicts(rows, "fail"), verdicts(rows, "fail")
    assert not mutating, format_calls(mutating)


# ------------------------------------------------------------------ the demo stacks, and account conditions


def test_preflight_passes_for_both_demo_stacks_read_only(sandbox, tmp_path):
    hosts = {"demo": {"stack_name": unique_name("pf")},
             "demo-east": {"stack_name": unique_name("pf"), "scaleout_aws_region": "us-east-1"}}
    run, rows, mutating = run_preflight(sandbox, tmp_path, hosts)
    for stack_rows in rows.values():
        assert_passes(run, stack_rows, mutating)
        checks = [r["check"] for r in stack_rows]
        for expected in ("identity and region", "permissions", "network: VPC", "network: zones", "instance type",
                         "EBS encryption by default", "source image", "names and limits"):
            assert expected in checks, checks
        assert sum(c.startswith("quota: ") for c in checks) == 6, checks
    # Each host printed its table: a header and at least one line per row.
    for host, values in hosts.items():
        printed = [r["msg"] for name, r in run.results[host] if name.endswith("Show the preflight table")]
        assert printed and len(printed[0]) > len(rows[values["stack_name"]]), printed


def test_a_low_vcpu_quota_fails_preflight_and_site_creates_nothing(sandbox, tmp_path):
    stack = unique_name("pfq")
    hosts = {stack: {"stack_name": stack}}
    # A new account's applied value: 5 vCPUs; the group's max size 4 x 2 + the bake's 2 need 10.
    sandbox.set_faults({"quotas": [{"service_code": "ec2", "quota_code": "L-1216C47A", "value": 5}]})
    try:
        run, rows, mutating = run_preflight(sandbox, tmp_path / "low", hosts, playbook="playbooks/site.yml")
    finally:
        sandbox.set_faults({"quotas": []})
    assert_fails_naming(run, rows[stack], mutating, ["quota: Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs)"],
                        ["L-1216C47A", "of 5 vCPUs"])
    assert not stack_resources(sandbox, stack)
    # The condition removed (a quota of 10 vCPUs: exactly enough): it passes.
    sandbox.set_faults({"quotas": [{"service_code": "ec2", "quota_code": "L-1216C47A", "value": 10}]})
    try:
        run, rows, mutating = run_preflight(sandbox, tmp_path / "enough", hosts)
    finally:
        sandbox.set_faults({"quotas": []})
    assert_passes(run, rows[stack], mutating)


def _vpc_without_internet(sandbox, region=DEFAULT_REGION):
    ec2 = sandbox.client("ec2", region=region)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{n}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
               for n, zone in enumerate(region_zones(sandbox, region)[:2])]
    return ec2, vpc, subnets


def test_a_vpc_without_an_internet_gateway_fails_preflight(sandbox, tmp_path):
    ec2, vpc, subnets = _vpc_without_internet(sandbox)
    stack = unique_name("pfn")
    hosts = {stack: {"stack_name": stack, "network_vpc_id": vpc}}
    run, rows, mutating = run_preflight(sandbox, tmp_path / "closed", hosts)
    assert_fails_naming(run, rows[stack], mutating, ["network: load balancer subnets", "network: SSM and package repositories"],
                        ["internet gateway", subnets[0]])
    # The condition removed: an internet gateway, the default route to it, public IPs on launch.
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                              {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    for subnet in subnets:
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    run, rows, mutating = run_preflight(sandbox, tmp_path / "open", hosts)
    assert_passes(run, rows[stack], mutating)


def test_private_subnets_pass_with_the_ssm_and_s3_endpoints(sandbox, tmp_path):
    ec2, vpc, subnets = _vpc_without_internet(sandbox)
    stack = unique_name("pfe")
    hosts = {stack: {"stack_name": stack, "network_vpc_id": vpc, "load_balancer_scheme": "internal"}}
    run, rows, mutating = run_preflight(sandbox, tmp_path / "none", hosts)
    assert_fails_naming(run, rows[stack], mutating, ["network: SSM and package repositories"], ["ssmmessages"])
    for service in ("ssm", "ssmmessages", "ec2messages"):
        ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", SubnetIds=subnets,
                                ServiceName=f"com.amazonaws.{DEFAULT_REGION}.{service}")
    ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Gateway", ServiceName=f"com.amazonaws.{DEFAULT_REGION}.s3")
    run, rows, mutating = run_preflight(sandbox, tmp_path / "endpoints", hosts)
    assert_passes(run, rows[stack], mutating)


def test_a_xen_bake_instance_type_fails_preflight(sandbox, tmp_path):
    stack = unique_name("pfx")
    run, rows, mutating = run_preflight(sandbox, tmp_path / "xen", {stack: {"stack_name": stack}},
                                        {"bake_instance_type": "t2.micro"})
    assert_fails_naming(run, rows[stack], mutating, ["instance type: Nitro (bake t2.micro)"], ["xen"])
    run, rows, mutating = run_preflight(sandbox, tmp_path / "nitro", {stack: {"stack_name": stack}},
                                        {"bake_instance_type": "t3.micro"})
    assert_passes(run, rows[stack], mutating)


def test_a_customer_managed_default_key_that_auto_scaling_may_not_use_fails_preflight(sandbox, tmp_path):
    ec2, kms = sandbox.client("ec2"), sandbox.client("kms")
    key = kms.create_key(Description="ebs default")["KeyMetadata"]  # the default key policy: the account only
    ec2.enable_ebs_encryption_by_default()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key["KeyId"])
    stack = unique_name("pfk")
    try:
        run, rows, mutating = run_preflight(sandbox, tmp_path / "cmk", {stack: {"stack_name": stack}})
        assert_fails_naming(run, rows[stack], mutating, ["EBS encryption by default"], [key["Arn"], "kms:CreateGrant"])
        # The condition removed: the key policy lets the Auto Scaling service-linked role use the key.
        policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
        policy["Statement"].append({"Sid": "AutoScalingUse", "Effect": "Allow", "Principal": {"AWS": SLR_ARN},
                                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                                               "kms:DescribeKey", "kms:CreateGrant"], "Resource": "*"})
        kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(policy))
        run, rows, mutating = run_preflight(sandbox, tmp_path / "allowed", {stack: {"stack_name": stack}})
        assert_passes(run, rows[stack], mutating)
    finally:
        ec2.reset_ebs_default_kms_key_id()
        ec2.disable_ebs_encryption_by_default()


def test_names_too_long_for_aws_fail_preflight(sandbox, tmp_path):
    # An image name is the prefix plus "-YYYYMMDDTHHMMSSZ": AWS allows 128 characters in all.
    stack = unique_name("pfl")
    hosts = {stack: {"stack_name": stack, "bake_image_name_prefix": "i" * 112}}
    run, rows, mutating = run_preflight(sandbox, tmp_path / "long", hosts)
    # The settings check that preflight.yml runs first (each stage's validate) refuses it already,
    # naming the variable; the preflight's own "names and limits" row is the second line for names
    # no setting rule sees (unit test test_names_fit_aws_limits_with_the_real_prefix).
    assert run.rc != 0, run.describe()
    message = " ".join(m for items in run.failures.values() for _task, m in items)
    assert "bake_image_name_prefix" in message and "111" in message, message
    assert rows[stack] is None, "the preflight ran after a setting was refused"
    assert not mutating, format_calls(mutating)
    hosts[stack]["bake_image_name_prefix"] = "i" * 111
    run, rows, mutating = run_preflight(sandbox, tmp_path / "fits", hosts)
    assert_passes(run, rows[stack], mutating)


# ------------------------------------------------------------------ permissions, on a sandbox that enforces IAM


@pytest.fixture(scope="module")
def enforcing(tmp_path_factory):
    box = start_sandbox(tmp_path_factory.mktemp("preflight-iam"), env={"SCALEOUT_SANDBOX_IAM_ENFORCE": "1"})
    try:
        assert box.health()["iam_enforced"] is True
        yield box
    finally:
        box.server.down()


def _user(box, name, documents):
    user = box.create_user(name, documents)
    return user, {"SCALEOUT_SANDBOX_ACCESS_KEY": user["access_key_id"], "SCALEOUT_SANDBOX_SECRET_KEY": user["secret_access_key"]}


def _without(documents, action):
    documents = copy.deepcopy(documents)
    for document in documents:
        for statement in document["Statement"]:
            statement["Action"] = [a for a in statement["Action"] if a != action]
        document["Statement"] = [s for s in document["Statement"] if s["Action"]]
    return documents


def test_the_least_privilege_identity_passes_preflight_with_every_action_simulated(enforcing, tmp_path):
    user, env = _user(enforcing, "pf-deployer", policy_documents())
    stack = unique_name("pfp")
    run, rows, mutating = run_preflight(enforcing, tmp_path, {stack: {"stack_name": stack}}, env=env)
    assert_passes(run, rows[stack], mutating)
    permissions = next(r for r in rows[stack] if r["check"] == "permissions")
    assert permissions["verdict"] == "ok" and user["arn"] in permissions["detail"], permissions
    simulated = [c for c in mutating_calls(enforcing) + enforcing.requests() if c.get("action") == "SimulatePrincipalPolicy"]
    assert simulated and all(c.get("status") == 200 for c in simulated)


def test_one_action_removed_fails_site_before_anything_is_created(enforcing, tmp_path):
    removed = "elasticloadbalancing:CreateTargetGroup"
    user, env = _user(enforcing, "pf-short", _without(policy_documents(), removed))
    stack = unique_name("pfd")
    run, rows, mutating = run_preflight(enforcing, tmp_path, {stack: {"stack_name": stack}}, env=env,
                                        playbook="playbooks/site.yml")
    assert_fails_naming(run, rows[stack], mutating, ["permissions"], [removed, "implicitDeny"])
    failed = verdicts(rows[stack], "fail")
    assert list(failed) == ["permissions"], failed
    assert "targetgroup/%s-tg/" % stack in failed["permissions"]
    assert not stack_resources(enforcing, stack)


def test_a_missing_service_linked_role_the_caller_may_not_create_fails_preflight(enforcing, tmp_path):
    documents = policy_documents() + [{"Version": "2012-10-17", "Statement": [{
        "Sid": "NoAutoScalingRole", "Effect": "Deny", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
        "Condition": {"StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}}}]}]
    _user_info, env = _user(enforcing, "pf-noslr", documents)
    stack = unique_name("pfs")
    run, rows, mutating = run_preflight(enforcing, tmp_path / "missing", {stack: {"stack_name": stack}}, env=env)
    assert_fails_naming(run, rows[stack], mutating, ["service-linked role AWSServiceRoleForAutoScaling", "permissions"],
                        ["explicitDeny", "pf-noslr-policy-3"])
    # The condition removed: the role exists (made once by an administrator).
    iam = enforcing.client("iam")
    iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    try:
        run, rows, mutating = run_preflight(enforcing, tmp_path / "exists", {stack: {"stack_name": stack}}, env=env)
        assert_passes(run, rows[stack], mutating)
    finally:
        iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling")


def test_a_caller_that_may_not_simulate_gets_a_warning_and_strict_fails(enforcing, tmp_path):
    _user_info, env = _user(enforcing, "pf-nosim", _without(policy_documents(), "iam:SimulatePrincipalPolicy"))
    stack = unique_name("pfw")
    run, rows, mutating = run_preflight(enforcing, tmp_path / "warn", {stack: {"stack_name": stack}}, env=env)
    assert_passes(run, rows[stack], mutating)
    warned = verdicts(rows[stack], "warn")
    assert "iam:SimulatePrincipalPolicy" in warned.get("permissions", ""), warned
    run, rows, mutating = run_preflight(enforcing, tmp_path / "strict", {stack: {"stack_name": stack}}, env=env,
                                        extra_vars={"preflight_strict": True})
    assert run.rc != 0 and "permissions" in " ".join(m for items in run.failures.values() for _t, m in items)
    assert not mutating, format_calls(mutating)
