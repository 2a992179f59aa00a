"""Describe-after-create eventual consistency of the EC2 API (docs/sandbox.md, knob
``describe_after_create_s``): for that long after a security group, instance, image or launch
template is created, a describe naming it answers as AWS does before the write has propagated
(``InvalidGroup.NotFound``, ``InvalidInstanceID.NotFound``, ``InvalidAMIID.NotFound``,
``InvalidLaunchTemplateId.NotFound`` / ``InvalidLaunchTemplateName.NotFoundException``) and a
filtered describe leaves it out. Other APIs (RunInstances with the new group, CreateImage of the
new instance, ...) see it at once: simulated, AWS documents no order. The patches are in
consistency_patches.py; the creates report to ``created``."""

from __future__ import annotations

import threading


class Consistency:
    def __init__(self, engine):
        self.engine = engine
        self._lock = threading.Lock()
        self._created: dict = {}  # resource id -> simulated creation time

    def created(self, resource_id: str) -> None:
        with self._lock:
            self._created[resource_id] = self.engine.now()

    def hidden(self, resource_id: str) -> bool:
        """Whether describes do not see the resource yet."""
        with self._lock:
            since = self._created.get(resource_id)
            if since is None:
                return False
            if self.engine.now() - since >= self.engine.delays.describe_after_create_s:
                del self._created[resource_id]  # seen for good: forget it
                return False
            return True

    def first_hidden(self, resource_ids) -> str | None:
        return next((i for i in resource_ids or [] if self.hidden(i)), None)

    def describe(self) -> dict:
        """GET /_sandbox/state: the resources describes do not see yet."""
        with self._lock:
            ids = list(self._created)
        return {"not_yet_described": sorted(i for i in ids if self.hidden(i))}
