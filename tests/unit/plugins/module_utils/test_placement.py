from ansible_collections.scaleout.webtier.plugins.module_utils._placement import select_subnets, zones_by_instance_type

REGION = "ap-northeast-2"


def subnet(zone, sid, default=True, free=4000, state="available"):
    return {"availability_zone": REGION + zone, "subnet_id": sid, "default_for_az": default,
            "available_ip_address_count": free, "state": state}


def offers(itype, *zones):
    return [{"InstanceType": itype, "LocationType": "availability-zone", "Location": REGION + z} for z in zones]


def test_walkthrough_case_two_of_four_zones_do_not_offer_the_type():
    # The walkthrough picked a, b, c, d; t2.micro was not offered in b and d.
    subnets = [subnet(z, "subnet-" + z) for z in "abcd"]
    offered = zones_by_instance_type(offers("t2.micro", "a", "c"), ["t2.micro"])["t2.micro"]
    choice = select_subnets(subnets, offered, "t2.micro")
    assert choice["zones"] == [REGION + "a", REGION + "c"]
    assert choice["subnet_ids"] == ["subnet-a", "subnet-c"]
    assert choice["enough"] is True
    assert [d["zone"] for d in choice["dropped"]] == [REGION + "b", REGION + "d"]
    assert choice["dropped"][0]["reason"] == "t2.micro is not offered in ap-northeast-2b"
    assert "dropped: ap-northeast-2b (t2.micro is not offered" in choice["message"]


def test_one_usable_zone_is_not_enough_and_says_why():
    subnets = [subnet(z, "subnet-" + z) for z in "abcd"]
    choice = select_subnets(subnets, [REGION + "c"], "t2.micro")
    assert choice["enough"] is False
    assert choice["message"].startswith("only 1 usable zone(s) (ap-northeast-2c); at least 2 are needed")


def test_prefers_default_subnet_then_most_free_addresses():
    subnets = [
        subnet("a", "subnet-small", default=False, free=10),
        subnet("a", "subnet-big", default=False, free=900),
        subnet("b", "subnet-custom", default=False, free=9999),
        subnet("b", "subnet-default", default=True, free=5),
    ]
    choice = select_subnets(subnets, [REGION + "a", REGION + "b"])
    assert choice["subnet_ids"] == ["subnet-big", "subnet-default"]


def test_max_zones_keeps_the_first_zones_and_names_the_rest():
    subnets = [subnet(z, "subnet-" + z) for z in "abcd"]
    choice = select_subnets(subnets, [REGION + z for z in "abcd"], max_zones=2)
    assert choice["zones"] == [REGION + "a", REGION + "b"]
    assert [d["reason"] for d in choice["dropped"]] == ["more zones than the 2 asked for"] * 2


def test_boto3_camel_case_subnets_and_unavailable_subnets():
    subnets = [
        {"AvailabilityZone": REGION + "a", "SubnetId": "subnet-a", "DefaultForAz": True, "State": "available"},
        {"AvailabilityZone": REGION + "b", "SubnetId": "subnet-b", "DefaultForAz": True, "State": "pending"},
    ]
    choice = select_subnets(subnets, [REGION + "a", REGION + "b"], min_zones=1)
    assert choice["subnet_ids"] == ["subnet-a"]


def test_zones_by_instance_type_ignores_other_types_and_reports_unknown_as_empty():
    result = zones_by_instance_type(offers("t3.micro", "b", "a") + offers("m5.large", "c"), ["t3.micro", "t9.nano"])
    assert result == {"t3.micro": [REGION + "a", REGION + "b"], "t9.nano": []}
