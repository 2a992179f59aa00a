"""IAM enforcement (opt-in): the switch, the admin credentials, and how the sandbox decides a call.

Off by default: every request is served whatever its credentials, as before. With
``SCALEOUT_SANDBOX_IAM_ENFORCE=1`` in the environment of `scripts/sandbox up` (or of the server
process), every AWS API call the server answers is authenticated and authorised against IAM, using
moto's own machinery (moto.iam.access_control) with the changes made in enforcement_patches.py:

* **Authentication** is moto's: the SigV4 access key must belong to an IAM user (or to a session
  from ``sts:AssumeRole``) of the sandbox's IAM, and the signature must verify with its secret.
  Any other key is refused - ``AuthFailure`` (401) for EC2, ``InvalidClientTokenId`` (403) for the
  query services, ``UnrecognizedClientException`` for JSON services; a request without a SigV4
  ``Authorization`` header gets ``MissingAuthenticationToken``.
* **The admin key** ``ADMIN_ACCESS_KEY_ID``/``ADMIN_SECRET_ACCESS_KEY`` is never checked. It is how
  tests bootstrap (create the limited user, its policy and its access key with the ordinary IAM API)
  and inspect or build state around a run. It is not an IAM user: it cannot be deleted or changed
  through IAM, and survives ``/moto-api/reset``. ``SandboxClient.client()`` uses it by default.
* **Authorisation** evaluates the identity-based policies of the caller (inline and attached, of the
  user and its groups, or of the assumed role) the way AWS does (evaluator.py, conditions.py): every
  resource the call touches, with its condition keys, and the companion checks (tags on create,
  ``iam:PassRole``), from the request and the sandbox's state (request_context/). The call is
  refused at the first check that is not allowed (an explicit deny first).
* **Action names**: the IAM prefix is the SigV4 signing name, except ``monitoring`` -> ``cloudwatch``
  (moto would ask for ``monitoring:DescribeAlarms``).
* **Refusals** answer as AWS does: EC2 ``UnauthorizedOperation`` (403, with an "Encoded
  authorization failure message"), query services (Auto Scaling, ELB, IAM, STS) ``AccessDenied``
  (403), JSON services (SSM) ``AccessDeniedException`` (403), CloudWatch ``AccessDenied`` (403;
  botocore talks JSON to it in query-compatible mode). The message names the user ARN, the action
  refused, its resource (unless ``*``), and whether an explicit deny refused it
  (IAM User Guide, "Troubleshoot access denied error messages").
* **Not checked**: ``iam:CreateServiceLinkedRole`` when a service creates its role on first use
  (the sandbox has no service-linked roles), KMS key policies, permissions boundaries, SCPs and
  resource-based policies.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import uuid
from typing import Iterable, Mapping, Optional, Sequence

from werkzeug.exceptions import HTTPException

ENFORCE_ENV = "SCALEOUT_SANDBOX_IAM_ENFORCE"
# Diagnostics: with enforcement on, evaluate every call but refuse none; the request log records
# every check that would have been refused ("denials"), so one run lists them all.
AUDIT_ENV = "SCALEOUT_SANDBOX_IAM_AUDIT_ONLY"

# The admin credentials: 20 upper-case letters/digits, like an AWS key id, so that moto's request
# parsing treats them like any access key (account 123456789012, the default).
ADMIN_ACCESS_KEY_ID = "AKIASANDBOXADMIN0001"
ADMIN_SECRET_ACCESS_KEY = "sandbox-admin-secret-access-key"

# SigV4 signing names that are not the service's IAM prefix.
_SIGNING_TO_IAM_PREFIX = {"monitoring": "cloudwatch"}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/[^/]+/[^/]+/aws4_request")


def enforced_from_env(environ: Optional[Mapping[str, str]] = None) -> bool:
    """The switch, from SCALEOUT_SANDBOX_IAM_ENFORCE (1/true/yes/on or 0/false/no/off/unset)."""
    raw = (os.environ if environ is None else environ).get(ENFORCE_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{ENFORCE_ENV}={raw!r} must be 1 or 0 (or true/false, yes/no, on/off)")


def access_key_id(authorization: Optional[str]) -> Optional[str]:
    """The access key id of a SigV4 Authorization header, or None when there is none."""
    match = _CREDENTIAL.search(authorization or "")
    return match.group(1) if match else None


def iam_action(action: str) -> str:
    """moto's "<signing name>:<Operation>" as the IAM action name."""
    prefix, _, operation = action.partition(":")
    return f"{_SIGNING_TO_IAM_PREFIX.get(prefix, prefix)}:{operation}"


