/**
 * Labeling functions for the bundled SpamAssassin demo (public/demo/spam.csv: id, group, label, from,
 * subject, body), in the spirit of Snorkel's spam tutorial: keywords, regular expressions and a few
 * heuristics written as code. Classes: 0 = ham, 1 = spam. Each function is right more often than not
 * where it votes (tests/unit/label/spam.test.ts measures each against the true labels); some are weak, as
 * real first drafts are ("free" in the body is right 60% of the time), and the label model learns to trust
 * them less.
 *
 * Tried and left out: a "[list] tag in the subject" and a "sender is a newsletter" ham function. Both are
 * accurate alone (0.94, 0.92), but they fire on the same mail as the other mailing-list functions, or on
 * HTML newsletters that also trip several spam functions; the label model assumes functions independent
 * given the class, so it over-counts the first and flips the second (estimated accuracy 0.05), and it fell
 * below majority vote. The analysis table shows such a flip as estimated vs. empirical accuracy.
 */
import type { LfSpec } from './lf';

export const SPAM_CLASSES = ['ham', 'spam'] as const;
export const HAM = 0;
export const SPAM = 1;
/** The columns the functions read. */
export const SPAM_COLUMNS = ['from', 'subject', 'body'] as const;

const text = ['subject', 'body'] as const;

