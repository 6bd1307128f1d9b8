"""`shipit export`: read the running stack, build the template, write it only where asked."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shipit.errors import UsageError
from shipit.export.context import Options
from shipit.export.gather import Selection, read_stack
from shipit.export.importing import import_commands, resources_to_import
from shipit.export.model import Template
from shipit.export.template import build_template
from shipit.export.yaml_out import to_yaml

if TYPE_CHECKING:
    from shipit.adopt.emulated import LocalAddresses
    from shipit.aws.session import AwsSession
    from shipit.config import Settings

FORMATS = ("cloudformation",)


@dataclass
class Exported:
    template: Template
    text: str
    source: dict[str, Any]
    seconds: float
    path: Path | None = None
    imports_path: Path | None = None
    commands: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        resources = [{"logical_id": name, "type": r.type, "from": r.source,
                      "identifier": r.identifier}
                     for name, r in self.template.resources.items()]
        return {
            "format": "cloudformation", "source": self.source,
            "written": str(self.path) if self.path else None,
            "resources_to_import": str(self.imports_path) if self.imports_path else None,
            "bytes": len(self.text.encode()), "seconds": round(self.seconds, 3),
            "resources": resources,
            "parameters": {n: {"type": p.type, "default": p.default, "no_echo": p.no_echo}
                           for n, p in self.template.parameters.items()},
            "moved_to_parameters": [vars(m) for m in self.template.moved],
            "unsupported": [vars(u) for u in self.template.unsupported],
            "commands": self.commands,
            "template": None if self.path else self.text,
        }


def check_request(fmt: str, output: Path | None, *, for_import: bool, include_network: bool,
                  force: bool) -> Path | None:
    """Refuse before reading anything: the format, the file, its import list. Returns the
    import list's path (with --for-import)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint="use --format cloudformation")
    if for_import and output is None:
        raise UsageError("--for-import writes two files: give the template's path with -o FILE",
                         hint="shipit export --for-import -o stack.yaml")
    if for_import and include_network:
        raise UsageError("--for-import and --include-network together are not supported: a"
                         " VPC's associations and routes cannot all be imported",
                         hint="import the stack without --include-network (the network stays"
                         " parameters)")
    imports = output.with_suffix(".import.json") if for_import and output else None
    for path in (output, imports):
        if path is not None and path.exists() and not force:
            raise UsageError(f"{path} exists; not overwritten",
                             hint="pass --force to replace it, or choose another -o FILE")
        if path is not None and not path.parent.is_dir():
            raise UsageError(f"{path.parent} is not a folder", hint="create it, or fix -o FILE")
    return imports


@dataclass(frozen=True)
class ExportOptions:
    """What `shipit export` is asked; which stack comes from the settings."""

    env: str | None = None
    """The environment's name, written in the template's header."""
    output: Path | None = None
    """Write the template here (None: only return its text)."""
    include_network: bool = False
    for_import: bool = False
    force: bool = False


def run(settings: Settings, aws: AwsSession, options: ExportOptions, *,
        local: LocalAddresses | None = None) -> Exported:
    """`shipit export` as a library call: the stack ``settings`` names, as a template.
    ``local``: what an emulated AWS serves on loopback (the sandbox), if it is one."""
    selection = Selection(env=options.env, cluster=settings.ecs.cluster,
                          service=settings.ecs.service, rds=settings.rds.instance,
                          web_bucket=settings.web.bucket, include_network=options.include_network)
    return export(aws, selection, output=options.output, for_import=options.for_import,
                  force=options.force, local=local)


def export(aws: AwsSession, selection: Selection, *, output: Path | None = None,
           for_import: bool = False, force: bool = False,
           local: LocalAddresses | None = None) -> Exported:
    imports = check_request("cloudformation", output, for_import=for_import,
                            include_network=selection.include_network, force=force)
    started = time.perf_counter()
    snapshot = read_stack(aws, selection, local=local)
    template = build_template(snapshot, Options(selection.include_network, for_import))
    source = {"account": snapshot.account, "region": snapshot.region, "env": snapshot.env,
              "endpoint": snapshot.endpoint, "cluster": snapshot.cluster,
              "service": snapshot.service.name, "url": snapshot.url}
    header = [f"shipit export --format cloudformation: {snapshot.cluster}/"
              f"{snapshot.service.name} in account {snapshot.account}, {snapshot.region}"
              + (f" (env {snapshot.env})" if snapshot.env else ""),
              "No secret value is written: secrets are ARNs in parameters; plain-text variables"
              " that look secret are NoEcho parameters without a default."]
    header += [f"moved to a parameter: {m.variable} -> {m.parameter} ({m.reason})"
               for m in template.moved]
    header += [f"not exported: {u.what} ({u.where}): {u.why}" for u in template.unsupported]
    text = to_yaml(template, header=header)
    result = Exported(template, text, source, time.perf_counter() - started)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        result.path = output
    if imports is not None and output is not None:
        imports.write_text(json.dumps(resources_to_import(template), indent=2) + "\n",
                           encoding="utf-8")
        result.imports_path = imports
        stack = snapshot.service.name
        result.commands = import_commands(stack, str(output), str(imports))
    return result
