// Messages about files, shared by the readers. They name files and sizes, never their content.

export function tooLargeMessage(size: number, max: number, what = 'for metadata files'): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const hint = what === 'for metadata files' ? "; split it with 'include'" : '';
  return `The file is ${mb(size)}, over the ${mb(max)} limit ${what}${hint}.`;
}
