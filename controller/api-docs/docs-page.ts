// `GET /api/v1/docs`: the OpenAPI document (openapi.ts) as a plain HTML page to read in a browser. It is rendered
// here, on the server, with no script and nothing fetched from elsewhere (the page must work offline); the
// Content-Security-Policy the route sends allows the inline style and nothing else.

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const escape = (text: unknown): string =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Inline `code` spans of the descriptions, after escaping. */
const prose = (text: unknown): string => escape(text ?? '').replace(/`([^`]+)`/g, '<code>$1</code>');

const asRecord = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});

/** A schema in one short line: `#/components/schemas/Action` → `Action`, arrays as `Action[]`. */
function schemaText(schema: unknown): string {
  const s = asRecord(schema);
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop() ?? '';
    return `<a href="#schema-${escape(name)}">${escape(name)}</a>`;
  }
  if (s.type === 'array') return `${schemaText(s.items)}[]`;
  return escape(s.type ?? 'any');
}

function parameterRows(parameters: unknown): string {
  const list = Array.isArray(parameters) ? parameters.map(asRecord) : [];
  if (list.length === 0) return '';
  const rows = list.map((p) => `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${schemaText(p.schema)}</td><td>${prose(p.description)}</td></tr>`);
  return `<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>${rows.join('')}</table>`;
}

function responseRows(responses: unknown): string {
  const rows = Object.entries(asRecord(responses)).map(([status, r]) => {
    const response = asRecord(r);
    const content = asRecord(response.content);
    const types = Object.entries(content).map(([type, c]) => `${escape(type)} ${schemaText(asRecord(c).schema)}`);
    return `<tr><td>${escape(status)}</td><td>${prose(response.description)}</td><td>${types.join(', ')}</td></tr>`;
  });
  return `<table><tr><th>status</th><th></th><th>body</th></tr>${rows.join('')}</table>`;
}

function operationHtml(path: string, method: string, op: Json): string {
  const body = asRecord(op.requestBody);
  const bodyTypes = Object.entries(asRecord(body.content)).map(([type, c]) => `${escape(type)} ${schemaText(asRecord(c).schema)}`);
  const open = Array.isArray(op.security) && op.security.length === 0 ? ' <span class="open">no credentials</span>' : '';
  return [
    `<section id="${escape(op.operationId)}"><h3><span class="m ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code>${open}</h3>`,
    `<p>${prose(op.summary)}</p>`,
    parameterRows(op.parameters),
    bodyTypes.length > 0 ? `<p>Body: ${bodyTypes.join(', ')}${body.description ? ` — ${prose(body.description)}` : ''}</p>` : '',
    responseRows(op.responses),
    '</section>',
  ].join('\n');
}

function schemaHtml(name: string, schema: Json): string {
  const properties = Object.entries(asRecord(schema.properties));
  const rows = properties.map(([key, value]) => `<tr><td><code>${escape(key)}</code></td><td>${schemaText(value)}</td><td>${prose(asRecord(value).description)}</td></tr>`);
  return `<section id="schema-${escape(name)}"><h3>${escape(name)}</h3>${schema.description ? `<p>${prose(schema.description)}</p>` : ''}${rows.length > 0 ? `<table>${rows.join('')}</table>` : ''}</section>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
code{font-family:ui-monospace,monospace;background:#f3f3f3;padding:0 .2em}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}section{border-top:1px solid #eee;padding:.5rem 0}
.m{display:inline-block;min-width:4.5em;text-align:center;color:#fff;border-radius:3px;font-size:.8em;padding:.1em}
.get{background:#2b6cb0}.put{background:#b7791f}.post{background:#2f855a}.delete{background:#c53030}.open{font-size:.7em;color:#666}`;

/** The page for an OpenAPI document: operations grouped by tag, then the schemas. */
export function docsPage(document: Json, apiDocsPath: string): string {
  const info = asRecord(document.info);
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(asRecord(document.paths))) {
    for (const method of METHODS) {
      const op = asRecord(asRecord(item)[method]);
      if (Object.keys(op).length === 0) continue;
      const tag = Array.isArray(op.tags) && typeof op.tags[0] === 'string' ? op.tags[0] : 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(path, method, op)]);
    }
  }
  const groups = [...byTag].map(([tag, ops]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>\n${ops.join('\n')}`);
  const schemas = Object.entries(asRecord(asRecord(document.components).schemas)).map(([name, s]) => schemaHtml(name, asRecord(s)));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)}</title><style>${STYLE}</style></head>
<body><h1>${escape(info.title)} <small>${escape(info.version)}</small></h1>
<p>${prose(info.description)}</p>
<p>The OpenAPI ${escape(document.openapi)} document: <a href="${escape(apiDocsPath)}">${escape(apiDocsPath)}</a>.</p>
<nav>${[...byTag.keys()].map((tag) => `<a href="#tag-${escape(tag)}">${escape(tag)}</a>`).join(' · ')} · <a href="#schemas">schemas</a></nav>
${groups.join('\n')}
<h2 id="schemas">schemas</h2>
${schemas.join('\n')}
</body></html>
`;
}
