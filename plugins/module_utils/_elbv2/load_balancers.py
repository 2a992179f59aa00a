# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: ELBv2 load balancers, target groups by tag, and target health; one Application Load
Balancer and its listeners, what differs and the calls that change it (the clients retry, see
_aws_clients)."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate

# Target health from worst to best: an instance counts as its worst state over its target groups.
TARGET_HEALTH_ORDER = ("unavailable", "unhealthy", "unused", "draining", "initial", "healthy")
DESCRIBE_TAGS_LIMIT = 20


def load_balancers_by_arn(client, arns):
    """The load balancers among arns; none when one of them does not exist (LoadBalancerNotFound)."""
    try:
        return paginate(client, "describe_load_balancers", LoadBalancerArns=arns)["LoadBalancers"]
    except is_boto3_error_code("LoadBalancerNotFound"):
        return []


def all_load_balancers(client):
    return paginate(client, "describe_load_balancers")["LoadBalancers"]


def all_target_groups(client):
    return paginate(client, "describe_target_groups")["TargetGroups"]


def tags_by_arn(client, arns):
    """{arn: [tags]}, in batches of DescribeTags' limit of 20 ARNs."""
    tags = {}
    for start in range(0, len(arns), DESCRIBE_TAGS_LIMIT):
        for description in client.describe_tags(ResourceArns=arns[start:start + DESCRIBE_TAGS_LIMIT])["TagDescriptions"]:
            tags[description["ResourceArn"]] = description.get("Tags", [])
    return tags


def target_health(client, target_group_arn):
    """{instance_id: TargetHealth.State} of one target group."""
    descriptions = client.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]
    return dict((d["Target"]["Id"], d["TargetHealth"]["State"]) for d in descriptions)


def worst_target_health(by_target_group):
    """{instance_id: state}: each instance's worst state over {arn: {instance_id: state}} (pure)."""
    worst = {}
    for arn in by_target_group:
        for instance_id, state in by_target_group[arn].items():
            if instance_id not in worst or TARGET_HEALTH_ORDER.index(state) < TARGET_HEALTH_ORDER.index(worst[instance_id]):
                worst[instance_id] = state
    return worst


def find_load_balancer(client, name):
    """The load balancer named `name`, or None."""
    try:
        found = client.describe_load_balancers(Names=[name])["LoadBalancers"]
    except is_boto3_error_code("LoadBalancerNotFound"):
        return None
    return found[0] if found else None


def listeners_of(client, load_balancer_arn):
    return paginate(client, "describe_listeners", LoadBalancerArn=load_balancer_arn)["Listeners"]


# ------------------------------------------------------------ one Application Load Balancer by name
# What it should be and what differs (pure), shared by the load_balancer module and the plan
# (_plan.plan_load_balancer), so that both decide alike; then the calls that change it.

LISTENER_KEYS = ("Protocol", "Port", "SslPolicy", "Certificates", "DefaultActions")
LISTENER_PROTOCOLS = ("HTTP", "HTTPS")
# Each default action type the module manages, and the member that configures it.
ACTION_CONFIG = {"forward": "TargetGroupArn", "redirect": "RedirectConfig", "fixed-response": "FixedResponseConfig"}
# A redirect keeps each URI component it does not set (ELB API Reference, RedirectActionConfig: "Any
# components that you do not modify retain their original values"), written with these keywords;
# DescribeListeners may answer them filled in, so both sides are compared with them filled in.
REDIRECT_DEFAULTS = {"Protocol": "#{protocol}", "Port": "#{port}", "Host": "#{host}", "Path": "/#{path}", "Query": "#{query}"}


