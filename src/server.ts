/** Entry point: read the environment, build the app, listen, and close gracefully on signals. */
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from '../fastify.config.js';
import { buildApp } from './app.js';

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const app = await buildApp(config);
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
});
await app.listen({ port: config.port, host: config.host });
const shown = config.publicUrl?.origin ?? `http://${config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host}:${config.port}`;
app.log.info(`hihi is ready at ${shown} (${config.database.kind} + ${app.deps.live.kind} live state)`);
