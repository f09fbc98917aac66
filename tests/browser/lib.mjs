// lib.mjs — shared by the browser test and the screenshot script: Debian's
// chromium driven by playwright-core (installed by `npm ci` in web/).
//
// Every request checked against the OpenAPI document: each page made by
// newPage() records the /api/v1 requests it sends, and they are checked
// against GET /api/v1/openapi.json (path, method, path and query parameters,
// JSON body schema; openapi_check.mjs). Under node's test runner this is
// automatic: a hook installed here fails the test during which a page sent a
// request the document does not allow, naming the request and what is wrong
// (fix the front end, or the route's QUERY / body schema if the document is
// what is wrong). `await checkRequests(page)` asserts the same at any point
// of a test, for the pages given (none: every page).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterEach } from 'node:test'
import { fileURLToPath } from 'node:url'
import { requestChecker } from './openapi_check.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.resolve(here, '../../web/package.json'))
export const { chromium } = require('playwright-core')

export const BASE_URL = (process.env.TF_BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
export const ADMIN = { login: process.env.TF_ADMIN_LOGIN || 'admin', password: process.env.TF_ADMIN_PASSWORD || 'demo123' }

export const NAV_KEYS = [
  'dashboard',
  'customers',
  'pool',
  'reminders',
  'wechat',
  'projects',
  'products',
  'quotations',
  'contracts',
  'deliveries',
  'grossProfit',
  'finance',
  'aftersales',
  'team',
  'approvals',
  'users',
  'departments',
  'flows',
  'customerSettings',
  'pricing',
  'processSettings',
  'documentTemplates',
]

export function launch() {
  return chromium.launch({
    executablePath: process.env.TF_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A fresh context (own cookies and storage) with the UI language preset. */
export async function newPage(browser, { locale = 'en', width = 1366, height = 850, mobile = false } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: mobile ? 2 : 1,
    isMobile: mobile,
    hasTouch: mobile,
    locale: locale === 'zh-CN' ? 'zh-CN' : 'en-US',
  })
  await context.addInitScript((l) => {
    if (!localStorage.getItem('tf.locale')) localStorage.setItem('tf.locale', l)
  }, locale)
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  recordRequests(page)
  return page
}

// The requests of every page, checked by checkRequests (see the top of this file).
const recorded = new Map() // page → [{method, url, body, contentType}]
function recordRequests(page) {
  const list = []
  recorded.set(page, list)
  page.context().on('request', (rq) => {
    const url = rq.url()
    if (!url.startsWith(BASE_URL + '/api/v1/')) return
    const body = rq.postDataBuffer() // an upload's bytes too (postData() is null for them)
    list.push({ method: rq.method(), url, body: body ? body.toString('utf8') : null, contentType: rq.headers()['content-type'] })
  })
}

let checker = null
async function documentChecker() {
  if (!checker) {
    checker = fetch(BASE_URL + '/api/v1/openapi.json').then(async (res) => {
      assert.equal(res.status, 200, 'the server serves its OpenAPI document')
      return requestChecker(await res.json())
    })
  }
  return checker
}

/** Fails, naming each request, when a page (default: every page) sent an
 *  /api/v1 request the OpenAPI document does not allow; each request is
 *  checked once. */
export async function checkRequests(...pages) {
  const check = await documentChecker()
  const problems = []
  for (const page of pages.length ? pages : [...recorded.keys()]) {
    const list = recorded.get(page) || []
    for (const r of list.splice(0)) for (const p of check(r)) problems.push(`${p}\n    (${r.method} ${r.url}${r.body ? ' ' + r.body.slice(0, 300) : ''})`)
    if (page.isClosed()) recorded.delete(page)
  }
  assert.equal(problems.length, 0, `requests the OpenAPI document does not allow:\n  ${[...new Set(problems)].join('\n  ')}`)
}

// under node's test runner: after every test, the requests it made
if (process.env.NODE_TEST_CONTEXT) afterEach(() => checkRequests())

/** Open the login page, sign in, and wait for the dashboard. */
export async function login(page, { login = ADMIN.login, password = ADMIN.password } = {}) {
  await page.goto(BASE_URL + '/#/login')
  await page.locator('[data-test="login"]').fill(login)
  await page.locator('[data-test="password"]').fill(password)
  await page.locator('[data-test="submit"]').click()
  await page.locator('[data-page="dashboard"]').waitFor()
}

/** The demo users' password (tradeflow demo --password). */
export const DEMO_PASSWORD = process.env.TF_DEMO_PASSWORD || 'demo123'

/** A new page of `browser` signed in as the demo user `who`; the page's
 * uncaught errors collect in page.problems. opts as for newPage. */
export async function signInPage(browser, who, opts) {
  const page = await newPage(browser, opts)
  const problems = []
  page.on('pageerror', (e) => problems.push(e.message))
  page.problems = problems
  await login(page, { login: who, password: DEMO_PASSWORD })
  return page
}

/** fetch inside the page, with its session and CSRF token (for a test's
 * setup and for reading outcomes, never to perform the workflow). */
export function apiCall(page, method, url, body) {
  return page.evaluate(
    async ([m, u, b]) => {
      const r = await fetch('/api/v1' + u, {
        method: m,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('tf.csrf') || '' },
        body: b === undefined ? undefined : JSON.stringify(b),
      })
      const text = await r.text()
      return { status: r.status, body: text ? JSON.parse(text) : null }
    },
    [method, url, body],
  )
}

/** Click a nav item; on phones open the drawer first. */
export async function navigate(page, key) {
  const burger = page.locator('[data-action="open-menu"]')
  if (await burger.isVisible()) {
    await burger.click()
    await page.locator(`.nav-drawer [data-nav="${key}"]`).click()
  } else {
    await page.locator(`.aside [data-nav="${key}"]`).click()
  }
  await page.locator(`[data-page="${key}"]`).waitFor()
}

/** Clicks `item` (a menu entry that downloads a file) and resolves to the
 *  downloaded file's bytes. */
export async function downloadOf(page, item) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), item.click()])
  const chunks = []
  for await (const c of await download.createReadStream()) chunks.push(c)
  return Buffer.concat(chunks)
}
