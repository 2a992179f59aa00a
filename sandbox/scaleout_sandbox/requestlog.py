"""Which AWS API call a request is: service and action, parsed the way AWS routes them.

* service: from the SigV4 credential scope in the Authorization header
  (``Credential=AKID/20260101/ap-northeast-2/ec2/aws4_request``), else from the X-Amz-Target prefix.
* action: the X-Amz-Target suffix (JSON protocols: ``AmazonSSM.SendCommand``), the ``Action``
  parameter (query protocols: EC2, Auto Scaling, ELBv2, STS, IAM), the Smithy RPC v2 path
  (``/service/GraniteServiceVersion20100801/operation/DescribeAlarms``, CloudWatch with botocore
  >= 1.36), or, for REST services, the operation whose HTTP method and URI template match in
  botocore's service model.
* mutating: everything except calls whose name starts with a read-only verb (Describe, Get, List, ...).
"""

from __future__ import annotations

import re
import threading
from collections import deque
from functools import lru_cache
from typing import Optional
from urllib.parse import parse_qs

READ_ONLY_PREFIXES = (
    "Describe", "Get", "List", "Head", "Lookup", "Search", "Query", "Scan", "Select", "BatchGet",
    "Check", "Estimate", "Preview", "Validate", "Test", "View",
    "Simulate",  # iam:SimulatePrincipalPolicy/SimulateCustomPolicy: access level Read (Service Authorization Reference)
)

_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_KEY = re.compile(r"Credential=([^/,\s]+)/")
_SMITHY_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")

# SigV4 signing names that differ from botocore's service directory names.
_SIGNING_TO_SERVICE = {"elasticloadbalancing": "elbv2", "monitoring": "cloudwatch", "execute-api": "apigateway"}


def access_key_id(headers: dict) -> Optional[str]:
    """The access key id that signed the request (SigV4 credential scope), or None."""
    match = _KEY.search(headers.get("authorization", ""))
    return match.group(1) if match else None


def is_mutating(action: Optional[str]) -> bool:
    if not action:
        return False
    return not action.startswith(READ_ONLY_PREFIXES)


def parse(method: str, path: str, query: str, headers: dict, body: bytes) -> dict:
    """{"service", "region", "action"} for one request (values may be None when unknown)."""
    auth = headers.get("authorization", "")
    service = region = None
    match = _CREDENTIAL.search(auth)
    if match:
        region, service = match.group(1), match.group(2)
    target = headers.get("x-amz-target", "")
    action = None
    if target and "." in target:
        prefix, action = target.rsplit(".", 1)
        if not service:
            service = prefix.split("_")[0].lower()
    if not action:
        match = _SMITHY_PATH.match(path)
        if match:
            action = match.group(1)
    if not action:
        params = parse_qs(query)
        if "Action" in params:
            action = params["Action"][0]
    if not action and body and "x-www-form-urlencoded" in headers.get("content-type", ""):
        try:
            params = parse_qs(body.decode("utf-8", "replace"))
        except ValueError:
            params = {}
        if "Action" in params:
            action = params["Action"][0]
    if service:
        if service == "elasticloadbalancing" and action and _elb_version(query, body) == "2012-06-01":
            service = "elb"
        service = _SIGNING_TO_SERVICE.get(service, service)
    if not action and service:
        action = _rest_operation(service, method, path, query, headers)
    return {"service": service, "region": region, "action": action or f"{method} {path}"}


def _elb_version(query: str, body: bytes) -> Optional[str]:
    for source in (query, body.decode("utf-8", "replace") if body else ""):
        values = parse_qs(source).get("Version")
        if values:
            return values[0]
    return None


@lru_cache(maxsize=64)
def _rest_routes(service: str):
    try:
        import botocore.session

        model = botocore.session.get_session().get_service_model(service)
    except Exception:
        return ()
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        http = operation.http
        uri, _, query = http.get("requestUri", "/").partition("?")
        pattern = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(uri))
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        literal = len(re.sub(r"\{[^}]+\}", "", uri))
        needed_query = tuple(q.split("=")[0] for q in query.split("&") if q)
        needed_headers = ()
        shape = operation.input_shape
        if shape is not None:
            needed_headers = tuple(
                member.serialization.get("name", key).lower()
                for key, member in shape.members.items()
                if member.serialization.get("location") == "header" and key in shape.required_members)
        routes.append((http.get("method", "POST"), re.compile("^" + pattern + "/?$"), needed_query, needed_headers,
                       literal, name))
    # Most specific first: most required query keys and headers, then the longest literal URI part.
    routes.sort(key=lambda route: (-(len(route[2]) + len(route[3])), -route[4]))
    return tuple(routes)


def _rest_operation(service: str, method: str, path: str, query: str = "", headers: Optional[dict] = None) -> Optional[str]:
    present = set(parse_qs(query, keep_blank_values=True))
    headers = headers or {}
    for route_method, pattern, needed_query, needed_headers, _, name in _rest_routes(service):
        if route_method != method or not pattern.match(path):
            continue
        if all(q in present for q in needed_query) and all(h in headers for h in needed_headers):
            return name
    return None


class RequestLog:
    """The AWS API calls served, oldest first (bounded)."""

    def __init__(self, limit: int = 100_000):
        self._entries: deque = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list:
        with self._lock:
            return list(self._entries)

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count
