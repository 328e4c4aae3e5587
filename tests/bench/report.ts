/** One benchmark figure, printed as one JSON line. */
export function report(bench: string, figure: string, value: number, unit: string, goal: string): void {
  console.log(JSON.stringify({ bench, figure, value: Number(value.toPrecision(4)), unit, goal }));
}
