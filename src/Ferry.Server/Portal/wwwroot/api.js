// Every call the portal makes goes through here, to Ferry's own REST API with the signed-in user's
// bearer token: what the page may do is exactly what the API lets that user do.

const ACCESS = 'ferry.accessToken';
const REFRESH = 'ferry.refreshToken';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const auth = {
  get token() { return sessionStorage.getItem(ACCESS); },

  save(grant) {
    sessionStorage.setItem(ACCESS, grant.access_token);
    sessionStorage.setItem(REFRESH, grant.refresh_token ?? '');
  },

  clear() {
    sessionStorage.removeItem(ACCESS);
    sessionStorage.removeItem(REFRESH);
  },

  /** The user's name and role as the token states them (for display; the server checks the token itself). */
  get user() {
    const token = this.token;
    if (!token) {
      return null;
    }
    try {
      const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const claims = JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), '=')));
      return { name: claims.name, role: claims.role };
    } catch {
      return null;
    }
  },

  async signIn(username, password) {
    this.save(await api('/login', { method: 'POST', body: { username, password }, anonymous: true }));
  },

  async signOut() {
    const refreshToken = sessionStorage.getItem(REFRESH);
    this.clear();
    if (refreshToken) {
      await api(`/login/refreshToken?refreshToken=${encodeURIComponent(refreshToken)}`, { method: 'DELETE', anonymous: true }).catch(() => {});
    }
  },

  /** Renews an expired access token with the refresh token once; false when that is not possible. */
  async renew() {
    const refreshToken = sessionStorage.getItem(REFRESH);
    if (!refreshToken) {
      return false;
    }
    try {
      this.save(await api('/login/refreshToken', { method: 'POST', body: { refreshToken }, anonymous: true }));
      return true;
    } catch {
      return false;
    }
  },
};

/** The message of any of Ferry's error bodies: ML Server's {message}, ARM's {error:{message}}, model management's {message}. */
function messageOf(json, text, response) {
  return json?.message ?? json?.error?.message ?? (text && !json ? text : `${response.status} ${response.statusText}`);
}

/**
 * Calls the API and returns the parsed JSON (or the text with raw). A 401 tries one token renewal,
 * then sends the user to the sign-in page; any other failure throws an ApiError with the server's message.
 */
export async function api(path, { method = 'GET', body, raw = false, anonymous = false, retried = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (!anonymous && auth.token) {
    headers.Authorization = `Bearer ${auth.token}`;
  }
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }

  if (response.status === 401 && !anonymous) {
    if (!retried && await auth.renew()) {
      return api(path, { method, body, raw, anonymous, retried: true });
    }
    auth.clear();
    sessionStorage.setItem('ferry.next', location.hash);
    location.hash = '#/login';
    throw new ApiError(401, 'Your sign-in has expired; sign in again.');
  }
  if (!response.ok) {
    throw new ApiError(response.status, messageOf(json, text, response));
  }
  return raw ? text : json;
}

/** A path segment, escaped. */
export const seg = encodeURIComponent;

/**
 * The bytes of a file from the offset on (Range: bytes=N-), for tailing a growing log without a token:
 * empty when it has nothing past the offset (416).
 */
export async function readFrom(path, offset) {
  const response = await fetch(path, { headers: { Range: `bytes=${offset}-` } });
  if (response.status === 416) {
    return new Uint8Array(0);
  }
  if (!response.ok) {
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    throw new ApiError(response.status, messageOf(json, text, response));
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  return response.status === 206 ? bytes : bytes.subarray(offset);
}
