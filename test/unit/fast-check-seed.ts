// Every property test run draws a fresh seed; it is printed so that a failure (or a run that
// never ends) can be replayed exactly with FC_SEED=<seed>.
import fc from "fast-check";

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 0x100000000);
fc.configureGlobal({ seed });
process.stderr.write(`fast-check seed ${seed} (replay with FC_SEED=${seed})\n`);
