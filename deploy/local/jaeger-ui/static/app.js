// The trace viewer's pages, drawn from Jaeger's query API on the same origin. Jaeger serves index.html for every
// path, so this routes on location.pathname: / and /search list recent traces, /trace/<id> shows one trace.
// Navigation is plain links and GET forms (full page loads): no client-side history to get wrong.
import {
  apiErrorMessage, formatDuration, formatValue, parseTraceId, serviceChoice, traceList, traceView,
} from './trace-model.js';

const main = /** @type {HTMLElement} */ (document.getElementById('main'));

/** Creates an element; string children become text nodes, so API data is never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'style') for (const [k, v] of Object.entries(value)) el.style.setProperty(k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), v);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GETs an API path and returns its JSON; throws ApiError with Jaeger's message on any failure. */
async function api(path) {
  let res;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new ApiError(0, `Jaeger did not answer (${error.message}); is the stack running?`);
  }
  const text = await res.text();
  let body = text;
  try { body = JSON.parse(text); } catch { /* not JSON: report the text */ }
  if (!res.ok) throw new ApiError(res.status, apiErrorMessage(res.status, body));
  return body;
}

/** A stable colour per service name (a hue from its hash), so a service looks the same on every page. */
function serviceColor(name) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `hsl(${(hash * 137) % 360} 55% 45%)`;
}

const serviceChip = (name) => h('span', { class: 'service', style: { '--service': serviceColor(name) } }, name);

function show(...content) {
  main.replaceChildren(...content);
}

function message(kind, title, ...detail) {
  return h('div', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('strong', {}, title), ...detail);
}

const time = (us) => new Date(us / 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });

// ----------------------------------------------------------------------------------------------------------------
// Search: the recent traces of one service

