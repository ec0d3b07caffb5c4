import { readFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');

export type Instruction = { keyword: string; args: string };
export type Stage = { from: string; name: string | undefined; instructions: Instruction[] };

/**
 * Our Dockerfile as stages of instructions: comments dropped, continuation lines joined. Enough of
 * the format for the one file this project writes (no parser directives, heredocs or ARG in FROM).
 */
export function readDockerfile(file = path.join(root, 'Dockerfile')): Stage[] {
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*\S)\s*$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.replace(/\s+/g, ' ');
    if (keyword === 'FROM') {
      const [from, as, name] = args.split(' ');
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} before FROM`);
      stage.instructions.push({ keyword, args });
    }
  }
  return stages;
}

/** The value of an exec-form (JSON array) instruction, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((part) => typeof part === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Every `ENV` of a stage as one record (`ENV A=1 B=2` form only). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const pair of args.split(' ')) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`ENV not in KEY=value form: ${args}`);
      env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return env;
}

/** `COPY [--from=stage] <source>... <destination>`: what the stage takes, and from where. */
export function copiesOf(stage: Stage): Array<{ from: string | undefined; sources: string[]; destination: string }> {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map(({ args }) => {
      const parts = args.split(' ');
      const flags = parts.filter((p) => p.startsWith('--'));
      const paths = parts.filter((p) => !p.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
    });
}

/** `HEALTHCHECK [--option=value]... CMD [...]`: its options and exec-form command. */
export function healthcheckOf(stage: Stage): { options: Record<string, string>; command: string[] } | undefined {
  const instruction = stage.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  if (!instruction) return undefined;
  const match = /^((?:--[a-z-]+=\S+ )*)CMD (.*)$/.exec(instruction.args);
  if (!match) throw new Error(`HEALTHCHECK not in exec form: ${instruction.args}`);
  const options = Object.fromEntries(match[1]!.trim().split(' ').filter(Boolean).map((o) => o.slice(2).split('=') as [string, string]));
  const command = execForm(match[2]!);
  if (!command) throw new Error(`HEALTHCHECK CMD not in exec form: ${match[2]}`);
  return { options, command };
}
