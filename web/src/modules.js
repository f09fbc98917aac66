// modules.js — the navigation and the routes, as one table. Each entry's page
// is the single file src/pages/<page>.vue; `perm` hides it from users who lack
// the permission.
import {
  Odometer,
  User,
  Opportunity,
  Document,
  Tickets,
  Service,
  Avatar,
  Stamp,
  UserFilled,
  OfficeBuilding,
  Share,
} from '@element-plus/icons-vue'

export const MODULES = [
  { key: 'dashboard', path: '/dashboard', page: 'Dashboard', icon: Odometer },
  { key: 'customers', path: '/customers', page: 'Customers', icon: User },
  { key: 'projects', path: '/projects', page: 'Projects', icon: Opportunity },
  { key: 'quotations', path: '/quotations', page: 'Quotations', icon: Document },
  { key: 'contracts', path: '/contracts', page: 'Contracts', icon: Tickets },
  { key: 'aftersales', path: '/aftersales', page: 'Aftersales', icon: Service },
  { key: 'team', path: '/team', page: 'Team', icon: Avatar },
  { key: 'approvals', path: '/approvals', page: 'Approvals', icon: Stamp },
  { key: 'users', path: '/settings/users', page: 'Users', icon: UserFilled, group: 'settings', perm: 'users.manage' },
  { key: 'departments', path: '/settings/departments', page: 'Departments', icon: OfficeBuilding, group: 'settings', perm: 'departments.manage' },
  { key: 'flows', path: '/settings/flows', page: 'Flows', icon: Share, group: 'settings', perm: 'flows.manage' },
]
