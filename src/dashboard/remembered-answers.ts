import type { SeriesMatcher } from "../common/series-pattern";

/** Series keys a dashboard's groups remember answers for (it keeps at most 1,000 series). */
export const REMEMBERED_SERIES = 2048;

/**
 * Each group's answer for each series, so a frame costs a group one lookup per series
 * instead of its patterns' matching: a glob reads every character of a key, and a thousand
 * subscriptions of globs would otherwise match every series of every frame again. Keys get
 * small numbers shared by all groups, and a group keeps one byte per number (1 KiB-2 KiB
 * per group, however many series its frames carry); once more keys than that have been
 * seen (series come and go), every answer is forgotten and found again.
 */
export class RememberedAnswers {
  private readonly numbers = new Map<string, number>();
  /** Bumped whenever the numbers start again, so groups know their answers are stale. */
  private generation = 0;

  /** `matcher`, asked at most once per series key until the numbers start again. */
  remembering(matcher: SeriesMatcher): SeriesMatcher {
    const answers = new Uint8Array(REMEMBERED_SERIES);
    let generation = this.generation;
    return (series) => {
      const number = this.numberOf(series.key);
      if (generation !== this.generation) {
        answers.fill(0);
        generation = this.generation;
      }
      // 0: not asked yet, 1: no, 2: yes.
      let answer = answers[number]!;
      if (answer === 0) answers[number] = answer = matcher(series) ? 2 : 1;
      return answer === 2;
    };
  }

  private numberOf(key: string): number {
    let number = this.numbers.get(key);
    if (number === undefined) {
      if (this.numbers.size >= REMEMBERED_SERIES) {
        this.numbers.clear();
        this.generation++;
      }
      this.numbers.set(key, (number = this.numbers.size));
    }
    return number;
  }
}
