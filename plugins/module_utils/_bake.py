# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure logic of the image bake: fingerprints, retention, and reading the console for the verdict."""

import hashlib
import json

FINGERPRINT_LENGTH = 16


def fingerprint(data):
    """A short, stable digest of everything that determines an image (order of dict keys does not matter)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def _image_id(image):
    return image.get("image_id") or image.get("ImageId")


def _created(image):
    return image.get("creation_date") or image.get("CreationDate") or ""


def images_to_retire(images, keep, protected_ids=()):
    """The images to deregister: all but the `keep` newest, never one in `protected_ids` (in use).

    Images may be snake_cased (amazon.aws modules) or CamelCased (boto3). Returned oldest first.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1, got %r" % (keep,))
    protected = set(p for p in protected_ids if p)
    newest_first = sorted(images, key=lambda i: (_created(i), _image_id(i)), reverse=True)
    retire = [i for i in newest_first[keep:] if _image_id(i) not in protected]
    return list(reversed(retire))


def console_verdict(text, success_marker, failure_markers):
    """What the console output says about provisioning: ("done"|"failed"|"waiting", the marker line or "").

    The first marker line wins, reading from the top: a failure printed before a success is a failure.
    """
    if isinstance(failure_markers, str):
        failure_markers = [failure_markers]
    for line in (text or "").splitlines():
        if any(marker and marker in line for marker in failure_markers or ()):
            return "failed", line.strip()
        if success_marker and success_marker in line:
            return "done", line.strip()
    return "waiting", ""


def console_tail(text, lines=25):
    """The last lines of a console log, for a failure message."""
    kept = [line.rstrip() for line in (text or "").splitlines() if line.strip()]
    return "\n".join(kept[-lines:]) if kept else "(the console output is empty)"
