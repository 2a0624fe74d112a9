// The built-in UI's script, served at /ui.js. Rule of this file: database values only ever
// reach the page through textContent, createTextNode or attribute values; never innerHTML,
// insertAdjacentHTML, document.write or a URL. The strict CSP is the second line of defence.
#include "local/ui_page.h"

namespace cdc {

const std::string_view kUiScript = R"js('use strict';
(() => {
  const REFRESH_MS = 2000;
  const OPS = ['insert', 'update', 'delete', 'ddl'];
  const OP_COLORS = {insert: '#2e8b57', update: '#d98c1f', delete: '#c0392b', ddl: '#5b5fc7'};
  const $ = (id) => document.getElementById(id);
  const state = {prevTotal: null, prevAt: 0, prevBuckets: null, tables: [], timer: null,
                 inFlight: false};

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function fmtValue(v) {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  function valueNode(cls, v) {
    const span = el('span', cls, fmtValue(v));
    if (v === null || v === undefined) span.classList.add('null');
    return span;
  }
  function showError(message) {
    const box = $('error');
    box.textContent = message;
    box.hidden = !message;
  }

  function pkText(doc) {
    const pk = (doc && typeof doc.pk === 'object' && doc.pk) || {};
    return Object.keys(pk).map((k) => k + '=' + fmtValue(pk[k])).join(', ');
  }
  function sameValue(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  // Changed columns: before → after for updates; the row for inserts and deletes; the SQL for DDL.
  function changesCell(ev) {
    const td = el('td', 'changes');
    const doc = ev.doc || {};
    if (ev.op === 'ddl') {
      td.append(el('code', 'sql', doc.sql || ''));
      return td;
    }
    const data = (doc.data && typeof doc.data === 'object') ? doc.data : {};
    const old = (doc.old && typeof doc.old === 'object') ? doc.old : null;
    let keys = Object.keys(data);
    if (ev.op === 'update' && old) keys = keys.filter((k) => !sameValue(old[k], data[k]));
    for (const k of keys) {
      const line = el('div', 'change');
      line.append(el('span', 'col', k));
      if (ev.op === 'update' && old) {
        line.append(valueNode('before', old[k]), el('span', 'arrow', ' → '),
                    valueNode('after', data[k]));
      } else {
        line.append(valueNode(ev.op === 'delete' ? 'before' : 'after', data[k]));
      }
      td.append(line);
    }
    if (keys.length === 0) {
      td.append(el('span', 'muted', '(no visible change: redacted or identical values)'));
    }
    return td;
  }

  function timeCell(ev) {
    const doc = ev.doc || {};
    const when = new Date(typeof doc['@timestamp'] === 'string' ? doc['@timestamp']
                                                                 : ev.event_time_ms);
    const td = el('td', 'time', isNaN(when) ? '' : when.toLocaleTimeString(undefined,
        {hour12: false}) + '.' + String(when.getMilliseconds()).padStart(3, '0'));
    if (!isNaN(when)) td.title = when.toISOString();
    return td;
  }

  function renderEvents(events) {
    const rows = document.createDocumentFragment();
    for (const ev of events) {
      const tr = el('tr');
      tr.dataset.id = String(ev.id);
      const op = OPS.includes(ev.op) ? ev.op : 'unknown';
      tr.append(timeCell(ev), el('td', 'db', ev.database), el('td', 'tbl', ev.table),
                el('td', 'op op-' + op, ev.op), el('td', 'pk', pkText(ev.doc)), changesCell(ev));
      rows.append(tr);
    }
    $('rows').replaceChildren(rows);
    $('shown').textContent = events.length + ' shown';
  }

  function renderPie(byOp) {
    const svg = $('pie');
    const legend = $('pie-legend');
    const ns = 'http://www.w3.org/2000/svg';
    const total = OPS.reduce((s, op) => s + (byOp[op] || 0), 0);
    const shapes = [];
    const items = [];
    let angle = -Math.PI / 2;
    for (const op of OPS) {
      const n = byOp[op] || 0;
      if (n === 0) continue;
      const frac = n / total;
      let shape;
      if (frac >= 0.9999) {
        shape = document.createElementNS(ns, 'circle');
        shape.setAttribute('r', '1');
      } else {
        const end = angle + frac * 2 * Math.PI;
        const large = frac > 0.5 ? 1 : 0;
        shape = document.createElementNS(ns, 'path');
        shape.setAttribute('d', 'M0 0 L' + Math.cos(angle) + ' ' + Math.sin(angle) + ' A1 1 0 ' +
                           large + ' 1 ' + Math.cos(end) + ' ' + Math.sin(end) + ' Z');
        angle = end;
      }
      shape.setAttribute('fill', OP_COLORS[op]);
      shapes.push(shape);
      const li = el('li');
      const swatch = el('span', 'swatch op-' + op);
      swatch.append(document.createTextNode('■'));
      const share = Math.round(frac * 100);
      li.append(swatch, document.createTextNode(op + ' ' + n + ' (' + share + '%)'));
      items.push(li);
    }
    svg.replaceChildren(...shapes);
    legend.replaceChildren(...items);
  }

  function updateTableFilter(counts) {
    const seen = new Map();
    for (const c of counts) seen.set(c.database + '\u0000' + c.table, [c.database, c.table]);
    const keys = [...seen.keys()].sort();
    const current = state.tables.map((t) => t[0] + '\u0000' + t[1]);
    if (keys.join('\u0001') === current.join('\u0001')) return;
    const select = $('table-filter');
    const selected = select.value === '' ? null : state.tables[Number(select.value)];
    state.tables = keys.map((k) => seen.get(k));
    const options = [el('option', '', 'All tables')];
    options[0].value = '';
    state.tables.forEach((t, i) => {
      const o = el('option', '', t[0] + '.' + t[1]);
      o.value = String(i);
      if (selected && selected[0] === t[0] && selected[1] === t[1]) o.selected = true;
      options.push(o);
    });
    select.replaceChildren(...options);
  }

  // Prometheus text format: "name{labels} value".
  function parseMetrics(text) {
    const out = {events: 0, lag: 0, buckets: [], latencyCount: 0};
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || line === '') continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const value = Number(m[3]);
      if (m[1] === 'cdc_events_total') out.events += value;
      else if (m[1] === 'cdc_consumer_lag_messages') out.lag += value;
      else if (m[1] === 'cdc_end_to_end_latency_seconds_bucket') {
        const le = /le="([^"]*)"/.exec(m[2] || '');
        if (le) out.buckets.push([le[1] === '+Inf' ? Infinity : Number(le[1]), value]);
      } else if (m[1] === 'cdc_end_to_end_latency_seconds_count') out.latencyCount = value;
    }
    out.buckets.sort((a, b) => a[0] - b[0]);
    return out;
  }
  function quantile(buckets, q) {
    const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
    if (total <= 0) return null;
    for (const [le, n] of buckets) if (n >= q * total) return le;
    return Infinity;
  }
  function fmtSeconds(s) {
    if (s === null) return '–';
    if (s === Infinity) return '> 600 s';
    return s < 1 ? '≤ ' + Math.round(s * 1000) + ' ms' : '≤ ' + s + ' s';
  }

