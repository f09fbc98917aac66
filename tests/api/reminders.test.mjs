// reminders.test.mjs — important events as a user relies on them: their own
// reminders (task, mail, contact) with states, the due badge, versions and
// bad inputs; the secret iCalendar feed a calendar app subscribes to
// (RFC 5545: CRLF, folding at 75 octets, TEXT escaping, UTC times); and the
// reminders_fire job that mails each due reminder exactly once through SMTP,
// even when `tradeflow jobs run` runs twice and when two processes run it at
// the same moment (one taking over the other's lease mid-run) — on every
// engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { engines, startServer, newDatabase, run, BIN, assertProblem } from '../lib/server.mjs';
import { smtpSink, parseMail } from '../lib/smtp.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const fieldCodes = (r) => (r.body?.errors || []).map((e) => `${e.field}/${e.code}`);
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The calendar's content lines after unfolding, as {name, params, value}. */
function parseIcs(text) {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  assert.equal(lines.pop(), '', 'the feed ends with CRLF');
  return lines.map((l) => {
    const m = /^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(l);
    assert.ok(m, `a content line: ${l}`);
    return { name: m[1].toUpperCase(), params: m[2], value: m[3] };
  });
}

/** RFC 5545 TEXT unescaping; fails on a bare comma or semicolon or a bad escape. */
function icsText(v) {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i];
    if (ch === '\\') {
      const n = v[++i];
      if (n === 'n' || n === 'N') out += '\n';
      else if (n === '\\' || n === ';' || n === ',') out += n;
      else assert.fail(`bad escape \\${n} in ${v}`);
    } else {
      assert.ok(ch !== ',' && ch !== ';', `unescaped ${ch} in ${v}`);
      out += ch;
    }
  }
  return out;
}

