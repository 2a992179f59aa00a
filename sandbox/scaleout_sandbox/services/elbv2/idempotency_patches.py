"""CreateTargetGroup and CreateListener are idempotent, as AWS documents (ELBv2 API Reference): "This
operation is idempotent, which means that it completes at most one time. If you attempt to create
multiple target groups with the same settings, each call succeeds." (CreateTargetGroup) and "If you
attempt to create multiple listeners with the same settings, each call succeeds." (CreateListener).
The same name (target group) or port (listener) with other settings is refused as before
(DuplicateTargetGroupName, DuplicateListener). moto refused the same target group settings, so a
create whose answer was lost failed when botocore retried it, and it let a second listener take a
port (it looked the port up among listener ARNs)."""

from __future__ import annotations

from ...core.registry import patch

M = "moto.elbv2.models"


def _same_target_group(group, kwargs) -> bool:
    def same(ours, theirs):
        return theirs is None or str(ours).upper() == str(theirs).upper()

    return (same(group.protocol, kwargs.get("protocol")) and same(group.port, kwargs.get("port"))
            and same(group.vpc_id, kwargs.get("vpc_id"))
            and same(getattr(group, "target_type", "instance"), kwargs.get("target_type") or "instance"))


@patch(M, "ELBv2Backend", "create_target_group")
def create_target_group(engine, original):
    def create_target_group(self, name, **kwargs):
        for group in list(self.target_groups.values()):
            if group.name == name and _same_target_group(group, kwargs):
                return group
        return original(self, name, **kwargs)

    return create_target_group


def _action_targets(actions) -> list:
    return [(a.get("Type") or a.get("type"), a.get("TargetGroupArn") or a.get("target_group_arn"))
            for a in actions or [] if isinstance(a, dict)]


@patch(M, "ELBv2Backend", "create_listener")
def create_listener(engine, original):
    from moto.elbv2.exceptions import DuplicateListenerError

    def create_listener(self, load_balancer_arn, protocol, port, ssl_policy, certificate, actions, *args, **kwargs):
        balancer = self.load_balancers.get(load_balancer_arn)
        on_port = [listener for listener in (balancer.listeners.values() if balancer is not None else [])
                   if str(listener.port) == str(port)]
        for existing in on_port:
            if (existing.protocol == (protocol or "").upper()
                    and [(a.type, a.data.get("TargetGroupArn")) for a in existing.default_actions] == _action_targets(actions)):
                return existing
            raise DuplicateListenerError()
        return original(self, load_balancer_arn, protocol, port, ssl_policy, certificate, actions, *args, **kwargs)

    return create_listener
