// signin.test.mjs — signing in and what surrounds it, in a real Chromium
// against the demo company (TF_BASE_URL; tests/one.sh starts one): the login
// page of a signed-out visitor makes no request that fails (no 401 in the
// console); a sign-in by Enter and one by the button each send one POST
// /session; a reload keeps the user signed in, signing out forgets it; a
// salesperson who opens a settings address is told, in English and Chinese,
// that the page is not theirs (and sees none of it); the new-customer
// form's "required" errors go away as the fields are filled in.
//   tests/one.sh tests/browser/journeys/signin.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, BASE_URL } from '../lib.mjs'

const PASSWORD = process.env.TF_DEMO_PASSWORD || 'demo123'
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** A page that records console errors, failed replies and sign-in requests. */
async function watched(opts) {
  const page = await newPage(browser, opts)
  page.consoleErrors = []
  page.failed = []
  page.signIns = 0
  page.problems = []
  page.on('console', (m) => m.type() === 'error' && page.consoleErrors.push(m.text()))
  page.on('pageerror', (e) => page.problems.push(e.message))
  page.on('response', (r) => r.status() >= 400 && page.failed.push(`${r.status()} ${r.request().method()} ${r.url()}`))
  page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/v1/session') && page.signIns++)
  return page
}

/** Wait until the network has been quiet a moment (late requests are counted too). */
const settle = (page) => page.waitForLoadState('networkidle')

test('the login page makes no failing request; one POST /session per sign-in, by Enter or by the button', async () => {
  const page = await watched()
  try {
    await page.goto(BASE_URL + '/')
    await page.locator('[data-page="login"]').waitFor()
    await settle(page)
    assert.deepEqual(page.failed, [], 'a signed-out visitor causes no failed request')
    assert.deepEqual(page.consoleErrors, [], 'and no error in the console')

    // Enter in the password field
    await page.locator('[data-test="login"]').fill('zhang')
    await page.locator('[data-test="password"]').fill(PASSWORD)
    await page.locator('[data-test="password"]').press('Enter')
    await page.locator('[data-page="dashboard"]').waitFor()
    await settle(page)
    assert.equal(page.signIns, 1, 'Enter signs in once')
    assert.match(await page.locator('[data-user-name]').innerText(), /Zhang Wei/)

    // a reload keeps the session (the page asks who is signed in, and is told)
    await page.reload()
    await page.locator('[data-page="dashboard"]').waitFor()
    assert.match(await page.locator('[data-user-name]').innerText(), /Zhang Wei/)

    // sign out: the login page again, still without failing requests
    await page.locator('[data-user-menu]').click()
    await page.locator('[data-action="logout"]').click()
    await page.locator('[data-page="login"]').waitFor()
    await page.goto(BASE_URL + '/#/customers')
    await page.locator('[data-page="login"]').waitFor()
    await page.reload()
    await page.locator('[data-page="login"]').waitFor()
    await settle(page)
    assert.deepEqual(page.failed, [])
    assert.deepEqual(page.consoleErrors, [])

    // the button, straight back to the page asked for
    await page.locator('[data-test="login"]').fill('zhang')
    await page.locator('[data-test="password"]').fill(PASSWORD)
    await page.locator('[data-test="submit"]').click()
    await page.locator('[data-page="customers"]').waitFor()
    await settle(page)
    assert.equal(page.signIns, 2, 'the button signs in once')
    assert.deepEqual(page.failed, [])
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('a salesperson who opens a settings address is told it is not theirs (English and Chinese)', async () => {
  for (const [locale, title] of [
    ['en', 'You do not have access to this page'],
    ['zh-CN', '您无权访问此页面'],
  ]) {
    const page = await watched({ locale })
    try {
      await login(page, { login: 'zhang', password: PASSWORD })
      await page.goto(BASE_URL + '/#/settings/users')
      await page.locator('[data-page="no-access"]').waitFor()
      assert.equal(await page.locator('[data-test="no-access-title"]').innerText(), title)
      assert.match(page.url(), /#\/settings\/users$/, 'the address stays what was asked for')
      assert.equal(await page.locator('[data-page="users"]').count(), 0, 'none of the page is shown')
      assert.equal(await page.locator('[data-page="dashboard"]').count(), 0, 'not silently the dashboard')
      assert.ok(!page.failed.some((f) => f.includes('/api/v1/users')), 'the users page asked nothing')

      // another settings page, then the way back
      await page.goto(BASE_URL + '/#/settings/process')
      await page.locator('[data-page="no-access"]').waitFor()
      await page.locator('[data-action="no-access-back"]').click()
      await page.locator('[data-page="dashboard"]').waitFor()
      assert.equal(await page.locator('[data-page="no-access"]').count(), 0)
      assert.deepEqual(page.problems, [])
    } finally {
      await page.context().close()
    }
  }
  // an administrator opens a settings address and gets the page
  const admin = await watched()
  try {
    await login(admin)
    await admin.goto(BASE_URL + '/#/settings/process')
    await admin.locator('[data-page="processSettings"]').waitFor()
    assert.equal(await admin.locator('[data-page="no-access"]').count(), 0)
  } finally {
    await admin.context().close()
  }
})

test('the new-customer form: a required error goes away once its field is filled', async () => {
  const page = await watched()
  try {
    await login(page, { login: 'zhang', password: PASSWORD })
    const policy = await page.evaluate(() => fetch('/api/v1/settings/customer_entry_policy').then((r) => r.json()))
    const requiredText = ['phone', 'telephone', 'wechat', 'email', 'address'].filter((f) => (policy.required || []).includes(f))

    await page.locator('.aside [data-nav="customers"]').click()
    await page.locator('[data-page="customers"]').waitFor()
    await page.locator('[data-action="new-customer"]').click()
    await page.locator('[data-page="customer-new"]').waitFor()
    const item = (key) => page.locator('.el-form-item', { has: page.locator(`[data-test="c-${key}"]`) })

    // saving the empty form marks the required fields
    await page.locator('[data-action="save-customer"]').click()
    await item('name').and(page.locator('.is-error')).waitFor()
    for (const f of requiredText) await item(f).and(page.locator('.is-error')).waitFor()
    assert.equal(await item('name').locator('.el-form-item__error').innerText(), 'Required')

    // typing the name clears its error at once; the others stay until filled
    await page.locator('input[data-test="c-name"]').fill('必填测试 Required check')
    await item('name').and(page.locator('.is-error')).waitFor({ state: 'detached' })
    await item('name').locator('.el-form-item__error').waitFor({ state: 'detached' })
    const values = { phone: '13912345678', telephone: '0512-66881234', wechat: 'req_check', email: 'req@example.com', address: '苏州市 Suzhou' }
    for (const f of requiredText) {
      assert.equal(await item(f).and(page.locator('.is-error')).count(), 1, `${f} is still marked while empty`)
      await page.locator(`input[data-test="c-${f}"]`).fill(values[f])
      await item(f).and(page.locator('.is-error')).waitFor({ state: 'detached' })
    }
    // emptying the name again does not bring the error back before the next save
    await page.locator('input[data-test="c-name"]').fill('')
    assert.equal(await item('name').and(page.locator('.is-error')).count(), 0)
    await page.locator('[data-action="save-customer"]').click()
    await item('name').and(page.locator('.is-error')).waitFor()
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})
