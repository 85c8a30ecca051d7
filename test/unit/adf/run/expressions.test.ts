// The expression evaluator, function by function, against the semantics of Microsoft's reference
// "Expressions and functions in Azure Data Factory and Azure Synapse Analytics" (cited as [doc]:
// its examples, with their stated results) and of the engine behind it (the Logic Apps workflow
// definition language), where the reference is silent or wrong; those cases were checked against
// that engine (see differential.test.ts), and say so ([engine]).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADF_FUNCTIONS } from '../../../../src/core/adf/expressions';
import { evaluateAdfString, evaluateJson, evaluateExpression } from '../../../../src/core/adf/run/evaluate';
import { fromJson, Unknown } from '../../../../src/core/adf/run/values';
import { ev, FIXED_CONTEXT, js } from './helpers';

/** Every case: [ADF string value, expected result as ev() shows it]. */
type Case = [string, string];

const covered = new Set<string>();
function check(cases: Case[]): void {
  for (const [expr, expected] of cases) {
    for (const m of expr.matchAll(/([A-Za-z][A-Za-z0-9]*)\(/g)) covered.add(m[1]!.toLowerCase());
    assert.equal(ev(expr), expected, expr);
  }
}
function checkErrors(cases: [string, RegExp][]): void {
  for (const [expr, pattern] of cases) {
    for (const m of expr.matchAll(/([A-Za-z][A-Za-z0-9]*)\(/g)) covered.add(m[1]!.toLowerCase());
    const got = ev(expr);
    assert.match(got, /^error: /, `${expr} should fail, gave ${got}`);
    assert.match(got, pattern, expr);
  }
}

describe('string functions', () => {
  it('concat, endsWith, startsWith, indexOf, lastIndexOf, replace, split, substring, toLower, toUpper, trim, guid', () => {
    check([
      // [doc] concat('Hello', 'World') returns "HelloWorld"
      ["@concat('Hello', 'World')", js('HelloWorld')],
      // [engine] every argument is written as string() writes it: True, '' for null, JSON for arrays
      ['@concat(1, 2)', js('12')],
      ["@concat('a', true, null, 1.5)", js('aTrue1.5')],
      ['@concat(createArray(1), createArray(2))', js('[1][2]')],
      // [doc] endsWith('hello world', 'world') is true, 'universe' false; not case-sensitive
      ["@endsWith('hello world', 'world')", 'true'],
      ["@endsWith('hello world', 'universe')", 'false'],
      ["@endsWith('Hello', 'LO')", 'true'],
      // [doc] startsWith('hello world', 'hello') true, 'greetings' false; not case-sensitive
      ["@startsWith('hello world', 'hello')", 'true'],
      ["@startsWith('hello world', 'greetings')", 'false'],
      ["@startsWith('Hello', 'he')", 'true'],
      // [doc] indexOf('hello world', 'world') returns 6; not case-sensitive; -1 when not found
      ["@indexOf('hello world', 'world')", '6'],
      ["@indexOf('Hello', 'L')", '2'],
      ["@indexOf('abc', 'z')", '-1'],
      ["@indexOf('Hello', '')", '0'],
      // [doc] lastIndexOf('hello world', 'world') returns 6
      ["@lastIndexOf('hello world', 'world')", '6'],
      ["@lastIndexOf('Hello', 'L')", '3'],
      ["@lastIndexOf('Hello', '')", '4'],
      // [doc] replace('the old string', 'old', 'new') returns "the new string"; case-sensitive
      ["@replace('the old string', 'old', 'new')", js('the new string')],
      ["@replace('aAa', 'a', 'b')", js('bAb')],
      ["@replace('aaa', 'aa', 'b')", js('ba')],
      // [doc] split('a_b_c', '_') returns ["a","b","c"]
      ["@split('a_b_c', '_')", '["a","b","c"]'],
      ["@split('a,,b', ',')", '["a","","b"]'],
      ["@split('abc', '')", '["abc"]'],
      // [doc] substring('hello world', 6, 5) returns "world"; [engine] the length is optional
      ["@substring('hello world', 6, 5)", js('world')],
      ["@substring('hello', 1)", js('ello')],
      ["@substring('abc', 0, 3)", js('abc')],
      // [doc] toLower('Hello World') "hello world", toUpper "HELLO WORLD"; [engine] ß stays ß
      ["@toLower('Hello World')", js('hello world')],
      ["@toUpper('Hello World')", js('HELLO WORLD')],
      ["@toUpper('straße')", js('STRAßE')],
      // [doc] trim(' Hello World  ') returns "Hello World"
      ["@trim(' Hello World  ')", js('Hello World')],
      // ADF strings have no backslash escapes: '\t' is two characters, kept
      ["@trim('  a b \\t ')", js('a b \\t')],
      // [doc] guid('P') is "(…)"; the dry run's GUIDs come from its context
      ['@length(guid())', '36'],
      ["@length(guid('N'))", '32'],
      ["@startsWith(guid('B'), '{')", 'true'],
      ["@startsWith(guid('P'), '(')", 'true'],
      ["@startsWith(guid('X'), '{0x')", 'true'],
    ]);
    checkErrors([
      ["@substring('hello', 1, 10)", /substring.*out of range/],
      ["@substring('abc', 3)", /out of range/],
      ["@substring('abc', -1, 1)", /out of range/],
      ["@replace('abc', '', 'x')", /non-empty/],
      ['@toLower(null)', /expects its first parameter to be a string. The provided value is of type 'Null'/],
      ["@split(null, ',')", /type 'Null'/],
      ["@guid('Q')", /format of N, D, B, P or X/],
      ["@startsWith(1, 'a')", /expects its first parameter to be a string/],
    ]);
  });
});

describe('collection functions', () => {
  it('contains, empty, first, last, intersection, union, join, length, skip, take', () => {
    check([
      // [doc] contains('hello world', 'world') true, 'universe' false; case-sensitive
      ["@contains('hello world', 'world')", 'true'],
      ["@contains('hello world', 'universe')", 'false'],
      ["@contains('Hello', 'hello')", 'false'],
      // arrays by value (type-strict: 1.0 is not 1), objects by key (ignoring case)
      ["@contains(createArray(1, 'a'), 'a')", 'true'],
      ["@contains(createArray(1, 'a'), 'A')", 'false'],
      ['@contains(createArray(1, 2), 1.0)', 'false'],
      ['@contains(createArray(json(\'{"a":1}\')), json(\'{"a":1}\'))', 'true'],
      ["@contains(json('{\"Abc\":1}'), 'abc')", 'true'],
      // [doc] empty('') true, empty('abc') false; [engine] null is empty
      ["@empty('')", 'true'],
      ["@empty('abc')", 'false'],
      ['@empty(null)', 'true'],
      ["@empty(json('{}'))", 'true'],
      ["@empty(json('[]'))", 'true'],
      // [doc] first('hello') "h", first(createArray(0, 1, 2)) 0
      ["@first('hello')", js('h')],
      ['@first(createArray(0, 1, 2))', '0'],
      ["@first('')", js('')],
      // [doc] last('abcd') "d", last(createArray(0, 1, 2, 3)) 3
      ["@last('abcd')", js('d')],
      ['@last(createArray(0, 1, 2, 3))', '3'],
      // [doc] intersection(createArray(1, 2, 3), createArray(101, 2, 1, 10), createArray(6, 8, 1, 2)) returns [1, 2]
      ['@intersection(createArray(1, 2, 3), createArray(101, 2, 1, 10), createArray(6, 8, 1, 2))', '[1,2]'],
      ['@intersection(createArray(1,2,2,3), createArray(2,3))', '[2,3]'],
      ['@intersection(json(\'{"a":1,"b":2}\'), json(\'{"b":2,"a":5}\'))', '{"b":2}'],
      // [doc] union(createArray(1, 2, 3), createArray(1, 2, 10, 101)) returns [1, 2, 3, 10, 101]
      ['@union(createArray(1, 2, 3), createArray(1, 2, 10, 101))', '[1,2,3,10,101]'],
      ['@union(createArray(1,2,1), createArray(3,1))', '[1,2,3]'],
      ['@union(json(\'{"a":1,"b":2}\'), json(\'{"B":3}\'))', '{"a":1,"b":2,"B":3}'],
      // [doc] join(createArray('a', 'b', 'c'), '.') returns "a.b.c"; [engine] items as string() writes them
      ["@join(createArray('a', 'b', 'c'), '.')", js('a.b.c')],
      ["@join(createArray(1, 'a', true, null, 1.5), '|')", js('1|a|True||1.5')],
      // [doc] length('abcd') and length(createArray(0, 1, 2, 3)) return 4
      ["@length('abcd')", '4'],
      ['@length(createArray(0, 1, 2, 3))', '4'],
      // [doc] skip(createArray(0, 1, 2, 3), 1) returns [1,2,3]; [engine] strings too, past the end is empty
      ['@skip(createArray(0, 1, 2, 3), 1)', '[1,2,3]'],
      ['@skip(createArray(1,2,3), 5)', '[]'],
      ["@skip('abcd', 2)", js('cd')],
      // [doc] take('abcde', 3) "abc", take(createArray(0, 1, 2, 3, 4), 3) [0, 1, 2]
      ["@take('abcde', 3)", js('abc')],
      ['@take(createArray(0, 1, 2, 3, 4), 3)', '[0,1,2]'],
      ["@take('abc', 10)", js('abc')],
    ]);
    checkErrors([
      ['@length(json(\'{"a":1}\'))', /expects its first parameter to be a string or an array/],
      ['@length(null)', /type 'Null'/],
      ['@skip(createArray(1,2,3), -1)', /non-negative/],
      ['@take(createArray(1), -1)', /non-negative/],
      ['@empty(0)', /type 'Integer'/],
      ['@first(json(\'{"a":1}\'))', /string or an array/],
      ['@union(createArray(2,1))', /at least two/],
      ["@contains(null, 'a')", /type 'Null'/],
      ["@contains('abc', 1)", /second parameter to be a string/],
      ['@union(createArray(1), json(\'{"a":1}\'))', /an array/],
    ]);
  });
});

describe('logical functions', () => {
  it('and, or, not, equals, greater, greaterOrEquals, less, lessOrEquals, if', () => {
    check([
      // [doc] and(true, true) true, and(false, true) false, and(false, false) false
      ['@and(true, true)', 'true'],
      ['@and(false, true)', 'false'],
      ['@and(false, false)', 'false'],
      // [doc] and(equals(1, 1), equals(2, 2)) true …
      ['@and(equals(1, 1), equals(2, 2))', 'true'],
      ['@and(equals(1, 1), equals(1, 2))', 'false'],
      // [engine] and / or stop at the first operand that decides, before checking the second's type
      ["@and(false, 'x')", 'false'],
      ['@or(true, 1)', 'true'],
      ['@and(false, div(1, 0))', 'false'],
      // [doc] or(true, false) true, or(false, false) false
      ['@or(true, false)', 'true'],
      ['@or(false, false)', 'false'],
      ['@or(equals(1, 2), equals(1, 3))', 'false'],
      // [doc] not(false) true, not(true) false, not(equals(1, 2)) true
      ['@not(false)', 'true'],
      ['@not(equals(1, 2))', 'true'],
      // [doc] equals('abc', 'abcd') false; [engine] case-sensitive, numbers by value, deep values by type
      ["@equals('abc', 'abcd')", 'false'],
      ["@equals('abc', 'ABC')", 'false'],
      ['@equals(1, 1.0)', 'true'],
      ["@equals('1', 1)", 'false'],
      ['@equals(createArray(1,2), createArray(1,2))', 'true'],
      ['@equals(json(\'{"a":[1]}\'), json(\'{"a":[1.0]}\'))', 'false'],
      ["@equals(null, json('null'))", 'true'],
      ["@equals('', null)", 'false'],
      // The reference says equals(true, 1) is true; the engine says false (a boolean is not a number).
      ['@equals(true, 1)', 'false'],
      // [doc] greater(10, 5) true, greater('apple', 'banana') false; [engine] strings ignore case
      ['@greater(10, 5)', 'true'],
      ["@greater('apple', 'banana')", 'false'],
      ["@greater('b', 'A')", 'true'],
      ["@greater('a', 'B')", 'false'],
      ['@greater(2, 1.5)', 'true'],
      // [doc] greaterOrEquals(5, 5) true, greaterOrEquals('apple', 'banana') false
      ['@greaterOrEquals(5, 5)', 'true'],
      ["@greaterOrEquals('apple', 'banana')", 'false'],
      // [doc] less(5, 10) true, less('banana', 'apple') false
      ['@less(5, 10)', 'true'],
      ["@less('banana', 'apple')", 'false'],
      // [doc] lessOrEquals(10, 10) true, lessOrEquals('apply', 'apple') false
      ['@lessOrEquals(10, 10)', 'true'],
      ["@lessOrEquals('apply', 'apple')", 'false'],
      // [doc] if(equals(1, 1), 'yes', 'no') returns "yes"; [engine] only the chosen branch is evaluated
      ["@if(equals(1, 1), 'yes', 'no')", js('yes')],
      ["@if(true, 'a', div(1,0))", js('a')],
    ]);
    checkErrors([
      ['@and(true, 1)', /expects its second parameter to be a boolean/],
      ['@not(0)', /boolean/],
      ["@if(1, 'a', 'b')", /if' expects its first parameter to be a boolean/],
      ["@if('true', 'a', 'b')", /boolean/],
      ["@greater('10', 9)", /two numbers or two strings/],
      ['@greater(null, 1)', /two numbers or two strings/],
      ['@greater(true, false)', /two numbers or two strings/],
    ]);
  });
});

describe('conversion functions', () => {
  it('array, createArray, base64 and friends, binary, bool, coalesce, data URIs, URI components, float, int, json, string', () => {
    check([
      // [doc] array('hello') returns ["hello"]; [engine] an array stays as it is
      ["@array('hello')", '["hello"]'],
      ['@array(createArray(1))', '[1]'],
      ['@array(null)', '[null]'],
      // [doc] createArray('h', 'e', 'l', 'l', 'o') returns ["h", "e", "l", "l", "o"]
      ["@createArray('h', 'e', 'l', 'l', 'o')", '["h","e","l","l","o"]'],
      // [doc] base64('hello') "aGVsbG8="; base64ToString('aGVsbG8=') and decodeBase64 "hello"
      ["@base64('hello')", js('aGVsbG8=')],
      ["@base64('é')", js('w6k=')],
      ["@base64ToString('aGVsbG8=')", js('hello')],
      ["@decodeBase64('aGVsbG8=')", js('hello')],
      ["@base64ToString('w6k=')", js('é')],
      // [engine] binary values are { "$content-type", "$content" } (the reference shows bit strings)
      ["@base64ToBinary('aGVsbG8=')", '{"$content-type":"application/octet-stream","$content":"aGVsbG8="}'],
      ["@binary('hello')", '{"$content-type":"application/octet-stream","$content":"aGVsbG8="}'],
      // [doc] bool(1) true, bool(0) false; [engine] 'true' / 'false' in any case, trimmed
      ['@bool(1)', 'true'],
      ['@bool(0)', 'false'],
      ["@bool('TRUE')", 'true'],
      ["@bool(' true ')", 'true'],
      ["@bool('False')", 'false'],
      ['@bool(2.5)', 'true'],
      // [doc] coalesce(null, true, false) true; (null, 'hello', 'world') "hello"; (null, null, null) null
      ['@coalesce(null, true, false)', 'true'],
      ["@coalesce(null, 'hello', 'world')", js('hello')],
      ['@coalesce(null, null, null)', 'null'],
      ["@coalesce(null, '', 'x')", js('')],
      ["@coalesce('a', div(1,0))", js('a')],
      // [doc] dataUri('hello') "data:text/plain;charset=utf-8;base64,aGVsbG8="; dataUriToString gives "hello"
      ["@dataUri('hello')", js('data:text/plain;charset=utf-8;base64,aGVsbG8=')],
      ["@dataUriToString('data:text/plain;charset=utf-8;base64,aGVsbG8=')", js('hello')],
      [
        "@dataUriToBinary('data:text/plain;charset=utf-8;base64,aGVsbG8=')",
        '{"$content-type":"text/plain;charset=utf-8","$content":"aGVsbG8="}',
      ],
      [
        "@decodeDataUri('data:text/plain;charset=utf-8;base64,aGVsbG8=')",
        '{"$content-type":"text/plain;charset=utf-8","$content":"aGVsbG8="}',
      ],
      // [doc] uriComponent / encodeUriComponent('https://contoso.com') escape ':' and '/'; decoding gives it back
      ["@uriComponent('https://contoso.com')", js('https%3A%2F%2Fcontoso.com')],
      [
        "@encodeUriComponent('https://contoso.com/a b?c=d&e=é~!*()''')",
        js('https%3A%2F%2Fcontoso.com%2Fa%20b%3Fc%3Dd%26e%3D%C3%A9~%21%2A%28%29%27'),
      ],
      ["@uriComponentToString('http%3A%2F%2Fcontoso.com')", js('http://contoso.com')],
      ["@decodeUriComponent('http%3A%2F%2Fcontoso.com')", js('http://contoso.com')],
      [
        "@uriComponentToBinary('http%3A%2F%2Fcontoso.com')",
        '{"$content-type":"application/octet-stream","$content":"aHR0cDovL2NvbnRvc28uY29t"}',
      ],
      // [doc] float('10.333') returns 10.333; [engine] the invariant culture: ',' separates thousands
      ["@float('10.333')", '10.333'],
      ["@float('1,5')", '15.0'],
      ["@float('1,5', 'de-DE')", '1.5'],
      ['@float(2)', '2.0'],
      ["@float('1e3')", '1000.0'],
      ['@float(true)', '1.0'],
      // [doc] int('10') returns 10; [engine] whitespace, sign and thousands separators are read
      ["@int('10')", '10'],
      ["@int(' 10 ')", '10'],
      ["@int('+5')", '5'],
      ["@int('1,000')", '1000'],
      ["@int('2147483648')", '2147483648'],
      ['@int(true)', '1'],
      ['@int(2.0)', '2'],
      // [doc] json('[1, 2, 3]') returns [1, 2, 3]; json('{"fullName": "Sophia Owen"}') the object
      ["@json('[1, 2, 3]')", '[1,2,3]'],
      ['@json(\'{"fullName": "Sophia Owen"}\')', '{"fullName":"Sophia Owen"}'],
      // [engine] Newtonsoft's lenient reading: unquoted names, trailing commas; later duplicates win; '' is null
      ["@json('{a:1}')", '{"a":1}'],
      ["@json('[1,]')", '[1]'],
      ['@json(\'{"a":1,"a":2}\')', '{"a":2}'],
      ["@json('')", 'null'],
      ["@json('1.5e3')", '1500.0'],
      ["@json('9223372036854775808')", '9223372036854775808'],
      // [doc] string(10) "10"; string of an object is its JSON; [engine] True / False, '' for null, floats as .NET
      ['@string(10)', js('10')],
      ['@string(json(\'{"name": "Sophie Owen"}\'))', js('{"name":"Sophie Owen"}')],
      ['@string(true)', js('True')],
      ['@string(null)', js('')],
      ['@string(1.0)', js('1')],
      ['@string(1.5)', js('1.5')],
      ["@string(createArray('é', 'a\"b', '<>&'''))", js('["é","a\\"b","<>&\'"]')],
    ]);
    checkErrors([
      ['@base64(1)', /expects its first parameter to be a string/],
      ["@base64ToString('not base64!')", /not a valid base64/],
      ["@bool('yes')", /neither true nor false/],
      ["@bool('1')", /neither true nor false/],
      ['@bool(null)', /type 'Null'/],
      ["@float('abc')", /not a number/],
      ['@float(null)', /type 'Null'/],
      ["@int('1.5')", /cannot be converted/],
      ['@int(1.5)', /not a whole number/],
      ["@int('0x10')", /cannot be converted/],
      ["@int('')", /cannot be converted/],
      ["@json('nul')", /cannot be parsed/],
      ['@json(1)', /string or an XML value/],
    ]);
  });

  it('xml, json of xml, and xpath (the reference examples)', () => {
    check([
      // [doc] xml(json('{ "name": "Sophia Owen" }')) is the XML <name>Sophia Owen</name>
      ['@base64ToString(xml(json(\'{ "name": "Sophia Owen" }\')).$content)', js('<name>Sophia Owen</name>')],
      [
        '@base64ToString(xml(json(\'{"person": {"name": "Sophia Owen", "city": "Seattle"}}\')).$content)',
        js('<person><name>Sophia Owen</name><city>Seattle</city></person>'),
      ],
      // [doc] json(xml(…)): attributes as "@name", the declaration as "?xml"
      [
        "@json(xml('<?xml version=\"1.0\"?> <root> <person id=''1''> <name>Sophia Owen</name> <occupation>Engineer</occupation> </person> </root>'))",
        '{"?xml":{"@version":"1.0"},"root":{"person":{"@id":"1","name":"Sophia Owen","occupation":"Engineer"}}}',
      ],
      // [doc] xpath(…, 'sum(/produce/item/count)') returns 30
      [
        "@xpath(xml('<produce><item><name>Gala</name><count>20</count></item>" +
          "<item><name>Honeycrisp</name><count>10</count></item></produce>'), 'sum(/produce/item/count)')",
        '30.0',
      ],
      // [doc] string(/*[name()="file"]/*[name()="location"]) returns "Paris"
      [
        '@xpath(xml(\'<?xml version="1.0"?> <file xmlns="http://contoso.com"> ' +
          '<location>Paris</location> </file>\'), \'string(/*[name()="file"]/*[name()="location"])\')',
        js('Paris'),
      ],
      [
        '@xpath(xml(\'<?xml version="1.0"?> <file xmlns="http://contoso.com"> ' +
          '<location>Paris</location> </file>\'), \'string(/*[local-name()="file" and ' +
          'namespace-uri()="http://contoso.com"]/*[local-name()="location"])\')',
        js('Paris'),
      ],
      ["@xpath(xml('<a><b>1</b><b>2</b></a>'), 'count(/a/b)')", '2.0'],
      ["@xpath(xml('<a><b x=\"y\">1</b></a>'), '/a/b/@x')", js('y')],
      ["@xpath(xml('<a><b>1</b><b>2</b></a>'), 'string(/a/b[2])')", js('2')],
      ["@length(xpath(xml('<a><b>1</b><b>2</b></a>'), '/a/b'))", '2'],
      ["@xpath(xml('<a><b>1</b><b>2</b></a>'), '//b[. > 1]/text()')", js('2')],
    ]);
    checkErrors([
      ["@xml('<a><b></a>')", /does not match/],
      ['@xml(json(\'{"a":1,"b":2}\'))', /exactly one root property/],
      ["@xpath(xml('<a/>'), 'bogus(')", /XPath/],
    ]);
  });
});

describe('math functions', () => {
  it('add, sub, mul, div, mod, max, min, rand, range: integers stay integers, floats stay floats', () => {
    check([
      // [doc] add(1, 1.5) returns 2.5
      ['@add(1, 1.5)', '2.5'],
      ['@add(1.5, 1.5)', '3.0'],
      ['@add(2147483647, 1)', '2147483648'],
      // [doc] sub(10.3, .3) returns 10 (a float: 10.0)
      ['@sub(10.3, 0.3)', '10.0'],
      ['@sub(5, 2)', '3'],
      // [doc] mul(1, 2) 2, mul(1.5, 2) 3
      ['@mul(1, 2)', '2'],
      ['@mul(1.5, 2)', '3.0'],
      // [doc] div(10, 5) and div(11, 5) return 2: integer division truncates; a float divides exactly
      ['@div(10, 5)', '2'],
      ['@div(11, 5)', '2'],
      ['@div(-7, 2)', '-3'],
      ['@div(11, 5.0)', '2.2'],
      ['@div(-9223372036854775807, -1)', '9223372036854775807'],
      // [doc] mod(3, 2) returns 1; [engine] the sign of the dividend, floats too
      ['@mod(3, 2)', '1'],
      ['@mod(-3, 2)', '-1'],
      ['@mod(-7, -2)', '-1'],
      ['@mod(3.5, 2)', '1.5'],
      // [doc] max(1, 2, 3) and max(createArray(1, 2, 3)) return 3; [engine] a float among them makes it a float
      ['@max(1, 2, 3)', '3'],
      ['@max(createArray(1, 2, 3))', '3'],
      ['@max(1, 2.5, 3)', '3.0'],
      ['@max(createArray(1, 2.5))', '2.5'],
      // [doc] min(1, 2, 3) and min(createArray(1, 2, 3)) return 1
      ['@min(1, 2, 3)', '1'],
      ['@min(createArray(1, 2, 3))', '1'],
      ['@min(2, 1.5, 3)', '1.5'],
      // [doc] rand(1, 5) is one of 1, 2, 3, 4 (the dry run's context picks the minimum here)
      ['@rand(1, 5)', '1'],
      ['@rand(1, 1)', '1'],
      // [doc] range(1, 4) returns [1, 2, 3, 4]
      ['@range(1, 4)', '[1,2,3,4]'],
      ['@range(1, 0)', '[]'],
      ['@length(range(0, 100000))', '100000'],
    ]);
    checkErrors([
      ['@div(1, 0)', /divide by zero/],
      ['@div(1.0, 0)', /divide by zero/],
      ['@mod(3, 0)', /divide by zero/],
      ['@add(9223372036854775807, 1)', /overflow/],
      ['@mul(3037000500, 3037000500)', /overflow/],
      ["@add('1', 2)", /integer or a decimal number/],
      ['@sub(1, null)', /second parameter.*type 'Null'/],
      ["@max('a', 'b')", /numbers/],
      ['@rand(5, 1)', /no greater than/],
      ['@range(1, -1)', /non-negative/],
      ['@range(0, 100001)', /at most 100000/],
      ['@range(2147483647, 2)', /32-bit/],
    ]);
  });
});

describe('date functions', () => {
  it('add and subtract time, start of day, hour and month, day of…, ticks, now (fixed by the run)', () => {
    check([
      // [doc] addDays('2018-03-15T13:00:00Z', 10) (the reference prints "2018-03-25T00:00:0000000Z": the time is kept)
      ["@addDays('2018-03-15T13:00:00Z', 10)", js('2018-03-25T13:00:00.0000000Z')],
      ["@addDays('2018-03-15T00:00:00Z', -5)", js('2018-03-10T00:00:00.0000000Z')],
      ["@addDays('2018-03-15', 1)", js('2018-03-16T00:00:00.0000000')],
      ["@addDays('2018-03-15T13:00:00Z', 10, 'yyyy-MM-dd')", js('2018-03-25')],
      // [doc] addHours('2018-03-15T00:00:00Z', 10) "2018-03-15T10:00:00.0000000Z"; -5 from 15:00 is 10:00
      ["@addHours('2018-03-15T00:00:00Z', 10)", js('2018-03-15T10:00:00.0000000Z')],
      ["@addHours('2018-03-15T15:00:00Z', -5)", js('2018-03-15T10:00:00.0000000Z')],
      // [doc] addMinutes('2018-03-15T00:10:00Z', 10) "2018-03-15T00:20:00.0000000Z"
      ["@addMinutes('2018-03-15T00:10:00Z', 10)", js('2018-03-15T00:20:00.0000000Z')],
      ["@addMinutes('2018-03-15T00:20:00Z', -5)", js('2018-03-15T00:15:00.0000000Z')],
      // [doc] addSeconds('2018-03-15T00:00:00Z', 10) "2018-03-15T00:00:10.0000000Z"
      ["@addSeconds('2018-03-15T00:00:00Z', 10)", js('2018-03-15T00:00:10.0000000Z')],
      ["@addSeconds('2018-03-15T00:00:30Z', -5)", js('2018-03-15T00:00:25.0000000Z')],
      // [doc] addToTime('2018-01-01T00:00:00Z', 1, 'Day') "2018-01-02T00:00:00.0000000Z", with 'D' "Tuesday, January 2, 2018"
      ["@addToTime('2018-01-01T00:00:00Z', 1, 'Day')", js('2018-01-02T00:00:00.0000000Z')],
      ["@addToTime('2018-01-01T00:00:00Z', 1, 'Day', 'D')", js('Tuesday, January 2, 2018')],
      // [engine] units in any case, singular; months clamp the day; weeks are 7 days
      ["@addToTime('2018-01-31T00:00:00Z', 1, 'Month')", js('2018-02-28T00:00:00.0000000Z')],
      ["@addToTime('2020-02-29T00:00:00Z', 1, 'Year')", js('2021-02-28T00:00:00.0000000Z')],
      ["@addToTime('2018-01-01T00:00:00Z', 1, 'Week')", js('2018-01-08T00:00:00.0000000Z')],
      ["@addToTime('2018-01-01T00:00:00Z', 1, 'day')", js('2018-01-02T00:00:00.0000000Z')],
      ["@addToTime('2018-01-01T00:00:00Z', 1, 'HOUR')", js('2018-01-01T01:00:00.0000000Z')],
      // [doc] subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day') "2018-01-01T00:00:00.0000000Z"; 'D' "Monday, January 1, 2018"
      ["@subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day')", js('2018-01-01T00:00:00.0000000Z')],
      ["@subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day', 'D')", js('Monday, January 1, 2018')],
      // [doc] startOfDay / startOfHour / startOfMonth('2018-03-15T13:30:30Z')
      ["@startOfDay('2018-03-15T13:30:30Z')", js('2018-03-15T00:00:00.0000000Z')],
      ["@startOfHour('2018-03-15T13:30:30Z')", js('2018-03-15T13:00:00.0000000Z')],
      ["@startOfMonth('2018-03-15T13:30:30Z')", js('2018-03-01T00:00:00.0000000Z')],
      ["@startOfMonth('2018-03-15T13:30:30', 'yyyy-MM-dd')", js('2018-03-01')],
      // [doc] dayOfMonth 15, dayOfYear 74 for '2018-03-15T13:27:36Z'; dayOfWeek: Sunday is 0 (the
      // reference says 3, but 2018-03-15 was a Thursday: 4, as the engine says)
      ["@dayOfMonth('2018-03-15T13:27:36Z')", '15'],
      ["@dayOfWeek('2018-03-15T13:27:36Z')", '4'],
      ["@dayOfWeek('2018-03-18')", '0'],
      ["@dayOfYear('2018-03-15T13:27:36Z')", '74'],
      // ticks: 100-nanosecond intervals since 0001-01-01
      ["@ticks('2018-03-15T13:27:36Z')", '636567172560000000'],
      ["@ticks('0001-01-01T00:00:00Z')", '0'],
      // [doc] utcNow() when it is April 15, 2018 1:00:00 PM: "2018-04-15T13:00:00.0000000Z"; 'D' "Sunday, April 15, 2018"
      ['@utcNow()', js('2018-04-15T13:00:00.0000000Z')],
      ["@utcNow('D')", js('Sunday, April 15, 2018')],
      // [doc] getFutureTime(5, 'Day') from 2018-03-01 is 2018-03-06; getPastTime(5, 'Day') from 2018-02-01 is 2018-01-27
      ["@getFutureTime(5, 'Day')", js('2018-04-20T13:00:00.0000000Z')],
      ["@getPastTime(5, 'Day', 'D')", js('Tuesday, April 10, 2018')],
    ]);
    checkErrors([
      ["@addDays('2018-03-15T13:00:00Z', 1.5)", /expects its second parameter to be an integer/],
      ["@addToTime('2018-01-01T00:00:00Z', 1, 'Days')", /time unit/],
      ["@addDays('9999-12-31T00:00:00Z', 1)", /un-representable|range/],
      ["@addSeconds('2018-01-01T00:00:00Z', '5')", /integer/],
      ["@formatDateTime('not a date')", /not recognized as a valid DateTime/],
      ["@formatDateTime('2018-13-01')", /not recognized/],
      ['@formatDateTime(1)', /string/],
    ]);
  });

  it('time zones: Windows ids, as the reference takes them', () => {
    check([
      // [doc] convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time') "2018-01-01T00:00:00.0000000"
      [
        "@convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time')",
        js('2018-01-01T00:00:00.0000000'),
      ],
      [
        "@convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time', 'D')",
        js('Monday, January 1, 2018'),
      ],
      // [doc] convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time') (the reference prints "2018-01-01T00:00:00Z")
      ["@convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time')", js('2018-01-01T00:00:00.0000000')],
      ["@convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time', 'D')", js('Monday, January 1, 2018')],
      // [doc] convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time') "2018-01-01T08:00:00.0000000Z"
      ["@convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time')", js('2018-01-01T08:00:00.0000000Z')],
      ["@convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time', 'D')", js('Monday, January 1, 2018')],
      // Daylight saving time: Berlin is UTC+2 in July
      ["@convertFromUtc('2024-07-01T12:00:00Z', 'W. Europe Standard Time', 'HH:mm')", js('14:00')],
      ["@convertToUtc('2024-07-01 14:00:00', 'W. Europe Standard Time')", js('2024-07-01T12:00:00.0000000Z')],
      ["@convertFromUtc('2024-01-15T12:00:00Z', 'India Standard Time', 'HH:mm')", js('17:30')],
      // [engine] to UTC keeps the UTC kind (Z)
      ["@convertTimeZone('2018-01-01T08:00:00Z', 'UTC', 'UTC')", js('2018-01-01T08:00:00.0000000Z')],
      ["@convertToUtc('2018-01-01T08:00:00Z', 'UTC')", js('2018-01-01T08:00:00.0000000Z')],
    ]);
    checkErrors([
      ["@convertFromUtc('2018-01-01T08:00:00Z', 'Europe/Berlin')", /not a Windows time zone id/],
      ["@convertToUtc('2018-01-01T08:00:00Z', 'Pacific Standard Time')", /source time zone must be UTC/],
    ]);
  });
});

describe('formatDateTime: .NET standard and custom format strings', () => {
  it('the round-trip default, every standard format in en-US, and other cultures', () => {
    const t = "'2018-03-15T13:05:09.1234567Z'";
    check([
      // [doc] formatDateTime('03/15/2018 12:00:00', 'yyyy-MM-ddTHH:mm:ss') returns "2018-03-15T12:00:00"
      ["@formatDateTime('03/15/2018 12:00:00', 'yyyy-MM-ddTHH:mm:ss')", js('2018-03-15T12:00:00')],
      // The default is "o": 7 fraction digits, Z for UTC, nothing without a zone, +00:00 for a converted offset
      ["@formatDateTime('2024-01-01T00:00:00Z')", js('2024-01-01T00:00:00.0000000Z')],
      ["@formatDateTime('2024-01-01')", js('2024-01-01T00:00:00.0000000')],
      ["@formatDateTime('2024-01-01T05:06:07.123+02:00')", js('2024-01-01T03:06:07.1230000+00:00')],
      ["@formatDateTime('2018-03-15T13:05:09.12345678Z')", js('2018-03-15T13:05:09.1234568Z')],
      [`@formatDateTime(${t}, 'd')`, js('3/15/2018')],
      [`@formatDateTime(${t}, 'D')`, js('Thursday, March 15, 2018')],
      [`@formatDateTime(${t}, 'f')`, js('Thursday, March 15, 2018 1:05 PM')],
      [`@formatDateTime(${t}, 'F')`, js('Thursday, March 15, 2018 1:05:09 PM')],
      [`@formatDateTime(${t}, 'g')`, js('3/15/2018 1:05 PM')],
      [`@formatDateTime(${t}, 'G')`, js('3/15/2018 1:05:09 PM')],
      [`@formatDateTime(${t}, '')`, js('3/15/2018 1:05:09 PM')],
      [`@formatDateTime(${t}, 'M')`, js('March 15')],
      [`@formatDateTime(${t}, 'O')`, js('2018-03-15T13:05:09.1234567Z')],
      [`@formatDateTime(${t}, 'R')`, js('Thu, 15 Mar 2018 13:05:09 GMT')],
      [`@formatDateTime(${t}, 's')`, js('2018-03-15T13:05:09')],
      [`@formatDateTime(${t}, 't')`, js('1:05 PM')],
      [`@formatDateTime(${t}, 'T')`, js('1:05:09 PM')],
      [`@formatDateTime(${t}, 'u')`, js('2018-03-15 13:05:09Z')],
      [`@formatDateTime(${t}, 'U')`, js('Thursday, March 15, 2018 1:05:09 PM')],
      [`@formatDateTime(${t}, 'Y')`, js('March 2018')],
      // custom specifiers, as .NET reads them (several letters of one kind are one specifier)
      [
        `@formatDateTime(${t}, 'yyyy yy y yyyyy MMM MM M dddd ddd dd d hh h HH H mm m ss s tt t fff ffffff FFF K zz z g')`,
        js('2018 18 18 02018 Mar 03 3 Thursday Thu 15 15 01 1 13 13 05 5 09 9 PM P 123 123456 123 Z +00 +0 A.D.'),
      ],
      [`@formatDateTime(${t}, 'd|D|f|F|g|G|M|O|R|s|t|T|u|U|Y')`, js('15|D|1|1|A.D.|G|3|O|R|9|P|T|u|U|Y')],
      ["@formatDateTime('2018-03-15T13:05:00.1000000Z', 'FFFFFFF|fffffff|F|f')", js('1|1000000|1|1')],
      // F drops trailing zeros, and the '.' before them when nothing is left
      ["@formatDateTime('2018-03-15T13:05:00Z', 'HH:mm:ss.FFF|%d|''lit'' \"q\" \\\\x')", js('13:05:00|15|lit q \\x')],
      ["@formatDateTime('2018-03-15T13:05:09.0100000Z', 'ss.FFF|ss.ff|FF')", js('09.01|09.01|01')],
      ["@formatDateTime('2018-03-15T13:05:09.0000000Z', 'ss,FFF|ss FFF')", js('09,|09 ')],
      ["@formatDateTime('2018-03-05T03:05:00', 'yyyyMMddHHmmss K')", js('20180305030500 ')],
      ["@formatDateTime('2018-03-15T00:05:09Z', 'h tt hh')", js('12 AM 12')],
      [`@formatDateTime(${t}, 'yyyyyyy hhh MMMMM ddddd gg')`, js('0002018 01 March Thursday A.D.')],
      // locales: names and standard patterns of the culture
      [`@formatDateTime(${t}, 'yyyy-MM-dd', 'fr-FR')`, js('2018-03-15')],
      [`@formatDateTime(${t}, 'D', 'de-DE')`, js('Donnerstag, 15. März 2018')],
      [`@formatDateTime(${t}, 'd', 'de-DE')`, js('15.03.2018')],
      [`@formatDateTime(${t}, 'dddd MMMM', 'es-ES')`, js('jueves marzo')],
      // timestamps in the forms DateTime.Parse reads
      ["@formatDateTime('March 15, 2018')", js('2018-03-15T00:00:00.0000000')],
      ["@formatDateTime('15 March 2018 10:00')", js('2018-03-15T10:00:00.0000000')],
      ["@formatDateTime('3/5/2018 1:02:03 PM')", js('2018-03-05T13:02:03.0000000')],
      ["@formatDateTime('2018/03/15')", js('2018-03-15T00:00:00.0000000')],
      ["@formatDateTime('2018-3-5')", js('2018-03-05T00:00:00.0000000')],
      ["@formatDateTime('Thu, 15 Mar 2018 13:05:09 GMT')", js('2018-03-15T13:05:09.0000000Z')],
      ["@formatDateTime('2018-03-15T13:05:09+0530')", js('2018-03-15T07:35:09.0000000+00:00')],
      ["@formatDateTime('15-Mar-2018')", js('2018-03-15T00:00:00.0000000')],
      ["@formatDateTime('12:30')", js('2018-04-15T12:30:00.0000000')],
    ]);
    checkErrors([
      [`@formatDateTime(${t}, 'x')`, /standard format/],
      [`@formatDateTime(${t}, 'ffffffff')`, /seven/],
      [`@formatDateTime(${t}, '''unterminated')`, /never closed/],
      [`@formatDateTime(${t}, '%')`, /'%'/],
      [`@formatDateTime(${t}, '\\')`, /not a valid date and time format/],
      [`@formatDateTime(${t}, null)`, /second parameter to be a string/],
      ["@formatDateTime('2018-03-15T24:00:00Z')", /not recognized/],
      ["@formatDateTime('20180315')", /not recognized/],
      ["@formatDateTime('2018-03-15T1:05:09Z')", /not recognized/],
    ]);
  });
});

describe('strings, interpolation and escapes', () => {
  it('literals, @@, whole expressions and @{…} (values written as string() writes them)', () => {
    // [doc] "parameters" and "parameters[1]" are returned as they are; "@@" is "@"; " @" is " @"
    assert.equal(ev('parameters'), js('parameters'));
    assert.equal(ev('parameters[1]'), js('parameters[1]'));
    assert.equal(ev('@@'), js('@'));
    assert.equal(ev(' @'), js(' @'));
    assert.equal(ev('@@foo'), js('@foo'));
    // [doc] "@{pipeline().parameters.myNumber}" is the string 42; "Answer is: @@{…}" stays literal
    const ctx = {
      ...FIXED_CONTEXT,
      pipeline: () =>
        fromJson({ parameters: { myNumber: 42, myString: 'foo', flag: true, list: [1, 'a'], obj: { k: 1.5 } } }),
    };
    assert.equal(ev('@pipeline().parameters.myNumber', ctx), '42');
    assert.equal(ev('@{pipeline().parameters.myNumber}', ctx), js('42'));
    assert.equal(ev('Answer is: @{pipeline().parameters.myNumber}', ctx), js('Answer is: 42'));
    assert.equal(ev("@concat('Answer is: ', string(pipeline().parameters.myNumber))", ctx), js('Answer is: 42'));
    assert.equal(
      ev('Answer is: @@{pipeline().parameters.myNumber}', ctx),
      js('Answer is: @{pipeline().parameters.myNumber}'),
    );
    assert.equal(ev('a@@{b}', ctx), js('a@{b}'));
    assert.equal(ev("a@@b@{'x'}", ctx), js('a@@bx'));
    // [engine] booleans True / False, null nothing, arrays and objects compact JSON, floats as .NET writes them
    assert.equal(ev('@{pipeline().parameters.flag}', ctx), js('True'));
    assert.equal(ev('x@{null}y', ctx), js('xy'));
    assert.equal(ev('@{pipeline().parameters.list} @{pipeline().parameters.obj}', ctx), js('[1,"a"] {"k":1.5}'));
    assert.equal(ev("@{createArray(true, 1.0, json('1.0'))}", ctx), js('[true,1.0,1.0]'));
    assert.equal(
      ev('@{1.0}|@{1.5}|@{add(0.1, 0.2)}|@{mul(1e20, 10)}|@{div(1e-7, 1)}|@{div(1, 3.0)}', ctx),
      js('1|1.5|0.3|1E+21|1E-07|0.333333333333333'),
    );
    // [doc] the dynamic content editor's example: a JSON string with two interpolations
    assert.equal(
      ev('{ \n  "type": "@{if(equals(1, 2), \'Blob\', \'Table\' )}",\n  "name": "@{toUpper(\'myData\')}"\n}'),
      js('{ \n  "type": "Table",\n  "name": "MYDATA"\n}'),
    );
    // [doc] escaping a quote: concat('Baba', '''s ', 'book store') is "Baba's book store"
    assert.equal(ev("@concat('Baba', '''s ', 'book store')"), js("Baba's book store"));
    // [doc] replacing a line feed through uriComponent
    const lf = {
      ...FIXED_CONTEXT,
      variable: (n: string) => (n === 'companyName' ? 'Contoso-\nCorporation' : undefined),
    };
    assert.equal(
      ev("@uriComponentToString(replace(uriComponent(variables('companyName')), '%0A', ''))", lf),
      js('Contoso-Corporation'),
    );
  });

  it('member access and indexing: names ignore case, ?. and ?[ give null, errors say what is missing', () => {
    const o = 'json(\'{"a":{"B":[10,20]},"n":null,"s":"x"}\')';
    check([
      [`@${o}.A.b[1]`, '20'],
      [`@${o}['A']['b'][1]`, '20'],
      [`@${o}?.a?.B?[5]`, 'null'],
      [`@${o}.a?.c`, 'null'],
      [`@${o}.n?.c`, 'null'],
      ["@createArray('a','b')[json('1')]", js('b')],
      ["@split('a,b', ',')[1]", js('b')],
      ["@json('{\"a b\":1}')['a b']", '1'],
    ]);
    checkErrors([
      [`@${o}.a.c`, /property 'c' doesn't exist, available properties are 'B'/],
      [`@${o}.n.c`, /property 'c' cannot be selected. Property selection is not supported on values of type 'Null'/],
      [`@${o}.s.c`, /values of type 'String'/],
      [`@${o}.a.B[5]`, /array index '5' is outside bounds \(0, 1\) of array/],
      [`@${o}.a.B[-1]`, /outside bounds/],
      [`@${o}.a.B[1.0]`, /arrays are indexed with an integer/],
      [`@${o}.a.B['1']`, /arrays are indexed with an integer/],
      ['@json(\'{"1":"x"}\')[1]', /objects are indexed with a property name/],
      ['@createArray(1,2).length', /values of type 'Array'/],
    ]);
    // The expression text is in the message, as ADF writes it.
    assert.match(ev(`@${o}.a.c`), /^error: The expression 'json\(.*\)\.a\.c' cannot be evaluated because/);
  });
});

describe('unknown values', () => {
  const ctx = {
    ...FIXED_CONTEXT,
    activity: (name: string) =>
      name === 'known'
        ? { value: fromJson({ output: { n: 2, s: 'x' } }) }
        : { value: fromJson({ output: new Unknown(`activity('${name}').output`) }) },
    pipeline: () => fromJson({ parameters: { p: '', table: 'DimUser' } }),
  };

  it('propagate through member access and functions, showing the source with known parts as values', () => {
    assert.equal(ev("@activity('lookup').output.firstRow.cdc", ctx), "‹activity('lookup').output.firstRow.cdc›");
    assert.equal(
      ev("@addMinutes(activity('lookup').output.t, mul(-1, 60))", ctx),
      "‹addMinutes(activity('lookup').output.t, -60)›",
    );
    assert.equal(
      ev("@equals(activity('lookup').output.n, pipeline().parameters.table)", ctx),
      "‹equals(activity('lookup').output.n, 'DimUser')›",
    );
    assert.equal(ev("@activity('lookup').output?.rows[0]", ctx), "‹activity('lookup').output?.rows[0]›");
  });

  it('interpolation and concat render them as visible placeholders inside the known text', () => {
    assert.equal(
      ev("SELECT * FROM [@{pipeline().parameters.table}] WHERE c > '@{activity('lookup').output.firstRow.cdc}'", ctx),
      "SELECT * FROM [DimUser] WHERE c > '‹activity('lookup').output.firstRow.cdc›'",
    );
    assert.equal(
      ev("@concat('WHERE c > ''', activity('lookup').output.w, '''')", ctx),
      "WHERE c > '‹activity('lookup').output.w›'",
    );
  });

  it('do not propagate where the result does not depend on them', () => {
    // if() with a known condition, coalesce with a known non-null first value, and/or short-circuits
    assert.equal(ev("@if(empty(pipeline().parameters.p), 'first', activity('lookup').output.x)", ctx), js('first'));
    assert.equal(ev("@if(activity('lookup').output.x, 'same', 'same')", ctx), js('same'));
    assert.equal(ev("@coalesce(pipeline().parameters.table, activity('lookup').output.x)", ctx), js('DimUser'));
    assert.equal(
      ev("@coalesce(null, activity('lookup').output.x)", ctx),
      "‹coalesce(null, activity('lookup').output.x)›",
    );
    assert.equal(ev("@and(false, activity('lookup').output.x)", ctx), 'false');
    assert.equal(ev("@or(activity('lookup').output.x, true)", ctx), 'true');
    assert.equal(ev("@and(activity('lookup').output.x, true)", ctx), "‹and(activity('lookup').output.x, true)›");
    // the shape of a collection is known even when some items are not
    assert.equal(ev("@length(createArray(1, activity('lookup').output.x))", ctx), '2');
    assert.equal(ev("@first(createArray(activity('known').output.n, activity('lookup').output.x))", ctx), '2');
  });

  it('an expression with nothing known in its context (every context function unknown)', () => {
    assert.equal(
      ev("@concat(pipeline().parameters.x, '/', item().name, '/', variables('v'))", {}),
      "‹pipeline().parameters.x›/‹item().name›/‹variables('v')›",
    );
    assert.equal(ev('@utcNow()', {}), '‹utcNow()›');
    assert.equal(ev('@trigger().outputs.windowStartTime', {}), '‹trigger().outputs.windowStartTime›');
    assert.equal(ev('@dataset().folder', {}), '‹dataset().folder›');
  });
});

describe('the evaluator never throws', () => {
  it('returns errors with spans for syntax errors, unknown functions, wrong argument counts and context errors', () => {
    const r = evaluateAdfString("@concat('a', nope('b'))");
    assert.ok(r.error);
    assert.match(r.error.message, /Unknown function 'nope'/);
    assert.deepEqual(r.error.span, { start: 13, end: 17 });
    assert.match(
      ev('@item()', { ...FIXED_CONTEXT, item: () => undefined }),
      /item\(\) is the current element of a ForEach/,
    );
    assert.match(
      ev("@variables('nope')", { ...FIXED_CONTEXT, variable: () => undefined }),
      /The variable 'nope' is not declared/,
    );
    assert.match(
      ev("@activity('x').output", {
        ...FIXED_CONTEXT,
        activity: () => ({ error: "The output of activity 'x' can't be referenced" }),
      }),
      /can't be referenced/,
    );
    const e = evaluateExpression("add(1, 'x')");
    assert.ok(e.error);
    assert.deepEqual(e.error.span, { start: 0, end: 11 });
  });

  it('bounds what expressions build: long strings and large arrays stop with an error', () => {
    const small = { ...FIXED_CONTEXT, limits: { maxStringLength: 1000, maxArrayLength: 50 } };
    assert.match(ev('@concat(string(range(0, 400)), string(range(0, 400)))', small), /limit|longer/);
    assert.match(ev('@range(0, 51)', small), /limit of 50/);
    assert.match(ev('@union(range(0, 30), range(30, 30))', small), /limit of 50/);
    // deep nesting is refused by the parser, not a stack overflow
    const deep = `@${'concat('.repeat(300)}'x'${')'.repeat(300)}`;
    assert.match(ev(deep), /^error: /);
  });

  it('evaluates the strings of a JSON document, Expression objects included, and records which were expressions', () => {
    const r = evaluateJson(
      {
        literal: 'plain',
        escaped: '@@at',
        expr: { value: '@add(1, 2)', type: 'Expression' },
        list: ["@{toUpper('a')}b", 3],
        bad: '@div(1, 0)',
      },
      FIXED_CONTEXT,
    );
    assert.equal(r.errors.length, 1);
    assert.deepEqual(r.errors[0]!.path, ['bad']);
    assert.deepEqual(
      r.expressions.map(e => [e.path.join('.'), e.kind]),
      [
        ['expr', 'expression'],
        ['list.0', 'interpolated'],
      ],
    );
    const v = r.value as Map<string, unknown>;
    assert.equal(v.get('literal'), 'plain');
    assert.equal(v.get('escaped'), '@at');
    assert.equal(v.get('expr'), 3n);
    assert.deepEqual(v.get('list'), ['Ab', 3n]);
  });

  it('covers every function of the catalogue', () => {
    const context = new Set([
      'activity',
      'dataset',
      'item',
      'linkedservice',
      'pipeline',
      'trigger',
      'triggerbody',
      'triggeroutputs',
      'variables',
    ]);
    const missing = ADF_FUNCTIONS.map(f => f.name).filter(
      n => !context.has(n.toLowerCase()) && !covered.has(n.toLowerCase()),
    );
    assert.deepEqual(missing, []);
  });
});
