// project_pipeline_totals.test.mjs — the board's column totals
// (GET /projects/pipeline?group=stage, read from the trigger-kept
// project_stage_totals of migration 008 plus the projects a user sees only
// as a member) always equal a recount of the open cards the same user sees
// on the board: for every demo user (own, team, department, all scope,
// unassigned projects for sales roles, member-only projects), on both demo
// templates, after entering, editing the amount, moving, closing, taking
// back, assigning and reopening projects — on every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

const LOGINS = ['admin', 'wang', 'li', 'huang', 'zhang', 'chen', 'liu', 'zhao', 'sun'];

for (const engine of engines()) {
  describe(`project pipeline totals [${engine}]`, () => {
    let srv, templates;
    const c = {};
    const ids = {};

    // every open card of template t the client sees, read column by column, page by page
    const boardRecount = async (client, t, owner = '') => {
      const o = owner ? `&owner=${owner}` : '';
      const b = await client.get(`/api/v1/projects/board?template_id=${t}&limit=1${o}`);
      assert.equal(b.status, 200, b.text);
      const sums = {};
      for (const col of b.body.columns) {
        if (col.key === 'won' || col.key === 'lost') continue;
        let cursor = '';
        for (let page = 0; page < 100; page++) {
          const r = await client.get(`/api/v1/projects/board?template_id=${t}&stage=${col.key}&limit=200${o}` +
            (cursor ? `&cursor=${cursor}` : ''));
          assert.equal(r.status, 200, r.text);
          // the whole board (which reads member projects once for all its
          // columns) starts each column with the same card as the column alone
          if (page === 0) assert.equal(col.items[0]?.id, r.body.items[0]?.id, `first card of ${col.key}`);
          for (const p of r.body.items) {
            assert.equal(p.status, 'open');
            const s = (sums[p.stage] ||= { count: 0, amount: 0, weighted_amount: 0 });
            s.count += 1;
            s.amount += p.amount;
            s.weighted_amount += p.weighted_amount;
          }
          if (!r.body.next_cursor) break;
          cursor = r.body.next_cursor;
        }
      }
      return sums;
    };
    const stageTotals = async (client, t, owner = '') => {
      const o = owner ? `&owner=${owner}` : '';
      const r = await client.get(`/api/v1/projects/pipeline?group=stage&template_id=${t}${o}`);
      assert.equal(r.status, 200, r.text);
      const sums = {};
      for (const x of r.body.items) {
        sums[x.stage] = { count: x.count, amount: x.amount, weighted_amount: x.weighted_amount };
      }
      const all = Object.values(sums).reduce((a, x) => ({
        count: a.count + x.count, amount: a.amount + x.amount,
        weighted_amount: a.weighted_amount + x.weighted_amount,
      }), { count: 0, amount: 0, weighted_amount: 0 });
      assert.deepEqual(r.body.totals, all, 'totals are the sum of the stages');
      return sums;
    };
    const checkEveryone = async (when) => {
      for (const login of LOGINS) {
        for (const t of templates) {
          // the board's owner filter narrows its column totals the same way
          for (const owner of ['', 'me', 'unassigned', String(ids.zhang)]) {
            assert.deepEqual(await stageTotals(c[login], t, owner), await boardRecount(c[login], t, owner),
              `${when}: ${login}'s column totals of template ${t} (owner=${owner}) equal the cards they see`);
          }
        }
      }
    };
    const get = async (client, id) => (await client.get(`/api/v1/projects/${id}`)).body;

    before(async () => {
      srv = await startServer({ engine });
      const clients = await Promise.all(LOGINS.map((l) => srv.login(l)));
      LOGINS.forEach((l, i) => { c[l] = clients[i]; });
      for (const u of (await c.admin.get('/api/v1/users?limit=500')).body.items) ids[u.login] = u.id;
      const b = (await c.admin.get('/api/v1/projects/board')).body;
      templates = [b.template.id];
      const tl = await c.admin.get('/api/v1/process-templates');
      for (const t of tl.body.items || []) if (!templates.includes(t.id)) templates.push(t.id);
      assert.ok(templates.length >= 2, 'both demo templates');
    });
    after(async () => { await srv.stop(); });

    it('the demo company: every user\'s column totals equal a recount of their cards', async () => {
      await checkEveryone('demo');
      // the administrator sees every open project, the unassigned one included
      const all = await stageTotals(c.admin, templates[0]);
      const mine = await stageTotals(c.zhang, templates[0]);
      const n = (s) => Object.values(s).reduce((a, x) => a + x.count, 0);
      assert.ok(n(all) > n(mine) && n(mine) > 0);
    });

    it('entering, editing, moving, sharing, closing, taking back, assigning and reopening keep them equal', async () => {
      const t = templates[0];
      const mk = async (client, name, amount) => {
        const r = await client.post('/api/v1/projects', { name, template_id: t, amount, expected_close_date: '2027-06-30' });
        assert.equal(r.status, 201, r.text);
        return r.body;
      };
      const a = await mk(c.zhang, '合计核对 A Totals check A', 1000001);
      const b = await mk(c.chen, '合计核对 B Totals check B', 2500000);
      const d = await mk(c.liu, '合计核对 D Totals check D', 777);
      await checkEveryone('entered');

      // liu follows zhang's project only as a member; zhao through nobody
      assert.equal((await c.zhang.post(`/api/v1/projects/${a.id}/members`, { user_id: ids.liu, role: '技术支持' })).status, 201);
      let cur = await get(c.zhang, a.id);
      assert.equal((await c.zhang.patch(`/api/v1/projects/${a.id}`, { amount: 3333333, version: cur.version })).status, 200);
      cur = await get(c.zhang, a.id);
      const moved = await c.li.post(`/api/v1/projects/${a.id}/stage`,
        { stage: 'proposal', version: cur.version, override_reason: '合计核对 totals check' });
      assert.equal(moved.status, 200, moved.text);
      await checkEveryone('shared, edited, moved');
      const liu = await stageTotals(c.liu, t);
      assert.ok(liu.proposal && liu.proposal.amount >= 3333333, 'the member counts the project once');

      // closing takes it out of the open totals; reopening brings it back
      cur = await get(c.chen, b.id);
      const lost = await c.chen.post(`/api/v1/projects/${b.id}/close`, { outcome: 'lost', reason: '价格', version: cur.version });
      assert.equal(lost.status, 200, lost.text);
      await checkEveryone('closed');
      const reopened = await c.chen.post(`/api/v1/projects/${b.id}/reopen`, { version: lost.body.version, reason: '客户回来了' });
      assert.ok([200, 403].includes(reopened.status), reopened.text);
      // taken back (unassigned: every salesperson sees it), then assigned to zhao
      assert.equal((await c.huang.post('/api/v1/projects/takeback', { ids: [d.id], reason: '合计核对' })).status, 200);
      await checkEveryone('taken back');
      const assigned = await c.huang.post('/api/v1/projects/assign', { ids: [d.id], owner_id: ids.zhao, reason: '合计核对' });
      assert.equal(assigned.status, 200, assigned.text);
      await checkEveryone('assigned');
    });

    it('a salesperson moving to another team takes their projects to the new manager\'s board', async () => {
      // Managers' columns are read per department through the projects'
      // owner_department_id (migration 011), kept by triggers: it must follow
      // the owner's move, or li keeps seeing chen's deals and huang never does.
      const t = templates[0];
      const p = (await c.chen.post('/api/v1/projects', { name: '调组核对 Team move check', template_id: t, amount: 4200 })).body;
      assert.ok(p.id, 'entered');
      const onBoard = async (client) => {
        const col = await client.get(`/api/v1/projects/board?template_id=${t}&stage=${p.stage}&limit=200`);
        assert.equal(col.status, 200, col.text);
        return col.body.items.some((x) => x.id === p.id);
      };
      assert.equal(await onBoard(c.li), true, 'chen\'s manager sees it');
      assert.equal(await onBoard(c.huang), false, 'the other team\'s manager does not');
      const move = async (dept) => {
        const u = (await c.admin.get(`/api/v1/users/${ids.chen}`)).body;
        const r = await c.admin.patch(`/api/v1/users/${ids.chen}`, { version: u.version, department_id: dept });
        assert.equal(r.status, 200, r.text);
        return u.department_id;
      };
      const huangDept = (await c.admin.get(`/api/v1/users/${ids.huang}`)).body.department_id;
      const oldDept = await move(huangDept);
      assert.equal(await onBoard(c.huang), true, 'the new manager sees it');
      assert.equal(await onBoard(c.li), false, 'the old manager no longer does');
      assert.equal(await onBoard(c.wang), true, 'the head of both teams still does');
      await checkEveryone('owner moved to another team');
      await move(oldDept);
      assert.equal(await onBoard(c.li), true);
      assert.equal(await onBoard(c.huang), false);
    });

    it('bad requests are refused with a problem', async () => {
      for (const bad of ['group=stage', 'group=stage&template_id=x', 'group=stage&template_id=0', 'group=nope',
        `group=stage&template_id=${templates[0]}&owner=nobody`, `group=stage&template_id=${templates[0]}&owner=0`,
        'group=owner&owner=me']) {
        assertProblem(assert, await c.zhang.get('/api/v1/projects/pipeline?' + bad), 400);
      }
      const none = await c.zhang.get('/api/v1/projects/pipeline?group=stage&template_id=99999999');
      assert.equal(none.status, 200);
      assert.deepEqual(none.body.items, []);
    });
  });
}
