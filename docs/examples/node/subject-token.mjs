// Subject tokens, scheme v1, in JavaScript: docs/pseudonymization.md step by step.
// Run it to check it against the shared vectors (every implementation must pass them):
//   node docs/examples/node/subject-token.mjs [path/to/subject-token-vectors.json]
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The surname table: canonical Hangul form, then every spelling that maps to it (all lower case, NFC).
const SURNAMES = [
  ['김', ['김', 'kim', 'gim', 'ghim']],
  ['이', ['이', '리', 'lee', 'yi', 'rhee', 'ri', 'rhie', 'li', 'ree']],
  ['박', ['박', 'park', 'pak', 'bak', 'bahk']],
  ['최', ['최', 'choi', 'choe', 'chwe', 'choy']],
  ['정', ['정', 'jung', 'jeong', 'chung', 'cheong', 'chong', 'jong']],
  ['강', ['강', 'kang', 'gang']],
  ['조', ['조', 'cho', 'jo', 'joe', 'choh']],
  ['윤', ['윤', 'yoon', 'yun', 'youn']],
  ['장', ['장', 'jang', 'chang']],
  ['임', ['임', '림', 'lim', 'im', 'rim', 'yim', 'leem']],
  ['한', ['한', 'han', 'hahn']],
  ['오', ['오', 'oh', 'o']],
  ['서', ['서', 'seo', 'suh', 'so', 'sŏ']],
  ['신', ['신', 'shin', 'sin', 'shinn']],
  ['권', ['권', 'kwon', 'gwon', 'kwun']],
  ['황', ['황', 'hwang', 'whang']],
  ['안', ['안', 'ahn', 'an']],
  ['송', ['송', 'song']],
  ['유', ['유', '류', 'ryu', 'yu', 'yoo', 'you', 'ryoo', 'rhyu']],
  ['전', ['전', 'jeon', 'jun', 'chun', 'chon', 'jon']],
  ['홍', ['홍', 'hong']],
  ['고', ['고', 'ko', 'go', 'koh']],
  ['문', ['문', 'moon', 'mun']],
  ['양', ['양', '량', 'yang', 'ryang']],
  ['손', ['손', 'son', 'sohn']],
  ['배', ['배', 'bae', 'pae', 'bai']],
  ['백', ['백', 'baek', 'paek', 'baik', 'paik', 'back']],
  ['허', ['허', 'heo', 'hur', 'huh', 'ho']],
  ['노', ['노', '로', 'noh', 'no', 'roh', 'ro']],
  ['남', ['남', 'nam']],
  ['심', ['심', 'shim', 'sim']],
  ['하', ['하', 'ha']],
  ['주', ['주', 'joo', 'ju', 'chu', 'choo']],
  ['구', ['구', 'koo', 'ku', 'gu']],
  ['차', ['차', 'cha']],
  ['우', ['우', 'woo', 'u']],
  ['나', ['나', '라', 'na', 'ra', 'rah']],
  ['명', ['명', 'myung', 'myeong', 'myong']],
  ['방', ['방', 'bang', 'pang']],
  ['현', ['현', 'hyun', 'hyeon', 'hyon']],
];
const SURNAME_BY_SPELLING = new Map(SURNAMES.flatMap(([canonical, spellings]) => spellings.map((s) => [s, canonical])));

// Revised Romanization by syllable: initial, medial vowel and final consonant, in Unicode's jamo order.
const INITIALS = ['g', 'kk', 'n', 'd', 'tt', 'r', 'm', 'b', 'pp', 's', 'ss', '', 'j', 'jj', 'ch', 'k', 't', 'p', 'h'];
const VOWELS = ['a', 'ae', 'ya', 'yae', 'eo', 'e', 'yeo', 'ye', 'o', 'wa', 'wae', 'oe', 'yo', 'u', 'wo', 'we', 'wi', 'yu', 'eu', 'ui', 'i'];
const FINALS = ['', 'k', 'k', 'k', 'n', 'n', 'n', 't', 'l', 'k', 'm', 'l', 'l', 'l', 'p', 'l', 'm', 'p', 'p', 't', 't', 'ng', 't', 't', 'k', 't', 'p', 't'];

