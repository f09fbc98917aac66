// ui.test.mjs — the browser test: a real Chromium against a running server
// (TF_BASE_URL, demo company loaded; admin / demo123).
//   TF_BASE_URL=http://127.0.0.1:18080 node --test tests/browser/
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, navigate, BASE_URL, ADMIN, NAV_KEYS } from './lib.mjs'

let browser

/** PATCH /me {"lang": null} as admin, through the API. */
async function clearSavedLanguage() {
  const r = await fetch(BASE_URL + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: ADMIN.login, password: ADMIN.password }),
  })
  const { csrf_token: csrf } = await r.json()
  const cookie = (r.headers.get('set-cookie') || '').split(';')[0]
  const p = await fetch(BASE_URL + '/api/v1/me', {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, Cookie: cookie },
    body: JSON.stringify({ lang: null }),
  })
  assert.equal(p.status, 200, 'admin\'s saved language cleared')
}

before(async () => {
  browser = await launch()
})

after(async () => {
  await browser?.close()
})

test('a wrong password shows the server error and stays on the login page', async () => {
  const page = await newPage(browser)
  try {
    await page.goto(BASE_URL + '/')
    await page.locator('[data-page="login"]').waitFor()
    await page.locator('[data-test="login"]').fill(ADMIN.login)
    await page.locator('[data-test="password"]').fill('definitely-not-the-password')
    await page.locator('[data-test="submit"]').click()
    const error = page.locator('[data-test="login-error"]')
    await error.waitFor()
    assert.ok((await error.innerText()).trim().length > 0, 'error message is not empty')
    assert.equal(await page.locator('[data-page="dashboard"]').count(), 0)
  } finally {
    await page.context().close()
  }
})

test('admin signs in, visits every screen, uses approvals, switches language, logs out', async () => {
  const page = await newPage(browser)
  const problems = []
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  // a page that asks the API something it refuses or fails on is broken
  page.on('response', (r) => {
    if (r.url().includes('/api/v1/') && r.status() >= 400 && !r.url().endsWith('/api/v1/session')) {
      problems.push(`${r.request().method()} ${r.url()} -> ${r.status()}`)
    }
  })
  try {
    await login(page)

    // The header shows who is signed in.
    const name = await page.locator('[data-user-name]').innerText()
    assert.ok(name.trim().length > 0, 'user name in header')

    // Every nav item opens its page.
    for (const key of NAV_KEYS) {
      await navigate(page, key)
      assert.equal(await page.locator(`[data-page="${key}"]`).count(), 1, `page ${key}`)
      // its table (if it has one) loads, and no error message pops up
      const table = page.locator(`[data-page="${key}"] .el-table`).first()
      if (await table.count()) {
        await table.waitFor()
        await page.waitForFunction((k) => !document.querySelector(`[data-page="${k}"] .el-loading-mask`), key)
      }
      assert.equal(await page.locator('.el-message--error').count(), 0, `no error message on ${key}`)
    }

    // Approvals inbox: tabs, and a row (if any) opens the drawer.
    await navigate(page, 'approvals')
    await page.locator('#tab-inbox').click()
    await page.locator('#tab-mine').click()
    await page.locator('#tab-all').click() // admin holds approvals.read_all
    await page.locator('[data-page="approvals"] .el-table').waitFor()
    await page.waitForFunction(() => !document.querySelector('[data-page="approvals"] .el-loading-mask'))
    const rows = page.locator('[data-page="approvals"] .el-table__body tr')
    if ((await rows.count()) > 0) {
      await rows.first().click()
      await page.locator('.approval-drawer .el-descriptions').waitFor()
      await page.keyboard.press('Escape')
      await page.locator('.approval-drawer').waitFor({ state: 'hidden' })
    }
    await page.locator('#tab-inbox').click()

    // Language: Chinese and back.
    await page.locator('[data-lang="zh-CN"]').click()
    await page.locator('.aside [data-nav="approvals"]', { hasText: '审批' }).waitFor()
    assert.equal(await page.evaluate(() => localStorage.getItem('tf.locale')), 'zh-CN')
    assert.match(await page.locator('.aside [data-nav="customers"]').innerText(), /客户/)
    await page.locator('[data-lang="en"]').click()
    await page.locator('.aside [data-nav="customers"]', { hasText: 'Customers' }).waitFor()
    // the switch saved the choice on admin's profile: clear it, so other
    // tests signing in as admin follow their browser's language again
    await clearSavedLanguage()

    // Log out: back to the login page, and the session is gone.
    await page.locator('[data-user-menu]').click()
    await page.locator('[data-action="logout"]').click()
    await page.locator('[data-page="login"]').waitFor()
    await page.goto(BASE_URL + '/#/dashboard')
    await page.locator('[data-page="login"]').waitFor()

    assert.deepEqual(problems, [], 'no uncaught errors in the page')
  } finally {
    await page.context().close()
  }
})

test('phone width: the menu is a drawer opened by the hamburger', async () => {
  const page = await newPage(browser, { width: 390, height: 844, mobile: true })
  try {
    await login(page)
    assert.equal(await page.locator('.aside').count(), 0, 'no fixed sidebar on phones')
    await navigate(page, 'approvals')
    await navigate(page, 'customers')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`)
  } finally {
    await page.context().close()
  }
})

test('admin creates a user; a stale edit gets a clear conflict message and the fresh record', async () => {
  const page = await newPage(browser)
  try {
    await login(page)
    await navigate(page, 'users')
    const loginName = 'ui' + Date.now().toString(36)

    await page.locator('[data-action="new-user"]').click()
    await page.locator('[data-test="user-login"]').fill(loginName)
    await page.locator('[data-test="user-name"]').fill('界面测试 UI Test')
    await page.locator('[data-test="user-password"]').fill('secret-123')
    await page.locator('[data-action="save-user"]').click()
    await page.locator('[data-test="user-dialog"]').waitFor({ state: 'hidden' })
    await page.locator(`[data-edit-user="${loginName}"]`).waitFor()

    // Open the editor, then change the same user behind its back.
    await page.locator(`[data-edit-user="${loginName}"]`).click()
    await page.locator('[data-test="user-dialog"]').waitFor()
    const status = await page.evaluate(async (q) => {
      const list = await fetch('/api/v1/users?q=' + encodeURIComponent(q)).then((r) => r.json())
      const u = list.items.find((x) => x.login === q)
      const r = await fetch('/api/v1/users/' + u.id, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('tf.csrf') },
        body: JSON.stringify({ version: u.version, name: 'Changed elsewhere' }),
      })
      return r.status
    }, loginName)
    assert.equal(status, 200, 'the CSRF token kept in sessionStorage works')

    await page.locator('[data-test="user-name"]').fill('Mine')
    await page.locator('[data-action="save-user"]').click()
    await page.locator('.el-message--error').waitFor()
    await page.waitForFunction(() => document.querySelector('input[data-test="user-name"]')?.value === 'Changed elsewhere')

    await page.locator('[data-test="user-name"]').fill('Mine, second try')
    await page.locator('[data-action="save-user"]').click()
    await page.locator('[data-test="user-dialog"]').waitFor({ state: 'hidden' })
    await page.locator('[data-page="users"] .el-table__body', { hasText: 'Mine, second try' }).waitFor()
  } finally {
    await page.context().close()
  }
})
