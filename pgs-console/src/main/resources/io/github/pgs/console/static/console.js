// PersistentGenServer admin console. Plain JavaScript, no build step, no dependencies.
//
// Safety rule of this file: text that comes from the server (keys, states, messages) is only ever put into the page
// with textContent or as Text nodes (el() below), never as markup. Nothing here uses innerHTML, eval or inline
// handlers, and the page's content security policy allows this script only.
'use strict';

(() => {
  const TOKEN_KEY = 'pgs-console-token';
  const POLL_MS = 2000;
  const SAMPLES = 60;
  const PAGE = 50;
  const DIFF_CELLS = 4000000;

  const $ = (id) => document.getElementById(id);
  const meta = (name) => {
    const m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.content : '';
  };
  const csrf = meta('pgs-csrf');
  const authMode = meta('pgs-auth');
  let writeHeaders = {};
  try {
    writeHeaders = JSON.parse(meta('pgs-write-headers') || '{}');
  } catch (e) {
    writeHeaders = {};
  }

  let token = null;
  let overview = null;
  let current = null;
  let search = null;
  let pollTimer = null;

  // ------------------------------------------------------------------ helpers

  /** An element with attributes and children; strings become Text nodes. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  function when(iso) {
    if (!iso) return '';
    return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace('Z', ' UTC');
  }

  function ago(iso) {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' d ago';
  }

  /** An ISO-8601 duration (PT1H30M, P2D) as "1 h 30 min", "2 d"; anything else unchanged. */
  function period(iso) {
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso || '');
    if (!m) return iso;
    const parts = [];
    if (m[1]) parts.push(m[1] + ' d');
    if (m[2]) parts.push(m[2] + ' h');
    if (m[3]) parts.push(m[3] + ' min');
    if (m[4]) parts.push(m[4] + ' s');
    return parts.length ? parts.join(' ') : iso;
  }

  function bytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1024 / 1024).toFixed(1) + ' MiB';
  }

  function notice(text, kind) {
    const n = $('notice');
    n.textContent = text;
    n.className = 'notice ' + (kind || '');
    show(n, true);
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function authHeaders() {
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  async function answer(res) {
    let body = null;
    try {
      body = await res.json();
    } catch (e) {
      body = null;
    }
    if (res.status === 401 && authMode === 'token') {
      sessionStorage.removeItem(TOKEN_KEY);
      token = null;
      showLogin('The access token was not accepted.');
    }
    if (!res.ok) {
      throw new ApiError(res.status, body && body.error ? body.error : 'the console answered HTTP ' + res.status);
    }
    return body;
  }

  async function api(path, params) {
    const q = params ? '?' + new URLSearchParams(params).toString() : '';
    const res = await fetch('api/' + path + q, { headers: authHeaders(), cache: 'no-store' });
    return answer(res);
  }

  async function act(params) {
    const headers = Object.assign({}, writeHeaders, authHeaders(), {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-PGS-CSRF': csrf,
    });
    const res = await fetch('api/action', {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
      cache: 'no-store',
    });
    return answer(res);
  }

  // ------------------------------------------------------------------ confirmation

  function confirmAction(title, text, okLabel) {
    const d = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = okLabel;
    return new Promise((resolve) => {
      const done = (ok) => {
        $('confirm-ok').removeEventListener('click', yes);
        $('confirm-cancel').removeEventListener('click', no);
        d.removeEventListener('cancel', no);
        d.close();
        resolve(ok);
      };
      const yes = () => done(true);
      const no = (e) => {
        if (e) e.preventDefault();
        done(false);
      };
      $('confirm-ok').addEventListener('click', yes);
      $('confirm-cancel').addEventListener('click', no);
      d.addEventListener('cancel', no);
      d.showModal();
    });
  }

  // ------------------------------------------------------------------ overview

  async function loadOverview() {
    overview = await api('overview');
    const s = $('summary');
    clear(s);
    s.append(el('span', { class: 'pill' }, 'store ' + overview.store));
    s.append(el('span', { class: 'pill' }, overview.runtime ? 'runtime ' + overview.runtime : 'no runtime (bare store)'));
    if (typeof overview.active === 'number') s.append(el('span', { class: 'pill', id: 'active-count' }, overview.active + ' active'));
    if (overview.readOnly) s.append(el('span', { class: 'pill ro' }, 'read-only'));

    const body = $('types').tBodies[0];
    clear(body);
    const list = $('type-list');
    clear(list);
    // a bare store cannot tell active from petrified: those columns show with a runtime only
    const byStatus = !!overview.runtime;
    for (const th of $('types').querySelectorAll('th.by-status')) show(th, byStatus);
    for (const t of overview.types) {
      const open = el('button', { class: 'link', type: 'button', onclick: () => startSearch(t.name, '') }, t.name);
      const row = el('tr', { 'data-type': t.name },
        el('td', {}, open),
        el('td', { class: 'num stored', title: t.partial ? 'more servers than the console counts by status' : '' },
          t.stored + (t.partial ? '+' : '')));
      if (byStatus) {
        row.append(el('td', { class: 'num active' }, t.active),
          el('td', { class: 'num petrified' }, t.petrified),
          el('td', { class: 'num quarantined' }, t.quarantined));
      }
      body.append(row);
      list.append(el('option', { value: t.name }));
    }
    await loadQuarantined();
    show($('types'), overview.types.length > 0);
    show($('types-empty'), overview.types.length === 0);
    if (!$('search-type').value && overview.types.length > 0) $('search-type').value = overview.types[0].name;
  }

  async function loadQuarantined() {
    const q = await api('quarantined');
    const body = $('quarantined').tBodies[0];
    clear(body);
    for (const e of q.entries) {
      const open = el('button', { class: 'link', type: 'button', onclick: () => openServer(e.id) }, e.id);
      body.append(el('tr', { 'data-id': e.id },
        el('td', {}, open),
        el('td', { title: e.since }, when(e.since) + ' (' + ago(e.since) + ')'),
        el('td', { class: 'failure' }, e.lastFailure)));
    }
    show($('quarantine-card'), q.entries.length > 0);
    show($('quarantined-more'), q.more);
  }

  // ------------------------------------------------------------------ activity chart

  // one series of samples per type, and '*' for all types together
  const series = new Map();
  let last = null;
  const chartKey = () => $('chart-type').value || '*';

  async function pollStats() {
    let s;
    try {
      s = await api('stats');
    } catch (e) {
      if (e.status === 404) {
        clearInterval(pollTimer);
        show($('chart'), false);
        show($('legend'), false);
        show($('chart-type'), false);
        $('activity-note').textContent = e.message;
        show($('activity-note'), true);
      }
      return;
    }
    if (last && s.at > last.at) {
      const dt = (s.at - last.at) / 1000;
      const add = (key, now, before) => {
        if (!before) return;
        if (!series.has(key)) series.set(key, []);
        const list = series.get(key);
        list.push({
          calls: Math.max(0, (now.calls + now.casts - before.calls - before.casts) / dt),
          activations: Math.max(0, (now.activations + now.revivals - before.activations - before.revivals) / dt),
        });
        while (list.length > SAMPLES) list.shift();
      };
      add('*', s, last);
      for (const [type, now] of Object.entries(s.types || {})) add(type, now, (last.types || {})[type]);
    }
    const select = $('chart-type');
    for (const type of Object.keys(s.types || {})) {
      if (![...select.options].some((o) => o.value === type)) select.append(el('option', { value: type }, type));
    }
    last = s;
    const a = $('active-count');
    if (a) a.textContent = s.active + ' active';
    drawChart();
  }

  const SERIES = [
    { key: 'calls', label: 'calls + casts/s', color: '#2f6fdf' },
    { key: 'activations', label: 'activations + revivals/s', color: '#e08a1e' },
  ];

  function niceMax(v) {
    if (v <= 1) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function drawChart() {
    const samples = series.get(chartKey()) || [];
    const c = $('chart');
    c.dataset.samples = String(samples.length);
    const ratio = window.devicePixelRatio || 1;
    const w = c.clientWidth || 560;
    const h = c.clientHeight || 170;
    if (c.width !== Math.round(w * ratio)) {
      c.width = Math.round(w * ratio);
      c.height = Math.round(h * ratio);
    }
    const g = c.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    const left = 44;
    const bottom = h - 18;
    const top = 8;
    const right = w - 8;
    let max = 0;
    for (const s of samples) for (const k of SERIES) max = Math.max(max, s[k.key]);
    max = niceMax(max);
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#6b7385';
    g.strokeStyle = '#e1e4ea';
    g.lineWidth = 1;
    for (const f of [0, 0.5, 1]) {
      const y = bottom - f * (bottom - top);
      g.beginPath();
      g.moveTo(left, y + 0.5);
      g.lineTo(right, y + 0.5);
      g.stroke();
      const v = max * f;
      g.fillText(v === 0 || max >= 10 ? String(Math.round(v)) : v.toFixed(1), 4, y + 4);
    }
    g.fillText('last ' + (SAMPLES * POLL_MS) / 1000 + ' s', left, h - 4);
    const step = (right - left) / (SAMPLES - 1);
    for (const k of SERIES) {
      g.strokeStyle = k.color;
      g.lineWidth = 2;
      g.beginPath();
      samples.forEach((s, i) => {
        const x = right - (samples.length - 1 - i) * step;
        const y = bottom - (s[k.key] / max) * (bottom - top);
        if (i === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      });
      g.stroke();
      if (samples.length > 0) {
        // the newest value as a dot, so that a single sample shows too
        const s = samples[samples.length - 1];
        g.fillStyle = k.color;
        g.beginPath();
        g.arc(right, bottom - (s[k.key] / max) * (bottom - top), 3, 0, 2 * Math.PI);
        g.fill();
      }
    }
    if (samples.length < 2) {
      g.fillStyle = '#6b7385';
      g.fillText('collecting: one point every ' + POLL_MS / 1000 + ' s', left + 8, top + 14);
    }
    const legend = $('legend');
    clear(legend);
    const latest = samples.length ? samples[samples.length - 1] : null;
    for (const k of SERIES) {
      const sw = el('span', { class: 'swatch' });
      sw.style.background = k.color;
      const value = latest ? ' ' + latest[k.key].toFixed(1) : '';
      legend.append(el('span', { 'data-series': k.key }, sw, k.label + value));
    }
  }

  // ------------------------------------------------------------------ search

  function startSearch(type, prefix) {
    $('search-type').value = type;
    $('search-prefix').value = prefix;
    search = { type, prefix, next: null, skipped: 0 };
    clear($('results').tBodies[0]);
    runSearch().catch((e) => notice(e.message, 'error'));
  }

  async function runSearch() {
    const params = { type: search.type, prefix: search.prefix, limit: PAGE };
    if (search.next) params.after = search.next;
    const r = await api('servers', params);
    const body = $('results').tBodies[0];
    for (const e of r.entries) {
      const open = el('button', { class: 'link', type: 'button', onclick: () => openServer(e.id) }, e.key);
      body.append(el('tr', { 'data-id': e.id },
        el('td', {}, open),
        el('td', {}, el('span', { class: 'badge ' + e.status }, e.status)),
        el('td', { class: 'num' }, e.version),
        el('td', { title: e.updatedAt }, when(e.updatedAt) + ' (' + ago(e.updatedAt) + ')'),
        el('td', { class: 'num' }, bytes(e.bytes))));
    }
    search.next = r.nextAfter;
    search.skipped = (search.skipped || 0) + r.skipped;
    $('results-skipped').textContent = search.skipped + (search.skipped === 1 ? ' stored row' : ' stored rows')
      + ' of this type could not be read and were skipped (pgs list shows where).';
    show($('results-skipped'), search.skipped > 0);
    const any = body.rows.length > 0;
    show($('results'), any);
    show($('results-empty'), !any);
    show($('more'), !!r.nextAfter);
  }

  // ------------------------------------------------------------------ one server

  async function openServer(id) {
    try {
      current = await api('server', { id });
    } catch (e) {
      notice(e.message, 'error');
      if (e.status === 404) show($('server-card'), false);
      return;
    }
    renderServer();
    $('server-card').scrollIntoView({ block: 'start' });
  }

  function renderServer() {
    const s = current;
    show($('server-card'), true);
    $('server-id').textContent = s.id;
    const badge = $('server-status');
    badge.textContent = s.status;
    badge.className = 'badge ' + s.status;

    const m = $('server-meta');
    clear(m);
    const pair = (k, v, title) => {
      m.append(el('dt', {}, k));
      m.append(el('dd', title ? { title } : {}, v));
    };
    pair('version', s.version);
    pair('schema version', s.schemaVersion);
    pair('last write', when(s.updatedAt) + ' (' + ago(s.updatedAt) + ')', s.updatedAt);
    pair('size', bytes(s.bytes) + ', ' + s.format + (s.format === 'json' ? '' : ' (' + s.codec + ' codec)'));

    const q = $('server-quarantine');
    q.textContent = s.quarantine ? 'Quarantined since ' + when(s.quarantine.since) + ': ' + s.quarantine.lastFailure : '';
    show(q, !!s.quarantine);
    $('state').textContent = s.state;
    show($('state-cut'), !!s.stateTruncated);
    renderActions();
    renderHistory();
    renderReminders();
  }

  function renderActions() {
    const s = current;
    const box = $('actions');
    clear(box);
    const allowed = new Set(overview ? overview.actions : []);
    const button = (name, label, cls, handler) => {
      if (!allowed.has(name)) return;
      box.append(el('button', { type: 'button', class: cls || 'ghost', 'data-action': name, onclick: handler }, label));
    };
    if (s.status === 'quarantined' || s.quarantine) {
      button('release', 'Release', 'ghost', () => run('Release ' + s.id,
        'Lift the quarantine of ' + s.id + '? Its next message activates it again from its stored state.',
        'Release', { action: 'release', id: s.id }));
    }
    if (s.status === 'active') {
      button('petrify', 'Petrify', 'ghost', () => run('Petrify ' + s.id,
        'Petrify ' + s.id + ' after the messages already queued for it? Its next message revives it.',
        'Petrify', { action: 'petrify', id: s.id }));
    }
    if (allowed.has('rollback') && s.history.length > 0) {
      const steps = el('select', { id: 'rollback-steps', 'aria-label': 'versions back' });
      s.history.forEach((h, i) => {
        steps.append(el('option', { value: String(i + 1) }, (i + 1) + ' back (version ' + h.version + ')'));
      });
      const go = el('button', { type: 'button', class: 'ghost', 'data-action': 'rollback', onclick: () => {
        const k = Number(steps.value);
        const target = s.history[k - 1].version;
        run('Roll back ' + s.id,
          'Roll ' + s.id + ' back ' + k + (k === 1 ? ' version' : ' versions') + ', to the state of version ' + target
            + '? It is written as version ' + (s.version + 1) + '; the current state stays in the history.',
          'Roll back', { action: 'rollback', id: s.id, steps: String(k) });
      } }, 'Roll back');
      box.append(el('span', { class: 'steps' }, steps, go));
    }
    button('reset', 'Reset', 'ghost', () => run('Reset ' + s.id,
      'Wipe the state of ' + s.id + '? Its next message starts it fresh through init. This cannot be undone.',
      'Reset', { action: 'reset', id: s.id }));
    button('delete', 'Delete version ' + s.version, 'danger', () => run('Delete ' + s.id,
      'Delete version ' + s.version + ' of ' + s.id + '? Refused if it was written since. This cannot be undone.',
      'Delete', { action: 'delete', id: s.id, version: String(s.version) }));
    if (allowed.size === 0 && overview && overview.readOnly) {
      box.append(el('span', { class: 'muted' }, 'Read-only console: no actions.'));
    }
  }

  async function run(title, text, okLabel, params) {
    if (!(await confirmAction(title, text, okLabel))) return;
    let r;
    try {
      r = await act(params);
    } catch (e) {
      notice(e.message, 'error');
      return;
    }
    notice(r.message, 'ok');
    await refreshAll(params.id);
  }

  async function refreshAll(id) {
    await loadOverview().catch((e) => notice(e.message, 'error'));
    if (search) {
      search.next = null;
      search.skipped = 0;
      clear($('results').tBodies[0]);
      await runSearch().catch((e) => notice(e.message, 'error'));
    }
    if (id) {
      try {
        current = await api('server', { id });
        renderServer();
      } catch (e) {
        if (e.status === 404) show($('server-card'), false);
        else notice(e.message, 'error');
      }
    }
  }

  function renderHistory() {
    const s = current;
    const body = $('history').tBodies[0];
    clear(body);
    if (!s.historySupported || s.history.length === 0) {
      $('history-none').textContent = s.historySupported
        ? 'No older versions kept (the type keeps history with historyDepth).'
        : 'This store keeps no history.';
      show($('history-none'), true);
      show($('history'), false);
      show($('diff-controls'), false);
      show($('diff'), false);
      return;
    }
    show($('history-none'), false);
    show($('history'), true);
    const rows = [{ version: s.version, schemaVersion: s.schemaVersion, updatedAt: s.updatedAt, bytes: s.bytes, current: true }]
      .concat(s.history);
    for (const h of rows) {
      body.append(el('tr', { 'data-version': String(h.version) },
        el('td', { class: 'num' }, h.version + (h.current ? ' (current)' : '')),
        el('td', { class: 'num' }, h.schemaVersion),
        el('td', { title: h.updatedAt }, when(h.updatedAt) + ' (' + ago(h.updatedAt) + ')'),
        el('td', { class: 'num' }, bytes(h.bytes))));
    }
    const from = $('diff-from');
    const to = $('diff-to');
    clear(from);
    clear(to);
    for (const h of rows) {
      from.append(el('option', { value: String(h.version) }, String(h.version) + (h.current ? ' (current)' : '')));
      to.append(el('option', { value: String(h.version) }, String(h.version) + (h.current ? ' (current)' : '')));
    }
    from.value = String(s.history[0].version);
    to.value = String(s.version);
    show($('diff-controls'), true);
    showDiff();
  }

  async function showDiff() {
    const s = current;
    const a = Number($('diff-from').value);
    const b = Number($('diff-to').value);
    const out = $('diff');
    clear(out);
    show(out, true);
    let va;
    let vb;
    try {
      [va, vb] = await Promise.all([api('version', { id: s.id, version: a }), api('version', { id: s.id, version: b })]);
    } catch (e) {
      out.append(el('span', { class: 'same' }, e.message));
      return;
    }
    if (current !== s) return;
    const ops = diffLines(va.state.split('\n'), vb.state.split('\n'));
    if (ops === null) {
      out.append(el('span', { class: 'same' }, 'These versions are too large to compare here.'));
      return;
    }
    const cut = (v) => (v.stateTruncated ? ' (cut: compared as shown)' : '');
    out.append(el('span', { class: 'same' }, '--- version ' + a + cut(va) + '\n'));
    out.append(el('span', { class: 'same' }, '+++ version ' + b + cut(vb) + '\n'));
    if (ops.every((o) => o.op === ' ')) {
      out.append(el('span', { class: 'same' }, '(the two versions hold the same state)'));
      return;
    }
    for (const o of ops) {
      const cls = o.op === '+' ? 'add' : o.op === '-' ? 'del' : 'same';
      out.append(el('span', { class: cls }, o.op + ' ' + o.text));
    }
  }

  /** A line diff by longest common subsequence, after trimming the common head and tail; null if too large. */
  function diffLines(a, b) {
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head
      && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
    const x = a.slice(head, a.length - tail);
    const y = b.slice(head, b.length - tail);
    const n = x.length;
    const m = y.length;
    if ((n + 1) * (m + 1) > DIFF_CELLS) return null;
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1] + 1
          : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    const ops = [];
    for (let i = 0; i < head; i++) ops.push({ op: ' ', text: a[i] });
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) {
        ops.push({ op: ' ', text: x[i] });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
        ops.push({ op: '-', text: x[i] });
        i++;
      } else {
        ops.push({ op: '+', text: y[j] });
        j++;
      }
    }
    for (let k = a.length - tail; k < a.length; k++) ops.push({ op: ' ', text: a[k] });
    return ops;
  }

  function renderReminders() {
    const s = current;
    const body = $('reminders').tBodies[0];
    clear(body);
    for (const r of s.reminders) {
      body.append(el('tr', {},
        el('td', {}, r.name),
        el('td', { title: r.due }, when(r.due)),
        el('td', { title: r.period || '' }, r.period ? period(r.period) : 'once'),
        el('td', {}, r.missedTicks.replace('_', ' '))));
    }
    show($('reminders'), s.reminders.length > 0);
    show($('reminders-none'), s.reminders.length === 0);
  }

  // ------------------------------------------------------------------ start

  function showLogin(message) {
    show($('main'), false);
    show($('refresh'), false);
    show($('login'), true);
    if (message) $('login').querySelector('p').textContent = message + ' Paste the token printed when the console started.';
  }

  async function start() {
    show($('login'), false);
    show($('refresh'), true);
    show($('main'), true);
    try {
      await loadOverview();
    } catch (e) {
      notice(e.message, 'error');
      return;
    }
    drawChart();
    clearInterval(pollTimer);
    pollStats();
    pollTimer = setInterval(pollStats, POLL_MS);
  }

  /** Moves a token given in the address's fragment into the tab's session storage, out of the address bar. */
  function takeTokenFromUrl() {
    const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token');
    if (!fromUrl) return false;
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    history.replaceState(null, '', location.pathname + location.search);
    return true;
  }

  function init() {
    $('refresh').addEventListener('click', () => refreshAll(current ? current.id : null));
    $('search').addEventListener('submit', (e) => {
      e.preventDefault();
      const type = $('search-type').value.trim();
      if (type) startSearch(type, $('search-prefix').value);
    });
    $('more').addEventListener('click', () => runSearch().catch((e) => notice(e.message, 'error')));
    $('diff-from').addEventListener('change', showDiff);
    $('diff-to').addEventListener('change', showDiff);
    $('chart-type').addEventListener('change', drawChart);
    const useToken = () => {
      const t = $('token').value.trim();
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      token = t;
      start();
    };
    $('token-go').addEventListener('click', useToken);
    $('token').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') useToken();
    });
    if (authMode === 'token') {
      takeTokenFromUrl();
      window.addEventListener('hashchange', () => {
        if (takeTokenFromUrl()) {
          token = sessionStorage.getItem(TOKEN_KEY);
          start();
        }
      });
      token = sessionStorage.getItem(TOKEN_KEY);
      if (!token) {
        showLogin();
        return;
      }
    }
    start();
  }

  init();
})();
