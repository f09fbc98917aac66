// projects.test.mjs — the project screens in a real Chromium against a
// running server with the demo company (TF_BASE_URL; tests/run.sh starts
// one): a salesperson opens a customer, enters a project from it (the
// customer filled in), ticks a checklist item on the detail, drags the card
// on the board to the next stage with the mouse and sees it move, drags it
// on to a stage whose gate has an unticked required item and sees the
// refusal naming that item while the card stays, ticks it in the detail and
// drags again. Also: a duplicate name warns with "create anyway", a bad
// amount is refused on its field. Every run names its projects uniquely.
//   TF_BASE_URL=http://127.0.0.1:18080 node --test tests/browser/projects.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, navigate, BASE_URL, signInPage } from './lib.mjs'

const tag = `${Date.now() % 1e8}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const signedIn = (who, opts) => signInPage(browser, who, opts)

/** GET inside the page (the session cookie). */
function apiGet(page, url) {
  return page.evaluate(async (u) => {
    const r = await fetch('/api/v1' + u)
    return { status: r.status, body: await r.json() }
  }, url)
}

/** The <input> of a form field (Element Plus puts data-test on the input or its wrapper). */
const input = (page, key) => page.locator(`input[data-test="${key}"], [data-test="${key}"] input`).first()

/** A real mouse drag: press on the card, move over the column in steps, release. */
async function dragCard(page, id, toStage) {
  // a real mouse drag; under load chromium sometimes misses the start of a
  // drag, so a drag the board never turned into a move request is tried
  // again. Done when the server has answered the move (the board shows the
  // card in its new column before that, and a check of the project right
  // after could still read the old stage)
  for (let attempt = 1; ; attempt++) {
    const posted = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith(`/api/v1/projects/${id}/stage`), { timeout: 5000 })
    const card = page.locator(`[data-card="${id}"]`)
    const target = page.locator(`[data-column="${toStage}"] .col-body`)
    await card.scrollIntoViewIfNeeded()
    const from = await card.boundingBox()
    await page.mouse.move(from.x + from.width / 2, from.y + from.height - 8)
    await page.mouse.down()
    await page.mouse.move(from.x + from.width / 2 + 12, from.y + from.height - 4, { steps: 4 })
    await target.scrollIntoViewIfNeeded().catch(() => {})
    const to = await target.boundingBox()
    await page.mouse.move(to.x + to.width / 2, to.y + 60, { steps: 12 })
    await page.mouse.up()
    try {
      await posted
      return
    } catch (e) {
      if (attempt === 3) throw new Error(`the drag of card ${id} to ${toStage} never became a move request`)
    }
  }
}

/** Tick a task of the current stage's checklist on the detail page. */
async function tickItem(page, key) {
  const item = page.locator(`[data-test="checklist"] [data-item="${key}"]`)
  await item.locator('.el-checkbox').click()
  await page.locator(`[data-test="checklist"] [data-item="${key}"][data-done="yes"]`).waitFor()
}

test('a salesperson enters a project from a customer and drags it through the gates on the board', async () => {
  const page = await signedIn('zhang')
  const cust = await apiGet(page, '/customers?q=' + encodeURIComponent('中州变压器'))
  const customer = cust.body.items[0]
  assert.ok(customer, 'the demo customer is visible to zhang')

  // the customer's page: its projects and "New project"
  await page.goto(`${BASE_URL}/#/customers/${customer.id}`)
  const section = page.locator('[data-test="customer-projects"]')
  await section.waitFor()
  await section.locator('[data-action="new-project-for-customer"]').click()
  await page.locator('[data-page="project-new"]').waitFor()
  // the customer is filled in (its name arrives with the customer record)
  await page.locator('[data-test="p-customer"]', { hasText: /中州变压器/ }).waitFor()

  // a bad amount is refused on its field, nothing is created
  const name = `浏览器测试项目 ${tag} Browser project`
  await input(page, 'p-name').fill(name)
  await input(page, 'p-amount').fill('12.345')
  await page.locator('[data-action="save-project"]').click()
  await page.locator('.el-form-item.is-error', { hasText: /amount/i }).waitFor()
  assert.equal((await apiGet(page, '/projects?q=' + encodeURIComponent(tag))).body.items.length, 0)

  await input(page, 'p-amount').fill('256000.50')
  const date = input(page, 'p-close-date')
  await date.click()
  await date.fill('2027-06-30')
  await date.press('Enter')
  await page.keyboard.press('Escape')
  await page.locator('[data-action="add-product"]').click()
  // a product not in the catalogue: typed as text
  await page.locator('[data-product="0"] [data-action="product-mode"]').click()
  const prod = page.locator('[data-product="0"] input')
  await prod.nth(0).fill('纸包扁铜线 Paper-covered flat wire')
  await prod.nth(1).fill('2.50×8.00')
  await prod.nth(2).fill('18000')
  await page.locator('[data-action="save-project"]').click()

  await page.locator('[data-page="project-detail"]').waitFor()
  await page.locator('[data-test="project-name"]', { hasText: name }).waitFor()
  assert.match(await page.locator('[data-test="project-customer"]').innerText(), /中州变压器/)
  const id = Number(page.url().match(/projects\/(\d+)/)[1])
  const created = (await apiGet(page, `/projects/${id}`)).body
  assert.equal(created.amount, 25600050, 'money in minor units')
  assert.equal(created.expected_close_date, '2027-06-30')
  assert.equal(created.products[0].quantity_milli, 18000000)
  assert.equal(created.customer_id, customer.id)
  assert.equal(created.stage, 'initial')
  // the stage bar shows where it is
  await page.locator('[data-test="stage-bar"] [data-stage="initial"][data-state="current"]').waitFor()

  // the first gate: the needs must be confirmed
  await tickItem(page, 'needs_confirmed')

  // the board: drag to the next stage
  await page.goto(`${BASE_URL}/#/projects/board`)
  await page.locator('[data-page="project-board"]').waitFor()
  await page.locator(`[data-column="initial"] [data-card="${id}"]`).waitFor()
  await dragCard(page, id, 'qualified')
  await page.locator(`[data-column="qualified"] [data-card="${id}"]`).waitFor()
  await page.locator('[data-test="board-notice"]').waitFor()
  assert.equal((await apiGet(page, `/projects/${id}`)).body.stage, 'qualified')

  // on to the proposal: the sample test is not ticked, the gate refuses
  await dragCard(page, id, 'proposal')
  const refusal = page.locator('[data-test="gate-refusal"]')
  await refusal.waitFor()
  await refusal.locator('[data-missing="sample_tested"]').waitFor()
  assert.match(await refusal.innerText(), /Sample winding test passed/)
  assert.equal(await refusal.locator('[data-missing]').count(), 1, 'only the unticked item is missing')
  await page.locator(`[data-column="qualified"] [data-card="${id}"]`).waitFor()
  assert.equal(await page.locator(`[data-column="proposal"] [data-card="${id}"]`).count(), 0, 'the card snapped back')
  assert.equal((await apiGet(page, `/projects/${id}`)).body.stage, 'qualified')
  assert.equal(await refusal.locator('[data-action="override"]').count(), 0, 'a salesperson may not override')

  // the link goes to the project; tick the item there, drag again
  await refusal.locator('[data-test="gate-project-link"]').click()
  await page.locator('[data-page="project-detail"]').waitFor()
  await tickItem(page, 'sample_tested')
  await page.goto(`${BASE_URL}/#/projects/board`)
  await page.locator(`[data-column="qualified"] [data-card="${id}"]`).waitFor()
  await dragCard(page, id, 'proposal')
  await page.locator(`[data-column="proposal"] [data-card="${id}"]`).waitFor()
  assert.equal(await page.locator('[data-test="gate-refusal"]').count(), 0)
  const now = (await apiGet(page, `/projects/${id}`)).body
  assert.equal(now.stage, 'proposal')
  assert.equal(now.probability, 60)

  // the history tells the story
  await page.goto(`${BASE_URL}/#/projects/${id}?tab=history`)
  const hist = page.locator('[data-test="project-history"]')
  await hist.locator('[data-action-kind="stage"]').first().waitFor()
  assert.equal(await hist.locator('[data-action-kind="stage"]').count(), 2)
  assert.equal(await hist.locator('[data-action-kind="checklist"]').count(), 2)

  // back on the customer's page the project is listed
  await page.goto(`${BASE_URL}/#/customers/${customer.id}`)
  await page.locator(`[data-test="customer-projects"] [data-project="${id}"]`).waitFor()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a manager moves a card past a gate with a reason; a stale card reloads and says who moved it', async () => {
  const page = await signedIn('li')
  const mk = await page.evaluate(async (n) => {
    const r = await fetch('/api/v1/projects', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('tf.csrf') || '' },
      body: JSON.stringify({ name: n, owner_id: null }),
    })
    return r.json()
  }, `经理越级测试 ${tag}`)
  assert.ok(mk.id, JSON.stringify(mk))
  await page.goto(`${BASE_URL}/#/projects/board`)
  await page.locator(`[data-column="initial"] [data-card="${mk.id}"]`).waitFor()
  await dragCard(page, mk.id, 'qualified')
  const refusal = page.locator('[data-test="gate-refusal"]')
  await refusal.waitFor()
  await refusal.locator('[data-missing="customer_linked"]').waitFor()
  await refusal.locator('[data-action="override"]').click()
  await input(page, 'override-reason').fill('客户口头确认 verbal go-ahead')
  // the board shows the card in its new column at once; the history has the
  // override once the move request has been answered
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' &&
    new URL(r.url()).pathname === `/api/v1/projects/${mk.id}/stage`)
  await refusal.locator('[data-action="confirm-override"]').click()
  assert.equal((await answered).status(), 200)
  await page.locator(`[data-column="qualified"] [data-card="${mk.id}"]`).waitFor()
  const h = (await apiGet(page, `/projects/${mk.id}/history`)).body.items[0]
  assert.equal(h.action, 'stage_override')
  assert.equal(h.after.override_reason, '客户口头确认 verbal go-ahead')

  // someone (wang) moves it back meanwhile: li's card is stale
  const wang = await signedIn('wang')
  const moved = await wang.evaluate(async ([pid]) => {
    const p = await fetch(`/api/v1/projects/${pid}`).then((r) => r.json())
    const r = await fetch(`/api/v1/projects/${pid}/stage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('tf.csrf') || '' },
      body: JSON.stringify({ stage: 'initial', version: p.version }),
    })
    return r.status
  }, [mk.id])
  assert.equal(moved, 200)
  await dragCard(page, mk.id, 'proposal')
  const notice = page.locator('[data-test="board-notice"]', { hasText: /Wang Jianguo/ })
  await notice.waitFor()
  await page.locator(`[data-column="initial"] [data-card="${mk.id}"]`).waitFor()
  assert.deepEqual(page.problems, [])
  await wang.context().close()
  await page.context().close()
})

test('a duplicate project name warns with the existing one and goes through with "create anyway"', async () => {
  const page = await signedIn('chen')
  await page.goto(`${BASE_URL}/#/projects/new`)
  await page.locator('[data-page="project-new"]').waitFor()
  // 宇通电机 2027 年度聚酰亚胺薄膜绕包扁铜线采购 is a demo project of zhang's
  await input(page, 'p-name').fill('宇通电机 2027 年度聚酰亚胺薄膜绕包扁铜线采购')
  await page.locator('[data-action="save-project"]').click()
  const dlg = page.locator('.el-dialog', { hasText: /same name/ })
  await dlg.waitFor()
  assert.match(await dlg.innerText(), /Zhang Wei/)
  await page.locator('[data-action="create-anyway"]').click()
  await page.locator('[data-page="project-detail"]').waitFor()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('the board is reachable from the Projects nav entry and works on a phone', async () => {
  const page = await signedIn('zhang', { width: 390, height: 844, mobile: true })
  await page.goto(`${BASE_URL}/#/projects/board`)
  await page.locator('[data-page="project-board"] [data-test="project-tabs"]').waitFor()
  await page.locator('[data-column="initial"]').waitFor()
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 392, `the page itself does not scroll sideways (${width})`)
  const board = await page.locator('[data-test="board"]').evaluate((el) => [el.scrollWidth, el.clientWidth])
  assert.ok(board[0] > board[1], 'the board scrolls horizontally')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
