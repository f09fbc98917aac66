// approvals.test.mjs — approvals decided in the browser, by the people who
// decide them in the demo company: chen (East China sales) applies for pool
// customers in the Pool page; li, the East China manager and the one who
// decides chen's applications, opens Approvals, sees the reason and the link
// to the customer, approves one and rejects the other with a comment; chen
// then finds the first among their customers and the second rejected, with
// the comment. liu (North China) applies for an unassigned project in the
// project list and huang decides it, both in Chinese. wang, who manages
// Sales above both teams, follows what waits at li read-only. A request
// someone else decided first tells the approver who and when.
// The Pool page offers "Apply" once the day's claims are used up, so chen
// first claims customers this test enters for the purpose (20 a day in the
// demo rules); everything it works on is named uniquely.
//   tests/one.sh tests/browser/journeys/approvals.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, navigate, signInPage } from '../lib.mjs'

const tag = `${Date.now() % 1e8}`
let seq = 0
const phone = () => `136${tag.slice(-4)}${String(seq++).padStart(4, '0')}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const signedIn = (who, opts) => signInPage(browser, who, opts)

/** A request inside the page, with its session and CSRF token (setup and checks only). */
function apiCall(page, method, url, body) {
  return page.evaluate(
    async ([m, u, b]) => {
      const headers = { 'Content-Type': 'application/json' }
      if (m !== 'GET') headers['X-CSRF-Token'] = sessionStorage.getItem('tf.csrf')
      const r = await fetch('/api/v1' + u, { method: m, headers, body: b === undefined ? undefined : JSON.stringify(b) })
      return { status: r.status, body: await r.json().catch(() => null) }
    },
    [method, url, body],
  )
}

async function poolCustomer(manager, name) {
  const r = await apiCall(manager, 'POST', '/customers', { name, phone: phone(), owner_id: null })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

/** Uses up the salesperson's claims of the day on customers entered for it. */
async function useUpClaims(manager, seller) {
  for (let i = 0; i < 40; i++) {
    const c = await poolCustomer(manager, `审批旅程占用 Filler ${tag}-${i}`)
    const r = await apiCall(seller, 'POST', `/customers/${c.id}/claim`, {})
    if (r.status === 409) return
    assert.equal(r.status, 200, JSON.stringify(r.body))
  }
  assert.fail('the day\'s claims never ran out')
}

/** Applies for `name` in the Pool page with a reason, as the salesperson does. */
async function applyInPool(page, name, reason) {
  await navigate(page, 'pool')
  await page.locator('[data-test="pool-search"]').fill(name)
  try {
    await page.locator(`[data-apply="${name}"]`).click()
  } catch (e) {
    await page.screenshot({ path: '/tmp/approvals-journey-pool.png' })
    throw e
  }
  await page.locator('.reason-prompt textarea').fill(reason)
  await page.locator('.reason-prompt .el-button--primary').click()
  await page.locator('.el-message--success').first().waitFor()
}

/** Opens the request whose title holds `text` from the given box of Approvals. */
async function openRequest(page, text, box = 'inbox') {
  await navigate(page, 'approvals')
  if (box !== 'inbox') await page.locator(`[data-box="${box}"]`).click()
  const row = page.locator('[data-test="approvals-table"] .el-table__body tr').filter({ hasText: text })
  await row.first().click()
  const drawer = page.locator('.approval-drawer')
  await drawer.locator('.head h3', { hasText: text }).waitFor()
  return drawer
}

test('a pool application is approved by the applicant\'s manager, another rejected with a comment', async () => {
  const wang = await signedIn('wang')
  const chen = await signedIn('chen')
  const li = await signedIn('li')
  try {
    const wanted = `审批旅程客户 Wanted ${tag}`
    const refused = `审批旅程客户 Refused ${tag}`
    const a = await poolCustomer(wang, wanted)
    await poolCustomer(wang, refused)
    await useUpClaims(wang, chen)

    await applyInPool(chen, wanted, 'Their plant is next to our Suzhou office')
    await applyInPool(chen, refused, 'Met them at the trade fair')

    // li decides chen's applications: the reason, the link, his own name on the step
    let drawer = await openRequest(li, wanted)
    assert.equal(await drawer.locator('[data-test="approval-reason"]').innerText(), 'Their plant is next to our Suzhou office')
    const link = drawer.locator('[data-test="approval-subject"]')
    assert.equal(await link.innerText(), wanted)
    assert.equal(await link.getAttribute('href'), `#/customers/${a.id}`)
    assert.match(await drawer.locator('.steps').innerText(), /Applicant's manager: 李明 Li Ming/)
    assert.equal(await drawer.locator('[data-test="approval-amount"]').count(), 0, 'a customer application has no amount')
    assert.match(await drawer.locator('[data-test="approval-history"]').innerText(), /陈静 Chen Jing[\s\S]*Submitted/)
    await drawer.locator('[data-action="approve"]').click()
    await li.locator('.el-message--success', { hasText: 'Request approved' }).waitFor()
    await drawer.locator('.head .el-tag', { hasText: 'Approved' }).waitFor()
    assert.match(await drawer.locator('[data-test="approval-history"]').innerText(), /李明 Li Ming[\s\S]*Approved/)
    await drawer.locator('.el-drawer__close-btn').click()

    drawer = await openRequest(li, refused)
    await drawer.locator('[data-action="reject"]').click()
    // no comment: the drawer asks for one before anything is sent
    assert.match(await drawer.locator('[data-test="approval-error"]').innerText(), /Write why you reject/)
    await drawer.locator('[data-test="approval-comment"]').fill('Huang\'s team already follows them')
    await drawer.locator('[data-action="reject"]').click()
    await li.locator('.el-message-box .el-button--danger').click()
    await drawer.locator('.head .el-tag', { hasText: 'Rejected' }).waitFor()

    // chen: the first customer is theirs now, the second application rejected with the comment
    await navigate(chen, 'customers')
    await chen.locator('[data-test="customer-search"]').fill(wanted)
    await chen.locator('[data-test="customers-table"] .el-table__body tr', { hasText: wanted }).waitFor()
    const mine = await openRequest(chen, refused, 'mine')
    await mine.locator('.head .el-tag', { hasText: 'Rejected' }).waitFor()
    assert.match(await mine.locator('[data-test="approval-history"]').innerText(), /李明 Li Ming[\s\S]*Rejected[\s\S]*Huang's team already follows them/)
    for (const p of [wang, chen, li]) assert.deepEqual(p.problems, [])
  } finally {
    for (const p of [wang, chen, li]) await p.context().close()
  }
})

