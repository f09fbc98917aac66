// journeys/customers.test.mjs — a salesperson's day with a new customer,
// through clicks and typing in a real Chromium (TF_BASE_URL, the demo
// company): zhang enters a customer, adds a contact, records a follow-up from
// a template tied to that contact and corrects it (the history shows both
// versions); finds the customer by a two-character Chinese fragment and by
// a phone fragment in the quick search; protects it and shares it with chen,
// who then finds it, while liu (another team) does not. Every run writes
// names and phones of its own.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, navigate, BASE_URL, signInPage, apiCall } from '../lib.mjs'

let browser

// Two uncommon characters and digits no other run shares.
const RARE = '甄鄢闾瞿隗蒯郦逄鲍禚燕冀郗濮'
const stamp = Date.now()
const frag = RARE[Math.floor(stamp / 7) % RARE.length] + RARE[Math.floor(stamp / 101) % RARE.length]
const digits = String(stamp % 1e5).padStart(5, '0')
const phoneNo = `139${String(stamp % 1e8).padStart(8, '0')}`

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const signedIn = (who, opts) => signInPage(browser, who, opts)

/** fetch inside the page (setup checks and outcomes only). */

async function choose(page, selectLocator, text, type = true) {
  await selectLocator.click()
  if (type) await page.keyboard.type(text)
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await option.waitFor()
  await option.click()
}

/** The customer list searched for q by typing; resolves to the names shown. */
async function search(page, q) {
  await navigate(page, 'customers')
  const box = page.locator('[data-test="customer-search"]')
  await box.fill('')
  const reply = page.waitForResponse((r) => {
    const u = new URL(r.url())
    return u.pathname === '/api/v1/customers' && u.searchParams.get('q') === q
  })
  await box.pressSequentially(q)
  await reply
  await page.waitForTimeout(150) // the table renders the rows
  return page.locator('[data-page="customers"] .el-table__body .cname').allInnerTexts()
}

