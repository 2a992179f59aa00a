"""scaleout.webtier.load_balancer against stubbed clients (the Stubber fails on any call not queued,
so each test states every call): a new load balancer costs the read, the create with its tags in it
and one call per listener; an unchanged one three reads and no write; drift is repaired with only
the calls that differ; check mode writes nothing; AWS's idempotent creates (DuplicateLoadBalancerName,
DuplicateListener for other settings) are followed by an update; bad listeners and a changed scheme
fail with the reason."""

from module_harness import aws, run  # noqa: F401  # pylint: disable=unused-import

from ansible_collections.scaleout.webtier.plugins.modules import load_balancer

NAME = "demo-alb"
ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/demo-alb/0123456789abcdef"
TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-tg/0123456789abcdef"
LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/demo-alb/0123456789abcdef/0123456789abcdef"
TAGS = {"scaleout:stack": "demo", "scaleout:managed-by": "scaleout.webtier", "Name": NAME}
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
GROUP = "sg-0123456789abcdef0"
HTTP = {"Protocol": "HTTP", "Port": 80, "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG}]}
ARGS = dict(name=NAME, scheme="internet-facing", subnets=SUBNETS, security_groups=[GROUP], listeners=[HTTP], tags=TAGS)


def balancer(**overrides):
    found = {"LoadBalancerArn": ARN, "LoadBalancerName": NAME, "DNSName": "demo-alb-1.eu-west-1.elb.amazonaws.com",
             "Scheme": "internet-facing", "Type": "application", "VpcId": "vpc-0123456789abcdef0", "State": {"Code": "active"},
             "AvailabilityZones": [{"SubnetId": s, "ZoneName": "eu-west-1" + z} for s, z in zip(SUBNETS, "ab")],
             "SecurityGroups": [GROUP]}
    found.update(overrides)
    return found


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def listener(**overrides):
    found = dict(HTTP, ListenerArn=LISTENER, LoadBalancerArn=ARN,
                 DefaultActions=[{"Type": "forward", "TargetGroupArn": TG, "Order": 1,
                                  "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG, "Weight": 1}]}}])
    found.update(overrides)
    return found


def not_found(elbv2):
    elbv2.add_client_error("describe_load_balancers", "LoadBalancerNotFound", "Load balancers '[demo-alb]' not found", 400,
                           expected_params={"Names": [NAME]})


def reads(elbv2, found, listeners, tags=None):
    elbv2.add_response("describe_load_balancers", {"LoadBalancers": [found]}, {"Names": [NAME]})
    elbv2.add_response("describe_listeners", {"Listeners": listeners}, {"LoadBalancerArn": ARN})
    elbv2.add_response("describe_tags", {"TagDescriptions": [{"ResourceArn": ARN, "Tags": tag_list(TAGS if tags is None else tags)}]},
                       {"ResourceArns": [ARN]})


def created(elbv2):
    elbv2.add_response("create_load_balancer", {"LoadBalancers": [balancer(State={"Code": "provisioning"})]}, {
        "Name": NAME, "Type": "application", "Scheme": "internet-facing", "Subnets": SUBNETS, "SecurityGroups": [GROUP],
        "Tags": tag_list(TAGS)})


def test_a_new_load_balancer_costs_a_read_the_create_with_its_tags_and_one_call_per_listener(aws, run):
    elbv2 = aws["elbv2"]
    not_found(elbv2)
    created(elbv2)
    elbv2.add_response("create_listener", {"Listeners": [listener()]}, dict(HTTP, LoadBalancerArn=ARN))
    failed, result = run(load_balancer, ARGS)
    aws.done()  # no AddTags, no re-read: the Stubber refuses any call not queued
    assert not failed and result["changed"], result
    assert result["load_balancer_arn"] == ARN and result["dns_name"].startswith("demo-alb-1.")
    assert result["state"] == "provisioning" and result["listener_arns"] == {80: LISTENER}
    assert result["changes"] == ["create demo-alb (internet-facing)", "listener HTTP 80: missing -> present"]


def test_an_unchanged_load_balancer_costs_three_reads_and_no_write(aws, run):
    reads(aws["elbv2"], balancer(), [listener()])
    failed, result = run(load_balancer, ARGS)
    aws.done()
    assert not failed and not result["changed"] and result["changes"] == [], result
    assert result["load_balancer_arn"] == ARN and result["listener_arns"] == {80: LISTENER}


def test_drift_is_named_and_only_what_differs_is_written(aws, run):
    elbv2 = aws["elbv2"]
    stray = dict(HTTP, Port=8080, ListenerArn=LISTENER + "8", LoadBalancerArn=ARN)
    reads(elbv2, balancer(AvailabilityZones=[{"SubnetId": SUBNETS[0], "ZoneName": "eu-west-1a"}]), [stray],
          tags={"scaleout:stack": "demo", "scaleout:managed-by": "scaleout.webtier", "stray": "x"})
    elbv2.add_response("set_subnets", {}, {"LoadBalancerArn": ARN, "Subnets": SUBNETS})
    elbv2.add_response("create_listener", {"Listeners": [listener()]}, dict(HTTP, LoadBalancerArn=ARN))
    elbv2.add_response("delete_listener", {}, {"ListenerArn": LISTENER + "8"})
    elbv2.add_response("add_tags", {}, {"ResourceArns": [ARN], "Tags": [{"Key": "Name", "Value": NAME}]})
    elbv2.add_response("remove_tags", {}, {"ResourceArns": [ARN], "TagKeys": ["stray"]})
    failed, result = run(load_balancer, ARGS)
    aws.done()
    assert not failed and result["changed"], result
    assert result["changes"] == ["subnets: ['subnet-0123456789abcdef0'] -> %s" % SUBNETS, "listener HTTP 80: missing -> present",
                                 "listener HTTP 8080: present -> (removed)", "tag Name: (none) -> demo-alb", "tag stray: x -> (removed)"]
    assert result["listener_arns"] == {80: LISTENER}


def test_a_changed_listener_is_modified_in_place(aws, run):
    elbv2 = aws["elbv2"]
    other = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other/0123456789abcdef"
    reads(elbv2, balancer(), [listener(DefaultActions=[{"Type": "forward", "TargetGroupArn": other}])])
    elbv2.add_response("modify_listener", {}, dict(HTTP, ListenerArn=LISTENER))
    failed, result = run(load_balancer, ARGS)
    aws.done()
    assert not failed and result["changes"] == ["listener 80: default actions: forward %s -> forward %s" % (other, TG)]


def test_check_mode_says_what_it_would_create_and_writes_nothing(aws, run):
    not_found(aws["elbv2"])
    failed, result = run(load_balancer, ARGS, check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["msg"] == "would have created load balancer demo-alb"
    assert result["load_balancer_arn"] == "" and result["diff"]["after"]["tags"] == TAGS


def test_check_mode_names_the_drift_and_writes_nothing(aws, run):
    reads(aws["elbv2"], balancer(SecurityGroups=["sg-other"]), [], tags={"Name": NAME})
    failed, result = run(load_balancer, ARGS, check_mode=True)
    aws.done()
    assert not failed and result["changed"] and result["msg"] == "would have updated load balancer demo-alb"
    assert "security groups: ['sg-other'] -> ['%s']" % GROUP in result["changes"]
    assert "listener HTTP 80: missing -> present" in result["changes"]
    assert result["diff"]["before"]["tags"] == {"Name": NAME} and result["diff"]["after"]["tags"] == TAGS


def test_a_name_taken_with_other_settings_is_read_again_and_updated(aws, run):
    # DuplicateLoadBalancerName: the name is taken by a load balancer the first read did not see.
    elbv2 = aws["elbv2"]
    not_found(elbv2)
    elbv2.add_client_error("create_load_balancer", "DuplicateLoadBalancerName", "A load balancer with the same name exists", 400)
    reads(elbv2, balancer(SecurityGroups=["sg-other"]), [listener()])
    elbv2.add_response("set_security_groups", {}, {"LoadBalancerArn": ARN, "SecurityGroups": [GROUP]})
    failed, result = run(load_balancer, ARGS)
    aws.done()
    assert not failed and result["changed"] and result["changes"] == ["security groups: ['sg-other'] -> ['%s']" % GROUP], result


def test_a_listener_port_taken_with_other_settings_after_the_create_is_updated(aws, run):
    # CreateLoadBalancer answered an existing load balancer (idempotent), whose port 80 forwards elsewhere.
    elbv2 = aws["elbv2"]
    other = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other/0123456789abcdef"
    not_found(elbv2)
    created(elbv2)
    elbv2.add_client_error("create_listener", "DuplicateListener", "A listener already exists on this port", 400)
    elbv2.add_response("describe_listeners", {"Listeners": [listener(DefaultActions=[{"Type": "forward", "TargetGroupArn": other}])]},
                       {"LoadBalancerArn": ARN})
    elbv2.add_response("describe_tags", {"TagDescriptions": [{"ResourceArn": ARN, "Tags": tag_list(TAGS)}]}, {"ResourceArns": [ARN]})
    elbv2.add_response("modify_listener", {}, dict(HTTP, ListenerArn=LISTENER))
    failed, result = run(load_balancer, ARGS)
    aws.done()
    assert not failed and result["changed"], result
    assert result["changes"][-1] == "listener 80: default actions: forward %s -> forward %s" % (other, TG)


def test_a_changed_scheme_fails_naming_it(aws, run):
    elbv2 = aws["elbv2"]
    elbv2.add_response("describe_load_balancers", {"LoadBalancers": [balancer(Scheme="internal")]}, {"Names": [NAME]})
    failed, result = run(load_balancer, ARGS)
    aws.done()
    assert failed and "scheme: internal -> internet-facing cannot change on AWS" in result["msg"]


def test_bad_listeners_fail_before_any_call(aws, run):
    failed, result = run(load_balancer, dict(ARGS, listeners=[dict(HTTP, Protocol="TCP")]))
    aws.done()
    assert failed and result["msg"] == "listeners[0].Protocol='TCP': one of HTTP, HTTPS"
    assert aws.requests == []


def test_known_absent_creates_without_reading_first(aws, run):
    # The plan read moments ago that there is no such load balancer: no DescribeLoadBalancers.
    elbv2 = aws["elbv2"]
    created(elbv2)
    elbv2.add_response("create_listener", {"Listeners": [listener()]}, dict(HTTP, LoadBalancerArn=ARN))
    failed, result = run(load_balancer, dict(ARGS, known_absent=True))
    aws.done()
    assert not failed and result["changed"] and result["load_balancer_arn"] == ARN, result


def test_known_absent_but_taken_meanwhile_is_read_and_updated(aws, run):
    elbv2 = aws["elbv2"]
    elbv2.add_client_error("create_load_balancer", "DuplicateLoadBalancerName", "A load balancer with the same name exists", 400)
    reads(elbv2, balancer(SecurityGroups=["sg-other"]), [listener()])
    elbv2.add_response("set_security_groups", {}, {"LoadBalancerArn": ARN, "SecurityGroups": [GROUP]})
    failed, result = run(load_balancer, dict(ARGS, known_absent=True))
    aws.done()
    assert not failed and result["changes"] == ["security groups: ['sg-other'] -> ['%s']" % GROUP], result
