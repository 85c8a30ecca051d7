// Which characters Python's repr() writes as they are and which it escapes: str.isprintable() of
// CPython 3.11 (its Unicode database is 14.0.0), the Python the differential tests pin. It is a
// table, not JavaScript's \p{…} classes, because those follow the ICU of the running Node or
// Electron (Unicode 15 to 17): characters assigned since Unicode 14 are printable there but
// unassigned, so escaped, for Python 3.11. (Python 3.12 and later escape fewer of them.)
//
// The table lists the runs of code points that are not printable (categories Cc, Cf, Cs, Co, Cn,
// Zl, Zp, and Zs but the space): each run is "GAP.LENGTH-1" in hex (".LENGTH-1" omitted for a
// single code point), GAP counted from the end of the previous run. Generated with:
//   r, p, s = [], False, 0
//   for c in range(0x110000):
//       n = not chr(c).isprintable()
//       if n and not p: s = c
//       if p and not n: r.append((s, c - 1))
//       p = n
//   if p: r.append((s, 0x10FFFF))
//   last = -1; out = []
//   for a, b in r: out.append(f"{a - last - 1:x}" + (f".{b - a:x}" if b > a else "")); last = b
//   print(",".join(out))
const NON_PRINTABLE_RUNS =
  '0.1f,5f.21,c,2ca.1,6.3,7,1,14,18d,26.1,32.1,3,37.7,1b.3,6.10,16,c0,30.1,3b.1,65.d,3b.1,31.1,f,' +
  '1c.1,1,b.4,1f.8,4a,a1,8.1,2.1,16,7,1.2,4.1,9.1,2.1,4.7,1.3,2,5.1,19.1,3,6.3,2.1,16,7,2,2,2.1,1,' +
  '5.3,2.1,3.2,1.6,4,1.6,11.9,3,9,3,16,7,2,5.1,a,3,3.1,1.e,4.1,c.6,7,3,8.1,2.1,16,7,2,5.1,9.1,2.1,' +
  '3.6,3.3,2,5.1,12.9,2,6.2,3,4.2,2,1,2.2,2.2,3.2,c.3,5.2,3,4.1,1.5,1.d,15.4,d,3,17,10.1,9,3,4.6,2,' +
  '3.1,1.1,4.1,a.6,16,3,17,a,5.1,9,3,4.6,2.5,2,4.1,a,2.c,d,3,33,3,6.3,10.1,1a,3,12.2,18,9,1.1,7.2,' +
  '1.3,6,1,8.5,a.1,3.b,3a.3,1d.24,2,1,5,18,1,17.1,5,1,6.1,a.1,4.1f,48,24.3,27,24,f,d.24,c6,1.4,1.1,' +
  '179,4.1,7,1,4.1,29,4.1,21,4.1,7,1,4.1,f,39,4.1,43.1,20.2,1a.5,56.1,6.1,280,1c.2,59.6,16.8,18.8,' +
  '14.b,d,3,2.b,5e.1,a.5,a.5,e,b.5,59.6,2b.4,46.9,1f,c.3,c.3,1.2,2a.1,5.a,2c.3,1a.5,b.2,3e.1,41,' +
  '1d.1,b.5,a.5,e.1,1f.30,4d.2,2f,74.7,3c.2,f.2,3c.6,2b.1,b.7,2b.4,216.1,6.1,26.1,6.1,8,1,1,1,1f.1,' +
  '35,f,e.1,6,13.1,3,9.10,18.7,2f.10,2.1,1b,d.2,21.e,21.e,8c.3,297.18,b.14,714.1,20,15d.4,2d,1.4,' +
  '1.1,38.6,2.d,18.8,7,7,7,7,7,7,7,7,7e.21,1a,59.b,d6.19,c.4,3f,56.1,67.4,2b,5e,54.b,2f,726d.2,' +
  '37.8,15c.13,b8.7,cb.4,2,1,5.17,3b.2,a.5,38.7,46.7,c.5,74.a,1e.2,4e,b.3,21,37.8,e.1,a.1,67.17,' +
  '1c.9,6.1,6.1,6.8,7,7,3c.3,7e.1,a.5,2ba4.b,17.3,31.2103,16e.1,6a.25,7.b,5.4,1a,5,1,2,2,7d.f,' +
  '1bd.1,36.6,1.1f,2a.5,33,13,4.3,5,87.3,be.2,6.1,6.1,6.1,3.2,7,7.c,2.1,c,1a,13,2,f.1,e.21,7b.4,' +
  '3.3,2d.2,58,d.2,1.2e,2e.81,1d.2,31.e,1c.3,24.8,1e.4,2b.4,1e,25.3,e.29,9e.1,a.5,24.3,24.3,28.7,' +
  '34.a,c,f,7,2,b,f,7,2.42,137.8,16.9,8.17,6,2a,9.44,6.1,1,2c,2.2,1.1,17,48.7,9.2f,13,2.4,21.2,' +
  '1b.4,1.3f,38.3,14.1,32,2.4,8,3,1d.1,3.3,a.6,9.6,40.1f,27.3,c.8,36.2,1d.1,1b.4,1a.6,4.b,7.4f,' +
  '49.36,33.c,33.6,2e.7,a.125,1f,2a,3.1,2.4d,28.7,2a.15,1a.25,1c.13,17.8,4e.3,24.8,3e,5.c,19.6,a.5,' +
  '35,12.7,27.8,60,14.a,12,2c.40,7,1,4,f,b.5,3b.4,a.5,4,8.1,2.1,16,7,2,5,a.1,2.1,3.1,1.5,1.4,7.1,' +
  '7.2,5.8a,5c,5.1d,48.7,a.a5,36.1,26.21,45.a,a.5,d.12,3a.5,a.35,1b.1,f.3,17.b8,3c.63,53.b,8.1,1.1,' +
  '8,2,1e,2.1,c.8,a.45,8.1,2e.1,b.1a,48.7,53.c,49.106,9,2d,e.9,1d.2,20.1,16,e.48,7,2,2c.2,1,2,9.7,' +
  'a.5,6,2,25,2,6.6,a.135,19.b6,1.e,32.c,39b.65,6f,5.a,c4.a4b,63.c,42f.fd0,247.21b8,239.6,1f,a.3,' +
  '51,a.5,1e.1,6.9,46.9,a,7,15.4,13.2af,5b.64,4b.3,39.6,11.3f,5.a,2.d,17f8.7,4d6.29,9.22e6,4,7,2,' +
  '123.2c,3.10,4.7,18c.903,6b.4,d.2,9.6,a.1,4.125f,2e.1,17.8,74.3b,f6.9,27.1,4a.7,70.14,46.99,14.b,' +
  '57.8,19.86,55,47,2.1,1.1,2.1,4,c,1,7,41,4.1,8,7,1c,4,5,1.2,7,154.1,124.1,2be.e,5,f.44f,1f.e0,7,' +
  '11.1,7,2,5.d4,2d.2,e.1,a.3,2.13f,1f.10,3a.4,1.4df,7,4,2,f,c5.1,10.28,4c.3,a.3,2.310,44.4b,3d.c1,' +
  '4,1b,2,1.1,1,a,4,1,1.5,1.3,1,1,1,3,2,1.1,1,1,1,1,1,2,1.1,4,7,4,4,1,a,11.4,3,5,11.33,2.10d,2c.3,' +
  '64.b,f.1,f,f,25.9,ae.37,1d.c,2c.3,9.6,2.d,6.99,3d8.4,10.2,d.2,74.b,59.6,c.3,1.e,c.3,38.7,a.5,' +
  '28.7,1e.1,2.4d,154.b,e.1,5.2,5.2,7.8,1d.2,b.4,6.9,a.5,8.7,7.8,93,37.24,a.405,a6e0.1f,1039.6,' +
  'de.1,1682.d,1d31.c1e,21e.5e1,134b.aedb4,f0.2fe0f';
