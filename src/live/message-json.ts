/**
 * Reading a stored message's JSON without parsing it. Messages are stored as `JSON.stringify`
 * of a message without its room, so its keys come in the protocol's order: `{"id":…,"ts":…,
 * "user":{"id":…,"name":"…"},"body":…}`; ids and times are digits, so the first `"user":{"id":`
 * is the author's.
 */
const AUTHOR = Buffer.from('"user":{"id":');
const NAME = Buffer.from(',"name":');

/** A stored message's author id, and where the JSON string of the stored name starts. */
export interface StoredAuthor {
  id: number;
  nameAt: number;
}

/** The author of a stored message; null if not found. */
export function storedAuthor(json: Buffer): StoredAuthor | null {
  let i = json.indexOf(AUTHOR);
  if (i < 0) return null;
  i += AUTHOR.length;
  let id = 0;
  const start = i;
  for (let c = json[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = json[++i]) id = id * 10 + (c - 0x30);
  if (i === start || json.compare(NAME, 0, NAME.length, i, i + NAME.length) !== 0) return null;
  return { id, nameAt: i + NAME.length };
}

/** Whether the stored name at `nameAt` is `nameJson` (a JSON string literal, quotes included). */
export function storedNameIs(json: Buffer, nameAt: number, nameJson: Buffer): boolean {
  // A literal is read to its first unescaped quote: equal bytes up to the candidate's closing
  // quote are the same literal.
  return json.compare(nameJson, 0, nameJson.length, nameAt, nameAt + nameJson.length) === 0;
}
