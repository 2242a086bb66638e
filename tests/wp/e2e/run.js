'use strict';
// Browser tests: playwright-core driving Debian's /usr/bin/chromium (no browser download), fresh profile.
// (a) the documented walkthrough: log in → Network Admin → Webhooks → Add New → Name, URL, event
//     "Payment Received" → save → Send Test Event → "Delivered — HTTP 200", receiver got the sample payload;
// (b) payment_received fired on site 2 → Deliveries screen shows it delivered.
// Screenshots: tests/wp/.state/screenshots/*.png (copied to docs/screenshots/ with UMW_WP_UPDATE_DOCS=1).
const fs = require('fs');
const os = require('os');
const path = require('path');
const h = require('../lib/harness');

let chromium;
try { ({ chromium } = require('playwright-core')); } catch (e) { ({ chromium } = require(path.join(h.WP_TESTS, 'node_modules', 'playwright-core'))); }

const SHOTS = path.join(h.WP_TESTS, '.state', 'screenshots');
const DOCS = path.resolve(h.WP_TESTS, '..', '..', 'docs', 'screenshots');
const CHROMIUM = process.env.UMW_CHROMIUM || '/usr/bin/chromium';

(async () => {
  const env = h.loadEnv();
  const suite = h.createSuite('e2e');
  fs.mkdirSync(SHOTS, { recursive: true });
  const receiver = await h.startReceiver({ file: path.join(h.WP_TESTS, '.state', 'receiver-e2e.jsonl') });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'umw-chromium-'));
  const blocked = [];
  const pageErrors = [];
  const dialogs = [];
  const ctx = { run: Date.now().toString(36) };
  const logOffset = h.debugLogSize(env);
  let browser, page;
  const needExt = () => { if (!env.UMW_EXT) suite.skip('umw extension not built (UMW_EXT unset)'); };
  // Viewport-sized (1280x900) PNGs: what a person sees first; README-friendly.
  const shot = async (name, { fullPage = false } = {}) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage });
  };
  const nav = async (fn) => { await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 30000 }), fn()]); };
  const noCritical = async (what) => {
    const t = await page.content();
    h.notContains(t, 'There has been a critical error', what);
  };

  suite.test('browser: launch chromium', async () => {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
      viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC',
    });
    // Nothing but this machine: abort any request that is not to 127.0.0.1 / localhost.
    await browser.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && !(u.hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname))) { blocked.push(u.href); return route.abort(); }
      return route.continue();
    });
    page = browser.pages()[0] || await browser.newPage();
    page.setDefaultTimeout(20000);
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    page.on('dialog', (d) => { dialogs.push(d.message()); d.accept(); });
  });

  suite.test('walkthrough: log in as the network admin', async () => {
    await page.goto(env.WP_URL + '/wp-login.php');
    await page.fill('#user_login', env.WP_ADMIN_USER);
    await page.fill('#user_pass', env.WP_ADMIN_PASS);
    await nav(() => page.click('#wp-submit'));
    h.assert(/\/wp-admin\//.test(page.url()), 'landed in wp-admin: ' + page.url());
    await noCritical('dashboard');
    const ap = await h.wpPhp(path.join(h.WP_TESTS, 'lib/app-password.php'), [env.WP_ADMIN_USER, 'e2e']);
    ctx.rest = new h.Client(env.WP_URL, { auth: { user: ap.user, pass: ap.password } });
  });

  suite.test('walkthrough: Network Admin → Webhooks (list screen)', async () => {
    needExt();
    await page.goto(env.WP_URL + '/wp-admin/network/');
    await noCritical('network dashboard');
    await nav(() => page.click('#toplevel_page_umw-webhooks > a'));
    h.contains(page.url(), 'page=umw-webhooks', 'url');
    h.eq((await page.textContent('h1')).trim(), 'Webhooks', 'h1');
  });

  suite.test('walkthrough: Add New → Name, URL, event "Payment Received" → save', async () => {
    needExt();
    await nav(() => page.click('a.page-title-action:has-text("Add New")'));
    h.contains(await page.textContent('h1'), 'Add New Webhook', 'h1');
    ctx.name = 'Billing system';
    await page.fill('#webhook_name', ctx.name);
    await page.fill('#webhook_url', receiver.url + '/billing');
    const all = page.locator('#umw-webhook-form input[name="webhook_events[]"][value="*"]');
    if (await all.count() && await all.isChecked()) await all.uncheck();
    const pr = page.locator('#umw-webhook-form label:has-text("Payment Received") input[type=checkbox]').first();
    await pr.check();
    h.eq(await pr.getAttribute('value'), 'payment_received', 'the "Payment Received" checkbox is payment_received');
    await shot('add-webhook');
    await nav(() => page.click('#umw-webhook-form [type=submit]'));
    await noCritical('after save');
    h.contains(page.url(), 'action=edit', 'redirected to the edit screen');
    ctx.id = Number(new URL(page.url()).searchParams.get('id'));
    // (WordPress' common.js moves .notice elements next to .wp-header-end, so look for the notice itself.)
    h.contains(await page.locator('.notice-success').allTextContents().then((a) => a.join(' ')), 'Webhook created', 'created notice');
    h.assert(/^whsec_/.test((await page.textContent('#umw-secret')).trim()), 'secret shown');
    await shot('edit-webhook');
  });

  suite.test('walkthrough: Send Test Event → "Delivered — HTTP 200"; the receiver got the sample payload', async () => {
    needExt();
    const before = receiver.requests.length;
    const sel = page.locator('#umw-test-event');
    if (await sel.count()) await sel.selectOption('payment_received');
    await nav(() => page.click('#umw-test-form [type=submit]'));
    await noCritical('after test');
    const box = page.locator('#umw-test-result');
    await box.waitFor();
    h.contains(await box.getAttribute('class'), 'notice-success', 'success notice');
    const text = (await box.textContent()).replace(/\s+/g, ' ');
    h.contains(text, 'HTTP 200', 'shows HTTP 200');
    await page.click('#umw-test-result summary').catch(() => {});
    await shot('test-result');
    const got = await receiver.waitFor((q) => receiver.requests.indexOf(q) >= before && q.path === '/billing', 5000);
    h.eq(got.method, 'POST', 'POST');
    const sample = (await ctx.rest.get('/wp-json/umw/v1/event-types/payment_received')).json().sample;
    h.eq(JSON.stringify(JSON.parse(got.body)), JSON.stringify(sample), 'body = payment_received sample');
  });

  suite.test('walkthrough: the list shows the new webhook', async () => {
    needExt();
    // A second webhook so the list screenshot shows more than one row.
    await ctx.rest.post('/wp-json/umw/v1/webhooks', { json: { name: 'CRM (all events)', url: receiver.url + '/crm', events: ['*'] } });
    await page.goto(env.WP_URL + '/wp-admin/network/admin.php?page=umw-webhooks');
    h.contains(await page.textContent('#umw-webhooks-form'), ctx.name, 'listed');
    await shot('webhooks-list');
  });

  suite.test('site 2: payment_received fired on site 2 shows as delivered on the Deliveries screen', async () => {
    needExt();
    const marker = `e2e-${ctx.run}`;
    const r = await new h.Client(env.WP_URL).get(`/site2/?umw_test_emit=payment_received&token=${env.UMW_TEST_TOKEN}&marker=${marker}`);
    h.eq(r.status, 200, 'emit endpoint ' + h.snippet(r.text, 200));
    h.eq(r.json().blog_id, 2, 'site 2');
    await receiver.waitFor((q) => q.path === '/billing' && q.body.includes(marker), 20000);
    const url = env.WP_URL + `/wp-admin/network/admin.php?page=umw-deliveries&webhook_id=${ctx.id}`;
    let ok = false;
    for (let i = 0; i < 40 && !ok; i++) {
      await page.goto(url);
      const t = (await page.textContent('#wpbody-content')).replace(/\s+/g, ' ');
      ok = /payment_received/.test(t) && /delivered/i.test(t) && (await page.locator('tr:has-text("payment_received")').count()) >= 2;
      if (!ok) await page.waitForTimeout(500);
    }
    await noCritical('deliveries');
    h.assert(ok, 'deliveries screen shows payment_received delivered (test + site-2 event)');
    const row = page.locator('tbody tr').filter({ hasNotText: /test/i }).filter({ hasText: 'payment_received' }).first();
    h.assert(await row.count(), 'a non-test payment_received row');
    h.assert(/delivered/i.test(await row.textContent()), 'row status delivered: ' + (await row.textContent()).replace(/\s+/g, ' '));
    await shot('deliveries');
    const link = row.locator('a[href*="delivery=dlv_"]').first();
    if (await link.count()) {
      await nav(() => link.click());
      await noCritical('delivery detail');
      h.contains(await page.textContent('#wpbody-content'), marker, 'detail shows the payload');
      await shot('delivery-detail');
    }
  });

  suite.test('form: events grouped with a live summary; the sample follows the Envelope format', async () => {
    needExt();
    await page.goto(env.WP_URL + '/wp-admin/network/admin.php?page=umw-webhooks&action=new');
    h.eq(await page.locator('.umw-event-group h4').first().textContent(), 'Payments', 'grouped by subject');
    await page.locator('#webhook_events label:has-text("Site Published") input').check();
    await page.locator('#webhook_events label:has-text("Payment Received") input').check();
    const summary = await page.textContent('#umw-events-summary');
    h.assert(/^Selected: /.test(summary) && summary.includes('Site Published') && summary.includes('Payment Received'), 'summary follows the ticks: ' + summary);
    h.assert((await page.locator('#webhook_events').evaluate((el) => getComputedStyle(el).overflowY)) !== 'auto', 'no scroll box');
    h.eq(JSON.parse(await page.textContent('#umw-sample-preview')).payment_id, 1204, 'flat: the payload');
    await page.check('input[name="webhook_format"][value="envelope"]');
    const env1 = JSON.parse(await page.textContent('#umw-sample-preview'));
    h.eq(env1.type, 'payment_received', 'envelope: type');
    h.eq(env1.data.payment_id, 1204, 'envelope: data');
    await page.click('#contextual-help-link');
    await page.locator('#tab-link-umw-form').click();
    h.contains(await page.textContent('#tab-panel-umw-form'), 'Send Test Event', 'Help tab');
  });

  suite.test('Send Test Event: button disabled with a spinner while a slow endpoint answers; result names the event', async () => {
    needExt();
    receiver.delay = (rec) => (rec.path === '/slow' ? 1500 : 0);
    try {
      const made = await ctx.rest.post('/wp-json/umw/v1/webhooks', { json: { name: 'Slow endpoint', url: receiver.url + '/slow', events: ['payment_received', 'site_published'] } });
      ctx.slow = made.json().id;
      await page.goto(env.WP_URL + `/wp-admin/network/admin.php?page=umw-webhooks&action=edit&id=${ctx.slow}`);
      h.contains(await page.locator('#umw-test-event option').first().textContent(), 'Payment Received (payment_received)', 'labels in the dropdown');
      await page.selectOption('#umw-test-event', 'site_published');
      // Record what the page shows right after submitting (admin.js's handler runs first), kept across the navigation.
      await page.evaluate(() => document.getElementById('umw-test-form').addEventListener('submit', () => {
        sessionStorage.setItem('umwBusy', JSON.stringify({
          disabled: document.querySelector('#umw-test-form [type=submit]').disabled,
          spinner: !! document.querySelector('#umw-test-form .spinner.is-active'),
          text: document.querySelector('#umw-test-form .umw-busy-text').textContent,
        }));
      }));
      const t0 = Date.now();
      await nav(() => page.click('#umw-test-form [type=submit]'));
      h.assert(Date.now() - t0 >= 1400, 'the endpoint took its time');
      const busy = JSON.parse(await page.evaluate(() => sessionStorage.getItem('umwBusy')) || '{}');
      h.eq(busy.disabled, true, 'button disabled while waiting');
      h.eq(busy.spinner, true, 'spinner shown');
      h.contains(busy.text, 'waiting for the endpoint', 'says why');
      h.contains(await page.textContent('#umw-test-result'), 'Site Published (site_published) delivered — HTTP 200', 'names the event');
      h.eq(await page.inputValue('#umw-test-event'), 'site_published', 'the dropdown keeps the event');
    } finally {
      receiver.delay = null;
    }
  });

  suite.test('dashboard: attempts chart with tooltips, KPIs as REST reports them', async () => {
    needExt();
    for (let i = 0; i < 3; i++) {
      await new h.Client(env.WP_URL).get(`/site2/?umw_test_emit=payment_received&token=${env.UMW_TEST_TOKEN}&marker=dash-${i}`);
    }
    await receiver.waitFor((q) => q.body.includes('dash-2'), 20000);
    await new Promise((r) => setTimeout(r, 1500));
    await page.goto(env.WP_URL + '/wp-admin/network/admin.php?page=umw-dashboard');
    await noCritical('dashboard');
    h.eq((await page.textContent('h1')).trim(), 'Webhooks Dashboard', 'h1');
    const bars = page.locator('svg.umw-chart-attempts rect.umw-bar-delivered');
    h.assert(await bars.count() >= 1, 'delivered bars drawn');
    h.contains(await bars.last().locator('title').textContent(), 'delivered', 'bar tooltip');
    const box = await page.locator('svg.umw-chart-attempts').boundingBox();
    h.assert(box.width > 600 && box.height > 100, `chart is readable at a glance (${box.width}×${box.height})`);
    const rest = (await ctx.rest.get('/wp-json/umw/v1/stats')).json().totals;
    h.eq((await page.textContent('[data-kpi="delivered"] .umw-kpi-value')).trim(), rest.delivered.toLocaleString('en-US'), 'delivered = REST');
    h.assert(await page.locator('svg.umw-chart-latency polyline.umw-line-p95').count(), 'p95 line');
    await shot('dashboard');
    await page.selectOption('#umw-dashboard-webhook', String(ctx.id));
    await nav(() => page.click('#umw-dashboard-controls [type=submit]'));
    h.contains(page.url(), `webhook_id=${ctx.id}`, 'one webhook');
    h.contains(await page.textContent('.umw-period'), ctx.name, 'names the webhook');
  });

  suite.test('list: views, a row Deactivate, bulk Delete asks with the count', async () => {
    needExt();
    const tmp = [];
    for (const n of ['tmp one', 'tmp two']) tmp.push((await ctx.rest.post('/wp-json/umw/v1/webhooks', { json: { name: n, url: receiver.url + '/tmp', events: ['payment_received'] } })).json().id);
    await page.goto(env.WP_URL + '/wp-admin/network/admin.php?page=umw-webhooks');
    h.contains(await page.textContent('.subsubsub'), 'Active', 'views');
    await page.hover(`#the-list tr:has(#umw-cb-${tmp[0]}) .column-name`);
    await nav(() => page.locator(`#the-list tr:has(#umw-cb-${tmp[0]}) .row-actions .deactivate a`).click());
    h.contains(await page.textContent('#wpbody-content'), 'deactivated', 'row Deactivate');
    for (const id of tmp) await page.check(`#umw-cb-${id}`);
    await page.selectOption('#bulk-action-selector-top', 'delete');
    dialogs.length = 0;
    await nav(() => page.click('#doaction'));
    h.contains(dialogs.join(' '), 'Delete 2 webhooks? Their delivery logs are deleted', 'confirmation with the count');
    h.contains(await page.textContent('#wpbody-content'), '2 webhooks deleted', 'honest result');
    await shot('webhooks-list');
  });

  suite.test('notice: a disabled webhook gives one notice; × dismisses it for good', async () => {
    needExt();
    const prev = receiver.status;
    receiver.status = (rec) => (rec.path === '/e2e-gone' ? 410 : (typeof prev === 'function' ? prev(rec) : prev));
    try {
      const id = (await ctx.rest.post('/wp-json/umw/v1/webhooks', { json: { name: 'Old CRM', url: receiver.url + '/e2e-gone', events: ['payment_received'] } })).json().id;
      await new h.Client(env.WP_URL).get(`/?umw_test_emit=payment_received&token=${env.UMW_TEST_TOKEN}&marker=gone`);
      let status = '';
      for (let i = 0; i < 80 && status !== 'disabled'; i++) { status = (await ctx.rest.get(`/wp-json/umw/v1/webhooks/${id}`)).json().status; await page.waitForTimeout(250); }
      h.eq(status, 'disabled', '410 disabled it');
      await page.goto(env.WP_URL + '/wp-admin/network/');
      h.eq(await page.locator('#umw-disabled-notice').count(), 1, 'one notice');
      h.contains(await page.textContent('#umw-disabled-notice'), 'Old CRM', 'names it');
      await shot('disabled-notice');
      // This dismissal's own request (WordPress's heartbeat posts to admin-ajax.php too).
      const dismissed = page.waitForResponse((r) => r.url().includes('admin-ajax.php') && r.request().method() === 'POST'
        && (r.request().postData() || '').includes('umw_dismiss_disabled'));
      await page.click('#umw-disabled-notice .notice-dismiss');
      h.eq((await dismissed).status(), 200, 'dismissal saved');
      await page.reload();
      h.eq(await page.locator('#umw-disabled-notice').count(), 0, 'stays dismissed');
      await ctx.rest.request('DELETE', `/wp-json/umw/v1/webhooks/${id}`);
    } finally {
      receiver.status = prev;
    }
  });

  suite.test('no PHP errors, warnings or notices from the plugin in the debug log', async () => {
    const errs = h.pluginErrorsSince(env, logOffset);
    if (errs.length) throw new Error(errs.slice(0, 5).join('\n').slice(0, 4000));
  });

  suite.test('browser: no JavaScript errors on the plugin screens', async () => {
    const mine = pageErrors.filter((e) => /umw/.test(e));
    if (mine.length) throw new Error(mine.join('\n'));
    if (pageErrors.length) console.log('# note: JS errors elsewhere: ' + pageErrors.join(' | '));
  });

  suite.test('browser: nothing outside 127.0.0.1 was requested (blocked requests listed)', async () => {
    if (blocked.length) console.log('# blocked external requests: ' + [...new Set(blocked)].join(' '));
    const fromPlugin = blocked.filter((u) => !/gravatar|s\.w\.org|wordpress\.org/.test(u));
    h.eq(fromPlugin.length, 0, 'external requests: ' + fromPlugin.join(' '));
  });

  const res = await suite.run();
  try { await browser?.close(); } catch (e) { /* ignore */ }
  fs.rmSync(profile, { recursive: true, force: true });
  await receiver.close();
  if (process.env.UMW_WP_UPDATE_DOCS === '1') {
    fs.mkdirSync(DOCS, { recursive: true });
    for (const n of ['webhooks-list', 'edit-webhook', 'test-result', 'deliveries', 'add-webhook', 'delivery-detail', 'dashboard', 'disabled-notice']) {
      const f = path.join(SHOTS, n + '.png');
      if (fs.existsSync(f)) fs.copyFileSync(f, path.join(DOCS, n + '.png'));
    }
    console.log('# screenshots copied to ' + DOCS);
  }
  process.exit(res.failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
