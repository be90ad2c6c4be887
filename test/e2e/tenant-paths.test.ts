// Tenant isolation, one path and one check: whatever spelling of a path a client sends (case, percent-encoding,
// doubled or trailing slashes, dot segments), authentication and the routers agree on it, so no request reaches a
// handler unauthenticated and none reaches another namespace's entities. Requests go out through node:http, which
// sends the path byte for byte (fetch would normalise dot segments first).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { bystanderServed, twoTenants, type Tenants } from '../support/tenants.ts';

interface Answer {
  status: number;
  body: string;
}

function send(apiHost: string, method: string, path: string, credentials?: string): Promise<Answer> {
  const { hostname, port } = new URL(apiHost);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credentials) headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(method === 'PUT' || method === 'POST' ? '{}' : undefined);
  });
}

/** Spellings of `path` that a lenient matcher might take for it. */
function variants(path: string): string[] {
  const rest = path.slice('/api/v1'.length);
  return [
    `/API/v1${rest}`,
    `/Api/V1${rest}`,
    `/api/V1${rest}`,
    path.toUpperCase(),
    `/api/v1${rest.replace('/namespaces/', '/NameSpaces/')}`,
    `//api/v1${rest}`,
    `/api//v1${rest}`,
    `/api/v1/${rest}`,
    `/api/v1/.${rest}`,
    `/api/v1/x/..${rest}`,
    `/%61pi/v1${rest}`,
    `/api%2Fv1${rest}`,
    `/api/v1${rest.replace(/\//g, '%2F')}`,
    `${path}/`,
    `${path};`,
    `${path}%00`,
  ];
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE'];

describe('tenant isolation: authentication sees the path the router matches (real stack)', function () {
  this.timeout(120_000);
  let t: Tenants;

  before(async function () {
    this.timeout(180_000);
    t = await twoTenants();
  });

  const resources = (ns: string): string[] => [
    `/api/v1/namespaces/${ns}/actions/echo`,
    `/api/v1/namespaces/${ns}/actions`,
    `/api/v1/namespaces/${ns}/activations`,
    `/api/v1/namespaces/${ns}/triggers/t`,
    `/api/v1/namespaces/${ns}/rules/r`,
    `/api/v1/namespaces/${ns}/packages/p`,
    `/api/v1/namespaces/${ns}/limits`,
    '/api/v1/namespaces',
  ];

  it('asks for credentials on the canonical paths', async () => {
    for (const path of resources(t.bystander.name)) {
      const answer = await send(t.bystander.apiHost, 'GET', path);
      assert.equal(answer.status, 401, `GET ${path} without credentials`);
    }
  });

  it('serves no spelling of a path without credentials, and none fails inside a handler', async () => {
    for (const path of resources(t.bystander.name)) {
      for (const variant of variants(path)) {
        for (const method of METHODS) {
          const answer = await send(t.bystander.apiHost, method, variant);
          assert.ok([400, 401, 404, 405].includes(answer.status), `${method} ${variant} without credentials answered ${answer.status}: ${answer.body}`);
        }
      }
    }
    await bystanderServed(t.bystander);
  });

  it("reaches no spelling of another namespace's paths with the attacker's key", async () => {
    const named = resources(t.bystander.name).filter((path) => path.includes(t.bystander.name));
    for (const path of named) {
      for (const variant of [path, ...variants(path)]) {
        for (const method of METHODS) {
          const answer = await send(t.bystander.apiHost, method, variant, t.attacker.apiKey);
          assert.ok(answer.status >= 400 && answer.status < 500, `${method} ${variant} as the attacker answered ${answer.status}: ${answer.body}`);
          assert.doesNotMatch(answer.body, /params\.word/, `${method} ${variant} leaked the bystander's code`);
        }
      }
    }
    await bystanderServed(t.bystander);
  });
});
