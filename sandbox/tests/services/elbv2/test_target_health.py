"""Load balancer provisioning and target health (initial, healthy, draining, unused) on the
simulated clock."""

from sandbox_harness import run_instance, unique


def test_load_balancer_provisions_and_targets_go_initial_healthy_draining(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    name = unique("lb")
    lb = elb.create_load_balancer(Name=name, Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]
    assert lb["State"]["Code"] == "provisioning"
    tg = elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"],
                                 HealthCheckIntervalSeconds=30, HealthyThresholdCount=5)["TargetGroups"][0]["TargetGroupArn"]
    elb.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "300"}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])

    def lb_state():
        return elb.describe_load_balancers(LoadBalancerArns=[lb["LoadBalancerArn"]])["LoadBalancers"][0]["State"]["Code"]

    box.wait_for(lambda: lb_state() == "active", 600, "load balancer active")
    iid = run_instance(box, SubnetId=subnets[0]["SubnetId"])["InstanceId"]
    box.wait_for(lambda: ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"] == "running",
                 300, "running")
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": iid}])

    def health():
        found = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        return found[0]["TargetHealth"] if found else {"State": "gone"}

    assert health() == {"State": "initial", "Reason": "Elb.RegistrationInProgress", "Description": "Target registration is in progress"}
    registered = box.sim_now()
    box.wait_for(lambda: health()["State"] == "healthy", 600, "healthy")
    assert box.sim_now() - registered >= 120  # 5 x 30 s
    elb.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": iid}])
    assert health()["State"] == "draining"
    box.wait_for(lambda: health()["State"] == "gone", 600, "draining to end")
    ec2.terminate_instances(InstanceIds=[iid])
