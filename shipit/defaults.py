"""What shipit assumes where neither the user nor AWS says otherwise: one home for each default."""

from __future__ import annotations

DEFAULT_HEALTH_PATH = "/api/health"
"""The sample service's health route: http.health_path's default, the sandbox's target group."""
POSTGRES_PORT = 5432
"""PostgreSQL's port: RDS's default endpoint port, the sandbox's database."""
