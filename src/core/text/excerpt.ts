/**
 * A value quoted in a message: on one line (control characters shown as spaces) and cut to a
 * few dozen characters, so that a message never carries a file's content or a whole token.
 */
export function excerpt(value: unknown, max = 40): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const text = String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const cut = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, cut)}…`;
}
