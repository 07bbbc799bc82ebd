/**
 * Accounts end to end, with JavaScript on and off: sign up, out and in; sessions on two browsers and
 * revoking one; admin-only pages; a role change showing in the audit log; bad input on the auth forms.
 */
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { promoteToAdmin } from "./support/admin";
import { expectNotice, signUp, TEST_PASSWORD, uniqueEmail, untilInteractive } from "./support/session";

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/** A second, separate browser with the same project settings (JS on or off). */
async function secondBrowser(browser: Browser, testInfo: TestInfo, userAgent?: string): Promise<Page> {
  const { baseURL, javaScriptEnabled } = testInfo.project.use;
  const context = await browser.newContext({ baseURL, javaScriptEnabled, ...(userAgent ? { userAgent } : {}) });
  return context.newPage();
}

async function signIn(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto("/login");
  await untilInteractive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?reason=signed_out/);
}

/** Fails the test if any page answer is a server error. */
function refuseServerErrors(page: Page): void {
  page.on("response", (response) => {
    expect(response.status(), `${response.request().method()} ${response.url()}`).toBeLessThan(500);
  });
}

test("sign up, out and in; see two sessions; revoke the other one; sign out", async ({ page, browser }, testInfo) => {
  refuseServerErrors(page);
  const email = await signUp(page, { name: "Session Tester" });
  await signOut(page);
  await signIn(page, email);
  await expect(page).toHaveURL((url) => url.pathname === "/");
  await expect(page.getByText("Welcome back, Session Tester.")).toBeVisible();

  const phone = await secondBrowser(browser, testInfo, IPHONE);
  await signIn(phone, email);
  await expect(phone).toHaveURL((url) => url.pathname === "/");

  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings\/profile$/);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Sessions" }).click();
  const rows = page.locator("table.data tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "This device" })).toHaveCount(1);
  const other = rows.filter({ hasText: "Mobile Safari 17" });
  await expect(other).toContainText("Apple iPhone");
  await other.getByRole("button", { name: /Revoke/ }).click();
  await expectNotice(page, "The session has been signed out.");
  await expect(rows).toHaveCount(1);

  // The revoked browser is refused on its very next click.
  await phone.getByRole("link", { name: "Settings" }).click();
  await expect(phone).toHaveURL(/\/login\?.*reason=revoked/);
  await expect(phone.getByText("Your session was signed out. Please sign in again.")).toBeVisible();
  await phone.context().close();

  await signOut(page);
  await page.goto("/settings/sessions");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fsettings%2Fsessions/);
});

