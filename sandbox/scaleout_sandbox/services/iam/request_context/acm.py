"""ACM: DescribeCertificate on the certificate the request names (its ARN is the parameter)."""

from __future__ import annotations

from .common import Call


def certificate(call: Call) -> None:
    call.check(call.param("CertificateArn") or "*")


TABLE = {
    "DescribeCertificate": certificate,
}
