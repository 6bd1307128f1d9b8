"""The demo's steps: each calls the library functions its command calls, and says what it did.

A step returns ``Outcome`` (verdict, detail, data) or raises a ShipitError (a failure with its
hint). ``DemoContext`` carries what later steps need from earlier ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shipit.demo.base_image import BuilderChoice
from shipit.demo.report import StepVerdict
from shipit.errors import Failed
from shipit.project_paths import ProjectPaths
from shipit.sandbox.names import ENV_NAME, StackNames
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Config, Settings
    from shipit.image.runner import Runner
    from shipit.image.storage import BuildahStorage
    from shipit.output import Output
    from shipit.sandbox.state import SandboxState, TaskSummary

@dataclass(frozen=True)
class Outcome:
    verdict: StepVerdict
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class DemoContext:
    config_path: Path
    builder: str
    output: Output
    runner: Runner
    clock: Clock = time.monotonic
    sleep: Sleep = time.sleep
    started_sandbox: bool = False
    state: SandboxState | None = None
    config: Config | None = None
    choice: BuilderChoice | None = None
    pushed: bool = False
    task_runtime: str = ""
    task: TaskSummary | None = None
    """The deployed revision's task, as the sandbox ran it (runtime, store, timings)."""
    storage: BuildahStorage | None = None
    """The containers store of the build (and of the sandbox's podman): the same decision."""

    @property
    def root(self) -> Path:
        return self.config_path.parent

    @property
    def settings(self) -> Settings:
        assert self.config is not None
        return self.config.settings(ENV_NAME)

    _aws: AwsSession | None = None

    @property
    def aws(self) -> AwsSession:
        """A session on the sandbox's loopback endpoint with the sandbox's own keys.

        ``environ={}``: nothing from the shell (a real profile or keys) is ever used here.
        """
        if self._aws is None:
            from shipit.aws.session import AwsSession, resolve_target

            aws = self.settings.aws
            target = resolve_target(
                config_region=aws.region, config_endpoint=aws.endpoint_url, environ={},
                credentials_file=self.root / aws.credentials_file if aws.credentials_file
                else None)
            self._aws = AwsSession(target, environ={})
            assert self._aws.local_credentials is not None, "the sandbox's own keys"
        return self._aws


def sandbox_up(ctx: DemoContext) -> Outcome:
    from shipit.config import load_config
    from shipit.sandbox.control import running_state, sandbox_paths, spec_for, up

    paths = sandbox_paths(ctx.root)
    base = load_config(ctx.config_path)
    current = running_state(paths)
    if current is not None and current.status == "ready":
        ctx.state = current
        detail = f"already running (pid {current.pid}): used, and left running"
    else:
        spec = spec_for(base)
        ctx.output.step("starting the sandbox: moto (AWS APIs on loopback), the reference stack,"
                        " the scheduler stand-in, the ALB proxy")
        result = up(paths, spec, sleep=ctx.sleep, clock=ctx.clock)
        ctx.state, ctx.started_sandbox = result.state, True
        detail = f"moto {result.state.endpoint_url}, ALB {result.state.proxy_url}"
    ctx.config = load_config(ctx.config_path)  # now with .shipit/envs/sandbox.toml
    waited = wait_serving(ctx, f"{ctx.state.proxy_url}{ctx.settings.http.health_path}")
    detail += f"; initial revision serving after {waited:.1f}s"
    registry = ctx.state.registry_host
    detail += (f"; ECR data plane (emulated) {registry}" if registry
               else "; no registry data plane (docker-registry is not installed)")
    return Outcome("pass", detail, {"pid": ctx.state.pid, "registry": registry or None})


def wait_serving(ctx: DemoContext, url: str, timeout: float = 90.0) -> float:
    """The ALB answers 200 (bounded wait). `sandbox up` already waited for a steady service;
    this proves it through the ALB stand-in, as a user's first request would."""
    import httpx

    began = ctx.clock()
    while True:
        try:
            if httpx.get(url, timeout=2.0, trust_env=False).status_code == 200:
                return ctx.clock() - began
        except httpx.HTTPError:
            pass
        if ctx.clock() - began > timeout:
            raise Failed(f"the sandbox's initial revision did not answer 200 on {url} within"
                         f" {timeout:.0f}s", hint="see .shipit/sandbox/daemon.log and"
                         " .shipit/sandbox/tasks/*/output.log")
        ctx.sleep(0.1)


