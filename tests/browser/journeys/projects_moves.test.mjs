// projects_moves.test.mjs — the project detail page's stage moves, through
// clicks and typing in a real Chromium against the demo company
// (TF_BASE_URL; tests/one.sh starts one). A salesperson enters a project
// from a customer's page and moves it with "Move to" through the stages; a
// jump past unfinished work is refused with the missing items listed and
// the project stays; their manager overrides the gate with a reason; the
// salesperson finishes the checklist and marks it won. Another project is
// closed as lost: without a reason the dialog refuses, with one it closes.
// Every run names its projects uniquely.
//   tests/one.sh tests/browser/journeys/projects_moves.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, BASE_URL, signInPage } from '../lib.mjs'

const tag = `MV${Date.now().toString(36)}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const signedIn = (who, opts) => signInPage(browser, who, opts)

/** GET inside the page (the session cookie): setup checks and outcomes only. */
function apiGet(page, url) {
  return page.evaluate(async (u) => {
    const r = await fetch('/api/v1' + u)
    return { status: r.status, body: await r.json() }
  }, url)
}

const input = (page, key) => page.locator(`input[data-test="${key}"], [data-test="${key}"] input, textarea[data-test="${key}"], [data-test="${key}"] textarea`).first()

/** From a customer's page: "New project", the name (and more), save; returns the new id. */
async function enterProject(page, customerId, name, { full = false } = {}) {
  await page.goto(`${BASE_URL}/#/customers/${customerId}`)
  await page.locator('[data-test="customer-projects"] [data-action="new-project-for-customer"]').click()
  await page.locator('[data-page="project-new"]').waitFor()
  await input(page, 'p-name').fill(name)
  if (full) {
    await input(page, 'p-amount').fill('88000')
    const date = input(page, 'p-close-date')
    await date.click()
    await date.fill('2027-09-30')
    await date.press('Enter')
    await page.keyboard.press('Escape')
    await page.locator('[data-action="add-product"]').click()
    await page.locator('[data-product="0"] [data-action="product-mode"]').click() // not in the catalogue: typed
    const prod = page.locator('[data-product="0"] input')
    await prod.nth(0).fill('漆包圆铜线 Enamelled round wire')
    await prod.nth(2).fill('500')
  }
  await page.locator('[data-action="save-project"]').click()
  await page.locator('[data-page="project-detail"]').waitFor()
  await page.locator('[data-test="project-name"]', { hasText: name }).waitFor()
  return Number(page.url().match(/projects\/(\d+)/)[1])
}

