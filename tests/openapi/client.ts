// client.ts — compiled by check.sh against the types openapi-typescript
// generates from the served document (api.d.ts beside it, not kept): the
// document must describe the API well enough for a typed client.
import type { paths, components } from './api'

type Get<P extends keyof paths> = paths[P] extends { get: infer O } ? O : never
type Query<O> = O extends { parameters: { query?: infer Q } } ? Q : never
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never

// the customer list's filters are typed
const customerQuery: Query<Get<'/api/v1/customers'>> = {
  q: '华阳', owner: 'me', level_id: 3, protected: true, limit: 50, cursor: '120', sort: 'name',
}
// a sign-in body
type SessionPost = paths['/api/v1/session'] extends { post: infer O } ? O : never
const signIn: Body<SessionPost> = { login: 'admin', password: 'demo123' }
// a problem reply
const problem: components['schemas']['Problem'] = { type: 'about:blank', status: 404, code: 'not_found' }

export const examples = [customerQuery, signIn, problem]