let starts: Uint32Array | undefined;
let ends: Uint32Array | undefined;

function decode(): void {
  const runs = NON_PRINTABLE_RUNS.split(',');
  starts = new Uint32Array(runs.length);
  ends = new Uint32Array(runs.length);
  let last = -1;
  runs.forEach((run, i) => {
    const [gap = '0', extra = '0'] = run.split('.');
    const start = last + 1 + parseInt(gap, 16);
    last = start + parseInt(extra, 16);
    starts![i] = start;
    ends![i] = last;
  });
}

/** CPython 3.11's Py_UNICODE_ISPRINTABLE: whether repr() keeps the code point as it is. */
export function isPyPrintable(code: number): boolean {
  if (code >= 0x20 && code < 0x7f) return true;
  if (!starts) decode();
  let low = 0,
    high = starts!.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (code < starts![middle]!) high = middle - 1;
    else if (code > ends![middle]!) low = middle + 1;
    else return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Titlecase, which str.title() and str.capitalize() give a word's first character: the same as
// upper() but for these characters in CPython 3.11 (JavaScript has no toTitleCase). Generated with
//   [c for c in map(chr, range(0x110000)) if c.title() != c.upper()]

/** Characters whose titlecase is another string. */
const TITLECASE: Record<string, string> = {
  '\u00df': 'Ss',
  '\u01c4': '\u01c5',
  '\u01c6': '\u01c5',
  '\u01c7': '\u01c8',
  '\u01c9': '\u01c8',
  '\u01ca': '\u01cb',
  '\u01cc': '\u01cb',
  '\u01f1': '\u01f2',
  '\u01f3': '\u01f2',
  '\u0587': '\u0535\u0582',
  '\u1f80': '\u1f88',
  '\u1f81': '\u1f89',
  '\u1f82': '\u1f8a',
  '\u1f83': '\u1f8b',
  '\u1f84': '\u1f8c',
  '\u1f85': '\u1f8d',
  '\u1f86': '\u1f8e',
  '\u1f87': '\u1f8f',
  '\u1f90': '\u1f98',
  '\u1f91': '\u1f99',
  '\u1f92': '\u1f9a',
  '\u1f93': '\u1f9b',
  '\u1f94': '\u1f9c',
  '\u1f95': '\u1f9d',
  '\u1f96': '\u1f9e',
  '\u1f97': '\u1f9f',
  '\u1fa0': '\u1fa8',
  '\u1fa1': '\u1fa9',
  '\u1fa2': '\u1faa',
  '\u1fa3': '\u1fab',
  '\u1fa4': '\u1fac',
  '\u1fa5': '\u1fad',
  '\u1fa6': '\u1fae',
  '\u1fa7': '\u1faf',
  '\u1fb2': '\u1fba\u0345',
  '\u1fb3': '\u1fbc',
  '\u1fb4': '\u0386\u0345',
  '\u1fb7': '\u0391\u0342\u0345',
  '\u1fc2': '\u1fca\u0345',
  '\u1fc3': '\u1fcc',
  '\u1fc4': '\u0389\u0345',
  '\u1fc7': '\u0397\u0342\u0345',
  '\u1ff2': '\u1ffa\u0345',
  '\u1ff3': '\u1ffc',
  '\u1ff4': '\u038f\u0345',
  '\u1ff7': '\u03a9\u0342\u0345',
  '\ufb00': 'Ff',
  '\ufb01': 'Fi',
  '\ufb02': 'Fl',
  '\ufb03': 'Ffi',
  '\ufb04': 'Ffl',
  '\ufb05': 'St',
  '\ufb06': 'St',
  '\ufb13': '\u0544\u0576',
  '\ufb14': '\u0544\u0565',
  '\ufb15': '\u0544\u056b',
  '\ufb16': '\u054e\u0576',
  '\ufb17': '\u0544\u056d',
};

/** Characters that are their own titlecase, though upper() changes them (ǅ, Georgian Mkhedruli…). */
const TITLECASE_IS_SELF: readonly [number, number][] = [
  [0x1c5, 0x1c5],
  [0x1c8, 0x1c8],
  [0x1cb, 0x1cb],
  [0x1f2, 0x1f2],
  [0x10d0, 0x10fa],
  [0x10fd, 0x10ff],
  [0x1f88, 0x1f8f],
  [0x1f98, 0x1f9f],
  [0x1fa8, 0x1faf],
  [0x1fbc, 0x1fbc],
  [0x1fcc, 0x1fcc],
  [0x1ffc, 0x1ffc],
];

/** CPython's titlecase of one character (a code point, as a string). */
export function pyTitleCase(char: string): string {
  const special = TITLECASE[char];
  if (special !== undefined) return special;
  const code = char.codePointAt(0)!;
  if (code >= 0x1c5 && TITLECASE_IS_SELF.some(([low, high]) => code >= low && code <= high)) return char;
  return char.toUpperCase();
}
