'use strict';
// More network-admin flows: rotate secret (form), resend a delivery (detail page form), bulk deactivate,
// search, envelope format.
const crypto = require('crypto');

module.exports = (ctx) => {
  const { suite, h, receiver } = ctx;
  const NET = '/wp-admin/network/admin.php';
  const POST = '/wp-admin/admin-post.php';
  const R = '/wp-json/umw/v1';
  const st = {};
  const form = (html, id) => {
    const f = h.parseForms(html).find((x) => x.attrs.id === id);
    if (!f) throw new Error(`form #${id} not found`);
    return f;
  };
  const verify = (req, secret) => {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const want = 'v1,' + crypto.createHmac('sha256', key).update(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.${req.body}`).digest('base64');
    return (req.headers['webhook-signature'] || '').split(' ').includes(want);
  };

  suite.test('admin+: setup a webhook (REST) and a test delivery', async () => {
    ctx.needExtension();
    const c = await ctx.adminRest.post(`${R}/webhooks`, { json: { name: `more ${ctx.run}`, url: receiver.url + '/more', events: ['payment_received'] } });
    h.eq(c.status, 201, 'create');
    st.hook = c.json();
    const t = await ctx.adminRest.post(`${R}/webhooks/${st.hook.id}/test`, { json: {} });
    h.eq(t.status, 200, 'test');
    h.eq(t.json().ok, true, 'test ok');
    st.dlv = t.json().delivery_id;
  });

  suite.test('admin+: Rotate secret form shows a new secret once; deliveries are signed with it', async () => {
    ctx.needExtension();
    const e = await ctx.admin.get(`${NET}?page=umw-webhooks&action=edit&id=${st.hook.id}`);
    const r = await ctx.admin.post(POST, { form: h.formData(form(e.text, 'umw-rotate-form')), follow: false });
    h.eq(r.status, 302, 'redirect ' + h.snippet(r.text, 200));
    const after = await ctx.admin.get(r.location);
    const secret = ((/<code id="umw-secret"[^>]*>([^<]+)</.exec(after.text) || [])[1] || '').trim();
    h.assert(/^whsec_/.test(secret), 'new secret shown');
    h.assert(secret !== st.hook.secret, 'secret changed');
    const before = receiver.requests.length;
    const t = await ctx.adminRest.post(`${R}/webhooks/${st.hook.id}/test`, { json: {} });
    h.eq(t.json().ok, true, 'test after rotation');
    const req = await receiver.waitFor((q) => receiver.requests.indexOf(q) >= before && q.path === '/more', 5000);
    h.assert(verify(req, secret), `signed with the new secret (${req.headers['webhook-signature']})`);
  });

  suite.test('admin+: delivery detail page → Resend queues it again and it is delivered again', async () => {
    ctx.needExtension();
    const d = await ctx.admin.get(`${NET}?page=umw-deliveries&delivery=${st.dlv}`);
    h.eq(d.status, 200, 'detail');
    h.contains(d.text, 'id="umw-delivery-payload"', 'payload shown');
    const before = receiver.requests.length;
    const r = await ctx.admin.post(POST, { form: h.formData(form(d.text, 'umw-resend-form')), follow: false });
    h.eq(r.status, 302, 'redirect ' + h.snippet(r.text, 200));
    const after = await ctx.admin.get(r.location);
    h.contains(h.textOf(after.text), 'queued again', 'notice');
    await receiver.waitFor((q) => receiver.requests.indexOf(q) >= before && q.path === '/more', 20000);
    const end = Date.now() + 10000; let dd;
    do { dd = (await ctx.adminRest.get(`${R}/deliveries/${st.dlv}`)).json(); if (dd.attempts.length >= 2 && dd.status === 'delivered') break; await new Promise((x) => setTimeout(x, 300)); } while (Date.now() < end);
    h.assert(dd.attempts.length >= 2, `two attempts in the history (${JSON.stringify(dd.attempts.map((a) => a.status_code))})`);
    h.eq(dd.status, 'delivered', 'delivered again');
  });

  suite.test('admin+: bulk Deactivate from the list', async () => {
    ctx.needExtension();
    const l = await ctx.admin.get(`${NET}?page=umw-webhooks`);
    let data = h.formData(form(l.text, 'umw-webhooks-form'));
    data = h.setField(h.setField(data, 'action', 'deactivate'), 'webhook[]', [String(st.hook.id)]);
    const r = await ctx.admin.post(`${NET}?page=umw-webhooks`, { form: data, follow: false });
    h.eq(r.status, 302, 'redirect ' + h.snippet(r.text, 200));
    h.eq((await ctx.adminRest.get(`${R}/webhooks/${st.hook.id}`)).json().active, false, 'inactive');
    const noNonce = data.filter(([k]) => k !== '_wpnonce');
    const r2 = await ctx.admin.post(`${NET}?page=umw-webhooks`, { form: h.setField(noNonce, 'action', 'activate'), follow: false });
    h.eq(r2.status, 403, 'bulk action without nonce refused');
    h.eq((await ctx.adminRest.get(`${R}/webhooks/${st.hook.id}`)).json().active, false, 'still inactive');
  });

  suite.test('admin+: search filters the list', async () => {
    ctx.needExtension();
    const other = await ctx.adminRest.post(`${R}/webhooks`, { json: { name: `zebra ${ctx.run}`, url: receiver.url + '/zebra', events: ['*'] } });
    st.other = other.json();
    const l = await ctx.admin.get(`${NET}?page=umw-webhooks&s=zebra`);
    h.eq(l.status, 200, 'search');
    h.contains(l.text, `zebra ${ctx.run}`, 'match listed');
    h.notContains(l.text, `more ${ctx.run}`, 'non-match not listed');
  });

  suite.test('admin+: envelope format sends {type, timestamp, data}', async () => {
    ctx.needExtension();
    const u = await ctx.adminRest.request('PATCH', `${R}/webhooks/${st.other.id}`, { json: { format: 'envelope' } });
    h.eq(u.status, 200, 'update');
    h.eq(u.json().format, 'envelope', 'format');
    const before = receiver.requests.length;
    const t = await ctx.adminRest.post(`${R}/webhooks/${st.other.id}/test`, { json: { event: 'payment_received' } });
    h.eq(t.json().ok, true, 'test ok');
    const req = await receiver.waitFor((q) => receiver.requests.indexOf(q) >= before && q.path === '/zebra', 5000);
    const b = JSON.parse(req.body);
    h.eq(b.type, 'payment_received', 'type');
    h.assert(b.timestamp && b.data && typeof b.data === 'object', 'timestamp + data');
    h.assert(verify(req, st.other.secret), 'signature');
  });

  suite.test('admin+: cleanup', async () => {
    ctx.needExtension();
    for (const x of [st.hook, st.other].filter(Boolean)) await ctx.adminRest.request('DELETE', `${R}/webhooks/${x.id}`);
  });
};