test("a non-admin gets 403 on admin pages; the admin changes their role and the audit log shows it", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  refuseServerErrors(page);
  const adminEmail = await signUp(page, { name: "Admin Tester" });
  await promoteToAdmin(adminEmail, baseURL!);
  await page.reload();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toBeVisible();

  const other = await secondBrowser(browser, testInfo);
  const userEmail = await signUp(other, { name: "Plain User" });
  await expect(other.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  const forbidden = await other.goto("/admin/users");
  expect(forbidden?.status()).toBe(403);
  await expect(other.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  expect((await other.goto("/admin/audit"))?.status()).toBe(403);

  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await page.getByLabel("Search by email or name").fill(userEmail);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.locator("table.data tbody tr", { hasText: userEmail });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("active");
  // A role change asks first: open the row's role control, choose, then save.
  await row.getByText("user ▾").click();
  await row.getByLabel(`Role for ${userEmail}`, { exact: true }).selectOption("admin");
  await row.getByRole("button", { name: `Save role for ${userEmail}` }).click();
  await expectNotice(page, "The role has been changed.");
  await expect(page.getByLabel(`Role for ${userEmail}`, { exact: true })).toHaveValue("admin");

  // The promoted user now reaches the admin pages.
  expect((await other.goto("/admin/users"))?.status()).toBe(200);
  await other.context().close();

  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("User (email or id)").fill(adminEmail);
  await page.getByLabel("Action").selectOption("user.role_change");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=user.role_change/);
  const events = page.locator("table.data tbody tr");
  await expect(events).toHaveCount(1);
  await expect(events.first()).toContainText(adminEmail);
  await expect(events.first()).toContainText("user.role_change");
  // Details read as label/value pairs; the JSON is there on demand (a <details>, JS or not).
  const details = events.first().locator("dl.audit-details");
  await expect(details.locator("div", { has: page.locator("dt", { hasText: /^to$/ }) }).locator("dd")).toHaveText(
    "admin",
  );
  const json = events.first().locator("details.audit-json");
  await expect(json.locator("pre")).toBeHidden();
  await json.getByText("JSON").click();
  await expect(json.locator("pre")).toBeVisible();
  await expect(json.locator("pre")).toContainText('"to": "admin"');
  await expect(page.getByRole("link", { name: "Download CSV" })).toHaveAttribute(
    "href",
    `/admin/audit.csv?${new URLSearchParams({ user: adminEmail, action: "user.role_change" })}`,
  );

  // The admin's own looks at the log are recorded but hidden until asked for.
  await page.getByLabel("Action").selectOption("");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).not.toHaveURL(/action=user\.role_change/);
  await expect(page.locator("table.data tbody tr").first()).toBeVisible();
  await expect(page.locator("table.data tbody tr", { hasText: "audit.view" })).toHaveCount(0);
  await page.getByLabel("Show views of this log").check();
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/views=1/);
  await expect(page.locator("table.data tbody tr", { hasText: "audit.view" }).first()).toBeVisible();
});

test("the header fits laptop windows: Sign out in view, a long address shortened, folded into the menu below 1,101 px", async ({
  page,
  baseURL,
}) => {
  // An admin has the most links, and a long address is what used to push Sign out past the window's edge.
  const email = await signUp(page, { email: `a-rather-long-name-${Date.now().toString(36)}@an-example-domain.test` });
  await promoteToAdmin(email, baseURL!);
  await page.goto("/calendar");
  await expect(page.getByRole("link", { name: "Admin" }).first()).toBeAttached();
  const signOut = page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" });
  for (const width of [1024, 1101, 1180, 1280, 1440]) {
    await page.setViewportSize({ width, height: 800 });
    const [scrollWidth, clientWidth] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ]);
    expect(scrollWidth, `the page at ${width} px`).toBeLessThanOrEqual(clientWidth);
    const menu = page.getByRole("navigation", { name: "Main" }).locator("summary");
    if (width <= 1100) {
      // Folded: the menu holds the links and Sign out (a <details>: it opens with and without JS).
      await expect(signOut).toBeHidden();
      await menu.click();
    } else {
      await expect(menu).toBeHidden();
    }
    await expect(signOut, `Sign out at ${width} px`).toBeVisible();
    const box = (await signOut.boundingBox())!;
    expect(box.x + box.width, `Sign out's right edge at ${width} px`).toBeLessThanOrEqual(clientWidth!);
    expect(box.height, `Sign out on one line at ${width} px`).toBeLessThan(48);
    if (width <= 1100) await menu.click();
  }
});