  async function refreshMetrics() {
    const res = await fetch('/metrics', {cache: 'no-store'});
    if (!res.ok) throw new Error('/metrics answered ' + res.status);
    const m = parseMetrics(await res.text());
    const now = performance.now();
    if (state.prevTotal !== null && now > state.prevAt) {
      const rate = Math.max(0, (m.events - state.prevTotal) * 1000 / (now - state.prevAt));
      $('stat-rate').textContent = rate.toFixed(1);
    }
    // Latency over the last interval when events arrived in it, else since start.
    let buckets = m.buckets;
    if (state.prevBuckets && state.prevBuckets.length === buckets.length) {
      const delta = buckets.map((b, i) => [b[0], b[1] - state.prevBuckets[i][1]]);
      if (delta.length && delta[delta.length - 1][1] > 0) buckets = delta;
    }
    $('stat-latency').textContent = fmtSeconds(quantile(buckets, 0.5)) + ' / ' +
                                    fmtSeconds(quantile(buckets, 0.99));
    $('stat-lag').textContent = String(m.lag);
    state.prevTotal = m.events;
    state.prevAt = now;
    state.prevBuckets = m.buckets;
  }

  async function refreshCounts() {
    const res = await fetch('/api/counts', {cache: 'no-store'});
    if (!res.ok) throw new Error('/api/counts answered ' + res.status);
    const body = await res.json();
    const byOp = {};
    for (const c of body.counts) byOp[c.op] = (byOp[c.op] || 0) + c.count;
    $('stat-total').textContent = String(body.total);
    renderPie(byOp);
    updateTableFilter(body.counts);
  }

  async function refreshEvents() {
    const params = new URLSearchParams({limit: '100'});
    const q = $('search').value.trim();
    if (q) params.set('q', q);
    const t = $('table-filter').value;
    if (t !== '' && state.tables[Number(t)]) {
      params.set('database', state.tables[Number(t)][0]);
      params.set('table', state.tables[Number(t)][1]);
    }
    const op = $('op-filter').value;
    if (op) params.set('op', op);
    const res = await fetch('/api/events?' + params.toString(), {cache: 'no-store'});
    const body = await res.json();
    if (!res.ok) {
      throw new Error(typeof body.error === 'string' ? body.error : 'HTTP ' + res.status);
    }
    renderEvents(body);
  }

  async function refresh() {
    if (state.inFlight) return;
    state.inFlight = true;
    try {
      await Promise.all([refreshEvents(), refreshCounts(), refreshMetrics()]);
      showError('');
      $('status').textContent = 'updated ' + new Date().toLocaleTimeString(undefined,
                                                                           {hour12: false});
      document.body.dataset.loaded = '1';
    } catch (e) {
      showError(String(e && e.message ? e.message : e));
      $('status').textContent = 'error';
    } finally {
      state.inFlight = false;
    }
  }

  function schedule() {
    clearInterval(state.timer);
    state.timer = $('auto').checked ? setInterval(refresh, REFRESH_MS) : null;
  }

  let debounce = null;
  $('search').addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(refresh, 300);
  });
  $('search').addEventListener('keydown', (e) => { if (e.key === 'Enter') refresh(); });
  $('table-filter').addEventListener('change', refresh);
  $('op-filter').addEventListener('change', refresh);
  $('auto').addEventListener('change', schedule);
  refresh();
  schedule();
})();
)js";

}  // namespace cdc
