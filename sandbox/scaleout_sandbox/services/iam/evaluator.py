"""IAM policy evaluation (pure): identity-based policy documents + one request -> the decision.

Source: IAM User Guide, "Policy evaluation logic" (reference_policies_evaluation-logic) for a
principal's identity-based policies in its own account (no permissions boundary, session policy,
SCP or resource-based policy: the sandbox has none):

1. an explicit ``Deny`` that applies wins (``explicitDeny``);
2. otherwise an ``Allow`` that applies grants (``allowed``);
3. otherwise the request is refused (``implicitDeny``).

A statement applies when its ``Action``/``NotAction`` matches the action (wildcards, case-
insensitive), its ``Resource``/``NotResource`` matches the resource ARN (part by part,
case-sensitive; ``*`` is every resource) and its ``Condition`` holds over the request context
(conditions.py).

One API call can need several authorizations: every resource the Service Authorization Reference
lists for the action (``ec2:RunInstances`` on the instance, the image, the subnet, ...), and
companion actions (``ec2:CreateTags`` for tags given at creation, ``iam:PassRole``). Each is a
``Check`` - action, resource ARN and the condition keys for that resource - and the call is allowed
only when every check is (``authorize``). The same ``evaluate`` answers a list of action + resource
+ context entries, as ``iam:SimulatePrincipalPolicy`` will (EvalDecision names are AWS's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence, Union

from .conditions import UnsupportedOperator, arn_matches, conditions_hold, glob

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"

# AWS requires no permission for these.
ALWAYS_ALLOWED = {"sts:getcalleridentity"}


@dataclass(frozen=True)
class Check:
    """One authorization: an action on one resource ARN (``*`` when the action has no resource-level
    permission) with the condition keys of the request and of that resource (lower-cased names)."""

    action: str
    resource: str = "*"
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # why the sandbox makes this check, for the log and messages: "" for the call itself, else e.g.
    # "tags given at creation" or "the instance profile's role"
    reason: str = ""

    @staticmethod
    def of(action: str, resource: str = "*", context: Optional[Mapping] = None, reason: str = "") -> "Check":
        return Check(action, resource, normalize_context(context or {}), reason)


@dataclass(frozen=True)
class Policy:
    """A policy document and where it comes from (an inline policy name or a managed policy ARN)."""

    document: dict
    source: str = ""


@dataclass(frozen=True)
class Result:
    decision: str
    check: Check
    statement: Optional[dict] = None  # the Deny that refused, or the Allow that granted
    source: str = ""  # the statement's policy

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @property
    def sid(self) -> Optional[str]:
        return (self.statement or {}).get("Sid")


def normalize_context(context: Mapping) -> dict:
    """Lower-case key names (AWS's keys are case-insensitive); values as lists of strings."""
    out = {}
    for key, value in context.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        out[key.lower()] = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return out


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _action_matches(statement: dict, action: str) -> bool:
    if "NotAction" in statement:
        return not any(glob(p, re.IGNORECASE).match(action) for p in _as_list(statement["NotAction"]))
    return any(glob(p, re.IGNORECASE).match(action) for p in _as_list(statement.get("Action")))


def _resource_matches(statement: dict, resource: str) -> bool:
    if "NotResource" in statement:
        return not any(arn_matches(p, resource) for p in _as_list(statement["NotResource"]))
    return any(arn_matches(p, resource) for p in _as_list(statement.get("Resource")))


def statement_applies(statement: dict, check: Check) -> bool:
    if not isinstance(statement, dict):
        return False
    if not (_action_matches(statement, check.action) and _resource_matches(statement, check.resource)):
        return False
    try:
        return conditions_hold(statement.get("Condition"), check.context)
    except UnsupportedOperator:
        # An operator the sandbox does not model: an Allow does not grant, a Deny still refuses
        # (the stricter reading in both cases).
        return statement.get("Effect") == "Deny"


def _policies(documents: Iterable[Union[Policy, dict]]) -> list:
    return [d if isinstance(d, Policy) else Policy(d or {}) for d in documents]


def evaluate(documents: Iterable[Union[Policy, dict]], check: Check) -> Result:
    """The decision for one check, with the statement that decided it."""
    if check.action.lower() in ALWAYS_ALLOWED:
        return Result(ALLOWED, check)
    granted: Optional[Result] = None
    for policy in _policies(documents):
        for statement in _as_list(policy.document.get("Statement")):
            if not statement_applies(statement, check):
                continue
            if statement.get("Effect") == "Deny":
                return Result(EXPLICIT_DENY, check, statement, policy.source)
            if statement.get("Effect") == "Allow" and granted is None:
                granted = Result(ALLOWED, check, statement, policy.source)
    return granted or Result(IMPLICIT_DENY, check)


def authorize(documents: Iterable[Union[Policy, dict]], checks: Sequence[Check]) -> list[Result]:
    """Every check's result, in order (a call is allowed when all are)."""
    policies = _policies(documents)
    return [evaluate(policies, check) for check in checks]


def first_refusal(results: Sequence[Result]) -> Optional[Result]:
    """The result AWS reports for a refused call: an explicit deny before an implicit one."""
    refused = [r for r in results if not r.allowed]
    explicit = [r for r in refused if r.decision == EXPLICIT_DENY]
    return (explicit or refused or [None])[0]