# ---------------------------------------------------------------- the caller's policies


def policy_document(policy) -> dict:
    """The JSON document of what moto's collect_policies() returns (Policy object, str or dict)."""
    from moto.iam.access_control import IAMPolicy

    document = IAMPolicy(policy)._policy_json
    return document if isinstance(document, dict) else json.loads(document)


# ---------------------------------------------------------------- refusals, as AWS words them


def _protocol(headers) -> str:
    content_type = (headers.get("Content-Type") or headers.get("content-type") or "").lower()
    if content_type.startswith("application/x-amz-json"):
        query_mode = (headers.get("x-amzn-query-mode") or "").lower() == "true"
        return "json-query-compatible" if query_mode else "json"
    return "query"


class Refusal(HTTPException):
    """An authentication or authorisation failure: moto's call_action answers an HTTPException raised
    by the check with its .description as the body and its .code as the status; raised elsewhere
    (moto's S3 handler, where requests without credentials land), Flask renders it with get_body."""

    def __init__(self, status: int, error_code: str, body: str, content_type: str):
        super().__init__(description=body)
        self.code = status
        self.error_code = error_code
        self.content_type = content_type

    def get_body(self, environ=None, scope=None) -> str:
        return self.description or ""

    def get_headers(self, environ=None, scope=None) -> list:
        return [("Content-Type", self.content_type)]


def _http_error(status: int, code: str, message: str, protocol: str, ec2: bool = False) -> Refusal:
    content_type = "text/xml"
    if protocol.startswith("json"):
        body = json.dumps({"__type": code, "message": message})
        content_type = "application/x-amz-json-1.0"
    elif ec2:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                f"<Code>{code}</Code><Message>{_xml(message)}</Message></Error></Errors>"
                f"<RequestID>{uuid.uuid4()}</RequestID></Response>")
    else:
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
                f"<Code>{code}</Code><Message>{_xml(message)}</Message></Error>"
                f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")
    return Refusal(status, code, body, content_type)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def denial_message(user_arn: str, action: str, resource: str, explicit: bool) -> str:
    """AWS's wording: "User: <arn> is not authorized to perform: <action> [on resource: <arn>]
    because no identity-based policy allows the <action> action" (or "with an explicit deny in an
    identity-based policy")."""
    where = f" on resource: {resource}" if resource and resource != "*" else ""
    why = ("with an explicit deny in an identity-based policy" if explicit
           else f"because no identity-based policy allows the {action} action")
    return f"User: {user_arn} is not authorized to perform: {action}{where} {why}"


def encoded_authorization_message(user_arn: str, result) -> str:
    """EC2's "Encoded authorization failure message": base64 of the JSON that
    sts:DecodeAuthorizationMessage returns on AWS (allowed, explicitDeny, matchedStatements,
    context: principal, action, resource, conditions), plus the sandbox's reason for the check."""
    check = result.check
    statements = [result.statement] if result.statement else []
    document = {
        "allowed": False,
        "explicitDeny": result.decision == "explicitDeny",
        "matchedStatements": {"items": [{"statementId": s.get("Sid", ""), "effect": s.get("Effect"),
                                         "action": s.get("Action", s.get("NotAction")),
                                         "resource": s.get("Resource", s.get("NotResource")),
                                         "conditions": s.get("Condition", {})} for s in statements]},
        "failures": {"items": []},
        "context": {
            "principal": {"arn": user_arn},
            "action": check.action,
            "resource": check.resource,
            "conditions": {"items": [{"key": key, "values": {"items": [{"value": v} for v in values]}}
                                     for key, values in sorted(check.context.items())]},
        },
        "sandbox": {"reason": check.reason},
    }
    return base64.b64encode(json.dumps(document, sort_keys=True).encode()).decode()


