// The dashboard page: plain DOM, no framework, no build step. The token comes from the URL fragment
// (never sent to the server as part of a URL) and goes out only as an Authorization header. Journal
// text is put on the page with textContent only.
'use strict';

const TOKEN_KEY = 'mcp-dashboard-token';
const $ = (id) => document.getElementById(id);
let token = '';
let doc = null;
let selected = null;
let busy = false;

function readToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    token = decodeURIComponent(m[1]);
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch { /* storage off */ }
    history.replaceState(null, '', location.pathname + location.search);
  } else {
    try { token = sessionStorage.getItem(TOKEN_KEY) || ''; } catch { token = ''; }
  }
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, String(v));
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function fmtDuration(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

function stepDuration(s) {
  if (s.durationMs !== null && s.durationMs !== undefined) return fmtDuration(s.durationMs);
  if (s.status === 'running' && s.startTime) return fmtDuration(Date.now() - Date.parse(s.startTime)) + '…';
  return '';
}

function setConnection(state, text) {
  const c = $('connection');
  c.dataset.state = state;
  c.textContent = text;
}

function renderNone(msg) {
  doc = null;
  $('plan-name').textContent = msg.error || 'no migration';
  const b = $('run-status');
  b.textContent = 'no run';
  b.dataset.status = 'none';
  $('run-id').textContent = '—';
  $('phase-list').replaceChildren(el('p', { class: 'muted', text: msg.hint || '' }));
  updateButtons();
}

function render(d) {
  doc = d;
  $('plan-name').textContent = d.plan && d.plan.name ? d.plan.name : 'migration';
  const b = $('run-status');
  b.textContent = d.status;
  b.dataset.status = d.status;
  $('run-id').textContent = d.runId;
  $('current-version').textContent = d.currentVersion || '—';
  $('target-version').textContent = d.targetVersion || '—';
  $('run-times').textContent = d.startedAt ? `started ${new Date(d.startedAt).toLocaleTimeString()}${d.endedAt ? `, ended ${new Date(d.endedAt).toLocaleTimeString()}` : ''}` : '';
  const p = $('progress');
  p.dataset.done = String(d.stepsDone);
  p.dataset.total = String(d.stepsTotal);
  p.setAttribute('aria-valuenow', String(d.progress));
  $('progress-bar').style.width = `${d.progress}%`;
  $('progress-text').textContent = `${d.stepsDone} / ${d.stepsTotal} steps (${d.progress}%)`;
  const err = $('run-error');
  const problems = [d.error, d.rollback ? `rollback to ${d.rollback.stopAt ? `rollback point ${d.rollback.stopAt}` : d.rollback.to}: ${d.rollback.reason}${d.rollback.endedAt ? ' — done' : ' — in progress'}` : null].filter(Boolean);
  err.hidden = problems.length === 0;
  err.textContent = problems.join('\n');

  const byId = new Map(d.steps.map((s) => [s.id, s]));
  const phases = d.phases.map((ph) => {
    const steps = ph.steps.map((id) => byId.get(id)).filter(Boolean);
    // the phase's own times (steps and canary hold); its steps' when an older document has none
    const started = ph.startTime || steps.map((s) => s.startTime).filter(Boolean).sort()[0];
    const ended = ph.endTime || steps.map((s) => s.endTime).filter(Boolean).sort().pop();
    const phaseDur = started && ended && ph.status === 'done' ? fmtDuration(Date.parse(ended) - Date.parse(started)) : '';
    const meta = [ph.parallel ? 'parallel' : null, ph.canary ? `canary ${ph.canary.percentage}% for ${fmtDuration(ph.canary.durationMs)}` : null, phaseDur].filter(Boolean).join(' · ');
    return el('div', { class: 'phase', 'data-phase': ph.name, 'data-status': ph.status },
      el('div', { class: 'phase-head' }, el('span', { text: ph.name }), el('span', { class: 'badge', 'data-status': ph.status, text: ph.status }), el('span', { class: 'meta', text: meta })),
      el('ol', { class: 'steps' }, ...steps.map((s) => {
        const li = el('li', { 'data-step': s.id, 'data-status': s.status, class: s.id === selected ? 'selected' : undefined, title: s.kind },
          el('span', {}, el('span', { class: 'badge', 'data-status': s.status, text: s.status })),
          el('span', {}, el('span', { class: 'step-name', text: s.name }), s.rollbackPoint ? el('span', { class: 'rp', text: '⟲ rollback point' }) : null),
          el('span', { class: 'dur', 'data-duration': s.id, text: stepDuration(s) }),
          s.error ? el('span', { class: 'step-error', text: s.error }) : null);
        li.addEventListener('click', () => { selected = s.id; render(doc); });
        return li;
      })));
  });
  $('phase-list').replaceChildren(...phases);

  // canary: the newest measurement of each phase, each check against its threshold
  const last = new Map();
  for (const m of d.measurements) last.set(m.phase, m);
  const tables = [...last.values()].map((m) => el('div', { 'data-canary': m.phase },
    el('div', {}, el('strong', { text: `${m.phase}` }), ' ', el('span', { class: 'badge', 'data-status': m.verdict === 'ok' ? 'done' : 'failed', text: m.verdict }), ' ', el('span', { class: 'muted', text: new Date(m.t).toLocaleTimeString() })),
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', { text: 'metric' }), el('th', { text: 'measured' }), el('th', { text: 'rollback when' }), el('th', { text: 'verdict' }))),
      el('tbody', {}, ...m.checks.map((c) => el('tr', { 'data-metric': c.metric },
        el('td', { text: c.metric }),
        el('td', { text: c.value === null || c.value === undefined ? 'no data' : String(c.value), title: c.note || undefined }),
        el('td', { text: c.threshold }),
        el('td', { class: c.breached ? 'breached' : 'ok', text: c.breached ? 'breached' : 'ok' })))))));
  $('canary-list').replaceChildren(...(tables.length ? tables : [el('p', { class: 'muted', text: 'no canary measured yet' })]));

  const s = selected ? byId.get(selected) : null;
  $('logs-step').textContent = s ? `— ${s.name}` : '(select a step)';
  $('log-lines').textContent = s ? (s.logs.length ? s.logs.join('\n') : 'no log lines for this step yet') : '';
  updateButtons();
}