async function searchPage(params) {
  document.title = 'Traces · Isowhisk';
  show(message('info', 'Loading services…'));
  const { services, selected } = serviceChoice(await api('/api/services'), params.get('service'));
  if (!selected) {
    show(message('info', 'No traces yet.', ' Invoke an action (e.g. ', h('code', {}, 'wsk action invoke hello'), ') and reload.'));
    return;
  }
  const form = h('form', { class: 'services', method: 'get', action: '/search' },
    h('label', { for: 'service' }, 'Service'),
    h('select', { id: 'service', name: 'service', onchange: () => form.requestSubmit() },
      services.map((s) => h('option', { value: s, selected: s === selected }, s))),
    h('button', { type: 'submit' }, 'Show'));
  show(form, message('info', `Loading traces of ${selected}…`));

  const query = new URLSearchParams({ service: selected, limit: '20', lookback: '1h' });
  const traces = traceList(await api(`/api/traces?${query}`));
  if (traces.length === 0) {
    show(form, message('info', `No traces of ${selected} in the last hour.`));
    return;
  }
  const rows = traces.map((t) => h('tr', {},
    h('td', {}, h('a', { href: `/trace/${t.traceID}` }, t.rootOperation), t.errorCount ? h('span', { class: 'badge error' }, `${t.errorCount} error${t.errorCount > 1 ? 's' : ''}`) : ''),
    h('td', {}, t.services.map(serviceChip)),
    h('td', { class: 'num' }, String(t.spanCount)),
    h('td', { class: 'num' }, formatDuration(t.duration)),
    h('td', {}, time(t.startTime))));
  show(form, h('table', { class: 'traces' },
    h('caption', {}, `${traces.length} most recent traces of ${selected} (last hour)`),
    h('thead', {}, h('tr', {}, ['Root span', 'Services', 'Spans', 'Duration', 'Started'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows)));
}

// ----------------------------------------------------------------------------------------------------------------
// Trace: one row per span on a shared timeline; a row's button opens its details

function keyValues(list) {
  if (!list.length) return h('p', { class: 'none' }, 'none');
  return h('table', { class: 'kv' }, h('tbody', {}, list.map((t) => h('tr', {}, h('th', { scope: 'row' }, t.key), h('td', {}, formatValue(t.value))))));
}

function spanDetails(row, id) {
  return h('div', { class: 'details', id },
    h('h3', {}, 'Tags'), keyValues(row.tags),
    h('h3', {}, `Process: ${row.process.serviceName}`), keyValues(row.process.tags ?? []),
    h('h3', {}, 'Logs'),
    row.logs.length
      ? row.logs.map((log) => h('div', { class: 'log' }, h('div', { class: 'at' }, `at ${formatDuration(log.offset)}`), keyValues(log.fields)))
      : h('p', { class: 'none' }, 'none'),
    row.warnings.length ? [h('h3', {}, 'Warnings'), h('ul', {}, row.warnings.map((w) => h('li', {}, w)))] : '',
    h('p', { class: 'ids' }, `span ${row.spanID}`, row.parentID ? ` · parent ${row.parentID}` : ''));
}

function spanRow(row, index) {
  const detailsId = `span-${index}`;
  const item = h('li', { class: row.error ? 'span error' : 'span' });
  const toggle = h('button', {
    type: 'button', 'aria-expanded': 'false', 'aria-controls': detailsId,
    onclick: () => {
      const open = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', String(!open));
      if (open) item.querySelector('.details')?.remove();
      else item.append(spanDetails(row, detailsId));
    },
  },
  h('span', { class: 'name', style: { paddingLeft: `${row.depth * 1.1}rem` } }, row.error ? h('span', { class: 'badge error', title: 'error' }, '!') : '', row.operationName),
  serviceChip(row.service),
  h('span', { class: 'timeline', 'aria-hidden': 'true' },
    h('span', { class: 'bar', style: { left: `${row.left * 100}%`, width: `${row.width * 100}%`, background: serviceColor(row.service) } })),
  h('span', { class: 'num' }, formatDuration(row.duration)));
  item.append(toggle);
  return item;
}

async function tracePage(traceId) {
  document.title = `Trace ${traceId} · Isowhisk`;
  show(message('info', `Loading trace ${traceId}…`));
  let body;
  try {
    body = await api(`/api/traces/${encodeURIComponent(traceId)}`);
  } catch (error) {
    if (error.status !== 404) throw error;
    show(message('info', `Trace ${traceId} not found (yet).`,
      h('p', {}, 'Spans reach Jaeger a few seconds after an activation ends, and Jaeger keeps them in memory only (a restart forgets them).'),
      h('button', { type: 'button', onclick: () => tracePage(traceId) }, 'Try again')));
    return;
  }
  const trace = body.data?.[0];
  if (!trace) throw new ApiError(200, 'Jaeger answered without a trace');
  const view = traceView(trace);
  document.title = `${view.rootOperation} · Isowhisk`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', { style: { left: `${f * 100}%` } }, formatDuration(view.duration * f)));
  show(
    h('section', { class: 'summary' },
      h('h1', {}, view.rootOperation, ' ', h('span', { class: 'muted' }, view.rootService)),
      h('dl', {},
        h('dt', {}, 'Trace'), h('dd', {}, h('code', {}, view.traceID)),
        h('dt', {}, 'Started'), h('dd', {}, time(view.startTime)),
        h('dt', {}, 'Duration'), h('dd', {}, formatDuration(view.duration)),
        h('dt', {}, 'Spans'), h('dd', {}, String(view.spanCount), view.errorCount ? h('span', { class: 'badge error' }, `${view.errorCount} with errors`) : ''),
        h('dt', {}, 'Services'), h('dd', {}, view.services.map(serviceChip))),
      h('p', {}, h('a', { href: `/search?service=${encodeURIComponent(view.rootService)}` }, `← recent traces of ${view.rootService}`), ' · ',
        h('a', { href: `/api/traces/${view.traceID}` }, 'JSON'))),
    h('div', { class: 'spans-head', 'aria-hidden': 'true' },
      h('span', {}, 'Span'), h('span', {}, 'Service'), h('span', { class: 'timeline ticks' }, ticks), h('span', { class: 'num' }, 'Duration')),
    h('ol', { class: 'spans', 'aria-label': 'spans, parents before children' }, view.rows.map(spanRow)));
}

// ----------------------------------------------------------------------------------------------------------------
// Routing and the trace id box

function route() {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const trace = /^\/trace\/([^/]+)$/.exec(path);
  if (trace) return tracePage(decodeURIComponent(trace[1]));
  if (path === '/' || path === '/search') return searchPage(new URLSearchParams(location.search));
  show(message('info', 'No such page.', ' ', h('a', { href: '/search' }, 'Recent traces')));
  return undefined;
}

document.getElementById('goto')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (document.getElementById('goto-id'));
  const id = parseTraceId(input.value);
  if (id) {
    location.assign(`/trace/${id}`);
    return;
  }
  input.setCustomValidity('Not a trace id: paste up to 32 hex digits, a traceparent or a /trace/<id> link');
  input.reportValidity();
  input.addEventListener('input', () => input.setCustomValidity(''), { once: true });
});

Promise.resolve()
  .then(route)
  .catch((error) => show(message('error', 'Jaeger API error', h('p', {}, error.message))));
