'use strict';
// One network, two web servers (UMW_WP_SECOND_HOST: a second PHP-FPM pool with its own spool,
// behind nginx on another 127.x address) sharing one store: a webhook created through host A's
// REST API is listed by host B's REST API and receives the events host B fires.
// Runs only when env.sh was started with UMW_WP_SECOND_HOST (tests/run.sh does so with the store in
// WordPress's own database, UMW_WP_STORE=mysql).
const http = require('http');

module.exports = (ctx) => {
  const { suite, h, receiver, env } = ctx;
  const R = '/wp-json/umw/v1';
  const st = {};
  const second = env.UMW_WP_SECOND_HOST;

  // A request to host B for the network's own domain (WordPress finds the site by Host).
  const viaB = (method, path, { json, auth } = {}) => new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const headers = { host: env.UMW_WP_HOST };
    if (body) { headers['content-type'] = 'application/json'; headers['content-length'] = Buffer.byteLength(body); }
    if (auth) headers.authorization = 'Basic ' + Buffer.from(`${auth.user}:${auth.pass}`).toString('base64');
    const req = http.request({ host: second, port: 80, method, path, headers, timeout: 30000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body) req.write(body);
    req.end();
  });

  suite.test('two hosts: a webhook created through host A\'s REST API', async () => {
    if (!second) suite.skip('UMW_WP_SECOND_HOST not set (single web server)');
    ctx.needExtension();
    const r = await ctx.adminRest.post(`${R}/webhooks`, {
      json: { name: `two hosts ${ctx.run}`, url: `${receiver.url}/two-hosts-${ctx.run}`, events: ['payment_received'] },
    });
    h.eq(r.status, 201, 'created on A ' + h.snippet(r.text, 200));
    st.hook = r.json();
  });

  suite.test('two hosts: is listed by host B\'s REST API on its next request', async () => {
    if (!second || !st.hook) suite.skip('no second host');
    const r = await viaB('GET', `${R}/webhooks?per_page=100`, { auth: ctx.adminRest.auth });
    h.eq(r.status, 200, 'list on B ' + h.snippet(r.text, 200));
    h.assert(r.json().some((w) => w.id === st.hook.id), `host B lists webhook ${st.hook.id}`);
    const stats = await viaB('GET', `${R}/stats`, { auth: ctx.adminRest.auth });
    h.eq(stats.status, 200, 'stats on B');
  });

  suite.test('two hosts: receives the event host B fires (delivered from host B)', async () => {
    if (!second || !st.hook) suite.skip('no second host');
    const marker = `b-${ctx.run}`;
    const fired = await viaB('GET', `/site2/?umw_test_emit=payment_received&token=${env.UMW_TEST_TOKEN}&marker=${marker}`);
    h.eq(fired.status, 200, 'fired on B ' + h.snippet(fired.text, 200));
    const got = await receiver.waitFor((q) => q.path === `/two-hosts-${ctx.run}` && q.body.includes(marker));
    h.assert(/^msg_/.test(got.headers['webhook-id'] || ''), 'signed delivery with a webhook-id');
    await ctx.adminRest.request('DELETE', `${R}/webhooks/${st.hook.id}`);
  });
};
