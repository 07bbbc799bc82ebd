import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

export const meta: MetaFunction = () => [{ title: "ARES — your personal assistant" }];

export function loader({ context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  return { greeting: user ? (user.name ?? user.email) : null };
}

export default function Home() {
  const { greeting } = useLoaderData<typeof loader>();
  return (
    <section className="home">
      <h1>ARES</h1>
      {greeting ? (
        <p className="lead">Welcome back, {greeting}.</p>
      ) : (
        <>
          <p className="lead">
            A personal assistant that runs on your own machine: conversations with the model of your choice and a
            calendar it can keep for you.
          </p>
          <p className="actions">
            <Link className="button" to="/login">
              Sign in
            </Link>{" "}
            <Link className="button secondary" to="/signup">
              Create an account
            </Link>
          </p>
        </>
      )}
    </section>
  );
}
