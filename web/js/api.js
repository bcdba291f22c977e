// The console's only door to the server: fetch with the session cookie, the CSRF header on
// every change, and one error type that carries the API's {"error": {"code", "message"}}.
// The CSRF token lives in this module's memory only (never in storage).

let csrfToken = null;
let onSessionLost = null;

/** An error answer from the API (or the network), ready to show to the person. */
export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    // The form field the message is about, when the API names one ("name: must be ...").
    this.field = field;
    this.retryAfter = null;
  }
}

export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** Called with the error when a console request answers 401 unauthenticated. */
export function onUnauthenticated(callback) {
  onSessionLost = callback;
}

// Which field an error is about: a message that starts with "field:" names it (always so for
// invalid_request; the server does it for other codes too, e.g. "org_id: you are not a
// member"), and a few codes are about one field by nature. The view falls back to a
// form-level message when the form has no such field.
function fieldOf(code, message) {
  const m = /^\s*([a-z_][a-z0-9_]*)(?:\.[A-Za-z0-9_]+)*\s*:\s/.exec(message);
  if (m) return m[1];
  if (code === 'email_taken') return 'email';
  if (code === 'weak_password') return 'password';
  return null;
}

function describeStatus(res) {
  if (res.status >= 500) {
    return `The server had a problem (HTTP ${res.status}). Try again in a moment.`;
  }
  return `The server answered HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}.`;
}

/**
 * Calls the console API. Resolves with the parsed JSON body (null for 204), rejects with an
 * ApiError whose message is the API's own message.
 */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }

  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network_error',
      'Cannot reach the accounts server. Check your connection and try again.');
  }

  let data = null;
  if (res.status !== 204) {
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
  }

  if (!res.ok) {
    const e = data && typeof data === 'object' ? data.error : null;
    const code = (e && typeof e.code === 'string' && e.code) || `http_${res.status}`;
    const message = (e && typeof e.message === 'string' && e.message) || describeStatus(res);
    const err = new ApiError(res.status, code, message, fieldOf(code, message));
    if (res.status === 429) {
      err.retryAfter = res.headers.get('Retry-After');
      if (err.retryAfter && !/retry|again|wait/i.test(message)) {
        err.message = `${message} Try again in ${err.retryAfter} seconds.`;
      }
    }
    if (res.status === 401 && code === 'unauthenticated' && onSessionLost) {
      onSessionLost(err);
    }
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path, body) => api('DELETE', path, body);

/** Path segment escaping for ids that come from the server. */
export const seg = (s) => encodeURIComponent(String(s));
