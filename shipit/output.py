"""Output for people and machines from the same objects.

Human progress and logs go to stderr; the result goes to stdout. With ``--json`` stdout carries
exactly one JSON document (the result with ``"ok": true``, or ``{"ok": false, "error": ...}``),
so a pipeline can parse it. Everything written to either stream passes through one
``shipit.redact.Redactor`` (names, shapes and the known secret values of the loaded config), so
no command, error or live view can print a secret. Colour is off when NO_COLOR is set
(non-empty), TERM is ``dumb`` or the stream is not a terminal; FORCE_COLOR (non-empty) turns it
on.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any, cast

from shipit.redact import Redactor

if TYPE_CHECKING:
    from rich.console import Console

HumanRenderer = Callable[["Console"], None]


class Output:
    """Owns the two streams; commands never print directly."""

    def __init__(
        self,
        *,
        json_mode: bool = False,
        verbose: int = 0,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        environ: Mapping[str, str] | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.json_mode = json_mode
        self.verbose = verbose
        self.redactor = redactor or Redactor()
        self._stdout = _redacting(stdout if stdout is not None else sys.stdout, self.redactor)
        self._stderr = _redacting(stderr if stderr is not None else sys.stderr, self.redactor)
        env = os.environ if environ is None else environ
        self.color = wants_color(env, _isatty(self._stderr))
        self._force_color = bool(env.get("FORCE_COLOR")) and not env.get("NO_COLOR")
        self._err_console: Console | None = None
        self._out_console: Console | None = None
        self._result_written = False

    @property
    def interactive(self) -> bool:
        """True when a person watches stderr: spinners and prompts are allowed."""
        return _isatty(self._stderr) and not self.json_mode

    # -- consoles (Rich is imported only when something is printed) --------------------------
    @property
    def err(self) -> Console:
        if self._err_console is None:
            self._err_console = _console(self._stderr, self.color)
        return self._err_console

    @property
    def out(self) -> Console:
        if self._out_console is None:
            color = self._force_color or (self.color and _isatty(self._stdout))
            self._out_console = _console(self._stdout, color)
        return self._out_console

    # -- human logs: always stderr ------------------------------------------------------------
    def step(self, message: str) -> None:
        self.err.print(f"[bold]→[/bold] {self._shown(message)}", highlight=False)

    def info(self, message: str) -> None:
        self.err.print(self._shown(message), highlight=False)

    def debug(self, message: str) -> None:
        if self.verbose:
            self.err.print(f"[dim]{self._shown(message)}[/dim]", highlight=False)

    def success(self, message: str) -> None:
        self.err.print(f"[green]✓[/green] {self._shown(message)}", highlight=False)

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]![/yellow] {self._shown(message)}", highlight=False)

    def raw_error(self, text: str) -> None:
        """Unformatted text on stderr (a traceback), redacted like everything else."""
        self._stderr.write(text)
        self._stderr.flush()

    def fail(self, message: str, hint: str | None = None) -> None:
        self.err.print(f"[red]✗[/red] {self._shown(message)}", highlight=False)
        if hint:
            self.err.print(f"  [dim]hint:[/dim] {self._shown(hint)}", highlight=False)

    def _shown(self, text: str) -> str:
        # Redact before Rich lays the text out: a line wrapped on a terminal could split a
        # secret in two, and the stream-level pass would no longer recognise it.
        return _escape(self.redactor.text(text))

    # -- the result: stdout -------------------------------------------------------------------
    def result(self, data: Mapping[str, Any], human: HumanRenderer | None = None) -> None:
        """Emit the command's result: one JSON document with --json, else ``human`` (if any).

        The JSON document starts with ``"ok": true`` unless ``data`` says otherwise.
        """
        if self.json_mode:
            self.write_json({"ok": True, **data})
        elif human is not None:
            human(self.out)

    def write_json(self, data: Mapping[str, Any]) -> None:
        if self._result_written:
            raise RuntimeError("a command may write only one JSON document")
        self._result_written = True
        shown = self.redactor.data(json.loads(json.dumps(data, default=str)))
        self._stdout.write(json.dumps(shown, indent=2, sort_keys=False) + "\n")
        self._stdout.flush()

    @property
    def result_written(self) -> bool:
        return self._result_written


class RedactingStream:
    """A text stream that redacts every write before passing it on (isatty and the rest pass
    through, so colour and live-view decisions are the wrapped stream's)."""

    def __init__(self, stream: IO[str], redactor: Redactor) -> None:
        self._stream = stream
        self._redactor = redactor

    def write(self, text: str) -> int:
        self._stream.write(self._redactor.text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _redacting(stream: IO[str], redactor: Redactor) -> IO[str]:
    return cast("IO[str]", RedactingStream(stream, redactor))


def wants_color(environ: Mapping[str, str], isatty: bool) -> bool:
    """Colour decision (https://no-color.org): NO_COLOR wins, then FORCE_COLOR, then the TTY."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return isatty and environ.get("TERM") != "dumb"


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _console(stream: IO[str], color: bool) -> Console:
    from rich.console import Console

    return Console(
        file=stream,
        no_color=not color,
        color_system="auto" if color else None,
        force_terminal=color,
        highlight=False,
        soft_wrap=not _isatty(stream),
        emoji=False,
    )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
