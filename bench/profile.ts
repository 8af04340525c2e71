/** Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by source (package or file), and
 * inclusive time of the functions matching --focus. Usage: tsx bench/profile.ts FILE [--top=25] [--focus=regex] */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'))!;
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
const focus = args.find((a) => a.startsWith('--focus='))?.slice(8);
const callers = args.find((a) => a.startsWith('--callers='))?.slice(10);
/** Only the samples between these seconds after the profile's start (e.g. the measured phase). */
const from = Number(args.find((a) => a.startsWith('--from='))?.slice(7) ?? 0) * 1e6;
const to = Number(args.find((a) => a.startsWith('--to='))?.slice(5) ?? Infinity) * 1e6;
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
let clock = 0;
for (const [i, id] of p.samples.entries()) {
  clock += p.timeDeltas[i] ?? 0;
  if (clock >= from && clock <= to) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const source = (url: string) => {
  if (!url) return '(native/vm)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/\/work\/main\//, '');
};
const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${source(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const fnSelf = new Map<string, number>();
const srcSelf = new Map<string, number>();
for (const [id, ms] of self) {
  const n = byId.get(id)!;
  add(fnSelf, label(n), ms);
  add(srcSelf, source(n.callFrame.url), ms);
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`${file}: ${total.toFixed(0)} ms sampled`);
print('self time by source', srcSelf);
print('self time by function', fnSelf);

if (focus) {
  // Inclusive time: a sample counts once for every distinct matching frame on its stack.
  const re = new RegExp(focus);
  const incl = new Map<string, number>();
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (re.test(l) && !seen.has(l)) {
        seen.add(l);
        add(incl, l, ms);
      }
    }
  }
  print(`inclusive time of frames matching /${focus}/`, incl);
}

if (callers) {
  // Where the time of the leaf frames matching --callers comes from: their 4 nearest JS callers.
  const re = new RegExp(callers);
  const chains = new Map<string, number>();
  for (const [id, ms] of self) {
    const leaf = byId.get(id)!;
    if (!re.test(label(leaf))) continue;
    const chain: string[] = [];
    for (let cur = parent.get(id); cur !== undefined && chain.length < 4; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (n.callFrame.url) chain.push(label(n));
    }
    add(chains, chain.join(' < '), ms);
  }
  print(`callers of /${callers}/`, chains);
}
