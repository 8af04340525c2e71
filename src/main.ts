/** Starts the bot from the environment; stops gracefully on SIGTERM / SIGINT. */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, defaultDestination } from './logger.js';

try {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel, defaultDestination(process.stdout, { NO_COLOR: process.env.NO_COLOR }));
  const app = await buildApp(config, { log });
  await app.listen();
  const shutdown = async (signal: string) => {
    // At every LOG_LEVEL: whoever stopped the bot sees that it heard.
    log.child({}, { level: 'info' }).info(`${signal}: shutting down`);
    await app.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
}
