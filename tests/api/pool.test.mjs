// pool.test.mjs — the customer pool and the three ways of assignment: apply
// (decided in the approvals inbox), assign / take back in batches, claim (one,
// a random batch, races), release; the pool rules; the automatic take-back
// job with its warning; moves and history with reasons. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, run, assertProblem } from '../lib/server.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const daysAgo = (d) => new Date(Date.now() - d * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');

/** Runs SQL against the server's database through the engine's own CLI. */
function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text],
      { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}

/**
 * Runs the pool_takeback job now through the CLI, like an operator would,
 * against the database the server uses. The server's own job thread holds
 * the job's lease between its rounds, so the lease is handed over first; if
 * the server's thread takes it in that instant, it has done the same work
 * (the job is idempotent) and the CLI simply runs again.
 */
async function runTakeback(srv) {
  for (let i = 0; i < 40; i++) {
    sql(srv, "UPDATE job_leases SET until = NULL WHERE name = 'pool_takeback'");
    try {
      return run(['jobs', 'run', 'pool_takeback', '--db', srv.db.url]);
    } catch (e) {
      if (!/another server/.test(String(e.stderr))) throw new Error(`jobs run failed: ${e.stderr}`);
    }
    await sleep(250);
  }
  throw new Error('could not take the pool_takeback lease');
}

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `139${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

for (const engine of engines()) {
  describe(`customer pool [${engine}]`, () => {
    let srv, admin, wang, li, huang, zhang, chen, liu, zhao;
    const ids = {};

    /** A new pool customer entered by wang (sales manager); returns its id. */
    async function poolCustomer(name = `公海测试客户 Pool ${uniq()}`, extra = {}) {
      const r = await wang.post('/api/v1/customers', { name, phone: phone(), owner_id: null, ...extra });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.owner_id, null);
      return r.body.id;
    }
    async function owner(id) {
      const r = await admin.get(`/api/v1/customers/${id}`);
      assert.equal(r.status, 200, r.text);
      return r.body.owner_id;
    }
    async function rules(patch) {
      const r = await admin.put('/api/v1/settings/pool_rules', patch);
      assert.equal(r.status, 200, r.text);
    }
    async function moves(id) {
      const r = await admin.get(`/api/v1/customers/${id}/moves`);
      assert.equal(r.status, 200, r.text);
      return r.body.items;
    }

    before(async () => {
      srv = await startServer({ engine });
      [admin, wang, li, huang, zhang, chen, liu, zhao] = await Promise.all(
        ['admin', 'wang', 'li', 'huang', 'zhang', 'chen', 'liu', 'zhao'].map((l) => srv.login(l)));
      for (const [k, c] of Object.entries({ wang, li, huang, zhang, chen, liu, zhao })) {
        ids[k] = (await c.get('/api/v1/me')).body.id;
      }
      // generous limits; each test sets the rule it is about
      await rules({ max_owned: 500, claims_per_day: 1000, claim_batch_max: 10, reclaim_cooldown_days: 30 });
    });
    after(async () => { await srv.stop(); });

    it('apply → the manager approves in the approvals inbox → the customer is the applicant\'s', async () => {
      const cid = await poolCustomer();
      assertProblem(assert, await zhang.post(`/api/v1/customers/${cid}/apply`, {}), 422, 'validation_failed');
      assertProblem(assert, await zhang.post(`/api/v1/customers/${cid}/apply`, { reason: '' }), 422);
      assertProblem(assert, await zhang.post(`/api/v1/customers/${cid}/apply`, { reason: 'x'.repeat(501) }), 422);
      assertProblem(assert, await zhang.post('/api/v1/customers/99999999/apply', { reason: '需要' }), 404);
      const a = await zhang.post(`/api/v1/customers/${cid}/apply`, { reason: '客户有扩产计划 Expansion' });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.body.state, 'pending');
      assert.equal(a.body.customer_id, cid);
      assert.equal(a.body.applicant_id, ids.zhang);
      assert.ok(a.body.request_id > 0);
      // one pending application per applicant and customer
      const again = await zhang.post(`/api/v1/customers/${cid}/apply`, { reason: '再次' });
      assertProblem(assert, again, 409, 'duplicate');
      assert.equal(again.body.application_id, a.body.id);
      // a salesperson cannot apply on behalf of no one: wrong role is refused by the route
      assertProblem(assert, await (await srv.login('sun')).post(`/api/v1/customers/${cid}/apply`, { reason: 'x' }), 403);
      assert.equal(await owner(cid), null, 'still in the pool while pending');

      // li (zhang's manager) sees it in the inbox and in box=all; chen does not
      const inbox = await li.get('/api/v1/approvals?box=inbox&doc_type=customer_application');
      assert.ok(inbox.body.items.some((x) => x.id === a.body.request_id), inbox.text);
      const all = await li.get('/api/v1/customer-applications?box=all&state=pending');
      assert.ok(all.body.items.some((x) => x.id === a.body.id));
      assertProblem(assert, await chen.get('/api/v1/customer-applications?box=all'), 403);
      assertProblem(assert, await chen.get(`/api/v1/customer-applications/${a.body.id}`), 404);
      assertProblem(assert, await huang.get(`/api/v1/customer-applications/${a.body.id}`), 404);
      assertProblem(assert, await li.get('/api/v1/customer-applications?box=everything'), 400);
      assertProblem(assert, await li.get('/api/v1/customer-applications?state=won'), 400);
      const mine = await zhang.get('/api/v1/customer-applications?box=mine');
      assert.ok(mine.body.items.some((x) => x.id === a.body.id));
      assert.ok(!(await chen.get('/api/v1/customer-applications')).body.items.some((x) => x.id === a.body.id));
      // the manager can read the request (the doc type's can_view)
      const rq = await li.get(`/api/v1/approvals/${a.body.request_id}`);
      assert.equal(rq.status, 200, rq.text);

      const ok = await li.post(`/api/v1/approvals/${a.body.request_id}/approve`, { version: rq.body.version, comment: '同意' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.state, 'approved');
      const app = await zhang.get(`/api/v1/customer-applications/${a.body.id}`);
      assert.equal(app.body.state, 'approved');
      assert.ok(app.body.decided_at);
      assert.equal(await owner(cid), ids.zhang);
      const m = await moves(cid);
      assert.equal(m[0].kind, 'apply');
      assert.equal(m[0].to_owner_id, ids.zhang);
      assert.equal(m[0].reason, '客户有扩产计划 Expansion');
      assert.equal(m[0].actor_id, ids.li, 'the approver made the move');
      // no longer in the pool: a new application is refused and says who has it
      const late = await chen.post(`/api/v1/customers/${cid}/apply`, { reason: '我也要' });
      assertProblem(assert, late, 409, 'conflict');
      assert.equal(late.body.winner.id, ids.zhang);
    });

    it('apply → the manager rejects → the customer stays in the pool', async () => {
      const cid = await poolCustomer();
      const a = await chen.post(`/api/v1/customers/${cid}/apply`, { reason: '老客户介绍' });
      assert.equal(a.status, 201, a.text);
      const rq = await li.get(`/api/v1/approvals/${a.body.request_id}`);
      assertProblem(assert, await li.post(`/api/v1/approvals/${a.body.request_id}/reject`, { version: rq.body.version }), 422);
      const no = await li.post(`/api/v1/approvals/${a.body.request_id}/reject`, { version: rq.body.version, comment: '该客户由其他组跟进' });
      assert.equal(no.status, 200, no.text);
      assert.equal((await chen.get(`/api/v1/customer-applications/${a.body.id}`)).body.state, 'rejected');
      assert.equal(await owner(cid), null);
      assert.equal((await moves(cid)).filter((x) => x.kind !== 'create').length, 0);
      // the applicant may withdraw a new one: cancelled
      const b = await chen.post(`/api/v1/customers/${cid}/apply`, { reason: '再申请' });
      assert.equal(b.status, 201, b.text);
      const c = await chen.post(`/api/v1/approvals/${b.body.request_id}/cancel`, {});
      assert.equal(c.status, 200, c.text);
      assert.equal((await chen.get(`/api/v1/customer-applications/${b.body.id}`)).body.state, 'cancelled');
      assert.equal(await owner(cid), null);
    });

    it('apply while someone else claims → the application ends lost, saying who got it', async () => {
      const cid = await poolCustomer();
      const a = await zhang.post(`/api/v1/customers/${cid}/apply`, { reason: '想要' });
      assert.equal(a.status, 201, a.text);
      const claim = await chen.post(`/api/v1/customers/${cid}/claim`, { reason: '电话联系上了' });
      assert.equal(claim.status, 200, claim.text);
      assert.equal(claim.body.owner_id, ids.chen);
      const rq = await li.get(`/api/v1/approvals/${a.body.request_id}`);
      const ok = await li.post(`/api/v1/approvals/${a.body.request_id}/approve`, { version: rq.body.version });
      assert.equal(ok.status, 200, ok.text);
      const app = (await zhang.get(`/api/v1/customer-applications/${a.body.id}`)).body;
      assert.equal(app.state, 'lost');
      assert.match(app.outcome_note, /陈静 Chen Jing/);
      assert.match(app.outcome_note, /claim/);
      assert.equal(await owner(cid), ids.chen, 'the claim stands');
      assert.equal((await li.get(`/api/v1/customer-applications?box=all&state=lost&customer_id=${cid}`)).body.items.length, 1);
    });

    it('a manager assigns and takes back in batches; a salesperson is refused and nothing changes', async () => {
      const tag = `批量 Batch ${uniq()}`;
      const c1 = await poolCustomer(`${tag} A`), c2 = await poolCustomer(`${tag} B`), c3 = await poolCustomer(`${tag} C`);
      // salespeople hold no customers.assign: 403, and nothing moved
      assertProblem(assert, await zhang.post('/api/v1/customers/assign', { ids: [c1], owner_id: ids.zhang }), 403, 'forbidden');
      assertProblem(assert, await zhang.post('/api/v1/customers/takeback', { ids: [c1], reason: 'x' }), 403, 'forbidden');
      assert.equal(await owner(c1), null);

      // bad inputs
      assertProblem(assert, await li.post('/api/v1/customers/assign', { owner_id: ids.chen }), 422);
      assertProblem(assert, await li.post('/api/v1/customers/assign', { ids: [c1], filter: { owner: 'pool' }, owner_id: ids.chen }), 422);
      assertProblem(assert, await li.post('/api/v1/customers/assign', { ids: [], owner_id: ids.chen }), 422);
      assertProblem(assert, await li.post('/api/v1/customers/assign', { ids: ['x', -1], owner_id: ids.chen }), 422);
      assertProblem(assert, await li.post('/api/v1/customers/assign', { ids: [c1] }), 422);
      assertProblem(assert, await li.post('/api/v1/customers/assign', { ids: Array.from({ length: 1001 }, (_, i) => i + 1), owner_id: ids.chen }), 422);
      assertProblem(assert, await li.post('/api/v1/customers/assign', { filter: { colour: 'red' }, owner_id: ids.chen }), 422);
      assertProblem(assert, await li.post('/api/v1/customers/assign', { filter: { level_id: 'abc' }, owner_id: ids.chen }), 422);
      const longKey = await li.post('/api/v1/customers/assign', { filter: { ['客'.repeat(30)]: 1 }, owner_id: ids.chen });
      assertProblem(assert, longKey, 422);
      assert.match(longKey.body.errors[0].field, /^filter\.客+$/);
      assertProblem(assert, await li.post('/api/v1/customers/takeback', { ids: [c1] }), 422);
      // liu is not li's to assign to; sun is not a salesperson
      const notMine = await li.post('/api/v1/customers/assign', { ids: [c1], owner_id: ids.liu });
      assertProblem(assert, notMine, 422);
      assert.ok(notMine.body.errors.some((e) => e.field === 'owner_id'));

      // all or nothing: one customer li may not manage (liu's, North China) spoils the batch
      const liuOwn = (await liu.get('/api/v1/customers?owner=me&q=河南平高')).body.items[0].id;
      const mixed = await li.post('/api/v1/customers/assign', { ids: [c1, liuOwn, 99999999], owner_id: ids.chen, reason: '试' });
      assertProblem(assert, mixed, 422, 'validation_failed');
      const errIds = mixed.body.errors.map((e) => e.id).sort((a, b) => a - b);
      assert.deepEqual(errIds, [liuOwn, 99999999].sort((a, b) => a - b));
      assert.equal(await owner(c1), null, 'nothing was assigned');
      assert.equal(await owner(liuOwn), ids.liu);

      const ok = await li.post('/api/v1/customers/assign', { ids: [c1, c2, c2], owner_id: ids.chen, reason: '华东新客户 East China' });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body.moved.sort(), [c1, c2].sort());
      assert.equal(await owner(c1), ids.chen);
      assert.equal(await owner(c2), ids.chen);
      // by filter: the rest of the tag still in the pool
      const byFilter = await li.post('/api/v1/customers/assign', { filter: { q: tag, owner: 'pool' }, owner_id: ids.zhang, reason: '按筛选分配' });
      assert.equal(byFilter.status, 200, byFilter.text);
      assert.deepEqual(byFilter.body.moved, [c3]);
      assert.equal(await owner(c3), ids.zhang);
      assertProblem(assert, await li.post('/api/v1/customers/assign', { filter: { q: tag, owner: 'pool' }, owner_id: ids.zhang }), 422);
      // reassigning to the same owner changes nothing
      const same = await li.post('/api/v1/customers/assign', { ids: [c1], owner_id: ids.chen });
      assert.deepEqual(same.body.moved, []);
      assert.deepEqual(same.body.unchanged, [c1]);

      // take back: salesperson refused; the manager moves them into the pool
      const tb = await li.post('/api/v1/customers/takeback', { ids: [c1, c2, c3], reason: '季度调整 Quarterly review' });
      assert.equal(tb.status, 200, tb.text);
      assert.equal(tb.body.moved.length, 3);
      for (const c of [c1, c2, c3]) assert.equal(await owner(c), null);
      const d = (await admin.get(`/api/v1/customers/${c1}`)).body;
      assert.equal(d.protected, false);
      const m = await moves(c1);
      assert.equal(m[0].kind, 'takeback');
      assert.equal(m[0].from_owner_id, ids.chen);
      assert.equal(m[0].reason, '季度调整 Quarterly review');
      assert.equal(m[1].kind, 'assign');
      assert.equal(m[1].reason, '华东新客户 East China');
      // the previous owner is in the reclaim cooldown
      assertProblem(assert, await chen.post(`/api/v1/customers/${c1}/claim`), 409, 'conflict');
    });

    it('claims respect max_owned, claims_per_day and the reclaim cooldown with clear problems', async () => {
      const owned = (await zhao.get('/api/v1/customers?owner=me&limit=500')).body.items.length;
      const [p1, p2, p3] = [await poolCustomer(), await poolCustomer(), await poolCustomer()];
      await rules({ max_owned: owned + 1, claims_per_day: 1000, reclaim_cooldown_days: 30 });
      assert.equal((await zhao.post(`/api/v1/customers/${p1}/claim`, { reason: '老客户介绍' })).status, 200);
      const full = await zhao.post(`/api/v1/customers/${p2}/claim`);
      assertProblem(assert, full, 409, 'conflict');
      assert.equal(full.body.limit, 'max_owned');
      assert.equal(full.body.max, owned + 1);
      assert.match(full.body.detail, /at most/);
      assert.equal(await owner(p2), null, 'nothing changed');
      // an application is held to max_owned too
      const fullApp = await zhao.post(`/api/v1/customers/${p2}/apply`, { reason: 'x' });
      assertProblem(assert, fullApp, 409);
      assert.equal(fullApp.body.limit, 'max_owned');

      // claims per day: zhao claimed 1 in the last 24 hours
      await rules({ max_owned: 500, claims_per_day: 2 });
      assert.equal((await zhao.post(`/api/v1/customers/${p2}/claim`)).status, 200);
      const tooMany = await zhao.post(`/api/v1/customers/${p3}/claim`);
      assertProblem(assert, tooMany, 409, 'conflict');
      assert.equal(tooMany.body.limit, 'claims_per_day');
      assert.equal(tooMany.body.current, 2);
      assert.equal(await owner(p3), null);
      const batch = await zhao.post('/api/v1/customers/claim', { count: 1 });
      assertProblem(assert, batch, 409);
      assert.equal(batch.body.limit, 'claims_per_day');

      // release (owner only, with a reason), then the cooldown
      await rules({ claims_per_day: 1000 });
      assertProblem(assert, await zhao.post(`/api/v1/customers/${p1}/release`, {}), 422);
      assertProblem(assert, await liu.post(`/api/v1/customers/${p1}/release`, { reason: 'x' }), 404);
      assertProblem(assert, await huang.post(`/api/v1/customers/${p1}/release`, { reason: 'x' }), 403);
      const rel = await zhao.post(`/api/v1/customers/${p1}/release`, { reason: '客户倒闭 Out of business' });
      assert.equal(rel.status, 200, rel.text);
      assert.equal(rel.body.owner_id, null);
      assertProblem(assert, await zhao.post(`/api/v1/customers/${p1}/release`, { reason: 'again' }), 409);
      const cool = await zhao.post(`/api/v1/customers/${p1}/claim`);
      assertProblem(assert, cool, 409, 'conflict');
      assert.equal(cool.body.limit, 'reclaim_cooldown');
      assert.ok(cool.body.until > new Date().toISOString());
      assert.equal(await owner(p1), null);
      // others may claim it; with the cooldown off the previous owner may too
      await rules({ reclaim_cooldown_days: 0 });
      assert.equal((await zhao.post(`/api/v1/customers/${p1}/claim`)).status, 200);
      await rules({ reclaim_cooldown_days: 30 });

      // bad inputs and refusals
      assertProblem(assert, await zhao.post('/api/v1/customers/99999999/claim'), 404);
      assertProblem(assert, await zhao.post('/api/v1/customers/abc/claim'), 404);
      assertProblem(assert, await zhao.post(`/api/v1/customers/${p3}/claim`, { reason: 5 }), 422);
      assertProblem(assert, await zhao.post(`/api/v1/customers/${p3}/claim`, { why: 'x' }), 422);
      const yours = await zhao.post(`/api/v1/customers/${p1}/claim`);
      assertProblem(assert, yours, 409);
      assert.equal(yours.body.reason, 'already_yours');
      // a customer that was never in the pool and is not visible: 404, its owner stays hidden
      const liuOwn = (await liu.get('/api/v1/customers?owner=me&q=河南平高')).body.items[0];
      assertProblem(assert, await zhang.post(`/api/v1/customers/${liuOwn.id}/claim`), 404);
      await rules({ max_owned: 500, claims_per_day: 1000 });
    });

    it('two salespeople claiming one customer at the same instant: exactly one wins, the other is told who', async () => {
      const names = { [ids.zhang]: '张伟 Zhang Wei', [ids.chen]: '陈静 Chen Jing' };
      for (let round = 0; round < 6; round++) {
        const cid = await poolCustomer();
        const [a, b] = await Promise.all([
          zhang.post(`/api/v1/customers/${cid}/claim`, { reason: 'race' }),
          chen.post(`/api/v1/customers/${cid}/claim`, { reason: 'race' }),
        ]);
        const statuses = [a.status, b.status].sort();
        assert.deepEqual(statuses, [200, 409], `round ${round}: ${a.text} | ${b.text}`);
        const [win, lose] = a.status === 200 ? [a, b] : [b, a];
        const winner = win.body.owner_id;
        assert.equal(await owner(cid), winner);
        assertProblem(assert, lose, 409, 'conflict');
        assert.equal(lose.body.winner.id, winner);
        assert.equal(lose.body.winner.name, names[winner]);
        assert.ok(lose.body.detail.includes(names[winner]), lose.body.detail);
        const claims = (await moves(cid)).filter((x) => x.kind === 'claim');
        assert.equal(claims.length, 1, 'one move only');
      }
    });

    it('a random batch claim respects count, the pool, the filters and claim_batch_max', async () => {
      const reg = await admin.post('/api/v1/dictionaries', { kind: 'region', name: `测试省 ${uniq()}` });
      assert.equal(reg.status, 201, reg.text);
      const city = await admin.post('/api/v1/dictionaries', { kind: 'region', name: `测试市 ${uniq()}`, parent_id: reg.body.id });
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await poolCustomer(undefined, { region_id: city.body.id }));
      await rules({ claim_batch_max: 3, claims_per_day: 1000, max_owned: 500 });
      const big = await liu.post('/api/v1/customers/claim', { count: 4, region_id: reg.body.id });
      assertProblem(assert, big, 422, 'validation_failed');
      assert.equal(big.body.errors[0].field, 'count');
      assertProblem(assert, await liu.post('/api/v1/customers/claim', { count: 0 }), 422);
      assertProblem(assert, await liu.post('/api/v1/customers/claim', { count: 1001 }), 422);
      assertProblem(assert, await liu.post('/api/v1/customers/claim', {}), 422);
      assertProblem(assert, await liu.post('/api/v1/customers/claim', { count: '3' }), 422);
      assertProblem(assert, await wang.post('/api/v1/customers/claim', { count: 1, colour: 1 }), 422);
      assertProblem(assert, await admin.post('/api/v1/customers/claim', { count: 1 }), 403);

      // the parent region covers the city (sub-regions count)
      const r1 = await liu.post('/api/v1/customers/claim', { count: 3, region_id: reg.body.id, reason: '随机领取' });
      assert.equal(r1.status, 200, r1.text);
      assert.equal(r1.body.claimed, 3);
      assert.equal(r1.body.items.length, 3);
      for (const c of r1.body.items) {
        assert.ok(made.includes(c.id));
        assert.equal(c.owner_id, ids.liu);
      }
      const r2 = await zhao.post('/api/v1/customers/claim', { count: 3, region_id: city.body.id });
      assert.equal(r2.status, 200, r2.text);
      assert.equal(r2.body.claimed, 2, 'only two were left');
      const r3 = await zhao.post('/api/v1/customers/claim', { count: 1, region_id: city.body.id });
      assertProblem(assert, r3, 409, 'conflict');
      assert.equal(r3.body.reason, 'pool_empty');
      const owners = await Promise.all(made.map(owner));
      assert.equal(owners.filter((o) => o === ids.liu).length, 3);
      assert.equal(owners.filter((o) => o === ids.zhao).length, 2);
      // the batch is held to max_owned as a whole
      const n = (await liu.get('/api/v1/customers?owner=me&limit=500')).body.items.length;
      await rules({ max_owned: n + 1 });
      const over = await liu.post('/api/v1/customers/claim', { count: 2 });
      assertProblem(assert, over, 409);
      assert.equal(over.body.limit, 'max_owned');
      assert.equal(over.body.allowed, 1);
      await rules({ max_owned: 500, claim_batch_max: 10 });
    });

    it('automatic take-back: a warning first, then back to the pool; signed exempt; days per level; 0 = off', async () => {
      const lvl = await admin.post('/api/v1/dictionaries', { kind: 'level', name: `重点 ${uniq()}` });
      assert.equal(lvl.status, 201, lvl.text);
      await rules({
        takeback_no_followup_days: 30, takeback_no_deal_days: 0, takeback_warn_days: 3, exempt_signed: true,
        takeback_no_followup_days_by_level: { [lvl.body.id]: 10 }, takeback_no_deal_days_by_level: {},
      });
      const mk = async (extra = {}) => {
        const r = await huang.post('/api/v1/customers', { name: `回收测试 Takeback ${uniq()}`, phone: phone(), owner_id: ids.liu, ...extra });
        assert.equal(r.status, 201, r.text);
        return r.body.id;
      };
      const age = (id, followup, deal = null) => sql(srv,
        `UPDATE customers SET owned_since = '${daysAgo(Math.max(followup, deal ?? 0))}', last_followup_at = '${daysAgo(followup)}'` +
        (deal !== null ? `, last_deal_at = '${daysAgo(deal)}'` : '') + ` WHERE id = ${id}`);
      const reminders = (id) => Number(sql(srv, `SELECT COUNT(*) FROM reminders WHERE customer_id = ${id} AND user_id = ${ids.liu} AND kind = 'task'`));

      const a = await mk(), signed = await mk({ signed: true }), lv = await mk({ level_id: lvl.body.id }), plain = await mk();
      age(a, 28);            // in the warning window (30 - 3)
      age(signed, 100);      // overdue but signed
      age(lv, 12);           // overdue for its level (10)
      age(plain, 12);        // not due under the default (30)
      await runTakeback(srv);
      assert.equal(await owner(a), ids.liu, 'warned, not taken');
      assert.equal(reminders(a), 1);
      const title = sql(srv, `SELECT title FROM reminders WHERE customer_id = ${a}`);
      assert.match(title, new RegExp(daysAgo(-2).slice(0, 10)), 'says the date it goes back');
      assert.ok(sql(srv, `SELECT takeback_warned_at FROM customers WHERE id = ${a}`));
      assert.equal(await owner(signed), ids.liu, 'signed customers are exempt');
      assert.equal(await owner(lv), null, 'the level has 10 days');
      assert.equal(await owner(plain), ids.liu);
      const lm = await moves(lv);
      assert.equal(lm[0].kind, 'auto_takeback');
      assert.equal(lm[0].from_owner_id, ids.liu);
      assert.equal(lm[0].actor_id, null);
      assert.match(lm[0].reason, /No follow-up for 10 days/);

      // once only
      await runTakeback(srv);
      assert.equal(reminders(a), 1, 'the warning is given once');
      assert.equal(await owner(a), ids.liu);

      // overdue now: back to the pool, and the history says why
      age(a, 31);
      await runTakeback(srv);
      assert.equal(await owner(a), null);
      const h = await admin.get(`/api/v1/customers/${a}/history`);
      const ev = h.body.items.find((x) => x.action === 'auto_takeback');
      assert.ok(ev, h.text);
      assert.match(ev.after.reason, /No follow-up for 30 days/);
      assert.ok(h.body.items.some((x) => x.action === 'takeback_warning'));
      assert.equal(sql(srv, `SELECT previous_owner_id FROM customers WHERE id = ${a}`), String(ids.liu));
      // the previous owner may not reclaim it at once
      assert.equal((await liu.post(`/api/v1/customers/${a}/claim`)).body.limit, 'reclaim_cooldown');

      // the deal rule, and exempt_signed off
      await rules({ takeback_no_deal_days: 60, exempt_signed: false });
      const d = await mk();
      age(d, 1, 61);
      await runTakeback(srv);
      assert.equal(await owner(d), null);
      assert.match((await moves(d))[0].reason, /No deal for 60 days/);
      assert.equal(await owner(signed), null, 'no longer exempt');

      // days 0 = the rule is off
      await rules({ takeback_no_followup_days: 0, takeback_no_deal_days: 0, takeback_no_followup_days_by_level: {}, exempt_signed: true });
      const off = await mk();
      age(off, 400, 400);
      await runTakeback(srv);
      assert.equal(await owner(off), ids.liu);
      assert.equal(reminders(off), 0);
      await rules({ takeback_no_followup_days: 30, takeback_no_deal_days: 90 });
    });

    it('history and moves show every move in and out of the pool with its reason', async () => {
      const cid = await poolCustomer();
      assert.equal((await zhang.post(`/api/v1/customers/${cid}/claim`, { reason: '展会认识 Met at the fair' })).status, 200);
      assert.equal((await zhang.post(`/api/v1/customers/${cid}/release`, { reason: '无需求 No need' })).status, 200);
      assert.equal((await wang.post('/api/v1/customers/assign', { ids: [cid], owner_id: ids.liu, reason: '华北 North' })).status, 200);
      assert.equal((await wang.post('/api/v1/customers/takeback', { ids: [cid], reason: '离职交接 Handover' })).status, 200);
      const m = await zhang.get(`/api/v1/customers/${cid}/moves`);
      assert.equal(m.status, 200, m.text);
      assert.deepEqual(m.body.items.map((x) => [x.kind, x.reason]), [
        ['takeback', '离职交接 Handover'], ['assign', '华北 North'], ['release', '无需求 No need'],
        ['claim', '展会认识 Met at the fair'], ['create', 'manual'],
      ]);
      assert.equal(m.body.items[1].to_owner_name, '刘洋 Liu Yang');
      assert.equal(m.body.items[1].actor_name, '王建国 Wang Jianguo');
      const p = await zhang.get(`/api/v1/customers/${cid}/moves?limit=2`);
      assert.equal(p.body.items.length, 2);
      assert.ok(p.body.next_cursor);
      const h = await zhang.get(`/api/v1/customers/${cid}/history`);
      const acts = h.body.items.map((x) => [x.action, x.after && x.after.reason]);
      for (const [k, why] of [['claim', '展会认识 Met at the fair'], ['release', '无需求 No need'], ['assign', '华北 North'], ['takeback', '离职交接 Handover']]) {
        assert.ok(acts.some(([a, r]) => a === k && r === why), `${k} in ${h.text}`);
      }
      // a customer nobody may see is not listed
      const hidden = (await liu.get('/api/v1/customers?owner=me&q=河南平高')).body.items[0];
      assertProblem(assert, await zhang.get(`/api/v1/customers/${hidden.id}/moves`), 404);
    });

    it('with no active flow an application is approved at once', async () => {
      const flows = await admin.get('/api/v1/approval-flows?doc_type=customer_application');
      const flow = flows.body.items.find((f) => f.active);
      assert.ok(flow, flows.text);
      const off = await admin.patch(`/api/v1/approval-flows/${flow.id}`, { version: flow.version, active: false });
      assert.equal(off.status, 200, off.text);
      try {
        const cid = await poolCustomer();
        const a = await chen.post(`/api/v1/customers/${cid}/apply`, { reason: '无需审批' });
        assert.equal(a.status, 201, a.text);
        assert.equal(a.body.state, 'approved');
        assert.equal(await owner(cid), ids.chen);
        assert.equal((await moves(cid))[0].actor_id, ids.chen, 'nobody approved: the applicant moved it');
      } finally {
        const cur = (await admin.get(`/api/v1/approval-flows/${flow.id}`)).body;
        assert.equal((await admin.patch(`/api/v1/approval-flows/${flow.id}`, { version: cur.version, active: true })).status, 200);
      }
    });

    it('the demo pool has a past and an application waiting for li', async () => {
      const apps = await li.get('/api/v1/customer-applications?box=all');
      assert.ok(apps.body.items.some((x) => x.customer_name === '广州南方变压器有限公司' && x.applicant_id === ids.zhang));
      const pool = (await zhang.get('/api/v1/customers?owner=pool&q=洛阳轴研')).body.items[0];
      const m = await zhang.get(`/api/v1/customers/${pool.id}/moves`);
      assert.deepEqual(m.body.items.map((x) => x.kind).slice(0, 2), ['release', 'claim']);
    });
  });
}
