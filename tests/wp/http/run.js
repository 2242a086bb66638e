'use strict';
// HTTP tests against the real WordPress (tests/wp/env.sh up first). Runs every http/*.test.js in order,
// sharing one context: env, a local webhook receiver, logged-in clients, REST clients with application passwords.
const fs = require('fs');
const path = require('path');
const h = require('../lib/harness');

(async () => {
  const env = h.loadEnv();
  const suite = h.createSuite('http');
  const stateDir = path.join(h.WP_TESTS, '.state');
  fs.mkdirSync(stateDir, { recursive: true });
  const receiver = await h.startReceiver({ file: path.join(stateDir, 'receiver-http.jsonl') });
  const ctx = { env, h, suite, receiver, stateDir, logOffset: h.debugLogSize(env), run: Date.now().toString(36) };

  ctx.extension = !!env.UMW_EXT;
  ctx.needExtension = () => { if (!ctx.extension) suite.skip('umw extension not built (UMW_EXT unset)'); };
  ctx.rest = (who = 'admin') => ctx[who + 'Rest'];

  const files = (process.argv.slice(2).length ? process.argv.slice(2) : fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort())
    .map((f) => path.resolve(__dirname, path.basename(f)));
  suite.test('setup: log in (admin, editor1) and create application passwords', async () => {
    ctx.admin = new h.Client(env.WP_URL);
    await ctx.admin.login(env.WP_ADMIN_USER, env.WP_ADMIN_PASS);
    ctx.editor = new h.Client(env.WP_URL);
    await ctx.editor.login(env.WP_EDITOR_USER, env.WP_EDITOR_PASS);
    const ap = await h.wpPhp(path.join(h.WP_TESTS, 'lib/app-password.php'), [env.WP_ADMIN_USER]);
    ctx.adminRest = new h.Client(env.WP_URL, { auth: { user: ap.user, pass: ap.password } });
    const ep = await h.wpPhp(path.join(h.WP_TESTS, 'lib/app-password.php'), [env.WP_EDITOR_USER]);
    ctx.editorRest = new h.Client(env.WP_URL, { auth: { user: ep.user, pass: ep.password } });
    ctx.anonRest = new h.Client(env.WP_URL);
    const me = await ctx.adminRest.get('/wp-json/wp/v2/users/me?context=edit');
    h.eq(me.status, 200, 'application password works for core REST (' + h.snippet(me.text, 200) + ')');
  });
  for (const f of files) require(f)(ctx);
  suite.test('no PHP errors, warnings or notices from the plugin in the debug log', async () => {
    const errs = h.pluginErrorsSince(env, ctx.logOffset);
    if (errs.length) throw new Error(`${errs.length} plugin PHP messages in ${env.WP_DEBUG_LOG_FILE}:\n` + errs.slice(0, 5).join('\n').slice(0, 4000));
  });
  const res = await suite.run();
  await receiver.close();
  process.exit(res.failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
