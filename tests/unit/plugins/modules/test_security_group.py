"""scaleout.webtier.security_group against stubbed clients: a first converge is one read, one create
(tags inside it) and one rule call; EC2's InvalidGroup.NotFound right after a create is retried; an
unchanged group gets no write call; drift is repaired; check mode writes nothing; bad rules fail
before any call."""

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import

from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.security_groups import current_rules
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.security_groups import ip_permissions
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.security_groups import wanted_rules
from ansible_collections.scaleout.webtier.plugins.modules import security_group

NAME, VPC, GROUP_ID, ALB = "demo-instances", "vpc-0123456789abcdef0", "sg-0123456789abcdef0", "sg-0aaaaaaaaaaaaaaaa"
TAGS = {"scaleout:stack": "demo", "Name": NAME}
RULES = [{"proto": "tcp", "ports": [8080], "group_id": ALB}, {"proto": "tcp", "ports": [22], "cidr_ip": ["10.0.0.0/8"]}]
ARGS = dict(name=NAME, description="demo instances", vpc_id=VPC, rules=RULES, tags=TAGS)
PERMISSIONS = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
               {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": ALB}]}]
FILTERS = {"Filters": [{"Name": "vpc-id", "Values": [VPC]}, {"Name": "group-name", "Values": [NAME]}]}


def found(permissions=None, tags=None, description="demo instances"):
    permissions, tags = PERMISSIONS if permissions is None else permissions, TAGS if tags is None else tags
    return {"SecurityGroups": [{"GroupId": GROUP_ID, "GroupName": NAME, "Description": description, "VpcId": VPC, "OwnerId": "123456789012",
                                "IpPermissions": [dict(p, UserIdGroupPairs=[dict(g, UserId="123456789012") for g in p["UserIdGroupPairs"]])
                                                  if "UserIdGroupPairs" in p else p for p in permissions],
                                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                                "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]}


def create(ec2):
    ec2.add_response("describe_security_groups", {"SecurityGroups": []}, FILTERS)
    ec2.add_response("create_security_group", {"GroupId": GROUP_ID}, {
        "GroupName": NAME, "Description": "demo instances", "VpcId": VPC,
        "TagSpecifications": [{"ResourceType": "security-group", "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()]}]})


def test_a_new_group_is_one_read_one_create_with_its_tags_and_one_rule_call(aws, run):
    ec2 = aws["ec2"]
    create(ec2)
    ec2.add_response("authorize_security_group_ingress", {"Return": True}, {"GroupId": GROUP_ID, "IpPermissions": PERMISSIONS})
    failed, result = run(security_group, ARGS)
    aws.done()  # nothing else: no re-read, no STS, no CreateTags (the Stubber refuses any call not queued)
    assert not failed and result["changed"] and result["group_id"] == GROUP_ID
    assert result["changes"] == ["create %s in %s" % (NAME, VPC), "allow tcp 22 from 10.0.0.0/8", "allow tcp 8080 from %s" % ALB]


def test_a_new_group_not_yet_known_to_the_rule_call_is_retried(aws, run, fake_poller, clock):
    # https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html (InvalidGroup.NotFound)
    fake_poller(security_group)
    ec2 = aws["ec2"]
    create(ec2)
    ec2.add_client_error("authorize_security_group_ingress", "InvalidGroup.NotFound", "The security group does not exist", 400,
                         expected_params={"GroupId": GROUP_ID, "IpPermissions": PERMISSIONS})
    ec2.add_response("authorize_security_group_ingress", {"Return": True}, {"GroupId": GROUP_ID, "IpPermissions": PERMISSIONS})
    failed, result = run(security_group, ARGS)
    aws.done()
    assert not failed and result["changed"] and clock.sleeps == [security_group.PROPAGATION_RETRY_SECONDS]


def test_an_unchanged_group_gets_no_write_call(aws, run):
    aws["ec2"].add_response("describe_security_groups", found(), FILTERS)
    failed, result = run(security_group, ARGS)
    aws.done()
    assert not failed and not result["changed"] and result["changes"] == [] and result["group_id"] == GROUP_ID


def test_drift_is_repaired_a_removed_rule_added_an_extra_one_revoked_a_tag_set(aws, run):
    ec2 = aws["ec2"]
    extra = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.add_response("describe_security_groups", found(permissions=[PERMISSIONS[1], extra], tags={"Name": NAME}), FILTERS)
    ec2.add_response("revoke_security_group_ingress", {"Return": True}, {"GroupId": GROUP_ID, "IpPermissions": [extra]})
    ec2.add_response("authorize_security_group_ingress", {"Return": True}, {"GroupId": GROUP_ID, "IpPermissions": [PERMISSIONS[0]]})
    ec2.add_response("create_tags", {}, {"Resources": [GROUP_ID], "Tags": [{"Key": "scaleout:stack", "Value": "demo"}]})
    failed, result = run(security_group, ARGS)
    aws.done()
    assert not failed and result["changed"]
    assert result["changes"] == ["allow tcp 22 from 10.0.0.0/8", "revoke tcp 80 from 0.0.0.0/0", "tag scaleout:stack: None -> demo"]


def test_check_mode_reads_and_writes_nothing(aws, run):
    aws["ec2"].add_response("describe_security_groups", {"SecurityGroups": []}, FILTERS)
    failed, result = run(security_group, ARGS, check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["msg"] == "would have created security group %s" % NAME
    assert result["diff"]["after"]["ingress"] == ["tcp 22 from 10.0.0.0/8", "tcp 8080 from %s" % ALB]


def test_bad_rules_fail_before_any_call(aws, run):
    failed, result = run(security_group, dict(ARGS, rules=[{"proto": "tcp", "ports": [80]}]))
    aws.done()
    assert failed and result["msg"] == "rules[0]: give cidr_ip, cidr_ipv6, group_id or group_name"


def test_a_group_named_as_a_source_is_found_in_the_same_read(aws, run):
    ec2 = aws["ec2"]
    alb = {"GroupId": ALB, "GroupName": "demo-alb", "Description": "x", "VpcId": VPC, "IpPermissions": [], "Tags": []}
    ec2.add_response("describe_security_groups", {"SecurityGroups": [alb]},
                     {"Filters": [{"Name": "vpc-id", "Values": [VPC]}, {"Name": "group-name", "Values": [NAME, "demo-alb"]}]})
    ec2.add_response("create_security_group", {"GroupId": GROUP_ID})
    ec2.add_response("authorize_security_group_ingress", {"Return": True}, {"GroupId": GROUP_ID, "IpPermissions": [PERMISSIONS[1]]})
    failed, result = run(security_group, dict(ARGS, rules=[{"proto": "tcp", "ports": [8080], "group_name": ["demo-alb"]}]))
    aws.done()
    assert not failed and result["changes"] == ["create %s in %s" % (NAME, VPC), "allow tcp 8080 from %s" % ALB]


def test_rules_round_trip_through_aws_permissions():
    wanted = wanted_rules([{"proto": "tcp", "ports": [80, "8000-8010"], "cidr_ip": "0.0.0.0/0", "cidr_ipv6": ["::/0"]},
                           {"proto": "all", "group_id": ALB}])
    assert len(wanted) == 5
    assert current_rules({"IpPermissions": ip_permissions(wanted)}) == wanted


# ------------------------------------------------------------------------------------ state=absent
TEMPORARY = {"scaleout:stack": "demo", "scaleout:role": "bake-temporary"}
BY_TAG = {"Filters": [{"Name": "tag:scaleout:role", "Values": ["bake-temporary"]}, {"Name": "tag:scaleout:stack", "Values": ["demo"]}]}


def test_deleting_a_known_group_is_one_call(aws, run):
    aws["ec2"].add_response("delete_security_group", {}, {"GroupId": GROUP_ID})
    failed, result = run(security_group, dict(state="absent", group_ids=[GROUP_ID]))
    aws.done()  # no describe, no STS
    assert not failed and result["changed"] and result["group_ids"] == [GROUP_ID]


def test_a_group_in_use_is_deleted_once_ec2_releases_it(aws, run, fake_poller, clock):
    # A terminated instance's network interface stays in its group for a while: DependencyViolation.
    fake_poller(security_group)
    ec2 = aws["ec2"]
    ec2.add_response("describe_security_groups", {"SecurityGroups": [{"GroupId": GROUP_ID, "GroupName": NAME}]}, BY_TAG)
    ec2.add_client_error("delete_security_group", "DependencyViolation", "resource %s has a dependent object" % GROUP_ID, 400,
                         expected_params={"GroupId": GROUP_ID})
    ec2.add_response("delete_security_group", {}, {"GroupId": GROUP_ID})
    failed, result = run(security_group, dict(state="absent", match_tags=TEMPORARY))
    aws.done()
    assert not failed and result["changed"] and clock.sleeps == [security_group.IN_USE_RETRY_SECONDS]


def test_a_group_still_in_use_at_the_timeout_fails_quoting_aws(aws, run, fake_poller):
    fake_poller(security_group)
    for _attempt in range(3):
        aws["ec2"].add_client_error("delete_security_group", "DependencyViolation", "resource %s has a dependent object" % GROUP_ID, 400)
    failed, result = run(security_group, dict(state="absent", group_ids=[GROUP_ID], delete_timeout=10))
    aws.done()
    assert failed and result["msg"] == "security group %s was still in use after 10s (DependencyViolation): resource %s has a dependent object" % (
        GROUP_ID, GROUP_ID)


def test_a_group_already_gone_is_no_change(aws, run):
    aws["ec2"].add_client_error("delete_security_group", "InvalidGroup.NotFound", "The security group does not exist", 400)
    failed, result = run(security_group, dict(state="absent", group_ids=[GROUP_ID]))
    aws.done()
    assert not failed and not result["changed"] and result["group_ids"] == []


def test_deleting_by_name_in_check_mode_only_looks(aws, run):
    aws["ec2"].add_response("describe_security_groups", found(), FILTERS)
    failed, result = run(security_group, dict(state="absent", name=NAME, vpc_id=VPC), check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["msg"] == "would have deleted %s" % GROUP_ID


def test_a_present_group_still_needs_its_name_description_and_vpc(aws, run):
    failed, result = run(security_group, dict(name=NAME, vpc_id=VPC))
    aws.done()
    assert failed and "description" in result["msg"]
