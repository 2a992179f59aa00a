"""DeleteSecurityGroup refuses a group that something still depends on, as AWS does
("DependencyViolation: resource sg-... has a dependent object"): a network interface in the group
(an instance's until it is terminated, a load balancer's until AWS releases it), or another group's
rule that names it. moto deletes the group regardless."""

from __future__ import annotations

from ...core.registry import patch


def dependents(ec2, group_id: str) -> list[str]:
    """What keeps `group_id` from being deleted: interface ids and referencing group ids."""
    found = [eni.id for eni in list(ec2.enis.values())
             if group_id in {getattr(g, "id", g) for g in eni.group_set}]
    for groups in list(ec2.groups.values()):
        for other in list(groups.values()):
            if other.id == group_id:
                continue  # a group's rules may name the group itself
            for rule in list(other.ingress_rules) + list(other.egress_rules):
                if (rule.source_group or {}).get("GroupId") == group_id:
                    found.append(other.id)
                    break
    return found


@patch("moto.ec2.models.security_groups", "SecurityGroupBackend", "delete_security_group")
def delete_security_group(engine, original):
    from moto.ec2.exceptions import DependencyViolationError

    def delete_security_group(self, name=None, group_id=None):
        group = self.get_security_group_by_name_or_id(group_id or name) if (group_id or name) else None
        if group is not None and dependents(self, group.id):
            raise DependencyViolationError(f"resource {group.id} has a dependent object")
        return original(self, name=name, group_id=group_id)

    return delete_security_group
