"""Least privilege: the whole lifecycle runs as an IAM user holding only the collection's policies
(docs/iam-policy-read.json and docs/iam-policy.json), on a sandbox that enforces IAM, and the
policies hold no action that the lifecycle does not use.

The lifecycle (each site.yml run starts with the read-only preflight, which simulates every action of
the policies with iam:SimulatePrincipalPolicy): a first converge (bake, deploy), a converge that changes settings (SSH rule, group
size, health check) and forces a rebake (new template version, instance refresh), the scale test
(which also takes the SSH rule away again), and teardown.

What the sandbox proves and what it cannot (docs/sandbox.md, "IAM enforcement"): it evaluates the
policy as AWS does - every call on each of its resource ARNs, with the tag and other condition keys,
and the checks AWS adds (tags on create, iam:PassRole) - so a missing action, a too narrow ARN or a
condition the run does not meet fails the run; the log entry of a refused call says which check
failed ("denial").
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import DEFAULT_REGION, REPO, requests_log, run_playbook, start_sandbox, write_inventory

POLICIES = [REPO / "docs" / "iam-policy-read.json", REPO / "docs" / "iam-policy.json"]
# AWS's limit for a customer managed policy: characters, not counting white space.
MANAGED_POLICY_LIMIT = 6144

# Actions AWS authorizes as part of another call, so they never show in a request log. Each is in
# the policy for the reason given, and the call named must be one the run made.
IMPLIED = {
    "ec2:CreateTags": ("ec2:RunInstances", "tags given at creation (TagSpecifications) need CreateTags"),
    "elasticloadbalancing:AddTags": ("elasticloadbalancing:CreateLoadBalancer", "tags given at creation"),
    "iam:TagRole": ("iam:CreateRole", "tags given at role creation"),
    "iam:TagInstanceProfile": ("iam:CreateInstanceProfile", "tags given at instance profile creation"),
    "ssm:AddTagsToResource": ("ssm:PutParameter", "tags given when the stack's lock parameter is created"),
    "iam:PassRole": ("autoscaling:CreateAutoScalingGroup", "the launch template names the instance profile's role"),
    "iam:CreateServiceLinkedRole": ("autoscaling:CreateAutoScalingGroup",
                                    "AWS creates the Auto Scaling and ELB service-linked roles on first use"),
}
# Actions a module makes only when EC2 already describes what it has just created: the sandbox's
# describe_after_create_s window (on by default) means the run never gets there. On AWS it often
# does, so the policy keeps them; each names the call it follows, which the run must make.
AFTER_CONSISTENCY = {
    "ec2:DescribeImageAttribute": ("ec2:CreateImage", "amazon.aws.ec2_ami reads the new image's launch permissions once "
                                   "DescribeImages finds it; the bake then adopts the image by name instead"),
}
# A tag added to the stack re-tags every existing resource (CreateTags, AddTags, CreateOrUpdateTags
# and TagRole outside a create): the policy allows that on resources already tagged as the stack's.
EXTRA_TAGS = {"owner": "least-privilege-test"}
# Writes for which AWS has no resource-level permission or condition key: allowed on "*".
WRITES_WITHOUT_RESOURCE_LEVEL = {"ssm:CancelCommand"}
# AWS requires no permission for these.
FREE = {"sts:GetCallerIdentity"}
# Request log service names that differ from the IAM action prefix.
PREFIX = {"elbv2": "elasticloadbalancing"}


def policy_documents() -> list:
    return [json.loads(path.read_text()) for path in POLICIES]


def policy_actions(documents: list) -> set:
    actions = set()
    for statement in (s for document in documents for s in document["Statement"]):
        assert statement["Effect"] == "Allow", statement
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def iam_action(call: dict) -> str:
    return f"{PREFIX.get(call['service'], call['service'])}:{call['action']}"


def encrypt_volumes_with_a_customer_managed_key(box) -> None:
    """EBS encryption by default with a customer managed key whose policy lets the Auto Scaling
    service-linked role use it (an account setting many organisations have): the preflight reads the
    key policy, which takes kms:GetKeyPolicy."""
    kms, ec2 = box.client("kms", region=DEFAULT_REGION), box.client("ec2", region=DEFAULT_REGION)
    account = "123456789012"  # the sandbox's account
    role = f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "AutoScaling", "Effect": "Allow", "Principal": {"AWS": role}, "Resource": "*",
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"]}]}
    key = kms.create_key(Description="EBS default", Policy=json.dumps(policy))["KeyMetadata"]
    ec2.enable_ebs_encryption_by_default()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key["KeyId"])


def leave_a_detached_volume(box, stack: str) -> None:
    """A volume of the stack that nothing is attached to (as a failed launch can leave): teardown
    removes it, which takes ec2:DeleteVolume."""
    ec2 = box.client("ec2", region=DEFAULT_REGION)
    zone = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    tags = [{"Key": "scaleout:stack", "Value": stack}, {"Key": "scaleout:managed-by", "Value": "scaleout.webtier"}]
    ec2.create_volume(AvailabilityZone=zone, Size=1, Encrypted=True,
                      TagSpecifications=[{"ResourceType": "volume", "Tags": tags}])


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory):
    """Run the lifecycle as the limited user on an enforcing sandbox; yield (runs, calls, user)."""
    box = start_sandbox(tmp_path_factory.mktemp("iam-sandbox"), env={"SCALEOUT_SANDBOX_IAM_ENFORCE": "1"})
    try:
        assert box.health()["iam_enforced"] is True
        user = box.create_user("scaleout-deployer", policy_documents())
        # The certificate the HTTPS listener names (ELB refuses one that ACM does not hold).
        certificate_arn = box.client("acm", region=DEFAULT_REGION).request_certificate(
            DomainName="lp.example.com")["CertificateArn"]
        encrypt_volumes_with_a_customer_managed_key(box)
        box.clear_requests()
        inventory = write_inventory(tmp_path_factory.mktemp("iam-inventory"), {"lp": {"stack_name": "lp"}})
        env = {"SCALEOUT_SANDBOX_ACCESS_KEY": user["access_key_id"],
               "SCALEOUT_SANDBOX_SECRET_KEY": user["secret_access_key"]}
        steps = [
            ("converge", "playbooks/site.yml", {}, ["scale_test"]),
            # HTTPS: a listener added (CreateListener) and the HTTP one turned into a redirect
            # (ModifyListener); the scale test's converge turns them back.
            ("change and rebake", "playbooks/site.yml",
             {"network_ssh_cidrs": ["203.0.113.0/24"], "scaling_group_max_size": 5,
              "load_balancer_health_check_interval": 20, "bake_force": True,
              "stack_certificate_arn": certificate_arn, "stack_tags": EXTRA_TAGS}, ["scale_test"]),
            ("scale test", "playbooks/site.yml", {"stack_tags": EXTRA_TAGS}, None),
            ("teardown", "playbooks/teardown.yml", {}, None),
        ]
        runs = []
        for name, playbook, extra_vars, skip in steps:
            if name == "teardown":
                leave_a_detached_volume(box, "lp")
            run = run_playbook(playbook, sandbox=box, inventory=inventory, extra_vars=extra_vars, skip_tags=skip,
                               env=env, timeout=1200)
            runs.append((name, run))
            if run.rc != 0:
                break
        commands = box.client("ssm").list_commands()["Commands"]
        yield runs, requests_log(box, access_key_id=user["access_key_id"]), user, commands
    finally:
        box.server.down()


def test_the_lifecycle_succeeds_as_the_limited_user(lifecycle):
    runs, calls = lifecycle[:2]
    for name, run in runs:
        assert run.rc == 0, f"{name} failed as the limited user:\n{run.describe()}"
    assert [step[0] for step in runs] == ["converge", "change and rebake", "scale test", "teardown"]
    assert len(calls) > 200, "the limited user's calls are not in the request log"


def test_no_call_was_refused(lifecycle):
    calls = lifecycle[1]
    refused = sorted({iam_action(c) for c in calls if c.get("status") in (401, 403)})
    assert not refused, f"the sandbox refused {refused}: fix the policies in docs/ or the calls\n{denials(calls)}"


def denials(calls) -> str:
    """Diagnostics: each refused check (the request log's "denial"), once."""
    seen = []
    for call in calls:
        denial = call.get("denial")
        if denial:
            line = (f"- {denial['action']} on {denial['resource']} ({denial['decision']}"
                    f"{', ' + denial['reason'] if denial.get('reason') else ''}; call {denial['call']})")
            if line not in seen:
                seen.append(line)
    return "\n".join(seen)


def test_the_policy_allows_every_action_used(lifecycle):
    calls = lifecycle[1]
    used = {iam_action(c) for c in calls} - FREE
    missing = used - policy_actions(policy_documents())
    assert not missing, f"used but not in the policy: {sorted(missing)}"


def test_the_policy_holds_no_action_the_lifecycle_does_not_use(lifecycle):
    calls = lifecycle[1]
    used = {iam_action(c) for c in calls}
    unused = policy_actions(policy_documents()) - used
    unexplained = unused - set(IMPLIED) - set(AFTER_CONSISTENCY)
    assert not unexplained, f"in the policy but never used: {sorted(unexplained)}"
    for action in unused - set(AFTER_CONSISTENCY):
        carrier, reason = IMPLIED[action]
        assert carrier in used, f"{action} is there because of {carrier} ({reason}), which the run never called"
    for action, (follows, _reason) in AFTER_CONSISTENCY.items():
        assert follows in used, f"{action} follows {follows}, which the run never called"


@pytest.mark.parametrize("path", POLICIES, ids=lambda path: path.name)
def test_the_policy_document_is_well_formed_and_fits_a_managed_policy(path):
    document = json.loads(path.read_text())
    assert document["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in document["Statement"]]
    assert len(sids) == len(set(sids)), "statement ids repeat"
    for statement in document["Statement"]:
        for action in statement["Action"]:
            # Exact names only: a wildcard would grant actions nobody reviewed.
            assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action), action
    compact = re.sub(r"\s", "", json.dumps(document, separators=(",", ":")))
    assert len(compact) <= MANAGED_POLICY_LIMIT, f"{len(compact)} characters: over AWS's managed policy limit"
    # Writes are scoped: a statement on every resource with no condition holds only reads, and the
    # writes that AWS offers no resource-level permission for.
    writes = re.compile(r":(Create|Delete|Modify|Run|Terminate|Update|Put|Start|Attach|Detach|Authorize|Revoke|"
                        r"Deregister|Pass|Send|Add|Remove|Enable|Cancel|Tag)")
    for statement in document["Statement"]:
        if statement["Resource"] == "*" and "Condition" not in statement:
            unscoped = {a for a in statement["Action"] if writes.search(a)} - WRITES_WITHOUT_RESOURCE_LEVEL
            assert not unscoped, f"{statement['Sid']} allows {sorted(unscoped)} on every resource without a condition"


def test_every_load_command_is_bounded(lifecycle):
    """Each Run Command of the scale test bounds every burner with `timeout`, and the command itself
    with an execution timeout: the load ends even if the controller dies."""
    commands = lifecycle[-1]
    loads = [c for c in commands if c.get("Comment", "").startswith("scaleout-load ")]
    assert loads, "the scale test sent no load command"
    for command in loads:
        lines = command["Parameters"]["commands"]
        burners = [line for line in lines if "sha256sum" in line]
        assert burners, lines
        assert all(re.match(r"^timeout --foreground \d+ sha256sum /dev/zero &$", line) for line in burners), lines
        assert int(command["Parameters"]["executionTimeout"][0]) > 0, command["Parameters"]
