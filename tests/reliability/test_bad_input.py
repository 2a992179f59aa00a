"""Bad input fails before anything is created, with a message naming the variable and the rule.

One ``ansible-playbook playbooks/site.yml --skip-tags scale_test`` run converges a generated
inventory with one host (one stack) per invalid input of the table below. Every host must fail, and
the message of its failure must name the variable and the rule; the sandbox's request log must show
no mutating AWS call for the whole run, and no resource may exist afterwards that did not exist
before (whatever its name or tags).

Cases that need the sandbox's faults (a type no zone of the region offers, a single zone offering
it) each get an instance type that no other host uses, so that the faults touch nobody else (and
every host stays in one region: a region's first EC2 call costs the sandbox seconds of CPU).

Cost: a host whose bad value is a later stage's (load balancer, bake, launch template, scaling
group) first passes the network stage's AWS reads, about five seconds of CPU each; a host that
fails on its first checks costs a tenth of that. The table keeps one or two cases per rule and
mechanism; every value rule is also unit-tested (tests/unit/plugins/module_utils/test_validation.py).
"""

from __future__ import annotations

import time

import pytest

PLAYBOOK = "playbooks/site.yml"
HOME_REGION = "ap-northeast-2"


class Case:
    """One invalid input.

    id: the test id and the host name (the stack name is unique per case, unless `host_vars` sets one).
    host_vars: the host's variables (on top of the sandbox inventory's group_vars).
    variable, rule: substrings the failure message must contain (rule: str or list of alternatives).
    unoffered: instance type -> the zones of HOME_REGION made not to offer it (sandbox faults): a
        list, "all" or "all-but-one" (every zone that offers it but the first). Use a type no
        other case uses.
    """

    def __init__(self, id, host_vars, variable, rule, unoffered=None):
        self.id, self.host_vars, self.variable, self.rule = id, dict(host_vars), variable, rule
        self.unoffered = unoffered or {}

    def vars(self, stack_name, refs=None):
        """The host's variables; a Ref is replaced by the id of a resource the fixture made (`refs`)."""
        values = {"stack_name": stack_name}
        values.update(self.host_vars)
        return {k: _resolve(v, refs or {}) for k, v in values.items()}


class Ref:
    """A resource the fixture makes before the run (an existing id the case points at)."""

    def __init__(self, name):
        self.name = name


def _resolve(value, refs):
    if isinstance(value, Ref):
        return refs[value.name]
    if isinstance(value, list):
        return [_resolve(v, refs) for v in value]
    return value


# 31 characters: the load balancer's name "<stack_name>-alb" would exceed AWS's 32 (the rule: at most 20).
LONG_NAME = "reliability-stack-name-too-long"

