/**
 * With JS, Edit on a suggestion opens its form in place (a change of query only, which moves no focus by
 * itself): focus goes to the form's Key field, as it would for a form that opened on a page of its own.
 */
import { expect, test } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { signUp, untilInteractive } from "./support/session";

test("Edit on a suggestion puts focus in its Key field", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await withE2eDatabase(baseURL!, (client) =>
    client.query(
      `INSERT INTO "MemoryProposal" (id, "userId", type, kind, key, value, confidence, importance)
       SELECT $2, id, 'fact', 'personal', 'home_city', 'Leeds', 0.9, 3 FROM "User" WHERE email = $1`,
      [email, `seedproposal${Date.now().toString(36)}`],
    ),
  );
  await page.goto("/memory");
  await untilInteractive(page);
  await page.getByRole("link", { name: "Edit “home_city: Leeds”" }).click();
  await expect(page).toHaveURL(/\?review=/);
  const key = page.getByTestId("proposal").getByRole("textbox", { name: "Key" });
  await expect(key).toHaveValue("home_city");
  await expect(key).toBeFocused();
});
