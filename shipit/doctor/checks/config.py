"""config.convergence: every environment defines the same variable names (vars and secrets)."""

from __future__ import annotations

from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed, skipped


def convergence(s: Snapshot) -> Verdict:
    names = s.env_var_names
    if len(names) < 2:
        return skipped("fewer than two environments to compare")
    every = frozenset().union(*names.values())
    gaps = {env: sorted(every - defined) for env, defined in names.items() if every - defined}
    if gaps:
        lines = [f"{env} lacks {', '.join(missing)}" for env, missing in sorted(gaps.items())]
        first = sorted(gaps)[0]
        return failed(
            f"environments define different variables: {lines[0]}",
            "; ".join(lines[1:]),
            f"add the missing names to [env.{first}] vars (or secrets) in shipit.toml;"
            f" `shipit config diff {first} OTHER` shows every difference",
        )
    return passed(
        f"{len(names)} environments define the same {len(every)} names",
        ", ".join(sorted(names)),
    )
