// project_process.test.mjs — how projects move: process templates and their
// versions (running projects keep theirs), checklist and stage gates, the
// manager's override kept in the history, two people dragging one card,
// won / lost with reason and competitor, reopening, the pipeline board
// (columns page by page, visibility) and the weighted pipeline per owner,
// department and stage — on every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

const STAGES = [
  { key: 'contact', name: '接洽 Contact', probability: 10, items: [
    { key: 'visit_done', label: '首次拜访', kind: 'task' },
    { key: 'has_customer', label: '关联客户', kind: 'field', field: 'customer_id' },
    { key: 'optional_task', label: '可选', kind: 'task', required: false },
  ] },
  { key: 'sample', name: '送样 Sample', probability: 40, items: [
    { key: 'sample_ok', label: '试绕通过', kind: 'task' },
    { key: 'has_amount', label: '预计金额', kind: 'field', field: 'amount' },
  ] },
  { key: 'deal', name: '成交 Deal', probability: 75, items: [
    { key: 'price_ok', label: '价格谈妥', kind: 'task' },
  ] },
];

for (const engine of engines()) {
  describe(`project process [${engine}]`, () => {
    let srv, admin, wang, li, huang, zhang, chen, liu;
    const ids = {};
    let tpl, yutong, competitor;

    const detail = async (client, id) => (await client.get(`/api/v1/projects/${id}`)).body;
    const move = (client, p, stage, extra = {}) =>
      client.post(`/api/v1/projects/${p.id}/stage`, { stage, version: p.version, ...extra });
    const tick = (client, p, key, done = true) =>
      client.put(`/api/v1/projects/${p.id}/checklist/${key}`, { done });
    const newProject = async (client, body = {}) => {
      const r = await client.post('/api/v1/projects', { template_id: tpl.id, customer_id: yutong, ...body });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };

    before(async () => {
      srv = await startServer({ engine });
      [admin, wang, li, huang, zhang, chen, liu] = await Promise.all(
        ['admin', 'wang', 'li', 'huang', 'zhang', 'chen', 'liu'].map((l) => srv.login(l)));
      for (const u of (await admin.get('/api/v1/users?limit=500')).body.items) ids[u.login] = u.id;
      yutong = (await zhang.get('/api/v1/customers?q=' + encodeURIComponent('宇通电机'))).body.items[0].id;
      const dict = (await admin.get('/api/v1/dictionaries?kind=competitor')).body.items;
      competitor = dict[0];
    });
    after(async () => { await srv.stop(); });

    it('managers define process templates; salespeople cannot; bad definitions are refused', async () => {
      assertProblem(assert, await zhang.post('/api/v1/process-templates', { name: '销售自建', stages: STAGES }), 403);
      const bad = [
        [[], 'stages'],
        [[{ key: 'a', name: 'A', probability: 10 }, { key: 'a', name: 'B', probability: 20 }], 'stages[1].key'],
        [[{ key: 'won', name: 'W', probability: 10 }], 'stages[0].key'],
        [[{ key: 'Bad Key', name: 'W', probability: 10 }], 'stages[0].key'],
        [[{ key: 'a', name: 'A', probability: 101 }], 'stages[0].probability'],
        [[{ key: 'a', name: 'A' }], 'stages[0].probability'],
        [[{ key: 'a', name: 'A', probability: 1, items: [{ key: 'x', label: 'X', kind: 'maybe' }] }], 'stages[0].items[0].kind'],
        [[{ key: 'a', name: 'A', probability: 1, items: [{ key: 'x', label: 'X', kind: 'field', field: 'owner_id' }] }], 'stages[0].items[0].field'],
        [[{ key: 'a', name: 'A', probability: 1, items: [{ key: 'x', label: 'X', kind: 'task' }] },
          { key: 'b', name: 'B', probability: 2, items: [{ key: 'x', label: 'Y', kind: 'task' }] }], 'stages[1].items[0].key'],
        [['stage'], 'stages[0]'],
      ];
      for (const [stages, fieldName] of bad) {
        const r = await li.post('/api/v1/process-templates', { name: '坏模板', stages });
        assertProblem(assert, r, 422, 'validation_failed');
        assert.ok(r.body.errors.some((e) => e.field === fieldName), `${fieldName}: ${r.text}`);
      }
      const r = await li.post('/api/v1/process-templates', { name: '测试流程 Test process', description: '三段', stages: STAGES });
      assert.equal(r.status, 201, r.text);
      tpl = r.body;
      assert.equal(tpl.current_version, 1);
      assert.equal(tpl.stages.length, 3);
      assert.equal(tpl.stages[0].items[2].required, false);
      assert.equal(tpl.stages[0].items[0].required, true, 'items are required unless said');
      assertProblem(assert, await li.post('/api/v1/process-templates', { name: '测试流程 Test process', stages: STAGES }), 422);
      const list = await zhang.get('/api/v1/process-templates');
      assert.ok(list.body.items.some((t) => t.id === tpl.id));
      assert.equal(list.body.items[0].is_default, true, 'the default template first');
    });

    it('a project cannot enter the next stage until the current stage\'s required items are done', async () => {
      const p = await newProject(zhang, { name: '闸门测试项目' });
      assert.equal(p.stage, 'contact');
      assert.equal(p.template_version, 1);
      const blocked = await move(zhang, p, 'sample');
      assertProblem(assert, blocked, 409, 'conflict');
      assert.equal(blocked.body.reason, 'gate_blocked');
      assert.deepEqual(blocked.body.missing.map((m) => m.key), ['visit_done'], 'the optional task and the filled field do not block');
      assert.equal(blocked.body.may_override, false);
      // field items are done by filling the field, not by ticking
      assertProblem(assert, await tick(zhang, p, 'has_customer'), 422);
      assertProblem(assert, await tick(zhang, p, 'no_such_item'), 404);
      assertProblem(assert, await zhang.put(`/api/v1/projects/${p.id}/checklist/visit_done`, { done: 'yes' }), 422);
      const t = await tick(zhang, p, 'visit_done');
      assert.equal(t.status, 200, t.text);
      assert.equal(t.body.version, p.version + 1, 'ticking moves the version on');
      assert.equal(t.body.process.stages[0].items[0].done, true);
      assert.equal(t.body.process.stages[0].items[0].done_by, ids.zhang);
      assertProblem(assert, await move(zhang, p, 'sample'), 409, 'version_conflict');
      const ok = await move(zhang, t.body, 'sample');
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.stage, 'sample');
      assert.equal(ok.body.probability, 40, 'the stage\'s default probability');
      // two gates at once: skipping a stage needs both
      const skip = await move(zhang, ok.body, 'won');
      assertProblem(assert, skip, 422);
      const jump = await move(zhang, ok.body, 'nowhere');
      assertProblem(assert, jump, 422);
      assertProblem(assert, await move(zhang, ok.body, 'sample'), 422);
      // backwards needs no gate, and the probability can be set with the move
      const back = await move(zhang, ok.body, 'contact', { probability: 15 });
      assert.equal(back.status, 200, back.text);
      assert.equal(back.body.probability, 15);
      const h = (await zhang.get(`/api/v1/projects/${p.id}/history`)).body.items;
      assert.equal(h[0].action, 'stage_back');
      assert.equal(h[1].action, 'stage');
      assert.equal(h[1].before.stage, 'contact');
      assert.equal(h[1].after.stage, 'sample');
    });

    it('jumping past a gate is refused; a manager overrides with a reason kept in the history', async () => {
      const p = await newProject(zhang, { name: '越级测试项目' });
      const t = (await tick(zhang, p, 'visit_done')).body;
      const jump = await move(zhang, t, 'deal');
      assertProblem(assert, jump, 409, 'conflict');
      assert.deepEqual(jump.body.missing.map((m) => m.key).sort(), ['has_amount', 'sample_ok']);
      assert.ok(jump.body.missing.every((m) => m.stage === 'sample'));
      assertProblem(assert, await move(zhang, t, 'deal', { override_reason: '客户着急' }), 403, 'forbidden');
      assertProblem(assert, await move(li, t, 'deal', { override_reason: '' }), 422);
      assertProblem(assert, await move(huang, t, 'deal', { override_reason: '不是他的经理' }), 404);
      const blockedForLi = await move(li, t, 'deal');
      assert.equal(blockedForLi.body.may_override, true);
      const ok = await move(li, t, 'deal', { override_reason: '年度框架已口头确认' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.stage, 'deal');
      assert.equal(ok.body.probability, 75);
      assert.equal(ok.body.weighted_amount, 0, 'no amount yet');
      const h = (await zhang.get(`/api/v1/projects/${p.id}/history`)).body.items[0];
      assert.equal(h.action, 'stage_override');
      assert.equal(h.user_id, ids.li);
      assert.equal(h.after.override_reason, '年度框架已口头确认');
      assert.deepEqual(h.after.missing.map((m) => m.key).sort(), ['has_amount', 'sample_ok']);
      // nothing moved when refused
      assert.equal((await detail(zhang, p.id)).stage, 'deal');
    });

    it('two people drag the same card at once: one wins, the other gets 409, nothing is lost', async () => {
      const p = await newProject(zhang, { name: '并发拖动项目', amount: 1000000 });
      let cur = (await tick(zhang, p, 'visit_done')).body;
      for (let round = 0; round < 5; round++) {
        const target = cur.stage === 'contact' ? 'sample' : 'contact';
        const [a, b] = await Promise.all([move(zhang, cur, target), move(li, cur, target)]);
        const st = [a.status, b.status].sort();
        assert.deepEqual(st, [200, 409], `${a.text} ${b.text}`);
        const loser = a.status === 409 ? a : b;
        assert.equal(loser.body.code, 'version_conflict');
        cur = await detail(zhang, p.id);
        assert.equal(cur.stage, target);
        assert.equal(cur.version, (a.status === 200 ? a : b).body.version);
      }
      const moves = (await zhang.get(`/api/v1/projects/${p.id}/history?limit=100`)).body.items
        .filter((x) => x.action.startsWith('stage'));
      assert.equal(moves.length, 5, 'exactly one move per round');
    });

    it('editing a template makes a new version; running projects keep theirs', async () => {
      const old = await newProject(zhang, { name: '旧版本项目', amount: 500000 });
      const t = (await li.get(`/api/v1/process-templates/${tpl.id}`)).body;
      const stages2 = [
        { key: 'contact', name: '接洽 Contact', probability: 5, items: [{ key: 'visit_done', label: '首次拜访', kind: 'task' }] },
        { key: 'tech', name: '技术评审 Tech review', probability: 30, items: [{ key: 'tech_ok', label: '技术评审通过', kind: 'task' }] },
        { key: 'deal', name: '成交 Deal', probability: 80 },
      ];
      assertProblem(assert, await zhang.patch(`/api/v1/process-templates/${tpl.id}`, { version: t.version, stages: stages2 }), 403);
      assertProblem(assert, await li.patch(`/api/v1/process-templates/${tpl.id}`, { version: t.version + 5, stages: stages2 }), 409, 'version_conflict');
      const up = await li.patch(`/api/v1/process-templates/${tpl.id}`, { version: t.version, stages: stages2 });
      assert.equal(up.status, 200, up.text);
      assert.equal(up.body.current_version, 2);
      assert.deepEqual(up.body.versions.map((v) => v.number), [2, 1]);
      assert.ok(up.body.versions.find((v) => v.number === 1).projects >= 1);
      const v1 = await li.get(`/api/v1/process-templates/${tpl.id}/versions/1`);
      assert.equal(v1.body.stages[1].key, 'sample');
      // the running project still runs on version 1: its stages and gates
      const o = await detail(zhang, old.id);
      assert.equal(o.template_version, 1);
      assert.deepEqual(o.process.stages.map((s) => s.key), ['contact', 'sample', 'deal']);
      const ot = (await tick(zhang, o, 'visit_done')).body;
      assertProblem(assert, await move(zhang, ot, 'tech'), 422, 'validation_failed');
      assert.equal((await move(zhang, ot, 'sample')).status, 200);
      // a new project gets version 2
      const fresh = await newProject(zhang, { name: '新版本项目' });
      assert.equal(fresh.template_version, 2);
      assert.equal(fresh.probability, 5);
      assertProblem(assert, await tick(zhang, fresh, 'sample_ok'), 404);
      // the board shows the old version's stage as a legacy column while projects run there
      const board = (await li.get(`/api/v1/projects/board?template_id=${tpl.id}`)).body;
      const keys = board.columns.map((c) => c.key);
      assert.deepEqual(keys, ['contact', 'tech', 'deal', 'sample', 'won', 'lost']);
      assert.equal(board.columns.find((c) => c.key === 'sample').legacy, true);
      assert.ok(board.columns.find((c) => c.key === 'sample').items.some((x) => x.id === old.id));
      // a retired template takes no new projects, its projects keep running
      const cur = (await li.get(`/api/v1/process-templates/${tpl.id}`)).body;
      const ret = await li.patch(`/api/v1/process-templates/${tpl.id}`, { version: cur.version, retired: true });
      assert.equal(ret.status, 200, ret.text);
      const r = await zhang.post('/api/v1/projects', { name: '停用模板项目', template_id: tpl.id });
      assertProblem(assert, r, 422);
      assert.ok(r.body.errors.some((e) => e.field === 'template_id'));
      assert.equal((await move(zhang, await detail(zhang, old.id), 'contact')).status, 200);
      const back = (await li.get(`/api/v1/process-templates/${tpl.id}`)).body;
      assert.equal((await li.patch(`/api/v1/process-templates/${tpl.id}`, { version: back.version, retired: false })).status, 200);
      const hist = await li.get(`/api/v1/process-templates/${tpl.id}/history`);
      assert.ok(hist.body.items.length >= 3);
    });

    it('won needs every gate left (or an override); lost needs a reason and may name the competitor', async () => {
      const p = await newProject(zhang, { name: '赢单测试项目', amount: 2000000 });
      const early = await zhang.post(`/api/v1/projects/${p.id}/close`, { outcome: 'won', version: p.version });
      assertProblem(assert, early, 409, 'conflict');
      assert.equal(early.body.reason, 'gate_blocked');
      assert.deepEqual(early.body.missing.map((m) => m.key).sort(), ['price_ok', 'sample_ok', 'tech_ok', 'visit_done'].filter((k) => early.body.missing.some((m) => m.key === k)).sort());
      let cur = p;
      for (const key of early.body.missing.map((m) => m.key)) cur = (await tick(zhang, cur, key)).body;
      assertProblem(assert, await zhang.post(`/api/v1/projects/${p.id}/close`, { outcome: 'maybe', version: cur.version }), 422);
      assertProblem(assert, await zhang.post(`/api/v1/projects/${p.id}/close`, { outcome: 'won', version: cur.version, competitor_id: competitor.id }), 422);
      const won = await zhang.post(`/api/v1/projects/${p.id}/close`, { outcome: 'won', reason: '签订年度合同', version: cur.version });
      assert.equal(won.status, 200, won.text);
      assert.equal(won.body.status, 'won');
      assert.equal(won.body.stage, 'won');
      assert.equal(won.body.probability, 100);
      assert.equal(won.body.weighted_amount, 2000000);
      assert.ok(won.body.closed_at);
      assert.equal(won.body.process.next_stage, null);
      assertProblem(assert, await zhang.post(`/api/v1/projects/${p.id}/close`, { outcome: 'lost', reason: 'x', version: won.body.version }), 409);
      assertProblem(assert, await move(zhang, won.body, 'contact'), 409);
      // reopening is for managers
      assertProblem(assert, await zhang.post(`/api/v1/projects/${p.id}/reopen`, { version: won.body.version, reason: '误操作' }), 403);
      const re = await li.post(`/api/v1/projects/${p.id}/reopen`, { version: won.body.version, reason: '合同未签' });
      assert.equal(re.status, 200, re.text);
      assert.equal(re.body.status, 'open');
      assert.equal(re.body.stage, re.body.process.stages[re.body.process.current_index].key);
      assertProblem(assert, await li.post(`/api/v1/projects/${p.id}/reopen`, { version: re.body.version, reason: 'x' }), 409);

      const q = await newProject(zhang, { name: '输单测试项目', amount: 900000 });
      assertProblem(assert, await zhang.post(`/api/v1/projects/${q.id}/close`, { outcome: 'lost', version: q.version }), 422);
      assertProblem(assert, await zhang.post(`/api/v1/projects/${q.id}/close`, { outcome: 'lost', reason: '价格', competitor_id: yutong, version: q.version }), 422);
      assertProblem(assert, await zhang.post(`/api/v1/projects/${q.id}/close`, { outcome: 'lost', reason: '价格', version: q.version + 1 }), 409, 'version_conflict');
      const lost = await zhang.post(`/api/v1/projects/${q.id}/close`, { outcome: 'lost', reason: '对手低价 5%', competitor_id: competitor.id, version: q.version });
      assert.equal(lost.status, 200, lost.text);
      assert.equal(lost.body.status, 'lost');
      assert.equal(lost.body.lost_to_id, competitor.id);
      assert.equal(lost.body.lost_to_name, competitor.name);
      assert.equal(lost.body.close_reason, '对手低价 5%');
      assert.equal(lost.body.closed_stage, 'contact');
      assert.equal(lost.body.weighted_amount, 0);
      const h = (await zhang.get(`/api/v1/projects/${q.id}/history`)).body.items[0];
      assert.equal(h.action, 'lost');
      assert.equal(h.after.reason, '对手低价 5%');
      // a manager may win a project past unfinished gates, with a reason
      const r = await newProject(zhang, { name: '经理强制赢单' });
      assertProblem(assert, await zhang.post(`/api/v1/projects/${r.id}/close`, { outcome: 'won', version: r.version, override_reason: '老板拍板' }), 403);
      const forced = await wang.post(`/api/v1/projects/${r.id}/close`, { outcome: 'won', version: r.version, override_reason: '老板拍板' });
      assert.equal(forced.status, 200, forced.text);
      const fh = (await wang.get(`/api/v1/projects/${r.id}/history`)).body.items[0];
      assert.equal(fh.after.override_reason, '老板拍板');
      assert.ok(fh.after.missing.length >= 1);
    });

    it('follow-ups record the stage they were made at', async () => {
      const p = await newProject(zhang, { name: '跟进阶段项目' });
      const f1 = await zhang.post(`/api/v1/projects/${p.id}/followups`, { content: '首次拜访', effect: '有意向' });
      const t = (await tick(zhang, p, 'visit_done')).body;
      await zhang.patch(`/api/v1/projects/${p.id}`, { version: t.version, amount: 300000 });
      const cur = await detail(zhang, p.id);
      assert.equal((await move(zhang, cur, 'tech')).status, 200);
      const f2 = await zhang.post(`/api/v1/projects/${p.id}/followups`, { content: '技术评审会', effect: '需补充试验报告' });
      assert.equal(f1.body.stage, 'contact');
      assert.equal(f2.body.stage, 'tech');
      const tl = (await zhang.get(`/api/v1/projects/${p.id}/timeline`)).body.items;
      assert.ok(tl.findIndex((x) => x.id === f2.body.id) < tl.findIndex((x) => x.id === f1.body.id), 'newest first');
      assert.ok((await detail(zhang, p.id)).last_followup_at);
    });

    it('the board: columns page by page, newest first, only what the user sees', async () => {
      const made = [];
      for (let i = 0; i < 5; i++) made.push((await newProject(chen, { name: `看板分页 ${i}`, customer_id: null })).id);
      const all = [];
      let cursor = '';
      for (let i = 0; i < 20; i++) {
        const r = await chen.get(`/api/v1/projects/board?template_id=${tpl.id}&stage=contact&limit=2${cursor ? '&cursor=' + cursor : ''}`);
        assert.equal(r.status, 200, r.text);
        assert.ok(r.body.items.length <= 2);
        assert.ok(r.body.items.every((x) => x.stage === 'contact' && x.template_id === tpl.id));
        all.push(...r.body.items.map((x) => x.id));
        if (!r.body.next_cursor) break;
        cursor = r.body.next_cursor;
      }
      assert.deepEqual([...all].sort((a, b) => b - a), all, 'newest first');
      assert.equal(new Set(all).size, all.length, 'no card twice');
      for (const id of made) assert.ok(all.includes(id));
      assert.ok(all.every((id) => made.includes(id)), 'chen sees only her own projects there');
      // the owner's manager sees zhang's and chen's cards; liu sees neither
      const liBoard = (await li.get(`/api/v1/projects/board?template_id=${tpl.id}&stage=contact&limit=500`)).body.items;
      assert.ok(made.every((id) => liBoard.some((x) => x.id === id)));
      assert.ok(liBoard.some((x) => x.owner_id === ids.zhang));
      const liuBoard = (await liu.get(`/api/v1/projects/board?template_id=${tpl.id}&stage=contact&limit=500`)).body.items;
      assert.ok(!liuBoard.some((x) => made.includes(x.id)));
      // a member sees the card
      await chen.post(`/api/v1/projects/${made[0]}/members`, { user_id: ids.liu, role: '技术支持' });
      const liuAgain = (await liu.get(`/api/v1/projects/board?template_id=${tpl.id}&stage=contact`)).body.items;
      assert.ok(liuAgain.some((x) => x.id === made[0]));
      // owner filter
      const onlyZhang = (await li.get(`/api/v1/projects/board?template_id=${tpl.id}&stage=contact&owner=${ids.zhang}&limit=500`)).body.items;
      assert.ok(onlyZhang.length > 0 && onlyZhang.every((x) => x.owner_id === ids.zhang));
      // the whole board: every column with its first page; won and lost at the end
      const b = (await li.get(`/api/v1/projects/board?template_id=${tpl.id}&limit=1`)).body;
      assert.equal(b.template.id, tpl.id);
      const won = b.columns.find((c) => c.key === 'won');
      assert.equal(won.items.length, 1);
      assert.ok(b.columns.find((c) => c.key === 'contact').next_cursor, 'more cards than one');
      for (const bad of ['stage=', 'template_id=x', 'owner=nobody', `template_id=${tpl.id}&cursor=5`, 'limit=9999']) {
        assertProblem(assert, await li.get('/api/v1/projects/board?' + bad), 400);
      }
      assertProblem(assert, await li.get('/api/v1/projects/board?template_id=99999999'), 404);
    });

    it('the demo board has projects at every stage of both templates, won and lost', async () => {
      const templates = (await admin.get('/api/v1/process-templates')).body.items;
      const demo = templates.filter((t) => /Standard order|Large tender/.test(t.name));
      assert.equal(demo.length, 2);
      for (const t of demo) {
        const b = (await admin.get(`/api/v1/projects/board?template_id=${t.id}`)).body;
        for (const c of b.columns.filter((x) => !x.legacy && x.key !== 'won' && x.key !== 'lost'))
          assert.ok(c.items.length >= 1, `${t.name}: ${c.key} has a project`);
      }
      const std = demo.find((t) => /Standard/.test(t.name));
      const b = (await admin.get(`/api/v1/projects/board?template_id=${std.id}`)).body;
      assert.ok(b.columns.find((c) => c.key === 'won').items.length >= 1);
      assert.ok(b.columns.find((c) => c.key === 'lost').items.length >= 1);
      assert.equal(std.current_version, 2);
      assert.ok((await admin.get(`/api/v1/projects?template_id=${std.id}&limit=500`)).body.items.some((p) => p.template_version_id !== std.current_version_id), 'a project still on version 1');
    });

    it('the weighted pipeline per owner and per department, within the user\'s scope', async () => {
      const sum = (items, k) => items.reduce((a, x) => a + x[k], 0);
      const z = (await zhang.get('/api/v1/projects/pipeline?group=owner')).body;
      assert.deepEqual(z.items.map((x) => x.owner_id), [ids.zhang], 'a salesperson sees their own');
      const open = (await zhang.get('/api/v1/projects?owner=me&status=open&limit=500')).body.items;
      assert.equal(z.items[0].count, open.length);
      assert.equal(z.items[0].amount, sum(open, 'amount'));
      assert.equal(z.items[0].weighted_amount, sum(open, 'weighted_amount'));
      assert.equal(z.totals.weighted_amount, z.items[0].weighted_amount);
      const l = (await li.get('/api/v1/projects/pipeline?group=owner')).body;
      const owners = l.items.map((x) => x.owner_id);
      assert.ok(owners.includes(ids.zhang) && owners.includes(ids.chen));
      assert.ok(!owners.includes(ids.liu) && !owners.includes(ids.zhao));
      for (let i = 1; i < l.items.length; i++) assert.ok(l.items[i - 1].weighted_amount >= l.items[i].weighted_amount);
      // the kept totals equal the projects themselves, owner by owner
      for (const o of l.items) {
        const ps = (await li.get(`/api/v1/projects?owner=${o.owner_id}&status=open&limit=500`)).body.items;
        assert.deepEqual([o.count, o.amount, o.weighted_amount], [ps.length, sum(ps, 'amount'), sum(ps, 'weighted_amount')], o.owner_name);
      }
      const w = (await wang.get('/api/v1/projects/pipeline?group=department')).body;
      const names = w.items.map((x) => x.department_name);
      assert.ok(names.some((n) => /East China/.test(n)) && names.some((n) => /North China/.test(n)));
      assert.equal(w.totals.count, sum(w.items, 'count'));
      const east = w.items.find((x) => /East China/.test(x.department_name));
      assert.equal(east.weighted_amount, sum(l.items.filter((x) => x.department_id === east.department_id), 'weighted_amount'));
      const h = (await huang.get('/api/v1/projects/pipeline?group=department')).body;
      assert.ok(h.items.every((x) => /North China/.test(x.department_name)));
      const byDept = (await wang.get(`/api/v1/projects/pipeline?group=owner&department_id=${east.department_id}`)).body;
      assert.ok(byDept.items.every((x) => x.department_id === east.department_id));
      const st = (await li.get(`/api/v1/projects/pipeline?group=stage&template_id=${tpl.id}`)).body;
      assert.ok(st.items.some((x) => x.stage === 'contact' && x.stage_name === '接洽 Contact'));
      for (const bad of ['group=team', 'group=stage', 'department_id=x']) {
        assertProblem(assert, await li.get('/api/v1/projects/pipeline?' + bad), 400);
      }
    });
  });
}
