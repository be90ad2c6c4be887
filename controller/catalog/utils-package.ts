// `/whisk.system/utils`: OpenWhisk's building blocks that format and assemble data (apache/openwhisk-catalog,
// `packages/utils/manifest.yaml`), published so every namespace can read, bind, sequence and invoke them. The
// actions' code is OpenWhisk's, unchanged, in ./utils/*.js (catalog commit a0d026fc0343696a313a2de9b4247f57d1ed66c9);
// the package and action annotations below are the manifest's, so `wsk action get` and `wsk package get` show
// what OpenWhisk shows.
import { readFileSync } from 'node:fs';
import { SYSTEM_NAMESPACE, type SystemPackage } from './system-package.ts';

export const UTILS_PACKAGE = 'utils';

/** One action of the manifest: its annotations, each present only when the manifest gives it. */
interface UtilsAction {
  name: string;
  description: string;
  parameters?: Array<Record<string, unknown>>;
  sampleInput?: unknown;
  sampleOutput: unknown;
}

const ACTIONS: readonly UtilsAction[] = [
  {
    name: 'echo',
    description: 'Returns the input',
    parameters: [{ name: 'payload', required: false, description: 'Any JSON entity' }],
    sampleInput: { payload: 'Five fuzzy felines' },
    sampleOutput: { payload: 'Five fuzzy felines' },
  },
  {
    name: 'cat',
    description: 'Concatenates input into a string',
    parameters: [{ name: 'lines', required: true, type: 'array', description: 'An array of strings or numbers' }],
    sampleInput: { lines: [4, 2, 3] },
    sampleOutput: { lines: [4, 2, 3] },
  },
  {
    name: 'smash',
    description: 'Nests all properties under given property',
    parameters: [{ name: '$fieldName', required: true, type: 'string', description: 'Name of property to nest object under' }],
    sampleInput: { a: 1, b: { c: 2, d: 3 }, $fieldName: 'p' },
    sampleOutput: { p: { a: 1, b: { c: 2, d: 3 } } },
  },
  {
    name: 'split',
    description: 'Split a string into an array',
    parameters: [
      { name: 'payload', required: true, description: 'A string' },
      { name: 'separator', required: false, description: 'The character, or the regular expression, to use for splitting the string' },
    ],
    sampleInput: { payload: 'one,two,three', separator: ',' },
    sampleOutput: { lines: ['one', 'two', 'three'], payload: 'one,two,three' },
  },
  {
    name: 'sort',
    description: 'Sorts an array',
    parameters: [{ name: 'lines', required: true, type: 'array', description: 'An array of strings' }],
    sampleInput: { lines: [4, 2, 3] },
    sampleOutput: { lines: [2, 3, 4], length: 3 },
  },
  {
    name: 'head',
    description: 'Extract prefix of an array',
    parameters: [
      { name: 'lines', required: true, type: 'array', description: 'An array of strings' },
      { name: 'num', required: false, type: 'integer', description: 'The length of the prefix' },
    ],
    sampleInput: { lines: [4, 2, 3], num: 2 },
    sampleOutput: { lines: [4, 2], num: 2 },
  },
  {
    name: 'date',
    description: 'Current date and time',
    sampleOutput: { date: '2016-03-22T00:59:55.961Z' },
  },
  {
    name: 'namespace',
    description: 'Returns namespace for the authorization key used to invoke this action',
    sampleOutput: { namespace: 'guest' },
  },
  {
    name: 'hosturl',
    description: 'Returns the URL to activate an action or trigger',
    parameters: [
      { name: 'web', type: 'boolean', description: 'True for web actions' },
      { name: 'ext', type: 'string', description: 'Extension for web action, one of .html, .http, .json, .text' },
      { name: 'trigger', type: 'boolean', description: 'True to construct path for trigger instead of action.' },
      { name: 'path', type: 'string', description: 'The action name as just <action name> or <package name>/<action name>.' },
    ],
    sampleInput: { web: true, path: 'utils/echo' },
    sampleOutput: { url: 'https://openwhisk.ng.bluemix.net/api/v1/experimental/web/guest/utils/echo.json' },
  },
];

/** The names of the package's actions, in the manifest's order. */
export const UTILS_ACTIONS: readonly string[] = ACTIONS.map((a) => a.name);

const source = (name: string): string => readFileSync(new URL(`./utils/${name}.js`, import.meta.url), 'utf8');

/** The package as it is installed: the manifest's version (0.0.1), public, each action as plain JavaScript. */
export function utilsPackage(): SystemPackage {
  return {
    namespace: SYSTEM_NAMESPACE,
    name: UTILS_PACKAGE,
    version: '0.0.1',
    publish: true,
    annotations: [{ key: 'description', value: 'Building blocks that format and assemble data' }],
    actions: ACTIONS.map(({ name, description, parameters, sampleInput, sampleOutput }) => ({
      name,
      code: source(name),
      annotations: [
        { key: 'description', value: description },
        ...(parameters ? [{ key: 'parameters', value: parameters }] : []),
        ...(sampleInput !== undefined ? [{ key: 'sampleInput', value: sampleInput }] : []),
        { key: 'sampleOutput', value: sampleOutput },
      ],
    })),
  };
}
