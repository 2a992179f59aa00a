"""certificate_info against stubbed clients: DescribeCertificate only, a missing certificate is an
answer (not a failure), an IAM server certificate is not looked up."""

from module_harness import aws, run  # noqa: F401  # pylint: disable=unused-import

from ansible_collections.scaleout.webtier.plugins.modules import certificate_info

ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"


def test_a_certificate_acm_holds_exists(aws, run):
    aws["acm"].add_response("describe_certificate", {"Certificate": {"CertificateArn": ARN, "DomainName": "www.example.com",
                                                                     "Status": "ISSUED"}}, {"CertificateArn": ARN})
    failed, result = run(certificate_info, {"arn": ARN})
    assert not failed and not result["changed"]
    assert result["checked"] and result["exists"] and result["status"] == "ISSUED" and result["domain_name"] == "www.example.com"
    aws.done()


def test_a_certificate_acm_does_not_hold_does_not_exist(aws, run):
    aws["acm"].add_client_error("describe_certificate", "ResourceNotFoundException", "Could not find certificate",
                                expected_params={"CertificateArn": ARN})
    failed, result = run(certificate_info, {"arn": ARN})
    assert not failed and result["checked"] and not result["exists"]
    aws.done()


def test_other_errors_fail_the_module(aws, run):
    aws["acm"].add_client_error("describe_certificate", "AccessDeniedException", "not allowed")
    failed, result = run(certificate_info, {"arn": ARN})
    assert failed and "Unable to describe the certificate" in result["msg"]


def test_an_iam_server_certificate_is_not_looked_up(aws, run):
    failed, result = run(certificate_info, {"arn": "arn:aws:iam::123456789012:server-certificate/web"})
    assert not failed and not result["checked"] and result["exists"] and not aws.requests