for (const engine of engines()) {
  describe(`reminders [${engine}]`, () => {
    let srv, zhang, chen, admin, users;
    before(async () => {
      srv = await startServer({ engine });
      [zhang, chen, admin] = await Promise.all(['zhang', 'chen', 'admin'].map((l) => srv.login(l)));
      users = Object.fromEntries((await admin.get('/api/v1/users?limit=500')).body.items.map((u) => [u.login, u]));
    });
    after(async () => { await srv.stop(); });

    it('the demo gives zhang and chen reminders, some already due', async () => {
      for (const c of [zhang, chen]) {
        const all = (await c.get('/api/v1/reminders?limit=500')).body.items;
        assert.ok(all.length >= 2);
        assert.ok((await c.get('/api/v1/reminders/count')).body.due >= 1);
      }
    });

    it('a reminder is created for yourself; times with a zone are stored in UTC', async () => {
      const r = await zhang.post('/api/v1/reminders', { kind: 'mail', title: '寄样品目录', notes: '附木盘说明', due_at: '2030-03-01T09:30:00+08:00' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.user_id, users.zhang.id);
      assert.equal(r.body.due_at, '2030-03-01T01:30:00Z');
      assert.equal(r.body.state, 'upcoming');
      assert.equal(r.body.done, false);
      assert.equal(r.body.version, 1);
      assert.equal(r.body.fired_at, null);
      const d = await zhang.post('/api/v1/reminders', { kind: 'task', title: '按日期', due_at: '2030-03-02' });
      assert.equal(d.body.due_at, '2030-03-02T00:00:00Z');
    });

    it('due ones count for the badge until done; the states list what they say', async () => {
      const before = (await zhang.get('/api/v1/reminders/count')).body.due;
      const r = await zhang.post('/api/v1/reminders', { kind: 'task', title: '已到期的任务', due_at: iso(Date.now() - 60000) });
      assert.equal(r.body.state, 'due');
      assert.equal((await zhang.get('/api/v1/reminders/count')).body.due, before + 1);
      const has = async (state) => (await zhang.get(`/api/v1/reminders?state=${state}&limit=500`)).body.items.some((x) => x.id === r.body.id);
      assert.deepEqual([await has('due'), await has('upcoming'), await has('done')], [true, false, false]);
      const done = await zhang.patch(`/api/v1/reminders/${r.body.id}`, { version: 1, done: true });
      assert.equal(done.status, 200, done.text);
      assert.equal(done.body.state, 'done');
      assert.equal(done.body.version, 2);
      assert.equal((await zhang.get('/api/v1/reminders/count')).body.due, before);
      assert.deepEqual([await has('due'), await has('upcoming'), await has('done')], [false, false, true]);
      assert.ok(!(await zhang.get('/api/v1/reminders?limit=500')).body.items.some((x) => x.id === r.body.id), 'no state: open ones');
      assertProblem(assert, await zhang.patch(`/api/v1/reminders/${r.body.id}`, { version: 1, done: false }), 409, 'version_conflict');
    });

    it('reminders are private: others get 404 and never see them', async () => {
      const r = await zhang.post('/api/v1/reminders', { kind: 'task', title: '私人提醒', due_at: '2030-01-01' });
      assertProblem(assert, await chen.patch(`/api/v1/reminders/${r.body.id}`, { version: 1, done: true }), 404);
      assertProblem(assert, await chen.delete(`/api/v1/reminders/${r.body.id}?version=1`), 404);
      const wang = await srv.login('wang');
      for (const c of [chen, wang, admin])
        assert.ok(!(await c.get('/api/v1/reminders?limit=500')).body.items.some((x) => x.id === r.body.id));
      assert.equal((await zhang.get('/api/v1/reminders?limit=500')).body.items.find((x) => x.id === r.body.id).done, false);
      assertProblem(assert, await srv.client().get('/api/v1/reminders'), 401);
      assertProblem(assert, await srv.client().get('/api/v1/reminders/count'), 401);
    });

    it('a reminder may name a customer you see, and no other', async () => {
      const mine = (await zhang.get('/api/v1/customers?owner=me&limit=1')).body.items[0];
      const ok = await zhang.post('/api/v1/reminders', { kind: 'contact', title: '回访', due_at: '2030-01-01', customer_id: mine.id });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.body.customer_id, mine.id);
      assert.equal(ok.body.customer_name, mine.name);
      const zhao = await srv.login('zhao');
      const theirs = (await zhao.get('/api/v1/customers?owner=me&limit=1')).body.items[0];
      const bad = await zhang.post('/api/v1/reminders', { kind: 'contact', title: '越权', due_at: '2030-01-01', customer_id: theirs.id });
      assertProblem(assert, bad, 422);
      assert.ok(fieldCodes(bad).includes('customer_id/not_found'));
    });

    it('bad reminders are 422 (or 400) and create nothing', async () => {
      const n = (await zhang.get('/api/v1/reminders?limit=500')).body.items.length;
      const cases = [
        [{ kind: 'call', title: 't', due_at: '2030-01-01' }, 'kind/invalid'],
        [{ title: 't', due_at: '2030-01-01' }, 'kind/required'],
        [{ kind: 'task', due_at: '2030-01-01' }, 'title/required'],
        [{ kind: 'task', title: '', due_at: '2030-01-01' }, 'title/required'],
        [{ kind: 'task', title: 'x'.repeat(201), due_at: '2030-01-01' }, 'title/too_long'],
        [{ kind: 'task', title: 't' }, 'due_at/required'],
        [{ kind: 'task', title: 't', due_at: '01/02/2030' }, 'due_at/invalid'],
        [{ kind: 'task', title: 't', due_at: '2030-01-01T25:00:00Z' }, 'due_at/invalid'],
        [{ kind: 'task', title: 't', due_at: '2030-01-01T10:00:00' }, 'due_at/invalid'],
        [{ kind: 'task', title: 't', due_at: 1893456000 }, 'due_at/wrong_type'],
        [{ kind: 'task', title: 't', due_at: '2030-01-01', notes: 'x'.repeat(2001) }, 'notes/too_long'],
        [{ kind: 'task', title: 't', due_at: '2030-01-01', user_id: users.chen.id }, 'user_id/unknown_field'],
      ];
      for (const [body, code] of cases) {
        const r = await zhang.post('/api/v1/reminders', body);
        assertProblem(assert, r, 422);
        assert.ok(fieldCodes(r).includes(code), `${JSON.stringify(body).slice(0, 80)} → ${code}: ${r.text}`);
      }
      assertProblem(assert, await zhang.get('/api/v1/reminders?state=soon'), 400);
      assertProblem(assert, await zhang.get('/api/v1/reminders?limit=0'), 400);
      assertProblem(assert, await zhang.get('/api/v1/reminders?cursor=x'), 400);
      assert.equal((await zhang.get('/api/v1/reminders?limit=500')).body.items.length, n);
    });

    it('open reminders page soonest first, done ones latest first, with cursors', async () => {
      const c = await srv.login('liu');
      const dues = ['2031-05-03', '2031-05-01', '2031-05-05', '2031-05-02', '2031-05-04'];
      const made = [];
      for (const d of dues) made.push((await c.post('/api/v1/reminders', { kind: 'task', title: d, due_at: d })).body);
      const walk = async (q) => {
        const out = [];
        let cursor = '';
        for (let i = 0; i < 20; i++) {
          const p = await c.get(`/api/v1/reminders?${q}&limit=2${cursor ? '&cursor=' + cursor : ''}`);
          assert.equal(p.status, 200, p.text);
          out.push(...p.body.items.map((x) => x.title));
          if (!p.body.next_cursor) break;
          cursor = p.body.next_cursor;
        }
        return out;
      };
      const up = (await walk('state=upcoming')).filter((t) => t.startsWith('2031'));
      assert.deepEqual(up, [...dues].sort());
      for (const m of made.slice(0, 3)) await c.patch(`/api/v1/reminders/${m.id}`, { version: 1, done: true });
      assert.deepEqual((await walk('state=done')).filter((t) => t.startsWith('2031')), ['2031-05-05', '2031-05-03', '2031-05-01']);
    });

    it('PATCH moves, renames and reopens; DELETE needs the version', async () => {
      const r = (await zhang.post('/api/v1/reminders', { kind: 'task', title: '改期', due_at: '2030-06-01' })).body;
      const m = await zhang.patch(`/api/v1/reminders/${r.id}`, { version: 1, due_at: '2030-06-02T08:00:00Z', title: '已改期', notes: '备注' });
      assert.equal(m.status, 200, m.text);
      assert.equal(m.body.due_at, '2030-06-02T08:00:00Z');
      assert.equal(m.body.title, '已改期');
      assert.equal(m.body.notes, '备注');
      const bad = await zhang.patch(`/api/v1/reminders/${r.id}`, { version: 2, due_at: 'soon' });
      assertProblem(assert, bad, 422);
      assertProblem(assert, await zhang.patch(`/api/v1/reminders/${r.id}`, { version: 2, title: null }), 422);
      assertProblem(assert, await zhang.patch(`/api/v1/reminders/${r.id}`, { done: true }), 422);
      assertProblem(assert, await zhang.delete(`/api/v1/reminders/${r.id}`), 400);
      assertProblem(assert, await zhang.delete(`/api/v1/reminders/${r.id}?version=1`), 409, 'version_conflict');
      assert.equal((await zhang.delete(`/api/v1/reminders/${r.id}?version=2`)).status, 204);
      assertProblem(assert, await zhang.delete(`/api/v1/reminders/${r.id}?version=2`), 404);
      assertProblem(assert, await zhang.patch(`/api/v1/reminders/${r.id}`, { version: 2, done: true }), 404);
    });

    describe('calendar feed', () => {
      const nasty = 'Call Li, re: price; ask about "30/50 kg" \\ spools\nthen confirm 交期';
      const long = '确认华能风电 500 kg 聚酰亚胺薄膜绕包扁铜线的交期、包装与付款方式，并安排第二次技术交流会议 (long title)';
      let feed, made;
      before(async () => {
        made = {};
        made.nasty = (await zhang.post('/api/v1/reminders', { kind: 'task', title: nasty, notes: 'line one\nline two; with, punctuation', due_at: '2030-04-01T09:15:00+08:00' })).body;
        made.long = (await zhang.post('/api/v1/reminders', { kind: 'contact', title: long, due_at: '2030-04-02' })).body;
        made.done = (await zhang.post('/api/v1/reminders', { kind: 'task', title: 'DONE-ONE', due_at: '2030-04-03' })).body;
        await zhang.patch(`/api/v1/reminders/${made.done.id}`, { version: 1, done: true });
        await chen.post('/api/v1/reminders', { kind: 'task', title: 'CHEN-PRIVATE', due_at: '2030-04-03' });
        assert.equal((await zhang.get('/api/v1/reminders/feed')).body.active, false);
        const r = await zhang.post('/api/v1/reminders/feed');
        assert.equal(r.status, 201, r.text);
        feed = r.body;
      });

      it('the feed URL is secret: a long random token, stored only hashed', async () => {
        assert.match(feed.url, /^\/api\/v1\/calendar\/[0-9a-f]{64}\.ics$/);
        assert.equal((await zhang.get('/api/v1/reminders/feed')).body.active, true);
        assert.ok(!JSON.stringify((await zhang.get('/api/v1/reminders/feed')).body).includes(feed.token), 'shown once only');
      });

      it('serves text/calendar a calendar parser accepts: CRLF, 75-octet folding, UTC times', async () => {
        const r = await fetch(srv.url + feed.url); // no session: the token is the credential
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /^text\/calendar; charset=utf-8/);
        const text = await r.text();
        assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
        for (const phys of text.split('\r\n')) assert.ok(Buffer.byteLength(phys) <= 75, `line of ${Buffer.byteLength(phys)} octets: ${phys}`);
        assert.ok(text.split('\r\n').some((l) => l.startsWith(' ')), 'the long title was folded');
        assert.ok(!text.includes('\uFFFD'));
        const lines = parseIcs(text);
        assert.deepEqual(lines[0], { name: 'BEGIN', params: '', value: 'VCALENDAR' });
        assert.deepEqual(lines.at(-1), { name: 'END', params: '', value: 'VCALENDAR' });
        const stack = [];
        const events = [];
        let ev;
        for (const l of lines) {
          if (l.name === 'BEGIN') {
            stack.push(l.value);
            if (l.value === 'VEVENT') events.push(ev = {});
          } else if (l.name === 'END') {
            assert.equal(stack.pop(), l.value, 'BEGIN/END nest');
          } else if (stack.at(-1) === 'VEVENT') {
            ev[l.name] = l.value;
          } else if (stack.at(-1) === 'VCALENDAR') {
            events.cal = { ...(events.cal || {}), [l.name]: l.value };
          }
        }
        assert.equal(stack.length, 0);
        assert.equal(events.cal.VERSION, '2.0');
        assert.ok(events.cal.PRODID);
        const uids = new Set();
        for (const e of events) {
          for (const k of ['UID', 'DTSTAMP', 'DTSTART', 'SUMMARY']) assert.ok(e[k], `VEVENT has ${k}`);
          assert.match(e.DTSTART, /^\d{8}T\d{6}Z$/);
          assert.match(e.DTSTAMP, /^\d{8}T\d{6}Z$/);
          assert.ok(!uids.has(e.UID), 'UIDs are unique');
          uids.add(e.UID);
          icsText(e.SUMMARY);
        }
        const sums = events.map((e) => icsText(e.SUMMARY));
        const n = events[sums.indexOf(nasty)];
        assert.ok(n, 'the title with commas, semicolons, a backslash and a newline comes back intact');
        assert.equal(n.DTSTART, '20300401T011500Z');
        assert.equal(icsText(n.DESCRIPTION), 'line one\nline two; with, punctuation');
        assert.ok(sums.includes(long));
        assert.equal(events[sums.indexOf(long)].DTSTART, '20300402T000000Z');
        assert.ok(!sums.includes('DONE-ONE'), 'done reminders are left out');
        assert.ok(!sums.includes('CHEN-PRIVATE'), 'only the owner\'s reminders');
        const open = (await zhang.get('/api/v1/reminders?limit=500')).body.items;
        assert.equal(events.length, open.length, 'one event per open reminder');
      });

      it('a rotated feed kills the old URL; a revoked feed is gone; wrong tokens are 404', async () => {
        const again = await zhang.post('/api/v1/reminders/feed');
        assert.equal(again.status, 201);
        assert.notEqual(again.body.url, feed.url);
        assertProblem(assert, await srv.client().get(feed.url), 404);
        assert.equal((await fetch(srv.url + again.body.url)).status, 200);
        const tok = again.body.token;
        for (const p of [`/api/v1/calendar/${tok}`, `/api/v1/calendar/${tok.toUpperCase()}.ics`, `/api/v1/calendar/${tok.slice(1)}.ics`,
                         `/api/v1/calendar/${tok}.ics.ics`, `/api/v1/calendar/${'0'.repeat(64)}.ics`])
          assertProblem(assert, await srv.client().get(p), 404);
        assert.equal((await zhang.delete('/api/v1/reminders/feed')).status, 204);
        assertProblem(assert, await srv.client().get(again.body.url), 404);
        assert.equal((await zhang.get('/api/v1/reminders/feed')).body.active, false);
      });

      it('a disabled user\'s feed stops working', async () => {
        const u = (await chen.post('/api/v1/reminders/feed')).body;
        assert.equal((await fetch(srv.url + u.url)).status, 200);
        const cur = (await admin.get(`/api/v1/users/${users.chen.id}`)).body;
        const off = await admin.patch(`/api/v1/users/${users.chen.id}`, { version: cur.version, active: false });
        assert.equal(off.status, 200, off.text);
        assertProblem(assert, await srv.client().get(u.url), 404);
        await admin.patch(`/api/v1/users/${users.chen.id}`, { version: off.body.version, active: true });
      });
    });
  });

  describe(`reminders_fire mails once [${engine}]`, () => {
    let sink, db, srv, env;
    const made = {};
    const runJob = () => new Promise((ok) => {
      const p = spawn(BIN, ['jobs', 'run', 'reminders_fire', '--db', db.url], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      p.on('exit', (code) => ok({ code, out }));
    });
    /** Breaks the running lease, as if its holder had crashed: the next run starts at once. */
    const freeLease = () => {
      const sql = "UPDATE job_leases SET until = NULL WHERE name = 'reminders_fire'";
      if (engine === 'pg') execFileSync('psql', [db.url, '-q', '-c', sql]);
      else execFileSync('sqlite3', ['-cmd', '.timeout 5000', db.path, sql]);
    };

    before(async () => {
      sink = await smtpSink();
      env = { TRADEFLOW_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, TRADEFLOW_SMTP_FROM: 'reminders@huayang.test' };
      db = newDatabase(engine);
      run(['demo', '--db', db.url]);
      srv = await startServer({ engine, env, db: { ...db, cleanup() {} } });
      const admin = await srv.login('admin');
      const us = (await admin.get('/api/v1/users?limit=500')).body.items;
      for (const login of ['zhang', 'chen']) {
        const u = us.find((x) => x.login === login);
        const r = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, email: `${login}@huayang.test` });
        assert.equal(r.status, 200, r.text);
      }
      const zhang = await srv.login('zhang'), chen = await srv.login('chen');
      made.zhang = zhang;
      const past = iso(Date.now() - 60000);
      made.r1 = (await zhang.post('/api/v1/reminders', { kind: 'task', title: '给宇通打电话, re: 报价; 确认 "交期"', notes: '带上样品', due_at: past })).body;
      made.r2 = (await zhang.post('/api/v1/reminders', { kind: 'mail', title: 'Send the catalogue — 寄送产品目录，以及 30/50/150 kg 木盘包装说明和最新价格表 (a long subject line)', due_at: past })).body;
      made.r3 = (await chen.post('/api/v1/reminders', { kind: 'contact', title: '回访申联电力', due_at: past })).body;
      made.r6 = (await chen.post('/api/v1/reminders', { kind: 'task', title: '整理样品反馈', due_at: past })).body;
      // done before it came due: never fires
      const r4 = (await zhang.post('/api/v1/reminders', { kind: 'task', title: 'DONE-NEVER-MAIL', due_at: iso(Date.now() + 3600e3) })).body;
      made.r4 = (await zhang.patch(`/api/v1/reminders/${r4.id}`, { version: 1, done: true, due_at: past })).body;
      made.r5 = (await zhang.post('/api/v1/reminders', { kind: 'task', title: 'LATER-NEVER-MAIL', due_at: iso(Date.now() + 3600e3) })).body;
      for (const k of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) assert.ok(made[k].id, k);
    });
    after(async () => {
      await srv.stop();
      db.cleanup();
      await sink.close();
    });

    it('two processes at once, then two more runs: each due reminder is mailed exactly once', async () => {
      // the SMTP server takes a second per message, so the first run is still
      // mailing when the second one breaks its lease and starts: both claim
      // from the same due reminders at the same time
      sink.state.delay = 1000;
      const first = runJob();
      for (let i = 0; i < 300 && sink.state.dataStarted === 0; i++) await sleep(20);
      assert.ok(sink.state.dataStarted > 0, 'the first run is mailing');
      freeLease();
      const second = runJob();
      const race = await Promise.all([first, second]);
      sink.state.delay = 0;
      const seq = [await runJob(), await runJob()];
      const handled = (r) => Number(/handled (\d+) items/.exec(r.out)?.[1]);
      for (const r of [...race, ...seq]) {
        assert.ok(!/AddressSanitizer|LeakSanitizer|runtime error/.test(r.out), r.out);
        assert.equal(r.code, 0, r.out);
      }
      assert.equal(handled(race[0]) + handled(race[1]), 4, `each due reminder claimed once: ${race.map((r) => r.out).join(' | ')}`);
      assert.ok(handled(race[1]) >= 1, 'the second run took some while the first was still at work');
      assert.deepEqual(seq.map(handled), [0, 0], 'later runs find nothing');
      for (let i = 0; i < 100 && sink.mails.length < 4; i++) await sleep(100);
      await sleep(1500); // time for a duplicate to show up
      const by = {};
      for (const m of sink.mails) {
        const p = parseMail(m.data);
        const id = Number(p.headers['x-tradeflow-reminder']);
        (by[id] ||= []).push({ ...m, ...p });
      }
      assert.deepEqual(Object.keys(by).map(Number).sort((a, b) => a - b), [made.r1.id, made.r2.id, made.r3.id, made.r6.id].sort((a, b) => a - b),
                       `mailed: ${JSON.stringify(Object.keys(by))}`);
      for (const k of ['r1', 'r2', 'r3', 'r6']) assert.equal(by[made[k].id].length, 1, `${k} mailed once`);
      const m1 = by[made.r1.id][0];
      assert.deepEqual(m1.rcpt, ['zhang@huayang.test']);
      assert.equal(m1.from, 'reminders@huayang.test');
      assert.equal(m1.subject, `[Tradeflow] ${made.r1.title}`);
      // the due time as the company's local time (Asia/Shanghai by default), in zhang's English
      const local = new Date(made.r1.due_at).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);
      assert.ok(m1.body.includes(made.r1.title) && m1.body.includes('带上样品') && m1.body.includes(`Due: ${local} (Asia/Shanghai)`), m1.body);
      assert.match(m1.headers['message-id'], /^<.+@.+>$/);
      assert.ok(m1.headers.date);
      assert.equal(by[made.r2.id][0].subject, `[Tradeflow] ${made.r2.title}`, 'a long UTF-8 subject survives encoding');
      assert.deepEqual(by[made.r3.id][0].rcpt, ['chen@huayang.test']);
      for (const raw of sink.mails.map((m) => m.data))
        for (const line of raw.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 998, 'no line longer than SMTP allows');
      const mine = (await made.zhang.get('/api/v1/reminders?limit=500')).body.items;
      const get = (id) => mine.find((x) => x.id === id);
      assert.ok(get(made.r1.id).fired_at && get(made.r1.id).mailed_at, 'fired and mailed are recorded');
      assert.equal(get(made.r5.id).fired_at, null);
    });

    it('a later run finds nothing more to fire or mail', async () => {
      const before = sink.mails.length;
      const r = await runJob();
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /handled 0 items/);
      await sleep(500);
      assert.equal(sink.mails.length, before);
    });

    it('moving a fired reminder to a new time makes it fire (and mail) once more', async () => {
      const cur = (await made.zhang.get('/api/v1/reminders?limit=500')).body.items.find((x) => x.id === made.r1.id);
      const m = await made.zhang.patch(`/api/v1/reminders/${made.r1.id}`, { version: cur.version, due_at: iso(Date.now() - 1000) });
      assert.equal(m.status, 200, m.text);
      assert.equal(m.body.fired_at, null);
      assert.equal(m.body.mailed_at, null);
      const before = sink.mails.length;
      const r = await runJob();
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /handled 1 items/);
      for (let i = 0; i < 100 && sink.mails.length === before; i++) await sleep(100);
      await sleep(500);
      assert.equal(sink.mails.length, before + 1);
      assert.equal(Number(parseMail(sink.mails.at(-1).data).headers['x-tradeflow-reminder']), made.r1.id);
    });
  });
}
