/**
 * Saving an edit of a fact deleted meanwhile (in another tab, on another device) loses nothing: the
 * memory page says the fact is gone, no longer lists it, and has what was typed in its add form, JS on
 * and off. Deleting it again there says it is already gone.
 */
import { expect, test } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { expectNotice, signUp, untilInteractive } from "./support/session";

test("an edit of a fact deleted in another tab can be added again with what was typed", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await page.goto("/memory");
  await untilInteractive(page);
  const add = page.getByRole("form", { name: "Add a fact" });
  await add.getByLabel("Key").fill("employer");
  await add.getByLabel("Value").fill("Acme Ltd");
  await add.getByRole("button", { name: "Add fact" }).click();
  await expectNotice(page, "Fact saved.");
  const fact = page.getByTestId("fact");
  await expect(fact).toContainText("employer: Acme Ltd");

  await fact.getByRole("link", { name: "Edit" }).click();
  await expect(page).toHaveURL(/\?edit=/);
  await untilInteractive(page);
  await fact.getByLabel("Kind").selectOption("professional");
  await fact.getByLabel("Value").fill("Initech, since May");
  // Deleted elsewhere while the form is open.
  await withE2eDatabase(baseURL!, (client) =>
    client.query(`DELETE FROM "MemoryFact" WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [email]),
  );
  await fact.getByRole("button", { name: "Save" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Memory" })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("That fact was deleted (in another tab?)");
  await expect(page.getByTestId("fact")).toHaveCount(0);
  await expect(add.getByLabel("Kind")).toHaveValue("professional");
  await expect(add.getByLabel("Key")).toHaveValue("employer");
  await expect(add.getByLabel("Value")).toHaveValue("Initech, since May");
  await add.getByRole("button", { name: "Add fact" }).click();
  await expectNotice(page, "Fact saved.");
  await expect(page.getByTestId("fact")).toContainText("professional · employer: Initech, since May");

  // Deleted in another tab, then Delete here: the page says it is gone already.
  await withE2eDatabase(baseURL!, (client) =>
    client.query(`DELETE FROM "MemoryFact" WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [email]),
  );
  await page.getByTestId("fact").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Memory" })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("That fact was already deleted.");
  await expect(page.getByTestId("fact")).toHaveCount(0);
});