def decode_authorization_message(encoded: str) -> Optional[str]:
    """The JSON of an encoded authorization failure message (sts:DecodeAuthorizationMessage); None
    for text that is not one."""
    try:
        decoded = base64.b64decode(encoded.encode(), validate=True).decode()
        return decoded if isinstance(json.loads(decoded), dict) else None
    except (ValueError, UnicodeDecodeError):
        return None


def access_denied(service: str, headers, user_arn: str, result) -> "Refusal":
    """The refusal of a call, for the first check (evaluator.Result) that was not allowed."""
    message = denial_message(user_arn, result.check.action, result.check.resource, result.decision == "explicitDeny")
    protocol = _protocol(headers)
    if service == "ec2":
        return _http_error(403, "UnauthorizedOperation",
                           f"You are not authorized to perform this operation. {message}. Encoded authorization "
                           f"failure message: {encoded_authorization_message(user_arn, result)}", protocol, ec2=True)
    if protocol == "json":
        return _http_error(403, "AccessDeniedException", message, protocol)
    return _http_error(403, "AccessDenied", message, protocol)


def invalid_access_key(headers):
    """For JSON protocols only (moto answers the others as AWS does)."""
    protocol = _protocol(headers)
    code = "InvalidClientTokenId" if protocol == "json-query-compatible" else "UnrecognizedClientException"
    return _http_error(403, code, "The security token included in the request is invalid.", protocol)


def signature_does_not_match(headers):
    """For JSON protocols only (moto answers the others as AWS does)."""
    protocol = _protocol(headers)
    code = "SignatureDoesNotMatch" if protocol == "json-query-compatible" else "InvalidSignatureException"
    return _http_error(403, code, "The request signature we calculated does not match the signature you provided. "
                                  "Check your AWS Secret Access Key and signing method.", protocol)


def missing_authentication(headers, service: Optional[str]):
    protocol = _protocol(headers)
    if service == "ec2":
        return _http_error(401, "AuthFailure", "AWS was not able to validate the provided access credentials",
                           protocol, ec2=True)
    code = "MissingAuthenticationTokenException" if protocol == "json" else "MissingAuthenticationToken"
    return _http_error(403, code, "Request is missing Authentication Token", protocol)


def is_json_protocol(headers) -> bool:
    return _protocol(headers).startswith("json")


# ---------------------------------------------------------------- denials, for the request log

_last = threading.local()


def audit_only() -> bool:
    return (os.environ.get(AUDIT_ENV) or "").strip().lower() in _TRUE


def _denial(user_arn: str, result, operation_action: str) -> dict:
    check = result.check
    return {"action": check.action, "resource": check.resource, "decision": result.decision,
            "statement": result.sid, "reason": check.reason, "call": operation_action, "principal": user_arn}


def note_denial(user_arn: str, result, operation_action: str, refused: Sequence = ()) -> None:
    """Remember the denial of the request being served (server.py adds it to its log entry): the
    check reported, and (audit only) every check that was not allowed."""
    _last.denial = dict(_denial(user_arn, result, operation_action), enforced=not audit_only())
    if refused:
        _last.denial["all"] = [_denial(user_arn, r, operation_action) for r in refused]


def take_denial() -> Optional[dict]:
    """The denial of the request just served by this thread, once (None when it was not refused)."""
    denial = getattr(_last, "denial", None)
    _last.denial = None
    return denial
