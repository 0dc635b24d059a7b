/**
 * Calls one function with one argument in a worker thread and posts back the result, so a test's
 * own timeout can stop a call that would block the event loop for minutes. The function is the
 * export `name` of the TypeScript `module` (loaded through tsx), or declared by the script `source`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { module, source, name, arg } = workerData;
const fn = module ? (await tsImport(module, import.meta.url))[name] : new Function(`${source}; return ${name};`)();
parentPort.postMessage(fn(arg));
