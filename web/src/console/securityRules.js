// Sign-in security rules of the console (SignIn.jsx, PasswordReset.jsx, TwoFactor.jsx):
// the routes that open without a session, what a typed code becomes, how a TOTP secret is
// shown, and the QR code's drawing. Plain functions, so node tests run them without a
// browser. The server decides; these only shape what the screens send and show.

/** Routes of the console that open without a session: "#/set-password/<token>", "#/forgot-password". */
export const PUBLIC_SCREENS = ['set-password', 'forgot-password'];

/** The set-password link's token from the route path (['<token>']); null when there is none. */
export function tokenFromPath(path) {
  const token = (path ?? []).find(Boolean);
  if (!token) return null;
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

/** A typed one-time code as the API wants it: its digits only ("123 456" -> "123456"), at most 6. */
export function normaliseCode(typed) {
  return String(typed ?? '').replace(/\D/g, '').slice(0, 6);
}

/** Whether a normalised code is complete (6 digits). */
export function isCompleteCode(code) {
  return /^\d{6}$/.test(code ?? '');
}

/** A typed recovery code: trimmed, inner spaces removed (people copy them with spaces). */
export function normaliseRecoveryCode(typed) {
  return String(typed ?? '').trim().replace(/\s+/g, '');
}

/** A TOTP secret in groups of four for reading and typing ("JBSW Y3DP EHPK 3PXP"). */
export function groupSecret(secret) {
  const plain = String(secret ?? '').replace(/\s+/g, '').toUpperCase();
  return plain.match(/.{1,4}/g)?.join(' ') ?? '';
}

/**
 * The set-password form's own check before it asks the server: the field of the first
 * problem ('password' empty, 'repeat' different), or null when it may be sent. The length
 * and common-password rules are the server's; its words are shown at the field.
 */
export function passwordProblem(password, repeat) {
  if (!password) return 'password';
  if (password !== repeat) return 'repeat';
  return null;
}

/**
 * An SVG path drawing the dark modules of a QR code of `count` x `count` modules, each a
 * 1 x 1 square offset by `margin` (the quiet zone): one path instead of hundreds of rects.
 * isDark(row, col) answers for one module.
 */
export function qrPath(count, isDark, margin = 4) {
  const parts = [];
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (isDark(row, col)) parts.push(`M${col + margin} ${row + margin}h1v1h-1z`);
    }
  }
  return parts.join('');
}

/**
 * What the sign-in code step does with a failed POST auth/login/totp: 'restart' when the
 * login token is spent or expired (back to the password), 'wait' when rate limited, else
 * 'retry' (a wrong code: type another).
 */
export function codeFailure(error) {
  if (error?.code === 'invalid_token') return 'restart';
  if (error?.status === 429) return 'wait';
  return 'retry';
}
