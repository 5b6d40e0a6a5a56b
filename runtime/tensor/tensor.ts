/**
 * A small tensor: Float64Array storage, a shape, row-major strides. Tensors are values: no
 * operation writes into its inputs. The operations are functions (runtime/tensor/ops.ts), one
 * style throughout, so that the transformer can resolve each by its symbol and use its rules.
 */

export type Shape = readonly number[];

/**
 * An n-dimensional array of numbers, differentiable in tsgrad code.
 * @tsgradType tensor
 */
export class Tensor {
  readonly data: Float64Array;
  readonly shape: Shape;
  readonly strides: Shape;

  constructor(data: Float64Array, shape: Shape) {
    const size = sizeOf(shape);
    if (data.length !== size)
      throw new Error(`tensor: data of length ${data.length} does not fit shape [${shape.join(", ")}] (size ${size})`);
    this.data = data;
    this.shape = shape;
    this.strides = stridesOf(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  /** Nested arrays with the tensor's shape (a number for a 0-d tensor). */
  toArray(): unknown {
    const build = (axis: number, offset: number): unknown => {
      if (axis === this.shape.length) return this.data[offset]!;
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(build(axis + 1, offset + i * this.strides[axis]!));
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${JSON.stringify(this.toArray())}, [${this.shape.join(", ")}])`;
  }
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`tensor: invalid dimension ${d} in shape [${shape.join(", ")}]`);
    n *= d;
  }
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export const describeShape = (s: Shape): string => `[${s.join(", ")}]`;

/** What tensor operations accept: a tensor, or a number (a tensor of rank 0). */
export type TensorLike = Tensor | number;

export const asTensor = (x: TensorLike): Tensor => (typeof x === "number" ? new Tensor(Float64Array.of(x), []) : x);
