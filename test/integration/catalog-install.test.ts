// Installing a catalog package (controller/catalog/system-package.ts) against the test Redis: a second install
// changes nothing, installs racing each other (controllers starting together) leave one document per entity and
// exactly one writer creates each, and an outdated document is replaced while the others keep their revisions.
// Each test installs `/whisk.system/utils` under a namespace of its own, so the platform's copy is left alone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ActionDoc } from '../../controller/entities/models/action.ts';
import { entityStore } from '../../controller/entities/entity-store.ts';
import { DEFAULT_LIMITS } from '../../controller/entities/models/limits.ts';
import type { PackageDoc } from '../../controller/entities/models/package.ts';
import { installCatalog } from '../../controller/catalog/catalog.ts';
import { type SystemPackage, SYSTEM_NAMESPACE, installSystemPackage } from '../../controller/catalog/system-package.ts';
import { UTILS_ACTIONS, UTILS_PACKAGE, utilsPackage } from '../../controller/catalog/utils-package.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { testRedis } from '../support/stack.ts';

const keys = redisKeys();
const paths = [UTILS_PACKAGE, ...UTILS_ACTIONS.map((a) => `${UTILS_PACKAGE}/${a}`)];

describe('catalog install (test Redis)', () => {
  let redis: Redis;
  let pkg: SystemPackage;
  const actions = () => entityStore<ActionDoc>(redis, keys, 'actions');
  const packages = () => entityStore<PackageDoc>(redis, keys, 'packages');
  /** Every entity's revision, by path. */
  const revisions = async (): Promise<Record<string, number | undefined>> => {
    const out: Record<string, number | undefined> = {};
    out[UTILS_PACKAGE] = (await packages().get(pkg.namespace, UTILS_PACKAGE))?.revision;
    for (const a of UTILS_ACTIONS) out[`${UTILS_PACKAGE}/${a}`] = (await actions().get(pkg.namespace, `${UTILS_PACKAGE}/${a}`))?.revision;
    return out;
  };

  before(async () => {
    redis = new Redis(await testRedis());
  });
  after(() => redis?.disconnect());
  beforeEach(() => {
    pkg = { ...utilsPackage(), namespace: `catalog-${randomBytes(4).toString('hex')}` };
  });

  it('creates the package and its nine actions, then keeps them as they are on the next install', async () => {
    const first = await installSystemPackage(redis, keys, pkg, DEFAULT_LIMITS);
    assert.deepEqual(first, Object.fromEntries(paths.map((p) => [p, 'created'])));
    const before = await revisions();
    assert.ok(Object.values(before).every((r) => typeof r === 'number'));

    const second = await installSystemPackage(redis, keys, pkg, DEFAULT_LIMITS);
    assert.deepEqual(second, Object.fromEntries(paths.map((p) => [p, 'kept'])));
    assert.deepEqual(await revisions(), before, 'no document was written again');

    const stored = await packages().get(pkg.namespace, UTILS_PACKAGE);
    assert.equal(stored?.publish, true);
    const listed = await actions().list(pkg.namespace, { pkg: UTILS_PACKAGE, skip: 0, limit: 100 });
    assert.deepEqual(listed.map((a) => a.name).sort(), [...UTILS_ACTIONS].sort());
    const echo = listed.find((a) => a.name === 'echo');
    assert.equal(echo?.namespace, `${pkg.namespace}/${UTILS_PACKAGE}`);
    assert.equal(echo?.exec.kind, 'nodejs:default');
    assert.match(echo?.exec.code ?? '', /function main\(params\) \{\s+return params \|\| \{\};/);
  });

  it('lets installs race (controllers starting together): one document per entity, each created exactly once', async () => {
    const connections = Array.from({ length: 4 }, () => new Redis(redis.options));
    try {
      const outcomes = await Promise.all(connections.map((c) => installSystemPackage(c, keys, pkg, DEFAULT_LIMITS)));
      for (const path of paths) {
        const seen = outcomes.map((o) => o[path]).sort();
        assert.deepEqual(seen, ['created', 'kept', 'kept', 'kept'], `${path}: ${seen.join(', ')}`);
      }
    } finally {
      for (const c of connections) c.disconnect();
    }
    const listed = await actions().list(pkg.namespace, { pkg: UTILS_PACKAGE, skip: 0, limit: 100 });
    assert.equal(listed.length, UTILS_ACTIONS.length);
    const again = await installSystemPackage(redis, keys, pkg, DEFAULT_LIMITS);
    assert.ok(Object.values(again).every((o) => o === 'kept'));
  });

  it('replaces an outdated action and leaves the others untouched', async () => {
    await installSystemPackage(redis, keys, pkg, DEFAULT_LIMITS);
    const stale = await actions().get(pkg.namespace, `${UTILS_PACKAGE}/sort`);
    assert.ok(stale);
    const { revision, ...content } = stale;
    await actions().put(pkg.namespace, `${UTILS_PACKAGE}/sort`, { ...content, exec: { ...content.exec, code: 'function main() { return {}; }' } }, revision);
    const before = await revisions();

    const outcome = await installSystemPackage(redis, keys, pkg, DEFAULT_LIMITS);
    assert.equal(outcome[`${UTILS_PACKAGE}/sort`], 'updated');
    assert.equal(Object.values(outcome).filter((o) => o !== 'kept').length, 1);
    const after = await revisions();
    for (const path of paths) {
      if (path === `${UTILS_PACKAGE}/sort`) assert.ok((after[path] ?? 0) > (before[path] ?? 0));
      else assert.equal(after[path], before[path], path);
    }
    const restored = await actions().get(pkg.namespace, `${UTILS_PACKAGE}/sort`);
    assert.match(restored?.exec.code ?? '', /lines\.sort\(\);/);
  });

  it('installs the catalog under whisk.system, where the platform looks for it', async () => {
    const outcome = await installCatalog(redis, keys, DEFAULT_LIMITS);
    assert.deepEqual(Object.keys(outcome).sort(), paths.map((p) => `${SYSTEM_NAMESPACE}/${p}`).sort());
    const again = await installCatalog(redis, keys, DEFAULT_LIMITS);
    assert.ok(Object.values(again).every((o) => o === 'kept'), JSON.stringify(again));
  });
});
