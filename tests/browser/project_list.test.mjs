// project_list.test.mjs — the project list, the weighted pipeline and the
// process settings in a real Chromium against a running server with the demo
// company (TF_BASE_URL; tests/run.sh starts one): a manager filters the list,
// batch-assigns two projects to a salesperson and sees the owner change; the
// pipeline's department totals match the API's; an administrator creates a
// process template with two stages and a checklist item, then edits it into
// a second version. Every run names its records with a tag of its own.
//   TF_BASE_URL=http://127.0.0.1:18080 node --test tests/browser/project_list.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, login, navigate, BASE_URL, signInPage, apiCall } from './lib.mjs'

const tag = `PL${Date.now().toString(36)}`
let browser

before(async () => {
  browser = await launch()
})

after(async () => {
  await browser?.close()
})

const signedIn = (who, opts) => signInPage(browser, who, opts)

/** fetch inside the page, with the session cookie and the CSRF header. */

/** The UI's money text: 123456 → "¥1,234.56". */
function money(fen) {
  const abs = Math.abs(fen)
  return `${fen < 0 ? '-' : ''}¥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`
}

test('a manager filters the list and batch-assigns two projects to a salesperson', async () => {
  const page = await signedIn('wang')
  try {
    const users = (await apiCall(page, 'GET', '/users?limit=200')).body.items
    const zhao = users.find((u) => u.login === 'zhao')
    // two unassigned projects of this run, and one of zhang's that the filters must hide
    const names = [`${tag} 扁线项目 A`, `${tag} 扁线项目 B`, `${tag} 张伟的项目`]
    for (const [i, name] of names.entries()) {
      const r = await apiCall(page, 'POST', '/projects', {
        name,
        owner_id: i < 2 ? null : users.find((u) => u.login === 'zhang').id,
        amount: 1000000 * (i + 1),
        expected_close_date: '2027-0' + (i + 3) + '-15',
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
    }

    await navigate(page, 'projects')
    await page.locator('[data-test="project-tabs"] [data-tab="list"].on').waitFor()
    await page.locator('[data-test="project-search"]').fill(tag)
    const rows = page.locator('[data-test="projects-table"] .el-table__body-wrapper tr')
    await page.waitForFunction((n) => document.querySelectorAll('[data-test="projects-table"] .el-table__body-wrapper tr').length === n, 3)
    assert.match(page.url(), new RegExp(`q=${tag}`), 'the search is in the URL')

    // owner: unassigned → only the two new ones
    await page.locator('[data-test="owner-filter"]').click()
    await page.locator('.el-select-dropdown__item').filter({ hasText: /^Unassigned$/ }).click()
    await page.waitForFunction(() => document.querySelectorAll('[data-test="projects-table"] .el-table__body-wrapper tr').length === 2)
    assert.equal(await rows.filter({ hasText: '张伟的项目' }).count(), 0)
    assert.match(page.url(), /owner=unassigned/)

    // an amount range in the filter panel narrows it to one
    await page.locator('[data-action="toggle-filters"]').click()
    await page.locator('[data-filter="amount_min"]').fill('15000')
    await page.locator('[data-filter="amount_min"]').press('Enter')
    await page.waitForFunction(() => document.querySelectorAll('[data-test="projects-table"] .el-table__body-wrapper tr').length === 1)
    assert.equal(await rows.filter({ hasText: `${tag} 扁线项目 B` }).count(), 1)
    assert.match(page.url(), /amount_min=1500000/, 'yuan in the box, fen in the query')
    // a bad amount is refused in place and the list stays
    await page.locator('[data-filter="amount_max"]').fill('12x')
    await page.locator('[data-filter="amount_max"]').press('Enter')
    await page.locator('[data-test="project-filters"] .ferr').waitFor()
    await page.locator('[data-filter="amount_max"]').fill('')
    await page.locator('[data-filter="amount_max"]').press('Enter')
    await page.locator('[data-test="project-filters"] .ferr').waitFor({ state: 'hidden' })
    await page.locator('[data-filter="amount_min"]').fill('')
    await page.locator('[data-filter="amount_min"]').press('Enter')
    await page.waitForFunction(() => document.querySelectorAll('[data-test="projects-table"] .el-table__body-wrapper tr').length === 2)

    // select both and assign them to zhao
    for (const name of names.slice(0, 2)) {
      await rows.filter({ hasText: name }).locator('.el-checkbox').click()
    }
    await page.locator('[data-test="batch-bar"]').filter({ hasText: '2 selected' }).waitFor()
    await page.locator('[data-action="batch-assign"]').click()
    const dialog = page.locator('[data-test="batch-dialog"]')
    await dialog.waitFor()
    await dialog.locator('[data-action="batch-run"]').click() // nobody chosen: refused in place
    await dialog.locator('.el-form-item__error').first().waitFor()
    await dialog.locator('[data-test="assign-owner"]').click()
    await page.keyboard.type('zhao')
    await page.locator('.el-select-dropdown__item').filter({ hasText: 'Zhao Lei' }).click()
    await dialog.locator('[data-test="batch-reason"]').fill(`${tag} 分配`)
    await dialog.locator('[data-action="batch-run"]').click()
    await page.locator('.el-message--success').filter({ hasText: '2 projects assigned' }).waitFor()
    // the list reloads with owner=unassigned: both are gone from it
    await page.waitForFunction(() => document.querySelectorAll('[data-test="projects-table"] .el-table__body-wrapper tr').length === 0)
    // back to everyone: both show zhao as their owner
    await page.locator('[data-test="owner-filter"]').click()
    await page.locator('.el-select-dropdown__item').filter({ hasText: /^All I see$/ }).click()
    await page.waitForFunction(() => document.querySelectorAll('[data-test="projects-table"] .el-table__body-wrapper tr').length === 3)
    for (const name of names.slice(0, 2)) {
      assert.equal((await page.locator(`[data-owner="${name}"]`).textContent()).trim(), zhao.name)
    }
    const api = (await apiCall(page, 'GET', `/projects?q=${encodeURIComponent(tag)}&owner=${zhao.id}`)).body.items
    assert.deepEqual(api.map((p) => p.name).sort(), names.slice(0, 2).sort())

    // a row opens the project
    await rows.filter({ hasText: names[0] }).locator('td').nth(3).click()
    await page.waitForURL(/#\/projects\/\d+$/)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('the pipeline per department shows the totals the API gives', async () => {
  const page = await signedIn('wang')
  try {
    const before = (await apiCall(page, 'GET', '/projects/pipeline?group=department')).body
    assert.ok(before.items.length >= 2, 'the demo has open projects in two departments')
    await page.goto(`${BASE_URL}/#/projects/pipeline`)
    await page.locator('[data-page="projectPipeline"]').waitFor()
    // the figures the screen received (other tests may enter projects meanwhile)
    const reply = page.waitForResponse((r) => /\/api\/v1\/projects\/pipeline\?.*group=department/.test(r.url()))
    await page.locator('[data-test="pipeline-group"] [data-group="department"]').click()
    await page.waitForURL(/group=department/)
    const api = await (await reply).json()
    assert.equal(api.items.length, before.items.length)
    for (const d of api.items) {
      const row = page.locator(`[data-test="pipeline-table"] tbody tr[data-row="${d.department_name}"]`)
      await row.waitFor()
      assert.equal((await row.locator('[data-col="count"]').textContent()).trim(), String(d.count))
      assert.equal((await row.locator('[data-col="amount"]').textContent()).trim(), money(d.amount))
      assert.equal((await row.locator('[data-col="weighted_amount"]').textContent()).trim(), money(d.weighted_amount))
    }
    assert.equal((await page.locator('[data-total="count"]').textContent()).trim(), String(api.totals.count))
    assert.equal((await page.locator('[data-total="amount"]').textContent()).trim(), money(api.totals.amount))
    assert.equal((await page.locator('[data-total="weighted_amount"]').textContent()).trim(), money(api.totals.weighted_amount))
    const sum = api.items.reduce((n, d) => n + d.weighted_amount, 0)
    assert.equal(sum, api.totals.weighted_amount, 'the rows add up to the total')
    await page.locator('[data-test="pipeline-chart"] canvas').waitFor()

    // narrowing to one department: its row alone
    const one = api.items[0]
    const narrowed = (await apiCall(page, 'GET', `/projects/pipeline?group=department&department_id=${one.department_id}`)).body
    await page.goto(`${BASE_URL}/#/projects/pipeline?group=department&department_id=${one.department_id}`)
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-test="pipeline-table"] tbody tr').length === n,
      narrowed.items.length,
    )
    assert.equal((await page.locator('[data-total="weighted_amount"]').textContent()).trim(), money(narrowed.totals.weighted_amount))

    // by stage: the default process's stages, in order
    await page.locator('[data-test="pipeline-group"] [data-group="stage"]').click()
    await page.waitForURL(/group=stage.*template_id=\d+/)
    const tid = /template_id=(\d+)/.exec(page.url())[1]
    const stages = (await apiCall(page, 'GET', `/projects/pipeline?group=stage&template_id=${tid}`)).body
    await page.locator(`[data-total="count"]`).filter({ hasText: new RegExp(`^${stages.totals.count}$`) }).waitFor()

    // a department row opens the list of its open projects
    await page.locator('[data-test="pipeline-group"] [data-group="department"]').click()
    await page.locator(`[data-test="pipeline-table"] tbody tr[data-row="${one.department_name}"]`).click()
    await page.waitForURL(new RegExp(`#/projects\\?.*department_id=${one.department_id}`))
    await page.locator('[data-page="projects"]').waitFor()
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('an administrator creates a process template with two stages and a checklist item', async () => {
  const page = await signedIn('admin')
  try {
    await navigate(page, 'processSettings')
    await page.locator('[data-test="templates"] [data-template]').first().waitFor()
    await page.locator('[data-action="new-template"]').click()
    const dlg = page.locator('[data-test="template-dialog"]')
    await dlg.waitFor()
    const name = `${tag} 小批量订单 Small order`
    await dlg.locator('[data-test="template-name"]').fill(name)
    // saving with an empty stage name is refused in place
    await dlg.locator('[data-action="save-template"]').click()
    await dlg.locator('.el-form-item__error').first().waitFor()
    await dlg.locator('[data-test="stage-name"]').first().fill('询价 Inquiry')
    await dlg.locator('[data-action="add-stage"]').click()
    await dlg.locator('[data-test="stage-name"]').nth(1).fill('报价 Quoted')
    await dlg.locator('[data-test="stage-probability"] input').nth(1).fill('55')
    await dlg.locator('[data-stage-index="0"] [data-action="add-item"]').click()
    await dlg.locator('[data-test="item-label"]').first().fill('确认规格 Spec confirmed')
    await dlg.locator('[data-action="save-template"]').click()
    await dlg.waitFor({ state: 'hidden' })
    const card = page.locator(`[data-template="${name}"]`)
    await card.waitFor()
    assert.equal(await card.locator('[data-stage]').count(), 2)
    assert.equal((await card.locator('[data-test="template-version"]').textContent()).trim(), 'v1')

    const list = (await apiCall(page, 'GET', '/process-templates')).body.items
    const tpl = list.find((x) => x.name === name)
    assert.ok(tpl)
    assert.deepEqual(tpl.stages.map((s) => [s.key, s.name, s.probability]), [
      ['inquiry', '询价 Inquiry', 20],
      ['quoted', '报价 Quoted', 55],
    ])
    assert.deepEqual(tpl.stages[0].items.map((i) => [i.label, i.kind, i.required]), [['确认规格 Spec confirmed', 'task', true]])
    assert.equal(tpl.stages[1].items.length, 0)

    // editing the stages makes version 2, and the dialog says so
    await card.locator(`[data-edit="${name}"]`).click()
    await dlg.waitFor()
    await dlg.locator('[data-test="version-note"]').filter({ hasText: 'version 2' }).waitFor()
    await dlg.locator('[data-test="stage-probability"] input').nth(1).fill('60')
    await dlg.locator('[data-action="save-template"]').click()
    await dlg.waitFor({ state: 'hidden' })
    await card.locator('[data-test="template-version"]').filter({ hasText: 'v2' }).waitFor()
    const again = (await apiCall(page, 'GET', `/process-templates/${tpl.id}`)).body
    assert.equal(again.current_version, 2)
    assert.equal(again.stages[1].probability, 60)
    assert.equal(again.stages[0].key, 'inquiry', 'keys stay when stages are edited')

    // retired: gone from the list (new projects cannot use it), back with "show retired"
    await card.locator(`[data-retire="${name}"]`).click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await card.waitFor({ state: 'detached' })
    await page.locator('[data-test="show-retired"]').click()
    await card.locator(`[data-restore="${name}"]`).waitFor()
    const retired = (await apiCall(page, 'GET', `/process-templates/${tpl.id}`)).body
    assert.equal(retired.retired, true)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})
