'use strict';
// Events emitted inside WordPress reach the receiver through the extension's background runtime:
// from site 2 in a php-fpm request (Ultimate Multisite style do_action('wu_event', ...)), from php-cli,
// and with a retry after a failing first attempt (umw.retry_schedule=1,2,4 in the test env).
const path = require('path');

module.exports = (ctx) => {
  const { suite, h, receiver, env } = ctx;
  const R = '/wp-json/umw/v1';
  const st = {};
  const flaky = new Map();
  const prev = receiver.status;
  receiver.status = (rec) => {
    if (rec.path.startsWith('/flaky')) {
      const n = (flaky.get(rec.path) || 0) + 1; flaky.set(rec.path, n);
      return n === 1 ? 503 : 200;
    }
    return typeof prev === 'function' ? prev(rec) : prev;
  };
  const pollDelivery = async (pred, what, ms = 20000) => {
    const end = Date.now() + ms; let last = [];
    while (Date.now() < end) {
      const r = await ctx.adminRest.get(`${R}/deliveries?event=payment_received&per_page=100&with_payload=1`);
      if (r.status === 200) { last = r.json(); const d = last.find(pred); if (d) return d; }
      await new Promise((res) => setTimeout(res, 300));
    }
    throw new Error(`${what}: no matching delivery within ${ms} ms; have ${JSON.stringify(last.slice(0, 5).map((d) => [d.id, d.webhook_id, d.status, d.attempts && d.attempts.length]))}`);
  };

  suite.test('emit: setup webhooks for payment_received (+ one that fails once)', async () => {
    ctx.needExtension();
    const a = await ctx.adminRest.post(`${R}/webhooks`, { json: { name: `emit ${ctx.run}`, url: receiver.url + '/emit', events: ['payment_received'] } });
    h.eq(a.status, 201, 'create emit hook ' + h.snippet(a.text, 200));
    st.hook = a.json();
    const b = await ctx.adminRest.post(`${R}/webhooks`, { json: { name: `flaky ${ctx.run}`, url: receiver.url + '/flaky-' + ctx.run, events: ['payment_received'] } });
    h.eq(b.status, 201, 'create flaky hook');
    st.flaky = b.json();
  });

  suite.test('emit: payment_received fired on site 2 in a php-fpm request is delivered in the background', async () => {
    ctx.needExtension();
    const marker = `fpm-${ctx.run}`;
    const t0 = Date.now();
    const r = await new h.Client(env.WP_URL).get(`/site2/?umw_test_emit=payment_received&token=${env.UMW_TEST_TOKEN}&marker=${marker}`);
    h.eq(r.status, 200, 'endpoint ' + h.snippet(r.text, 300));
    const j = r.json();
    h.eq(j.blog_id, 2, 'fired on site 2');
    h.eq(j.extension, true, 'extension loaded in php-fpm');
    h.assert(Date.now() - t0 < 5000, 'emitting did not block the request');
    const got = await receiver.waitFor((q) => q.path === '/emit' && q.body.includes(marker), 20000);
    const body = JSON.parse(got.body);
    h.eq(body.umw_test_marker, marker, 'payload marker');
    h.eq(body.umw_test_blog_id, 2, 'payload from blog 2');
    h.eq(got.headers['x-umw-event'], 'payment_received', 'event header');
    const d = await pollDelivery((x) => x.webhook_id === st.hook.id && JSON.stringify(x.payload).includes(marker) && x.status === 'delivered', 'delivered');
    h.eq(d.is_test, false, 'not a test delivery');
    h.eq(d.message_id, got.headers['webhook-id'], 'webhook-id header is the message id');
  });

  suite.test('emit: php-cli (wp-php.sh, switch_to_blog(2), umw_emit) is delivered; message id matches', async () => {
    ctx.needExtension();
    const marker = `cli-${ctx.run}`;
    const out = await h.wpPhp(path.join(h.WP_TESTS, 'lib/emit.php'), [2, 'payment_received', marker, 'direct', 10]);
    h.assert(/^msg_/.test(out.message_id || ''), 'message id ' + JSON.stringify(out));
    const got = await receiver.waitFor((q) => q.path === '/emit' && q.body.includes(marker), 20000);
    h.eq(got.headers['webhook-id'], out.message_id, 'webhook-id');
  });

  suite.test('emit: a 503 on the first attempt is retried and then delivered (2 attempts)', async () => {
    ctx.needExtension();
    // The fpm marker event above also went to the flaky hook; its first attempt got 503.
    const d = await pollDelivery((x) => x.webhook_id === st.flaky.id && x.status === 'delivered' && JSON.stringify(x.payload).includes(`fpm-${ctx.run}`), 'flaky delivered', 30000);
    h.assert(d.attempts.length >= 2, `attempts: ${JSON.stringify(d.attempts)}`);
    h.eq(d.attempts[0].status_code, 503, 'first attempt 503');
    h.eq(d.attempts[d.attempts.length - 1].status_code, 200, 'last attempt 200');
  });

  suite.test('emit: the Deliveries screen shows the site-2 event as delivered', async () => {
    ctx.needExtension();
    const r = await ctx.admin.get(`/wp-admin/network/admin.php?page=umw-deliveries&webhook_id=${st.hook.id}`);
    h.eq(r.status, 200, 'deliveries page');
    const text = h.textOf(r.text);
    h.contains(text, 'payment_received', 'event shown');
    h.assert(/delivered/i.test(text), 'status delivered shown');
  });

  suite.test('emit: cleanup', async () => {
    ctx.needExtension();
    for (const x of [st.hook, st.flaky].filter(Boolean)) await ctx.adminRest.request('DELETE', `${R}/webhooks/${x.id}`);
  });
};
