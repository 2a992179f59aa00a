"""What every service's request table uses: the call being authorized (``Call``), the shapes of
request parameters, and the condition keys of tags.

A table maps an API operation to a function ``(call) -> list[Check]``: one check per resource the
Service Authorization Reference lists for the action (ARN from sar.py's templates), with the keys
of that resource (``aws:ResourceTag/*`` and the service's alias, from the sandbox's state at the
moment of the call) and of the request (``aws:RequestTag/*``, ``aws:TagKeys``, the service's own
keys), plus the companion checks AWS makes (tags on create, ``iam:PassRole``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

from .. import sar
from ..evaluator import Check


def items(value) -> list:
    """A list parameter (the API's shape: a list), a single value, or nothing."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def tags_of(entries) -> dict:
    """{Key: Value} of a list of {"Key": ..., "Value": ...}."""
    return {e.get("Key"): e.get("Value") or "" for e in items(entries) if isinstance(e, dict) and e.get("Key")}


def request_tag_keys(tags: Optional[Mapping[str, str]]) -> dict:
    """``aws:RequestTag/<key>`` per tag and ``aws:TagKeys``; nothing when no tags are sent."""
    if not tags:
        return {}
    keys = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    keys["aws:TagKeys"] = list(tags)
    return keys


def resource_tag_keys(tags: Optional[Mapping[str, str]], *services: str) -> dict:
    """``aws:ResourceTag/<key>`` and each service's alias (``ec2:ResourceTag/<key>``,
    ``ssm:resourceTag/<key>``, ...: key names are case-insensitive) per tag of the resource."""
    keys = {}
    for key, value in (tags or {}).items():
        keys[f"aws:ResourceTag/{key}"] = value
        for service in services:
            keys[f"{service}:ResourceTag/{key}"] = value
    return keys


@dataclass
class Call:
    """One API call: the IAM action, the request parameters (the API's shape, as botocore's model
    names them: ``TagSpecifications``, ``SecurityGroupIds``, ``Tags``, ...), where it is
    made, and ``state`` (the sandbox's resources: request_context/moto_state.py, or a fake in
    tests)."""

    action: str  # "ec2:RunInstances"
    params: Mapping[str, Any]
    state: Any
    region: str = "us-east-1"
    account: str = "123456789012"
    partition: str = "aws"
    checks: list = field(default_factory=list)
    reason: str = ""  # of the checks being added (e.g. "launch template validated at ...")

    @property
    def service(self) -> str:
        return self.action.split(":")[0]

    @property
    def operation(self) -> str:
        return self.action.split(":")[1]

    def param(self, *path, default=None):
        value: Any = self.params
        for part in path:
            if not isinstance(value, Mapping) or part not in value:
                return default
            value = value[part]
        return value

    def arn(self, resource_type: str, service: Optional[str] = None, region: Optional[str] = None, **parts) -> str:
        return sar.arn(service or self.service, resource_type, self.partition,
                       self.region if region is None else region, self.account, **parts)

    def check(self, resource: str, resource_tags=None, request_tags=None, action: Optional[str] = None,
              reason: str = "", **keys) -> "Call":
        """Add a check of `action` (the call's own by default) on one resource."""
        action = action or self.action
        context = dict(keys)
        context.update(request_tag_keys(request_tags))
        aliases = {action.split(":")[0]}  # ec2:ResourceTag/*, ssm:resourceTag/* (SendCommand on an instance), ...
        if resource.count(":") >= 2:
            aliases.add(resource.split(":")[2])
        context.update(resource_tag_keys(resource_tags, *sorted(aliases)))
        self.checks.append(Check.of(action, resource, context, reason or self.reason))
        return self

    def tag_on_create(self, action: str, resource: str, tags, create_key: Optional[str] = None,
                      create_action: Optional[str] = None) -> "Call":
        """The companion check of tags given in a create call (none when no tags are given):
        `action` (ec2:CreateTags, ...) on the new resource, `create_key` (ec2:CreateAction, ...) set
        to the creating operation."""
        if tags:
            create_action = create_action or self.operation
            keys = {create_key: create_action} if create_key else {}
            self.check(resource, request_tags=tags, action=action, reason=f"tags given at {create_action}", **keys)
        return self

    def pass_role(self, role_arns: Iterable[str], service: str = "ec2.amazonaws.com", **keys) -> "Call":
        for role in role_arns:
            self.check(role, action="iam:PassRole", reason=f"the instance profile's role, passed at {self.operation}",
                       **{"iam:PassedToService": service}, **keys)
        return self


def everything(call: Call) -> list:
    """An action without resource-level permission (or one the tables do not map): ``*``."""
    return [Check.of(call.action, "*", {})]
