// projects.js — what the project screens share: the process templates and the
// project custom fields (loaded once), bilingual names from the templates in
// the UI's language, quantities in thousandths, and the API's stage-move
// refusals (gate_blocked, version_conflict, closed) turned into words.
import { reactive } from 'vue'
import { api } from '@/api.js'
import { i18n } from '@/i18n.js'

export const CLOSED_STAGES = ['won', 'lost']

export const projectMeta = reactive({
  templates: [], // GET /process-templates items (default first), retired ones included
  customFields: [], // GET /custom-fields?entity=project
  loaded: false,
})

let pending = null

/** Load (once) the templates and the project custom fields; force: reload. */
export function loadProjectMeta(force = false) {
  if (projectMeta.loaded && !force) return Promise.resolve(projectMeta)
  if (pending && !force) return pending
  pending = (async () => {
    try {
      const [t, cf] = await Promise.all([
        api.get('/process-templates'),
        api.get('/custom-fields', { entity: 'project' }).catch(() => ({ items: [] })),
      ])
      projectMeta.templates = (t && t.items) || []
      projectMeta.customFields = ((cf && cf.items) || []).filter((f) => f.entity === 'project')
      projectMeta.loaded = true
    } finally {
      pending = null
    }
    return projectMeta
  })()
  return pending
}

/** The custom fields of projects in use, sorted. */
export function activeProjectFields() {
  return projectMeta.customFields.filter((f) => !f.retired).sort((a, b) => (a.sort || 0) - (b.sort || 0) || a.id - b.id)
}

export function defaultTemplate() {
  return projectMeta.templates.find((t) => t.is_default && !t.retired) || projectMeta.templates.find((t) => !t.retired) || null
}

/**
 * Template, stage and checklist names are entered as "初步接洽 Initial
 * contact": the Chinese part in a Chinese UI, the English part otherwise.
 * A name with one language only is shown as it is.
 */
export function bi(text) {
  const s = String(text ?? '')
  const m = /^(.*?[\u3000-\u9fff\uff00-\uffef])\s*([A-Za-z][^\u3400-\u9fff]*)$/.exec(s)
  if (!m) return s
  return i18n.global.locale.value === 'zh-CN' ? m[1].trim() : m[2].trim()
}

/** A stage key as words: won / lost from the UI, others from the process. */
export function stageLabel(key, process, fallback) {
  if (!key) return '—'
  if (CLOSED_STAGES.includes(key)) return i18n.global.t('project.status.' + key)
  const st = process && Array.isArray(process.stages) ? process.stages.find((s) => s.key === key) : null
  if (st) return bi(st.name)
  return fallback ? bi(fallback) : key
}

/** 12000000 → "12,000" (thousandths of a unit, exact). */
export function formatQty(milli) {
  if (milli === null || milli === undefined || milli === '') return ''
  const v = Math.trunc(Number(milli))
  if (!Number.isFinite(v)) return ''
  const whole = Math.trunc(Math.abs(v) / 1000)
  const frac = String(Math.abs(v) % 1000).padStart(3, '0').replace(/0+$/, '')
  return (v < 0 ? '-' : '') + whole.toLocaleString('en-US') + (frac ? '.' + frac : '')
}

/** "12,000.5" → 12000500; "" → null; invalid → NaN. At most three decimals. */
export function parseQty(text) {
  const s = String(text ?? '').trim().replace(/[,\s]/g, '')
  if (s === '') return null
  const m = /^(\d+)(?:\.(\d{0,3}))?$/.exec(s)
  if (!m) return NaN
  const v = Number(m[1]) * 1000 + Number((m[2] || '').padEnd(3, '0'))
  return Number.isSafeInteger(v) ? v : NaN
}

/** One missing gate item as words: "Needs analysis · Sample tested". */
export function missingText(m) {
  return `${bi(m.stage_name || m.stage)} · ${bi(m.label)}`
}

/** Element Plus tag type of a project status. */
export function statusTagType(s) {
  return { open: 'primary', won: 'success', lost: 'info' }[s] || 'info'
}

/**
 * Who moved the project last (for a 409 on a card): the newest history
 * entry's user name, or null when it cannot be read.
 */
export async function lastMover(id) {
  try {
    const h = await api.get(`/projects/${id}/history`, { limit: 1 })
    const e = h && h.items && h.items[0]
    return e ? e.user_name || null : null
  } catch {
    return null
  }
}

/** Every department (GET /departments answers the whole tree at once). */
export async function fetchDepartments() {
  const res = await api.get('/departments')
  return (res && res.items) || []
}
