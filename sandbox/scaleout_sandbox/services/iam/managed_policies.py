"""AWS's managed IAM policies exist in every account (the instance role attaches
AmazonSSMManagedInstanceCore); moto creates them only when asked, at start-up."""

from __future__ import annotations

import os

LOAD_ENV = "MOTO_IAM_LOAD_MANAGED_POLICIES"


def load_managed_policies(environ=os.environ) -> None:
    """Ask moto for them (before moto is imported: it reads the setting then)."""
    environ.setdefault(LOAD_ENV, "true")