def build(ctx: DemoContext) -> Outcome:
    import httpx

    from shipit.config.origins import task_environment
    from shipit.demo.base_image import choose
    from shipit.image.pipeline import BuildDeps, BuildOptions, build_image
    from shipit.image.storage import BuildahStorage

    settings, out = ctx.settings, ctx.output
    storage = ctx.storage = BuildahStorage.from_env()
    out.step(f"containers store: {storage.driver} ({storage.reason})")
    choice = choose(ctx.builder, settings.image, ctx.root, ctx.runner, storage, out.step)
    ctx.choice = choice
    if choice.failed:
        raise Failed(f"--builder {ctx.builder}: {choice.reason}",
                     hint="use --builder auto (or none) to deploy from source instead")
    if choice.name == "none":
        return Outcome("skip", f"no image built: {choice.reason}; the sandbox deploys the sample"
                       " service from source", {"builder": "none", "reason": choice.reason})
    # buildx pushes as it builds (its output is a registry); buildah builds locally for `push`.
    direct = choice.name == "buildx" and bool(settings.image.registry)
    options = BuildOptions(
        builder=choice.name, allow_dirty=True, push=direct, health_path=settings.http.health_path,
        service_vars=task_environment(settings),
        build_args={"BASE_IMAGE": choice.base_image} if choice.base_image else {},
    )
    out.step(f"building {', '.join(settings.image.platforms)} with {choice.reason}")
    with httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as http:
        deps = BuildDeps(runner=ctx.runner, http=http, log=out.step, tool_log=out.debug,
                         storage=storage, clock=ctx.clock, sleep=ctx.sleep)
        receipt = build_image(settings.image, ctx.root, options, deps)
    platforms = ", ".join(p.platform for p in receipt.platforms)
    built = (f"unchanged since {receipt.created} (the same commit and inputs: not built again)"
             if receipt.reused else "built")
    detail = (f"{choice.name}: {receipt.name}:{receipt.tag[:12]} for {platforms}, {built},"
              f" verified down to the ELF header of the entrypoint; {receipt.digest[:19]}")
    return Outcome("pass", detail, {"builder": choice.name, "receipt": receipt.to_dict(),
                                    "base_image": choice.base_image})


def push(ctx: DemoContext) -> Outcome:
    from shipit.push import RECEIPT_PATH, PushOptions
    from shipit.push import run as run_push

    if ctx.choice is None or ctx.choice.name == "none":
        return Outcome("skip", "nothing built, nothing to push")
    settings = ctx.settings
    if not settings.image.registry:
        return Outcome("skip", "the sandbox has no registry data plane (apt-get install"
                       " docker-registry); deploying the sandbox's placeholder image")
    report = run_push(settings, ctx.aws, PushOptions(ctx.root / RECEIPT_PATH),
                      progress=ctx.output)
    ctx.pushed = True
    platforms = ", ".join(report.platforms or ())
    from shipit.push.steps import report_layers

    layers = report_layers(report)
    detail = (f"{report.ref.rsplit('/', 1)[-1][:24]} {report.status}"
              + (f" ({layers})" if layers else "") + f"; ECR API says"
              f" {(report.digest or '?')[:19]} with {platforms} (registry: the sandbox's ECR"
              " data plane emulation over a real docker-registry)")
    return Outcome("warn" if report.warnings and report.status != "pushed" else "pass", detail,
                   report.to_dict())


def deployed_task(ctx: DemoContext, read: Callable[[Any], SandboxState | None], paths: Any,
                  revision: int) -> TaskSummary | None:
    """The newest task of ``revision`` as the sandbox ran it (also when it failed and stopped):
    its runtime, store, life timings and stop reason. Bounded wait for the scheduler to publish.
    """
    began = ctx.clock()
    while True:
        state = read(paths)
        tasks = [t for t in (state.tasks if state else []) if t["revision"] == revision]
        if tasks or ctx.clock() - began > 3.0:
            return tasks[-1] if tasks else None
        ctx.sleep(0.1)


def describe_task(task: TaskSummary | None) -> str:
    """The deployed revision's task in one line (shipit.sandbox.state.task_summary)."""
    from shipit.sandbox.state import task_summary

    return task_summary(task) if task else \
        "unknown (the sandbox reported no task of this revision)"


