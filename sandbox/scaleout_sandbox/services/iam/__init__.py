"""IAM: opt-in enforcement of identity policies (enforcement.py, enforcement_patches.py) and AWS's
managed policies (managed_policies.py)."""
