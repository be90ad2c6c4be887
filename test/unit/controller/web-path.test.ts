import assert from 'node:assert/strict';
import { parseWebPath } from '../../../controller/web/web-path.ts';

describe('web action paths', () => {
  it('reads namespace, package, action, extension and the rest of the path', () => {
    assert.deepEqual(parseWebPath('/api/v1/web/ns/default/hello'), { ref: { namespace: 'ns', name: 'hello' }, extension: 'http', rest: '' });
    assert.deepEqual(parseWebPath('/api/v1/web/ns/pkg/hello.json/a/b'), { ref: { namespace: 'ns', pkg: 'pkg', name: 'hello' }, extension: 'json', rest: '/a/b' });
    assert.deepEqual(parseWebPath('/api/v1/web/ns/default/hello.svg'), { ref: { namespace: 'ns', name: 'hello' }, extension: 'svg', rest: '' });
  });

  it('takes a name with an unknown extension whole, as OpenWhisk does', () => {
    assert.deepEqual(parseWebPath('/api/v1/web/ns/default/v1.2')?.ref, { namespace: 'ns', name: 'v1.2' });
    assert.equal(parseWebPath('/api/v1/web/ns/default/v1.2')?.extension, 'http');
  });

  it('decodes escaped segments and refuses what is not a name', () => {
    assert.deepEqual(parseWebPath('/api/v1/web/my%20ns/default/a%20b.text')?.ref, { namespace: 'my ns', name: 'a b' });
    for (const path of ['/api/v1/web/ns/default', '/api/v1/web/ns', '/api/v1/web/ns/default/%E0%A4%A', '/api/v1/web/ns/default/.json', '/api/v1/namespaces/x']) {
      assert.equal(parseWebPath(path), undefined, path);
    }
  });
});
