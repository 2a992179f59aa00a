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
  user and its groups, or of the assumed role) for the IAM action ``<prefix>:<Operation>``. The
  sandbox cannot evaluate resources and conditions (moto hands the check the resource ``*`` for
  almost every action and no request context), so it decides as AWS would for the most favourable
  resource and context (``decide()``):

  - a statement applies when its ``Action``/``NotAction`` matches (wildcards ``*`` and ``?``, case
    insensitive, as AWS);
  - an ``Allow`` grants whatever its ``Resource``/``NotResource`` and ``Condition`` say;
  - a ``Deny`` applies only when it has no ``Condition``, no ``NotResource`` and ``"Resource": "*"``
    (it then denies on AWS too); resource-scoped or conditional denies are not applied;
  - an applicable ``Deny`` wins; otherwise the call needs an applicable ``Allow``; otherwise it is
    refused (implicit deny). ``sts:GetCallerIdentity`` is always allowed, as on AWS.

  So a call the sandbox refuses is refused on AWS too (for the same policies, without permission
  boundaries, SCPs or resource policies, which are not evaluated): a run that passes proves every
  action the run makes is granted by some statement; it does not prove that the statements'
  resource ARNs and conditions are wide enough.
* **Action names**: the IAM prefix is the SigV4 signing name, except ``monitoring`` -> ``cloudwatch``
  (moto would ask for ``monitoring:DescribeAlarms``).
* **Refusals** answer as AWS does: EC2 ``UnauthorizedOperation`` (403), query services (Auto
  Scaling, ELB, IAM, STS) ``AccessDenied`` (403), JSON services (SSM) ``AccessDeniedException``
  (403), CloudWatch ``AccessDenied`` (403; botocore talks JSON to it in query-compatible mode).
  The message names the user ARN and the action, and whether an explicit deny refused it.
* **Not checked** (moto does not model them): permissions an action needs besides its own -
  ``iam:PassRole`` for ``RunInstances``/Auto Scaling with an instance profile,
  ``iam:CreateServiceLinkedRole``, ``ec2:CreateTags`` for tags on create,
  ``elasticloadbalancing:AddTags`` for tags on create, KMS key policies.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import Iterable, Mapping, Optional

from werkzeug.exceptions import HTTPException

ENFORCE_ENV = "SCALEOUT_SANDBOX_IAM_ENFORCE"

# The admin credentials: 20 upper-case letters/digits, like an AWS key id, so that moto's request
# parsing treats them like any access key (account 123456789012, the default).
ADMIN_ACCESS_KEY_ID = "AKIASANDBOXADMIN0001"
ADMIN_SECRET_ACCESS_KEY = "sandbox-admin-secret-access-key"

ALLOW, DENY, IMPLICIT_DENY = "allow", "deny", "implicit-deny"

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


# ---------------------------------------------------------------- the decision


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _pattern(text: str) -> "re.Pattern":
    return re.compile("^" + re.escape(text).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.IGNORECASE | re.DOTALL)


def _action_matches(statement: dict, action: str) -> bool:
    if "NotAction" in statement:
        return not any(_pattern(p).match(action) for p in _as_list(statement["NotAction"]))
    return any(_pattern(p).match(action) for p in _as_list(statement.get("Action")))


def _deny_applies_everywhere(statement: dict) -> bool:
    return (not statement.get("Condition") and "NotResource" not in statement
            and "*" in _as_list(statement.get("Resource")))


def decide(action: str, documents: Iterable[dict]) -> str:
    """ALLOW, DENY (an explicit deny applies) or IMPLICIT_DENY, for the policy documents of a caller."""
    if action.lower() == "sts:getcalleridentity":
        return ALLOW
    allowed = False
    for document in documents:
        for statement in _as_list((document or {}).get("Statement")):
            if not isinstance(statement, dict) or not _action_matches(statement, action):
                continue
            if statement.get("Effect") == "Deny":
                if _deny_applies_everywhere(statement):
                    return DENY
            elif statement.get("Effect") == "Allow":
                allowed = True
    return ALLOW if allowed else IMPLICIT_DENY


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


def access_denied(service: str, headers, user_arn: str, action: str, explicit: bool):
    why = ("with an explicit deny in an identity-based policy" if explicit
           else f"because no identity-based policy allows the {action} action")
    message = f"User: {user_arn} is not authorized to perform: {action} {why}"
    protocol = _protocol(headers)
    if service == "ec2":
        return _http_error(403, "UnauthorizedOperation", f"You are not authorized to perform this operation. {message}",
                           protocol, ec2=True)
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
