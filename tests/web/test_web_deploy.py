"""`shipit web deploy` against moto's S3 (a real moto server): objects, headers, idempotence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.fixtures.cli import run_cli
from tests.fixtures.moto import MotoServer

REPO = Path(__file__).resolve().parents[2]
BUCKET = "app.web.example.com"
CONFIG = f"""
project = "articles"
[aws]
region = "us-east-1"
[http]
url = "https://api.web.example.com"
cors_origins = ["http://localhost:5173"]
[web]
folder = "site"
bucket = "{BUCKET}"
name = "{BUCKET}"
asset_max_age = 86400
[env.other]
aws = {{ region = "eu-west-1" }}
[env.noweb]
web = {{ folder = "site" }}
[env.nofolder]
web = {{ folder = "missing" }}
"""


@pytest.fixture
def project(tmp_path: Path, aws_env: MotoServer) -> Path:
    shutil.copytree(REPO / "sample_frontend", tmp_path / "site")
    (tmp_path / "shipit.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def s3() -> Any:
    return boto3.client("s3", region_name="us-east-1")


def deploy(project: Path, *args: str) -> Any:
    return run_cli(["--config", str(project / "shipit.toml"), "web", "deploy", "--json", *args],
                   cwd=project)


def test_first_deploy_creates_a_website_bucket_with_the_right_headers(project: Path) -> None:
    result = deploy(project)
    assert result.exit_code == 0, result.stderr
    body = result.json()
    assert body["status"] == "deployed"
    assert body["created_bucket"] is True
    assert sorted(body["uploaded"]) == ["app.js", "config.js", "index.html", "style.css"]
    assert sorted(body["verified"]) == sorted(body["uploaded"])
    assert body["page_url"] == f"http://{BUCKET}"
    assert body["website_endpoint"] == f"http://{BUCKET}.s3-website-us-east-1.amazonaws.com"

    client = s3()
    assert client.get_bucket_website(Bucket=BUCKET)["IndexDocument"]["Suffix"] == "index.html"
    policy = json.loads(client.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert policy["Statement"][0]["Action"] == "s3:GetObject"
    heads = {key: client.head_object(Bucket=BUCKET, Key=key)
             for key in ("index.html", "config.js", "app.js", "style.css")}
    assert heads["index.html"]["ContentType"] == "text/html; charset=utf-8"
    assert heads["index.html"]["CacheControl"] == "no-cache"
    assert heads["config.js"]["CacheControl"] == "no-cache"
    assert heads["app.js"]["ContentType"] == "text/javascript; charset=utf-8"
    assert heads["app.js"]["CacheControl"] == "public, max-age=86400"
    assert heads["style.css"]["ContentType"] == "text/css; charset=utf-8"

    config_js = client.get_object(Bucket=BUCKET, Key="config.js")["Body"].read().decode()
    assert '"apiBaseUrl": "https://api.web.example.com"' in config_js
    index = client.get_object(Bucket=BUCKET, Key="index.html")["Body"].read().decode()
    assert 'src="app.js?v=' in index  # long-cached assets are versioned by content
    assert 'src="config.js"' in index
    app_js = client.get_object(Bucket=BUCKET, Key="app.js")["Body"].read()
    assert app_js == (project / "site" / "app.js").read_bytes()


def test_second_run_uploads_nothing_and_a_change_uploads_only_what_changed(
    project: Path,
) -> None:
    assert deploy(project).exit_code == 0
    again = deploy(project)
    assert again.exit_code == 0, again.stderr
    body = again.json()
    assert body["status"] == "unchanged"
    assert body["uploaded"] == []
    assert sorted(body["unchanged"]) == ["app.js", "config.js", "index.html", "style.css"]

    css = project / "site" / "style.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    changed = deploy(project).json()
    # style.css changed, so index.html's ?v= reference to it changed too; nothing else.
    assert sorted(changed["uploaded"]) == ["index.html", "style.css"]
    assert {u["reason"] for u in changed["uploads"]} == {"changed"}


def test_wrong_metadata_is_repaired_and_stale_objects_are_left_alone(project: Path) -> None:
    assert deploy(project).exit_code == 0
    client = s3()
    body = (project / "site" / "app.js").read_bytes()
    client.put_object(Bucket=BUCKET, Key="app.js", Body=body, ContentType="text/plain",
                      CacheControl="no-store")
    client.put_object(Bucket=BUCKET, Key="old.html", Body=b"old")
    result = deploy(project).json()
    assert [(u["key"], u["reason"]) for u in result["uploads"]] == [("app.js", "metadata")]
    assert result["stale"] == ["old.html"]
    assert client.head_object(Bucket=BUCKET, Key="app.js")["CacheControl"] == \
        "public, max-age=86400"
    assert client.get_object(Bucket=BUCKET, Key="old.html")["Body"].read() == b"old"


def test_dry_run_changes_nothing(project: Path) -> None:
    result = deploy(project, "--dry-run")
    assert result.exit_code == 0, result.stderr
    body = result.json()
    assert body["status"] == "planned"
    assert len(body["uploads"]) == 4
    assert BUCKET not in [b["Name"] for b in s3().list_buckets()["Buckets"]]


def test_bucket_in_another_region_is_exit_3_and_names_both(project: Path) -> None:
    s3().create_bucket(Bucket=BUCKET)  # us-east-1
    result = run_cli(["--config", str(project / "shipit.toml"), "--env", "other", "web",
                      "deploy", "--json"], cwd=project)
    assert result.exit_code == 3, result.stdout
    error = result.json()["error"]
    assert error["kind"] == "region"
    assert "is in us-east-1" in error["message"]
    assert "eu-west-1" in error["message"]
    assert s3().list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


@pytest.mark.parametrize(("env", "words"), [
    ("nofolder", "web.folder"),
    ("noweb", "no web.bucket"),
])
def test_bad_input_is_exit_2_with_the_key(project: Path, env: str, words: str) -> None:
    if env == "noweb":  # an environment whose [web] has no bucket
        text = (project / "shipit.toml").read_text().replace(
            f'bucket = "{BUCKET}"\nname = "{BUCKET}"\n', "")
        (project / "shipit.toml").write_text(text)
    result = run_cli(["--config", str(project / "shipit.toml"), "--env", env, "web",
                      "deploy", "--json"], cwd=project)
    assert result.exit_code == 2, result.stdout
    assert words in result.json()["error"]["message"]
    assert BUCKET not in [b["Name"] for b in s3().list_buckets()["Buckets"]]


def test_no_index_html_is_exit_2(project: Path) -> None:
    (project / "site" / "index.html").unlink()
    result = deploy(project)
    assert result.exit_code == 2
    assert "no index.html" in result.json()["error"]["message"]


@pytest.mark.parametrize(("web", "message"), [
    ('bucket = "other.example.com"\nname = "app.web.example.com"', "must equal web.name"),
    ('bucket = "Bad_Bucket"', "web.bucket"),
])
def test_web_keys_are_validated(tmp_path: Path, web: str, message: str) -> None:
    (tmp_path / "shipit.toml").write_text(f"[web]\n{web}\n")
    result = run_cli(["--config", str(tmp_path / "shipit.toml"), "config", "validate",
                      "--json"], cwd=tmp_path)
    assert result.exit_code == 2
    error = result.json()["error"]
    assert message in json.dumps(error)
