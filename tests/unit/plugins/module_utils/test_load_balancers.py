"""The pure logic of one Application Load Balancer (_elbv2.load_balancers): which listener settings
are refused before any call, what differs between DescribeListeners' answer and the wanted listeners
(matched by port), and which SetSubnets / SetSecurityGroups a read calls for. The load_balancer
module and the plan both decide with these functions."""

import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2 import load_balancers as lb

TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-tg/0123456789abcdef"
OTHER_TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other-tg/0123456789abcdef"
CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/demo-alb/0123456789abcdef/"
FORWARD = [{"Type": "forward", "TargetGroupArn": TG}]
REDIRECT = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
HTTP = {"Protocol": "HTTP", "Port": 80, "DefaultActions": FORWARD}
HTTPS = {"Protocol": "HTTPS", "Port": 443, "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
         "Certificates": [{"CertificateArn": CERT}], "DefaultActions": FORWARD}


def described(listener, suffix="1", **overrides):
    """A listener as DescribeListeners answers it: an ARN, the forward action with its ForwardConfig
    and Order, a redirect with every URI component filled in."""
    result = dict(listener, ListenerArn=LISTENER + suffix, LoadBalancerArn="arn:lb")
    actions = []
    for action in listener["DefaultActions"]:
        action = dict(action, Order=1)
        if action["Type"] == "forward":
            action["ForwardConfig"] = {"TargetGroups": [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}],
                                       "TargetGroupStickinessConfig": {"Enabled": False}}
        if action["Type"] == "redirect":
            action["RedirectConfig"] = dict({"Host": "#{host}", "Path": "/#{path}", "Query": "#{query}"}, **action["RedirectConfig"])
        actions.append(action)
    result["DefaultActions"] = actions
    result.update(overrides)
    return result


def test_the_listeners_the_role_gives_are_accepted():
    assert lb.listener_errors([HTTP]) == []
    assert lb.listener_errors([HTTPS, {"Protocol": "HTTP", "Port": 80, "DefaultActions": REDIRECT}]) == []


@pytest.mark.parametrize("listener,error", [
    (dict(HTTP, Protocol="TCP"), "Protocol='TCP'"),
    (dict(HTTP, Port=70000), "Port=70000"),
    (dict(HTTP, Port="eighty"), "Port='eighty'"),
    (dict(HTTP, Rules=[]), "unknown keys Rules"),
    (dict(HTTP, DefaultActions=[]), "DefaultActions: a list"),
    (dict(HTTP, DefaultActions=[{"Type": "forward"}]), "a forward action needs TargetGroupArn"),
    (dict(HTTP, DefaultActions=[{"Type": "authenticate-oidc"}]), "Type='authenticate-oidc'"),
    (dict(HTTPS, Certificates=[]), "an HTTPS listener needs Certificates"),
])
def test_a_bad_listener_is_named_before_any_call(listener, error):
    errors = lb.listener_errors([listener])
    assert len(errors) == 1 and error in errors[0] and errors[0].startswith("listeners[0]"), errors


def test_two_listeners_on_one_port_are_refused():
    errors = lb.listener_errors([HTTP, dict(HTTP, Port="80")])
    assert errors == ["listeners[1].Port=80: another listener has this port"]


def test_listeners_as_aws_describes_them_match_the_wanted_ones():
    # DescribeListeners adds ForwardConfig, Order and the redirect's unset components: no change.
    current = [described(HTTPS, "1"), described({"Protocol": "HTTP", "Port": 80, "DefaultActions": REDIRECT}, "2")]
    wanted = [HTTPS, {"Protocol": "HTTP", "Port": "80", "DefaultActions": REDIRECT}]
    assert lb.listener_updates(current, wanted) == ([], [], [])


def test_a_missing_listener_is_created_and_one_on_another_port_deleted():
    current = [described(dict(HTTP, Port=8080), "9")]
    create, modify, delete = lb.listener_updates(current, [HTTP])
    assert create == [{"Protocol": "HTTP", "Port": 80, "DefaultActions": FORWARD}]
    assert modify == [] and [listener["ListenerArn"] for listener in delete] == [LISTENER + "9"]
    # Without purge_listeners the other port stays.
    assert lb.listener_updates(current, [HTTP], purge=False)[2] == []


def test_a_listener_that_differs_is_modified_with_the_whole_wanted_listener():
    current = [described(dict(HTTP, DefaultActions=[{"Type": "forward", "TargetGroupArn": OTHER_TG}]), "1")]
    create, modify, delete = lb.listener_updates(current, [HTTP])
    assert create == [] and delete == []
    assert modify == [(LISTENER + "1", {"Protocol": "HTTP", "Port": 80, "DefaultActions": FORWARD},
                       ["default actions: forward %s -> forward %s" % (OTHER_TG, TG)])]


def test_http_turned_into_https_names_protocol_policy_and_certificate():
    current = described(HTTP, Port=443)
    lines = lb.listener_changes(current, HTTPS)
    assert lines == ["protocol: HTTP -> HTTPS", "ssl policy: None -> ELBSecurityPolicy-TLS13-1-2-2021-06",
                     "certificate: None -> %s" % CERT]


def test_a_redirect_differs_by_any_component_but_not_by_an_unset_one_filled_in():
    current = described({"Protocol": "HTTP", "Port": 80, "DefaultActions": REDIRECT})
    assert lb.listener_changes(current, {"Protocol": "HTTP", "Port": 80, "DefaultActions": REDIRECT}) == []
    temporary = [{"Type": "redirect", "RedirectConfig": dict(REDIRECT[0]["RedirectConfig"], StatusCode="HTTP_302")}]
    assert lb.listener_changes(current, {"Protocol": "HTTP", "Port": 80, "DefaultActions": temporary})


def test_only_a_named_ssl_policy_is_compared():
    current = described(HTTPS, SslPolicy="ELBSecurityPolicy-2016-08")
    assert lb.listener_changes(current, dict(HTTPS, SslPolicy=None)) == []
    assert lb.listener_changes(current, HTTPS) == ["ssl policy: ELBSecurityPolicy-2016-08 -> ELBSecurityPolicy-TLS13-1-2-2021-06"]


def test_subnets_and_security_groups_are_compared_as_sets():
    balancer = {"AvailabilityZones": [{"SubnetId": "subnet-b"}, {"SubnetId": "subnet-a"}], "SecurityGroups": ["sg-1"]}
    assert lb.placement_changes(balancer, ["subnet-a", "subnet-b"], ["sg-1"]) == {}
    assert lb.placement_changes(balancer, ["subnet-c", "subnet-a"], ["sg-2", "sg-1"]) == {
        "subnets": ["subnet-a", "subnet-c"], "security_groups": ["sg-1", "sg-2"]}


def test_scheme_and_type_cannot_change():
    assert lb.replacement_reasons({"Type": "application", "Scheme": "internet-facing"}, "internet-facing") == []
    assert lb.replacement_reasons({"Type": "application", "Scheme": "internal"}, "internet-facing") == [
        "scheme: internal -> internet-facing"]
    assert lb.replacement_reasons({"Type": "network", "Scheme": "internet-facing"}, "internet-facing") == [
        "type: network -> application"]
