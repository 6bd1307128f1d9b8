"""Hostile shipit.toml files through the real CLI: exit 2, file:line and key, never a traceback.

Timing of the large files is measured by bench/config_hostile.py (docs/benchmarks.md), not here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.errors import EXIT_USAGE
from tests.fixtures.cli import run_cli

DEEP = 1000
BASE = 'project = "articles"\n'
VARS_110K = BASE + "[vars]\n" + "".join(f'V{i} = "x"\n' for i in range(110_000))


def _crossing(text: str) -> int:
    """The line on which a text crosses the 1 MiB file limit."""
    return text.encode()[:1 << 20].count(b"\n") + 1


# (id, text, line, key, words in the message)
HOSTILE = [
    ("deep-arrays", BASE + "[vars]\nA = " + "[" * DEEP + "]" * DEEP + "\n", 3, None,
     "nested more than 20 levels deep"),
    ("deep-inline-tables", BASE + "vars = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n", 2, None,
     "nested more than 20 levels deep"),
    ("deep-dotted-key", BASE + "[vars]\n" + ".".join(["a"] * DEEP) + " = 1\n", 3, None,
     "nested more than 20 levels deep"),
    ("deep-table-header", BASE + "[" + ".".join(["a"] * DEEP) + "]\nx = 1\n", 2, None,
     "nested more than 20 levels deep"),
    ("dns-empty-label", BASE + '[dns]\nzone = "example.com"\nname = "api..example.com"\n', 4,
     "dns.name", "empty label"),
    ("dns-leading-dot", BASE + '[dns]\nzone = ".example.com"\n', 3, "dns.zone", "empty label"),
    ("dns-long-label", BASE + f'[dns]\nzone = "{"a" * 64}.example.com"\n', 3, "dns.zone",
     "64 characters; at most 63"),
    ("dns-leading-hyphen", BASE + '[dns]\nzone = "-bad.example.com"\n', 3, "dns.zone",
     "starts or ends with a hyphen"),
    ("dns-trailing-hyphen", BASE + '[dns]\nzone = "bad-.example.com"\n', 3, "dns.zone",
     "starts or ends with a hyphen"),
    ("dns-too-long", BASE + "[dns]\nzone = \"" + ".".join(["a" * 60] * 5) + '"\n', 3,
     "dns.zone", "at most 253"),
    ("dns-not-idna", BASE + '[dns]\nzone = "snow\u2603man.example.com"\n', 3, "dns.zone",
     "not valid IDNA"),
    ("dns-underscore", BASE + '[dns]\nzone = "my_zone.example.com"\n', 3, "dns.zone",
     "only letters, digits and inner hyphens"),
    ("registry-comma-injection",
     BASE + '[image]\nregistry = "127.0.0.1:5000,type=local,dest=/tmp/x"\n', 3,
     "image.registry", "it contains ',', '='"),
    ("registry-space", BASE + '[image]\nregistry = "reg istry.example.com"\n', 3,
     "image.registry", "not a registry host"),
    ("registry-port-range", BASE + '[image]\nregistry = "127.0.0.1:99999"\n', 3,
     "image.registry", "not between 1 and 65535"),
    ("registry-bad-namespace", BASE + '[image]\nregistry = "127.0.0.1:5000/Team"\n', 3,
     "image.registry", "not a registry host"),
    ("repository-uppercase", BASE + '[image]\nrepository = "Articles"\n', 3,
     "image.repository", "not a repository name"),
    ("repository-empty-part", BASE + '[image]\nrepository = "team//articles"\n', 3,
     "image.repository", "not a repository name"),
    ("repository-too-long", BASE + f'[image]\nrepository = "{"a" * 256}"\n', 3,
     "image.repository", "at most 255"),
    ("dockerfile-escapes", BASE + '[image]\ndockerfile = "../../../etc/passwd"\n', 3,
     "image.dockerfile", "outside the repository"),
    ("dockerfile-absolute", BASE + '[image]\ndockerfile = "/etc/passwd"\n', 3,
     "image.dockerfile", "absolute path"),
    ("context-escapes", BASE + '[image]\ncontext = "app/../.."\n', 3, "image.context",
     "outside the repository"),
    ("control-in-project", 'project = "arti\\u0007cles"\n', 1, "project", "U+0007"),
    ("control-in-health-path", BASE + '[http]\nhealth_path = "/api/health\\r\\nX: 1"\n', 3,
     "http.health_path", "U+000D"),
    ("control-in-var", BASE + '[vars]\nAPP_ENV = "prod\\u0000"\n', 3, "vars.APP_ENV", "U+0000"),
    ("bidi-in-var", BASE + '[vars]\nAPP_ENV = "\\u202eprod"\n', 3, "vars.APP_ENV", "U+202E"),
    ("control-in-key", BASE + '[vars]\n"A\\u0001" = "x"\n', 3, "vars.A\\u0001", "the key holds"),
    ("control-in-env-overlay", BASE + '[env.prod]\necs = { cluster = "c\\tx" }\n', 3,
     "env.prod.ecs.cluster", "U+0009"),
    ("secret-value-instead-of-arn", BASE + '[secrets]\nDB_PASSWORD = "hunter2-plain"\n', 3,
     "secrets.DB_PASSWORD", "is not a Secrets Manager secret ARN"),
    # issue 17: size limits refused before parsing, each with a line
    ("string-32-kb", BASE + "[vars]\nBIG = \"" + "x" * 32 * 1024 + "\"\n", 3, None,
     "at most 16,384"),
    ("string-256-kb", BASE + "[vars]\nBIG = \"" + "x" * 256 * 1024 + "\"\n", 3, None,
     "at most 16,384"),
    ("multi-line-string-32-kb", BASE + '[vars]\nBIG = """\n' + "xxxxxxx\n" * 4096 + '"""\n',
     3, "vars.BIG", "at most 16,384"),
    ("comment-10-mb", BASE + "# " + "c" * 10 * 1024 * 1024 + "\n", 2, None,
     "larger than 1024 KiB"),
    ("value-10-mb", BASE + "[vars]\nBIG = \"" + "v" * 10 * 1024 * 1024 + "\"\n", 3, None,
     "larger than 1024 KiB"),
    ("array-tables-200k", BASE + "[[zz]]\n" * 200_000, _crossing(BASE + "[[zz]]\n" * 200_000),
     None, "larger than 1024 KiB"),
    ("array-tables-100k", BASE + "[[zz]]\n" * 100_000, 10_001, None, "more than 10,000 keys"),
    ("array-tables-5k", BASE + "[[zz]]\n" * 5_000, 2, "zz", "unknown key 'zz'"),
    ("vars-110k", VARS_110K, _crossing(VARS_110K), None, "larger than 1024 KiB"),
    ("array-200k-one-line", BASE + "[vars]\nA = [" + "1," * 200_000 + "]\n", 3, None,
     "at most 16,384"),
    ("array-200k-lines", BASE + "[vars]\nA = [\n" + "1,\n" * 200_000 + "]\n", 10_001, None,
     "more than 10,000 keys"),
    ("array-5k", BASE + "[vars]\nA = [\n" + "1,\n" * 5_000 + "]\n", 3, "vars.A",
     "got array [1, 1, 1,"),
    ("web-folder-escapes", BASE + '[web]\nfolder = "../../../etc"\n', 3, "web.folder",
     "outside the repository"),
    ("web-folder-absolute", BASE + '[web]\nfolder = "/etc"\n', 3, "web.folder",
     "absolute path"),
    ("web-folder-home", BASE + '[web]\nfolder = "~/.ssh"\n', 3, "web.folder",
     "use a relative path"),
    ("credentials-file-escapes", BASE + '[aws]\ncredentials_file = "../keys.json"\n', 3,
     "aws.credentials_file", "outside the repository"),
    ("var-and-secret-in-env", BASE + '[vars]\nDB_PASSWORD = "x"\n\n[env.prod]\n'
     'secrets = { DB_PASSWORD = "arn:aws:ssm:us-east-1:123456789012:parameter/db" }\n', 6,
     "env.prod.secrets.DB_PASSWORD", "in both vars (shipit.toml:3) and secrets"),
]


@pytest.mark.parametrize(("text", "line", "key", "words"), [c[1:] for c in HOSTILE],
                         ids=[c[0] for c in HOSTILE])
def test_a_hostile_file_is_exit_2_with_its_place(
    tmp_path: Path, text: str, line: int, key: str | None, words: str
) -> None:
    path = tmp_path / "shipit.toml"
    path.write_text(text, encoding="utf-8")
    result = run_cli(["--config", str(path), "config", "show"], cwd=tmp_path)
    assert result.exit_code == EXIT_USAGE, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{path}:{line} " in result.stderr or f"{path}:{line}:" in result.stderr
    if key is not None:
        assert f"[{key}]:" in result.stderr
    assert words in result.stderr
    assert "hunter2" not in result.stderr + result.stdout

    as_json = run_cli(["--config", str(path), "--json", "config", "show"], cwd=tmp_path).json()
    assert as_json["ok"] is False
    assert as_json["error"]["line"] == line
    assert as_json["error"]["key"] == key


def test_two_thousand_bad_keys_are_each_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "shipit.toml"
    path.write_text(BASE + "[ecs]\n" + "".join(f"k{i} = 1\n" for i in range(2000)))
    result = run_cli(["--config", str(path), "--json", "config", "show"], cwd=tmp_path)
    assert result.exit_code == EXIT_USAGE
    problems = result.json()["error"]["problems"]
    assert [(p["key"], p["line"]) for p in problems] == [
        (f"ecs.k{i}", i + 3) for i in range(2000)]


@pytest.mark.parametrize(
    ("section", "good"),
    [("dns", 'zone = "example.com."\nname = "api.example.com"'),
     ("dns", 'zone = "bücher.example"\nname = "api.bücher.example"'),
     ("dns", f'zone = "{"a" * 63}.example.com"'),
     ("image", 'registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"'),
     ("image", 'registry = "127.0.0.1:5000/team"'),
     ("image", 'registry = "[::1]:5000"'),
     ("image", 'repository = "team/my__app-x.y"'),
     ("image", 'dockerfile = "sample_service/Dockerfile"\ncontext = "./sample_service/.."'),
     ("http", 'health_path = "/api/health"'),
     ("vars", 'GREETING = "grüß dich ✓"')],
)
def test_good_values_still_load(tmp_path: Path, section: str, good: str) -> None:
    path = tmp_path / "shipit.toml"
    path.write_text(f"{BASE}[{section}]\n{good}\n", encoding="utf-8")
    result = run_cli(["--config", str(path), "config", "show"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr


def test_invalid_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "shipit.toml"
    path.write_bytes(BASE.encode() + b'[vars]\nA = "ok"\nB = "caf\xe9"\n')
    result = run_cli(["--config", str(path), "--json", "config", "show"], cwd=tmp_path)
    assert result.exit_code == EXIT_USAGE
    error = result.json()["error"]
    assert error["line"] == 4
    assert "not UTF-8 text: byte 0xE9 at column 9" in error["message"]


@pytest.mark.parametrize("key", ["web.folder", "image.context", "image.dockerfile"])
def test_a_path_key_whose_symlink_leaves_the_repository_is_refused(tmp_path: Path,
                                                                     key: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM scratch\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link").symlink_to(outside if key != "image.dockerfile" else outside / "Dockerfile")
    section, name = key.split(".")
    path = repo / "shipit.toml"
    path.write_text(f'{BASE}[{section}]\n{name} = "link"\n', encoding="utf-8")
    result = run_cli(["--config", str(path), "config", "show"], cwd=repo)
    assert result.exit_code == EXIT_USAGE, result.stderr
    assert f"{path}:3 [{key}]:" in result.stderr
    assert "resolves to" in result.stderr
    assert "outside the repository" in result.stderr
