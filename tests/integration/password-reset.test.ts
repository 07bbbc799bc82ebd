/**
 * An operator's password reset (`npm run user:password`) on real PostgreSQL: the new password is judged as a
 * chosen one is, every session and known-device cookie of the account ends, a sign-in under way with the old
 * password gets nothing, and the audit log records it. The script itself runs as an operator would run it.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generatePassword, resetPasswordAsOperator } from "~/admin/password-reset.server";
import { authenticateWithPassword } from "~/auth/accounts.server";
import { deviceCookieHeader, knownDeviceId } from "~/auth/device-cookie.server";
import { isWeakPassword } from "~/auth/password-strength.server";
import { signInWithPassword, startSession } from "~/auth/sign-in.server";
import { prisma } from "~/db/db.server";
import { resolveSession } from "~/sessions/sessions.server";
import { makeSession, makeUser, origin } from "../support/accounts";

const oldPassword = "correct horse battery staple";
const newPassword = "a whole new passphrase for spring";
const root = path.resolve(import.meta.dirname, "../..");

/** `npm run user:password -- …` as an operator runs it (the script behind it), with `stdin` piped in. */
function userPassword(args: string[], stdin = "", env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/user-password.ts", ...args], {
    cwd: root,
    input: stdin,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: process.env.DATABASE_URL!,
      ...env,
    } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
}

