"""`shipit sandbox up | down | status`: a local AWS with the reference stack, to rehearse on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from shipit.cli.context import get_context
from shipit.cli.options import JsonOption
from shipit.local_stand_in import plug_in
from shipit.sandbox.timing import Timing

if TYPE_CHECKING:
    from pathlib import Path

    from shipit.adopt.emulated import LocalAddresses
    from shipit.sandbox.state import SandboxState

sandbox_app = typer.Typer(
    name="sandbox",
    help="A local AWS (moto + a scheduler stand-in) with the reference stack.\n\n"
    "Example: shipit sandbox up",
    no_args_is_help=True,
)


class SandboxStandIn:
    """The sandbox plugged in as the local stand-in for AWS (shipit.local_stand_in): deploy,
    init --from-aws and export ask it, without importing it."""

    def addresses(self, root: Path, endpoint_url: str | None) -> LocalAddresses | None:
        from shipit.sandbox.addresses import local_addresses

        return local_addresses(root, endpoint_url)

    def note(self, root: Path, endpoint_url: str | None) -> str | None:
        from shipit.sandbox.control import running_state, sandbox_paths
        from shipit.sandbox.task_process import runtime_note

        state = running_state(sandbox_paths(root)) if endpoint_url else None
        if state is None or state.endpoint_url != endpoint_url:
            return None
        return f"sandbox: {runtime_note(state.runtime, state.runtime_reason)}"


SANDBOX = SandboxStandIn()


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app)
    plug_in(SANDBOX)


@sandbox_app.command("up")
def up(
    ctx: typer.Context,
    json_output: JsonOption = False,
    tick: float = typer.Option(Timing.tick, help="Scheduler tick, seconds."),
    time_scale: float = typer.Option(
        Timing.time_scale, min=0.01, max=1.0,
        help="Sandbox seconds per AWS second for health-check intervals and provisioning;"
        " never shortens the time a task has to become healthy.",
    ),
    provisioning: float = typer.Option(
        Timing.provisioning, min=0.0,
        help="AWS seconds each task spends PROVISIONING first (Fargate: 20-60).",
    ),
    timeout: float = typer.Option(
        90.0, help="Give up when not ready (and, without --no-wait, not steady) by then, s."),
    no_wait: bool = typer.Option(
        False, "--no-wait", help="Return once the stack exists, before the service is steady."),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Print each start-up phase with its time."),
) -> None:
    """Start the sandbox, write .shipit/envs/sandbox.toml, and wait until its service is steady.

    The daemon's log (.shipit/sandbox/daemon.log; the previous run's is daemon.log.1) has
    the same phases.

    Example: shipit sandbox up -v && shipit --env sandbox deploy --tag sandbox-initial --force
    """
    from shipit.sandbox.control import sandbox_paths, spec_for
    from shipit.sandbox.control import up as start
    from shipit.sandbox.render import print_state
    from shipit.sandbox.task_process import runtime_note

    app = get_context(ctx, json_output=json_output)
    config = app.config
    spec = spec_for(config, {"tick": tick, "time_scale": time_scale,
                             "provisioning": provisioning})
    result = start(sandbox_paths(config.root), spec, timeout=timeout, wait=not no_wait)
    state = result.state
    if result.already_running:
        app.output.info(f"the sandbox already runs (pid {state.pid})")
    else:
        steady = "service steady" if state.steady else "service still starting (--no-wait)"
        app.output.success(f"sandbox up in {result.seconds:.2f}s (pid {state.pid}); {steady}")
        app.output.info(f"tasks: {runtime_note(state.runtime, state.runtime_reason)}")
        if state.storage:
            app.output.info(f"containers store: {state.storage.get('driver')}"
                            f" ({state.storage.get('reason')})")
        if verbose:
            for phase, seconds in result.phases.items():
                app.output.info(f"phase {phase:<13} {seconds:6.2f}s")
    app.output.result(
        {"ok": True, "already_running": result.already_running,
         "seconds": round(result.seconds, 3), "phases": result.phases, **_state_dict(state)},
        human=lambda console: print_state(console, state),
    )


@sandbox_app.command("down")
def down(
    ctx: typer.Context,
    keep_logs: Annotated[bool, typer.Option(
        "--keep-logs", help="keep .shipit/sandbox/tasks/ (each task's output.log)")] = False,
    json_output: JsonOption = False,
) -> None:
    """Stop the sandbox: every task process, moto, the proxy; remove sandbox.toml, the
    sandbox's credentials and the tasks' logs (unless --keep-logs).

    Example: shipit sandbox down --keep-logs
    """
    from shipit.sandbox.control import down as stop
    from shipit.sandbox.control import sandbox_paths

    app = get_context(ctx, json_output=json_output)
    result = stop(sandbox_paths(app.config.root), keep_logs=keep_logs)
    if result.was_running:
        app.output.success(f"sandbox stopped in {result.seconds:.2f}s; ports free:"
                           f" {'yes' if result.ports_free else 'NO'}")
    else:
        app.output.info("no sandbox was running")
    app.output.result({"ok": result.ports_free, "was_running": result.was_running,
                       "stopped_pids": result.stopped_pids, "ports_free": result.ports_free})


@sandbox_app.command("status")
def status(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Say whether the sandbox runs, where, and which task processes it runs.

    Example: shipit sandbox status --json
    """
    from shipit.sandbox.control import running_state, sandbox_paths
    from shipit.sandbox.render import print_state

    app = get_context(ctx, json_output=json_output)
    state = running_state(sandbox_paths(app.config.root))
    if state is None:
        app.output.result({"running": False},
                          human=lambda console: console.print("sandbox: not running"))
        return
    app.output.result({"running": True, **_state_dict(state)},
                      human=lambda console: print_state(console, state))


def _state_dict(state: SandboxState) -> dict[str, Any]:
    stack = state.stack
    return {
        "status": state.status,
        "pid": state.pid,
        "endpoint_url": state.endpoint_url,
        "alb_url": state.proxy_url,
        "alb_dns_name": stack["load_balancer_dns"] if stack else None,
        "ready_seconds": state.ready_seconds,
        "database": state.database,
        "runtime": state.runtime,
        "task_pids": state.task_pids,
        "task_runtimes": state.task_runtimes,
        "website_url": state.website_url if state.website_port else None,
        "steady": state.steady,
        "storage": state.storage,
        "tasks": state.tasks,
        "stack": stack,
    }
