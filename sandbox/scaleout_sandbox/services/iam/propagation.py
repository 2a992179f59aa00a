"""IAM eventual consistency for EC2 and Auto Scaling: an instance profile is usable only
``iam_propagation_s`` simulated seconds after it was created or had a role added. Before that,
``RunInstances`` answers ``InvalidParameterValue`` and ``CreateAutoScalingGroup`` (with a launch
template naming the profile) ``ValidationError: You must use a valid fully-formed launch template.
... Invalid IAM Instance Profile name``, as AWS does while IAM propagates.

AWS: IAM is eventually consistent ("Changes that I make are not always immediately visible",
IAM User Guide, Troubleshooting IAM); terraform-provider-aws retries exactly these errors for its
IAM propagation timeout (internal/service/autoscaling/group.go, resourceGroupCreate)."""

from __future__ import annotations

from typing import Optional


class Propagation:
    def __init__(self, engine):
        self.engine = engine
        self.usable_at: dict[tuple, float] = {}  # (account, profile name) -> simulated epoch

    def changed(self, account: str, profile_name: str) -> None:
        self.usable_at[(account, profile_name)] = self.engine.now() + self.engine.delays.iam_propagation_s

    @staticmethod
    def _name(name: Optional[str], arn: Optional[str]) -> Optional[str]:
        if name:
            return name
        if arn and ":instance-profile/" in arn:
            return arn.rsplit("/", 1)[-1]
        return None

    def refusal(self, account: str, name: Optional[str] = None, arn: Optional[str] = None) -> Optional[str]:
        """AWS's message for a profile not usable yet, or None when it is (or is not one of ours)."""
        profile = self._name(name, arn)
        when = self.usable_at.get((account, profile)) if profile else None
        if when is None or self.engine.now() >= when:
            return None
        if name:
            return f"Value ({name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
        return f"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN"

    def describe(self) -> dict:
        now = self.engine.now()
        return {"iam_profiles_propagating": sorted(p for (_a, p), t in self.usable_at.items() if t > now)}
