# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: EC2 security groups by name or by tag, and their ingress rules (the clients retry, see _aws_clients).

A rule is compared as a tuple (protocol, from_port, to_port, kind, source), kind one of cidr_ip,
cidr_ipv6 and group_id: one tuple per source, as AWS lists them inside IpPermissions. The pure
functions turn the security_group module's rules and AWS's IpPermissions into such tuples and back.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate

PROTOCOL_NAMES = {"all": "-1", "-1": "-1", "tcp": "tcp", "udp": "udp", "icmp": "icmp", "6": "tcp", "17": "udp", "1": "icmp"}
_SOURCES = (("cidr_ip", "IpRanges", "CidrIp"), ("cidr_ipv6", "Ipv6Ranges", "CidrIpv6"), ("group_id", "UserIdGroupPairs", "GroupId"))


def _port_range(port):
    """(from, to) of 80, "80" or "8000-8080"."""
    text = str(port)
    if "-" in text.strip("-"):
        low, high = text.split("-", 1)
        return int(low), int(high)
    return int(text), int(text)


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def referenced_group_names(rules):
    """The names of the groups the rules take as sources (``group_name``), sorted (pure)."""
    return sorted(set(name for rule in rules or [] for name in _as_list(rule.get("group_name"))))


def wanted_rules(rules, group_ids=None):
    """The set of rule tuples of the module's ``rules`` (proto, ports, cidr_ip, cidr_ipv6, group_id,
    group_name - resolved through ``group_ids`` {name: id}, else kept as the name); a ValueError names
    a bad one (pure)."""
    group_ids = group_ids or {}
    wanted = set()
    for index, rule in enumerate(rules or []):
        proto = PROTOCOL_NAMES.get(str(rule.get("proto", "tcp")).lower())
        if proto is None:
            raise ValueError("rules[%d].proto=%r: one of tcp, udp, icmp, all" % (index, rule.get("proto")))
        ports = [(None, None)] if proto == "-1" else [_port_range(p) for p in _as_list(rule.get("ports"))]
        if not ports:
            raise ValueError("rules[%d]: ports is required for proto %s" % (index, proto))
        sources = [(kind, source) for kind, _key, _field in _SOURCES for source in _as_list(rule.get(kind))]
        sources += [("group_id", group_ids.get(name, name)) for name in _as_list(rule.get("group_name"))]
        if not sources:
            raise ValueError("rules[%d]: give cidr_ip, cidr_ipv6, group_id or group_name" % index)
        wanted.update((proto, low, high, kind, source) for low, high in ports for kind, source in sources)
    return wanted


def current_rules(group):
    """The set of rule tuples of a DescribeSecurityGroups entry's ingress (pure)."""
    found = set()
    for permission in group.get("IpPermissions", []):
        proto = PROTOCOL_NAMES.get(str(permission.get("IpProtocol")), str(permission.get("IpProtocol")))
        low, high = (None, None) if proto == "-1" else (permission.get("FromPort"), permission.get("ToPort"))
        for kind, key, field in _SOURCES:
            found.update((proto, low, high, kind, entry[field]) for entry in permission.get(key, []))
    return found


def ip_permissions(rules):
    """AWS's IpPermissions for a set of rule tuples, one permission per protocol and port range (pure)."""
    grouped = {}
    for proto, low, high, kind, source in sorted(rules, key=lambda r: tuple(str(x) for x in r)):
        permission = grouped.setdefault((proto, low, high), dict(
            [("IpProtocol", proto)] + ([] if proto == "-1" else [("FromPort", low), ("ToPort", high)])))
        key, field = [(k, f) for name, k, f in _SOURCES if name == kind][0]
        permission.setdefault(key, []).append({field: source})
    return [grouped[key] for key in sorted(grouped, key=lambda k: tuple(str(x) for x in k))]


def rule_lines(rules):
    """Readable lines of rule tuples, for changes and diffs (pure)."""
    lines = []
    for proto, low, high, _kind, source in rules:
        what = "all traffic" if proto == "-1" else "%s %s" % (proto, low if low == high else "%s-%s" % (low, high))
        lines.append("%s from %s" % (what, source))
    return sorted(lines)


def tags_of(group):
    return boto3_tag_list_to_ansible_dict(group.get("Tags", []))


# ------------------------------------------------------------------------------------- AWS calls


def groups_by_name(client, vpc_id, names):
    """{name: group} of the groups named `names` in the VPC (the way ec2_security_group finds them)."""
    groups = paginate(client, "describe_security_groups",
                      Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": list(names)}])
    return dict((g["GroupName"], g) for g in groups["SecurityGroups"])


def tagged_groups(client, tags):
    """Every group carrying all of `tags` ({key: value})."""
    filters = [{"Name": "tag:" + k, "Values": [v]} for k, v in sorted(tags.items())]
    return paginate(client, "describe_security_groups", Filters=filters)["SecurityGroups"]


def create_security_group(client, name, description, vpc_id, tags):
    """The new group's id; its tags go in the CreateSecurityGroup call itself."""
    params = dict(GroupName=name, Description=description, VpcId=vpc_id)
    if tags:
        params["TagSpecifications"] = [{"ResourceType": "security-group", "Tags": ansible_dict_to_boto3_tag_list(tags)}]
    return client.create_security_group(**params)["GroupId"]


def authorize_ingress(client, group_id, rules):
    client.authorize_security_group_ingress(GroupId=group_id, IpPermissions=ip_permissions(rules))


def revoke_ingress(client, group_id, rules):
    client.revoke_security_group_ingress(GroupId=group_id, IpPermissions=ip_permissions(rules))


def set_tags(client, group_id, tags):
    client.create_tags(Resources=[group_id], Tags=ansible_dict_to_boto3_tag_list(tags))


def delete_security_group(client, group_id):
    """True once deleted, False when EC2 no longer knows the group (deleted before). EC2 refuses
    with DependencyViolation while a network interface is still in the group (an instance
    terminated moments ago still holds its own): that error propagates, for the caller to retry."""
    try:
        client.delete_security_group(GroupId=group_id)
    except is_boto3_error_code("InvalidGroup.NotFound"):
        return False
    return True
