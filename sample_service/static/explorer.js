// A dependency-free OpenAPI explorer: renders each operation of /openapi.json and sends
// real requests with fetch(). Everything is built with DOM calls and text nodes, so text
// from the schema or from responses can never become markup.
"use strict";

const METHODS = ["get", "post", "put", "patch", "delete"];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
}

function resolve(spec, schema) {
  let current = schema || {};
  for (let depth = 0; current.$ref && depth < 10; depth += 1) {
    current = current.$ref.replace(/^#\//, "").split("/").reduce((obj, key) => obj[key], spec);
  }
  return current;
}

function exampleFor(spec, schema) {
  const resolved = resolve(spec, schema);
  if (resolved.examples && resolved.examples.length) return resolved.examples[0];
  if (resolved.type === "object") {
    const out = {};
    for (const [name, prop] of Object.entries(resolved.properties || {})) {
      out[name] = exampleFor(spec, prop);
    }
    return out;
  }
  if (resolved.type === "array") return [];
  if (resolved.type === "integer" || resolved.type === "number") return resolved.default ?? 1;
  if (resolved.type === "boolean") return false;
  return resolved.default ?? "";
}

async function send(method, path, inputs, bodyInput, output) {
  let url = path;
  const query = new URLSearchParams();
  for (const { param, input } of inputs) {
    if (input.value === "") continue;
    if (param.in === "path") url = url.replace(`{${param.name}}`, encodeURIComponent(input.value));
    else if (param.in === "query") query.append(param.name, input.value);
  }
  if ([...query].length) url += `?${query}`;
  const init = { method: method.toUpperCase(), headers: {} };
  if (bodyInput) {
    init.body = bodyInput.value;
    init.headers["Content-Type"] = "application/json";
  }
  output.replaceChildren(el("p", {}, `${init.method} ${url} …`));
  const started = performance.now();
  try {
    const response = await fetch(url, init);
    const text = await response.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON */ }
    const ms = (performance.now() - started).toFixed(1);
    const requestId = response.headers.get("x-request-id") || "-";
    output.replaceChildren(
      el("p", { class: "status" }, `${response.status} ${response.statusText} · ${ms} ms · request id ${requestId}`),
      el("pre", {}, shown || "(empty body)"),
    );
  } catch (error) {
    output.replaceChildren(el("p", { class: "status" }, `request failed: ${error}`));
  }
}

function operationCard(spec, path, method, op, shared) {
  const params = [...(shared || []), ...(op.parameters || [])];
  const inputs = params.map((param) => {
    const schema = resolve(spec, param.schema);
    const input = el("input", { placeholder: schema.default !== undefined ? String(schema.default) : "" });
    return { param, input, schema };
  });
  const media = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  const bodyInput = media
    ? el("textarea", {}, JSON.stringify(exampleFor(spec, media.schema), null, 2))
    : null;
  const output = el("div", {});
  const button = el("button", { type: "button" }, "Send");
  button.addEventListener("click", () => send(method, path, inputs, bodyInput, output));
  const responses = Object.entries(op.responses || {})
    .map(([code, r]) => `${code} ${r.description || ""}`).join(" · ");
  return el("details", { class: "op" },
    el("summary", {},
      el("span", { class: `method ${method.toUpperCase()}` }, method.toUpperCase()),
      el("span", { class: "path" }, path),
      el("span", { class: "summary" }, op.summary || "")),
    el("div", { class: "body" },
      op.description ? el("p", {}, op.description) : null,
      ...inputs.map(({ param, input, schema }) => el("div", {},
        el("label", {}, `${param.name} `,
          el("small", {}, `(${param.in}${param.required ? ", required" : ""}, ${schema.type || "any"}) ${param.description || ""}`)),
        input)),
      bodyInput ? el("label", {}, "JSON body") : null,
      bodyInput,
      button,
      el("p", { class: "responses" }, responses),
      output));
}

async function main() {
  const root = document.getElementById("operations");
  let spec;
  try {
    spec = await (await fetch("/openapi.json")).json();
  } catch (error) {
    root.replaceChildren(el("p", {}, `could not load /openapi.json: ${error}`));
    return;
  }
  document.getElementById("title").textContent = spec.info.title;
  document.getElementById("description").textContent = spec.info.description || "";
  document.getElementById("version").textContent = spec.info.version;
  const cards = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      if (item[method]) cards.push(operationCard(spec, path, method, item[method], item.parameters));
    }
  }
  root.replaceChildren(...cards);
}

main();
