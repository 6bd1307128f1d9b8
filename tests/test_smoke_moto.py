"""The moto fixture itself: a real HTTP AWS endpoint that boto3 reaches via AWS_ENDPOINT_URL."""

from __future__ import annotations

import boto3

from tests.fixtures.moto import MotoServer


def test_boto3_reaches_moto_server_over_http(aws_env: MotoServer) -> None:
    ecs = boto3.client("ecs")
    assert ecs.meta.endpoint_url == aws_env.url
    ecs.create_cluster(clusterName="probe")
    assert [c["clusterName"] for c in ecs.describe_clusters(clusters=["probe"])["clusters"]] == [
        "probe"
    ]


def test_state_is_reset_between_tests(aws_env: MotoServer) -> None:
    ecs = boto3.client("ecs")
    assert ecs.list_clusters()["clusterArns"] == []
