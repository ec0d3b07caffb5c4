import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareDatabase } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { createApiKey, createOrganisationWithAdmin, issueCliSignInLinks, organisationExists, setupFirstOrganisation } from './modules/accounts';
import { auditedOrganisations, verifyAuditChain } from './platform/audit';
import { SCOPES, type Scope } from './platform/auth';
import { DataDirError, DataDirInUseError, openDatabase, resolveDataDir, type Database } from './platform/db';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  bootstrap --org <name> --email <email> --name <name> [--additional]
      Create the first organisation and its admin (as POST /v1/setup does); prints JSON with the
      admin's token. With --additional, creates a further organisation even if one exists.
  create-api-key --org-id <uuid> --name <name> --scopes <scope,scope>
      Create an organisation API key; prints JSON with the key's token. Scopes: ${SCOPES.join(', ')}.
  sign-in-link --email <email>
      Print a one-time link to sign in to the officer console as the user with that email address
      (one per organisation it belongs to): for a fresh install without email, or an admin locked
      out. Each link works once, for 15 minutes; the audit log records it as issued by the CLI.
  audit verify [--org-id <uuid>]
      Check the audit hash chain of one organisation, or of all; names the first broken row.
      Exits 1 if any chain is broken.

Uses the server's DATABASE_URL or DATA_DIR. The embedded database (DATA_DIR) is open to one process
at a time: while the server runs, stop it first.
`;

export type CliOutput = { out: (text: string) => void; err: (text: string) => void };

/** The CLI's logic, separate from process wiring so tests can run it against a test database. */
export async function runCli({
  argv,
  database,
  now = () => new Date(),
  output,
  publicBaseUrl = 'http://localhost:3000',
}: {
  argv: string[];
  database: Database;
  now?: () => Date;
  output: CliOutput;
  /** Where the links the CLI prints point: the server's PUBLIC_BASE_URL. */
  publicBaseUrl?: string;
}): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      'org-id': { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      additional: { type: 'boolean', default: false },
    },
  });
  const need = (key: keyof typeof values): string => {
    const value = values[key];
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${key} is required`);
    return value;
  };

  switch (command) {
    case 'bootstrap': {
      const input = { db: database.db, now: now(), organisationName: need('org'), adminEmail: need('email'), adminName: need('name') };
      const result = values.additional ? await createOrganisationWithAdmin(input) : await setupFirstOrganisation(input);
      output.out(JSON.stringify(result, null, 2));
      return 0;
    }
    case 'create-api-key': {
      const scopes = need('scopes').split(',').map((s) => s.trim());
      const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (unknown.length > 0) throw new UsageError(`unknown scope(s): ${unknown.join(', ')}`);
      const organisationId = need('org-id');
      if (!(await organisationExists({ db: database.db, id: organisationId }))) throw new UsageError(`no organisation with id ${organisationId}`);
      const result = await createApiKey({
        db: database.db,
        now: now(),
        principal: { kind: 'system', organisationId, name: 'cli' },
        name: need('name'),
        scopes: scopes as Scope[],
      });
      output.out(JSON.stringify(result, null, 2));
      return 0;
    }
    case 'sign-in-link': {
      const email = need('email');
      const links = await issueCliSignInLinks({ db: database.db, now: now(), publicBaseUrl, email });
      if (links.length === 0) {
        output.err(`No active user has the email address ${email.trim()}. Check the address, or create the organisation with "bootstrap".`);
        return 1;
      }
      for (const link of links) output.out(`Sign-in link for ${link.name}, ${link.organisation} (works once, within 15 minutes):\n${link.url}`);
      return 0;
    }
    case 'audit': {
      if (positionals[0] !== 'verify') throw new UsageError('audit takes the subcommand "verify"');
      const organisationIds = values['org-id'] ? [values['org-id']] : await auditedOrganisations({ db: database.db });
      let broken = 0;
      for (const organisationId of organisationIds) {
        const result = await verifyAuditChain({ db: database.db, organisationId });
        if (result.ok) {
          output.out(`ok      ${organisationId}: ${result.checked} events, head ${result.headHash}`);
        } else {
          broken += 1;
          output.out(`BROKEN  ${organisationId}: first broken row seq ${result.firstBroken.seq} (id ${result.firstBroken.id}): ${result.firstBroken.reason}`);
        }
      }
      if (organisationIds.length === 0) output.out('no audit events yet');
      return broken > 0 ? 1 : 0;
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

export class UsageError extends Error {}

/** Commands that read an existing database: run where none is, they would only make an empty one. */
const NEEDS_EXISTING_DATABASE = new Set(['create-api-key', 'audit', 'sign-in-link']);

/** What the CLI says when a server (or another CLI) has the embedded database open. */
function cliRefusal({ error, command }: { error: DataDirInUseError; command: string | undefined }): string {
  const holder = error.holder;
  if (!holder) return error.message;
  const started = `started ${holder.startedAt}${holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`}`;
  if (holder.role !== 'server') return `The embedded database in ${error.directory} is in use by process ${holder.pid} (${holder.role ? `${holder.role}, ` : ''}${started}). Run this command again once it has finished.`;
  const instead =
    command === 'bootstrap' ? ', or create the organisation through the running service (POST /v1/setup with the setup token)'
    : command === 'create-api-key' ? ', or create the key through the running service (POST /v1/api-keys, as an admin)'
    : command === 'sign-in-link' ? ', or ask for a link on the running service\'s sign-in page (/sign-in), which emails it'
    : '';
  return `The embedded database in ${error.directory} is in use by the server (process ${holder.pid}, ${started}). Stop the server, then run this command again${instead}.`;
}

async function main(): Promise<void> {
  const output: CliOutput = { out: (t) => console.log(t), err: (t) => console.error(t) };
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  // The same DATA_DIR as the server's (same variable, same resolution), and never a new empty database by mistake.
  const command = process.argv[2];
  const directory = resolveDataDir(config.dataDir);
  if (!config.databaseUrl && NEEDS_EXISTING_DATABASE.has(command ?? '') && !existsSync(path.join(directory, 'pgdata', 'PG_VERSION'))) {
    console.error(`No embedded database in ${directory} (DATA_DIR): set DATA_DIR to the server's data directory, or DATABASE_URL to its PostgreSQL database.`);
    process.exit(1);
  }
  let database: Database;
  try {
    database = await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      lockRole: 'cli',
      logger: { warn: () => undefined, error: (o, m) => console.error(m, o) },
    });
  } catch (error) {
    if (!(error instanceof DataDirError)) throw error;
    console.error(error instanceof DataDirInUseError ? cliRefusal({ error, command }) : error.message);
    process.exit(1);
  }
  let code = 1;
  try {
    await prepareDatabase({ database });
    code = await runCli({ argv: process.argv.slice(2), database, output, publicBaseUrl: config.publicBaseUrl });
    if (command === 'bootstrap' && code === 0 && !config.databaseUrl) console.error(`Created in the embedded database in ${directory}: start the server with this DATA_DIR.`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      code = 2;
    } else if (error instanceof Error && 'status' in error) {
      console.error(`${(error as { code?: string }).code}: ${error.message}`);
      code = 1;
    } else {
      throw error;
    }
  } finally {
    await database.close();
  }
  process.exit(code);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