CASES = [
    # --- capacity ---------------------------------------------------------------------------
    Case("min-above-max", {"scaling_group_min_size": 5, "scaling_group_max_size": 2},
         "scaling_group_min_size", "must be <= scaling_group_max_size"),
    Case("desired-above-max", {"scaling_group_min_size": 1, "scaling_group_max_size": 4, "scaling_group_desired_capacity": 6},
         "scaling_group_desired_capacity", "must lie between"),
    Case("max-absurd", {"scaling_group_max_size": 100000},
         "scaling_group_max_size", "at most scaling_group_max_size_limit=1000"),
    Case("scale-target-above-max", {"scaling_group_max_size": 4, "scale_test_target_count": 9},
         "scale_test_target_count", "must be <= scaling_group_max_size=4"),
    # --- scaling policy -----------------------------------------------------------------------
    Case("target-cpu-zero", {"scaling_group_target_cpu": 0},
         "scaling_group_target_cpu", "above 0 and at most 100"),
    Case("target-cpu-101", {"scaling_group_target_cpu": 101},
         "scaling_group_target_cpu", "above 0 and at most 100"),
    Case("target-cpu-text", {"scaling_group_target_cpu": "lots"},
         "scaling_group_target_cpu", "unable to convert to float"),
    Case("warmup-negative", {"scaling_group_instance_warmup": -30},
         "scaling_group_instance_warmup", "whole number >= 0"),
    # --- network ------------------------------------------------------------------------------
    Case("ssh-cidr-invalid", {"network_ssh_cidrs": ["203.0.113.300/32"]},
         "network_ssh_cidrs", "not a valid CIDR block"),
    Case("ssh-cidr-host-bits", {"network_ssh_cidrs": ["203.0.113.7/24"]},
         "network_ssh_cidrs", "not a valid CIDR block"),
    Case("ssh-cidr-no-prefix", {"network_ssh_cidrs": ["203.0.113.7"]},
         "network_ssh_cidrs", "give the prefix length too"),
    Case("ssh-world", {"network_ssh_cidrs": ["0.0.0.0/0"]},
         "network_ssh_allow_world", "SSH open to the whole internet is refused"),
    Case("ssh-world-v6", {"network_ssh_cidrs": ["::/0"]},
         "network_ssh_allow_world", "SSH open to the whole internet is refused"),
    Case("alb-ingress-invalid", {"network_alb_ingress_cidrs": ["everyone"]},
         "network_alb_ingress_cidrs", "not a valid CIDR block"),
    Case("max-zones-one", {"network_max_zones": 1},
         "network_max_zones", "or at least network_min_zones=2"),
    Case("min-zones-one", {"network_min_zones": 1},
         "network_min_zones", "whole number >= 2"),
    Case("vpc-unknown", {"network_vpc_id": "vpc-0123456789abcdef0"},
         "network_vpc_id", "no such VPC"),
    Case("subnet-unknown", {"network_subnet_ids": ["subnet-0123456789abcdef0"]},
         "network_subnet_ids", "no such subnet"),
    # --- instance type and zones --------------------------------------------------------------
    Case("type-unknown", {"stack_instance_type": "t3.gigantic"},
         "stack_instance_type", "no availability zone of this region offers it"),
    Case("type-malformed", {"stack_instance_type": "large"},
         "stack_instance_type", "not an EC2 instance type name"),
    Case("type-unoffered", {"stack_instance_type": "t3.small"},
         "stack_instance_type", "no availability zone of this region offers it",
         unoffered={"t3.small": "all"}),
    Case("type-one-zone", {"stack_instance_type": "t3.medium"},
         "stack_instance_type", "at least 2 are needed",
         unoffered={"t3.medium": "all-but-one"}),
    # --- names --------------------------------------------------------------------------------
    Case("name-too-long", {"stack_name": LONG_NAME},
         "stack_name", "at most 20 characters"),
    Case("name-bad-chars", {"stack_name": "web_tier.1"},
         "stack_name", "only letters, digits and hyphens"),
    Case("name-internal", {"stack_name": "internal-web"},
         "stack_name", "must not start with 'internal-'"),
    Case("tag-reserved-prefix", {"stack_tags": {"aws:owner": "me"}},
         "stack_tags", "reserved prefix 'aws:'"),
    # --- ports and health checks --------------------------------------------------------------
    Case("app-port-zero", {"stack_app_port": 0},
         "stack_app_port", "port number from 1 to 65535"),
    Case("app-port-70000", {"stack_app_port": 70000},
         "stack_app_port", "port number from 1 to 65535"),
    Case("app-port-text", {"stack_app_port": "http"},
         "stack_app_port", "unable to convert to int"),
    Case("health-path-relative", {"load_balancer_health_check_path": "health"},
         "load_balancer_health_check_path", "starting with '/'"),
    Case("health-matcher-bad", {"load_balancer_health_check_matcher": "ok"},
         "load_balancer_health_check_matcher", "HTTP status codes from 200 to 499"),
    Case("certificate-arn-malformed", {"stack_certificate_arn": "my-certificate"},
         "stack_certificate_arn", "must be empty (HTTP only) or a certificate ARN"),
    # --- region -------------------------------------------------------------------------------
    Case("region-empty", {"scaleout_aws_region": ""},
         "scaleout_aws_region", "must be set to the AWS region"),
    Case("region-unknown", {"scaleout_aws_region": "xx-nowhere-9"},
         "scaleout_aws_region", "not an AWS region name"),
    # --- images -------------------------------------------------------------------------------
    Case("image-id-unknown", {"bake_source_image_id": "ami-0123456789abcdef0"},
         "bake_source_image_id", "no such image"),
    Case("image-pattern-nothing", {"bake_source_name_pattern": "no-such-image-*"},
         "bake_source_name_pattern", "no available image matches"),
    Case("template-image-unknown", {"launch_template_image_id": "ami-0fedcba9876543210"},
         "launch_template_image_id", "no such image"),
    # --- bake ---------------------------------------------------------------------------------
    Case("keep-images-zero", {"bake_keep_images": 0},
         "bake_keep_images", "whole number >= 1"),
    Case("provision-timeout-negative", {"bake_provision_timeout": -5},
         "bake_provision_timeout", "whole number >= 1"),
    # --- AWS's naming rules and lengths (issue 20) --------------------------------------------
    Case("sg-name-reserved-prefix", {"network_alb_security_group_name": "sg-web"},
         "network_alb_security_group_name", "must not start with 'sg-'"),
    Case("sg-name-too-long", {"network_instance_security_group_name": "w" * 256},
         "network_instance_security_group_name", "at most 255 characters"),
    Case("sg-name-bad-chars", {"network_instance_security_group_name": "web|tier"},
         "network_instance_security_group_name", "only letters, digits, spaces"),
    Case("sg-name-stray-space", {"network_alb_security_group_name": "web-alb "},
         "network_alb_security_group_name", "leading or trailing whitespace"),
    Case("image-prefix-bad-chars", {"bake_image_name_prefix": "web image!"},
         "bake_image_name_prefix", "an image name has only letters"),
    Case("image-prefix-too-long", {"bake_image_name_prefix": "w" * 112},
         "bake_image_name_prefix", "at most 111 characters"),
    Case("asg-name-too-long", {"scaling_group_name": "g" * 256},
         "scaling_group_name", "at most 255 characters"),
    Case("asg-name-stray-newline", {"scaling_group_name": "web-asg\n"},
         "scaling_group_name", "leading or trailing whitespace"),
    Case("policy-name-too-long", {"scaling_group_policy_name": "p" * 256},
         "scaling_group_policy_name", "at most 255 characters"),
    Case("template-name-space", {"launch_template_name": "web tier"},
         "launch_template_name", "3 to 128 characters"),
    Case("profile-given-as-arn", {"launch_template_instance_profile": "arn:aws:iam::123456789012:instance-profile/web"},
         "launch_template_instance_profile", "not its ARN"),
    Case("lb-name-internal", {"load_balancer_name": "internal-web"},
         "load_balancer_name", "must not start with 'internal-'"),
    Case("lb-name-too-long", {"load_balancer_name": "a" * 33},
         "load_balancer_name", "at most 32 characters"),
    Case("tg-name-trailing-hyphen", {"load_balancer_target_group_name": "web-tg-"},
         "load_balancer_target_group_name", "not starting or ending with a hyphen"),
    Case("subnet-id-malformed", {"network_subnet_ids": ["subnet-1"]},
         "network_subnet_ids", "not a subnet id"),
    Case("vpc-id-malformed", {"network_vpc_id": "vpc-main"},
         "network_vpc_id", "not a VPC id"),
    Case("sg-id-malformed", {"launch_template_security_group_ids": ["web-sg"]},
         "launch_template_security_group_ids", "not a security group id"),
    # --- numbers outside AWS's ranges ---------------------------------------------------------
    Case("cooldown-negative", {"scaling_group_default_cooldown": -1},
         "scaling_group_default_cooldown", "whole number >= 0"),
    Case("group-poll-interval-zero", {"scaling_group_poll_interval": 0},
         "scaling_group_poll_interval", "whole number >= 1"),
    Case("lb-poll-interval-zero", {"load_balancer_poll_interval": 0},
         "load_balancer_poll_interval", "whole number >= 1"),
    Case("lb-wait-timeout-negative", {"load_balancer_wait_timeout": -60},
         "load_balancer_wait_timeout", "whole number >= 1"),
    Case("scale-duration-zero", {"scale_test_duration": 0},
         "scale_test_duration", "whole number >= 1"),
    Case("health-interval-400", {"load_balancer_health_check_interval": 400},
         "load_balancer_health_check_interval", "from 5 to 300"),
    Case("health-timeout-1", {"load_balancer_health_check_timeout": 1},
         "load_balancer_health_check_timeout", "from 2 to 120"),
    Case("healthy-threshold-11", {"load_balancer_healthy_threshold": 11},
         "load_balancer_healthy_threshold", "from 2 to 10"),
    Case("deregistration-4000", {"load_balancer_deregistration_delay": 4000},
         "load_balancer_deregistration_delay", "from 0 to 3600"),
    Case("refresh-healthy-150", {"scaling_group_refresh_min_healthy": 150},
         "scaling_group_refresh_min_healthy", "from 0 to 100"),
    Case("volume-st1-too-small", {"launch_template_volume_type": "st1", "launch_template_volume_size": 8},
         "launch_template_volume_size", "a st1 volume is 125 to 16384 GiB"),
    Case("volume-gp3-too-big", {"launch_template_volume_size": 20000},
         "launch_template_volume_size", "a gp3 volume is 1 to 16384 GiB"),
    # --- enumerations AWS does not know -------------------------------------------------------
    Case("process-unknown", {"scaling_group_suspended_processes": ["Lunch"]},
         "scaling_group_suspended_processes", "not an Auto Scaling process"),
    Case("bake-type-malformed", {"bake_instance_type": "t3-micro"},
         "bake_instance_type", "not an EC2 instance type name"),
    Case("bake-type-unknown", {"bake_instance_type": "t3.colossal"},
         "bake_instance_type", "no zone of this region offers it"),
    Case("volume-type-unknown", {"launch_template_volume_type": "gp4"},
         "launch_template_volume_type", "must be one of"),
    Case("scheme-unknown", {"load_balancer_scheme": "public"},
         "load_balancer_scheme", "must be one of"),
    Case("health-check-type-unknown", {"scaling_group_health_check_type": "HTTP"},
         "scaling_group_health_check_type", "must be one of"),
    # --- a misspelt region, a certificate of another region -----------------------------------
    Case("region-misspelt", {"scaleout_aws_region": "ap-nrotheast-2"},
         "scaleout_aws_region", "not an AWS region name"),
    Case("region-stray-space", {"scaleout_aws_region": "ap-northeast-2 "},
         "scaleout_aws_region", "not an AWS region name"),
    Case("certificate-other-region",
         {"stack_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"},
         "stack_certificate_arn", "cannot serve a load balancer in scaleout_aws_region=ap-northeast-2"),
    # --- topology and references that only AWS can check (read-only, in discover) -------------
    Case("subnets-two-vpcs", {"network_subnet_ids": [Ref("default_subnet"), Ref("other_vpc_subnet")]},
         "network_subnet_ids", "belong to different VPCs"),
    Case("profile-missing", {"launch_template_instance_profile": "no-such-profile"},
         "launch_template_instance_profile", "no such IAM instance profile"),
    Case("bake-profile-missing", {"bake_instance_profile": "no-such-bake-profile"},
         "bake_instance_profile", "no such IAM instance profile"),
    Case("certificate-missing",
         {"stack_certificate_arn": "arn:aws:acm:ap-northeast-2:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"},
         "stack_certificate_arn", "no such certificate in ACM"),
    Case("sg-missing", {"launch_template_security_group_ids": ["sg-0123456789abcdef0"]},
         "launch_template_security_group_ids", "no such security group"),
    Case("sg-other-vpc", {"launch_template_security_group_ids": [Ref("other_vpc_group")]},
         "launch_template_security_group_ids", "not in the VPC of the stack"),
]