test('项目申请：刘洋在项目列表申请，黄涛在审批中同意（中文）', async () => {
  const huang = await signedIn('huang', { locale: 'zh-CN' })
  const liu = await signedIn('liu', { locale: 'zh-CN' })
  try {
    const name = `审批旅程项目 ${tag}`
    const p = await apiCall(huang, 'POST', '/projects', { name, owner_id: null, amount: 12345600 })
    assert.equal(p.status, 201, JSON.stringify(p.body))

    await navigate(liu, 'projects')
    await liu.locator('[data-test="project-search"]').fill(name)
    try {
      await liu.locator(`[data-apply="${name}"]`).first().click()
    } catch (e) {
      await liu.screenshot({ path: '/tmp/approvals-journey-project.png' })
      throw e
    }
    await liu.locator('.reason-prompt textarea').fill('我去年跟进过这个客户的采购')
    await liu.locator('.reason-prompt .el-button--primary').click()
    await liu.locator('.el-message--success').first().waitFor()

    const drawer = await openRequest(huang, name)
    assert.equal(await drawer.locator('[data-test="approval-reason"]').innerText(), '我去年跟进过这个客户的采购')
    assert.equal(await drawer.locator('[data-test="approval-subject"]').getAttribute('href'), `#/projects/${p.body.id}`)
    assert.match(await drawer.locator('[data-test="approval-amount"]').innerText(), /123,456\.00/)
    assert.match(await drawer.locator('.steps').innerText(), /申请人的上级经理：黄涛 Huang Tao/)
    await drawer.locator('[data-action="approve"]').click()
    await huang.locator('.el-message--success', { hasText: '已同意该申请' }).waitFor()
    await drawer.locator('.head .el-tag', { hasText: '已通过' }).waitFor()
    const after = await apiCall(liu, 'GET', `/projects/${p.body.id}`)
    const me = await apiCall(liu, 'GET', '/me')
    assert.equal(after.body.owner_id, me.body.id, 'the project is liu\'s')
    for (const pg of [huang, liu]) assert.deepEqual(pg.problems, [])
  } finally {
    for (const pg of [huang, liu]) await pg.context().close()
  }
})

