/**
 * The machine-readable last line of a benchmark, which `npm run bench` (scripts/bench.ts) collects into
 * docs/benchmarks.md:
 *   BENCH {"script":"memory","figures":[{"name":"idle RSS","value":93.1,"unit":"MB","target":"≤ 200 MB","pass":true}]}
 * `pass` is null for a figure printed for context, without a target of its own.
 */
export type BenchFigure = { name: string; value: number; unit: string; target: string | null; pass: boolean | null };

export function printBenchSummary(script: string, figures: BenchFigure[]): void {
  const rounded = figures.map((figure) => ({ ...figure, value: Number(figure.value.toFixed(3)) }));
  console.log(`BENCH ${JSON.stringify({ script, figures: rounded })}`);
}
