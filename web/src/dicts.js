// dicts.js — the company's dictionaries (GET /dictionaries: qualification,
// region, industry, source, level, followup_method, competitor) and the
// customer custom fields (GET /custom-fields?entity=customer), loaded once
// per session and shared by every screen; the settings screen reloads them
// after a change. Names follow the UI language (name_en / label_en in
// English when the administrator entered one).
import { reactive } from 'vue'
import { api } from '@/api.js'
import { i18n } from '@/i18n.js'

export const DICT_KINDS = ['level', 'industry', 'region', 'source', 'qualification', 'followup_method', 'competitor']

/** The customer fields backed by a dictionary, in the order forms show them. */
export const DICT_FIELDS = [
  { field: 'level_id', kind: 'level' },
  { field: 'industry_id', kind: 'industry' },
  { field: 'region_id', kind: 'region' },
  { field: 'source_id', kind: 'source' },
  { field: 'qualification_id', kind: 'qualification' },
  { field: 'followup_method_id', kind: 'followup_method' },
]

export const dicts = reactive({
  items: [],
  byId: {},
  customFields: [], // customer custom fields, retired ones included
  loaded: false,
  error: '',
})

let pending = null

/** Load (once) the dictionaries and custom fields; force: reload. */
export function loadDicts(force = false) {
  if (dicts.loaded && !force) return Promise.resolve(dicts)
  if (pending && !force) return pending
  pending = (async () => {
    try {
      const [d, cf] = await Promise.all([
        api.get('/dictionaries'),
        api.get('/custom-fields', { entity: 'customer' }).catch(() => ({ items: [] })),
      ])
      dicts.items = (d && d.items) || []
      const byId = {}
      for (const it of dicts.items) byId[it.id] = it
      dicts.byId = byId
      dicts.customFields = ((cf && cf.items) || []).filter((f) => !f.entity || f.entity === 'customer')
      dicts.loaded = true
      dicts.error = ''
    } catch (e) {
      dicts.error = e.message || 'error'
    } finally {
      pending = null
    }
    return dicts
  })()
  return pending
}

const english = () => i18n.global.locale.value !== 'zh-CN'

/** The item's name in the UI language. */
export function itemName(it) {
  if (!it) return ''
  return english() && it.name_en ? it.name_en : it.name
}

/** dictLabel(7, '风电') → "Wind power" in English; the fallback when unknown. */
export function dictLabel(id, fallback) {
  if (id === null || id === undefined || id === '') return fallback || '—'
  const it = dicts.byId[id]
  return it ? itemName(it) : fallback || `#${id}`
}

/** Active items of a kind, sorted; `keep` (a current value) stays even if retired. */
export function dictOptions(kind, keep = null) {
  return dicts.items
    .filter((it) => it.kind === kind && (!it.retired || it.id === keep))
    .sort((a, b) => (a.sort || 0) - (b.sort || 0) || a.id - b.id)
}

/**
 * The items of a kind as a tree for el-cascader / el-tree:
 * [{value, label, retired, item, children}]. Regions nest by parent_id.
 */
export function dictTree(kind, { includeRetired = false, keep = null } = {}) {
  const items = dicts.items.filter((it) => it.kind === kind && (includeRetired || !it.retired || it.id === keep))
  const nodes = new Map()
  for (const it of items) nodes.set(it.id, { value: it.id, label: itemName(it), retired: !!it.retired, item: it, children: [] })
  const roots = []
  for (const n of nodes.values()) {
    const p = n.item.parent_id != null ? nodes.get(n.item.parent_id) : null
    if (p && p !== n) p.children.push(n)
    else roots.push(n)
  }
  const sort = (list) => {
    list.sort((a, b) => (a.item.sort || 0) - (b.item.sort || 0) || a.item.id - b.item.id)
    for (const n of list) {
      if (n.children.length) sort(n.children)
      else delete n.children
    }
    return list
  }
  return sort(roots)
}

/** "江苏省 / 苏州市" — a region with its parents. */
export function regionPath(id, fallback) {
  const parts = []
  let it = dicts.byId[id]
  for (let hops = 0; it && hops < 10; hops++) {
    parts.unshift(itemName(it))
    it = it.parent_id != null ? dicts.byId[it.parent_id] : null
  }
  return parts.length ? parts.join(' / ') : fallback || '—'
}

/** Custom fields that are in use (not retired), sorted. */
export function activeCustomFields() {
  return dicts.customFields.filter((f) => !f.retired).sort((a, b) => (a.sort || 0) - (b.sort || 0) || a.id - b.id)
}

/** A custom field's label in the UI language. */
export function fieldLabel(f) {
  if (!f) return ''
  return english() && f.label_en ? f.label_en : f.label
}

/** A custom value as text: lists joined, empty as a dash. */
export function customText(v) {
  if (v === null || v === undefined || v === '') return '—'
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—'
  if (typeof v === 'boolean') return v ? i18n.global.t('common.yes') : i18n.global.t('common.no')
  return String(v)
}