def deploy(ctx: DemoContext) -> Outcome:
    from shipit.deploy.receipt import save
    from shipit.deploy.render import progress_for
    from shipit.deploy.run import DeployOptions
    from shipit.deploy.run import run as run_deploy
    from shipit.sandbox.control import sandbox_paths
    from shipit.sandbox.state import read_state

    placeholder = None if ctx.pushed else StackNames("").initial_tag
    options = DeployOptions(ctx.root, env=ENV_NAME, tag=placeholder, timeout=300.0,
                            interval=0.25)
    receipt = run_deploy(ctx.settings, ctx.aws, options, progress=progress_for(ctx.output),
                         clock=ctx.clock, sleep=ctx.sleep)
    save(ctx.root, receipt)
    task = deployed_task(ctx, read_state, sandbox_paths(ctx.root), receipt.revision or 0)
    ctx.task_runtime, ctx.task = (task["runtime"] if task else "") or "unknown", task
    if not receipt.ok:
        hint = (receipt.failure or {}).get("hint")
        raise Failed(f"deploy {receipt.outcome}: {receipt.message}; revision"
                     f" {receipt.revision}'s task: {describe_task(task)}",
                     hint=str(hint) if hint else None)
    what = "the built image" if ctx.pushed else f"the sandbox's placeholder image {placeholder}"
    detail = (f"revision {receipt.revision} serving ({what} by digest,"
              f" {receipt.image_digest and receipt.image_digest[:19]}); task:"
              f" {describe_task(task)}")
    return Outcome("pass", detail, {**receipt.to_dict(), "task": task or {}})


def dns(ctx: DemoContext) -> Outcome:
    from shipit import dns as route53

    result = route53.run(ctx.settings, ctx.aws, route53.DnsOptions(probe_unchanged=True),
                         clock=ctx.clock, sleep=ctx.sleep)
    web = result.web
    record, plan, answer, attempts = (ctx.settings.dns.name, result.plan, result.probe,
                                      result.attempts)
    assert answer is not None
    change = "already in place" if plan.up_to_date else "UPSERTed, INSYNC"
    detail = (f"{record} alias A -> the ALB ({change}); health through the name:"
              f" {answer.describe()} (the name cannot resolve here: sent to the ALB proxy)")
    if web is not None:
        detail += f"; frontend {web.plan.name} alias A -> its S3 website endpoint"
    return Outcome("pass" if answer.ok else "warn", detail,
                   {"name": record, "attempts": attempts, "ok": answer.ok,
                    "web": web.to_dict() if web else None})


def doctor(ctx: DemoContext) -> Outcome:
    from shipit.doctor import diagnose
    from shipit.doctor.render import summary_line, to_json
    from shipit.doctor.runner import has_failures

    assert ctx.config is not None
    findings = diagnose(ctx.config, ENV_NAME, ctx.aws)
    bad = [f"{f.id} {f.status}" for f in findings if f.status in ("fail", "error", "warn")]
    detail = summary_line(findings) + (f" ({', '.join(bad)})" if bad else "")
    if has_failures(findings):
        raise Failed(f"doctor: {detail}", hint="`shipit --env sandbox doctor` shows each fix")
    return Outcome("warn" if bad else "pass", detail, to_json(ENV_NAME, findings))


def export(ctx: DemoContext) -> Outcome:
    """The sandbox's stack written down as CloudFormation (shipit export), then cfn-lint: an
    error fails the step; warnings are named (docs/commands/export.md says why each stays)."""
    from shipit.export.lint import errors, lint_template
    from shipit.export.run import ExportOptions
    from shipit.export.run import run as export_stack
    from shipit.sandbox.addresses import local_addresses

    path = ProjectPaths(ctx.root).demo_template
    result = export_stack(ctx.settings, ctx.aws, ExportOptions(ENV_NAME, output=path, force=True),
                          local=local_addresses(ctx.root, ctx.aws.endpoint_url))
    started = ctx.clock()
    findings = lint_template(result.text, ctx.aws.region)
    lint_seconds = ctx.clock() - started
    failed = errors(findings)
    if failed:
        shown = "; ".join(f"{f.rule} line {f.line}: {f.message}" for f in failed[:3])
        raise Failed(f"export: cfn-lint found {len(failed)} errors in {path}: {shown}",
                     hint=f"`cfn-lint {path}` lists them all")
    others = sorted({f.rule for f in findings})
    detail = (f"{path}: {len(result.template.resources)} resources, {len(result.text.encode())}"
              f" bytes in {result.seconds:.2f} s; cfn-lint {lint_seconds:.1f} s, no error"
              + (f" (also {', '.join(others)}: see docs/commands/export.md)" if others else ""))
    return Outcome("pass", detail, {**result.to_dict(), "lint_seconds": round(lint_seconds, 2),
                                    "lint": [vars(f) for f in findings]})


