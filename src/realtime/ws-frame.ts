/**
 * A complete WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked as server frames
 * are, with the 7-, 16- or 64-bit length). The hub frames each room event once and every
 * socket of the room gets the same bytes: `ws.send` would build a header per socket and write
 * two chunks where one does.
 */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81;
  if (head === 2) frame[1] = n;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  payload.copy(frame, head);
  return frame;
}
