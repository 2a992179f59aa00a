"""CPU credits of burstable instances in standard mode (services/ec2/credits.py)."""

import datetime as dt

from sandbox_harness import linux_image

from scaleout_sandbox.services.ec2.credits import spend_minute


def test_standard_mode_credits_hold_a_burstable_instance_to_its_baseline(fresh):
    """A T2 spends its 30 launch credits at 100 %, then runs at its 10 % baseline; an unlimited T3
    keeps 100 %; a T3 in standard mode (no launch credits) is at its baseline at once."""
    ec2, ssm, cw = fresh.client("ec2"), fresh.client("ssm"), fresh.client("cloudwatch")
    fresh.set_delays({"startup_seconds": 0})
    image = linux_image(ec2)

    def launch(instance_type, credits=None):
        data = {"ImageId": image, "InstanceType": instance_type, "Monitoring": {"Enabled": True}}
        if credits:
            data["CreditSpecification"] = {"CpuCredits": credits}
        name = f"cred-{instance_type.replace('.', '-')}-{credits or 'default'}-{int(fresh.sim_now())}"
        ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
        return ec2.run_instances(MinCount=1, MaxCount=1, LaunchTemplate={"LaunchTemplateName": name})["Instances"][0]["InstanceId"]

    t2, t3_unlimited, t3_standard = launch("t2.micro"), launch("t3.micro", "unlimited"), launch("t3.micro", "standard")
    ids = [t2, t3_unlimited, t3_standard]
    fresh.wait_for(lambda: len([i for i in ssm.describe_instance_information(Filters=[{"Key": "InstanceIds", "Values": ids}])[
        "InstanceInformationList"] if i["PingStatus"] == "Online"]) == 3, 900, "SSM Online")
    ssm.send_command(InstanceIds=ids, DocumentName="AWS-RunShellScript",
                     Parameters={"commands": ["timeout --foreground 5400 sha256sum /dev/zero &"] * 2 + ["wait"]})
    start = fresh.sim_now()
    fresh.sleep_sim(3600)

    def cpu(iid, metric="CPUUtilization", offset=2400):
        return [p["Average"] for p in sorted(cw.get_metric_statistics(
            Namespace="AWS/EC2", MetricName=metric, Dimensions=[{"Name": "InstanceId", "Value": iid}],
            StartTime=dt.datetime.fromtimestamp(start + offset, dt.timezone.utc),
            EndTime=dt.datetime.fromtimestamp(start + 3300, dt.timezone.utc), Period=60 if metric == "CPUUtilization" else 300,
            Statistics=["Average"])["Datapoints"], key=lambda p: p["Timestamp"])]

    early = cpu(t2, offset=120)[:5]
    assert early and all(v == 100.0 for v in early)  # launch credits
    assert cpu(t2) and all(v == 10.0 for v in cpu(t2))  # 30 credits gone after about 33 minutes: baseline
    assert cpu(t3_unlimited) and all(v == 100.0 for v in cpu(t3_unlimited))
    assert cpu(t3_standard, offset=120) and all(v == 10.0 for v in cpu(t3_standard, offset=120))
    assert cpu(t2, "CPUCreditBalance") and max(cpu(t2, "CPUCreditBalance")) < 1
    ec2.terminate_instances(InstanceIds=ids)


def test_a_minute_spends_launch_credits_first_then_earned_ones_then_holds_to_the_baseline():
    balance = {"launch": 1.0, "earned": 0.5}
    assert spend_minute(balance, 100.0, 1, 10) == 100.0 and abs(balance["launch"] - 0.1) < 1e-9 and balance["earned"] == 0.5
    assert spend_minute(balance, 100.0, 1, 10) == 70.0 and balance["launch"] == 0 and balance["earned"] == 0
    assert spend_minute(balance, 100.0, 1, 10) == 10.0  # the baseline: what it earns
    assert spend_minute(balance, 5.0, 1, 10) == 5.0 and abs(balance["earned"] - 0.05) < 1e-9
