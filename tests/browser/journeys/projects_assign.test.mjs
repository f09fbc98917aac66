// projects_assign.test.mjs — whom a manager may give projects to, and the
// pipeline's way into the list, in a real Chromium against the demo company
// (TF_BASE_URL; tests/one.sh starts one). The assign dialog of the project
// list offers only the salespeople and sales managers the server accepts as
// owners (no administrator, finance, warehouse or after-sales staff; for a
// team's manager, only their team), and the project goes to the one chosen.
// Clicking a salesperson in the pipeline opens the list filtered by them,
// the filter showing their name.
//   tests/one.sh tests/browser/journeys/projects_assign.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, navigate, signInPage, apiCall } from '../lib.mjs'

const tag = `AS${Date.now().toString(36)}`
let browser

before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const signedIn = (who, opts) => signInPage(browser, who, opts)

/** fetch inside the page (cookie and CSRF header): setup and outcome checks. */

const rowsSel = '[data-test="projects-table"] .el-table__body-wrapper tr'

/** The list searched for `q`, the row of `name` ticked, the assign dialog open; returns the dialog. */
async function openAssign(page, q, name) {
  await navigate(page, 'projects')
  await page.locator('[data-test="project-tabs"] [data-tab="list"]').click()
  await page.locator('[data-test="project-search"]').fill(q)
  await page.waitForFunction((s) => document.querySelectorAll(s).length === 1, rowsSel)
  await page.locator(rowsSel).filter({ hasText: name }).locator('.el-checkbox').click()
  await page.locator('[data-action="batch-assign"]').click()
  const dialog = page.locator('[data-test="batch-dialog"]')
  await dialog.waitFor()
  return dialog
}

/** Open the owner picker and read the logins it offers (each option shows "name" and "login · role"). */
async function offered(page, dialog) {
  await dialog.locator('[data-test="assign-owner"]').click()
  const items = page.locator('.el-select-dropdown__item:visible')
  await items.first().waitFor()
  await page.waitForFunction(() => ![...document.querySelectorAll('.el-select-dropdown')].some((d) => d.offsetParent && d.querySelector('.is-loading, .el-select-dropdown__loading')))
  const texts = await items.allInnerTexts()
  return texts.map((t) => t.split('\n').map((x) => x.trim()).filter(Boolean).pop().split(' · ')[0])
}

const NOT_OWNERS = ['admin', 'sun', 'zhou', 'wu', 'zheng'] // administrator, finance, warehouse, after-sales

test('the assign dialog offers only salespeople and managers the server accepts; the project goes to the one chosen', async () => {
  const li = await signedIn('li') // manages the East China team: zhang, chen
  const admin = await signedIn('admin')
  try {
    const name = `${tag} 待分配项目 To assign`
    const made = await apiCall(li, 'POST', '/projects', { name, owner_id: null })
    assert.equal(made.status, 201, JSON.stringify(made.body))

    // the team's manager: their team and themselves, nobody else
    const dialog = await openAssign(li, tag, name)
    const logins = await offered(li, dialog)
    for (const l of ['li', 'zhang', 'chen']) assert.ok(logins.includes(l), `${l} is offered to li (got ${logins})`)
    for (const l of [...NOT_OWNERS, 'liu', 'zhao', 'wang', 'huang']) assert.ok(!logins.includes(l), `${l} is not offered to li (got ${logins})`)
    // the server agrees: someone not offered is refused
    const sun = (await apiCall(li, 'GET', '/users?q=sun')).body.items.find((u) => u.login === 'sun')
    assert.equal((await apiCall(li, 'POST', '/projects/assign', { ids: [made.body.id], owner_id: sun.id })).status, 422)

    // choose zhang: the project is his
    await li.locator('.el-select-dropdown__item:visible').filter({ hasText: 'Zhang Wei' }).click()
    await dialog.locator('[data-action="batch-run"]').click()
    await li.locator('.el-message--success').filter({ hasText: '1 project' }).waitFor()
    const after = (await apiCall(li, 'GET', `/projects/${made.body.id}`)).body
    assert.equal(after.owner_name, '张伟 Zhang Wei')
    await li.locator(`[data-owner="${name}"]`, { hasText: 'Zhang Wei' }).waitFor()
    assert.deepEqual(li.problems, [])

    // the administrator: every team's salespeople and managers, still no other role
    const mine = await apiCall(admin, 'POST', '/projects', { name: `${name} 2`, owner_id: null })
    assert.equal(mine.status, 201)
    const adminDialog = await openAssign(admin, `${tag} 待分配项目 To assign 2`, `${name} 2`)
    const all = await offered(admin, adminDialog)
    for (const l of ['wang', 'li', 'huang', 'zhang', 'chen', 'liu', 'zhao']) assert.ok(all.includes(l), `${l} is offered to admin (got ${all})`)
    for (const l of NOT_OWNERS) assert.ok(!all.includes(l), `${l} is not offered to admin (got ${all})`)
    assert.deepEqual(admin.problems, [])
  } finally {
    await li.context().close()
    await admin.context().close()
  }
})

test('the pipeline drill-down shows the salesperson by name in the list filter', async () => {
  const page = await signedIn('wang')
  try {
    const zhang = (await apiCall(page, 'GET', '/users?q=zhang')).body.items.find((u) => u.login === 'zhang')
    const pipe = (await apiCall(page, 'GET', '/projects/pipeline?group=owner')).body
    assert.ok(pipe.items.some((r) => r.owner_id === zhang.id), 'zhang has open projects in the demo company')

    await navigate(page, 'projects')
    await page.locator('[data-test="project-tabs"] [data-tab="pipeline"]').click()
    await page.locator('[data-test="pipeline-table"]').waitFor()
    await page.locator('[data-test="pipeline-group"] [data-group="owner"]').click()
    await page.locator('[data-test="pipeline-table"] tbody tr[data-row="张伟 Zhang Wei"]').click()
    await page.waitForURL(new RegExp(`#/projects\\?.*owner=${zhang.id}`))
    const picker = page.locator('[data-test="owner-user"]')
    await picker.waitFor()
    await page.waitForFunction(() => /Zhang Wei/.test(document.querySelector('[data-test="owner-user"]')?.innerText || ''))
    const shown = await picker.innerText()
    assert.match(shown, /张伟 Zhang Wei/)
    assert.doesNotMatch(shown, /#\d/, 'no bare id')
    // and the list is zhang's open projects
    await page.waitForFunction((s) => document.querySelectorAll(s).length > 0, rowsSel)
    const owners = await page.locator(`${rowsSel} [data-owner]`).allInnerTexts()
    assert.ok(owners.length > 0 && owners.every((o) => o.trim() === '张伟 Zhang Wei'), `owners: ${owners}`)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})
