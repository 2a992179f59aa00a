"""The Service Authorization Reference, for the actions the collection uses (sar_actions.json).

Per action: its resource types (``name*`` when required) and condition keys; per resource type its
ARN template. The request tables (request_context/) build each resource's ARN from these templates,
and an action the reference lists without resource types is authorized on ``*`` only.
Source and the subset kept: the "source" field of sar_actions.json."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

_DATA = Path(__file__).with_name("sar_actions.json")


@functools.lru_cache(maxsize=1)
def data() -> dict:
    return json.loads(_DATA.read_text())


def known(action: str) -> bool:
    return action in data()["actions"]


def resource_types(action: str) -> list[str]:
    """The resource type names of an action ("instance", ...; no ``*``); [] when it has none."""
    entry = data()["actions"].get(action)
    return [name.rstrip("*") for name in (entry or {}).get("resources", [])]


def required_resource_types(action: str) -> list[str]:
    entry = data()["actions"].get(action) or {}
    return [name.rstrip("*") for name in entry.get("resources", []) if name.endswith("*")]


def arn(service: str, resource_type: str, partition: str = "aws", region: str = "", account: str = "", **parts: str) -> str:
    """The ARN of a resource type from its template; a part not given is ``*`` (a resource being
    created has no id yet: AWS authorizes e.g. ``instance/*``)."""
    template = data()["arns"][f"{service}:{resource_type}"]
    values = dict(parts, Partition=partition, Region=region, Account=account)
    return re.sub(r"\$\{(\w+)\}", lambda m: str(values.get(m.group(1)) or "*"), template)
