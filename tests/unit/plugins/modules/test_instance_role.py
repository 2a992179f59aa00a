"""scaleout.webtier.instance_role against stubbed clients: a first run is two reads and four writes
with the tags in the create calls; an unchanged one three reads and no write; drift is repaired;
NoSuchEntity right after a create is retried; check mode writes nothing; another trust policy fails."""

import json

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import

from ansible_collections.scaleout.webtier.plugins.modules import instance_role

NAME, PATH = "demo-web", "/scaleout/"
SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
TAGS = {"scaleout:stack": "demo"}
TAG_LIST = [{"Key": "scaleout:stack", "Value": "demo"}]
ARGS = dict(name=NAME, path=PATH, description="demo", trust_policy=json.dumps(TRUST), managed_policies=[SSM], tags=TAGS)
ROLE_ARN = "arn:aws:iam::123456789012:role/scaleout/demo-web"
PROFILE_ARN = "arn:aws:iam::123456789012:instance-profile/scaleout/demo-web"


def role(tags=None, trust=None):
    tags = TAG_LIST if tags is None else tags
    return {"Role": {"RoleName": NAME, "Path": PATH, "RoleId": "AROAEXAMPLEEXAMPLE1234", "Arn": ROLE_ARN, "CreateDate": "2026-11-30T12:00:00Z",
                     "AssumeRolePolicyDocument": json.dumps(trust or TRUST), "Description": "demo", "Tags": tags}}


def profile(roles=(NAME,), tags=None):
    tags = TAG_LIST if tags is None else tags
    return {"InstanceProfile": {"InstanceProfileName": NAME, "Path": PATH, "InstanceProfileId": "AIPAEXAMPLEEXAMPLE123", "Arn": PROFILE_ARN,
                                "CreateDate": "2026-11-30T12:00:00Z", "Tags": tags,
                                "Roles": [role()["Role"] | {"RoleName": r} for r in roles]}}


def missing(iam, operation, params):
    iam.add_client_error(operation, "NoSuchEntity", "not found", 404, expected_params=params)


def test_a_first_run_is_two_reads_and_four_writes_with_the_tags_in_the_creates(aws, run):
    iam = aws["iam"]
    missing(iam, "get_role", {"RoleName": NAME})
    iam.add_response("create_role", role(), {"RoleName": NAME, "Path": PATH, "AssumeRolePolicyDocument": json.dumps(TRUST),
                                             "Description": "demo", "Tags": TAG_LIST})
    iam.add_response("attach_role_policy", {}, {"RoleName": NAME, "PolicyArn": SSM})
    missing(iam, "get_instance_profile", {"InstanceProfileName": NAME})
    iam.add_response("create_instance_profile", profile(roles=()), {"InstanceProfileName": NAME, "Path": PATH, "Tags": TAG_LIST})
    iam.add_response("add_role_to_instance_profile", {}, {"InstanceProfileName": NAME, "RoleName": NAME})
    failed, result = run(instance_role, ARGS)
    aws.done()  # no TagRole, no TagInstanceProfile, no re-read (the Stubber refuses any call not queued)
    assert not failed and result["changed"] and result["role_arn"] == ROLE_ARN and result["instance_profile_arn"] == PROFILE_ARN


def test_a_role_just_created_and_not_yet_known_is_retried(aws, run, fake_poller, clock):
    fake_poller(instance_role)
    iam = aws["iam"]
    missing(iam, "get_role", {"RoleName": NAME})
    iam.add_response("create_role", role())
    missing(iam, "attach_role_policy", {"RoleName": NAME, "PolicyArn": SSM})
    iam.add_response("attach_role_policy", {}, {"RoleName": NAME, "PolicyArn": SSM})
    missing(iam, "get_instance_profile", {"InstanceProfileName": NAME})
    iam.add_response("create_instance_profile", profile(roles=()))
    iam.add_response("add_role_to_instance_profile", {}, {"InstanceProfileName": NAME, "RoleName": NAME})
    failed, result = run(instance_role, ARGS)
    aws.done()
    assert not failed and result["changed"] and clock.sleeps == [instance_role.PROPAGATION_RETRY_SECONDS]


def role_reads(iam, attached=(SSM,), role_tags=None):
    iam.add_response("get_role", role(tags=role_tags), {"RoleName": NAME})
    iam.add_response("list_attached_role_policies", {"AttachedPolicies": [{"PolicyName": a.rsplit("/", maxsplit=1)[-1], "PolicyArn": a} for a in attached]},
                     {"RoleName": NAME})


def unchanged_reads(iam):
    role_reads(iam)
    iam.add_response("get_instance_profile", profile(), {"InstanceProfileName": NAME})


def test_an_unchanged_role_is_three_reads_and_no_write(aws, run):
    unchanged_reads(aws["iam"])
    failed, result = run(instance_role, ARGS)
    aws.done()
    assert not failed and not result["changed"] and result["changes"] == []


def test_drift_is_repaired_policy_tag_and_the_profile_role(aws, run):
    iam = aws["iam"]
    other = "arn:aws:iam::aws:policy/AdministratorAccess"
    role_reads(iam, attached=(other,), role_tags=[])
    iam.add_response("attach_role_policy", {}, {"RoleName": NAME, "PolicyArn": SSM})
    iam.add_response("detach_role_policy", {}, {"RoleName": NAME, "PolicyArn": other})
    iam.add_response("tag_role", {}, {"RoleName": NAME, "Tags": TAG_LIST})
    iam.add_response("get_instance_profile", profile(roles=()), {"InstanceProfileName": NAME})
    iam.add_response("add_role_to_instance_profile", {}, {"InstanceProfileName": NAME, "RoleName": NAME})
    failed, result = run(instance_role, ARGS)
    aws.done()
    assert not failed and result["changed"]
    assert result["changes"] == ["attach %s" % SSM, "detach %s" % other, "tag role scaleout:stack: None -> demo",
                                 "add role %s to instance profile %s" % (NAME, NAME)]


def test_check_mode_on_a_new_stack_reads_once_and_writes_nothing(aws, run):
    missing(aws["iam"], "get_role", {"RoleName": NAME})
    failed, result = run(instance_role, ARGS, check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["msg"].startswith("would have made: create role demo-web")


def test_another_trust_policy_fails_naming_it(aws, run):
    aws["iam"].add_response("get_role", role(trust={"Version": "2012-10-17", "Statement": []}), {"RoleName": NAME})
    aws["iam"].add_response("list_attached_role_policies", {"AttachedPolicies": []}, {"RoleName": NAME})
    failed, result = run(instance_role, ARGS)
    aws.done()
    assert failed and "has another trust policy" in result["msg"]
