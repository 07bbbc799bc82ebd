import { ScrollBox } from "~/components/scroll-box";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { tokenBudgetFor, usageByLocalDay, usageHistory } from "~/chat/usage.server";

export const meta: MetaFunction = () => [{ title: "Usage · Settings · ARES" }];

const DAYS = 30;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  // Days in the person's time zone; the budget counts UTC days (quota.server.ts), so "today" for it is UTC's.
  const [rows, budgetRows, budget] = await Promise.all([
    usageByLocalDay(user.id, user.timeZone, DAYS),
    usageHistory(user.id, 1),
    tokenBudgetFor(user.id),
  ]);
  const usedToday = budgetRows.reduce((sum, row) => sum + row.promptTokens + row.completionTokens, 0);
  const byModel = new Map<string, { requests: number; tokens: number; cost: number }>();
  for (const row of rows) {
    const tokens = row.promptTokens + row.completionTokens;
    const key = `${row.provider} · ${row.model}`;
    const total = byModel.get(key) ?? { requests: 0, tokens: 0, cost: 0 };
    byModel.set(key, {
      requests: total.requests + row.requests,
      tokens: total.tokens + tokens,
      cost: total.cost + row.cost,
    });
  }
  return {
    budget,
    usedToday,
    timeZone: user.timeZone,
    days: rows.map((row) => ({
      day: row.day.toISOString().slice(0, 10),
      model: `${row.provider} · ${row.model}`,
      requests: row.requests,
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      cost: row.cost,
    })),
    models: [...byModel].map(([model, total]) => ({ model, ...total })),
  };
}

const number = (value: number) => value.toLocaleString("en");
const money = (value: number) => (value > 0 ? `$${value.toFixed(4)}` : "—");

export default function Usage() {
  const { budget, usedToday, timeZone, days, models } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <h2>Usage</h2>
      <p>
        Today (UTC): <strong>{number(usedToday)}</strong> tokens
        {budget > 0 ? ` of your daily budget of ${number(budget)}.` : " (no daily budget)."}
      </p>
      {days.length === 0 ? (
        <p className="muted">No replies in the last {DAYS} days.</p>
      ) : (
        <>
          <h3>By model, last {DAYS} days</h3>
          <ScrollBox label="Usage by model">
            <table className="data">
              <thead>
                <tr>
                  <th>Model</th>
                  <th>Replies</th>
                  <th>Tokens</th>
                  <th>Cost</th>
                </tr>
              </thead>
              <tbody>
                {models.map((row) => (
                  <tr key={row.model}>
                    <td>{row.model}</td>
                    <td>{number(row.requests)}</td>
                    <td>{number(row.tokens)}</td>
                    <td>{money(row.cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          <h3>By day ({timeZone})</h3>
          <ScrollBox label="Usage by day">
            <table className="data">
              <thead>
                <tr>
                  <th>Day</th>
                  <th>Model</th>
                  <th>Replies</th>
                  <th>Prompt tokens</th>
                  <th>Reply tokens</th>
                  <th>Cost</th>
                </tr>
              </thead>
              <tbody>
                {days.map((row) => (
                  <tr key={`${row.day}-${row.model}`}>
                    <td>{row.day}</td>
                    <td>{row.model}</td>
                    <td>{number(row.requests)}</td>
                    <td>{number(row.promptTokens)}</td>
                    <td>{number(row.completionTokens)}</td>
                    <td>{money(row.cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        </>
      )}
    </section>
  );
}
