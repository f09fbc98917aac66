// session.js — who is signed in: the /me record, login, logout, permissions.
import { reactive } from 'vue'
import { api, ApiError, setCsrfToken } from '@/api.js'

export const session = reactive({
  user: null, // the /me record, or null when signed out
  checked: false, // true once /me has been asked at least once
  inboxCount: null, // pending approvals waiting for this user (nav badge)
  reminderCount: null, // the user's reminders that are due (header and nav badge)
})

/** Ask the server who we are; resolves to the user or null (401). */
export async function loadMe() {
  try {
    const me = await api.get('/me', undefined, { quiet401: true })
    if (me && me.csrf_token) setCsrfToken(me.csrf_token)
    session.user = me
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      session.checked = true
      throw e
    }
    session.user = null
    setCsrfToken(null)
  }
  session.checked = true
  return session.user
}

/** Sign in; throws ApiError (401 bad credentials, 429 throttled). */
export async function login(loginName, password) {
  const res = await api.post('/session', { login: loginName, password }, { quiet401: true })
  setCsrfToken(res.csrf_token)
  session.user = res.user || null
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
