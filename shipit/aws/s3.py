"""S3 for a static website: the bucket, its region, website hosting, and its objects.

Only what `shipit web deploy` needs; every ClientError becomes a shipit error with a hint.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shipit.aws.errors import error_fields, translate, translated

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MISSING_BUCKET = frozenset({"NoSuchBucket", "404", "NotFound"})


@dataclass(frozen=True)
class StoredObject:
    key: str
    etag: str
    """The MD5 of the body in hex for a single-part upload (what shipit does), no quotes."""
    content_type: str
    cache_control: str


def bucket_region(client: S3Client, bucket: str) -> str | None:
    """The bucket's region, or None when no such bucket exists."""
    import botocore.exceptions as bce

    try:
        answer = client.get_bucket_location(Bucket=bucket)
    except bce.ClientError as exc:
        code, _ = error_fields(exc.response)
        if code in MISSING_BUCKET:
            return None
        raise translate(exc, operation="s3:GetBucketLocation", resource=bucket) from None
    # us-east-1 answers None (a legacy of the API); EU is eu-west-1's old name.
    location = answer.get("LocationConstraint") or "us-east-1"
    return "eu-west-1" if location == "EU" else str(location)


def create_bucket(client: S3Client, bucket: str, region: str) -> None:
    with translated(operation="s3:CreateBucket", resource=bucket):
        if region == "us-east-1":
            client.create_bucket(Bucket=bucket)
        else:
            client.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )


def public_read_policy(bucket: str) -> str:
    """The bucket policy a website bucket needs: anyone may GET its objects, nothing else."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PublicReadForWebsite", "Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        }],
    })  # fmt: skip


def website_index(client: S3Client, bucket: str) -> str | None:
    """The website's index document, or None when website hosting is off."""
    import botocore.exceptions as bce

    try:
        answer = client.get_bucket_website(Bucket=bucket)
    except bce.ClientError as exc:
        code, _ = error_fields(exc.response)
        if code == "NoSuchWebsiteConfiguration":
            return None
        raise translate(exc, operation="s3:GetBucketWebsite", resource=bucket) from None
    return answer.get("IndexDocument", {}).get("Suffix")


def configure_website(client: S3Client, bucket: str, index: str) -> None:
    """Website hosting with ``index``, public reads allowed (new buckets block public policies)."""
    with translated(operation="s3:PutBucketPublicAccessBlock", resource=bucket):
        client.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": False, "RestrictPublicBuckets": False,
        })  # fmt: skip
    with translated(operation="s3:PutBucketPolicy", resource=bucket):
        client.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    with translated(operation="s3:PutBucketWebsite", resource=bucket):
        client.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
            "IndexDocument": {"Suffix": index}, "ErrorDocument": {"Key": index},
        })  # fmt: skip


def list_objects(client: S3Client, bucket: str) -> dict[str, str]:
    """Every key of the bucket and its ETag (quotes removed)."""
    found: dict[str, str] = {}
    with translated(operation="s3:ListBucket", resource=bucket):
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                found[item["Key"]] = item["ETag"].strip('"')
    return found


def head_object(client: S3Client, bucket: str, key: str) -> StoredObject:
    with translated(operation="s3:GetObject", resource=f"{bucket}/{key}"):
        answer = client.head_object(Bucket=bucket, Key=key)
    return StoredObject(key, answer["ETag"].strip('"'), answer.get("ContentType", ""),
                        answer.get("CacheControl", ""))


def put_object(
    client: S3Client, bucket: str, key: str, body: bytes, content_type: str, cache_control: str
) -> str:
    """Upload ``body``; S3 checks it against Content-MD5. Returns the ETag."""
    md5 = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
    with translated(operation="s3:PutObject", resource=f"{bucket}/{key}"):
        answer = client.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type,
            CacheControl=cache_control, ContentMD5=md5,
        )
    return answer["ETag"].strip('"')


def get_object(client: S3Client, bucket: str, key: str) -> tuple[StoredObject, bytes]:
    with translated(operation="s3:GetObject", resource=f"{bucket}/{key}"):
        answer = client.get_object(Bucket=bucket, Key=key)
        body = answer["Body"].read()
    stored = StoredObject(key, answer["ETag"].strip('"'), answer.get("ContentType", ""),
                          answer.get("CacheControl", ""))
    return stored, body
