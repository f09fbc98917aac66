// locale.en.js — the session module's strings (English): the no-access notice.
export default {
  noAccess: {
    title: 'You do not have access to this page',
    text: 'Your role does not include this page. Ask an administrator if you need it.',
    back: 'Back to the dashboard',
    header: 'No access',
  },
}
