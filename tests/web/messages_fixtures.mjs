// What the messages browser tests share (issue 14): a clinic with its portal open for the
// message keys and a patient with a phone (the portal's sign-in and the new_message notice
// go by SMS); stored-XSS payloads that would set window.__xss if any of them ever ran; and
// the checks that they did not.
import assert from 'node:assert/strict';
import { enablePortal, makeClinic, makePatient, signIn, uniquePhone } from '../api/lib/fixtures.mjs';

export const MESSAGE_PERMISSIONS = ['view_profile', 'view_messages', 'send_message'];

// A subject may not hold a direction override (the API refuses it); a body may.
export const XSS_SUBJECT = '<script>window.__xss = "subject"</script><img src=x onerror="window.__xss = \'img\'"> Soru';
export const XSS_BODY = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'onerror\'">',
  '<a href="javascript:window.__xss = \'link\'">tıklayın</a>',
  'javascript:window.__xss = "bare"',
  'ters \u202Eevil.exe\u202C yazı',
].join('\n');

/** {clinic, owner, staff (API sessions), patient, phone} with the portal open for permissions. */
export async function messagesClinic({ permissions = MESSAGE_PERMISSIONS, first = 'Elif' } = {}) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const staff = await signIn(clinic.logins.staff);
  await enablePortal(owner, clinic, { permissions });
  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: first, last_name: `Mesaj ${clinic.code.slice(-5)}`, phone });
  return { clinic, owner, staff, patient, phone };
}

/** Records dialogs on page (an alert() from a payload would open one); call before navigating. */
export function watchDialogs(page) {
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return dialogs;
}

/** No payload ran: window.__xss unset, no dialog, no element made from the markup. */
export async function assertNoScriptRan(page, dialogs, where) {
  assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined', `${where}: a payload ran`);
  assert.deepEqual(dialogs, [], `${where}: a dialog opened`);
  assert.equal(await page.locator('main img[src="x"], main a[href^="javascript:"], main script').count(), 0,
    `${where}: markup from a message became an element`);
}