test('a director follows what waits below read-only; a request decided first names who decided', async () => {
  const wang = await signedIn('wang')
  const zhang = await signedIn('zhang')
  const li = await signedIn('li')
  const admin = await signedIn('admin')
  try {
    const name = `审批旅程客户 Race ${tag}`
    const c = await poolCustomer(wang, name)
    // zhang's application is the setup here; the journey is the deciding
    const app = await apiCall(zhang, 'POST', `/customers/${c.id}/apply`, { reason: 'Referred by Yutong' })
    assert.equal(app.status, 201, JSON.stringify(app.body))

    // wang manages Sales, above li's team: he sees it waiting at li and cannot decide
    const watched = await openRequest(wang, name, 'below')
    const readOnly = watched.locator('[data-test="approval-readonly"]')
    assert.match(await readOnly.innerText(), /Waiting for 李明 Li Ming\.[\s\S]*You can follow this request but not decide it/)
    assert.equal(await watched.locator('[data-action="approve"]').count(), 0)
    assert.equal(await watched.locator('[data-test="approval-reason"]').innerText(), 'Referred by Yutong')

    // li opens it; the administrator rejects it meanwhile; li's approval is told who and when
    const drawer = await openRequest(li, name)
    const decided = await apiCall(admin, 'POST', `/approvals/${app.body.request_id}/reject`, { version: 1, comment: 'Duplicate of an older lead' })
    assert.equal(decided.status, 200, JSON.stringify(decided.body))
    await drawer.locator('[data-action="approve"]').click()
    const err = drawer.locator('[data-test="approval-error"]')
    await err.waitFor()
    assert.match(await err.innerText(), /系统管理员 Admin already rejected this request at \d{4}-\d\d-\d\d \d\d:\d\d\./)
    await drawer.locator('.head .el-tag', { hasText: 'Rejected' }).waitFor()
    assert.equal(await drawer.locator('[data-action="approve"]').count(), 0)
    const q = await apiCall(li, 'GET', `/approvals/${app.body.request_id}`)
    assert.equal(q.body.state, 'rejected')
    assert.equal(q.body.actions.length, 1, 'li\'s late approval left nothing behind')

    // the same in Chinese, through the drawer: wording of the UI's own
    await drawer.locator('.el-drawer__close-btn').click()
    await drawer.waitFor({ state: 'hidden' })
    await li.evaluate(() => localStorage.setItem('tf.locale', 'zh-CN'))
    const name2 = `审批旅程客户 Race2 ${tag}`
    const c2 = await poolCustomer(wang, name2)
    const app2 = await apiCall(zhang, 'POST', `/customers/${c2.id}/apply`, { reason: '老客户介绍' })
    assert.equal(app2.status, 201)
    await li.reload()
    const d2 = await openRequest(li, name2)
    assert.equal((await apiCall(admin, 'POST', `/approvals/${app2.body.request_id}/approve`, { version: 1 })).status, 200)
    await d2.locator('[data-action="approve"]').click()
    assert.match(await d2.locator('[data-test="approval-error"]').innerText(), /系统管理员 Admin 已于 \d{4}-\d\d-\d\d \d\d:\d\d 同意了该申请/)
    for (const p of [wang, zhang, li, admin]) assert.deepEqual(p.problems, [])
  } finally {
    for (const p of [wang, zhang, li, admin]) await p.context().close()
  }
})