def e2e(ctx: DemoContext) -> Outcome:
    from shipit.e2e import E2eOptions
    from shipit.e2e import run as run_e2e

    http = ctx.settings.http
    assert http.url
    report = run_e2e(ctx.settings, E2eOptions(), clock=ctx.clock, sleep=ctx.sleep)
    failed = report.failed_step
    if failed is not None:
        raise Failed(f"e2e failed at step {failed.name}: {failed.detail}",
                     hint="`shipit --env sandbox doctor` checks the service, its ALB and DNS")
    ran = [s for s in report.steps if not s.skipped]
    detail = ", ".join(f"{s.name} {s.seconds * 1000:.0f} ms" for s in ran) + f" via {http.url}"
    return Outcome("pass", detail, report.to_dict())


def web(ctx: DemoContext) -> Outcome:
    """The frontend, the AWS way: to the sandbox's S3 website bucket, read back (web deploy)."""
    from shipit.web.deploy import WebOptions
    from shipit.web.deploy import run as web_deploy

    settings = ctx.settings
    if not settings.web.bucket:
        return Outcome("skip", "no [web] bucket configured for the sandbox")
    result = web_deploy(settings, ctx.aws, WebOptions(ctx.root), progress=ctx.output.step)
    target = result.plan.target
    detail = (f"{len(result.verified)} files in s3://{target.bucket} ({result.status}, read back),"
              f" config.js -> {target.api_url}; page {target.page_url}")
    return Outcome("pass", detail, result.to_dict())


def browser(ctx: DemoContext) -> Outcome:
    """The demo path through the deployed page in a real headless Chromium (e2e --browser)."""
    from shipit.config.origins import web_origin
    from shipit.e2e import BrowserOptions, run_browser
    from shipit.e2e import browser as e2e_browser

    settings = ctx.settings
    why = e2e_browser.unavailable()
    if why is not None:
        return Outcome("skip", f"no browser here: {why}")
    page_url = web_origin(settings)
    if not page_url or not settings.http.url:
        return Outcome("skip", "no web origin or http.url for the sandbox")
    report = run_browser(settings, BrowserOptions(ctx.root))
    failed = report.failed_step
    if failed is not None:
        raise Failed(f"e2e --browser failed at step {failed.name}: {failed.detail}",
                     hint=failed.fix or "`shipit --env sandbox e2e --browser` shows every step")
    steps = ", ".join(f"{s.name} {s.seconds * 1000:.0f} ms" for s in report.steps)
    shot = report.steps[-1].screenshot if report.steps else None
    return Outcome("pass", f"headless Chromium on {page_url}: {steps}"
                   + (f"; screenshot {shot}" if shot else ""), report.to_dict())


def report(ctx: DemoContext) -> Outcome:
    """The week's acceptance report of this run (shipit report), as Markdown and HTML files."""
    from shipit.report import ReportOptions, render_html, render_markdown
    from shipit.report import build as build_report

    assert ctx.config is not None
    found = build_report(ctx.config, ENV_NAME, ctx.aws, ReportOptions(ctx.root))
    paths = ProjectPaths(ctx.root)
    markdown, html = paths.acceptance_markdown, paths.acceptance_html
    markdown.write_text(render_markdown(found), encoding="utf-8")
    html.write_text(render_html(found), encoding="utf-8")
    ctx.output.step(f"report: {markdown} and {html}")
    detail = (f"{len(found.deliverables)} deliverables, "
              + ("every one met" if found.ok else "NOT met: " + ", ".join(
                  d.title for d in found.not_met))
              + f"; {html}")
    if not found.ok:
        raise Failed(f"report: {detail}", hint=f"open {markdown}: each deliverable has its proof")
    return Outcome("pass", detail, {"markdown": str(markdown), "html": str(html),
                                    **found.to_dict()})


def sandbox_down(ctx: DemoContext) -> Outcome:
    from shipit.sandbox.control import down, sandbox_paths

    result = down(sandbox_paths(ctx.root), sleep=ctx.sleep, clock=ctx.clock)
    detail = (f"stopped {len(result.stopped_pids)} processes (daemon, tasks, registry);"
              f" ports free: {'yes' if result.ports_free else 'NO'}")
    if not result.ports_free:
        raise Failed(f"sandbox down: {detail}", hint="`shipit sandbox status`; see"
                     " .shipit/sandbox/daemon.log")
    return Outcome("pass", detail, {"stopped_pids": result.stopped_pids})
