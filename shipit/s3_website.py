"""The S3 website endpoint's host name: the one grammar for it (web deploy, DNS, origins, adopt)."""

from __future__ import annotations

_OLD_STYLE_REGIONS = frozenset({
    "us-east-1", "us-west-1", "us-west-2", "ap-southeast-1", "ap-southeast-2",
    "ap-northeast-1", "eu-west-1", "sa-east-1", "us-gov-west-1",
})  # fmt: skip
"""Regions whose website endpoint is s3-website-REGION (a dash); newer ones use a dot."""


def website_host(bucket: str, region: str) -> str:
    """The S3 website endpoint's host name of ``bucket`` in ``region``."""
    sep = "-" if region in _OLD_STYLE_REGIONS else "."
    return f"{bucket}.s3-website{sep}{region}.amazonaws.com"
