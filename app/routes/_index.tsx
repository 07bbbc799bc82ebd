import type { MetaFunction } from "@remix-run/node";

export const meta: MetaFunction = () => [{ title: "ARES — your personal assistant" }];

export default function Home() {
  return (
    <section className="home">
      <h1>ARES</h1>
      <p className="lead">
        A personal assistant that runs on your own machine: conversations with the model of your choice and a calendar
        it can keep for you.
      </p>
    </section>
  );
}