def listener_errors(listeners):
    """What is wrong with the module's ``listeners`` (CreateListener's shape), one line each (pure)."""
    errors, ports = [], []
    for index, listener in enumerate(listeners or []):
        where = "listeners[%d]" % index
        if not isinstance(listener, dict):
            errors.append("%s: a dict with Protocol, Port and DefaultActions" % where)
            continue
        unknown = sorted(set(listener) - set(LISTENER_KEYS))
        if unknown:
            errors.append("%s: unknown keys %s (known: %s)" % (where, ", ".join(unknown), ", ".join(LISTENER_KEYS)))
        if listener.get("Protocol") not in LISTENER_PROTOCOLS:
            errors.append("%s.Protocol=%r: one of %s" % (where, listener.get("Protocol"), ", ".join(LISTENER_PROTOCOLS)))
        try:
            port = int(listener.get("Port"))
        except (TypeError, ValueError):
            port = None
        if port is None or not 1 <= port <= 65535:
            errors.append("%s.Port=%r: a port from 1 to 65535" % (where, listener.get("Port")))
        elif port in ports:
            errors.append("%s.Port=%d: another listener has this port" % (where, port))
        else:
            ports.append(port)
        certificates = listener.get("Certificates") or []
        has_certificate = bool(certificates) and isinstance(certificates[0], dict) and bool(certificates[0].get("CertificateArn"))
        if listener.get("Protocol") == "HTTPS" and not has_certificate:
            errors.append("%s: an HTTPS listener needs Certificates, [{CertificateArn: ...}]" % where)
        actions = listener.get("DefaultActions")
        if not actions or not isinstance(actions, list):
            errors.append("%s.DefaultActions: a list of at least one action" % where)
            continue
        for number, action in enumerate(actions):
            kind = action.get("Type") if isinstance(action, dict) else None
            if kind not in ACTION_CONFIG:
                errors.append("%s.DefaultActions[%d].Type=%r: one of %s" % (where, number, kind, ", ".join(sorted(ACTION_CONFIG))))
            elif not action.get(ACTION_CONFIG[kind]):
                errors.append("%s.DefaultActions[%d]: a %s action needs %s" % (where, number, kind, ACTION_CONFIG[kind]))
    return errors


def _action(action):
    """One default action as compared and sent: its type and its configuration only (pure)."""
    kind = action.get("Type")
    config = ACTION_CONFIG.get(kind)
    result = {"Type": kind}
    if config == "RedirectConfig":
        redirect = dict(REDIRECT_DEFAULTS)
        redirect.update((k, str(v)) for k, v in (action.get(config) or {}).items() if v is not None)
        result[config] = redirect
    elif config:
        result[config] = action.get(config)
    return result


def normalized_listener(listener):
    """A listener as CreateListener and ModifyListener take it, and as DescribeListeners' answer is
    compared: the port an int, the actions reduced to their type and configuration, one certificate
    (the default; AddListenerCertificates adds others) (pure)."""
    result = {"Protocol": listener.get("Protocol"), "Port": int(listener.get("Port")),
              "DefaultActions": [_action(a) for a in listener.get("DefaultActions") or []]}
    if listener.get("Protocol") == "HTTPS":
        if listener.get("SslPolicy"):
            result["SslPolicy"] = listener["SslPolicy"]
        certificates = [c for c in listener.get("Certificates") or [] if c.get("CertificateArn")]
        default = [c for c in certificates if c.get("IsDefault")] or certificates
        if default:
            result["Certificates"] = [{"CertificateArn": default[0]["CertificateArn"]}]
    return result


def _action_text(action):
    """'forward <target group ARN>', 'redirect HTTPS', 'fixed-response 503' (pure)."""
    detail = (action.get("TargetGroupArn") or (action.get("RedirectConfig") or {}).get("Protocol")
              or (action.get("FixedResponseConfig") or {}).get("StatusCode") or "")
    return "%s %s" % (action["Type"], detail)


def _actions_text(actions):
    return ", ".join(_action_text(a) for a in actions) or "none"


def listener_changes(current, wanted):
    """'what: now -> wanted' lines where a listener (DescribeListeners) differs from the wanted one
    on the same port; empty when ModifyListener has nothing to do (pure)."""
    now, want = normalized_listener(current), normalized_listener(wanted)
    changes = []
    if now["Protocol"] != want["Protocol"]:
        changes.append("protocol: %s -> %s" % (now["Protocol"], want["Protocol"]))
    if want["Protocol"] == "HTTPS":
        # Without an SslPolicy AWS picks its default policy: only one that is named is compared.
        if want.get("SslPolicy") and now.get("SslPolicy") != want["SslPolicy"]:
            changes.append("ssl policy: %s -> %s" % (now.get("SslPolicy"), want["SslPolicy"]))
        if now.get("Certificates") != want.get("Certificates"):
            changes.append("certificate: %s -> %s" % ((now.get("Certificates") or [{}])[0].get("CertificateArn"),
                                                      want["Certificates"][0]["CertificateArn"]))
    if now["DefaultActions"] != want["DefaultActions"]:
        changes.append("default actions: %s -> %s" % (_actions_text(now["DefaultActions"]), _actions_text(want["DefaultActions"])))
    return changes


