"""``iam:SimulatePrincipalPolicy`` (moto lacks it), decided by the same evaluator as the sandbox's
IAM enforcement (evaluator.py, conditions.py), so that a simulation and the real call agree.

AWS (IAM API Reference, SimulatePrincipalPolicy; IAM User Guide, "Testing IAM policies with the IAM
policy simulator"): the identity-based policies of the user (inline, attached, and its groups') or
role named by ``PolicySourceArn`` are evaluated for every action in ``ActionNames`` on every ARN in
``ResourceArns`` (``*`` when none is given) with the ``ContextEntries`` given; each result has
``EvalDecision`` (``allowed``, ``explicitDeny``, ``implicitDeny``), the ``MatchedStatements`` that
decided it (``SourcePolicyId``, ``SourcePolicyType``, ``StartPosition``/``EndPosition``) and, per
resource, ``ResourceSpecificResults``. An unknown principal is ``NoSuchEntity``. The simulator
ignores the condition keys nobody supplied, as AWS reports in ``MissingContextValues`` (the
sandbox leaves that list empty: its policies' keys are all request or resource keys the caller
gives). Not simulated: ``PolicyInputList``, permissions boundaries, SCPs, resource policies.
"""

from __future__ import annotations

import json

from moto.core.responses import ActionResult

from ...core.registry import patch
from . import enforcement, evaluator


def principal_policies(backend, arn: str) -> list:
    """The identity-based policies of the IAM user or role `arn` (evaluator.Policy, with the name AWS
    gives as SourcePolicyId: the inline policy's name or the managed policy's name)."""
    from moto.iam.exceptions import NoSuchEntity

    kind, _, rest = arn.split(":", 5)[-1].partition("/")
    name = rest.rsplit("/", 1)[-1]
    if kind == "user":
        holder = backend.get_user(name)
        holders = [holder] + list(backend.get_groups_for_user(name))
    elif kind == "role":
        holders = [backend.get_role(name)]
    else:
        raise NoSuchEntity(f"The principal {arn} is not a user or role that IAM can simulate")
    if holders[0].arn != arn:
        raise NoSuchEntity(f"The user or role {arn} cannot be found.")
    policies = []
    for holder in holders:
        kind_of = "group" if holder is not holders[0] else kind
        for policy_name, document in holder.policies.items():
            text = document if isinstance(document, str) else json.dumps(document)
            policies.append((evaluator.Policy(json.loads(text), policy_name), text, kind_of))
        for managed in holder.managed_policies.values():
            document = enforcement.policy_document(managed)
            policies.append((evaluator.Policy(document, managed.name), _default_text(managed), "managed"))
    return policies


def _default_text(managed) -> str:
    version = next(v for v in managed.versions if v.is_default)
    return version.document if isinstance(version.document, str) else json.dumps(version.document)


def statement_position(text: str, statement: dict) -> dict:
    """Where the statement starts in the policy text (line and column, 1-based), as AWS's
    StartPosition: the statement's Sid in the text, else the start of the document."""
    sid = statement.get("Sid")
    index = text.find(json.dumps(sid)) if sid else -1
    if index < 0:
        return {"Line": 1, "Column": 1}
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return {"Line": line, "Column": column}


def _context(entries) -> dict:
    return {e.get("ContextKeyName"): list(e.get("ContextKeyValues") or []) for e in entries or []
            if e.get("ContextKeyName")}


def simulate(policies: list, actions, resources, context) -> list:
    """The EvaluationResults of SimulatePrincipalPolicy (pure over the collected policies)."""
    results = []
    plain = [policy for policy, _text, _kind in policies]
    for action in actions:
        per_resource = []
        for resource in resources or ["*"]:
            result = evaluator.evaluate(plain, evaluator.Check.of(action, resource, context))
            matched = []
            if result.statement is not None:
                text, kind = next((t, k) for p, t, k in policies if p.source == result.source)
                start = statement_position(text, result.statement)
                matched.append({"SourcePolicyId": result.source,
                                "SourcePolicyType": "IAM Policy" if kind == "managed" else kind,
                                "StartPosition": start, "EndPosition": start})
            per_resource.append((resource, result.decision, matched))
        decisions = [d for _r, d, _m in per_resource]
        overall = (evaluator.EXPLICIT_DENY if evaluator.EXPLICIT_DENY in decisions
                   else evaluator.IMPLICIT_DENY if evaluator.IMPLICIT_DENY in decisions else evaluator.ALLOWED)
        entry = {"EvalActionName": action, "EvalDecision": overall, "MissingContextValues": [],
                 "MatchedStatements": [m for _r, _d, ms in per_resource for m in ms]}
        if resources:
            entry["EvalResourceName"] = resources[0] if len(resources) == 1 else "*"
            entry["ResourceSpecificResults"] = [
                {"EvalResourceName": r, "EvalResourceDecision": d, "MatchedStatements": m, "MissingContextValues": []}
                for r, d, m in per_resource]
        else:
            entry["EvalResourceName"] = "*"
        results.append(entry)
    return results


@patch("moto.iam.responses", "IamResponse", "simulate_principal_policy", adds=True)
def simulate_principal_policy(_engine, _original):
    def simulate_principal_policy(self):
        source = self._get_param("PolicySourceArn")
        policies = principal_policies(self.backend, source)
        results = simulate(policies, self._get_param("ActionNames", []), self._get_param("ResourceArns", []),
                           _context(self._get_param("ContextEntries", [])))
        return ActionResult({"EvaluationResults": results, "IsTruncated": False})

    return simulate_principal_policy
