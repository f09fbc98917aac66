// server.mjs — the black-box test harness: starts the real tradeflow binary
// (TF_BIN, the ASan + UBSan build under `make test`) on a free loopback port
// against a fresh SQLite file or a fresh database in the test PostgreSQL
// cluster (TF_PG_URL), loads the demo company, and gives tests an HTTP client
// that keeps the session cookie and CSRF token like the browser does.
// stop() sends SIGTERM and fails if the server did not exit cleanly or if a
// sanitizer reported anything.
import { spawn, execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = process.env.TF_BIN || resolve(import.meta.dirname, '../../tradeflow');
export const PASSWORD = 'demo123';

/** Engines to run API tests on: sqlite always, pg when the cluster is up. */
export function engines() {
  return process.env.TF_PG_URL ? ['sqlite', 'pg'] : ['sqlite'];
}

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

let dbCounter = 0;
/** A new empty database URL for the engine (and a cleanup function). */
export function newDatabase(engine) {
  if (engine === 'pg') {
    const admin = process.env.TF_PG_URL;
    if (!admin) throw new Error('TF_PG_URL is not set: no PostgreSQL for the tests');
    const name = `tf_${process.pid}_${Date.now()}_${dbCounter++}`;
    execFileSync('psql', [admin, '-q', '-c', `CREATE DATABASE ${name}`]);
    const url = admin.replace(/\/[^/]*$/, `/${name}`);
    return { url, cleanup() {} };
  }
  const dir = mkdtempSync(join(process.env.TF_TMP || tmpdir(), 'tf-db-'));
  return { url: `sqlite:${join(dir, 'test.db')}`, path: join(dir, 'test.db'), dir,
           cleanup() { rmSync(dir, { recursive: true, force: true }); } };
}

export function run(args, opts = {}) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/**
 * Starts a server. Options: engine ('sqlite' | 'pg'), demo (load the demo
 * company, default true), threads, env (extra environment), db (an existing
 * database from newDatabase() to serve as it is: no demo, no init).
 */
export async function startServer({ engine = 'sqlite', demo = true, threads = 4, env = {}, db: given } = {}) {
  const db = given || newDatabase(engine);
  if (given) { /* served as it is */ }
  else if (demo) run(['demo', '--db', db.url]);
  else run(['init', '--db', db.url]);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(BIN, ['serve', '--db', db.url, '--listen', `127.0.0.1:${port}`,
                           '--threads', String(threads)],
                     { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (proc.exitCode !== null || i > 200) {
      throw new Error(`server did not start:\n${stderr}`);
    }
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const server = {
    url, engine, db, proc,
    get stderr() { return stderr; },
    client(opts) { return new Client(url, opts); },
    /** Signs in and returns the client. */
    async login(login, password = PASSWORD) {
      const c = new Client(url);
      const r = await c.post('/api/v1/session', { login, password });
      if (r.status !== 200) throw new Error(`login ${login} failed: ${r.status} ${r.text}`);
      return c;
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const { code, signal } = await exited;
      db.cleanup();
      const bad = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/.exec(stderr);
      if (bad || code !== 0) {
        throw new Error(`server exited with ${code ?? signal}${bad ? ' and a sanitizer report' : ''}:\n${stderr.slice(-8000)}`);
      }
    },
  };
  return server;
}

/** An HTTP client that behaves like the browser: cookie jar + CSRF header. */
export class Client {
  constructor(base, { csrf = true } = {}) {
    this.base = base;
    this.cookie = null;
    this.csrf = null;
    this.sendCsrf = csrf;
    this.bearer = null;
  }

  async request(method, path, body, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (this.csrf && this.sendCsrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof Uint8Array) payload = body;
      else payload = JSON.stringify(body);
      if (!h['Content-Type']) h['Content-Type'] = 'application/json';
    }
    const r = await fetch(this.base + path, { method, headers: h, body: payload });
    const setCookie = r.headers.get('set-cookie');
    if (setCookie) {
      const m = /tf_session=([^;]*)/.exec(setCookie);
      if (m) this.cookie = m[1] ? `tf_session=${m[1]}` : null;
    }
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    if (json && json.csrf_token) this.csrf = json.csrf_token;
    return { status: r.status, headers: r.headers, text, body: json };
  }

  get(path, headers) { return this.request('GET', path, undefined, headers); }
  post(path, body, headers) { return this.request('POST', path, body, headers); }
  patch(path, body, headers) { return this.request('PATCH', path, body, headers); }
  put(path, body, headers) { return this.request('PUT', path, body, headers); }
  delete(path, headers) { return this.request('DELETE', path, undefined, headers); }
}

/**
 * One HTTP request sent as it is (node:http: the path is not normalised, the
 * body is not decoded): { status, headers, body: Buffer }. For path tricks
 * and for seeing Content-Encoding, which fetch hides.
 */
export function rawRequest(base, path, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Asserts a problem+json reply with the status and code. */
export function assertProblem(assert, r, status, code) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /application\/problem\+json/);
  if (code) assert.equal(r.body.code, code, `expected code ${code}: ${r.text}`);
}
