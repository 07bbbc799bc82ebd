import { Link } from "@remix-run/react";

/** A reset link's page that opens no form: why, and the way to sign in. */
export function ResetPasswordProblem({ problem }: { problem: string }) {
  return (
    <section className="auth-page card">
      <h1>Set a new password</h1>
      <p className="notice" role="alert">
        {problem}
      </p>
      <p>
        <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}
