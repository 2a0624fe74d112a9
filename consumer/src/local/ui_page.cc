#include "local/ui_page.h"

#include <array>

namespace cdc {

const std::string_view kUiHtml = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TiDB CDC monitor</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui.css">
<script src="/ui.js" defer></script>
</head>
<body>
<header>
  <h1>TiDB CDC monitor</h1>
  <span id="status" class="muted">connecting…</span>
</header>
<section class="stats">
  <div class="stat">
    <span class="label">Events/s</span><span id="stat-rate" class="value">–</span>
  </div>
  <div class="stat">
    <span class="label">Events stored</span><span id="stat-total" class="value">–</span>
  </div>
  <div class="stat">
    <span class="label">Consumer lag (messages)</span><span id="stat-lag" class="value">–</span>
  </div>
  <div class="stat">
    <span class="label">End-to-end latency p50 / p99</span>
    <span id="stat-latency" class="value">–</span>
  </div>
  <div class="stat pie-box">
    <span class="label">Operations</span>
    <svg id="pie" viewBox="-1.05 -1.05 2.1 2.1" width="110" height="110" role="img"
         aria-label="operations"></svg>
    <ul id="pie-legend"></ul>
  </div>
</section>
<section class="controls">
  <input id="search" type="search" placeholder="Search values (full text)…" maxlength="256"
         autocomplete="off" aria-label="search">
  <select id="table-filter" aria-label="table"><option value="">All tables</option></select>
  <select id="op-filter" aria-label="operation">
    <option value="">All operations</option>
    <option value="insert">insert</option>
    <option value="update">update</option>
    <option value="delete">delete</option>
    <option value="ddl">ddl</option>
  </select>
  <label class="auto"><input id="auto" type="checkbox" checked> Auto refresh</label>
  <span id="shown" class="muted"></span>
</section>
<p id="error" role="alert" hidden></p>
<table id="events">
  <thead><tr>
    <th>Time</th><th>Database</th><th>Table</th><th>Operation</th><th>Primary key</th>
    <th>Changed columns</th>
  </tr></thead>
  <tbody id="rows"></tbody>
</table>
</body>
</html>
)html";

const std::string_view kUiStyle = R"css(
:root { --bg: #f7f8fa; --fg: #1d2330; --muted: #6b7385; --line: #dde1e8;
        --ins: #2e8b57; --upd: #d98c1f; --del: #c0392b; --ddl: #5b5fc7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: baseline; gap: 1rem; padding: .8rem 1.2rem;
         background: #1d2330; color: #fff; }
header h1 { font-size: 1.2rem; margin: 0; }
header .muted { color: #b8bfcc; }
.stats { display: flex; flex-wrap: wrap; gap: .8rem; padding: .8rem 1.2rem; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem;
        min-width: 11rem; display: flex; flex-direction: column; }
.stat .label { color: var(--muted); font-size: .8rem; }
.stat .value { font-size: 1.5rem; font-variant-numeric: tabular-nums; }
.pie-box { flex-direction: row; align-items: center; gap: .6rem; flex-wrap: wrap; }
.pie-box .label { width: 100%; }
#pie-legend { list-style: none; margin: 0; padding: 0; font-size: .85rem; }
#pie-legend .swatch { display: inline-block; width: .7rem; height: .7rem; margin-right: .3rem; }
.controls { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center;
            padding: 0 1.2rem .6rem; }
#search { flex: 1 1 20rem; padding: .4rem .6rem; border: 1px solid var(--line);
          border-radius: 4px; }
select { padding: .35rem; }
#error { margin: 0 1.2rem .6rem; padding: .5rem .8rem; background: #fdecea; color: var(--del);
         border-radius: 4px; }
table { width: calc(100% - 2.4rem); margin: 0 1.2rem 2rem; border-collapse: collapse;
        background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: #eef0f4; font-weight: 600; position: sticky; top: 0; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.changes { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
.op { font-weight: 600; text-transform: uppercase; font-size: .8rem; }
.op-insert { color: var(--ins); } .op-update { color: var(--upd); }
.op-delete { color: var(--del); } .op-ddl { color: var(--ddl); }
.change .col { color: var(--muted); margin-right: .4rem; }
.change .col::after { content: ":"; }
.change .before { color: var(--del); text-decoration: line-through; }
.change .after { color: var(--ins); }
.change .arrow { color: var(--muted); }
.muted { color: var(--muted); }
.null { font-style: italic; color: var(--muted); }
)css";

namespace {

const std::array<HeaderValue, 5> kHeaders{{
    {"Content-Security-Policy", kContentSecurityPolicy},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
}};

}  // namespace

std::span<const StaticRoute> UiRoutes() {
  // Built on first use: the script lives in another translation unit.
  static const std::array<StaticRoute, 3> routes{{
      {"/", "text/html; charset=utf-8", kUiHtml},
      {"/ui.js", "text/javascript; charset=utf-8", kUiScript},
      {"/ui.css", "text/css; charset=utf-8", kUiStyle},
  }};
  return routes;
}
std::span<const HeaderValue> SecurityHeaders() { return kHeaders; }

}  // namespace cdc
