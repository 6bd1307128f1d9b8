"""The offline /docs explorer really renders every operation and really sends a request.

Runs the shipped explorer.js under Node with a minimal DOM stand-in (named a fake: there is no
browser here) against a real service process. Skipped when Node is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from tests.service.service_process import ServiceProcess

HARNESS = r"""
const [base, scriptPath] = process.argv.slice(2);
const source = require("fs").readFileSync(scriptPath, "utf8");

class FakeNode {  // just enough DOM for explorer.js
  constructor(tag) { this.tag = tag; this.children = []; this.attrs = {}; this.listeners = {}; }
  append(...kids) { this.children.push(...kids); }
  replaceChildren(...kids) { this.children = kids; }
  setAttribute(key, value) { this.attrs[key] = value; }
  addEventListener(type, fn) { this.listeners[type] = fn; }
  set className(value) { this.attrs.class = value; }
  set textContent(value) { this.children = [{ text: String(value) }]; }
  get textContent() { return textOf(this); }
  get value() { return this._value ?? textOf(this); }
  set value(v) { this._value = v; }
}
const textOf = (n) => n.text !== undefined ? n.text : n.children.map(textOf).join("");
const all = (n, pred, out = []) => {
  if (n.children) { if (pred(n)) out.push(n); n.children.forEach((c) => all(c, pred, out)); }
  return out;
};
const ids = Object.fromEntries(["operations", "title", "description", "version"]
  .map((id) => [id, new FakeNode("div")]));
global.document = {
  createElement: (tag) => new FakeNode(tag),
  createTextNode: (text) => ({ text }),
  getElementById: (id) => ids[id],
};
const realFetch = fetch;
global.fetch = (url, init) => realFetch(new URL(url, base), init);
eval(source);

(async () => {
  for (let i = 0; i < 100 && !all(ids.operations, (n) => n.tag === "details").length; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const cards = all(ids.operations, (n) => n.tag === "details");
  const operations = cards.map((c) => textOf(all(c, (n) => n.tag === "summary")[0]));
  const create = cards.find((c) => textOf(c).includes("POST/api/articles"));
  const button = all(create, (n) => n.tag === "button")[0];
  await button.listeners.click();
  const status = all(create, (n) => n.attrs.class === "status").map(textOf);
  const shown = all(create, (n) => n.tag === "pre").map(textOf);
  console.log(JSON.stringify({ title: ids.title.textContent, operations, status, shown }));
})();
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_explorer_lists_operations_and_sends_the_example(
    make_service: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    service = make_service(f"sqlite:///{tmp_path / 'a.db'}")
    service.start().wait_healthy()
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    script = resources.files("sample_service").joinpath("static", "explorer.js")
    result = subprocess.run(
        ["node", str(harness), service.url, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["title"] == "Article service"
    assert len(page["operations"]) == 6
    assert any(op.startswith("GET/api/search") for op in page["operations"])
    assert page["status"][0].startswith("201 ")
    assert json.loads(page["shown"][0])["title"] == "Hello ECS"  # the schema's example
    assert service.terminate() == 0
