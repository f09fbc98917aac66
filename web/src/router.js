// router.js — hash-history routes built from modules.js, so the server needs
// no fallback route; guards send signed-out visitors to the login page, and
// a page the user lacks the permission for shows the no-access notice.
import { createRouter, createWebHashHistory } from 'vue-router'
import { MODULES, SUBPAGES } from '@/modules.js'
import { session, loadMe } from '@/session.js'

// every page is a file of a module folder: src/modules/<module>/<Page>.vue
const files = import.meta.glob('./modules/*/*.vue')
const pages = {}
for (const [path, load] of Object.entries(files)) pages[path.split('/').pop().slice(0, -4)] = load

function page(name) {
  const load = pages[name]
  if (!load) throw new Error(`missing page src/modules/*/${name}.vue`)
  return load
}

const routes = [
  { path: '/login', name: 'login', component: page('Login'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', redirect: '/dashboard' },
      ...MODULES.map((m) => ({
        path: m.path.slice(1),
        name: m.key,
        component: page(m.page),
        meta: { key: m.key, nav: m.key, group: m.group || null, perm: m.perm || null },
      })),
      ...SUBPAGES.map((m) => ({
        path: m.path.slice(1),
        name: m.key,
        component: page(m.page),
        meta: { key: m.key, nav: m.nav, group: null, perm: m.perm || null },
      })),
    ],
  },
  { path: '/:rest(.*)*', redirect: '/dashboard' },
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  if (!session.checked) {
    try {
      await loadMe()
    } catch {
      /* server unreachable: the login page explains it on submit */
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return { path: '/dashboard' }
    return true
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  // a page the user may not open stays at its address: the layout shows
  // "you do not have access to this page" instead of the page (noAccess)
  return true
})