test.describe("bad input on the sign-up and sign-in forms", () => {
  test.beforeEach(({ page }) => refuseServerErrors(page));

  test("a short password is explained; email and name are kept, the password is not sent back", async ({
    page,
    javaScriptEnabled,
  }) => {
    const email = uniqueEmail("short");
    await page.goto("/signup");
    await untilInteractive(page);
    await page.getByLabel("Name (optional)").fill("Short Password");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill("too short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue(email);
    await expect(page.getByLabel("Name (optional)")).toHaveValue("Short Password");
    // With JS the check runs in the page and nothing is sent; without, the server's page leaves it empty.
    if (!javaScriptEnabled) await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  });

  test("a password easy to guess is explained by the server, with or without JS; name and email are kept", async ({
    page,
  }) => {
    const email = uniqueEmail("weak");
    await page.goto("/signup");
    await untilInteractive(page);
    await page.getByLabel("Name (optional)").fill("Weak Password");
    await page.getByLabel("Email").fill(email);
    // Long enough for the page's own check: only the server knows it is a repeat.
    await page.getByLabel("Password", { exact: true }).fill("aaaaaaaaaaaa");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText(/That password is too easy to guess/)).toBeVisible();
    await expect(page).toHaveURL(/\/signup$/);
    await expect(page.getByLabel("Email")).toHaveValue(email);
    await expect(page.getByLabel("Name (optional)")).toHaveValue("Weak Password");
  });

  test("a malformed email is explained and kept", async ({ page }) => {
    await page.goto("/signup");
    await untilInteractive(page);
    // Passes the browser's own check (no dot needed there) but not the server's.
    await page.getByLabel("Email").fill("someone@nowhere");
    await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Enter a valid email address, like name@example.com.")).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue("someone@nowhere");
  });

  test("missing fields are explained", async ({ page, javaScriptEnabled }) => {
    await page.goto("/signup");
    await untilInteractive(page);
    await page.getByRole("button", { name: "Create account" }).click();
    if (javaScriptEnabled) {
      await expect(page.getByText("Enter your email address.")).toBeVisible();
      await expect(page.getByText("Choose a password.")).toBeVisible();
    } else {
      // Without JS the browser's own required-field check speaks first, naming the field.
      const message = await page.getByLabel("Email").evaluate((input: HTMLInputElement) => input.validationMessage);
      expect(message).not.toBe("");
      await expect(page).toHaveURL(/\/signup$/);
    }
  });

  test("finding 6: a sign-up with a taken email looks like any other and signs no one in", async ({
    page,
    browser,
  }, testInfo) => {
    const email = await signUp(page);
    const stranger = await secondBrowser(browser, testInfo);
    await stranger.goto("/signup");
    await untilInteractive(stranger);
    await stranger.getByLabel("Email").fill(email.toUpperCase());
    await stranger.getByLabel("Password", { exact: true }).fill("a different long password");
    await stranger.getByRole("button", { name: "Create account" }).click();
    await expect(stranger).toHaveURL(/\/login\?reason=account_ready/);
    await expect(stranger.getByText("If this address is new, your account is ready — sign in.")).toBeVisible();
    await expect(stranger.getByText(/already exists/)).toHaveCount(0);
    await stranger.context().close();
  });

  test("the email typed at sign-up is already in the sign-in form, by the redirect and by the Sign in link", async ({
    page,
    javaScriptEnabled,
  }) => {
    const email = uniqueEmail("carried");
    await page.goto("/signup");
    await untilInteractive(page);
    await page.getByLabel("Email").fill(email);
    if (!javaScriptEnabled) {
      // Without JS the link learns the address from a refused sign-up (here: a short password).
      await page.getByLabel("Password", { exact: true }).fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
    }
    // The form's own link (the header has a plain one too).
    await page.locator("main").getByRole("link", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue(email);

    // A completed sign-up lands on the sign-in form with the address in it, ready for the password.
    await page.goto("/signup");
    await untilInteractive(page);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill("a long enough password");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue(email);
    await expect(page.getByLabel("Password")).toBeFocused();
  });

  test("a wrong password and an unknown email get the same message, keeping the email", async ({
    page,
    browser,
    javaScriptEnabled,
  }, testInfo) => {
    const email = await signUp(page);
    const other = await secondBrowser(browser, testInfo);
    await signIn(other, email, "not the right password");
    await expect(other.getByRole("alert")).toHaveText("Wrong email or password.");
    await expect(other.getByLabel("Email")).toHaveValue(email);
    // The server never sends a password back (with JS the browser simply keeps what is in the field).
    if (!javaScriptEnabled) await expect(other.getByLabel("Password")).toHaveValue("");

    const unknown = uniqueEmail("nobody");
    await signIn(other, unknown);
    await expect(other.getByRole("alert")).toHaveText("Wrong email or password.");
    await expect(other.getByLabel("Email")).toHaveValue(unknown);
    await other.context().close();
  });
});
