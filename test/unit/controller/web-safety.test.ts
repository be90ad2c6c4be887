// What a web action may see of its callers and say to them: credentials withheld, secrets compared exactly, no
// challenge in the platform's realm (controller/web/web-auth.ts, controller/web/platform-realm.ts).
import assert from 'node:assert/strict';
import { AuthenticationError } from '../../../shared/errors.ts';
import { claimsPlatformRealm, withoutPlatformChallenge } from '../../../controller/web/platform-realm.ts';
import { checkWhiskAuth, headersForAction, isApiKeyAuthorization, secretMatches } from '../../../controller/web/web-auth.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
const KEY = `23bc46b1-71f6-4ed5-8c54-816aa4f8c502:${'k'.repeat(64)}`;

describe('web action safety', () => {
  it('recognises Basic credentials of the API key\'s form, valid or not', () => {
    assert.equal(isApiKeyAuthorization(basic(KEY)), true);
    assert.equal(isApiKeyAuthorization(`basic  ${Buffer.from(KEY).toString('base64')}`), true);
    assert.equal(isApiKeyAuthorization(basic(`anything:${'x'.repeat(64)}`)), true);
    for (const other of [basic('alice:secret'), basic(`${KEY}x`), 'Bearer abc', undefined]) assert.equal(isApiKeyAuthorization(other), false, String(other));
  });

  it('hands the action every header but API-key credentials and the secret', () => {
    assert.deepEqual(headersForAction({ authorization: basic(KEY), 'x-require-whisk-auth': 's', accept: 'text/html' }), { accept: 'text/html' });
    assert.deepEqual(headersForAction({ authorization: 'Bearer t' }), { authorization: 'Bearer t' });
  });

  it('compares secrets exactly, whatever their lengths', () => {
    assert.equal(secretMatches('s3cret', 's3cret'), true);
    for (const wrong of ['s3cre', 's3crett', '', 'S3CRET']) assert.equal(secretMatches('s3cret', wrong), false, wrong);
  });

  it('require-whisk-auth: true needs credentials, a string or number its secret, other values deny', () => {
    const anonymous = { secret: undefined, authenticated: false };
    assert.doesNotThrow(() => checkWhiskAuth(undefined, anonymous));
    assert.doesNotThrow(() => checkWhiskAuth(false, anonymous));
    assert.throws(() => checkWhiskAuth(true, anonymous), AuthenticationError);
    assert.doesNotThrow(() => checkWhiskAuth(true, { secret: undefined, authenticated: true }));
    assert.doesNotThrow(() => checkWhiskAuth(42, { secret: '42', authenticated: false }));
    assert.throws(() => checkWhiskAuth('s', anonymous), AuthenticationError);
    assert.throws(() => checkWhiskAuth({ s: 1 }, { secret: '[object Object]', authenticated: true }), AuthenticationError);
  });

  it('finds the platform\'s realm in any case, spacing or quoting, among other challenges', () => {
    assert.equal(claimsPlatformRealm('Basic realm="OpenWhisk secure realm"'), true);
    assert.equal(claimsPlatformRealm('basic REALM = "openwhisk   Secure realm", charset="UTF-8"'), true);
    assert.equal(claimsPlatformRealm('Bearer realm="mine", Basic realm="OpenWhisk secure realm"'), true);
    assert.equal(claimsPlatformRealm('Basic realm="OpenWhisk secure realm for my app"'), false);
    assert.equal(claimsPlatformRealm('Basic realm="My app"'), false);
    assert.deepEqual(
      withoutPlatformChallenge({ 'www-authenticate': ['Basic realm="OpenWhisk secure realm"', 'Basic realm="mine"'], 'x-other': 'kept' }),
      { 'www-authenticate': ['Basic realm="mine"'], 'x-other': 'kept' },
    );
    assert.deepEqual(withoutPlatformChallenge({ 'WWW-Authenticate': 'Basic realm="OpenWhisk secure realm"' }), {});
  });
});
