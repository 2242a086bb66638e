'use strict';
// Network admin screens over real HTTP with a cookie jar: render, add via form (PRG), edit, Send Test Event
// against the local receiver, deliveries, nonce and capability refusal, hostile input escaping/rejection.
// Contract (php/src/Admin/Admin.php docblock): pages umw-webhooks (&action=new|edit&id=N), umw-deliveries;
// admin-post.php actions umw_save_webhook (nonce umw_save_webhook; fields webhook_id, webhook_name, webhook_url,
// webhook_events[], webhook_active, webhook_format, webhook_headers), umw_test_webhook (nonce umw_test_webhook_{id};
// id, event, return), umw_delete_webhook (GET, nonce umw_delete_webhook_{id}); #umw-webhook-form, #umw-test-form,
// #umw-test-result, #umw-notices, #umw-secret.

module.exports = (ctx) => {
  const { suite, h, receiver, env } = ctx;
  const NET = '/wp-admin/network/admin.php';
  const LIST = `${NET}?page=umw-webhooks`;
  const NEW = `${LIST}&action=new`;
  const EDIT = (id) => `${LIST}&action=edit&id=${id}`;
  const DELIV = `${NET}?page=umw-deliveries`;
  const POST = '/wp-admin/admin-post.php';
  receiver.status = (rec) => (rec.path.startsWith('/fail') ? 500 : 200);
  const state = {};

  const count = async () => {
    const r = await ctx.adminRest.get('/wp-json/umw/v1/webhooks?per_page=1');
    h.eq(r.status, 200, 'REST list for counting');
    return Number(r.headers.get('x-wp-total'));
  };
  const okPage = (r, what) => {
    h.eq(r.status, 200, `${what}: HTTP status (${h.snippet(r.text, 300)})`);
    h.notContains(r.text, 'There has been a critical error', what);
    h.notContains(r.text, 'Fatal error', what);
  };
  const form = (html, id) => {
    const f = h.parseForms(html).find((x) => x.attrs.id === id);
    if (!f) throw new Error(`form #${id} not found`);
    return f;
  };
  const h1 = (html) => (html.match(/<h1\b[^>]*>([\s\S]*?)<\/h1>/i) || [])[1];
  const submitNew = async (fields, { follow = false } = {}) => {
    const page = await ctx.admin.get(NEW);
    okPage(page, 'new form');
    let data = h.formData(form(page.text, 'umw-webhook-form'));
    for (const [k, v] of Object.entries(fields)) data = h.setField(data, k, v);
    return ctx.admin.post(POST, { form: data, follow });
  };
  const idFromLocation = (loc) => { const m = /[?&]id=(\d+)/.exec(loc || ''); return m ? Number(m[1]) : null; };

  suite.test('admin: Webhooks list screen renders', async () => {
    ctx.needExtension();
    const r = await ctx.admin.get(LIST);
    okPage(r, 'list');
    h.contains(h1(r.text), 'Webhooks', 'h1');
    h.contains(h.decodeEntities(r.text), 'page=umw-webhooks&action=new', 'Add New link');
    h.contains(r.text, 'page=umw-deliveries', 'Deliveries link');
    h.contains(r.text, 'id="toplevel_page_umw-webhooks"', 'network admin menu entry');
  });

  suite.test('admin: Add New screen renders the form with events from the extension', async () => {
    ctx.needExtension();
    const r = await ctx.admin.get(NEW);
    okPage(r, 'new');
    h.contains(h1(r.text), 'Add New Webhook', 'h1');
    const f = form(r.text, 'umw-webhook-form');
    const names = new Set(f.fields.map((x) => x.name));
    for (const n of ['action', '_wpnonce', 'webhook_id', 'webhook_name', 'webhook_url', 'webhook_events[]', 'webhook_format', 'webhook_headers']) h.assert(names.has(n), `field ${n} (have ${[...names].join(',')})`);
    h.assert(f.fields.some((x) => x.name === 'webhook_events[]' && x.value === 'payment_received'), 'payment_received checkbox');
    h.contains(r.text, 'Payment Received', 'event label');
  });

  suite.test('admin: Deliveries screen renders', async () => {
    ctx.needExtension();
    const r = await ctx.admin.get(DELIV);
    okPage(r, 'deliveries');
    h.contains(h1(r.text) || '', 'Deliveries', 'h1');
  });

  suite.test('admin: adding a webhook via the form → PRG redirect, secret shown once, listed', async () => {
    ctx.needExtension();
    const before = await count();
    const name = `Form hook ${ctx.run}`;
    const r = await submitNew({ webhook_name: name, webhook_url: receiver.url + '/form', 'webhook_events[]': ['payment_received'] });
    h.eq(r.status, 302, 'POST answers with a redirect (' + h.snippet(r.text, 300) + ')');
    const id = idFromLocation(r.location);
    h.assert(id, `redirect to the edit screen with the id (${r.location})`);
    h.contains(r.location, 'page=umw-webhooks', 'redirect target');
    state.id = id; state.name = name;
    const e = await ctx.admin.get(r.location);
    okPage(e, 'edit after create');
    h.contains(e.text, 'Webhook created', 'success notice');
    const secret = (/<code id="umw-secret"[^>]*>([^<]+)</.exec(e.text) || [])[1];
    h.assert(/^whsec_/.test(secret || ''), 'secret shown after create');
    const again = await ctx.admin.get(EDIT(id));
    h.notContains(again.text, secret, 'secret is shown only once');
    h.eq(await count(), before + 1, 'one more webhook');
    const l = await ctx.admin.get(LIST);
    okPage(l, 'list');
    h.contains(l.text, name, 'listed by name');
    h.contains(h.decodeEntities(l.text), `action=edit&id=${id}`, 'edit link');
  });

  suite.test('admin: Edit screen renders with the saved values; saving changes works', async () => {
    ctx.needExtension();
    const r = await ctx.admin.get(EDIT(state.id));
    okPage(r, 'edit');
    h.contains(h1(r.text), 'Edit Webhook', 'h1');
    const f = form(r.text, 'umw-webhook-form');
    const val = (n) => (f.fields.find((x) => x.name === n) || {}).value;
    h.eq(val('webhook_name'), state.name, 'name');
    h.eq(val('webhook_url'), receiver.url + '/form', 'url');
    h.eq(Number(val('webhook_id')), state.id, 'id');
    const checked = f.fields.filter((x) => x.name === 'webhook_events[]' && x.checked).map((x) => x.value);
    h.eq(JSON.stringify(checked), '["payment_received"]', 'checked events');
    h.assert(form(r.text, 'umw-test-form'), 'Send Test Event form');
    let data = h.setField(h.formData(f), 'webhook_headers', 'X-From-Form: yes');
    const s = await ctx.admin.post(POST, { form: data, follow: false });
    h.eq(s.status, 302, 'save redirect');
    const e = await ctx.admin.get(s.location);
    h.contains(e.text, 'Webhook updated', 'updated notice');
    const g = (await ctx.adminRest.get(`/wp-json/umw/v1/webhooks/${state.id}`)).json();
    h.eq(g.headers && (g.headers['X-From-Form'] ?? g.headers['x-from-form']), '••••••', 'header saved, its value masked on read');
    const again = form((await ctx.admin.get(EDIT(state.id))).text, 'umw-webhook-form');
    h.eq(again.fields.find((x) => x.name === 'webhook_headers').value, 'X-From-Form: ••••••', 'edit form shows the header masked');
  });

  suite.test('admin: Send Test Event shows "Delivered — HTTP 200" and the receiver got the sample payload', async () => {
    ctx.needExtension();
    const r = await ctx.admin.get(EDIT(state.id));
    const data = h.formData(form(r.text, 'umw-test-form'));
    const before = receiver.requests.length;
    const t = await ctx.admin.post(POST, { form: data, follow: false });
    h.eq(t.status, 302, 'test redirect ' + h.snippet(t.text, 300));
    const e = await ctx.admin.get(t.location);
    okPage(e, 'edit after test');
    const box = (/<div id="umw-test-result"[\s\S]*?<\/div>/.exec(e.text) || [])[0];
    h.assert(box, 'test result box');
    h.contains(box, 'notice-success', 'success style');
    h.contains(h.textOf(box), 'HTTP 200', 'HTTP status shown');
    const got = await receiver.waitFor((q) => receiver.requests.indexOf(q) >= before && q.path === '/form', 5000);
    h.eq(got.method, 'POST', 'method');
    h.eq(got.headers['x-umw-event'], 'payment_received', 'event header');
    h.eq(got.headers['x-from-form'], 'yes', 'extra header sent');
    const sample = (await ctx.adminRest.get('/wp-json/umw/v1/event-types/payment_received')).json().sample;
    h.eq(JSON.stringify(JSON.parse(got.body)), JSON.stringify(sample), 'body is the payment_received sample payload');
    state.testDelivery = (/dlv_[A-Za-z0-9]+/.exec(box) || [])[0];
    h.assert(state.testDelivery, 'delivery id shown');
  });

  suite.test('admin: a failing receiver (HTTP 500) is shown as a failure', async () => {
    ctx.needExtension();
    const c = await ctx.adminRest.post('/wp-json/umw/v1/webhooks', { json: { name: `fail ${ctx.run}`, url: receiver.url + '/fail', events: ['payment_received'] } });
    h.eq(c.status, 201, 'create');
    state.failId = c.json().id;
    const r = await ctx.admin.get(EDIT(state.failId));
    const t = await ctx.admin.post(POST, { form: h.formData(form(r.text, 'umw-test-form')), follow: false });
    const e = await ctx.admin.get(t.location);
    const box = (/<div id="umw-test-result"[\s\S]*?<\/div>/.exec(e.text) || [])[0] || '';
    h.contains(box, 'notice-error', 'error style');
    h.contains(h.textOf(box), 'HTTP 500', 'status 500 shown');
  });

  suite.test('admin: Deliveries screen lists the test delivery; its detail page renders', async () => {
    ctx.needExtension();
    const r = await ctx.admin.get(`${DELIV}&webhook_id=${state.id}`);
    okPage(r, 'deliveries filtered');
    h.contains(r.text, state.testDelivery, 'delivery id listed');
    const d = await ctx.admin.get(`${DELIV}&delivery=${state.testDelivery}`);
    okPage(d, 'delivery detail');
    h.contains(d.text, state.testDelivery, 'detail shows the id');
    h.contains(h.textOf(d.text), '200', 'attempt status code');
  });

  suite.test('admin: actions without a valid nonce are refused (save, test, delete)', async () => {
    ctx.needExtension();
    const before = await count();
    const page = await ctx.admin.get(NEW);
    const data = h.formData(form(page.text, 'umw-webhook-form'))
      .filter(([k]) => k !== '_wpnonce' && k !== '_wp_http_referer')
      .concat([]);
    const d2 = h.setField(h.setField(data, 'webhook_name', 'no nonce'), 'webhook_url', receiver.url + '/nononce');
    const r = await ctx.admin.post(POST, { form: d2, follow: false });
    h.eq(r.status, 403, 'save without nonce');
    const bad = h.setField(d2, '_wpnonce', 'deadbeef00');
    const r2 = await ctx.admin.post(POST, { form: bad, follow: false });
    h.eq(r2.status, 403, 'save with a wrong nonce');
    h.eq(await count(), before, 'nothing created');
    const before2 = receiver.requests.length;
    const t = await ctx.admin.post(POST, { form: { action: 'umw_test_webhook', id: state.id, return: 'edit' }, follow: false });
    h.eq(t.status, 403, 'test without nonce');
    await new Promise((res) => setTimeout(res, 300));
    h.eq(receiver.requests.length, before2, 'no test request sent');
    const del = await ctx.admin.get(`${POST}?action=umw_delete_webhook&id=${state.id}`, { follow: false });
    h.eq(del.status, 403, 'delete without nonce');
    h.eq((await ctx.adminRest.get(`/wp-json/umw/v1/webhooks/${state.id}`)).status, 200, 'still exists');
  });

  suite.test('admin: editor1 (site admin, not super admin) is refused everywhere', async () => {
    ctx.needExtension();
    for (const p of [LIST, NEW, EDIT(state.id), DELIV]) {
      const r = await ctx.editor.get(p, { follow: false });
      h.assert(r.status === 403 || (r.status === 302 && !/umw-/.test(r.location || '')), `editor GET ${p}: ${r.status} ${r.location || ''}`);
      h.notContains(r.text, state.name, `editor GET ${p} leaks nothing`);
    }
    const site = await ctx.editor.get('/wp-admin/admin.php?page=umw-webhooks', { follow: false });
    h.assert(site.status === 403 || site.status === 302, `site admin page: ${site.status}`);
    const before = await count();
    const s = await ctx.editor.post(POST, { form: { action: 'umw_save_webhook', _wpnonce: 'x', webhook_id: 0, webhook_name: 'editor', webhook_url: receiver.url + '/editor', 'webhook_events[]': ['*'] }, follow: false });
    h.eq(s.status, 403, 'editor save');
    h.contains(s.text, 'not allowed', 'capability message (not just a nonce failure)');
    h.eq(await count(), before, 'nothing created');
    const d = await ctx.editor.get(`${POST}?action=umw_delete_webhook&id=${state.id}&_wpnonce=x`, { follow: false });
    h.eq(d.status, 403, 'editor delete');
    const t = await ctx.editor.post(POST, { form: { action: 'umw_test_webhook', id: state.id, _wpnonce: 'x' }, follow: false });
    h.eq(t.status, 403, 'editor test');
    h.eq((await ctx.adminRest.get(`/wp-json/umw/v1/webhooks/${state.id}`)).status, 200, 'still exists');
  });

  suite.test('admin: script tag in the name is escaped in the list and the edit form', async () => {
    ctx.needExtension();
    const name = `<script>alert("umw-xss-${ctx.run}")</script><img src=x onerror=alert(2)>`;
    const r = await submitNew({ webhook_name: name, webhook_url: receiver.url + '/xss', 'webhook_events[]': ['payment_received'] });
    h.eq(r.status, 302, 'redirect');
    const id = idFromLocation(r.location);
    state.xssId = id;
    if (id) {
      const e = await ctx.admin.get(r.location);
      h.notContains(e.text, `<script>alert("umw-xss-${ctx.run}")`, 'edit screen');
      h.notContains(e.text, '<img src=x onerror', 'edit screen');
    }
    const l = await ctx.admin.get(LIST);
    okPage(l, 'list');
    h.notContains(l.text, `<script>alert("umw-xss-${ctx.run}")`, 'list');
    h.notContains(l.text, '<img src=x onerror', 'list');
    if (id) h.contains(l.text, `&lt;script&gt;alert(`, 'name shown escaped in the list');
  });

  suite.test('admin: javascript: URL and a 100 KB header value are rejected with an error notice', async () => {
    ctx.needExtension();
    const before = await count();
    const r = await submitNew({ webhook_name: 'js url', webhook_url: 'javascript:alert(1)', 'webhook_events[]': ['payment_received'] });
    h.eq(r.status, 302, 'redirect back');
    h.contains(r.location, 'action=new', 'back to the form');
    const e = await ctx.admin.get(r.location);
    h.assert(/<div class="notice notice-error/.test(e.text), 'error notice');
    h.notContains(e.text, 'href="javascript:alert(1)"', 'no javascript: link rendered');
    const big = await submitNew({ webhook_name: 'big header', webhook_url: receiver.url + '/big', 'webhook_events[]': ['payment_received'], webhook_headers: 'X-Big: ' + 'a'.repeat(100 * 1024) });
    h.eq(big.status, 302, 'redirect back');
    h.contains(big.location, 'action=new', 'back to the form');
    const e2 = await ctx.admin.get(big.location);
    h.assert(/<div class="notice notice-error/.test(e2.text), 'error notice for big header');
    h.eq(await count(), before, 'nothing created');
  });

  suite.test('admin: row action Delete (with its nonce) deletes; cleanup', async () => {
    ctx.needExtension();
    const l = await ctx.admin.get(LIST);
    const re = new RegExp(`href="([^"]*action=umw_delete_webhook[^"]*id=${state.id}[^"]*)"`);
    const m = re.exec(l.text) || new RegExp(`href="([^"]*id=${state.id}[^"]*action=umw_delete_webhook[^"]*)"`).exec(l.text);
    h.assert(m, 'delete link in the list');
    const d = await ctx.admin.get(h.decodeEntities(m[1]), { follow: false });
    h.eq(d.status, 302, 'delete redirect');
    const after = await ctx.admin.get(d.location);
    h.contains(after.text, 'deleted', 'deleted notice');
    h.eq((await ctx.adminRest.get(`/wp-json/umw/v1/webhooks/${state.id}`)).status, 404, 'gone');
    for (const id of [state.failId, state.xssId].filter(Boolean)) await ctx.adminRest.request('DELETE', `/wp-json/umw/v1/webhooks/${id}`);
  });
};
