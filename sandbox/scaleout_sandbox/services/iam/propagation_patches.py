"""IAM propagation (propagation.py): instance profiles are not usable by EC2 and Auto Scaling at
once. Records when a profile is created or gets its role; RunInstances and CreateAutoScalingGroup
refuse it until it has propagated."""

from __future__ import annotations

from ...core.registry import patch


@patch("moto.iam.models", "IAMBackend", "create_instance_profile")
def create_instance_profile(engine, original):
    def create_instance_profile(self, name, *args, **kwargs):
        profile = original(self, name, *args, **kwargs)
        engine.propagation.changed(self.account_id, name)
        return profile

    return create_instance_profile


@patch("moto.iam.models", "IAMBackend", "add_role_to_instance_profile")
def add_role_to_instance_profile(engine, original):
    def add_role_to_instance_profile(self, profile_name, role_name):
        result = original(self, profile_name, role_name)
        engine.propagation.changed(self.account_id, profile_name)
        return result

    return add_role_to_instance_profile
