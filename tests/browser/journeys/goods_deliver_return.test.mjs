// goods_deliver_return.test.mjs — the warehouse delivers, the salesperson
// returns part of it, the manager and the warehouse approve, in a real
// Chromium against the demo company (TF_BASE_URL; tests/one.sh starts one):
// zhou opens an open contract from the Deliveries page and delivers part of
// it through the Deliver dialog (the stock on hand and the delivered figures
// change); the contract's owner returns part of the delivered goods with a
// reason; their manager approves in the approvals inbox, then zhou approves
// the warehouse's step; the owner sees the return approved and the returned
// quantity.
//   tests/one.sh tests/browser/journeys/goods_deliver_return.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, navigate, signInPage, apiCall, BASE_URL } from '../lib.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const input = (scope, field) => scope.locator(`input[data-field="${field}"], [data-field="${field}"] input, textarea[data-field="${field}"], [data-field="${field}"] textarea`).first()
const qty = (text) => Number(String(text).replace(/,/g, '').trim())

/** The goods tab of the contract page open in `page`, loaded. */
async function goodsTab(page) {
  await page.locator('[data-page="contract-detail"]').waitFor()
  await page.locator('#tab-goods').click()
  const sec = page.locator('[data-section="contract-goods"]')
  await sec.locator('[data-table="goods"]').waitFor()
  return sec
}
/** Signs in as whichever of the demo logins has this user id. */
async function signInAs(id, logins) {
  for (const l of logins) {
    const p = await signInPage(browser, l)
    if ((await apiCall(p, 'GET', '/me')).body.id === id) return p
    await p.context().close()
  }
  throw new Error(`none of ${logins} is user ${id}`)
}
const goodsRow = (sec, code) => sec.locator('[data-table="goods"] .el-table__body tr', { has: sec.page().locator(`[data-product="${code}"]`) })

