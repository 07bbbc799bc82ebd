/** A minimal cookie jar for driving the app over HTTP with fetch, as a browser would. */
export class CookieJar {
  private cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const index = pair!.indexOf("=");
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      const expired = /max-age=0/i.test(header) || /expires=Thu, 01 Jan 1970/i.test(header);
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** A browser-like client: keeps cookies, does not follow redirects, posts forms from its own origin. */
export function browserClient(baseUrl: string, jar = new CookieJar()) {
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.header()) headers.set("cookie", jar.header());
    if (init.method && init.method !== "GET") headers.set("origin", baseUrl);
    const response = await fetch(new URL(path, baseUrl), { ...init, headers, redirect: "manual" });
    jar.store(response);
    return response;
  };
  return {
    jar,
    get: (path: string, init: RequestInit = {}) => request(path, init),
    post: (path: string, form: Record<string, string>, init: RequestInit = {}) =>
      request(path, { ...init, method: "POST", body: new URLSearchParams(form) }),
    postJson: (path: string, value: unknown, headers: Record<string, string> = {}) =>
      request(path, {
        method: "POST",
        body: JSON.stringify(value),
        headers: { "content-type": "application/json", ...headers },
      }),
  };
}
