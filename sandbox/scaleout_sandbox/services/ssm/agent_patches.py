"""DescribeInstanceInformation (moto lacks it): the instances whose SSM agent is online (agent.py)."""

from __future__ import annotations

from moto.core.responses import ActionResult

from ...core.pagination import offset_page
from ...core.registry import patch
from ...core.timestamps import to_dt
from .agent import is_online


@patch("moto.ssm.responses", "SimpleSystemManagerResponse", "describe_instance_information", adds=True)
def describe_instance_information(engine, _original):
    def describe_instance_information(self):
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[self.current_account][self.region]
        wanted = set()
        for f in (self._get_param("InstanceInformationFilterList") or []):
            if f.get("key") == "InstanceIds":
                wanted.update(f.get("valueSet") or [])
        for f in (self._get_param("Filters") or []):
            if f.get("Key") in ("InstanceIds", "InstanceId"):
                wanted.update(f.get("Values") or [])
        items = []
        for instance in ec2.all_instances():
            if wanted and instance.id not in wanted:
                continue
            if not is_online(engine, instance):
                continue
            sim = engine.instances.sim_for(instance)
            items.append({
                "InstanceId": instance.id, "PingStatus": "Online", "LastPingDateTime": to_dt(engine.now()),
                "AgentVersion": "3.3.987.0", "IsLatestVersion": True, "PlatformType": "Linux",
                "PlatformName": "Amazon Linux", "PlatformVersion": "2023", "ResourceType": "EC2Instance",
                "IPAddress": instance.private_ip_address, "ComputerName": instance.private_dns_name,
                "RegistrationDate": to_dt(sim.boot_done_at), "LastSuccessfulPingDateTime": to_dt(engine.now()),
            })
        return ActionResult(offset_page(items, "InstanceInformationList", int(self._get_param("MaxResults") or 50),
                                        self._get_param("NextToken")))

    return describe_instance_information
