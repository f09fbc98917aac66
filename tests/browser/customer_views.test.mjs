// customer_views.test.mjs — saved views of the customer list in a real
// Chromium: filter by a custom field in the filter panel, save the view on
// the server (with its columns), open the list afresh and reopen the view;
// a colleague of the department sees it once it is shared.
//   TF_BASE_URL=http://127.0.0.1:18080 node --test tests/browser/customer_views.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, BASE_URL, apiCall } from './lib.mjs'

const PASSWORD = process.env.TF_DEMO_PASSWORD || 'demo123'
const stamp = Date.now()
const key = `cvb${stamp % 1e9}`
const tag = `视图${stamp % 1e6}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function signedIn(who) {
  const page = await newPage(browser)
  page.problems = []
  page.on('pageerror', (e) => page.problems.push(e.message))
  await login(page, { login: who, password: PASSWORD })
  return page
}


/** The customer names the table shows, once it shows exactly `want`. */
async function expectRows(page, want) {
  const rows = page.locator('[data-test="customers-table"] .cname')
  await assert.doesNotReject(async () => {
    for (let i = 0; i < 100; i++) {
      const got = (await rows.allInnerTexts()).sort()
      if (JSON.stringify(got) === JSON.stringify([...want].sort())) return
      await page.waitForTimeout(100)
    }
    throw new Error(`rows: ${JSON.stringify(await rows.allInnerTexts())}, wanted ${JSON.stringify(want)}`)
  })
}

test('save a view with a custom-field filter and reopen it; share it with the department', async () => {
  const admin = await signedIn('admin')
  const cf = await apiCall(admin, 'POST', '/custom-fields',
    { entity: 'customer', key, label: `线材${stamp % 1e4}`, label_en: `Wire ${stamp % 1e4}`, type: 'select', options: ['粗线', '细线'] })
  assert.equal(cf.status, 201, JSON.stringify(cf.body))
  const zhang = await signedIn('zhang')
  try {
    const names = [`${tag} 粗线厂`, `${tag} 细线厂`]
    for (const [i, n] of names.entries()) {
      const r = await apiCall(zhang, 'POST', '/customers',
        { name: n, phone: String(15500000000 + (stamp % 1e7) * 10 + i), custom: { [key]: i ? '细线' : '粗线' } })
      assert.equal(r.status, 201, JSON.stringify(r.body))
    }
    await zhang.goto(`${BASE_URL}/#/customers?q=${encodeURIComponent(tag)}`)
    await zhang.locator('[data-page="customers"]').waitFor()
    await expectRows(zhang, names)
    // the custom field's filter, in the filter panel
    if (!(await zhang.locator('[data-test="customer-filters"]').isVisible())) await zhang.locator('[data-action="toggle-filters"]').click()
    const sel = zhang.locator(`[data-cf="${key}"] .el-select`)
    await sel.click()
    await zhang.locator('.el-select-dropdown__item:visible', { hasText: '细线' }).first().click()
    await expectRows(zhang, [names[1]])
    assert.match(zhang.url(), new RegExp(`cf\\.${key}=`))
    // save it (with a column of our own choice)
    await zhang.locator('[data-action="views"]').click()
    await zhang.locator('[data-action="save-view"]').click()
    const dlg = zhang.locator('[data-test="save-view-dialog"]')
    await dlg.locator('[data-test="view-name"]').fill(`细线 ${tag}`)
    await dlg.locator('[data-action="save-view-confirm"]').click()
    await dlg.waitFor({ state: 'hidden' })
    const saved = await apiCall(zhang, 'GET', '/views?resource=customers')
    const v = saved.body.items.find((x) => x.name === `细线 ${tag}`)
    assert.ok(v, JSON.stringify(saved.body))
    assert.deepEqual(v.query, { q: tag, [`cf.${key}`]: '细线' })
    assert.ok(Array.isArray(v.columns) && v.columns.length > 0)
    // a fresh list, then the view brings the filter back
    await zhang.goto(`${BASE_URL}/#/customers`)
    await zhang.reload()
    await zhang.locator('[data-page="customers"]').waitFor()
    await zhang.locator('[data-action="views"]').click()
    await zhang.locator(`[data-test="views-menu"] [data-view="细线 ${tag}"]`).click()
    await expectRows(zhang, [names[1]])
    assert.match(zhang.url(), new RegExp(`cf\\.${key}=`))
    await assert.doesNotReject(zhang.locator('[data-action="views"]', { hasText: `细线 ${tag}` }).waitFor())
    // shared with the department: chen (same department) finds it in the menu
    const s = await apiCall(zhang, 'PATCH', `/views/${v.id}`, { version: v.version, shared_with_department: true })
    assert.equal(s.status, 200, JSON.stringify(s.body))
    const chen = await signedIn('chen')
    await chen.goto(`${BASE_URL}/#/customers`)
    await chen.locator('[data-page="customers"]').waitFor()
    await chen.locator('[data-action="views"]').click()
    const item = chen.locator(`[data-test="views-menu"] [data-view="细线 ${tag}"]`)
    await item.waitFor()
    assert.equal(await item.locator('[data-action="delete-view"]').count(), 0, 'only the owner deletes')
    await item.click()
    // the view's filters go into the address as the list reloads
    await chen.waitForFunction((k) => location.href.includes(`cf.${k}=`), key)
    assert.deepEqual(chen.problems, [])
    await chen.context().close()
    // the owner deletes it from the menu
    await zhang.locator('[data-action="views"]').click()
    await zhang.locator(`[data-test="views-menu"] [data-view="细线 ${tag}"] [data-action="delete-view"]`).click()
    await zhang.locator('.el-message-box .el-button--primary').click()
    await assert.doesNotReject(async () => {
      for (let i = 0; i < 50; i++) {
        const l = await apiCall(zhang, 'GET', '/views?resource=customers')
        if (!l.body.items.some((x) => x.id === v.id)) return
        await zhang.waitForTimeout(100)
      }
      throw new Error('the view is still there')
    })
    assert.deepEqual(zhang.problems, [])
  } finally {
    // retire the field so other tests' forms stay as they were
    const cur = await apiCall(admin, 'GET', '/custom-fields?entity=customer')
    const f = cur.body.items.find((x) => x.key === key)
    if (f) await apiCall(admin, 'PATCH', `/custom-fields/${f.id}`, { version: f.version, retired: true })
    await zhang.context().close()
    await admin.context().close()
  }
})
