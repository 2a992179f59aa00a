"""scaleout.webtier.elb_target_group against stubbed clients: the tags go in CreateTargetGroup itself
(the least-privilege policy refuses an untagged create and a later AddTags), an unchanged group gets
no write call, drift is repaired in place, check mode writes nothing, immutable settings fail, and a
target group briefly in use is deleted once AWS lets it go."""

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import

from ansible_collections.scaleout.webtier.plugins.modules import elb_target_group

NAME = "demo-tg"
ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-tg/0123456789abcdef"
VPC = "vpc-0123456789abcdef0"
TAGS = {"scaleout:stack": "demo", "scaleout:managed-by": "scaleout.webtier", "Name": NAME}
ARGS = dict(name=NAME, port=80, vpc_id=VPC, health_check_path="/", health_check_interval=10, health_check_timeout=5,
            healthy_threshold_count=2, unhealthy_threshold_count=2, successful_response_codes="200",
            deregistration_delay_timeout=30, tags=TAGS)


def existing(**overrides):
    group = {"TargetGroupArn": ARN, "TargetGroupName": NAME, "Protocol": "HTTP", "Port": 80, "VpcId": VPC, "TargetType": "instance",
             "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckPath": "/",
             "HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 2,
             "UnhealthyThresholdCount": 2, "Matcher": {"HttpCode": "200"}, "LoadBalancerArns": []}
    group.update(overrides)
    return group


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def reads(elbv2, group, delay="30", tags=None):
    elbv2.add_response("describe_target_groups", {"TargetGroups": [group]}, {"Names": [NAME]})
    elbv2.add_response("describe_target_group_attributes",
                       {"Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": delay},
                                       {"Key": "stickiness.enabled", "Value": "false"}]}, {"TargetGroupArn": ARN})
    elbv2.add_response("describe_tags", {"TagDescriptions": [{"ResourceArn": ARN, "Tags": tag_list(TAGS if tags is None else tags)}]},
                       {"ResourceArns": [ARN]})


def not_found(elbv2):
    elbv2.add_client_error("describe_target_groups", "TargetGroupNotFound", "One or more target groups not found", 400,
                           expected_params={"Names": [NAME]})


