// session.js — who is signed in: the /me record, login, logout, permissions.
// A mark in localStorage says this browser holds a session (set at sign-in
// and whenever /me answers, dropped at sign-out and on any 401): without it
// the server is not asked who we are, so a signed-out visitor's login page
// makes no request that fails. A browser that lost the mark signs in again.
import { reactive } from 'vue'
import { api, ApiError, setCsrfToken } from '@/api.js'

const SIGNED_IN_KEY = 'tf.signedIn'
function mark(on) {
  try {
    if (on) localStorage.setItem(SIGNED_IN_KEY, '1')
    else localStorage.removeItem(SIGNED_IN_KEY)
  } catch {
    /* storage refused (private mode): /me is asked every time */
  }
}
function marked() {
  try {
    return localStorage.getItem(SIGNED_IN_KEY) === '1'
  } catch {
    return true
  }
}

export const session = reactive({
  user: null, // the /me record, or null when signed out
  checked: false, // true once /me has been asked at least once
  inboxCount: null, // pending approvals waiting for this user (nav badge)
  reminderCount: null, // the user's reminders that are due (header and nav badge)
})

/** Ask the server who we are; resolves to the user or null (401, or never signed in here). */
export async function loadMe() {
  if (!marked()) {
    session.user = null
    session.checked = true
    return null
  }
  try {
    const me = await api.get('/me', undefined, { quiet401: true })
    if (me && me.csrf_token) setCsrfToken(me.csrf_token)
    session.user = me
    mark(!!me)
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      session.checked = true
      throw e
    }
    session.user = null
    setCsrfToken(null)
    mark(false)
  }
  session.checked = true
  return session.user
}

/** Sign in (one POST /session); throws ApiError (401 bad credentials, 429 throttled). */
export async function login(loginName, password) {
  const res = await api.post('/session', { login: loginName, password }, { quiet401: true })
  setCsrfToken(res.csrf_token)
  mark(true)
  session.user = (res && res.user) || null
  session.checked = true
  if (!session.user) await loadMe()
  return session.user
}

/** Sign out; the local state is cleared even if the server call fails. */
export async function logout() {
  try {
    await api.del('/session', { quiet401: true })
  } catch {
    /* already signed out */
  }
  forget()
}

/** Drop the local session state (after logout or a 401). */
export function forget() {
  session.user = null
  session.inboxCount = null
  session.reminderCount = null
  setCsrfToken(null)
  mark(false)
}

/** can('users.manage') → true when the signed-in user holds the permission. */
export function can(permission) {
  const perms = session.user && session.user.permissions
  return Array.isArray(perms) && perms.includes(permission)
}

/** Refresh the number of approvals waiting for the user (nav badge). */
export async function refreshInboxCount() {
  try {
    const res = await api.get('/approvals', { box: 'inbox', limit: 100 })
    const items = (res && res.items) || []
    const n = items.filter((a) => a.state === 'pending').length
    session.inboxCount = res && res.next_cursor ? `${n}+` : n
  } catch {
    session.inboxCount = null
  }
}

/** Refresh the number of the user's due reminders (GET /reminders/count). */
export async function refreshReminderCount() {
  if (!session.user) return
  try {
    const res = await api.get('/reminders/count')
    session.reminderCount = res && Number.isFinite(res.due) ? res.due : null
  } catch {
    session.reminderCount = null
  }
}
