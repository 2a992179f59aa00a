"""API call -> the authorizations AWS makes for it (one ``Check`` per resource, plus companions).

One table per service (ec2.py, elbv2.py, autoscaling.py, iam.py, kms.py, ssm.py, acm.py): operation -> function
adding checks to the ``Call``. An operation not in its service's table - every Describe/List/Get
that the Service Authorization Reference lists without a resource type, and the few with one that
the tables do not map (``cloudwatch:DescribeAlarms``/``DescribeAlarmHistory`` on ``alarm:*``,
``sts:*``, ...) - is authorized on ``*`` only, the way AWS treats an action without resource-level
permission (``"Resource": "*"`` in a policy then matches; a scoped ``Resource`` does not).
"""

from __future__ import annotations

from typing import Any, Mapping

from ..evaluator import Check
from . import acm, autoscaling, ec2, elbv2, iam, kms, ssm
from .common import Call, everything

TABLES = {
    "ec2": ec2.TABLE,
    "elasticloadbalancing": elbv2.TABLE,
    "autoscaling": autoscaling.TABLE,
    "iam": iam.TABLE,
    "kms": kms.TABLE,
    "ssm": ssm.TABLE,
    "acm": acm.TABLE,
}


def mapped(action: str) -> bool:
    service, _, operation = action.partition(":")
    return operation in TABLES.get(service, {})


def checks_for(action: str, params: Mapping[str, Any], state, region: str = "us-east-1",
               account: str = "123456789012", partition: str = "aws") -> list[Check]:
    """Every check of the call `action` ("ec2:RunInstances") with these parameters."""
    call = Call(action, params or {}, state, region, account, partition)
    service, _, operation = action.partition(":")
    build = TABLES.get(service, {}).get(operation)
    if build is None:
        return everything(call)
    build(call)
    return call.checks
