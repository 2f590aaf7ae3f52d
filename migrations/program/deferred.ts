import * as pulumi from "@pulumi/pulumi";

/**
 * An output whose value is supplied later. The program needs it because services are declared
 * with the engines' addresses before the engines exist: the engines run on the platforms that
 * PlatformServices creates for the services.
 */
export interface Deferred<T> {
  readonly output: pulumi.Output<T>;
  resolve(value: pulumi.Input<T>): void;
  /** Fails every use of the output with this message (so a missing engine never hangs). */
  reject(message: string): void;
  readonly settled: boolean;
}

export function deferred<T>(): Deferred<T> {
  let resolvePromise!: (value: pulumi.Output<T>) => void;
  let rejectPromise!: (error: Error) => void;
  const promise = new Promise<pulumi.Output<T>>((resolve, reject) => {
    resolvePromise = resolve;
    rejectPromise = reject;
  });
  // An unused deferred that is rejected must not become an unhandled rejection.
  promise.catch(() => undefined);
  const state = { settled: false };
  return {
    output: pulumi.output(promise) as unknown as pulumi.Output<T>,
    resolve(value) {
      state.settled = true;
      resolvePromise(pulumi.output(value) as pulumi.Output<T>);
    },
    reject(message) {
      state.settled = true;
      rejectPromise(new Error(message));
    },
    get settled() {
      return state.settled;
    },
  };
}
