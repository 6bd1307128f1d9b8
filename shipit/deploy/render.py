"""How a deploy shows progress: a live Rich view on a terminal, plain lines otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from shipit.deploy.verdict import Observation, describe

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

    from shipit.deploy.receipt import DeployReceipt
    from shipit.output import Output


class Progress(Protocol):
    def step(self, message: str) -> None: ...
    def info(self, message: str) -> None: ...
    def observe(self, observation: Observation, deployment_id: str) -> None: ...
    def close(self) -> None: ...


class PlainProgress:
    """One line per change of state and per new service event (CI logs, pipes)."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self._last = ""
        self._seen_events: set[str] = set()
        self._primed = False

    def step(self, message: str) -> None:
        self.output.step(message)

    def info(self, message: str) -> None:
        self.output.info(message)

    def observe(self, observation: Observation, deployment_id: str) -> None:
        events = [e for e in reversed(observation.service.events)
                  if e.id not in self._seen_events]
        for event in events:
            self._seen_events.add(event.id)
            if self._primed:
                self.output.info(f"  event: {event.message}")
        self._primed = True
        line = describe(observation, deployment_id)
        if line != self._last:
            self._last = line
            self.output.info(f"  {line}")

    def close(self) -> None:
        return None


class LiveProgress(PlainProgress):
    """A Rich live table: revision, rollout state, counts, newest events, target health."""

    def __init__(self, output: Output) -> None:
        super().__init__(output)
        self._live: Live | None = None

    def observe(self, observation: Observation, deployment_id: str) -> None:
        from rich.live import Live

        view = _view(observation, deployment_id)
        if self._live is None:
            self._live = Live(view, console=self.output.err, refresh_per_second=8,
                              transient=False)
            self._live.start()
        else:
            self._live.update(view)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def progress_for(output: Output) -> Progress:
    return LiveProgress(output) if output.interactive else PlainProgress(output)


def _view(observation: Observation, deployment_id: str) -> RenderableType:
    from rich.table import Table

    service = observation.service
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold", justify="right")
    table.add_column()
    deployment = service.deployment(deployment_id)
    if deployment is not None:
        table.add_row("revision", str(deployment.revision))
        table.add_row("rollout", f"{deployment.rollout_state or deployment.status}"
                      f"  {deployment.rollout_reason or ''}")
        table.add_row("tasks", f"desired {deployment.desired}  running {deployment.running}"
                      f"  pending {deployment.pending}  failed {deployment.failed}")
    targets = "  ".join(f"{tid}:{state}" for tid, state in observation.targets) or "none"
    table.add_row("targets", targets)
    for event in service.events[:4]:
        table.add_row("event", event.message)
    return table


def print_lines(console: Console, lines: list[str]) -> None:
    for line in lines:
        console.print(line, markup=False, highlight=False)


def print_receipt(console: Console, receipt: DeployReceipt) -> None:
    def line(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    line(f"service      {receipt.cluster}/{receipt.service}")
    line(f"image        {receipt.image}  (from {receipt.image_source})")
    if receipt.outcome == "dry-run":
        line("task definition changes (current -> next revision):")
        for change in receipt.task_definition_diff or [
                "(no change: deploy would register nothing and say unchanged; --force rolls)"]:
            line(f"  {change}")
        line("service update:")
        line(f"  ~ taskDefinition: {receipt.previous_task_definition} ->"
             f" {receipt.service_update.get('taskDefinition')}")
        return
    line(f"revision     {receipt.revision}  ({receipt.task_definition})")
    line(f"deployment   {receipt.deployment_id or 'none started'}")
    line(f"outcome      {receipt.outcome}: {receipt.message}")
    if receipt.failure:
        line(f"reason       {receipt.failure['kind']}: {receipt.failure['title']}")
        line(f"  ecs says   {receipt.failure['reason']}")
        line(f"  fix        {receipt.failure['hint']}")
    if receipt.last_log_lines:
        line("last log lines of the stopped task:")
        for text in receipt.last_log_lines[-12:]:
            line(f"  | {text}")
    if receipt.rolled_back_to:
        line(f"rolled back  {receipt.rolled_back_to}")
    timings = "  ".join(f"{k} {v:.2f}s" for k, v in receipt.timings.items())
    line(f"timings      {timings}")
