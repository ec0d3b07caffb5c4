// The service's entry point. Its first line is printed before anything heavy is loaded: loading the
// service's code (fastify, drizzle, PGlite, our modules) takes one to three seconds, and a first start
// should never look hung. start.ts does the rest, printing a line as each later step begins.
process.stdout.write('Starting: loading the service\n');
await import('./start');

export {};
