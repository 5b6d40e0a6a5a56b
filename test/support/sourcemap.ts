/**
 * A small decoder for source map v3 `mappings` (base64 VLQ), enough for tests to ask "which
 * source line does this generated line come from" without a source-map library.
 */

export interface Segment {
  /** 0-based column in the generated line. */
  readonly generatedColumn: number;
  /** Index into the map's `sources`, when the segment points at a source. */
  readonly source?: number;
  /** 0-based line in that source. */
  readonly sourceLine?: number;
  /** 0-based column in that source. */
  readonly sourceColumn?: number;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The signed integers of one VLQ segment. */
export function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = BASE64.indexOf(ch);
    if (digit < 0) throw new Error(`not a base64 VLQ digit: ${JSON.stringify(ch)} in ${JSON.stringify(segment)}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  if (shift !== 0) throw new Error(`unterminated VLQ segment ${JSON.stringify(segment)}`);
  return values;
}

/**
 * Decodes `mappings` into segments per generated line (index = 0-based generated line). Fields
 * are relative to the previous segment (the generated column only within its line), as the
 * format specifies.
 */
export function decodeMappings(mappings: string): Segment[][] {
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  return mappings.split(";").map((line) => {
    let generatedColumn = 0;
    const segments: Segment[] = [];
    for (const text of line.split(",")) {
      if (!text) continue;
      const v = decodeVlq(text);
      generatedColumn += v[0]!;
      if (v.length >= 4) {
        source += v[1]!;
        sourceLine += v[2]!;
        sourceColumn += v[3]!;
        segments.push({ generatedColumn, source, sourceLine, sourceColumn });
      } else {
        segments.push({ generatedColumn });
      }
    }
    return segments;
  });
}