test('the warehouse delivers part of a contract, the salesperson returns some, the manager and the warehouse approve', async () => {
  const zhou = await signInPage(browser, 'zhou')

  // zhou: the Deliveries page lists the contracts awaiting delivery; open one (reading which, not doing)
  const awaiting = (await apiCall(zhou, 'GET', '/deliveries/awaiting?limit=100')).body.items
  const k0 = awaiting.find((x) => x.state === 'effective') || awaiting[0]
  assert.ok(k0, 'the demo has a contract awaiting delivery')
  await navigate(zhou, 'deliveries')
  await zhou.locator('[data-table="awaiting"] .el-table__body tr', { hasText: k0.number }).click()
  let sec = await goodsTab(zhou)
  const items = (await apiCall(zhou, 'GET', `/contracts/${k0.id}/goods`)).body.items
  const item = items.find((i) => i.to_deliver_milli >= 10000)
  assert.ok(item, JSON.stringify(items))
  const code = item.product_code
  assert.equal(qty(await goodsRow(sec, code).locator('[data-field="delivered"]').innerText()), item.delivered_milli / 1000)

  // the Deliver dialog: the main warehouse, the stock on hand, 6 kg of the product
  await sec.locator('[data-action="deliver"]').click()
  const dlg = zhou.locator('[data-dialog="deliver"]')
  await dlg.locator('[data-field="warehouse"]').click()
  await zhou.locator('.el-select-dropdown__item', { hasText: 'ZZ' }).click()
  const line = dlg.locator(`[data-row="deliver-line"][data-product="${code}"]`)
  const wh = (await apiCall(zhou, 'GET', '/warehouses')).body.items.find((w) => w.code === 'ZZ')
  const level = async () => (await apiCall(zhou, 'GET', `/contracts/${k0.id}/goods?warehouse_id=${wh.id}`)).body.items.find((i) => i.product_code === code).on_hand_milli
  const onHand = await level()
  assert.ok(onHand >= 6000, `stock ${onHand}`)
  await line.locator('[data-field="on-hand"]', { hasText: String(onHand / 1000) }).waitFor()
  // more than is left to deliver is refused in the dialog
  await input(line, 'qty').fill(String(item.to_deliver_milli / 1000 + 1))
  await dlg.locator('[data-action="confirm-deliver"]').click()
  await line.locator('.el-form-item__error').waitFor()
  await input(line, 'qty').fill('6')
  await dlg.locator('[data-action="confirm-deliver"]').click()
  await dlg.waitFor({ state: 'hidden' })
  await zhou.locator('.el-message--success').first().waitFor()
  // the delivered figure and the deliveries table
  await goodsRow(sec, code).locator('[data-field="delivered"]', { hasText: String((item.delivered_milli + 6000) / 1000) }).waitFor()
  assert.equal(qty(await goodsRow(sec, code).locator('[data-field="to-deliver"]').innerText()), (item.to_deliver_milli - 6000) / 1000)
  await sec.locator('[data-table="deliveries"] .el-table__body tr', { hasText: `${code} × 6` }).first().waitFor()
  // the stock on hand in the dialog went down by 6 kg
  await sec.locator('[data-action="deliver"]').click()
  await dlg.locator('[data-field="warehouse"]').click()
  await zhou.locator('.el-select-dropdown__item:visible', { hasText: 'ZZ' }).click()
  await line.locator('[data-field="on-hand"]', { hasText: String((onHand - 6000) / 1000) }).waitFor()
  assert.equal(await level(), onHand - 6000)
  await dlg.locator('.el-dialog__footer button').first().click()
  await dlg.waitFor({ state: 'hidden' })

  // the owner: return 2 kg of it with a reason, submitted at once
  const k = (await apiCall(zhou, 'GET', `/contracts/${k0.id}`)).body
  const owner = await signInAs(k.owner_id, ['zhao', 'zhang', 'chen', 'liu'])
  await owner.goto(`${BASE_URL}/#/contracts/${k0.id}`)
  sec = await goodsTab(owner)
  await sec.locator('[data-action="return-goods"]').click()
  const rdl = owner.locator('[data-dialog="return"]')
  await input(rdl, 'reason').fill('线盘受潮 Wet spools')
  const rline = rdl.locator(`[data-row="return-line"][data-product="${code}"]`)
  await input(rline, 'qty').fill('2')
  await rdl.locator('[data-action="confirm-return"]').click()
  await rdl.waitFor({ state: 'hidden' })
  const retRow = sec.locator('[data-table="returns"] .el-table__body tr', { hasText: 'Wet spools' }).first()
  await retRow.locator('[data-field="return-state"]', { hasText: 'In approval' }).waitFor()
  const number = (await retRow.innerText()).match(/TH-\d{6}-\d{4}/)[0]

  // the owner's manager approves in the inbox (who that is, read from the request)
  const ret = (await apiCall(owner, 'GET', `/returns?contract_id=${k0.id}&state=in_approval`)).body.items.find((x) => x.number === number)
  const req = (await apiCall(owner, 'GET', `/returns/${ret.id}`)).body
  const ap = (await apiCall(owner, 'GET', `/approvals/${req.approval_request_id}`)).body
  const managerId = ap.steps[0].deciders[0].id
  const mgr = await signInAs(managerId, ['huang', 'li', 'wang'])
  const decide = async (page) => {
    await navigate(page, 'approvals')
    await page.locator('[data-test="approvals-table"] .el-table__body tr').filter({ hasText: number }).first().click()
    const drawer = page.locator('.approval-drawer')
    await drawer.locator('.head h3', { hasText: number }).waitFor()
    await drawer.locator('[data-action="approve"]').click()
    await drawer.locator('[data-action="approve"]').waitFor({ state: 'detached' })
  }
  await decide(mgr)
  // then the warehouse's step
  await decide(zhou)

  // the owner sees the return approved and the returned quantity
  await owner.reload()
  sec = await goodsTab(owner)
  await sec.locator('[data-table="returns"] .el-table__body tr', { hasText: number }).locator('[data-field="return-state"]', { hasText: 'Approved' }).waitFor()
  await goodsRow(sec, code).locator('[data-field="returned"]', { hasText: String((item.returned_milli + 2000) / 1000) }).waitFor()
  // and the books say the same
  const after = (await apiCall(owner, 'GET', `/returns/${ret.id}`)).body
  assert.equal(after.state, 'approved')
  assert.equal(after.lines[0].qty_milli, 2000)
  assert.deepEqual(owner.problems, [])
  assert.deepEqual(zhou.problems, [])
})
