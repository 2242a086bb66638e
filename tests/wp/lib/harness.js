'use strict';
// Minimal test harness shared by tests/wp/http and tests/wp/e2e: sequential tests, TAP-like output,
// a summary line "<suite>: N passed, M failed, K skipped", and a results file for run.sh.
const fs = require('fs');
const path = require('path');
const http = require('http');
const { execFile } = require('child_process');

const HERE = __dirname;
const WP_TESTS = path.resolve(HERE, '..');
const STATE = process.env.UMW_WP_STATE || '/tmp/umw-wp';

function loadEnv() {
  const f = path.join(STATE, 'env.json');
  if (!fs.existsSync(f)) throw new Error(`${f} missing: run tests/wp/env.sh up first`);
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

class Skip extends Error {}

function createSuite(name) {
  const tests = [];
  const results = { suite: name, passed: 0, failed: 0, skipped: 0, failures: [] };
  const suite = {
    test(title, fn) { tests.push({ title, fn }); },
    skip(reason) { throw new Skip(reason); },
    results,
    async run() {
      const t0 = Date.now();
      for (const t of tests) {
        const s = Date.now();
        try {
          await t.fn();
          results.passed++;
          console.log(`ok - ${name}: ${t.title} (${Date.now() - s} ms)`);
        } catch (e) {
          if (e instanceof Skip) {
            results.skipped++;
            console.log(`ok - ${name}: ${t.title} # SKIP ${e.message}`);
          } else {
            results.failed++;
            results.failures.push({ title: t.title, error: String(e && e.stack || e) });
            console.log(`not ok - ${name}: ${t.title}\n${indent(String(e && e.stack || e))}`);
          }
        }
      }
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(`# ${name}: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped (${secs}s)`);
      const out = process.env.UMW_WP_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
      return results;
    },
  };
  return suite;
}

function indent(s) { return s.split('\n').map((l) => '    ' + l).join('\n'); }

// ----------------------------------------------------------------------------- assertions
function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }
function eq(a, b, msg) { if (a !== b) throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); }
function contains(hay, needle, msg) {
  if (!String(hay).includes(needle)) throw new Error(`${msg}: expected to find ${JSON.stringify(needle)} in ${snippet(hay)}`);
}
function notContains(hay, needle, msg) {
  const i = String(hay).indexOf(needle);
  if (i >= 0) throw new Error(`${msg}: did not expect ${JSON.stringify(needle)}; found near: ${String(hay).slice(Math.max(0, i - 200), i + 200)}`);
}
function snippet(s, n = 600) {
  s = String(s);
  const body = s.replace(/<head>[\s\S]*?<\/head>/i, '').replace(/<script[\s\S]*?<\/script>/gi, '').replace(/\s+/g, ' ');
  return JSON.stringify(body.length > n ? body.slice(0, n) + '…' : body);
}

// ----------------------------------------------------------------------------- HTTP client with cookie jar
class Client {
  constructor(base, opts = {}) {
    this.base = base.replace(/\/$/, '');
    this.cookies = new Map();
    this.auth = opts.auth || null; // {user, pass} for basic auth (application passwords)
  }
  url(p) { return /^https?:/.test(p) ? p : this.base + (p.startsWith('/') ? p : '/' + p); }
  cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  storeCookies(res) {
    const list = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
    for (const c of list) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i).trim(), v = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /expires=.*19[0-9]{2}/i.test(a) || /max-age=0/i.test(a)) || v === 'deleted';
      if (expired) this.cookies.delete(k); else this.cookies.set(k, v);
    }
  }
  // request(method, path, {form, json, body, headers, follow}) -> {status, headers, text, json(), url, redirects}
  async request(method, p, o = {}) {
    let url = this.url(p);
    let body, headers = Object.assign({}, o.headers || {});
    if (o.form) {
      body = o.form instanceof URLSearchParams ? o.form.toString() : new URLSearchParams(flattenForm(o.form)).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] = 'application/json';
    } else if (o.body !== undefined) body = o.body;
    const redirects = [];
    for (let hop = 0; hop < 10; hop++) {
      const h = Object.assign({}, headers);
      if (this.cookies.size) h.cookie = this.cookieHeader();
      if (this.auth) h.authorization = 'Basic ' + Buffer.from(`${this.auth.user}:${this.auth.pass}`).toString('base64');
      const res = await fetch(url, { method, headers: h, body, redirect: 'manual', signal: AbortSignal.timeout(o.timeout || 60000) });
      this.storeCookies(res);
      const loc = res.headers.get('location');
      if (o.follow !== false && loc && res.status >= 300 && res.status < 400) {
        redirects.push({ status: res.status, location: loc });
        await res.arrayBuffer();
        url = new URL(loc, url).toString();
        if (res.status !== 307 && res.status !== 308) { method = 'GET'; body = undefined; delete headers['content-type']; }
        continue;
      }
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, url, redirects, location: loc,
        json() { try { return JSON.parse(text); } catch (e) { throw new Error(`not JSON (${res.status}): ${snippet(text)}`); } } };
    }
    throw new Error('too many redirects: ' + JSON.stringify(redirects));
  }
  get(p, o) { return this.request('GET', p, o); }
  post(p, o) { return this.request('POST', p, o); }

  async login(user, pass) {
    await this.get('/wp-login.php'); // sets wordpress_test_cookie
    this.cookies.set('wordpress_test_cookie', 'WP%20Cookie%20check');
    const r = await this.post('/wp-login.php', { form: { log: user, pwd: pass, 'wp-submit': 'Log In', testcookie: '1', redirect_to: this.base + '/wp-admin/' }, follow: false });
    if (r.status !== 302) throw new Error(`login as ${user} failed: HTTP ${r.status} ${snippet(r.text)}`);
    if (![...this.cookies.keys()].some((k) => k.startsWith('wordpress_logged_in_'))) throw new Error(`login as ${user}: no logged-in cookie`);
    return r;
  }
}

