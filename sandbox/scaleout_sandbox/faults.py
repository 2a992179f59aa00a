"""Fault hooks for tests: POST /_sandbox/faults sets them, GET reads, DELETE clears.

Document (every key optional; a POST replaces the keys it names and keeps the others)::

    {
      "unoffered": [{"zone": "ap-northeast-2a", "instance_type": "t3.micro"}],
      "insufficient_capacity": [{"zone": "ap-northeast-2c", "instance_type": "*"}],
      "never_healthy": {"instances": ["i-0123"], "groups": ["web-asg"]},
      "quotas": [{"service_code": "ec2", "quota_code": "L-1216C47A", "value": 4}]
    }

* ``unoffered``: the zone does not offer the type: DescribeInstanceTypeOfferings leaves it out, and
  RunInstances there fails with ``Unsupported`` (an Auto Scaling launch records a Failed activity).
* ``insufficient_capacity``: RunInstances in the zone fails with ``InsufficientInstanceCapacity``.
  ``"*"`` matches every instance type.
* ``never_healthy``: these instances (or every instance launched into these groups) never pass the
  target group health checks: ``initial``, then ``unhealthy`` (Target.FailedHealthChecks).
* ``quotas``: the account's applied value of these Service Quotas (GetServiceQuota answers it
  instead of AWS's default): an account whose quota is lower than the default, as new accounts'
  often are (Service Quotas User Guide: applied values can differ from the defaults).
"""

from __future__ import annotations

import copy
import threading

KEYS = ("unoffered", "insufficient_capacity", "never_healthy", "quotas")


class FaultError(ValueError):
    pass


def _zone_rules(value, key):
    if not isinstance(value, list):
        raise FaultError(f"{key} must be a list of {{zone, instance_type}} objects")
    rules = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("zone"), str):
            raise FaultError(f"each {key} entry needs a 'zone' string")
        instance_type = item.get("instance_type", "*")
        if not isinstance(instance_type, str):
            raise FaultError(f"{key}: instance_type must be a string")
        rules.append({"zone": item["zone"], "instance_type": instance_type})
    return rules


def _never_healthy(value):
    if not isinstance(value, dict):
        raise FaultError("never_healthy must be an object with 'instances' and/or 'groups' lists")
    result = {}
    for key in ("instances", "groups"):
        items = value.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise FaultError(f"never_healthy.{key} must be a list of strings")
        result[key] = list(items)
    unknown = set(value) - {"instances", "groups"}
    if unknown:
        raise FaultError(f"never_healthy: unknown keys {sorted(unknown)}")
    return result


def _quotas(value):
    if not isinstance(value, list):
        raise FaultError("quotas must be a list of {service_code, quota_code, value} objects")
    rules = []
    for item in value:
        if not (isinstance(item, dict) and isinstance(item.get("service_code"), str)
                and isinstance(item.get("quota_code"), str) and isinstance(item.get("value"), (int, float))):
            raise FaultError("each quotas entry needs 'service_code' and 'quota_code' strings and a numeric 'value'")
        rules.append({"service_code": item["service_code"], "quota_code": item["quota_code"], "value": float(item["value"])})
    return rules


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._state = self._empty()

    @staticmethod
    def _empty():
        return {"unoffered": [], "insufficient_capacity": [], "never_healthy": {"instances": [], "groups": []},
                "quotas": []}

    def get(self) -> dict:
        with self._lock:
            return copy.deepcopy(self._state)

    def update(self, document) -> dict:
        if not isinstance(document, dict):
            raise FaultError("the fault document must be a JSON object")
        unknown = set(document) - set(KEYS)
        if unknown:
            raise FaultError(f"unknown fault keys {sorted(unknown)}; known: {list(KEYS)}")
        parsed = {}
        for key in ("unoffered", "insufficient_capacity"):
            if key in document:
                parsed[key] = _zone_rules(document[key], key)
        if "quotas" in document:
            parsed["quotas"] = _quotas(document["quotas"])
        if "never_healthy" in document:
            parsed["never_healthy"] = _never_healthy(document["never_healthy"])
        with self._lock:
            self._state.update(parsed)
            return copy.deepcopy(self._state)

    def clear(self) -> dict:
        with self._lock:
            self._state = self._empty()
            return copy.deepcopy(self._state)

    @staticmethod
    def _matches(rules, zone, instance_type) -> bool:
        return any(r["zone"] == zone and r["instance_type"] in ("*", instance_type) for r in rules)

    def unoffered(self, zone: str, instance_type: str) -> bool:
        with self._lock:
            return self._matches(self._state["unoffered"], zone, instance_type)

    def insufficient_capacity(self, zone: str, instance_type: str) -> bool:
        with self._lock:
            return self._matches(self._state["insufficient_capacity"], zone, instance_type)

    def never_healthy(self, instance_id: str, group_name) -> bool:
        with self._lock:
            rules = self._state["never_healthy"]
            return instance_id in rules["instances"] or (group_name is not None and group_name in rules["groups"])

    def applied_quota(self, service_code: str, quota_code: str):
        """The applied value a test set for this quota, or None (AWS's default applies)."""
        with self._lock:
            return next((r["value"] for r in self._state["quotas"]
                         if r["service_code"] == service_code and r["quota_code"] == quota_code), None)
