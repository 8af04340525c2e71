/** Starts the bot from the environment; stops gracefully on SIGTERM / SIGINT. */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

try {
  const config = loadConfig(process.env);
  const app = await buildApp(config);
  await app.listen();
  const shutdown = async (signal: string) => {
    process.stdout.write(JSON.stringify({ level: 30, msg: `${signal}: shutting down` }) + '\n');
    await app.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
}