def listener_updates(current, wanted, purge=True):
    """What makes the listeners ``current`` (DescribeListeners) into ``wanted``, matched by port:
    (to create [wanted listener], to modify [(listener ARN, wanted listener, change lines)], to
    delete [current listener]; only with ``purge``) (pure)."""
    by_port = dict((int(listener["Port"]), listener) for listener in current)
    create, modify = [], []
    for listener in wanted:
        found = by_port.pop(int(listener["Port"]), None)
        if found is None:
            create.append(normalized_listener(listener))
            continue
        changes = listener_changes(found, listener)
        if changes:
            modify.append((found["ListenerArn"], normalized_listener(listener), changes))
    delete = [by_port[port] for port in sorted(by_port)] if purge else []
    return create, modify, delete


def subnet_ids_of(balancer):
    return sorted(zone["SubnetId"] for zone in balancer.get("AvailabilityZones") or [])


def replacement_reasons(balancer, scheme):
    """What CreateLoadBalancer fixed for good that differs, as 'what: now -> wanted' (pure)."""
    reasons = []
    if (balancer.get("Type") or "application") != "application":
        reasons.append("type: %s -> application" % balancer.get("Type"))
    if balancer.get("Scheme") != scheme:
        reasons.append("scheme: %s -> %s" % (balancer.get("Scheme"), scheme))
    return reasons


def placement_changes(balancer, subnet_ids, security_group_ids):
    """{"subnets": wanted ids} and {"security_groups": wanted ids} where they differ, compared as
    sets: SetSubnets' and SetSecurityGroups' parameters (pure)."""
    changes = {}
    if set(subnet_ids_of(balancer)) != set(subnet_ids):
        changes["subnets"] = sorted(subnet_ids)
    if set(balancer.get("SecurityGroups") or []) != set(security_group_ids):
        changes["security_groups"] = sorted(security_group_ids)
    return changes


# ------------------------------------------------------------------------------------- AWS calls


def create_load_balancer(client, name, scheme, subnet_ids, security_group_ids, tags):
    """CreateLoadBalancer with the tags in the same call; the load balancer. AWS answers the
    existing one for the same name and settings (the call is idempotent), and
    DuplicateLoadBalancerName for the same name with other settings."""
    return client.create_load_balancer(Name=name, Type="application", Scheme=scheme, Subnets=list(subnet_ids),
                                       SecurityGroups=list(security_group_ids),
                                       Tags=ansible_dict_to_boto3_tag_list(tags))["LoadBalancers"][0]


def create_listener(client, load_balancer_arn, listener):
    return client.create_listener(LoadBalancerArn=load_balancer_arn, **listener)["Listeners"][0]


def modify_listener(client, listener_arn, listener):
    client.modify_listener(ListenerArn=listener_arn, **listener)


def delete_listener(client, listener_arn):
    client.delete_listener(ListenerArn=listener_arn)


def set_subnets(client, arn, subnet_ids):
    client.set_subnets(LoadBalancerArn=arn, Subnets=list(subnet_ids))


def set_security_groups(client, arn, security_group_ids):
    client.set_security_groups(LoadBalancerArn=arn, SecurityGroups=list(security_group_ids))


def tags_of(client, arn):
    return boto3_tag_list_to_ansible_dict(tags_by_arn(client, [arn]).get(arn, []))


def add_tags(client, arn, tags):
    client.add_tags(ResourceArns=[arn], Tags=ansible_dict_to_boto3_tag_list(tags))


def remove_tags(client, arn, keys):
    client.remove_tags(ResourceArns=[arn], TagKeys=sorted(keys))