IDS = [case.id for case in CASES]
assert len(set(IDS)) == len(IDS), "case ids must be unique"
assert len(CASES) >= 60, "issue 20: at least 60 bad inputs"


def _matches(message, rule):
    alternatives = [rule] if isinstance(rule, str) else list(rule)
    return any(alt in message for alt in alternatives)


@pytest.fixture(scope="module")
def bad_run(sandbox, reliability, tmp_path_factory):
    """The one playbook run over every case, and what the sandbox saw: (run, every AWS call it served, resource diff)."""
    ec2 = sandbox.client("ec2", region=HOME_REGION)
    faults = []
    for case in CASES:
        for instance_type, zones in case.unoffered.items():
            if zones in ("all", "all-but-one"):
                offered = ec2.describe_instance_type_offerings(
                    LocationType="availability-zone",
                    Filters=[{"Name": "instance-type", "Values": [instance_type]}])["InstanceTypeOfferings"]
                zones = sorted(o["Location"] for o in offered)[(zones == "all-but-one"):]
            faults += [{"zone": zone, "instance_type": instance_type} for zone in zones]
    # The type of every other host must stay offered where it was.
    fault_types = {f["instance_type"] for f in faults}
    assert not fault_types & {c.host_vars.get("stack_instance_type", "t3.micro") for c in CASES if not c.unoffered}
    # Stack names unique to this session (the sandbox is shared), short enough to be valid.
    token = reliability.unique_name("bi")
    # What the reference cases point at: a subnet of the default VPC, and a subnet and a security
    # group of another VPC (made before the snapshot below, removed after the run).
    default_subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    other_vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.91.1.0/24",
                                     AvailabilityZone=default_subnets[0]["AvailabilityZone"])["Subnet"]["SubnetId"]
    other_group = ec2.create_security_group(GroupName=f"{token}-other", Description="bad input: another VPC",
                                            VpcId=other_vpc)["GroupId"]
    refs = {"default_subnet": sorted(s["SubnetId"] for s in default_subnets)[0], "other_vpc_subnet": other_subnet,
            "other_vpc_group": other_group}
    inventory = reliability.write_inventory(tmp_path_factory.mktemp("bad-input-inventory"),
                                            {case.id: case.vars(f"{token}-{n:02d}", refs) for n, case in enumerate(CASES)})
    previous_faults = sandbox.faults()
    sandbox.set_faults({"unoffered": previous_faults["unoffered"] + faults})
    started = time.monotonic()
    try:
        before = reliability.resource_snapshot(sandbox, [HOME_REGION])
        reliability.clear_requests(sandbox)
        run = reliability.run_playbook(PLAYBOOK, sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"],
                                       forks=10, timeout=600)
        calls = reliability.requests_log(sandbox)
        diff = reliability.snapshot_diff(before, reliability.resource_snapshot(sandbox, [HOME_REGION]))
    finally:
        sandbox.set_faults({"unoffered": previous_faults["unoffered"]})
        ec2.delete_security_group(GroupId=other_group)
        ec2.delete_subnet(SubnetId=other_subnet)
        ec2.delete_vpc(VpcId=other_vpc)
    print(f"\nbad input: {len(CASES)} cases refused in one run of {time.monotonic() - started:.0f} s")
    assert run.data is not None, "no JSON output from the run:\n" + run.describe()
    return run, calls, diff


