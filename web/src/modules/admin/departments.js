// departments.js — the department list (GET /departments returns all of
// them) turned into the tree that el-tree and el-tree-select show.
import { api } from '@/api.js'

/** Fetch every department, following next_cursor if the server pages. */
export async function fetchDepartments() {
  let items = []
  let cursor = null
  for (let i = 0; i < 50; i++) {
    const res = await api.get('/departments', cursor ? { cursor } : {}) // one reply today
    items = items.concat((res && res.items) || [])
    cursor = res && res.next_cursor
    if (!cursor) break
  }
  return items
}

/**
 * buildTree(items) → [{id, label, children, dept}] sorted by name; a
 * department whose parent is missing (or a cycle) is shown at the top.
 */
export function buildTree(items) {
  const nodes = new Map()
  for (const d of items) nodes.set(d.id, { id: d.id, label: d.name, dept: d, children: [] })
  const roots = []
  for (const n of nodes.values()) {
    const pid = n.dept.parent_id
    let parent = pid !== null && pid !== undefined ? nodes.get(pid) : null
    // Guard against cycles: walk up and give up if we come back to n.
    for (let p = parent, hops = 0; p && hops <= nodes.size; hops++) {
      if (p === n) {
        parent = null
        break
      }
      const ppid = p.dept.parent_id
      p = ppid !== null && ppid !== undefined ? nodes.get(ppid) : null
    }
    if (parent) parent.children.push(n)
    else roots.push(n)
  }
  const sort = (list) => {
    list.sort((a, b) => String(a.label).localeCompare(String(b.label), 'zh-CN'))
    list.forEach((n) => sort(n.children))
    return list
  }
  return sort(roots)
}
