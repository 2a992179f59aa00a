"""DescribeInstanceInformation (moto lacks it): the instances whose SSM agent has registered
(agent.py), ``Online`` while running, ``ConnectionLost`` after."""

from __future__ import annotations

from moto.core.responses import ActionResult

from ...core.pagination import offset_page
from ...core.registry import patch
from ...core.timestamps import to_dt
from .agent import is_online, is_registered, registered_at


@patch("moto.ssm.responses", "SimpleSystemManagerResponse", "describe_instance_information", adds=True)
def describe_instance_information(engine, _original):
    def describe_instance_information(self):
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[self.current_account][self.region]
        wanted = set()
        for f in (self._get_param("InstanceInformationFilterList") or []):
            if f.get("key") == "InstanceIds":
                wanted.update(f.get("valueSet") or [])
        ping = set()
        for f in (self._get_param("Filters") or []):
            if f.get("Key") in ("InstanceIds", "InstanceId"):
                wanted.update(f.get("Values") or [])
            elif f.get("Key") == "PingStatus":
                ping.update(f.get("Values") or [])
        items = []
        for instance in ec2.all_instances():
            if wanted and instance.id not in wanted:
                continue
            if not is_registered(engine, instance):
                continue
            online = is_online(engine, instance)
            registered = registered_at(engine, instance)
            sim = engine.instances.sim_for(instance)
            last_ping = engine.now() if online else max(registered, sim.stopped_at or registered)
            items.append({
                "InstanceId": instance.id, "PingStatus": "Online" if online else "ConnectionLost",
                "LastPingDateTime": to_dt(last_ping),
                "AgentVersion": "3.3.987.0", "IsLatestVersion": True, "PlatformType": "Linux",
                "PlatformName": "Amazon Linux", "PlatformVersion": "2023", "ResourceType": "EC2Instance",
                "IPAddress": instance.private_ip_address, "ComputerName": instance.private_dns_name,
                "RegistrationDate": to_dt(registered), "LastSuccessfulPingDateTime": to_dt(last_ping),
            })
        if ping:
            items = [item for item in items if item["PingStatus"] in ping]
        return ActionResult(offset_page(items, "InstanceInformationList", int(self._get_param("MaxResults") or 50),
                                        self._get_param("NextToken")))

    return describe_instance_information