describe("resetting a password as the operator", () => {
  it("sets the new password and ends every session and known-device cookie of the account, audited", async () => {
    const person = await makeUser({ password: oldPassword, name: "Ada" });
    const sessions = [await makeSession(person.id), await makeSession(person.id)];
    const device = deviceCookieHeader(person.email, 0).split(";")[0]!;
    // A sign-in that has checked the old password and not yet written its session.
    const checked = await authenticateWithPassword(person.email, oldPassword);
    if (!checked.ok) throw new Error("expected the old password to check out");

    expect(await resetPasswordAsOperator(person.email.toUpperCase(), newPassword, "root@server")).toEqual({
      ok: true,
      email: person.email,
      sessionsEnded: 2,
    });
    for (const secret of sessions) expect((await resolveSession(secret)).ended).toBe("revoked");
    expect(await knownDeviceId(device, person.email)).toBeUndefined();
    expect(await startSession(checked.user, "password", false, origin, checked.generation)).toBeNull();
    expect(await signInWithPassword(person.email, oldPassword, false, origin)).toEqual({ ok: false });
    expect((await signInWithPassword(person.email, newPassword, false, origin)).ok).toBe(true);
    expect(
      await prisma.auditEvent.findMany({ where: { action: "password.reset", targetId: person.id } }),
    ).toMatchObject([
      {
        actorId: null,
        targetType: "user",
        targetId: person.id,
        outcome: "success",
        details: { via: "cli", operator: "root@server", sessionsEnded: 2 },
      },
    ]);
  });

  it("refuses a weak or short password, or one built from the person's email or name, and changes nothing", async () => {
    const person = await makeUser({ password: oldPassword, email: "grace.hopper@navy.example", name: "Grace" });
    const session = await makeSession(person.id);
    for (const weak of ["password1234", "aaaaaaaaaaaaaaaa", "short pass", "grace.hopper.navy"]) {
      expect(await resetPasswordAsOperator(person.email, weak, "root@server")).toMatchObject({
        ok: false,
        reason: "invalid_password",
      });
    }
    expect((await resolveSession(session)).user?.id).toBe(person.id);
    expect((await authenticateWithPassword(person.email, oldPassword)).ok).toBe(true);
    expect(await prisma.auditEvent.count({ where: { action: "password.reset", targetId: person.id } })).toBe(0);
  });

  it("answers an unknown email with a message naming it", async () => {
    expect(await resetPasswordAsOperator("nobody@example.test", newPassword, "root@server")).toEqual({
      ok: false,
      reason: "unknown_email",
      message: "No account has the email nobody@example.test.",
    });
  });

  it("generates passwords that pass the strength check and differ each time", () => {
    const generated = Array.from({ length: 20 }, generatePassword);
    expect(new Set(generated).size).toBe(20);
    for (const password of generated) {
      expect(password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
      expect(isWeakPassword(password)).toBe(false);
    }
  });
});

describe("npm run user:password", () => {
  it("reads the new password from stdin, prints nothing on stdout, and ends the sessions", async () => {
    const person = await makeUser({ password: oldPassword });
    const session = await makeSession(person.id);
    const run = userPassword([person.email, "--password-stdin"], `${newPassword}\n`);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`Reset the password of ${person.email}; 1 session(s) signed out`);
    expect((await authenticateWithPassword(person.email, newPassword)).ok).toBe(true);
    expect((await resolveSession(session)).ended).toBe("revoked");
  });

  it("without --password-stdin generates one and prints it, alone, once", async () => {
    const person = await makeUser({ password: oldPassword });
    const run = userPassword([person.email]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect((await authenticateWithPassword(person.email, lines[0]!)).ok).toBe(true);
    expect((await authenticateWithPassword(person.email, oldPassword)).ok).toBe(false);
  });

  it("says so in one sentence, not a stack trace, when a running ARES holds the embedded database", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-busy-cli-"));
    // This test's own process stands for the running server holding the folder.
    fs.writeFileSync(path.join(dataDir, "ares.lock"), String(process.pid));
    try {
      const run = userPassword(["someone@example.test"], "", { DATABASE_URL: "", ARES_DATA_DIR: dataDir });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`The embedded database in ${dataDir} is already in use by process ${process.pid}`);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout).toBe("");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses with LOCAL_LOGIN=false (a password signs no one in), changing nothing", async () => {
    const person = await makeUser({ password: oldPassword });
    const run = userPassword([person.email], "", {
      LOCAL_LOGIN: "false",
      AUTH0_DOMAIN: "idp.example.test",
      AUTH0_CLIENT_ID: "client",
      AUTH0_CLIENT_SECRET: "client-secret-for-the-test-0123456789",
    });
    expect(run.stderr).toContain("Password sign-in is turned off on this server (LOCAL_LOGIN=false)");
    expect(run.stdout).toBe("");
    expect(run.status).toBe(1);
    expect((await authenticateWithPassword(person.email, oldPassword)).ok).toBe(true);
  });

  it("with --password-stdin refuses a terminal (it would show the password as typed) and says to pipe it", async () => {
    const person = await makeUser({ password: oldPassword });
    // `script` gives the command a terminal for its stdin.
    const command = `${process.execPath} --import tsx scripts/user-password.ts ${person.email} --password-stdin`;
    const run = spawnSync("script", ["-qec", command, "/dev/null"], {
      cwd: root,
      input: "",
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: process.env.DATABASE_URL!,
      } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.stdout).toContain("--password-stdin reads a pipe, not the terminal");
    expect(run.status).toBe(2);
    expect((await authenticateWithPassword(person.email, oldPassword)).ok).toBe(true);
  });

  it("refuses a password on the command line, a weak one on stdin, and an unknown email, changing nothing", async () => {
    const person = await makeUser({ password: oldPassword });
    const onArgv = userPassword([person.email, newPassword]);
    expect(onArgv.status).toBe(2);
    expect(onArgv.stderr).toContain("pass the password on stdin with --password-stdin");
    const weak = userPassword([person.email, "--password-stdin"], "password1234\n");
    expect(weak.status).toBe(2);
    expect(weak.stderr).toContain("password: That password is too easy to guess");
    const unknown = userPassword(["nobody@example.test"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toBe("");
    expect((await authenticateWithPassword(person.email, oldPassword)).ok).toBe(true);
    expect(await prisma.auditEvent.count({ where: { action: "password.reset", targetId: person.id } })).toBe(0);
  });
});
