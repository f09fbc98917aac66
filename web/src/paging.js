// paging.js — a cursor-paged list ({items, next_cursor}) with "Load more".
import { ref } from 'vue'
import { api } from '@/api.js'
import { problemText } from '@/errors.js'

/**
 * usePagedList('/users', () => ({q: search.value})) gives reactive
 * items/nextCursor/loading/error and reload()/more(). Stale replies (from an
 * earlier query) are dropped.
 */
export function usePagedList(path, params = () => ({}), limit = 50) {
  const items = ref([])
  const nextCursor = ref(null)
  const loading = ref(false)
  const error = ref('')
  let seq = 0

  async function fetchPage(cursor) {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const p = typeof path === 'function' ? path() : path
      const res = await api.get(p, { ...params(), limit, cursor })
      if (mine !== seq) return
      const got = (res && res.items) || []
      items.value = cursor ? items.value.concat(got) : got
      nextCursor.value = (res && res.next_cursor) || null
    } catch (e) {
      if (mine !== seq) return
      if (!cursor) items.value = []
      error.value = problemText(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  return {
    items,
    nextCursor,
    loading,
    error,
    reload: () => fetchPage(null),
    more: () => (nextCursor.value ? fetchPage(nextCursor.value) : Promise.resolve()),
  }
}
