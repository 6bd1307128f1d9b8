"""The database (password managed by Secrets Manager or a dynamic reference, never a literal)
and its subnet group, the Route53 alias to the load balancer, and the website bucket."""

from __future__ import annotations

import json

from shipit.arn import parse_secret_source
from shipit.aws.s3 import public_read_policy
from shipit.export.context import Build
from shipit.export.model import Json, Parameter, Resource, get_att, ref, sub
from shipit.redact import is_secret_name

DATABASE = "Database"
DB_WORDS = ("DB", "DATABASE", "PG", "POSTGRES", "MYSQL", "RDS")


def reserve_database(build: Build) -> None:
    """Variables holding the database's address will name the template's database instead."""
    db = build.snapshot.database
    if db is not None and db.address:
        build.replacements[db.address] = ("DatabaseAddress",
                                          get_att(DATABASE, "Endpoint.Address"))
        build.database = DATABASE


def database(build: Build) -> None:
    db = build.snapshot.database
    if db is None:
        return
    group = build.template.add("DatabaseSubnetGroup", Resource("AWS::RDS::DBSubnetGroup", {
        "DBSubnetGroupName": db.subnet_group,
        "DBSubnetGroupDescription": db.subnet_group_description or db.subnet_group,
        "SubnetIds": build.subnet_lists.get("database", list(db.subnets))},
        f"rds:DescribeDBInstances {db.identifier} .DBSubnetGroup",
        identifier={"DBSubnetGroupName": db.subnet_group}))
    props: dict[str, Json] = {
        "DBInstanceIdentifier": db.identifier, "Engine": db.engine,
        "EngineVersion": db.engine_version, "DBInstanceClass": db.instance_class,
        "AllocatedStorage": str(db.allocated_storage), "StorageType": db.storage_type,
        "DBName": db.db_name, "MasterUsername": db.master_username, "Port": str(db.port),
        "DBSubnetGroupName": ref(group),
        "VPCSecurityGroups": [build.group(g) for g in db.security_groups],
        "PubliclyAccessible": db.publicly_accessible, "StorageEncrypted": db.storage_encrypted,
        "MultiAZ": db.multi_az, "BackupRetentionPeriod": db.backup_retention,
        "DeletionProtection": db.deletion_protection,
        "EnableIAMDatabaseAuthentication": db.iam_auth,
    }
    source = build.source(f"db/{db.identifier}", f"rds:DescribeDBInstances {db.identifier}")
    password = _password_secret(build)
    if db.managed_secret_arn or password is None:
        props["ManageMasterUserPassword"] = True
        source += ("; password managed by Secrets Manager" if db.managed_secret_arn else
                   "; no secret of the task names the password: Secrets Manager manages a new"
                   " one (point the application at it)")
    else:
        props["MasterUserPassword"] = password
        source += "; password: a dynamic reference to the secret the task reads"
    build.template.add(DATABASE, Resource(
        "AWS::RDS::DBInstance", {k: v for k, v in props.items() if v is not None}, source,
        identifier={"DBInstanceIdentifier": db.identifier}, deletion_policy="Snapshot"))


def _password_secret(build: Build) -> Json:
    """A dynamic reference to the Secrets Manager secret the task reads as the database's
    password (its JSON key too, when the task reads one), or None."""
    snap = build.snapshot
    for container in snap.task_definition["containerDefinitions"]:
        for secret in container.get("secrets", []):
            name, source = secret["name"], parse_secret_source(secret["valueFrom"])
            if (source.kind != "secretsmanager" or not is_secret_name(name)
                    or not any(w in name.upper() for w in DB_WORDS)):
                continue
            parameter = build.secret_parameters.get(source.source)
            if not source.json_key and parameter:
                return sub("{{resolve:secretsmanager:${" + parameter + "}}}")
            own = (source.arn or "").replace(f":{snap.region}:{snap.account}:",
                                              ":${AWS::Region}:${AWS::AccountId}:")
            return sub("{{resolve:secretsmanager:" + own + ":SecretString:"
                       + source.json_key + "}}")
    return None


def alias(build: Build) -> None:
    found = build.snapshot.alias
    if found is None or build.load_balancer is None:
        return
    zone = build.template.parameter("HostedZoneId", Parameter(
        "AWS::Route53::HostedZone::Id", f"The hosted zone of {found.zone.name} (the stack's)",
        found.zone.id))
    for record in found.records:
        build.template.add(f"AliasRecord{record.type}", Resource("AWS::Route53::RecordSet", {
            "HostedZoneId": zone, "Name": record.name, "Type": record.type,
            "AliasTarget": {"DNSName": get_att(build.load_balancer, "DNSName"),
                            "HostedZoneId": get_att(build.load_balancer, "CanonicalHostedZoneID"),
                            "EvaluateTargetHealth": bool(record.evaluate_health)}},
            build.source(record.name, f"route53:ListResourceRecordSets {found.zone.name}")))


def website(build: Build) -> None:
    site = build.snapshot.website
    if site is None:
        return
    bucket = build.template.add("WebsiteBucket", Resource("AWS::S3::Bucket", {
        "BucketName": site.bucket,
        "WebsiteConfiguration": {"IndexDocument": site.index or "index.html"},
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": False, "RestrictPublicBuckets": False},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "VersioningConfiguration": {"Status": "Enabled"}},
        site.source + " ([web])", identifier={"BucketName": site.bucket},
        deletion_policy="Retain"))
    policy = json.loads(public_read_policy(site.bucket))
    for statement in policy["Statement"]:
        statement["Resource"] = sub("arn:${AWS::Partition}:s3:::${" + bucket + "}/*")
    build.template.add("WebsiteBucketPolicy", Resource(
        "AWS::S3::BucketPolicy", {"Bucket": ref(bucket), "PolicyDocument": policy},
        "shipit web's public-read policy (anyone may GET the site's files)",
        identifier={"Bucket": site.bucket}))
