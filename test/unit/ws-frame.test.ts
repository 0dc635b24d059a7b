/**
 * The hub writes frames it built itself (realtime/ws-frame.ts) straight to the TCP stream; a
 * real `ws` client must read each as the text message it carries, at every length encoding.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { textFrame } from '../../src/realtime/ws-frame.js';

test('textFrame: a ws client reads every length form (7-, 16- and 64-bit) as the same text', async () => {
  // 0 and 125: 7-bit length; 126 and 65,535: 16-bit; 65,536 and 70,000: 64-bit. Multi-byte UTF-8 too.
  const texts = [0, 1, 125, 126, 65_535, 65_536, 70_000].map((n) => 'x'.repeat(n)).concat(['héllo 你好 👋']);
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (ws) => {
    const socket = (ws as WebSocket & { _socket: Socket })._socket;
    for (const t of texts) socket.write(textFrame(Buffer.from(t)));
  });
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`, { perMessageDeflate: false });
  try {
    const got = await new Promise<Array<{ text: string; binary: boolean }>>((resolve, reject) => {
      const seen: Array<{ text: string; binary: boolean }> = [];
      client.on('error', reject);
      client.on('close', (code) => reject(new Error(`closed ${code} after ${seen.length} frames`)));
      client.on('message', (data: Buffer, binary) => {
        seen.push({ text: data.toString('utf8'), binary });
        if (seen.length === texts.length) resolve(seen);
      });
    });
    assert.deepEqual(got.map((g) => g.binary), texts.map(() => false));
    assert.deepEqual(got.map((g) => g.text), texts);
  } finally {
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});
