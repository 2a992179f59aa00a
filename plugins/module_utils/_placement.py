# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where the web tier may run: zones that offer the instance type, and one subnet per such zone.

Private to the collection; pure functions, no AWS calls. The walkthrough selected all four zones
of its region and found out only after launch that two of them did not offer its instance type.
Here a zone without the type is dropped before anything is created, and named with the reason.
"""


def zones_by_instance_type(offerings, instance_types):
    """Map each wanted instance type to the sorted zone names that offer it (DescribeInstanceTypeOfferings items)."""
    result = dict((t, set()) for t in instance_types)
    for offer in offerings:
        itype = offer.get("InstanceType")
        if itype in result and offer.get("LocationType", "availability-zone") == "availability-zone":
            result[itype].add(offer["Location"])
    return dict((t, sorted(zones)) for t, zones in result.items())


def _get(subnet, snake, camel, default=None):
    """Subnets come snake_cased from amazon.aws modules or CamelCased from boto3; accept both."""
    if snake in subnet:
        return subnet[snake]
    return subnet.get(camel, default)


def _preference(subnet):
    # The zone's default subnet first, then the roomiest, then a stable order.
    return (
        not _get(subnet, "default_for_az", "DefaultForAz", False),
        -int(_get(subnet, "available_ip_address_count", "AvailableIpAddressCount", 0) or 0),
        _get(subnet, "subnet_id", "SubnetId"),
    )


def select_subnets(subnets, offered_zones, instance_type="", max_zones=0, min_zones=2):
    """Choose one subnet per zone that offers the instance type.

    Returns a dict: subnet_ids and zones (chosen, sorted by zone), dropped (each zone left out with
    its reason), enough (whether at least min_zones were found) and message (a sentence for the user).
    """
    offered = set(offered_zones)
    by_zone = {}
    for subnet in subnets:
        if _get(subnet, "state", "State", "available") != "available":
            continue
        by_zone.setdefault(_get(subnet, "availability_zone", "AvailabilityZone"), []).append(subnet)

    chosen, dropped = [], []
    what = instance_type or "the instance type"
    for zone in sorted(by_zone):
        if zone not in offered:
            dropped.append({"zone": zone, "reason": "%s is not offered in %s" % (what, zone)})
            continue
        chosen.append((zone, sorted(by_zone[zone], key=_preference)[0]))
    if max_zones and len(chosen) > max_zones:
        for zone, _subnet in chosen[max_zones:]:
            dropped.append({"zone": zone, "reason": "more zones than the %d asked for" % max_zones})
        chosen = chosen[:max_zones]

    zones = [zone for zone, _subnet in chosen]
    enough = len(zones) >= min_zones
    if enough:
        message = "using %d zone(s): %s" % (len(zones), ", ".join(zones))
    else:
        message = "only %d usable zone(s) (%s); at least %d are needed (an Application Load Balancer spans two or more zones)" % (
            len(zones),
            ", ".join(zones) or "none",
            min_zones,
        )
    if dropped:
        message += "; dropped: " + "; ".join("%s (%s)" % (d["zone"], d["reason"]) for d in dropped)
    return {
        "subnet_ids": [_get(subnet, "subnet_id", "SubnetId") for _zone, subnet in chosen],
        "zones": zones,
        "dropped": dropped,
        "enough": enough,
        "message": message,
    }