def test_a_new_target_group_carries_its_tags_in_the_create_call(aws, run):
    elbv2 = aws["elbv2"]
    not_found(elbv2)
    elbv2.add_response("create_target_group", {"TargetGroups": [existing()]}, {
        "Name": NAME, "Protocol": "HTTP", "Port": 80, "VpcId": VPC, "TargetType": "instance", "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port", "HealthCheckPath": "/", "HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2, "Matcher": {"HttpCode": "200"}, "Tags": tag_list(TAGS)})
    # A new group has AWS's default attributes: the wanted ones are set without a read first.
    elbv2.add_response("modify_target_group_attributes", {}, {
        "TargetGroupArn": ARN, "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]})
    failed, result = run(elb_target_group, ARGS)
    aws.done()  # no AddTags, no DescribeTargetGroupAttributes: Stubber fails on any call not queued
    assert not failed and result["changed"] and result["target_group_arn"] == ARN
    assert result["target_group"]["tags"] == TAGS


def test_an_unchanged_target_group_gets_no_write_call(aws, run):
    reads(aws["elbv2"], existing())
    failed, result = run(elb_target_group, ARGS)
    aws.done()
    assert not failed and not result["changed"] and result["changes"] == []


def test_drift_is_named_and_repaired_in_place(aws, run):
    elbv2 = aws["elbv2"]
    reads(elbv2, existing(HealthCheckIntervalSeconds=30, Matcher={"HttpCode": "200-299"}), delay="300",
          tags={"scaleout:stack": "demo", "Name": NAME, "stray": "x"})
    elbv2.add_response("modify_target_group", {}, {"TargetGroupArn": ARN, "HealthCheckIntervalSeconds": 10, "Matcher": {"HttpCode": "200"}})
    elbv2.add_response("modify_target_group_attributes", {}, {
        "TargetGroupArn": ARN, "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]})
    elbv2.add_response("add_tags", {}, {"ResourceArns": [ARN], "Tags": [{"Key": "scaleout:managed-by", "Value": "scaleout.webtier"}]})
    elbv2.add_response("remove_tags", {}, {"ResourceArns": [ARN], "TagKeys": ["stray"]})
    elbv2.add_response("describe_target_groups", {"TargetGroups": [existing()]}, {"Names": [NAME]})
    failed, result = run(elb_target_group, ARGS)
    aws.done()
    assert not failed and result["changed"]
    assert result["changes"] == ["HealthCheckIntervalSeconds: 30 -> 10", "Matcher: {'HttpCode': '200-299'} -> {'HttpCode': '200'}",
                                 "deregistration_delay.timeout_seconds: 300 -> 30", "tag scaleout:managed-by: None -> scaleout.webtier",
                                 "tag stray: x -> (removed)"]
    assert result["diff"]["after"]["Tags"] == TAGS


def test_check_mode_describes_and_writes_nothing(aws, run):
    elbv2 = aws["elbv2"]
    not_found(elbv2)
    failed, result = run(elb_target_group, ARGS, check_mode=True)
    assert not failed and result["changed"] and result["msg"] == "would have created target group demo-tg"
    reads(elbv2, existing(HealthCheckPath="/old"))
    failed, result = run(elb_target_group, ARGS, check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["changes"] == ["HealthCheckPath: /old -> /"]


def test_a_setting_aws_cannot_change_fails_naming_it(aws, run):
    aws["elbv2"].add_response("describe_target_groups", {"TargetGroups": [existing(Port=8080)]}, {"Names": [NAME]})
    failed, result = run(elb_target_group, ARGS)
    aws.done()  # it fails before any further read or write
    assert failed and "Port: 8080 -> 80 cannot change on AWS" in result["msg"]


def test_a_target_group_in_use_is_deleted_once_aws_lets_it_go(aws, run, fake_poller, clock):
    fake_poller(elb_target_group)
    elbv2 = aws["elbv2"]
    elbv2.add_response("describe_target_groups", {"TargetGroups": [existing()]}, {"Names": [NAME]})
    elbv2.add_client_error("delete_target_group", "ResourceInUse", "Target group is currently in use by a listener or a rule", 400,
                           expected_params={"TargetGroupArn": ARN})
    elbv2.add_response("delete_target_group", {}, {"TargetGroupArn": ARN})
    failed, result = run(elb_target_group, dict(name=NAME, state="absent"))
    aws.done()
    assert not failed and result["changed"]


def test_a_refusal_names_the_action_resource_and_statement(aws, run):
    elbv2 = aws["elbv2"]
    not_found(elbv2)
    message = ("User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: elasticloadbalancing:CreateTargetGroup "
               "on resource: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-tg/* because no identity-based "
               "policy allows the elasticloadbalancing:CreateTargetGroup action")
    elbv2.add_client_error("create_target_group", "AccessDenied", message, 403)
    failed, result = run(elb_target_group, ARGS)
    assert failed
    assert ("AWS refused elasticloadbalancing:CreateTargetGroup on arn:aws:elasticloadbalancing:eu-west-1:123456789012:"
            "targetgroup/demo-tg/*; the collection's policy allows it in statement CreateTagged") in result["msg"]


def create_call(elbv2, **response):
    elbv2.add_response("create_target_group", {"TargetGroups": [existing()]}, {
        "Name": NAME, "Protocol": "HTTP", "Port": 80, "VpcId": VPC, "TargetType": "instance", "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port", "HealthCheckPath": "/", "HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2, "Matcher": {"HttpCode": "200"}, "Tags": tag_list(TAGS)})


def test_known_absent_creates_without_reading_first(aws, run):
    elbv2 = aws["elbv2"]
    create_call(elbv2)
    elbv2.add_response("modify_target_group_attributes", {}, {
        "TargetGroupArn": ARN, "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]})
    failed, result = run(elb_target_group, dict(ARGS, known_absent=True))
    aws.done()  # no DescribeTargetGroups
    assert not failed and result["changed"] and result["target_group_arn"] == ARN


def test_known_absent_but_taken_with_other_settings_is_read_and_updated(aws, run):
    elbv2 = aws["elbv2"]
    elbv2.add_client_error("create_target_group", "DuplicateTargetGroupName", "A target group with the same name exists", 400)
    reads(elbv2, existing(HealthCheckPath="/old"))
    elbv2.add_response("modify_target_group", {}, {"TargetGroupArn": ARN, "HealthCheckPath": "/"})
    elbv2.add_response("describe_target_groups", {"TargetGroups": [existing()]}, {"Names": [NAME]})
    failed, result = run(elb_target_group, dict(ARGS, known_absent=True))
    aws.done()
    assert not failed and result["changed"] and result["changes"] == ["HealthCheckPath: /old -> /"], result