function updateButtons() {
  const st = doc ? doc.status : 'none';
  $('btn-pause').disabled = busy || st !== 'running';
  $('btn-resume').disabled = busy || !['paused', 'interrupted', 'failed', 'rolling-back'].includes(st);
  $('btn-rollback').disabled = busy || st === 'none' || st === 'rolled-back';
}

function tick() {
  if (!doc) return;
  for (const s of doc.steps) {
    if (s.status !== 'running') continue;
    const e = document.querySelector(`[data-duration="${CSS.escape(s.id)}"]`);
    if (e) e.textContent = stepDuration(s);
  }
}

async function act(action) {
  if (action === 'rollback' && !confirm('Roll back this migration? Completed steps are undone to the last rollback point (or the start).')) return;
  const out = $('action-status');
  busy = true;
  updateButtons();
  out.dataset.status = 'pending';
  out.textContent = `${action}: sending…`;
  try {
    const q = doc ? `?run=${encodeURIComponent(doc.runId)}` : '';
    const r = await fetch(`/migration/control/${action}${q}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit' });
    const body = await r.json().catch(() => ({}));
    out.dataset.status = body.status || (r.ok ? 'ok' : 'error');
    out.dataset.action = action;
    out.textContent = body.message || `${action}: ${body.error || `HTTP ${r.status}`}`;
  } catch (e) {
    out.dataset.status = 'error';
    out.textContent = `${action}: ${e.message}`;
  } finally {
    busy = false;
    updateButtons();
  }
}

async function stream() {
  for (;;) {
    try {
      setConnection('connecting', 'connecting…');
      const r = await fetch('/migration/events', { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, cache: 'no-store', credentials: 'omit' });
      if (r.status === 401) {
        setConnection('error', 'wrong or missing token');
        notice('The token is missing or wrong: open the URL printed by mcp dashboard (it ends in #token=…).');
        return;
      }
      if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
      setConnection('live', 'live');
      const reader = r.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let type = 'message';
          const data = [];
          for (const line of chunk.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (!data.length) continue;
          const msg = JSON.parse(data.join('\n'));
          if (type === 'status') render(msg.status);
          else if (type === 'none') renderNone(msg);
          else if (type === 'error') notice(`server: ${msg.error}`);
        }
      }
      setConnection('error', 'disconnected; retrying…');
    } catch (e) {
      setConnection('error', `disconnected (${e.message}); retrying…`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function notice(text) {
  const n = $('notice');
  n.hidden = false;
  n.textContent = text;
}

document.addEventListener('DOMContentLoaded', () => {
  readToken();
  $('btn-pause').addEventListener('click', () => act('pause'));
  $('btn-resume').addEventListener('click', () => act('resume'));
  $('btn-rollback').addEventListener('click', () => act('rollback'));
  updateButtons();
  setInterval(tick, 1000);
  if (!token) {
    setConnection('error', 'no token');
    notice('No token: open the URL printed by mcp dashboard (it ends in #token=…).');
    return;
  }
  stream();
});
