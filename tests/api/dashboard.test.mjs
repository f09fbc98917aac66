// dashboard.test.mjs — GET /api/v1/dashboard, the home page of each role in
// one request, on a small known data set made here (a team of its own: a
// sales manager and two salespeople in a new department): a salesperson's
// reminders due today and overdue, customers due for a follow-up, customers
// soon taken back to the pool with the days left, pipeline by stage and
// wins; the manager's approvals, funnel, weighted pipeline, follow-ups per
// salesperson this week and ranking; the administrator's counts (as a
// difference from before the data) and activity. A salesperson never sees
// another's figures, a manager of another team never sees this team, and a
// manager's team (kept per process, migration 028) follows a move, a
// deactivation, a new department below and a new follow-up at once.
// Bad input gets a 400 and changes nothing. Every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text],
      { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}

const DAY = 86400000;
const ts = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
const phone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(seq++).padStart(4, '0')}`;

for (const engine of engines()) {
  describe(`dashboard [${engine}]`, () => {
    let srv, admin, mgr, s1, s2, wang;
    const ids = {};
    let before0; // the administrator's counts before the data

    const dash = async (client, q = '?tz=0') => {
      const r = await client.get(`/api/v1/dashboard${q}`);
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    const ok = (r, status = 201) => {
      assert.equal(r.status, status, r.text);
      return r.body;
    };

    before(async () => {
      srv = await startServer({ engine });
      admin = await srv.login('admin');
      wang = await srv.login('wang');
      before0 = (await dash(admin)).counts;
      // takeback after 30 days without a follow-up (a week's horizon), deals off
      ok(await admin.put('/api/v1/settings/pool_rules', {
        takeback_no_followup_days: 30, takeback_no_deal_days: 0, takeback_warn_days: 3,
        takeback_no_followup_days_by_level: {}, takeback_no_deal_days_by_level: {},
      }), 200);
      const dept = ok(await admin.post('/api/v1/departments', { name: `看板组 Dash team ${uniq()}` }));
      const user = async (login, role) => ok(await admin.post('/api/v1/users', {
        login, name: `${login} 看板`, password: 'demo123', role, department_id: dept.id,
      })).id;
      const tag = uniq();
      ids.mgr = await user(`dmgr${tag}`, 'sales_manager');
      ids.s1 = await user(`ds1${tag}`, 'salesperson');
      ids.s2 = await user(`ds2${tag}`, 'salesperson');
      ok(await admin.patch(`/api/v1/departments/${dept.id}`, { version: dept.version, manager_id: ids.mgr }), 200);
      mgr = await srv.login(`dmgr${tag}`);
      s1 = await srv.login(`ds1${tag}`);
      s2 = await srv.login(`ds2${tag}`);

      const customer = async (client, name) =>
        ok(await client.post('/api/v1/customers', { name: `${name} ${uniq()}`, phone: phone() })).id;
      const today = new Date().toISOString().slice(0, 10);
      // s1: A, silent for 25 days (taken back in 5); B, next contact today;
      // C, next contact in ten days
      ids.A = await customer(s1, '看板甲 Dash A');
      ids.B = await customer(s1, '看板乙 Dash B');
      ids.C = await customer(s1, '看板丙 Dash C');
      sql(srv, `UPDATE customers SET owned_since = '${ts(Date.now() - 25 * DAY)}',` +
        ` last_followup_at = '${ts(Date.now() - 25 * DAY)}' WHERE id = ${ids.A}`);
      ok(await s1.post(`/api/v1/customers/${ids.B}/followups`, { content: '电话 Called', next_contact_at: today }));
      ok(await s1.post(`/api/v1/customers/${ids.C}/followups`, {
        content: '拜访 Visited', next_contact_at: new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10),
      }));
      // an overdue task of s1's
      const t = ok(await s1.post('/api/v1/reminders', {
        kind: 'task', title: `看板逾期 Overdue ${uniq()}`, due_at: ts(Date.now() + DAY),
      }));
      ids.overdue = t.id;
      sql(srv, `UPDATE reminders SET due_at = '${ts(Date.now() - 3 * DAY)}' WHERE id = ${t.id}`);
      // s2: D, next contact today; an overdue task
      ids.D = await customer(s2, '看板丁 Dash D');
      ok(await s2.post(`/api/v1/customers/${ids.D}/followups`, { content: '微信 WeChat', next_contact_at: today }));
      const t2 = ok(await s2.post('/api/v1/reminders', { kind: 'task', title: 'S2 task', due_at: ts(Date.now() + DAY) }));
      sql(srv, `UPDATE reminders SET due_at = '${ts(Date.now() - 2 * DAY)}' WHERE id = ${t2.id}`);
      // projects: s1 one open (10,000.00) and one won (20,000.00); s2 one open (5,000.00)
      ids.P1 = ok(await s1.post('/api/v1/projects', { name: `看板项目一 Dash P1 ${uniq()}`, customer_id: ids.B, amount: 1000000 })).id;
      ids.P2 = ok(await s1.post('/api/v1/projects', { name: `看板项目二 Dash P2 ${uniq()}`, customer_id: ids.C, amount: 2000000 })).id;
      {
        const p2 = ok(await s1.get(`/api/v1/projects/${ids.P2}`), 200);
        ok(await mgr.post(`/api/v1/projects/${ids.P2}/close`, { outcome: 'won', version: p2.version, override_reason: '看板测试 Dashboard test' }), 200);
      }
      ids.P3 = ok(await s2.post('/api/v1/projects', { name: `看板项目三 Dash P3 ${uniq()}`, customer_id: ids.D, amount: 500000 })).id;
      // s1 applies for a pool customer: the approval waits for the manager
      ids.E = ok(await wang.post('/api/v1/customers', { name: `看板公海 Dash pool ${uniq()}`, phone: phone(), owner_id: null })).id;
      ok(await s1.post(`/api/v1/customers/${ids.E}/apply`, { reason: '看板 Dashboard' }));
    });
    after(async () => { await srv?.stop(); });

    it('a salesperson: reminders, follow-ups due, take-back soon, pipeline by stage, wins', async () => {
      const d = await dash(s1);
      assert.equal(d.role, 'salesperson');
      assert.equal(d.today, new Date().toISOString().slice(0, 10));
      // the overdue task, and the contact reminder of B's follow-up (today)
      assert.equal(d.reminders.overdue, 1);
      assert.equal(d.reminders.today, 1);
      assert.deepEqual(d.reminders.items.map((x) => x.id)[0], ids.overdue);
      assert.equal(d.reminders.items.length, 2);
      assert.equal(d.reminders.items[1].customer_id, ids.B);
      assert.deepEqual(d.followups_due.items.map((x) => x.id), [ids.B]);
      assert.equal(d.followups_due.count, 1);
      assert.equal(d.takeback.enabled, true);
      assert.equal(d.takeback.horizon_days, 7);
      assert.equal(d.takeback.count, 1);
      assert.equal(d.takeback.items[0].id, ids.A);
      assert.equal(d.takeback.items[0].days_left, 5);
      assert.equal(d.takeback.items[0].rule, 'no_followup');
      const stages = Object.fromEntries(d.pipeline.stages.map((s) => [s.key, s]));
      assert.equal(d.pipeline.stages[0].count, 1, 'P1 at the first stage');
      assert.equal(d.pipeline.stages[0].amount, 1000000);
      assert.equal(d.pipeline.totals.count, 1);
      assert.equal(d.pipeline.totals.amount, 1000000);
      assert.equal(d.pipeline.totals.weighted_amount, d.pipeline.stages[0].weighted_amount);
      assert.ok(Object.keys(stages).length >= 3, 'every stage of the template, zeros included');
      assert.equal(d.wins.month_count, 1);
      assert.equal(d.wins.month_amount, 2000000);
      assert.deepEqual(d.wins.items.map((x) => x.id), [ids.P2]);
      assert.equal(d.funnel, undefined, 'no manager parts');
      assert.equal(d.counts, undefined, 'no administrator parts');
    });

    it('a salesperson never sees another salesperson\'s figures', async () => {
      const d = await dash(s2);
      assert.equal(d.reminders.overdue, 1);
      assert.equal(d.reminders.today, 1);
      assert.ok(d.reminders.items.every((x) => x.id !== ids.overdue));
      assert.deepEqual(d.followups_due.items.map((x) => x.id), [ids.D]);
      assert.equal(d.takeback.count, 0);
      assert.equal(d.pipeline.totals.count, 1);
      assert.equal(d.pipeline.totals.amount, 500000);
      assert.equal(d.wins.month_count, 0);
      assert.deepEqual(d.wins.items, []);
      // and s1's page names nothing of s2's
      const d1 = await dash(s1);
      const text = JSON.stringify(d1);
      assert.ok(!text.includes(`"id":${ids.D},`) && !d1.followups_due.items.some((x) => x.id === ids.D));
      assert.ok(!d1.wins.items.some((x) => x.id === ids.P3));
    });

    it('a manager: approvals, the team\'s funnel and weighted pipeline, follow-ups this week, ranking', async () => {
      const d = await dash(mgr);
      assert.equal(d.role, 'sales_manager');
      assert.equal(d.approvals.count, 1);
      assert.equal(d.approvals.items[0].doc_type, 'customer_application');
      assert.match(d.approvals.items[0].applicant_name, /^ds1/);
      assert.equal(d.funnel.totals.count, 2);
      assert.equal(d.funnel.totals.amount, 1500000);
      assert.equal(d.funnel.stages[0].count, 2);
      assert.equal(d.team_pipeline.count, 2);
      assert.equal(d.team_pipeline.amount, 1500000);
      assert.equal(d.team_pipeline.weighted_amount, d.funnel.totals.weighted_amount);
      assert.equal(d.team_pipeline.owners, 2);
      assert.equal(d.followups_week.users, 3);
      assert.equal(d.followups_week.total, 3);
      assert.deepEqual(d.followups_week.items.map((x) => [x.user_id, x.count]),
        [[ids.s1, 2], [ids.s2, 1], [ids.mgr, 0]]);
      assert.deepEqual(d.ranking.items.map((x) => [x.user_id, x.won_count, x.won_amount]), [[ids.s1, 1, 2000000]]);
      assert.equal(d.takeback, undefined, 'no salesperson parts but reminders');
      // the manager of another team sees none of this team
      const w = await dash(wang);
      assert.ok(!w.followups_week.items.some((x) => [ids.s1, ids.s2, ids.mgr].includes(x.user_id)));
      assert.ok(!w.ranking.items.some((x) => x.user_id === ids.s1));
      assert.equal(w.approvals.items.some((x) => x.id === d.approvals.items[0].id), false);
    });

    it('the administrator: company counts and recent activity', async () => {
      const d = await dash(admin);
      assert.equal(d.role, 'admin');
      const c = d.counts, b = before0;
      assert.equal(c.users - b.users, 3);
      assert.equal(c.customers - b.customers, 5);
      assert.equal(c.pool_customers - b.pool_customers, 1);
      assert.equal(c.open_projects - b.open_projects, 2);
      assert.equal(c.open_amount - b.open_amount, 1500000);
      assert.equal(c.won_month_count - b.won_month_count, 1);
      assert.equal(c.won_month_amount - b.won_month_amount, 2000000);
      assert.equal(c.followups_week - b.followups_week, 3);
      assert.equal(c.pending_approvals - b.pending_approvals, 1);
      assert.equal(d.activity.items.length, 8);
      // newest first; the last change was s1's application
      assert.equal(d.activity.items[0].user_id, ids.s1);
      for (let i = 1; i < d.activity.items.length; i++) assert.ok(d.activity.items[i - 1].id > d.activity.items[i].id);
      assert.equal(d.funnel, undefined);
      assert.equal(d.reminders, undefined);
    });

    it('the administrator\'s customer counts follow a move to the pool at once (no new customer)', async () => {
      const c0 = (await dash(admin)).counts;
      ok(await s2.post(`/api/v1/customers/${ids.D}/release`, { reason: '看板 Dashboard' }), 200);
      const c1 = (await dash(admin)).counts;
      assert.equal(c1.customers, c0.customers);
      assert.equal(c1.pool_customers, c0.pool_customers + 1);
      assert.deepEqual((await dash(s2)).followups_due.items, [], 'no longer theirs');
    });

    it('"today" follows the user\'s time zone; bad input gets a 400 and no sign-in a 401', async () => {
      const east = await dash(s1, '?tz=840'), west = await dash(s1, '?tz=-720');
      assert.equal(east.today, new Date(Date.now() + 840 * 60000).toISOString().slice(0, 10));
      assert.equal(west.today, new Date(Date.now() - 720 * 60000).toISOString().slice(0, 10));
      assert.equal((await dash(s1, '')).tz, 0);
      for (const q of ['abc', '841', '-841', '1.5', '']) {
        const r = await s1.get(`/api/v1/dashboard?tz=${q}`);
        assertProblem(assert, r, 400, 'bad_request');
        assert.equal(r.body.errors[0].field, 'tz');
      }
      assertProblem(assert, await srv.client().get('/api/v1/dashboard'), 401);
    });

    it('a manager\'s team follows moves, deactivations and new follow-ups at once', async () => {
      const week = async () => (await dash(mgr)).followups_week;
      const counts = (w) => w.items.map((x) => [x.user_id, x.count]);
      const w0 = await week(); // read once, so the process keeps this team
      assert.equal(w0.users, 3);
      const other = ok(await admin.post('/api/v1/departments', { name: `看板他组 Dash other ${uniq()}` }));
      const patchUser = async (id, body) => {
        const u = ok(await admin.get(`/api/v1/users/${id}`), 200);
        ok(await admin.patch(`/api/v1/users/${id}`, { version: u.version, ...body }), 200);
      };
      const home = ok(await admin.get(`/api/v1/users/${ids.s2}`), 200).department_id;
      try {
        // s2 moves to another department: out of the manager's team
        await patchUser(ids.s2, { department_id: other.id });
        let w = await week();
        assert.equal(w.users, 2);
        assert.equal(w.total, w0.total - 1);
        assert.ok(!w.items.some((x) => x.user_id === ids.s2));
        // and back; then s1 is disabled, and enabled again
        await patchUser(ids.s2, { department_id: home });
        assert.deepEqual(counts(await week()), counts(w0));
        await patchUser(ids.s1, { active: false });
        w = await week();
        assert.equal(w.users, 2);
        assert.deepEqual(counts(w), [[ids.s2, 1], [ids.mgr, 0]]);
        await patchUser(ids.s1, { active: true });
        // the other department comes under the manager: its new member counts
        const dep = ok(await admin.get(`/api/v1/departments/${other.id}`), 200);
        ok(await admin.patch(`/api/v1/departments/${other.id}`, { version: dep.version, parent_id: home }), 200);
        const s3 = ok(await admin.post('/api/v1/users', {
          login: `ds3${uniq()}`, name: 'ds3 看板', password: 'demo123', role: 'salesperson', department_id: other.id,
        })).id;
        w = await week();
        assert.equal(w.users, 4);
        assert.ok(w.items.some((x) => x.user_id === s3 && x.count === 0));
        // a new follow-up of s2's counts at once
        const c = ok(await s2.post('/api/v1/customers', { name: `看板戊 Dash E ${uniq()}`, phone: phone() })).id;
        ok(await s2.post(`/api/v1/customers/${c}/followups`, { content: '回访 Called again' }));
        w = await week();
        assert.equal(w.total, w0.total + 1);
        assert.deepEqual(w.items.filter((x) => x.user_id === ids.s2).map((x) => x.count), [2]);
        await patchUser(s3, { active: false });
        assert.equal((await week()).users, 3);
      } finally {
        const u = ok(await admin.get(`/api/v1/users/${ids.s2}`), 200);
        if (u.department_id !== home) await patchUser(ids.s2, { department_id: home });
        const u1 = ok(await admin.get(`/api/v1/users/${ids.s1}`), 200);
        if (!u1.active) await patchUser(ids.s1, { active: true });
      }
    });
  });
}