function flattenForm(obj) {
  // {a: 'x', 'events[]': ['a','b']} or [[k,v],...] -> [[k,v],...]
  if (Array.isArray(obj)) return obj;
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v)) for (const x of v) out.push([k, String(x)]);
    else if (v !== undefined && v !== null) out.push([k, String(v)]);
  }
  return out;
}

// ----------------------------------------------------------------------------- tiny HTML form parsing
function decodeEntities(s) {
  return String(s).replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#039);/gi, (m, e) => {
    e = e.toLowerCase();
    if (e === 'amp') return '&'; if (e === 'lt') return '<'; if (e === 'gt') return '>';
    if (e === 'quot') return '"'; if (e === 'apos' || e === '#039') return "'";
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    return String.fromCodePoint(parseInt(e.slice(1), 10));
  });
}
function attrs(tag) {
  const out = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  const inner = tag.replace(/^<\s*[a-zA-Z0-9]+/, '').replace(/\/?>$/, '');
  while ((m = re.exec(inner))) out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}
// Parse all <form>s: [{action, method, attrs, html, fields: [{name, type, value, checked, tag, options}]}]
function parseForms(html) {
  const forms = [];
  const re = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const open = m[0].match(/^<form\b[^>]*>/i)[0];
    const a = attrs(open);
    const body = m[1];
    const fields = [];
    const fre = /<(input|select|textarea|button)\b[^>]*>([\s\S]*?<\/\1>)?/gi;
    let f;
    while ((f = fre.exec(body))) {
      const tag = f[1].toLowerCase();
      const fa = attrs(f[0].match(/^<[^>]*>/)[0]);
      if (!fa.name) continue;
      const field = { tag, name: fa.name, type: (fa.type || (tag === 'input' ? 'text' : tag)).toLowerCase(), value: fa.value ?? '', checked: 'checked' in fa, attrs: fa };
      if (tag === 'textarea') field.value = decodeEntities((f[2] || '').replace(/<\/textarea>$/i, ''));
      if (tag === 'select') {
        field.options = [];
        const ore = /<option\b[^>]*>([\s\S]*?)(?=<option\b|<\/select>|$)/gi;
        let o;
        while ((o = ore.exec(f[2] || ''))) {
          const oa = attrs(o[0].match(/^<option\b[^>]*>/i)[0]);
          const label = decodeEntities(o[1].replace(/<[^>]*>/g, '').trim());
          field.options.push({ value: oa.value ?? label, label, selected: 'selected' in oa });
        }
        field.multiple = 'multiple' in fa;
        const sel = field.options.filter((x) => x.selected);
        field.value = field.multiple ? sel.map((x) => x.value) : (sel[0] || field.options[0] || { value: '' }).value;
      }
      fields.push(field);
    }
    forms.push({ action: a.action ?? '', method: (a.method || 'get').toLowerCase(), attrs: a, html: m[0], fields });
  }
  return forms;
}
// The default submission of a form, as a browser would send it (without clicking a named button).
function formData(form, { button } = {}) {
  const out = [];
  for (const f of form.fields) {
    if (f.attrs.disabled !== undefined) continue;
    if (f.tag === 'button' || ['submit', 'image', 'reset', 'button'].includes(f.type)) {
      if (button && f.name === button) out.push([f.name, f.value]);
      continue;
    }
    if ((f.type === 'checkbox' || f.type === 'radio') && !f.checked) continue;
    if (f.tag === 'select' && f.multiple) { for (const v of f.value) out.push([f.name, v]); continue; }
    out.push([f.name, f.type === 'checkbox' && f.value === '' ? 'on' : f.value]);
  }
  return out;
}
function setField(data, name, value) {
  const rest = data.filter(([k]) => k !== name);
  if (Array.isArray(value)) for (const v of value) rest.push([name, v]); else rest.push([name, value]);
  return rest;
}
function textOf(html) {
  return decodeEntities(String(html).replace(/<script[\s\S]*?<\/script>/gi, ' ').replace(/<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

// ----------------------------------------------------------------------------- local webhook receiver
// An HTTP server on 127.0.0.1 (free port) that records every request (also appended to a JSONL file).
async function startReceiver({ file, status = 200, body = '{"ok":true}' } = {}) {
  const requests = [];
  const waiters = [];
  const rcv = { requests, status, body, delay: null, port: 0, url: '', file };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const rec = { time: Date.now() / 1000, method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      if (file) fs.appendFileSync(file, JSON.stringify(rec) + '\n');
      const code = typeof rcv.status === 'function' ? rcv.status(rec) : rcv.status;
      const answer = () => {
        res.writeHead(code, { 'content-type': 'application/json', 'x-receiver': 'umw-node' });
        res.end(rcv.body);
        for (const w of waiters.splice(0)) w();
      };
      // rcv.delay(rec) → ms: a slow endpoint (e.g. to watch the admin wait for Send Test Event).
      const wait = typeof rcv.delay === 'function' ? rcv.delay(rec) : 0;
      if (wait > 0) setTimeout(answer, wait); else answer();
    });
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  rcv.port = server.address().port;
  rcv.url = `http://127.0.0.1:${rcv.port}`;
  rcv.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); });
  // Wait until a request matching pred arrives (or timeout).
  rcv.waitFor = async (pred, timeoutMs = 20000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = requests.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver: no matching request within ${timeoutMs} ms (got ${requests.length}: ${requests.map((r) => r.method + ' ' + r.path + ' ' + (r.headers['x-umw-event'] || '')).join(', ')})`);
      await new Promise((r) => { const t = setTimeout(r, Math.min(left, 250)); waiters.push(() => { clearTimeout(t); r(); }); });
    }
  };
  return rcv;
}

// ----------------------------------------------------------------------------- php-cli against the test WP
// Async on purpose: the local receiver lives in this process and must keep answering meanwhile.
async function wpPhp(script, args = [], { env = {}, json = true } = {}) {
  const out = await new Promise((resolve, reject) => {
    execFile(path.join(WP_TESTS, 'wp-php.sh'), [script, ...args.map(String)], {
      env: Object.assign({}, process.env, env), encoding: 'utf8', timeout: 60000, maxBuffer: 16 << 20,
    }, (err, stdout, stderr) => (err ? reject(new Error(`${path.basename(script)} failed: ${err.message}\n${stderr}\n${stdout}`.slice(0, 4000))) : resolve(stdout)));
  });
  if (!json) return out;
  const line = out.trim().split('\n').pop();
  try { return JSON.parse(line); } catch (e) { throw new Error(`${path.basename(script)}: not JSON: ${out.slice(-2000)}`); }
}

function debugLogSize(env) { try { return fs.statSync(env.WP_DEBUG_LOG_FILE).size; } catch { return 0; } }
// PHP errors logged since offset that mention the plugin (fatal/warning/notice/deprecated from php/ code).
function pluginErrorsSince(env, offset) {
  let s = '';
  try { const fd = fs.openSync(env.WP_DEBUG_LOG_FILE, 'r'); const st = fs.fstatSync(fd); const b = Buffer.alloc(Math.max(0, st.size - offset)); fs.readSync(fd, b, 0, b.length, offset); fs.closeSync(fd); s = b.toString('utf8'); } catch { return []; }
  const entries = s.split(/\n(?=\[\d{2}-[A-Za-z]{3}-\d{4} )/);
  return entries.filter((e) => /PHP (Fatal|Warning|Notice|Deprecated|Parse)/.test(e) && (/plugins\/umw\/|\/work\/[^ ]*\/php\/|Umw\\|umw_/.test(e)));
}

module.exports = {
  STATE, WP_TESTS, loadEnv, createSuite, Skip, assert, eq, contains, notContains, snippet,
  Client, parseForms, formData, setField, textOf, decodeEntities, attrs, startReceiver, wpPhp,
  debugLogSize, pluginErrorsSince,
};
