// What the README's examples take from their hosts beyond the DOM and Node types: Deno's env.
declare const Deno: { env: { get(name: string): string | undefined } };
