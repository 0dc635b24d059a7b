/**
 * Passwords of 8+ characters that top every leaked-password list (English and Chinese users).
 * Not exhaustive: it stops the guesses an attacker tries first.
 */
export const COMMON_PASSWORDS = new Set([
  'password', 'password1', 'password12', 'password123', 'password1234', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'passwort',
  '12345678', '123456789', '1234567890', '0123456789', '87654321', '987654321', '9876543210', '12341234', '11223344',
  '123123123', '123321123', '12344321', '147258369', '159357456', '741852963', '11111111', '00000000', '22222222',
  '66666666', '88888888', '99999999', '12121212', '11112222', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', '1qazxsw2', 'zaq12wsx',
  'qwertyui', 'qwertyuiop', 'qwerty12', 'qwerty123', 'qwerty1234', 'asdfghjk', 'asdfghjkl', 'asdf1234', 'zxcvbnm1',
  'zxcvbnm123', 'abc12345', 'abcd1234', 'abcdefgh', 'a1234567', 'a12345678', 'aa123456', 'aa12345678', 'qq123456',
  'q1w2e3r4', 'iloveyou', 'iloveyou1', 'sunshine', 'princess', 'football', 'baseball', 'basketball', 'welcome1',
  'welcome123', 'letmein1', 'trustno1', 'superman', 'starwars', 'whatever', 'dragon12', 'changeme', 'monkey12',
  'michelle', 'jennifer', 'computer', 'corvette', 'mercedes', 'internet', 'admin123', 'admin1234', 'administrator',
  'root1234', 'test1234', 'testtest', 'guest123', 'master12', 'shadow12', 'football1', 'charlie1', 'jordan23',
  'woaini1314', 'woaini520', '5201314520', '1314520520', 'wang1234', 'zhang123', 'li123456', 'asd123456', 'qwe123456',
  'zxc123456', 'abc123456', 'aini1314', 'woaiwojia', 'iloveyou520', 'hihi1234', 'hihihihi', 'chatroom', 'letmein123',
]);

/** Refused: a listed password, the username plus a few characters, or one or two characters repeated. */
export function isWeakPassword(password: string, username?: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return true;
  const name = username?.toLowerCase();
  if (name && name.length >= 2 && lower.includes(name) && lower.replace(name, '').length < 6) return true;
  return new Set(password).size <= 2;
}
