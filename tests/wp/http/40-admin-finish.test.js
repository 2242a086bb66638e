'use strict';
// Issue 13 over real HTTP as the network admin: honest bulk actions, Screen Options per page, a re-enabled
// webhook says what happened, replay of a disabled webhook is refused, the one disabled-webhooks notice is
// dismissed (AJAX and link) until another is disabled, the Dashboard renders, the plugins row links.

module.exports = (ctx) => {
  const { suite, h, receiver, env } = ctx;
  const NET = '/wp-admin/network/admin.php';
  const LIST = `${NET}?page=umw-webhooks`;
  const POST = '/wp-admin/admin-post.php';
  const R = '/wp-json/umw/v1';
  const st = { ids: [] };
  const prev = receiver.status;
  receiver.status = (rec) => (rec.path.startsWith('/gone') ? 410 : (typeof prev === 'function' ? prev(rec) : prev));
  const form = (html, id) => {
    const f = h.parseForms(html).find((x) => x.attrs.id === id);
    if (!f) throw new Error(`form #${id} not found`);
    return f;
  };
  const notices = (html) => h.textOf((html.match(/<div id="umw-notices">[\s\S]*?<\/div>\s*<\/div>|<div id="umw-notices"><\/div>/) || [''])[0]);
  const create = async (name, path, extra = {}) => {
    const r = await ctx.adminRest.post(`${R}/webhooks`, { json: Object.assign({ name, url: receiver.url + path, events: ['payment_received'] }, extra) });
    h.eq(r.status, 201, 'create ' + h.snippet(r.text, 200));
    st.ids.push(r.json().id);
    return r.json();
  };
  const bulk = async (action, ids) => {
    const page = await ctx.admin.get(LIST);
    let data = h.formData(form(page.text, 'umw-webhooks-form'));
    data = h.setField(data, 'action', action);
    data = h.setField(data, 'webhook[]', ids.map(String));
    const r = await ctx.admin.post(`${NET}?page=umw-webhooks`, { form: data, follow: false });
    h.eq(r.status, 302, `bulk ${action}: redirect`);
    return ctx.admin.get(r.location);
  };
  const disable = async (hook) => {
    const marker = `gone-${ctx.run}-${hook.id}`;
    await new h.Client(env.WP_URL).get(`/?umw_test_emit=payment_received&token=${env.UMW_TEST_TOKEN}&marker=${marker}`);
    for (let i = 0; i < 80; i++) {
      const g = (await ctx.adminRest.get(`${R}/webhooks/${hook.id}`)).json();
      if (g.status === 'disabled') return g;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`webhook ${hook.id} was not disabled by the 410`);
  };

  suite.test('finish: bulk actions say what they did, or that nothing was selected', async () => {
    ctx.needExtension();
    const a = await create(`bulk A ${ctx.run}`, '/bulk-a');
    const b = await create(`bulk B ${ctx.run}`, '/bulk-b');
    await ctx.adminRest.post(`${R}/webhooks/${a.id}/test`, { json: {} });
    const none = await bulk('deactivate', []);
    h.contains(notices(none.text), 'No webhooks selected', 'nothing selected: said so');
    h.notContains(none.text, 'notice-success', 'no green notice for nothing');
    const off = await bulk('deactivate', [a.id, b.id]);
    h.contains(notices(off.text), '2 webhooks deactivated.', 'deactivated');
    h.eq((await ctx.adminRest.get(`${R}/webhooks/${b.id}`)).json().status, 'inactive', 'really inactive');
    const del = await bulk('delete', [a.id, b.id]);
    h.contains(notices(del.text), '2 webhooks deleted with 1 logged deliveries.', 'the log is named');
    h.eq((await ctx.adminRest.get(`${R}/webhooks/${a.id}`)).status, 404, 'deleted');
  });

  suite.test('finish: Screen Options per page is saved and honoured', async () => {
    ctx.needExtension();
    await create(`per page 1 ${ctx.run}`, '/pp1');
    await create(`per page 2 ${ctx.run}`, '/pp2');
    const page = await ctx.admin.get(LIST);
    const so = h.parseForms(page.text).find((f) => f.fields.some((x) => x.name === 'wp_screen_options[option]'));
    h.assert(so, 'Screen Options form');
    let data = h.setField(h.formData(so), 'wp_screen_options[value]', '1');
    const r = await ctx.admin.post(LIST, { form: data, follow: false });
    h.eq(r.status, 302, 'saved');
    const after = await ctx.admin.get(LIST);
    h.eq((after.text.match(/name="webhook\[\]"/g) || []).length, 1, 'one row per page');
    h.contains(after.text, 'next-page', 'paged');
    data = h.setField(h.formData(so), 'wp_screen_options[value]', '20');
    await ctx.admin.post(LIST, { form: data, follow: false });
  });

  suite.test('finish: a 410 disables; one notice, replay refused, re-enable says so', async () => {
    ctx.needExtension();
    const hook = await create(`gone ${ctx.run}`, '/gone');
    st.gone = await disable(hook);
    const net = await ctx.admin.get('/wp-admin/network/');
    h.eq((net.text.match(/id="umw-disabled-notice"/g) || []).length, 1, 'one notice on the network dashboard');
    h.contains(h.decodeEntities(net.text), 'page=umw-webhooks&status=disabled', 'links to the Disabled view');
    const view = await ctx.admin.get(`${LIST}&status=disabled`);
    h.contains(view.text, `gone ${ctx.run}`, 'listed under Disabled');

    const d = await ctx.admin.get(`${NET}?page=umw-deliveries`);
    const replay = h.setField(h.setField(h.formData(form(d.text, 'umw-replay-form')), 'webhook_id', String(hook.id)), 'since', '2020-01-01T00:00');
    const rr = await ctx.admin.post(POST, { form: replay, follow: false });
    const after = await ctx.admin.get(rr.location);
    h.contains(notices(after.text), 'is disabled', 'replay refused: the webhook is disabled');

    const list = await ctx.admin.get(`${LIST}&status=disabled`);
    const link = (h.decodeEntities(list.text).match(new RegExp(`href="([^"]*action=umw_set_active&id=${hook.id}&active=1[^"]*)"`)) || [])[1];
    h.assert(link, 'Re-enable row action');
    const re = await ctx.admin.get(link, { follow: false });
    const page = await ctx.admin.get(re.location);
    h.contains(notices(page.text), 're-enabled', 'says re-enabled, not just "activated"');
  });

  suite.test('finish: the notice is dismissed per user (AJAX) until another webhook is disabled', async () => {
    ctx.needExtension();
    const other = await create(`gone again ${ctx.run}`, '/gone-again');
    await disable(other);
    const net = await ctx.admin.get('/wp-admin/network/');
    const nonce = (net.text.match(/id="umw-disabled-notice" data-nonce="([^"]+)"/) || [])[1];
    h.assert(nonce, 'nonce on the notice');
    const bad = await ctx.admin.post('/wp-admin/admin-ajax.php', { form: { action: 'umw_dismiss_disabled', nonce: 'wrong' } });
    h.eq(bad.status, 403, 'a wrong nonce is refused');
    const ok = await ctx.admin.post('/wp-admin/admin-ajax.php', { form: { action: 'umw_dismiss_disabled', nonce } });
    h.eq(ok.status, 200, 'dismissed ' + h.snippet(ok.text, 200));
    h.notContains((await ctx.admin.get('/wp-admin/network/')).text, 'id="umw-disabled-notice"', 'gone after dismissal');
    const third = await create(`gone third ${ctx.run}`, '/gone-third');
    await disable(third);
    h.contains((await ctx.admin.get('/wp-admin/network/')).text, 'id="umw-disabled-notice"', 'back for a newly disabled webhook');
    const editorAjax = await ctx.editor.post('/wp-admin/admin-ajax.php', { form: { action: 'umw_dismiss_disabled', nonce } });
    h.eq(editorAjax.status, 403, 'editor1 cannot dismiss for anyone');
  });

  suite.test('finish: Dashboard, Site Health and the plugins row', async () => {
    ctx.needExtension();
    const d = await ctx.admin.get(`${NET}?page=umw-dashboard`);
    h.eq(d.status, 200, 'dashboard');
    h.contains(d.text, 'class="umw-chart umw-chart-attempts"', 'attempts chart');
    h.contains(d.text, 'id="umw-dashboard-webhooks"', 'per-webhook table');
    const rest = (await ctx.adminRest.get(`${R}/stats`)).json().totals;
    h.contains(d.text, `data-kpi="delivered"><span class="umw-kpi-value">${rest.delivered.toLocaleString('en-US')}<`, 'same delivered count as REST');
    h.eq((await ctx.editor.get(`${NET}?page=umw-dashboard`)).status, 403, 'editor1 refused');
    const health = await ctx.admin.get('/wp-admin/site-health.php');
    h.eq(health.status, 200, 'site health');
    const info = await ctx.admin.get('/wp-admin/site-health.php?tab=debug');
    h.contains(info.text, 'umw — Native Webhooks', 'Info tab section');
    const plugins = await ctx.admin.get('/wp-admin/network/plugins.php');
    h.contains(h.decodeEntities(plugins.text), 'admin.php?page=umw-webhooks">Webhooks</a>', 'Webhooks link on the plugin row');
  });

  suite.test('finish: cleanup', async () => {
    for (const id of st.ids) await ctx.adminRest.request('DELETE', `${R}/webhooks/${id}`);
    receiver.status = prev;
  });
};
