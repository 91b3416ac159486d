// Small fetch helper for the public API (/api/v1): JSON in and out, same-origin cookies,
// the CSRF header on changing requests, and problem+json answers turned into ApiError.

/** An API failure: HTTP status (0 when the server was not reached), problem `code` and `detail`. */
export class ApiError extends Error {
  constructor({ status, code, detail = '', title = '', errors = [], permission = null, problem = {}, retryAfter = null }) {
    super(detail || title || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.title = title;
    this.errors = errors; // validation: [{field, message}]
    this.permission = permission; // permission_denied: the missing key
    this.problem = problem; // the whole problem+json body (e.g. attempts_left of invalid_code)
    this.retryAfter = retryAfter; // 429: seconds from the Retry-After header, else null
  }
}

// Sign-in and `me` answer a csrf_token; every request that changes something must send it.
let csrfToken = null;
export function setCsrfToken(token) {
  csrfToken = token || null;
}

// Retry-After is either delta-seconds or an HTTP date; null when absent or unreadable.
function retryAfterSeconds(value) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

// Who hears of every problem answer besides the caller (the console goes to two-factor
// enrolment on totp_enrolment_required, whichever screen asked).
const problemListeners = new Set();

/** Calls listener(apiError) for every error-status answer; returns the function that unsubscribes. */
export function onApiProblem(listener) {
  problemListeners.add(listener);
  return () => { problemListeners.delete(listener); };
}

/**
 * Calls the API and resolves to the parsed JSON body (null when there is none).
 * Rejects with ApiError: the server's problem+json fields for an error status, or
 * {status: 0, code: 'network_error'} when the request did not get an answer.
 */
export async function api(path, options) {
  return (await apiResponse(path, options)).data;
}

/**
 * Like api(), but resolves to {data, status, headers} so callers can read response headers
 * (the portal settings' ETag, for instance). `raw` sends bytes (a Blob or File) as they are,
 * with `rawType` as the Content-Type (an upload), instead of a JSON `body`.
 */
export async function apiResponse(path, { method = 'GET', body, raw, rawType, headers = {}, signal } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json, application/problem+json', ...headers },
    signal,
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  } else if (raw !== undefined) {
    init.headers['Content-Type'] = rawType || 'application/octet-stream';
    init.body = raw;
  }
  if (csrfToken && !SAFE_METHODS.has(method)) init.headers['X-CSRF-Token'] = csrfToken;

  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError({ status: 0, code: 'network_error' });
  }

  const type = response.headers.get('Content-Type') || '';
  let data = null;
  if (response.status !== 204 && /[/+]json\b/.test(type)) {
    try { data = await response.json(); } catch { data = null; }
  }
  if (response.ok) return { data, status: response.status, headers: response.headers };

  throw problemError(response.status, data, response.headers.get('Retry-After'));
}

// The ApiError of an error-status answer (its parsed body, if any), the listeners told.
function problemError(status, data, retryAfter) {
  const problem = data && typeof data === 'object' ? data : {};
  const error = new ApiError({
    status,
    code: typeof problem.code === 'string' ? problem.code : `http_${status}`,
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    title: typeof problem.title === 'string' ? problem.title : '',
    errors: Array.isArray(problem.errors) ? problem.errors : [],
    permission: typeof problem.permission === 'string' ? problem.permission : null,
    problem,
    retryAfter: retryAfterSeconds(retryAfter),
  });
  for (const listener of problemListeners) listener(error);
  return error;
}

/**
 * Sends a file as the raw body of a POST (an upload), reporting progress as it goes:
 * onProgress(loaded, total) while the bytes leave the browser (fetch cannot say this, so
 * XMLHttpRequest). `type` is the Content-Type declared. Resolves to the parsed JSON answer;
 * rejects like api() (ApiError, or an AbortError when `signal` aborts).
 */
export function uploadFile(path, file, { type, onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('Content-Type', type || 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    if (onProgress) xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    const aborted = () => xhr.abort();
    signal?.addEventListener('abort', aborted);
    const done = () => signal?.removeEventListener('abort', aborted);
    xhr.addEventListener('load', () => {
      done();
      let data = null;
      if (xhr.status !== 204 && /[/+]json\b/.test(xhr.getResponseHeader('Content-Type') || '')) {
        try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(problemError(xhr.status, data, xhr.getResponseHeader('Retry-After')));
    });
    xhr.addEventListener('error', () => { done(); reject(new ApiError({ status: 0, code: 'network_error' })); });
    xhr.addEventListener('abort', () => { done(); reject(new DOMException('The upload was cancelled.', 'AbortError')); });
    xhr.send(file);
  });
}
