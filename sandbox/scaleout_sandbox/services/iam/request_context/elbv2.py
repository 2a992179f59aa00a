"""Elastic Load Balancing v2: each operation's resources and condition keys (Service Authorization
Reference, list_awselasticloadbalancingv2; tags on create: ELB User Guide, "Tagging resources during
creation").

A load balancer or target group being created is ``loadbalancer/app/<name>/*`` /
``targetgroup/<name>/*``; ``Tags`` given at creation are its ``aws:RequestTag/*`` keys and cost an
``elasticloadbalancing:AddTags`` check on it with ``elasticloadbalancing:CreateAction`` = the
operation (CreateLoadBalancer, CreateTargetGroup, CreateListener)."""

from __future__ import annotations

from .common import Call, items, tags_of

CREATE_ACTION = "elasticloadbalancing:CreateAction"
_LB_TYPES = {"application": "loadbalancer/app/", "network": "loadbalancer/net/", "gateway": "loadbalancer/gwy/"}


def _created(call: Call, arn: str) -> None:
    tags = tags_of(call.param("Tags"))
    call.check(arn, request_tags=tags)
    call.tag_on_create("elasticloadbalancing:AddTags", arn, tags, CREATE_ACTION)


def create_load_balancer(call: Call) -> None:
    resource_type = _LB_TYPES.get(call.param("Type") or "application", "loadbalancer/app/")
    _created(call, call.arn(resource_type, LoadBalancerName=call.param("Name")))


def create_target_group(call: Call) -> None:
    _created(call, call.arn("targetgroup", TargetGroupName=call.param("Name")))


def _existing(call: Call, arn: str, **keys) -> None:
    call.check(arn, resource_tags=call.state.elb_tags(call.region, arn) if arn else {}, **keys)


def create_listener(call: Call) -> None:
    load_balancer = call.param("LoadBalancerArn")
    tags = tags_of(call.param("Tags"))
    call.check(load_balancer, resource_tags=call.state.elb_tags(call.region, load_balancer), request_tags=tags)
    if tags:  # the new listener: listener/app/<lb name>/<lb id>/*
        listener = load_balancer.replace(":loadbalancer/", ":listener/", 1) + "/*"
        call.tag_on_create("elasticloadbalancing:AddTags", listener, tags, CREATE_ACTION)


def by_arn(param: str):
    def checks(call: Call) -> None:
        _existing(call, call.param(param) or "*")

    return checks


def add_tags(call: Call) -> None:
    tags = tags_of(call.param("Tags"))
    for arn in items(call.param("ResourceArns")):
        call.check(arn, resource_tags=call.state.elb_tags(call.region, arn), request_tags=tags)


TABLE = {
    "CreateLoadBalancer": create_load_balancer,
    "CreateTargetGroup": create_target_group,
    "CreateListener": create_listener,
    "AddTags": add_tags,
    "DeleteListener": by_arn("ListenerArn"),
    "ModifyListener": by_arn("ListenerArn"),
    "DeleteLoadBalancer": by_arn("LoadBalancerArn"),
    "DeleteTargetGroup": by_arn("TargetGroupArn"),
    "ModifyTargetGroup": by_arn("TargetGroupArn"),
    "ModifyTargetGroupAttributes": by_arn("TargetGroupArn"),
}
