/** Logs a user in at the real oidc-provider without a browser: follows redirects and posts its forms. */

/** A cookie jar that handles overwrites and deletions (Max-Age=0 / past Expires), per host. */
export class CookieJar {
  private readonly cookies = new Map<string, string>()

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';')
      const eq = (pair as string).indexOf('=')
      const name = (pair as string).slice(0, eq).trim()
      const value = (pair as string).slice(eq + 1).trim()
      const expired = attributes.some((a) => {
        const [k, v] = a.trim().split('=')
        if (k?.toLowerCase() === 'max-age') return Number(v) <= 0
        if (k?.toLowerCase() === 'expires') return Date.parse(v ?? '') <= Date.now()
        return false
      })
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/**
 * Drives the provider's devInteractions from an authorization URL to the callback URL that
 * carries `code` and `state`. Any non-empty password is accepted by devInteractions.
 */
export async function scriptedLogin(
  authorizationUrl: string,
  options: { login?: string; redirectUri: string },
) {
  const jar = new CookieJar()
  let url = authorizationUrl
  let method = 'GET'
  let body: URLSearchParams | undefined
  for (let hop = 0; hop < 15; hop++) {
    if (url.startsWith(options.redirectUri)) return new URL(url)
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    })
    jar.store(response)
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).href
      method = 'GET'
      body = undefined
      continue
    }
    const html = await response.text()
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1]
    if (!action || !prompt)
      throw new Error(`Unexpected page at ${url} (${response.status}): ${html.slice(0, 200)}`)
    url = new URL(action.replaceAll('&amp;', '&'), url).href
    method = 'POST'
    body =
      prompt === 'login'
        ? new URLSearchParams({ prompt, login: options.login ?? 'ada', password: 'any non-empty password' })
        : new URLSearchParams({ prompt })
  }
  throw new Error('Too many redirects during the scripted login')
}
