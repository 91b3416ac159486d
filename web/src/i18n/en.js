// English message catalog. Keys must match tr.js exactly; tests/web/i18n.test.mjs
// checks that. Placeholders look like {name}.
export default {
  'product.name': 'Patient Portal',

  'lang.switcher': 'Language',
  'lang.tr.short': 'TR',
  'lang.tr.name': 'Türkçe',
  'lang.en.short': 'EN',
  'lang.en.name': 'English',

  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'error.network': 'Could not reach the server. Check your connection and try again.',
  'error.generic': 'Something went wrong. Please try again in a moment.',

  'portal.signin.heading': 'Sign in',
  'portal.signin.placeholder': 'Soon you will be able to sign in here with your phone number or email address.',
  'portal.notFound.heading': 'This portal address is not available',
  'portal.notFound.body': 'Check the address, or contact your clinic for the correct link.',
  'portal.footer': '{clinic} patient portal',

  'console.name': 'Clinic console',
  'console.documentTitle': 'Clinic console · Patient Portal',
  'console.nav.label': 'Main menu',
  'console.nav.locked': 'Available after you sign in',
  'console.nav.settings': 'Portal settings',
  'console.nav.patients': 'Patients',
  'console.nav.templates': 'Templates',
  'console.nav.inbox': 'Inbox',
  'console.nav.deliveries': 'Deliveries',
  'console.signin.heading': 'Staff sign-in',
  'console.signin.email': 'Email',
  'console.signin.password': 'Password',
  'console.signin.submit': 'Sign in',
  'console.signin.submitting': 'Signing in…',
  'console.signin.failed': 'Sign-in failed.',
  'console.signedIn': 'Signed in as {name}.',
};
