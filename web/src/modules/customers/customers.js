// customers.js — what the customer screens share: the built-in fields and
// their labels, the list's columns, values shown as text, the entry policy,
// and the pool's problem replies turned into sentences in the UI language.
import { reactive } from 'vue'
import { api } from '@/api.js'
import { i18n } from '@/i18n.js'
import { dictLabel, regionPath, dicts, customText, fieldLabel } from '@/dicts.js'
import { formatDate, formatDateTime } from '@/format.js'
import { problemText } from '@/errors.js'

const t = (...a) => i18n.global.t(...a)

/** Built-in customer fields a user edits, in form order. */
export const TEXT_FIELDS = ['phone', 'telephone', 'wechat', 'email', 'address']

/** Label of a customer field (built-in, dictionary, or custom.<key>). */
export function customerFieldLabel(field) {
  if (!field) return ''
  if (field.startsWith('custom.')) {
    const key = field.slice(7)
    const f = dicts.customFields.find((x) => x.key === key)
    return f ? fieldLabel(f) : key
  }
  const base = field.replace(/_name$/, '').replace(/_id$/, '')
  const k = `customer.f.${base}`
  return i18n.global.te(k) ? t(k) : field
}

/** The columns the list can show; `default` ones show until the user chooses. */
export const LIST_COLUMNS = [
  { key: 'number', width: 150 },
  { key: 'phone', width: 120, default: true },
  { key: 'telephone', width: 130 },
  { key: 'wechat', width: 130 },
  { key: 'email', width: 180 },
  { key: 'address', width: 220 },
  { key: 'level', width: 145, default: true },
  { key: 'industry', width: 150 },
  { key: 'region', width: 140, default: true },
  { key: 'source', width: 110 },
  { key: 'qualification', width: 130 },
  { key: 'followup_method', width: 110 },
  { key: 'owner', width: 125, default: true },
  { key: 'flags', width: 96, default: true },
  { key: 'last_followup_at', width: 125, default: true },
  { key: 'created_at', width: 120 },
  { key: 'updated_at', width: 130 },
]

/** The list fields (GET /customers?fields=) that cellText reads for a column. */
export function columnFields(key) {
  if (key.startsWith('custom.')) return ['custom']
  switch (key) {
    case 'level':
    case 'industry':
    case 'source':
    case 'qualification':
    case 'region':
      return [`${key}_id`, `${key}_name`]
    case 'followup_method':
      return ['followup_method_id']
    case 'owner':
      return ['owner_id', 'owner_name']
    case 'flags':
      return ['protected', 'signed']
    default:
      return LIST_COLUMNS.some((c) => c.key === key) ? [key] : [] // not a stale key of an old view
  }
}

/** A cell of the list as text. */
export function cellText(c, key) {
  if (!c) return '—'
  if (key.startsWith('custom.')) return customText(c.custom && c.custom[key.slice(7)])
  switch (key) {
    case 'level':
    case 'industry':
    case 'source':
    case 'qualification':
    case 'followup_method':
      return dictLabel(c[`${key}_id`], c[`${key}_name`])
    case 'region':
      return c.region_id ? regionPath(c.region_id, c.region_name) : '—'
    case 'owner':
      return c.owner_id ? c.owner_name || `#${c.owner_id}` : t('customer.pool')
    case 'last_followup_at':
    case 'created_at':
      return formatDate(c[key])
    case 'updated_at':
      return formatDateTime(c[key])
    default:
      return c[key] === null || c[key] === undefined || c[key] === '' ? '—' : String(c[key])
  }
}

/** The list's column header. */
export function columnLabel(key) {
  if (key === 'flags') return t('customer.f.status')
  if (key === 'owner') return t('customer.f.owner')
  return customerFieldLabel(key)
}

// ---- entry policy ----

export const entryPolicy = reactive({ required: [], duplicates: {}, loaded: false })

export async function loadEntryPolicy(force = false) {
  if (entryPolicy.loaded && !force) return entryPolicy
  try {
    const p = await api.get('/settings/customer_entry_policy')
    entryPolicy.required = Array.isArray(p && p.required) ? p.required : []
    entryPolicy.duplicates = (p && p.duplicates) || {}
    entryPolicy.loaded = true
  } catch {
    /* the form still works; the server enforces the policy */
  }
  return entryPolicy
}

// ---- user names (history shows owner ids) ----

const userNames = reactive({})
const asked = new Set()

/** The name of user `id`, fetched once in the background; '#id' meanwhile. */
export function userName(id) {
  if (id === null || id === undefined) return ''
  if (userNames[id]) return userNames[id]
  if (!asked.has(id)) {
    asked.add(id)
    api
      .get(`/users/${id}`)
      .then((u) => {
        if (u && u.name) userNames[id] = u.name
      })
      .catch(() => {})
  }
  return `#${id}`
}

export function rememberUser(id, name) {
  if (id && name) userNames[id] = name
}

// ---- pool replies ----

/**
 * The sentence for a failed claim / apply / batch claim: limits and lost
 * races come with codes (limit, reason, winner) the UI words itself.
 */
export function poolProblemText(e) {
  const p = (e && e.problem) || {}
  if (e && e.status === 409) {
    if (p.limit === 'max_owned') return t('pool.limit.maxOwned', { max: p.max, current: p.current, allowed: p.allowed })
    if (p.limit === 'claims_per_day') return t('pool.limit.perDay', { max: p.max, current: p.current, allowed: p.allowed })
    if (p.limit === 'reclaim_cooldown') return t('pool.limit.cooldown', { days: p.max, until: formatDateTime(p.until) })
    if (p.reason === 'already_yours') return t('pool.alreadyYours')
    if (p.reason === 'pool_empty') return t('pool.empty')
    if (p.reason === 'not_in_pool' && p.winner) {
      const w = p.winner
      const how = w.kind ? t(`customer.moveKinds.${w.kind}`) : ''
      return w.at ? t('pool.lostRace', { name: w.name || '?', how, at: formatDateTime(w.at) }) : t('pool.notInPool', { name: w.name || '?' })
    }
    if (p.code === 'duplicate') return t('pool.alreadyApplied')
  }
  return problemText(e)
}

/** The CSS class / tag type for a reminder state. */
export function reminderTagType(state) {
  return { due: 'danger', upcoming: 'primary', done: 'info' }[state] || 'info'
}

/**
 * The pool's word on a page of customers (GET /customers/pool-status): of a
 * pool customer its previous owner, how and when it came back and the
 * user's one action; of an owned one the days left before the automatic
 * take-back. usePoolStatus() gives a reactive map by id and load(ids),
 * which asks only for ids it does not hold yet (forget(id) drops one).
 */
export function usePoolStatus() {
  const byId = reactive({})
  async function load(ids, again = false) {
    const want = [...new Set(ids)].filter((id) => again || !(id in byId))
    for (let i = 0; i < want.length; i += 100) {
      const part = want.slice(i, i + 100)
      try {
        const res = await api.get('/customers/pool-status', { ids: part.join(',') })
        for (const x of (res && res.items) || []) byId[x.id] = x
      } catch {
        /* the rows show without it */
      }
    }
  }
  return { byId, load, forget: (id) => delete byId[id] }
}

/** "Back to the pool in 12 days" for an owned customer's status, or ''. */
export function takebackText(s) {
  if (!s || s.in_pool || s.takeback_days_left === null || s.takeback_days_left === undefined) return ''
  const n = s.takeback_days_left
  return n <= 0 ? t('takeback.dueToday') : t('takeback.daysLeft', { n }, n)
}
