import { randomBytes } from 'node:crypto';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app';
import { prepareDatabase } from './bootstrap';
import { ConfigError, loadConfig, type Config } from './config';
import { isSetupComplete } from './modules/accounts';
import { openDatabase, resolveDataDir } from './platform/db';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  // Without SETUP_TOKEN a one-time random one is made; it is only ever useful until the first organisation exists.
  const generatedSetupToken = config.setupToken ? undefined : randomBytes(24).toString('base64url');
  config = { ...config, setupToken: config.setupToken ?? generatedSetupToken };

  const startupLog = { info: (msg: string) => process.stdout.write(`${msg}\n`), warn: (msg: string) => process.stderr.write(`Warning: ${msg}\n`) };
  // One line as each start-up step begins, so a slow first start says what it is doing instead of looking hung.
  const step = (line: string) => startupLog.info(`Starting: ${line}`);
  if (config.databaseUrl) step('connecting to PostgreSQL (DATABASE_URL)');
  const database = await openDatabase({
    progress: step,
    url: config.databaseUrl,
    dataDir: config.dataDir,
    lockRole: 'server',
    poolMax: config.dbPoolMax,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    logger: { warn: (o, m) => console.error(m, o), error: (o, m) => console.error(m, o) },
  });
  step('applying database migrations and the built-in questionnaires');
  await prepareDatabase({ database });

  step('building the routes, pages and API description');
  const app = await buildApp({ config, database });
  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close(); // stops accepting, waits for in-flight requests
    await database.close();
  });

  for (const warning of config.warnings) startupLog.warn(warning);
  const setupNeeded = !(await isSetupComplete({ db: database.db }));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.log.info({ database: database.kind }, `database: ${database.kind === 'embedded' ? `embedded PGlite in ${resolveDataDir(config.dataDir)}` : 'PostgreSQL (DATABASE_URL)'}`);
  if (setupNeeded) {
    const token = config.setupToken;
    // The browser's way first: the /setup page takes the same token and ends signed in as the first admin.
    startupLog.info(
      generatedSetupToken
        ? `No organisation yet. Setup token (valid until setup is done): ${token}\n  Set up the service in your browser, with that token: ${config.publicBaseUrl}/setup\n  or over the API: curl -X POST ${config.publicBaseUrl}/v1/setup -H 'X-Setup-Token: ${token}' -H 'Content-Type: application/json' -d '{"organisationName":"Example Council","adminEmail":"you@example.gov.uk","adminName":"Your Name"}'`
        : `No organisation yet. Set up the service in your browser at ${config.publicBaseUrl}/setup with the SETUP_TOKEN you configured (or POST /v1/setup with it in X-Setup-Token).`,
    );
  }
  startupLog.info(`AI due diligence service listening on http://${config.host}:${port} (API docs: ${config.publicBaseUrl}/docs), ready ${process.uptime().toFixed(1)} s after the process started`);
}

main().catch((error) => {
  console.error('Failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