export const SPAM_LFS: readonly LfSpec[] = [
  // --- spam: keywords
  { kind: 'keywords', id: 'kw-free', name: '"free" in the subject', column: 'subject', keywords: ['free'], match: 'word', label: SPAM },
  // Weak on purpose (about 0.6): ham says "free" too. The label model learns to trust it less.
  { kind: 'keywords', id: 'kw-free-body', name: '"free" in the body', column: 'body', keywords: ['free'], match: 'word', label: SPAM },
  {
    kind: 'keywords',
    id: 'kw-earn',
    name: 'money-making',
    column: text,
    keywords: ['earn', 'income', 'profit', 'cash', 'money back', 'extra money', 'make money', 'work from home', 'financial freedom'],
    match: 'word',
    label: SPAM,
  },
  { kind: 'keywords', id: 'kw-click-here', name: '"click here"', column: 'body', keywords: ['click here', 'click below'], match: 'substring', label: SPAM },
  {
    kind: 'keywords',
    id: 'kw-remove',
    name: 'removal instructions',
    column: 'body',
    keywords: ['remove', 'removed', 'opt out', 'opt-out'],
    match: 'word',
    label: SPAM,
  },
  {
    kind: 'keywords',
    id: 'kw-products',
    name: 'pills, loans, casinos',
    column: text,
    keywords: ['viagra', 'cialis', 'mortgage', 'refinance', 'lowest rate', 'credit card', 'casino', 'weight loss', 'herbal', 'debt'],
    match: 'substring',
    label: SPAM,
  },
  {
    kind: 'keywords',
    id: 'kw-urgency',
    name: 'sales pressure',
    column: text,
    keywords: ['guarantee', 'guaranteed', '100%', 'risk free', 'risk-free', 'act now', 'limited time', 'order now', 'no obligation', '$$$'],
    match: 'word',
    label: SPAM,
  },
  { kind: 'keywords', id: 'kw-dear-friend', name: '"dear friend"', column: 'body', keywords: ['dear friend', 'dear sir', 'dear madam'], match: 'word', label: SPAM },
  { kind: 'keywords', id: 'kw-adv', name: 'ADV in the subject', column: 'subject', keywords: ['adv', 'advertisement'], match: 'word', label: SPAM },
  // --- spam: regular expressions
  { kind: 'regex', id: 're-money', name: 'money amounts', column: text, pattern: '\\$\\s?\\d{1,3}(,\\d{3})+', label: SPAM },
  // At least 8 letters in the subject and none of them lower case.
  { kind: 'regex', id: 're-caps-subject', name: 'ALL CAPS subject', column: 'subject', pattern: '^(?=(?:[^A-Za-z]*[A-Z]){8})[^a-z]*$', label: SPAM },
  { kind: 'regex', id: 're-exclaim-subject', name: '"!" in the subject', column: 'subject', pattern: '!', label: SPAM },
  { kind: 'regex', id: 're-percent-subject', name: 'percentages in the subject', column: 'subject', pattern: '\\d+\\s?%', label: SPAM },
  // <font> rather than any HTML: newsletters that people did want are HTML too.
  { kind: 'regex', id: 're-html', name: 'HTML body', column: 'body', pattern: '<(html|body|table)\\b', flags: 'i', label: SPAM },
  { kind: 'regex', id: 're-font', name: 'HTML <font> tags', column: 'body', pattern: '<font\\b', flags: 'i', label: SPAM },
  { kind: 'regex', id: 're-from-digits', name: 'numbered sender', column: 'from', pattern: '\\d{3,}@|@[^>]*\\d{3,}', label: SPAM },
  { kind: 'regex', id: 're-from-tld', name: 'sender in a spam-heavy top-level domain', column: 'from', pattern: '@[^>]*\\.(biz|info|ru|cn|kr|tw|br)\\b', flags: 'i', label: SPAM },
  // --- spam: heuristics in code
  {
    kind: 'code',
    id: 'code-exclaim-body',
    name: 'five or more "!" in the body',
    source: `(row) => {
  const body = row.body || '';
  let count = 0;
  for (let i = body.indexOf('!'); i >= 0; i = body.indexOf('!', i + 1)) if (++count >= 5) return 1;
  return ABSTAIN;
}`,
  },
  {
    kind: 'code',
    id: 'code-freemail',
    name: 'sender at a free-mail domain',
    source: `(row) => {
  const m = /@([\\w.-]+)/.exec(row.from || '');
  if (!m) return ABSTAIN;
  const domain = m[1].toLowerCase();
  return /(^|\\.)(yahoo|hotmail|aol|msn|excite|netscape|juno|lycos)\\./.test(domain) ? 1 : ABSTAIN;
}`,
  },
  // --- ham
  { kind: 'regex', id: 're-reply', name: 'a reply (Re:)', column: 'subject', pattern: '^\\s*(re|aw|sv)\\s*:', flags: 'i', label: HAM },
  // Mailman footers and list archives; "mailing list" alone also appears in spam's removal notes.
  { kind: 'regex', id: 're-mailing-list', name: 'mailing-list markers', column: 'body', pattern: 'mailman/listinfo|list-id|https?://lists\\.', flags: 'i', label: HAM },
  { kind: 'regex', id: 're-quoted', name: 'quotes an earlier message', column: 'body', pattern: '^\\s*>', flags: 'm', label: HAM },
  { kind: 'keywords', id: 'kw-wrote', name: '"... wrote:"', column: 'body', keywords: ['wrote:', 'writes:'], match: 'substring', label: HAM },
  { kind: 'regex', id: 're-signature', name: 'signature delimiter', column: 'body', pattern: '^-- ?$', flags: 'm', label: HAM },
  {
    kind: 'keywords',
    id: 'kw-tech',
    name: 'technical words',
    column: 'body',
    keywords: ['perl', 'python', 'kernel', 'rpm', 'cvs', 'patch', 'gcc', 'bug', 'compile', 'debian'],
    match: 'word',
    label: HAM,
  },
  {
    kind: 'code',
    id: 'code-from-org',
    name: 'sender at a university, project or organisation',
    source: `(row) => {
  const m = /@([\\w.-]+)/.exec(row.from || '');
  if (!m) return ABSTAIN;
  return /\\.(edu|org|ac\\.[a-z]{2})$|linux|debian|redhat|apache|sourceforge/i.test(m[1]) ? 0 : ABSTAIN;
}`,
  },
  {
    kind: 'code',
    id: 'code-short-body',
    name: 'short plain-text body',
    source: `(row) => {
  const body = row.body || '';
  return body.length < 300 && !/<[a-z]/i.test(body) ? 0 : ABSTAIN;
}`,
  },
];
