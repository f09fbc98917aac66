// pool_status.test.mjs — what the pool page and the customer list show
// beside their rows (GET /customers/pool-status?ids=): a pool customer's
// previous owner, when and how it came back (released, taken back by a
// manager, taken back automatically, entered into the pool), the one action
// the asking user has on it (claim, apply once the day's claims are used
// up, applied, none in the reclaim cooldown or at max_owned), and an owned
// customer's date and days left before the automatic take-back. On every
// engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, run, assertProblem } from '../lib/server.mjs';

const daysAgo = (d) => new Date(Date.now() - d * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');

/** Runs SQL against the server's database through the engine's own CLI. */
function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text],
      { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
/** Runs the pool_takeback job now through the CLI (the lease handed over first). */
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
const phone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

for (const engine of engines()) {
  describe(`pool status per row [${engine}]`, () => {
    let srv, admin, wang, zhang, chen, liu, zhao, sun;
    const ids = {};

    async function poolCustomer(extra = {}) {
      const r = await wang.post('/api/v1/customers', { name: `状态测试 Status ${uniq()}`, phone: phone(), owner_id: null, ...extra });
      assert.equal(r.status, 201, r.text);
      return r.body.id;
    }
    async function rules(patch) {
      const r = await admin.put('/api/v1/settings/pool_rules', patch);
      assert.equal(r.status, 200, r.text);
    }
    /** The status rows for ids, as the user sees them, by id. */
    async function status(c, ...cids) {
      const r = await c.get(`/api/v1/customers/pool-status?ids=${cids.join(',')}`);
      assert.equal(r.status, 200, r.text);
      return Object.fromEntries(r.body.items.map((x) => [x.id, x]));
    }

    before(async () => {
      srv = await startServer({ engine });
      [admin, wang, zhang, chen, liu, zhao, sun] = await Promise.all(
        ['admin', 'wang', 'zhang', 'chen', 'liu', 'zhao', 'sun'].map((l) => srv.login(l)));
      for (const [k, c] of Object.entries({ wang, zhang, chen, liu, zhao })) ids[k] = (await c.get('/api/v1/me')).body.id;
      await rules({ max_owned: 500, claims_per_day: 1000, reclaim_cooldown_days: 30,
        takeback_no_followup_days: 30, takeback_no_deal_days: 90, exempt_signed: true });
    });
    after(async () => { await srv.stop(); });

    it('a released customer shows its previous owner, when and why; the owner waits out the cooldown, others claim', async () => {
      const cid = await poolCustomer();
      let s = (await status(zhang, cid))[cid];
      assert.equal(s.in_pool, true);
      assert.equal(s.returned_how, 'entered', 'entered straight into the pool by a manager');
      assert.equal(s.previous_owner_id, null);
      assert.equal(s.action, 'claim');

      assert.equal((await zhang.post(`/api/v1/customers/${cid}/claim`, {})).status, 200);
      const rel = await zhang.post(`/api/v1/customers/${cid}/release`, { reason: '客户暂无需求 No demand for now' });
      assert.equal(rel.status, 200, rel.text);
      s = (await status(liu, cid))[cid];
      assert.equal(s.returned_how, 'release');
      assert.equal(s.previous_owner_id, ids.zhang);
      assert.match(s.previous_owner_name, /Zhang Wei/);
      assert.equal(s.returned_reason, '客户暂无需求 No demand for now');
      assert.ok(Math.abs(Date.parse(s.returned_at) - Date.now()) < 120e3, s.returned_at);
      assert.equal(s.action, 'claim', 'a colleague may claim it');
      const own = (await status(zhang, cid))[cid];
      assert.equal(own.action, 'none');
      assert.equal(own.action_reason, 'reclaim_cooldown');
      assert.ok(Date.parse(own.action_until) > Date.now() + 29 * 86400e3, own.action_until);
      // and the claim itself is refused the same way
      assertProblem(assert, await zhang.post(`/api/v1/customers/${cid}/claim`, {}), 409, 'conflict');
    });

    it('a manager\'s take-back and the automatic take-back say who, how and why', async () => {
      const cid = await poolCustomer();
      assert.equal((await wang.post('/api/v1/customers/assign', { ids: [cid], owner_id: ids.chen })).status, 200);
      const tb = await wang.post('/api/v1/customers/takeback', { ids: [cid], reason: '调整区域 Territory change' });
      assert.equal(tb.status, 200, tb.text);
      const s = (await status(zhao, cid))[cid];
      assert.equal(s.returned_how, 'takeback');
      assert.equal(s.previous_owner_id, ids.chen);
      assert.match(s.returned_by_name, /Wang Jianguo/);
      assert.equal(s.returned_reason, '调整区域 Territory change');

      // the demo's 上海电驱动 was taken back from chen by the job ten days ago
      const r = await zhao.get(`/api/v1/customers?owner=pool&q=${encodeURIComponent('上海电驱动')}`);
      const demo = r.body.items[0];
      assert.ok(demo, r.text);
      const d = (await status(chen, demo.id))[demo.id];
      assert.equal(d.returned_how, 'auto_takeback');
      assert.equal(d.previous_owner_id, ids.chen);
      assert.match(d.returned_reason, /No follow-up for 30 days/);
      assert.equal(d.returned_by_name, null, 'nobody: the job');
      assert.equal(d.action, 'none', 'chen is still in her cooldown');
    });

    it('one action per row: claim, apply once the day\'s claims are used up, applied after applying, none at max_owned', async () => {
      const [a, b] = [await poolCustomer(), await poolCustomer()];
      try {
        await rules({ claims_per_day: 1 });
        // zhao claims one today: the day's claims are used up
        assert.equal((await zhao.post(`/api/v1/customers/${a}/claim`, {})).status, 200);
        let s = (await status(zhao, b))[b];
        assert.equal(s.action, 'apply');
        assert.equal(s.action_reason, 'claims_per_day');
        assertProblem(assert, await zhao.post(`/api/v1/customers/${b}/claim`, {}), 409, 'conflict');
        const app = await zhao.post(`/api/v1/customers/${b}/apply`, { reason: '老客户介绍 Referral' });
        assert.equal(app.status, 201, app.text);
        s = (await status(zhao, b))[b];
        assert.equal(s.action, 'applied');
        assert.equal(s.application_id, app.body.id);
        // another salesperson is not affected by zhao's application or claims
        assert.equal((await status(liu, b))[b].action, 'claim');
        // finance may not claim at all
        const f = (await status(sun, b))[b];
        assert.equal(f.action, 'none');
        assert.equal(f.action_reason, 'no_permission');
        // zhang owns more than one customer in the demo
        await rules({ max_owned: 1, claims_per_day: 1000 });
        const z = (await status(zhang, b))[b];
        assert.equal(z.action, 'none');
        assert.equal(z.action_reason, 'max_owned');
      } finally {
        await rules({ max_owned: 500, claims_per_day: 1000 });
      }
    });

    it('an owned customer shows the date and days left before the automatic take-back', async () => {
      const c = await zhang.post('/api/v1/customers', { name: `天数测试 Days ${uniq()}`, phone: phone() });
      assert.equal(c.status, 201, c.text);
      const cid = c.body.id;
      // owned for 50 days, last follow-up 10 days ago: 20 days to the 30-day rule
      sql(srv, `UPDATE customers SET owned_since = '${daysAgo(50)}', last_followup_at = '${daysAgo(10)}', last_deal_at = NULL WHERE id = ${cid}`);
      let s = (await status(zhang, cid))[cid];
      assert.equal(s.in_pool, false);
      assert.equal(s.takeback_rule, 'no_followup');
      assert.equal(s.takeback_days_left, 20);
      assert.ok(Math.abs(Date.parse(s.takeback_at) - (Date.now() + 20 * 86400e3)) < 120e3, s.takeback_at);

      // the no-deal rule comes first when it is nearer: 90 days since 85 days ago
      sql(srv, `UPDATE customers SET owned_since = '${daysAgo(85)}', last_followup_at = '${daysAgo(1)}' WHERE id = ${cid}`);
      s = (await status(zhang, cid))[cid];
      assert.equal(s.takeback_rule, 'no_deal');
      assert.equal(s.takeback_days_left, 5);

      // a level with days of its own
      const levels = (await admin.get('/api/v1/dictionaries?kind=level')).body.items;
      const level = levels[0].id;
      const v = (await zhang.get(`/api/v1/customers/${cid}`)).body.version;
      assert.equal((await zhang.patch(`/api/v1/customers/${cid}`, { version: v, level_id: level })).status, 200);
      sql(srv, `UPDATE customers SET owned_since = '${daysAgo(50)}', last_followup_at = '${daysAgo(10)}' WHERE id = ${cid}`);
      try {
        await rules({ takeback_no_followup_days_by_level: { [level]: 15 } });
        assert.equal((await status(zhang, cid))[cid].takeback_days_left, 5);
      } finally {
        await rules({ takeback_no_followup_days_by_level: {} });
      }
      // a follow-up restarts the clock
      assert.equal((await zhang.post(`/api/v1/customers/${cid}/followups`, { content: '电话沟通 Call' })).status, 201);
      s = (await status(zhang, cid))[cid];
      assert.equal(s.takeback_rule, 'no_followup');
      assert.equal(s.takeback_days_left, 30);
      // signed customers are exempt
      sql(srv, `UPDATE customers SET signed = TRUE WHERE id = ${cid}`);
      s = (await status(zhang, cid))[cid];
      assert.equal(s.takeback_days_left, null);
      assert.equal(s.takeback_at, null);
      // a customer chen cannot see is left out for her; her manager sees it
      assert.deepEqual(await status(chen, cid), {});
      assert.ok((await status(wang, cid))[cid]);
    });

    it('a protected customer has no take-back date, and the job leaves it with its owner', async () => {
      const ids2 = [];
      for (const prot of [true, false]) {
        const c = await zhang.post('/api/v1/customers', { name: `保护测试 Protected ${uniq()}`, phone: phone() });
        assert.equal(c.status, 201, c.text);
        if (prot) {
          const p = await zhang.put(`/api/v1/customers/${c.body.id}/protection`, { protected: true, version: c.body.version });
          assert.equal(p.status, 200, p.text);
        }
        sql(srv, `UPDATE customers SET owned_since = '${daysAgo(60)}', last_followup_at = '${daysAgo(40)}' WHERE id = ${c.body.id}`);
        ids2.push(c.body.id);
      }
      const [prot, plain] = ids2;
      const s = await status(zhang, prot, plain);
      assert.equal(s[prot].takeback_days_left, null);
      assert.equal(s[plain].takeback_days_left, 0, 'overdue: due today');
      await runTakeback(srv);
      assert.equal((await zhang.get(`/api/v1/customers/${prot}`)).body.owner_id, ids.zhang, 'protected: kept');
      assert.equal((await wang.get(`/api/v1/customers/${plain}`)).body.owner_id, null, 'the other went back');
    });

    it('bad ids are a 400', async () => {
      for (const q of ['', '?ids=', '?ids=abc', '?ids=1,,2', '?ids=-3', `?ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`]) {
        assertProblem(assert, await zhang.get(`/api/v1/customers/pool-status${q}`), 400, 'bad_request');
      }
    });
  });
}
