// The `openwhisk` npm client's own integration suite (apache/openwhisk-client-js `test/integration/*.test.js`,
// vendored unmodified under test/openwhisk-client/, see its README) against the real stack, with the client
// version package.json pins. The files are ava tests: `require('ava')` and `require('jszip')` in them load
// test/support/ava-adapter.ts and jszip-adapter.ts, and `require('../../lib/<x>.js')` the installed client's
// lib/<x>.js, as they would inside the client's repository. Their environment is what their README asks for
// (`__OW_API_HOST`, `__OW_API_KEY`, `__OW_NAMESPACE`), for a fresh namespace of the test stack.
import { createRequire, registerHooks } from 'node:module';
import { collectTests, runTest, type AvaTest } from '../support/ava-adapter.ts';
import { apiHost } from '../../deploy/local/stack.ts';
import { freshName, namedNamespace } from '../support/platform.ts';
import { TEST_LAYOUT } from '../support/stack.ts';

const SUITE = new URL('../openwhisk-client/test/integration/', import.meta.url);

/** Every file of the suite, each run whole. */
const FILES = ['actions', 'activations', 'feeds', 'namespaces', 'packages', 'rules', 'triggers'];

/** Files that need what the platform does not have yet; shown as pending, with the reason. */
const AWAITING: Record<string, string> = {
  routes: "needs OpenWhisk's API gateway (__OW_APIGW_TOKEN), which Isowhisk does not provide",
};

const ENV = ['__OW_API_HOST', '__OW_API_KEY', '__OW_NAMESPACE'] as const;
type SuiteEnv = Record<(typeof ENV)[number], string>;

/** Sets the suite's variables; returns how to put the previous ones back. */
function setEnv(values: SuiteEnv): () => void {
  const previous = ENV.map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

// Only for requests made by the suite's files: everything else resolves as usual.
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (!context.parentURL?.startsWith(SUITE.href)) return nextResolve(specifier, context);
    if (specifier === 'ava') return { url: new URL('../support/ava-adapter.ts', import.meta.url).href, shortCircuit: true };
    if (specifier === 'jszip') return { url: new URL('../support/jszip-adapter.ts', import.meta.url).href, shortCircuit: true };
    const lib = /^\.\.\/\.\.\/lib\/([a-z_]+\.js)$/.exec(specifier);
    if (lib) return nextResolve(`openwhisk/lib/${lib[1]}`, context);
    return nextResolve(specifier, context);
  },
});

// The files read their variables as they load, the namespace's name included, but the namespace and its key are
// made in `before`, once the stack runs: they load with its name and the stack's API host, and a stand-in key,
// which the tests never see (they read the key when they make their clients, after `before`).
const NAMESPACE = freshName('owclient');
const require = createRequire(SUITE);
const suites: Array<[string, AvaTest[]]> = (() => {
  const restore = setEnv({ __OW_API_HOST: apiHost(TEST_LAYOUT), __OW_API_KEY: 'not:made-yet', __OW_NAMESPACE: NAMESPACE });
  try {
    return FILES.map((file) => [file, collectTests(() => require(`./${file}.test.js`))]);
  } finally {
    restore();
  }
})();

describe('openwhisk client integration suite (real stack)', function () {
  this.timeout(120_000);
  let restore: (() => void) | undefined;

  before(async () => {
    const ns = await namedNamespace(NAMESPACE);
    restore = setEnv({ __OW_API_HOST: ns.apiHost, __OW_API_KEY: ns.apiKey, __OW_NAMESPACE: ns.name });
  });
  after(() => restore?.());

  for (const [file, tests] of suites) {
    describe(`${file}.test.js`, () => {
      for (const test of tests) (test.skip ? it.skip : it)(test.title, () => runTest(test));
    });
  }
  for (const [file, reason] of Object.entries(AWAITING)) it.skip(`${file}.test.js: ${reason}`);
});
