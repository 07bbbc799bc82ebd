/**
 * Auth0 sign-in through the stand-in IdP, with JavaScript on and off: the role comes from the ID-token claim,
 * and signing out ends the Auth0 session too.
 */
import { type APIRequestContext, expect, test, type Page } from "@playwright/test";
import { AUTH0_USERS } from "./support/auth0-idp";

type Auth0User = (typeof AUTH0_USERS)[keyof typeof AUTH0_USERS];

/**
 * The instance's first account becomes admin whatever Auth0 says; a local account made first keeps the roles
 * below coming from the claim, whichever test (or project) runs first.
 */
async function makeSureSomeoneSignedUpFirst(request: APIRequestContext, baseURL: string): Promise<void> {
  const email = `local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const response = await request.post("/signup", {
    form: { email, password: "correct horse battery staple", website: "" },
    headers: { origin: baseURL },
  });
  expect(response.status()).toBeLessThan(400);
}

async function signInWithAuth0(page: Page, user: Auth0User): Promise<void> {
  await page.goto("/login");
  await page.getByRole("button", { name: "Continue with Auth0" }).click();
  await expect(page).toHaveURL(/^https:\/\/127\.0\.0\.1:\d+\/interaction\//);
  await page.getByLabel("Email address").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Continue" }).click();
}

test("an Auth0 admin signs in, sees the Admin link, and signs out of ARES and Auth0", async ({
  page,
  request,
  baseURL,
}) => {
  await makeSureSomeoneSignedUpFirst(request, baseURL!);
  await signInWithAuth0(page, AUTH0_USERS.admin);
  await expect(page).toHaveURL(`${baseURL}/`);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByText(AUTH0_USERS.admin.name).filter({ visible: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Admin" })).toBeVisible();
  // The sign-in's state cookies are gone once it is done.
  const cookies = await page.context().cookies();
  expect(cookies.map((cookie) => cookie.name).filter((name) => name.startsWith("auth0:"))).toEqual([]);

  await nav.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${baseURL}/login?reason=signed_out`);
  await expect(page.getByText("You have been signed out.")).toBeVisible();

  // Auth0 forgot the session as well: it asks for the password again instead of signing straight back in.
  await page.getByRole("button", { name: "Continue with Auth0" }).click();
  await expect(page.getByLabel("Password")).toBeVisible();
  await expect(page).toHaveURL(/^https:\/\/127\.0\.0\.1:\d+\/interaction\//);
});

test("an Auth0 user without the admin role gets no Admin link", async ({ page, request, baseURL }) => {
  await makeSureSomeoneSignedUpFirst(request, baseURL!);
  await signInWithAuth0(page, AUTH0_USERS.user);
  await expect(page).toHaveURL(`${baseURL}/`);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByText(AUTH0_USERS.user.name).filter({ visible: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Settings" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);
});
