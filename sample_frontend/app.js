// The articles page: list the newest, publish one, search with highlighted snippets.
// The API's base URL comes from config.js (written by `shipit web deploy`), never from here.
"use strict";

(function () {
  const config = window.SHIPIT_CONFIG || {};
  const api = typeof config.apiBaseUrl === "string" ? config.apiBaseUrl.replace(/\/+$/, "") : "";
  const $ = (id) => document.getElementById(id);
  const status = $("status");
  const error = $("error");

  function say(text, data) {
    status.textContent = text;
    for (const [key, value] of Object.entries(data || {})) status.dataset[key] = value;
  }

  function fail(text) {
    error.textContent = text;
    error.hidden = false;
    document.body.dataset.state = "error";
  }

  function clearError() {
    error.textContent = "";
    error.hidden = true;
  }

  // fetch() rejects with a TypeError when the request never got a readable answer: the API is
  // down, the URL is wrong, or the browser blocked the response (CORS). The console says which.
  async function call(method, path, body) {
    const init = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let answer;
    try {
      answer = await fetch(api + path, init);
    } catch (exc) {
      throw new Error(`could not reach the API at ${api} (${method} ${path}): the server is` +
        " down, the URL in config.js is wrong, or the browser blocked it (CORS: see the console)");
    }
    const text = await answer.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    if (!answer.ok) {
      const message = data && data.error ? data.error.message : text.slice(0, 200);
      throw new Error(`${method} ${path} answered ${answer.status}: ${message}`);
    }
    return data;
  }

  function when(iso) {
    const date = new Date(iso);
    return isNaN(date) ? iso : date.toLocaleString();
  }

  function article(item) {
    const li = document.createElement("li");
    li.dataset.id = String(item.id);
    const title = document.createElement("strong");
    title.textContent = item.title;
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = `#${item.id} · ${when(item.created_at)}` +
      (item.tags && item.tags.length ? ` · ${item.tags.join(", ")}` : "");
    li.append(title, meta);
    return li;
  }

  // The snippet is HTML-escaped text with <mark> around matches. Build it from text nodes and
  // <mark> elements instead of innerHTML, so nothing in an article can run as markup here.
  function snippet(html) {
    const p = document.createElement("p");
    // A detached <textarea> decodes entities without parsing tags or dropping leading spaces.
    const scratch = document.createElement("textarea");
    const decode = (s) => { scratch.innerHTML = s; return scratch.value; };
    html.split(/(<mark>[\s\S]*?<\/mark>)/).forEach((part) => {
      const m = /^<mark>([\s\S]*)<\/mark>$/.exec(part);
      if (m) {
        const mark = document.createElement("mark");
        mark.textContent = decode(m[1]);
        p.append(mark);
      } else if (part) {
        p.append(document.createTextNode(decode(part)));
      }
    });
    return p;
  }

  async function loadNewest() {
    const page = await call("GET", "/api/articles?limit=5");
    const list = $("newest-list");
    list.replaceChildren(...page.items.map(article));
    if (!page.items.length) {
      const li = document.createElement("li");
      li.textContent = "No articles yet.";
      list.append(li);
    }
    return page.items.length;
  }

  async function publish(event) {
    event.preventDefault();
    clearError();
    const title = $("title").value.trim();
    if (!title) {
      fail("a title is needed");
      $("title").focus();
      return;
    }
    const tags = $("tags").value.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
    say("Publishing…");
    try {
      const created = await call("POST", "/api/articles", { title, body: $("body").value, tags });
      $("create-form").reset();
      say(`Published article #${created.id}: ${created.title}`, { articleId: String(created.id) });
      document.body.dataset.state = "created";
      await loadNewest();
    } catch (exc) {
      say("");
      fail(exc.message);
    }
  }

  async function search(event) {
    event.preventDefault();
    clearError();
    const q = $("q").value.trim();
    if (!q) return;
    const results = $("results");
    results.setAttribute("aria-busy", "true");
    try {
      const found = await call("GET", "/api/search?q=" + encodeURIComponent(q) + "&limit=10");
      const list = $("result-list");
      list.replaceChildren(...found.items.map((hit) => {
        const li = article(hit);
        li.append(snippet(hit.snippet || ""));
        return li;
      }));
      say(`${found.items.length} result(s) for “${q}”`, { results: String(found.items.length) });
      document.body.dataset.state = "searched";
    } catch (exc) {
      fail(exc.message);
    } finally {
      results.setAttribute("aria-busy", "false");
    }
  }

  async function start() {
    $("create-form").addEventListener("submit", publish);
    $("search-form").addEventListener("submit", search);
    if (!api) {
      fail("config.js gives no apiBaseUrl: deploy the page with `shipit web deploy`");
      return;
    }
    $("api-url").textContent = api;
    try {
      const count = await loadNewest();
      say(`Connected to the API: ${count} newest article(s) shown`);
      document.body.dataset.state = "ready";
    } catch (exc) {
      fail(exc.message);
    }
  }

  start();
})();