/** "Move to ▾" on the detail page, then the stage; resolves to the move's reply status. */
async function moveTo(page, id, stage) {
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/v1/projects/${id}/stage`))
  await page.locator('[data-action="move-to"]').click()
  await page.locator(`[data-move="${stage}"]:visible`).click()
  return (await answered).status()
}

async function tickItem(page, key) {
  await page.locator(`[data-test="checklist"] [data-item="${key}"] .el-checkbox`).click()
  await page.locator(`[data-test="checklist"] [data-item="${key}"][data-done="yes"]`).waitFor()
}

test('a salesperson moves a project with "Move to"; a gate refuses; the manager overrides; it is won', async () => {
  const zhang = await signedIn('zhang')
  let li
  try {
    const customer = (await apiGet(zhang, '/customers?q=' + encodeURIComponent('中州变压器'))).body.items[0]
    assert.ok(customer, 'the demo customer is visible to zhang')
    const name = `${tag} 移动测试 Move journey`
    const id = await enterProject(zhang, customer.id, name, { full: true })
    await zhang.locator('[data-test="stage-bar"] [data-stage="initial"][data-state="current"]').waitFor()

    // the first stage's task, then "Move to" → Needs analysis: a request, and it moves
    await tickItem(zhang, 'needs_confirmed')
    assert.equal(await moveTo(zhang, id, 'qualified'), 200)
    await zhang.locator('[data-test="project-stage"]', { hasText: 'Needs analysis' }).waitFor()
    await zhang.locator('.el-message--success', { hasText: 'Moved to' }).waitFor()
    await zhang.locator('[data-test="stage-bar"] [data-stage="qualified"][data-state="current"]').waitFor()
    assert.equal((await apiGet(zhang, `/projects/${id}`)).body.stage, 'qualified')
    assert.equal(await zhang.locator('.el-message--error').count(), 0, 'no "cannot reach the server"')

    // a jump to Negotiation leaves two required tasks behind: refused, listed, the project stays
    assert.equal(await moveTo(zhang, id, 'negotiation'), 409)
    const refusal = zhang.locator('[data-test="gate-refusal"]')
    await refusal.waitFor()
    assert.match(await refusal.innerText(), /Cannot move to Negotiation yet/)
    await refusal.locator('[data-missing="sample_tested"]').waitFor()
    await refusal.locator('[data-missing="quotation_sent"]').waitFor()
    assert.match(await refusal.innerText(), /Sample winding test passed/)
    assert.match(await refusal.innerText(), /Quotation sent/)
    assert.equal(await refusal.locator('[data-missing]').count(), 2, 'exactly the unfinished required items')
    assert.equal(await refusal.locator('[data-action="override"]').count(), 0, 'a salesperson may not override')
    await zhang.locator('[data-test="project-stage"]', { hasText: 'Needs analysis' }).waitFor()
    assert.equal((await apiGet(zhang, `/projects/${id}`)).body.stage, 'qualified')

    // the manager of zhang's team opens it and moves it anyway, with a reason
    li = await signedIn('li')
    await li.goto(`${BASE_URL}/#/projects/${id}`)
    await li.locator('[data-test="project-name"]', { hasText: name }).waitFor()
    assert.equal(await moveTo(li, id, 'negotiation'), 409)
    const gate = li.locator('[data-test="gate-refusal"]')
    await gate.locator('[data-missing="quotation_sent"]').waitFor()
    await gate.locator('[data-action="override"]').click()
    await input(li, 'override-reason').fill(`${tag} 客户已口头确认 agreed by phone`)
    const overridden = li.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/v1/projects/${id}/stage`))
    await gate.locator('[data-action="confirm-override"]').click()
    assert.equal((await overridden).status(), 200)
    await li.locator('[data-test="project-stage"]', { hasText: 'Negotiation' }).waitFor()
    await li.locator('[data-test="gate-refusal"]').waitFor({ state: 'hidden' })
    const moved = (await apiGet(li, `/projects/${id}`)).body
    assert.equal(moved.stage, 'negotiation')
    assert.equal(moved.probability, 80)
    // the history keeps the override and its reason
    await li.locator('.el-tabs__item', { hasText: 'History' }).click()
    const hist = li.locator('[data-test="project-history"]')
    await hist.locator('[data-action-kind="stage_override"]').waitFor()
    assert.match(await hist.innerText(), new RegExp(`${tag} 客户已口头确认`))
    assert.deepEqual(li.problems, [])

    // the salesperson finishes the negotiation's tasks and marks it won
    await zhang.reload()
    await zhang.locator('[data-test="project-stage"]', { hasText: 'Negotiation' }).waitFor()
    await tickItem(zhang, 'terms_agreed')
    await tickItem(zhang, 'contract_drafted')
    await zhang.locator('[data-action="move-to"]').click()
    await zhang.locator('[data-move="won"]:visible').click()
    const dialog = zhang.locator('[data-test="close-dialog"]')
    await dialog.waitFor()
    await input(zhang, 'close-reason').fill(`${tag} 合同已签 contract signed`)
    await dialog.locator('[data-action="confirm-close"]').click()
    await zhang.locator('[data-test="project-status"]', { hasText: 'Won' }).waitFor()
    await zhang.locator('[data-test="stage-bar"] [data-stage="closed"].won').waitFor()
    assert.equal(await zhang.locator('[data-action="move-to"]').count(), 0, 'a closed project has no moves')
    const won = (await apiGet(zhang, `/projects/${id}`)).body
    assert.equal(won.status, 'won')
    assert.equal(won.close_reason, `${tag} 合同已签 contract signed`)
    assert.deepEqual(zhang.problems, [])
  } finally {
    await zhang.context().close()
    await li?.context().close()
  }
})

test('a salesperson closes a project as lost: the reason is required, then kept', async () => {
  const page = await signedIn('zhang')
  try {
    const customer = (await apiGet(page, '/customers?q=' + encodeURIComponent('中州变压器'))).body.items[0]
    const name = `${tag} 输单测试 Lost journey`
    const id = await enterProject(page, customer.id, name)

    await page.locator('[data-action="move-to"]').click()
    await page.locator('[data-move="lost"]:visible').click()
    const dialog = page.locator('[data-test="close-dialog"]')
    await dialog.waitFor()
    await dialog.locator('[data-action="confirm-close"]').click()
    await dialog.locator('.el-form-item__error', { hasText: 'Please give the reason' }).waitFor()
    assert.equal((await apiGet(page, `/projects/${id}`)).body.status, 'open', 'nothing closed without a reason')

    await input(page, 'close-reason').fill(`${tag} 价格高于竞争对手 price too high`)
    await dialog.locator('[data-action="confirm-close"]').click()
    await page.locator('[data-test="project-status"]', { hasText: 'Lost' }).waitFor()
    await page.locator('[data-test="project-facts"]', { hasText: `${tag} 价格高于竞争对手` }).waitFor()
    await page.locator('[data-test="stage-bar"] [data-stage="initial"][data-state="lost"]').waitFor()
    const lost = (await apiGet(page, `/projects/${id}`)).body
    assert.equal(lost.status, 'lost')
    assert.equal(lost.close_reason, `${tag} 价格高于竞争对手 price too high`)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})
