// CPU time of a process in nanoseconds, from /proc/PID/task/*/schedstat (the first field of each
// thread's line is the time it ran, in ns; /proc/PID/stat counts 10 ms ticks, too coarse for a
// batch). Works in Node and in Deno (node:fs). Threads that ended during a batch drop out of the
// sum, so batches compare like with like only when taken in turns; callers take medians of turns.
import { readdirSync, readFileSync } from "node:fs";

export function cpuNs(pid = "self") {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The spread of samples as "min-max (n)", for the tables. */
export function spread(xs, digits = 0) {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0].toFixed(digits)}-${s[s.length - 1].toFixed(digits)} (n=${s.length})`;
}

let sink = 0;
/** Busy work: `iterations` rounds of integer mixing, the same code as the benchmark Worker's. */
export function burn(iterations) {
  let x = sink | 1;
  for (let i = 0; i < iterations; i++) x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i;
  sink = x;
}
