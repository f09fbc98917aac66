// modules.js — the navigation and the routes, as one table. Each entry's page
// is the single file src/modules/<module>/<page>.vue; `perm` hides it from users who lack
// the permission; `group: 'settings'` puts it under Settings. SUBPAGES are
// routes without a nav item of their own: `nav` names the item they light up.
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
  Files,
  Bell,
  ChatDotRound,
  Collection,
  Guide,
  Goods,
  PriceTag,
  Van,
  TrendCharts,
  Wallet,
} from '@element-plus/icons-vue'

export const MODULES = [
  { key: 'dashboard', path: '/dashboard', page: 'Dashboard', icon: Odometer },
  { key: 'customers', path: '/customers', page: 'Customers', icon: User },
  { key: 'pool', path: '/pool', page: 'Pool', icon: Files },
  { key: 'reminders', path: '/reminders', page: 'Reminders', icon: Bell },
  { key: 'wechat', path: '/wechat', page: 'WechatFans', icon: ChatDotRound, perm: 'wechat.read' },
  { key: 'projects', path: '/projects', page: 'Projects', icon: Opportunity },
  { key: 'products', path: '/products', page: 'Products', icon: Goods, perm: 'products.read' },
  { key: 'quotations', path: '/quotations', page: 'Quotations', icon: Document, perm: 'quotations.read' },
  { key: 'contracts', path: '/contracts', page: 'Contracts', icon: Tickets, perm: 'contracts.read' },
  { key: 'deliveries', path: '/deliveries', page: 'Deliveries', icon: Van, perm: 'goods.deliver' },
  { key: 'grossProfit', path: '/reports/gross-profit', page: 'GrossProfit', icon: TrendCharts, perm: 'finance.read' },
  { key: 'finance', path: '/finance', page: 'Finance', icon: Wallet, perm: 'finance.read' },
  { key: 'aftersales', path: '/aftersales', page: 'Aftersales', icon: Service },
  { key: 'team', path: '/team', page: 'Team', icon: Avatar },
  { key: 'approvals', path: '/approvals', page: 'Approvals', icon: Stamp },
  { key: 'users', path: '/settings/users', page: 'Users', icon: UserFilled, group: 'settings', perm: 'users.manage' },
  { key: 'departments', path: '/settings/departments', page: 'Departments', icon: OfficeBuilding, group: 'settings', perm: 'departments.manage' },
  { key: 'flows', path: '/settings/flows', page: 'Flows', icon: Share, group: 'settings', perm: 'flows.manage' },
  { key: 'customerSettings', path: '/settings/customers', page: 'CustomerSettings', icon: Collection, group: 'settings', perm: 'dicts.manage' },
  { key: 'pricing', path: '/settings/pricing', page: 'Pricing', icon: PriceTag, group: 'settings', perm: 'pricing.manage' },
  { key: 'processSettings', path: '/settings/process', page: 'ProcessTemplates', icon: Guide, group: 'settings', perm: 'projects.templates' },
  { key: 'documentTemplates', path: '/settings/documents', page: 'DocumentTemplates', icon: Document, group: 'settings', perm: 'documents.templates' },
]

// Order matters: the fixed paths before the one with an id.
export const SUBPAGES = [
  { key: 'projectPipeline', path: '/projects/pipeline', page: 'ProjectPipeline', nav: 'projects' },
  { key: 'customerNew', path: '/customers/new', page: 'CustomerForm', nav: 'customers', perm: 'customers.create' },
  { key: 'imports', path: '/customers/import', page: 'Imports', nav: 'customers', perm: 'customers.import' },
  { key: 'customerEdit', path: '/customers/:id(\\d+)/edit', page: 'CustomerForm', nav: 'customers' },
  { key: 'customerDetail', path: '/customers/:id(\\d+)', page: 'CustomerDetail', nav: 'customers' },
  // projects (board, entry form, detail)
  { key: 'projectBoard', path: '/projects/board', page: 'ProjectBoard', nav: 'projects' },
  { key: 'projectNew', path: '/projects/new', page: 'ProjectForm', nav: 'projects', perm: 'projects.create' },
  { key: 'projectEdit', path: '/projects/:id(\\d+)/edit', page: 'ProjectForm', nav: 'projects' },
  { key: 'projectDetail', path: '/projects/:id(\\d+)', page: 'ProjectDetail', nav: 'projects' },
  // quotations (entry form, edit, detail)
  { key: 'quotationNew', path: '/quotations/new', page: 'QuotationForm', nav: 'quotations', perm: 'quotations.write' },
  { key: 'quotationEdit', path: '/quotations/:id(\\d+)/edit', page: 'QuotationForm', nav: 'quotations', perm: 'quotations.write' },
  { key: 'quotationDetail', path: '/quotations/:id(\\d+)', page: 'QuotationDetail', nav: 'quotations' },
  // contracts (entry form, edit of a draft, amendment, detail)
  { key: 'contractNew', path: '/contracts/new', page: 'ContractForm', nav: 'contracts', perm: 'contracts.write' },
  { key: 'contractEdit', path: '/contracts/:id(\\d+)/edit', page: 'ContractForm', nav: 'contracts', perm: 'contracts.write' },
  { key: 'contractAmend', path: '/contracts/:id(\\d+)/amend', page: 'ContractForm', nav: 'contracts', perm: 'contracts.write' },
  { key: 'contractDetail', path: '/contracts/:id(\\d+)', page: 'ContractDetail', nav: 'contracts' },
  { key: 'productImports', path: '/products/import', page: 'Imports', nav: 'products', perm: 'products.manage' },
  { key: 'productDetail', path: '/products/:id(\\d+)', page: 'ProductDetail', nav: 'products', perm: 'products.read' },
]
