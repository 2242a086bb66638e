'use strict';
// REST API umw/v1 with application passwords: auth, event types, webhook CRUD, test delivery with a
// verified Standard Webhooks signature, deliveries, hostile input.
const crypto = require('crypto');

module.exports = (ctx) => {
  const { suite, h, receiver } = ctx;
  const R = '/wp-json/umw/v1';
  const created = [];

  suite.test('REST: anonymous request is refused (401)', async () => {
    ctx.needExtension();
    const r = await ctx.anonRest.get(`${R}/webhooks`);
    h.eq(r.status, 401, 'anonymous GET /webhooks ' + h.snippet(r.text, 200));
  });

  suite.test('REST: editor1 (site admin, not super admin) is refused (403)', async () => {
    ctx.needExtension();
    for (const [m, p, o] of [['GET', `${R}/webhooks`], ['GET', `${R}/event-types`], ['POST', `${R}/webhooks`, { json: { name: 'x', url: receiver.url + '/x' } }], ['GET', `${R}/deliveries`]]) {
      const r = await ctx.editorRest.request(m, p, o);
      h.eq(r.status, 403, `editor1 ${m} ${p} ` + h.snippet(r.text, 200));
    }
  });

  suite.test('REST: GET /event-types lists payment_received with a sample', async () => {
    ctx.needExtension();
    const r = await ctx.adminRest.get(`${R}/event-types`);
    h.eq(r.status, 200, 'status ' + h.snippet(r.text, 300));
    const list = r.json();
    h.assert(Array.isArray(list) && list.length > 0, 'non-empty list');
    const pr = list.find((t) => t.name === 'payment_received');
    h.assert(pr, 'payment_received present in ' + list.map((t) => t.name).join(','));
    h.assert(typeof pr.label === 'string' && pr.label.length, 'label');
    h.assert(pr.sample && typeof pr.sample === 'object', 'sample');
    const one = await ctx.adminRest.get(`${R}/event-types/payment_received`);
    h.eq(one.status, 200, 'GET /event-types/payment_received');
    h.eq(one.json().name, 'payment_received', 'name');
    const none = await ctx.adminRest.get(`${R}/event-types/no_such_event_xyz`);
    h.eq(none.status, 404, 'unknown event type');
  });

  suite.test('REST: create, read, list, update a webhook', async () => {
    ctx.needExtension();
    const name = `REST hook ${ctx.run}`;
    const r = await ctx.adminRest.post(`${R}/webhooks`, { json: { name, url: receiver.url + '/rest', events: ['payment_received'], headers: { 'X-Test': 'yes' } } });
    h.eq(r.status, 201, 'create ' + h.snippet(r.text, 300));
    const hook = r.json();
    h.assert(Number.isInteger(hook.id) && hook.id > 0, 'id');
    h.assert(/^whsec_/.test(hook.secret || ''), 'secret returned once on create');
    h.assert((r.headers.get('location') || '').includes(`/umw/v1/webhooks/${hook.id}`), 'Location header');
    h.eq(hook.name, name, 'name');
    h.eq(JSON.stringify(hook.events), '["payment_received"]', 'events');
    created.push(hook.id);
    ctx.restHook = hook;

    const g = await ctx.adminRest.get(`${R}/webhooks/${hook.id}`);
    h.eq(g.status, 200, 'get');
    h.eq(g.json().secret, undefined, 'secret not returned by GET');
    h.eq(g.json().url, receiver.url + '/rest', 'url');

    const l = await ctx.adminRest.get(`${R}/webhooks?per_page=100`);
    h.eq(l.status, 200, 'list');
    h.assert(l.json().some((w) => w.id === hook.id), 'listed');
    h.assert(l.json().every((w) => w.secret === undefined), 'no secrets in list');
    const f = await ctx.adminRest.get(`${R}/webhooks?event=payment_received&per_page=100`);
    h.assert(f.json().some((w) => w.id === hook.id), 'listed with event filter');

    const u = await ctx.adminRest.request('PATCH', `${R}/webhooks/${hook.id}`, { json: { name: name + ' (renamed)' } });
    h.eq(u.status, 200, 'update ' + h.snippet(u.text, 300));
    h.eq(u.json().name, name + ' (renamed)', 'renamed');
    h.eq(u.json().url, receiver.url + '/rest', 'url unchanged by partial update');
  });

  suite.test('REST: test delivery reaches the receiver, signed (Standard Webhooks), status 200 reported', async () => {
    ctx.needExtension();
    const hook = ctx.restHook;
    h.assert(hook, 'webhook from previous test');
    const before = receiver.requests.length;
    const r = await ctx.adminRest.post(`${R}/webhooks/${hook.id}/test`, { json: {} });
    h.eq(r.status, 200, 'test ' + h.snippet(r.text, 300));
    const res = r.json();
    h.eq(res.ok, true, 'ok (' + JSON.stringify(res).slice(0, 300) + ')');
    h.eq(res.status, 200, 'receiver status');
    h.assert(/^dlv_/.test(res.delivery_id || ''), 'delivery id');
    const req = await receiver.waitFor((q, i) => receiver.requests.indexOf(q) >= before && q.path === '/rest', 5000);
    h.eq(req.method, 'POST', 'method');
    h.eq((req.headers['content-type'] || '').split(';')[0], 'application/json', 'content-type');
    h.eq(req.headers['x-umw-event'], 'payment_received', 'x-umw-event');
    h.eq(req.headers['x-test'], 'yes', 'custom header');
    h.assert(/^umw\//.test(req.headers['user-agent'] || ''), 'user-agent umw/…');
    const body = JSON.parse(req.body);
    h.assert(body && typeof body === 'object', 'JSON body');
    // Standard Webhooks: base64(HMAC-SHA256(base64decode(secret minus whsec_), id.timestamp.body))
    const id = req.headers['webhook-id'], ts = req.headers['webhook-timestamp'], sig = req.headers['webhook-signature'] || '';
    h.assert(id && ts && sig, 'webhook-id/-timestamp/-signature headers');
    h.assert(Math.abs(Number(ts) - Date.now() / 1000) < 300, 'timestamp is now');
    const key = Buffer.from(hook.secret.slice('whsec_'.length), 'base64');
    const want = crypto.createHmac('sha256', key).update(`${id}.${ts}.${req.body}`).digest('base64');
    h.assert(sig.split(' ').some((s) => s === `v1,${want}`), `signature ${sig} verifies (want v1,${want})`);
  });

  suite.test('REST: deliveries list shows the test delivery', async () => {
    ctx.needExtension();
    const hook = ctx.restHook;
    const r = await ctx.adminRest.get(`${R}/deliveries?webhook_id=${hook.id}`);
    h.eq(r.status, 200, 'deliveries ' + h.snippet(r.text, 300));
    const list = r.json();
    h.assert(Array.isArray(list) && list.length >= 1, 'at least one delivery');
    const d = list[0];
    h.eq(d.webhook_id, hook.id, 'webhook_id');
    h.eq(d.status, 'delivered', 'status');
    h.eq(d.is_test, true, 'is_test');
    const one = await ctx.adminRest.get(`${R}/deliveries/${encodeURIComponent(d.id)}`);
    h.eq(one.status, 200, 'get delivery');
    h.eq(one.json().id, d.id, 'same delivery');
  });

  suite.test('REST: REST-Hooks style subscribe {url, event} answers 201; DELETE unsubscribes', async () => {
    ctx.needExtension();
    const r = await ctx.adminRest.post(`${R}/webhooks`, { json: { url: receiver.url + '/sub', event: 'payment_received' } });
    h.eq(r.status, 201, 'subscribe ' + h.snippet(r.text, 300));
    const id = r.json().id;
    const d = await ctx.adminRest.request('DELETE', `${R}/webhooks/${id}`);
    h.eq(d.status, 200, 'delete ' + h.snippet(d.text, 200));
    h.eq(d.json().deleted, true, 'deleted');
    const g = await ctx.adminRest.get(`${R}/webhooks/${id}`);
    h.eq(g.status, 404, 'gone');
    const again = await ctx.adminRest.request('DELETE', `${R}/webhooks/${id}`);
    h.eq(again.status, 404, 'second delete is 404');
  });

  suite.test('REST: hostile input rejected (javascript: URL, 100 KB header, bad event, oversized name)', async () => {
    ctx.needExtension();
    const total = async () => Number((await ctx.adminRest.get(`${R}/webhooks?per_page=1`)).headers.get('x-wp-total'));
    const before = await total();
    const cases = [
      ['javascript: URL', { name: 'js', url: 'javascript:alert(1)' }],
      ['data: URL', { name: 'data', url: 'data:text/html,<script>alert(1)</script>' }],
      ['ftp URL', { name: 'ftp', url: 'ftp://127.0.0.1/' }],
      ['100 KB header value', { name: 'big header', url: receiver.url + '/big', headers: { 'X-Big': 'a'.repeat(100 * 1024) } }],
      ['CRLF in header value', { name: 'crlf', url: receiver.url + '/crlf', headers: { 'X-Evil': 'a\r\nX-Injected: 1' } }],
      ['name > 191 chars', { name: 'n'.repeat(300), url: receiver.url + '/long' }],
      ['bad event name', { name: 'ev', url: receiver.url + '/ev', events: ['<script>'] }],
    ];
    for (const [what, body] of cases) {
      const r = await ctx.adminRest.post(`${R}/webhooks`, { json: body });
      if (r.status === 201) created.push(r.json().id);
      h.eq(r.status, 400, `${what}: ` + h.snippet(r.text, 300));
      h.eq(r.json().code, 'umw_invalid', `${what}: error code`);
    }
    const after = await total();
    h.eq(after, before, 'nothing was created');
  });

  suite.test('REST: unknown webhook id is 404, non-numeric id does not route', async () => {
    ctx.needExtension();
    h.eq((await ctx.adminRest.get(`${R}/webhooks/999999`)).status, 404, 'GET 999999');
    h.eq((await ctx.adminRest.post(`${R}/webhooks/999999/test`, { json: {} })).status, 404, 'test 999999');
    h.eq((await ctx.adminRest.get(`${R}/webhooks/abc`)).status, 404, 'GET abc');
  });

  suite.test('REST: cleanup (delete webhooks created here)', async () => {
    ctx.needExtension();
    for (const id of created) {
      const r = await ctx.adminRest.request('DELETE', `${R}/webhooks/${id}`);
      h.assert(r.status === 200 || r.status === 404, `delete ${id}: ${r.status}`);
    }
  });
};
