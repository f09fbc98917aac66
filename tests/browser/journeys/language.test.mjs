// language.test.mjs — one language per user (issue 13), in the browser: a
// salesperson switches the UI to 中文 with the header's switch, signs out,
// signs in on a fresh browser (whose own choice is English) and finds the
// UI in Chinese; a customer the server refuses shows the server's field
// message in Chinese. The salesperson is made for this test (unique login),
// so no other test's user changes language.
//   tests/one.sh tests/browser/journeys/language.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, navigate, BASE_URL } from '../lib.mjs'

const tag = `${Date.now() % 1e8}`
const user = { login: `lang${tag}`, password: 'demo123', name: `语言 Lang ${tag}` }
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

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

async function signOut(page) {
  await page.locator('[data-user-menu]').click()
  await page.locator('[data-action="logout"]').click()
  await page.locator('[data-page="login"]').waitFor()
}

test('the language chosen in one browser comes back at sign-in on another, and the server speaks it', async () => {
  const admin = await newPage(browser)
  const first = await newPage(browser, { locale: 'en' })
  let second = null
  let userId = null
  try {
    // setup: the administrator adds the salesperson
    await login(admin)
    const made = await apiCall(admin, 'POST', '/users', { login: user.login, name: user.name, password: user.password, role: 'salesperson' })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    userId = made.body.id
    assert.equal(made.body.lang, null, 'no language chosen yet')

    // first browser: English, then 中文 from the header's switch
    await login(first, user)
    await first.locator('.aside [data-nav="customers"]', { hasText: 'Customers' }).waitFor()
    const saved = first.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH')
    await first.locator('[data-lang="zh-CN"]').click()
    assert.equal((await saved).status(), 200, 'the choice is saved on the profile')
    await first.locator('.aside [data-nav="customers"]', { hasText: '客户' }).waitFor()
    await signOut(first)

    // a fresh browser whose own choice is English: the login page is in
    // English, and after signing in the UI is in the saved Chinese
    second = await newPage(browser, { locale: 'en' })
    await second.goto(BASE_URL + '/#/login')
    await second.locator('[data-page="login"]').waitFor()
    assert.doesNotMatch(await second.locator('[data-test="submit"]').innerText(), /[\u3400-\u9fff]/)
    await login(second, user)
    await second.locator('.aside [data-nav="customers"]', { hasText: '客户' }).waitFor()
    assert.equal(await second.evaluate(() => document.documentElement.lang), 'zh-CN')
    assert.equal(await second.locator('[data-lang="zh-CN"]').getAttribute('aria-pressed'), 'true')

    // a customer whose phone has no digits: the server refuses it, and its
    // field message is shown in Chinese under the phone
    const name = `语言旅程客户 ${tag}`
    await navigate(second, 'customers')
    await second.locator('[data-action="new-customer"]').click()
    await second.locator('[data-page="customer-new"]').waitFor()
    await second.locator('[data-test="c-name"]').fill(name)
    await second.locator('[data-test="c-phone"]').fill('无号码')
    const refused = second.waitForResponse((r) => r.url().endsWith('/api/v1/customers') && r.request().method() === 'POST')
    await second.locator('[data-action="save-customer"]').click()
    const reply = await refused
    assert.equal(reply.status(), 422)
    const problem = await reply.json()
    assert.equal(problem.code, 'validation_failed')
    assert.deepEqual(problem.errors.map((e) => [e.field, e.code]), [['phone', 'invalid']])
    const phoneItem = second.locator('.el-form-item', { has: second.locator('[data-test="c-phone"]') })
    await phoneItem.locator('.el-form-item__error', { hasText: '必须包含数字' }).waitFor()
    assert.equal(await second.locator('[data-page="customer-new"]').count(), 1, 'the form stays open')
    const found = await apiCall(second, 'GET', `/customers?q=${encodeURIComponent(name)}`)
    assert.equal(found.body.items.length, 0, 'nothing was saved')

    // the profile holds the choice
    assert.equal((await apiCall(second, 'GET', '/me')).body.lang, 'zh-CN')
  } finally {
    if (userId) await apiCall(admin, 'PATCH', `/users/${userId}`, { version: (await apiCall(admin, 'GET', `/users/${userId}`)).body.version, active: false }).catch(() => {})
    await Promise.all([admin, first, second].filter(Boolean).map((p) => p.context().close()))
  }
})