def test_no_mutating_call_at_all(bad_run, reliability):
    _run, calls, _diff = bad_run
    # The log saw the run's read-only checks (else "no mutating call" would prove nothing).
    assert {"DescribeInstanceTypeOfferings", "DescribeImages"} <= {c["action"] for c in calls}, \
        reliability.format_calls(calls)
    mutating = [c for c in calls if c["mutating"]]
    assert not mutating, "bad input reached a mutating AWS call:\n" + reliability.format_calls(mutating)


def test_nothing_was_created(bad_run):
    _run, _calls, diff = bad_run
    assert not diff["added"] and not diff["removed"], f"resources changed during the run: {diff}"


def test_the_run_failed_for_every_stack(bad_run):
    run, _calls, _diff = bad_run
    assert run.rc != 0
    assert not run.timed_out, run.describe()
    assert set(run.stats) == set(IDS), run.describe()
    assert run.failed_hosts() == set(IDS), "hosts that did not fail: %s\n%s" % (
        sorted(set(IDS) - run.failed_hosts()), run.describe())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bad_input_is_named(bad_run, case):
    run, _calls, _diff = bad_run
    failures = run.failures.get(case.id)
    assert failures, f"{case.id} did not fail; its tasks: {[t for t, _r in run.results.get(case.id, [])]}"
    task, message = failures[-1]
    assert case.variable in message and _matches(message, case.rule), (
        f"{case.id}: the failure must name {case.variable!r} and the rule {case.rule!r}; "
        f"it failed in [{task}] with: {message}")
