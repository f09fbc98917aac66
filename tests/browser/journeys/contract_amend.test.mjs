// contract_amend.test.mjs — a salesperson amends an effective contract in a
// real Chromium (TF_BASE_URL; tests/one.sh starts one): Amend opens the
// contract's lines, the quantity grows and a reason is given; the amendment
// is submitted, the manager and finance approve it in the approvals inbox,
// and the salesperson sees revision 2 in force with the new total and
// compares it with revision 1.
//   tests/one.sh [--pg] tests/browser/journeys/contract_amend.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, signInPage, navigate, apiCall, BASE_URL } from '../lib.mjs'

const tag = `CA${Date.now().toString(36)}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function approveInInbox(page, number) {
  await navigate(page, 'approvals')
  const row = page.locator('[data-test="approvals-table"] .el-table__body tr').filter({ hasText: number })
  await row.first().click()
  const drawer = page.locator('.approval-drawer')
  await drawer.locator('.head h3', { hasText: number }).waitFor()
  await drawer.locator('[data-action="approve"]').click()
  await page.locator('.el-message', { hasText: 'Request approved' }).first().waitFor()
  await page.keyboard.press('Escape')
}

/** Setup only: an effective contract (entered and approved through the API). */
async function effectiveContract(zhang, li, sun, body) {
  let k = await apiCall(zhang, 'POST', '/contracts', body)
  assert.equal(k.status, 201, JSON.stringify(k.body))
  k = await apiCall(zhang, 'POST', `/contracts/${k.body.id}/submit`, { version: k.body.version })
  for (const who of [li, sun]) {
    const rid = k.body.approval.id
    const ap = await apiCall(who, 'GET', `/approvals/${rid}`)
    assert.equal((await apiCall(who, 'POST', `/approvals/${rid}/approve`, { version: ap.body.version })).status, 200)
    k = await apiCall(zhang, 'GET', `/contracts/${k.body.id}`)
  }
  assert.equal(k.body.state, 'effective')
  return k.body
}

test('a salesperson amends an effective contract; the manager and finance approve; revision 2 is in force', async () => {
  const admin = await signInPage(browser, 'admin')
  const zhang = await signInPage(browser, 'zhang')
  const li = await signInPage(browser, 'li')
  const sun = await signInPage(browser, 'sun')
  const prod = await apiCall(admin, 'POST', '/products', { code: `${tag}-CU`, name: `变更铜线 Amend copper ${tag}`, unit: 'kg', list_price: 8000 })
  assert.equal(prod.status, 201, JSON.stringify(prod.body))
  const cust = await apiCall(zhang, 'POST', '/customers', { name: `变更客户 Amend customer ${tag}`, phone: `133${String(Date.now()).slice(-8)}` })
  assert.equal(cust.status, 201, JSON.stringify(cust.body))
  const k = await effectiveContract(zhang, li, sun, { customer_id: cust.body.id, lines: [{ product_id: prod.body.id, qty_milli: 500000 }] })

  await zhang.goto(`${BASE_URL}/#/contracts/${k.id}`)
  const detail = zhang.locator('[data-page="contract-detail"]')
  await detail.locator('[data-field="state"]', { hasText: 'Effective' }).waitFor()
  assert.equal(await detail.locator('[data-field="grand-total"]').innerText(), '¥40,000.00')
  await detail.locator('[data-action="amend"]').click()
  const form = zhang.locator('[data-page="contract-form"]')
  await form.locator('.page-head', { hasText: `Amend contract ${k.number}` }).waitFor()
  const qty = form.locator('[data-line="0"] input[data-field="qty"]')
  assert.equal(await qty.inputValue(), '500')
  await qty.fill('650')
  await form.locator('[data-field="reason"] input').fill('客户追加 150 kg More for the customer')
  await form.locator('[data-field="grand-total"]', { hasText: '¥52,000.00' }).waitFor()
  await form.locator('[data-action="save-contract"]').click()
  await detail.locator('[data-field="amendment"]', { hasText: 'being drafted' }).waitFor()
  assert.equal(await detail.locator('[data-field="grand-total"]').innerText(), '¥40,000.00', 'revision 1 still in force')
  await detail.locator('[data-action="submit-amendment"]').click()
  await detail.locator('[data-field="amendment"]', { hasText: 'waiting for approval' }).waitFor()

  await approveInInbox(li, k.number)
  await approveInInbox(sun, k.number)

  await zhang.reload()
  await detail.locator('[data-field="revision"]', { hasText: '2' }).waitFor()
  assert.equal(await detail.locator('[data-field="amendment"]').count(), 0)
  assert.equal(await detail.locator('[data-field="grand-total"]').innerText(), '¥52,000.00')
  // revisions 1 and 2 side by side
  await zhang.locator('#tab-revisions').click()
  await detail.locator('[data-action="compare"]').click()
  const cmp = detail.locator('[data-table="compare"]')
  await cmp.locator('.cmp-head', { hasText: '¥40,000.00 → ¥52,000.00' }).waitFor()
  assert.ok(await cmp.locator('tr.changed', { hasText: `${tag}-CU` }).isVisible())
  for (const p of [admin, zhang, li, sun]) assert.deepEqual(p.problems, [])
})