test('a salesperson enters a customer with a contact and a follow-up from a template tied to it, corrects it, finds it, protects and shares it', async () => {
  const zhang = await signedIn('zhang')
  const chen = await signedIn('chen')
  const liu = await signedIn('liu')
  const name = `郑州${frag}电缆${digits}有限公司`
  try {
    // enter the customer
    await navigate(zhang, 'customers')
    await zhang.locator('[data-action="new-customer"]').click()
    await zhang.locator('[data-page="customer-new"]').waitFor()
    await zhang.locator('[data-test="c-name"]').fill(name)
    await zhang.locator('[data-test="c-phone"]').fill(phoneNo)
    await zhang.locator('[data-action="save-customer"]').click()
    await zhang.locator('[data-page="customer"] [data-test="customer-name"]', { hasText: name }).waitFor()
    // a new customer of zhang's: the days left before the automatic take-back
    assert.match(await zhang.locator('[data-test="takeback-days"]').innerText(), /Back to the pool in \d+ days/)

    // its contact
    await zhang.locator('#tab-contacts').click()
    await zhang.locator('[data-action="add-contact"]').click()
    const cdlg = zhang.locator('[data-test="contact-dialog"]')
    await cdlg.waitFor()
    await cdlg.locator('[data-test="ct-name"]').fill('王采购 Buyer Wang')
    await cdlg.locator('[data-test="ct-mobile"]').fill(`137${digits}123`)
    await cdlg.locator('[data-action="save-contact"]').click()
    await cdlg.waitFor({ state: 'hidden' })
    await zhang.locator('[data-test="contacts"]', { hasText: '王采购 Buyer Wang' }).waitFor()

    // a follow-up from a template, tied to the contact
    const templates = (await apiCall(zhang, 'GET', '/followup-templates')).body.items
    assert.ok(templates.length > 0, 'the demo company has follow-up templates')
    const tp = templates[0]
    await zhang.locator('[data-action="new-followup"]').click()
    const dlg = zhang.locator('[data-test="followup-dialog"]')
    await dlg.waitFor()
    await dlg.locator(`[data-template="${tp.name}"]`).click()
    assert.equal(await dlg.locator('[data-test="fu-content"]').inputValue(), tp.content)
    await choose(zhang, dlg.locator('[data-test="fu-contact"]'), '王采购', false)
    await dlg.locator('[data-action="save-followup"]').click()
    await dlg.waitFor({ state: 'hidden' })
    const fu = zhang.locator('[data-test="followups"] .fu', { hasText: tp.content })
    await fu.waitFor()
    assert.match(await fu.innerText(), /with 王采购 Buyer Wang/)

    // the author corrects it
    const corrected = `${tp.content}（客户要求 ${digits} 米样品）`
    await fu.locator('[data-correct]').click()
    await dlg.waitFor()
    assert.match(await dlg.innerText(), /Correct the follow-up/)
    await dlg.locator('[data-test="fu-content"]').fill(corrected)
    await dlg.locator('[data-action="save-followup"]').click()
    await dlg.waitFor({ state: 'hidden' })
    const fixed = zhang.locator('[data-test="followups"] .fu', { hasText: corrected })
    await fixed.waitFor()
    assert.match(await fixed.innerText(), /corrected/)
    assert.match(await fixed.innerText(), /with 王采购 Buyer Wang/, 'the contact stays')
    // the history keeps both versions
    await zhang.locator('#tab-history').click()
    const edit = zhang.locator('[data-test="customer-history"] [data-test="history-followup-edit"]').first()
    await edit.waitFor()
    const h = await edit.innerText()
    assert.ok(h.includes(tp.content) && h.includes(corrected), h)
    const stored = (await apiCall(zhang, 'GET', `/customers/${(await apiCall(zhang, 'GET', `/customers?q=${encodeURIComponent(name)}`)).body.items[0].id}/followups`)).body.items
    assert.equal(stored.length, 1)
    assert.equal(stored[0].content, corrected)
    assert.equal(stored[0].template_id, tp.id)
    assert.equal(stored[0].contact_name, '王采购 Buyer Wang')

    // found by a two-character Chinese fragment and by a phone fragment
    assert.ok((await search(zhang, frag)).includes(name), `found by ${frag}`)
    assert.ok((await search(zhang, phoneNo.slice(4, 10))).includes(name), 'found by a phone fragment')

    // protected, then shared with chen
    await zhang.locator('.cname', { hasText: name }).click()
    await zhang.locator('[data-test="customer-name"]', { hasText: name }).waitFor()
    await zhang.locator('[data-test="protect-switch"]').click()
    await zhang.locator('[data-test="customer-head"] .el-tag', { hasText: 'Protected' }).waitFor()
    assert.deepEqual(await search(chen, frag + '电缆' + digits), [], 'chen does not see a protected customer of zhang')
    await zhang.locator('[data-action="share"]').click()
    const sdlg = zhang.locator('[data-test="share-dialog"]')
    await sdlg.waitFor()
    await choose(zhang, sdlg.locator('[data-test="share-user"]'), '陈静')
    // the picker shows the choice before it is saved (under load the remote
    // search may still be answering when the option is clicked)
    await sdlg.locator('[data-test="share-user"]', { hasText: '陈静' }).waitFor()
    const shared = zhang.waitForResponse((r) => r.request().method() === 'POST' && /\/customers\/\d+\/shares$/.test(new URL(r.url()).pathname))
    await sdlg.locator('[data-action="save-share"]').click()
    assert.equal((await shared).status(), 201, 'the share is saved')
    await sdlg.waitFor({ state: 'hidden' })
    await zhang.locator('[data-share-user="chen"]').waitFor()

    // chen sees it now; liu, a salesperson of another team, does not
    assert.deepEqual(await search(chen, frag + '电缆' + digits), [name])
    await chen.locator('.cname', { hasText: name }).click()
    await chen.locator('[data-test="customer-name"]', { hasText: name }).waitFor()
    assert.deepEqual(await search(liu, frag + '电缆' + digits), [])
    assert.deepEqual(await search(liu, phoneNo.slice(4, 10)), [], 'not by its phone either')
    assert.deepEqual([...zhang.problems, ...chen.problems, ...liu.problems], [])
  } finally {
    await Promise.all([zhang, chen, liu].map((p) => p.context().close()))
  }
})

test('the author deletes a follow-up of today; the history shows what it said', async () => {
  const zhang = await signedIn('zhang')
  try {
    const c = await apiCall(zhang, 'POST', '/customers', { name: `洛阳${frag}线缆${digits}厂`, phone: `138${String(stamp % 1e8).padStart(8, '0')}` })
    assert.equal(c.status, 201, JSON.stringify(c.body))
    await zhang.goto(`${BASE_URL}/#/customers/${c.body.id}`)
    await zhang.locator('[data-test="customer-name"]', { hasText: c.body.name }).waitFor()
    await zhang.locator('[data-action="new-followup"]').click()
    const dlg = zhang.locator('[data-test="followup-dialog"]')
    await dlg.locator('[data-test="fu-content"]').fill(`电话回访 ${digits}`)
    await dlg.locator('[data-action="save-followup"]').click()
    await dlg.waitFor({ state: 'hidden' })
    const fu = zhang.locator('[data-test="followups"] .fu', { hasText: `电话回访 ${digits}` })
    await fu.waitFor()
    // within the day: delete it, the history shows what it said
    await fu.locator('[data-delete-followup]').click()
    await zhang.locator('.el-message-box .el-button--primary').click()
    await fu.waitFor({ state: 'detached' })
    await zhang.locator('#tab-history').click()
    await zhang.locator('[data-test="history-followup-deleted"]', { hasText: `电话回访 ${digits}` }).waitFor()
    assert.deepEqual(zhang.problems, [])
  } finally {
    await zhang.context().close()
  }
})
