"""Shared pytest setup. Fixtures of each area live in tests/fixtures/ and are plugged in here."""

pytest_plugins: list[str] = [
    "tests.fixtures.moto",
    "tests.fixtures.cli",
    "tests.fixtures.registry",
    "tests.fixtures.base_image",
    "tests.fixtures.real_build",
    "tests.fixtures.iam",
    "tests.fixtures.postgres",
    "tests.fixtures.reference_stack",
    "tests.fixtures.sandbox",
]
