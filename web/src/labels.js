// labels.js — translated names for the API's enumerations.
import { i18n } from '@/i18n.js'

export const ROLES = ['admin', 'sales_manager', 'salesperson', 'finance', 'warehouse', 'aftersales']
export const DOC_TYPES = ['customer_application', 'project_application', 'quotation', 'contract', 'return']
export const STEP_KINDS = ['role', 'user', 'manager']

function lookup(prefix, key) {
  if (key === null || key === undefined || key === '') return '—'
  const path = `${prefix}.${key}`
  return i18n.global.te(path) ? i18n.global.t(path) : String(key)
}

export const roleName = (r) => lookup('roles', r)
export const docTypeName = (d) => lookup('docTypes', d)
export const stateName = (s) => lookup('states', s)
export const decisionName = (d) => lookup('decisions', d)

/** Element Plus tag type for an approval state. */
export function stateTagType(s) {
  return { pending: 'warning', approved: 'success', rejected: 'danger', cancelled: 'info' }[s] || 'info'
}