// .NET's char.IsWhiteSpace: not the same set as JavaScript's \s (U+0085 is in, U+FEFF is out).
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const LETTER = /^\p{L}$/u;

/** Text .NET refuses to normalize (a lone surrogate, U+FFFE) has no token. */
function checkNormalizable(text) {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0xfffe || (unit >= 0xdc00 && unit <= 0xdfff)) throw new Error('not text: no token');
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw new Error('not text: no token');
      i++;
    }
  }
}

/** ToLowerInvariant: simple lower-case mapping per code point; U+0130 stays as it is. */
function lowerInvariant(text) {
  let out = '';
  for (const c of text) out += c === '\u0130' ? c : c.toLowerCase();
  return out;
}

function fold(text) {
  checkNormalizable(text);
  return lowerInvariant(text.normalize('NFKC')).split(WHITE_SPACE).filter((w) => w.length > 0).join(' ');
}

/** Letters only, judged per UTF-16 code unit (so letters outside the BMP are dropped), then NFC. */
function letters(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) if (LETTER.test(text[i])) out += text[i];
  return out.normalize('NFC');
}

function romanize(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xac00 && unit <= 0xd7a3) {
      const index = unit - 0xac00;
      out += INITIALS[Math.floor(index / (21 * 28))] + VOWELS[Math.floor((index % (21 * 28)) / 28)] + FINALS[index % 28];
    } else {
      out += text[i];
    }
  }
  return out;
}

export function familyName(name) {
  const folded = fold(name);
  const plain = letters(folded);
  return SURNAME_BY_SPELLING.get(plain) ?? SURNAME_BY_SPELLING.get(folded.replaceAll(' ', '')) ?? plain;
}

export function givenName(name) {
  return letters(romanize(fold(name)));
}

function sex(value) {
  const folded = fold(value);
  if (['f', 'female', '여', '여자', '女'].includes(folded)) return 'f';
  if (['m', 'male', '남', '남자', '男'].includes(folded)) return 'm';
  return '';
}

function birthDate(value) {
  if (!value) return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match && new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  if (!match || +match[1] < 1 || date.getUTCMonth() !== +match[2] - 1 || date.getUTCDate() !== +match[3]) {
    throw new Error('birth date must be a real yyyy-MM-dd date, or empty');
  }
  return value;
}

/** The string that is hashed: v1|family|given|birth|sex|county. Never send or log it. */
export function canonical({ family, given, birth = '', sex: s = '', county = '' }) {
  return ['v1', familyName(family), givenName(given), birthDate(birth), sex(s), letters(fold(county))].join('|');
}

/** base64url, no padding, of HMAC-SHA256(linkage key, UTF-8 of the canonical string). */
export function subjectToken(key, person) {
  if (key.length !== 32) throw new Error('a linkage key is 32 bytes');
  return createHmac('sha256', key).update(canonical(person), 'utf8').digest('base64url');
}

/** Reads a linkage key file: `sharingplatform-linkage-key-v1:` and 43 base64url characters. */
export function loadLinkageKey(path) {
  const match = /^sharingplatform-linkage-key-v1:([A-Za-z0-9_-]{43})$/.exec(readFileSync(path, 'utf8').trim());
  if (!match) throw new Error(`${path} is not a SharingPlatform linkage key file`);
  return Buffer.from(match[1], 'base64url');
}

// Run directly: check every shared vector, canonical string and token.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? fileURLToPath(new URL('../../../clients/test-vectors/subject-token-vectors.json', import.meta.url));
  const vectors = JSON.parse(readFileSync(file, 'utf8'));
  const key = Buffer.from(vectors.key_hex, 'hex');
  let failed = 0;
  vectors.vectors.forEach((v, i) => {
    const ok = canonical(v) === v.canonical && subjectToken(key, v) === v.token;
    if (!ok) failed++;
    // Vectors are synthetic test data, so naming the index is safe; real identifiers are never printed.
    if (!ok) console.log(`vector ${i}: FAILED`);
  });
  console.log(`${vectors.vectors.length - failed} of ${vectors.vectors.length} vectors pass`);
  process.exit(failed === 0 ? 0 : 1);
}
